//! Themes: the built-in default theme and the site's overrides.
//!
//! The default theme is compiled into the binary, so a site without a themes/ folder still
//! builds. Files are layered by name: the built-in default theme first, then the site's
//! `themes/NAME/templates/` and `static/`, then the site's own `templates/`. The last file of
//! a name wins.

use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const THEMES_DIR: &str = "themes";
pub const SITE_TEMPLATES_DIR: &str = "templates";

macro_rules! embed {
    ($kind:literal, $method:ident; $($name:literal),* $(,)?) => {
        &[$(($name, $method!(concat!("../themes/default/", $kind, "/", $name)))),*]
    };
}

/// The default theme's templates, by name.
const DEFAULT_TEMPLATES: &[(&str, &str)] = embed!("templates", include_str;
    "base.html",
    "index.html",
    "article.html",
    "episode.html",
    "list.html",
    "terms.html",
    "term.html",
    "months.html",
    "month.html",
    "series.html",
    "laws.html",
    "law.html",
    "page.html",
    "404.html",
    "feed.xml",
    "sitemap.xml",
    "partials/item.html",
    "partials/pager.html",
    "partials/meta.html",
);

/// The default theme's static files, copied to the output root.
const DEFAULT_STATIC: &[(&str, &[u8])] = embed!("static", include_bytes;
    "style.css",
);

/// A template, with the name templates refer to it by and the file it came from.
pub struct Template {
    pub name: String,
    pub source: Cow<'static, str>,
    /// Where an author finds it: `themes/default/templates/base.html（内置）`, or a path
    /// relative to the site root.
    pub shown: String,
}

pub enum StaticSource {
    Builtin(&'static [u8]),
    File(PathBuf),
}

pub struct Theme {
    pub templates: Vec<Template>,
    /// Output path → content.
    pub statics: BTreeMap<String, StaticSource>,
}

impl Theme {
    /// Layers the built-in default theme, `themes/NAME/` and `templates/` of the site.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
        let mut diagnostics = Vec::new();
        let mut templates: BTreeMap<String, Template> = BTreeMap::new();
        let mut statics = BTreeMap::new();
        for (file, source) in DEFAULT_TEMPLATES {
            templates.insert(
                file.to_string(),
                Template {
                    name: file.to_string(),
                    source: Cow::Borrowed(source),
                    shown: format!("themes/default/templates/{file}（内置）"),
                },
            );
        }
        for (file, bytes) in DEFAULT_STATIC {
            statics.insert(file.to_string(), StaticSource::Builtin(bytes));
        }

        let theme_dir = root.join(THEMES_DIR).join(name);
        if !theme_dir.is_dir() && name != "default" {
            let available = available_themes(root);
            let mut d = Diagnostic::error(
                "theme/missing",
                format!("找不到主题“{name}”：没有 themes/{name}/ 文件夹"),
            )
            .in_file(crate::config::CONFIG_FILE);
            d = match nearest(name, available.iter().map(String::as_str)) {
                Some(near) => d.with_suggestion(format!("是不是“{near}”？")),
                None => d.with_suggestion(format!("可用的主题：{}", available.join("、"))),
            };
            return Err(vec![d]);
        }
        let layers = [
            (
                theme_dir.join("templates"),
                format!("{THEMES_DIR}/{name}/templates"),
            ),
            (
                root.join(SITE_TEMPLATES_DIR),
                SITE_TEMPLATES_DIR.to_string(),
            ),
        ];
        for (dir, shown_dir) in layers {
            for (rel, path) in files_under(&dir) {
                match std::fs::read_to_string(&path) {
                    Ok(source) => {
                        let source = source
                            .strip_prefix('\u{feff}')
                            .map(str::to_string)
                            .unwrap_or(source);
                        templates.insert(
                            rel.clone(),
                            Template {
                                name: rel.clone(),
                                source: Cow::Owned(source),
                                shown: format!("{shown_dir}/{rel}"),
                            },
                        );
                    }
                    Err(e) => diagnostics.push(
                        Diagnostic::error("io/read", format!("无法读取模板：{e}"))
                            .in_file(format!("{shown_dir}/{rel}")),
                    ),
                }
            }
        }
        for (rel, path) in files_under(&theme_dir.join("static")) {
            statics.insert(rel, StaticSource::File(path));
        }
        if diagnostics.is_empty() {
            Ok(Theme {
                templates: templates.into_values().collect(),
                statics,
            })
        } else {
            Err(diagnostics)
        }
    }
}

fn available_themes(root: &Path) -> Vec<String> {
    let mut names = vec!["default".to_string()];
    if let Ok(dir) = std::fs::read_dir(root.join(THEMES_DIR)) {
        for entry in dir.flatten() {
            if entry.path().is_dir()
                && let Some(name) = entry.file_name().to_str()
                && name != "default"
            {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    names
}

/// Files under `dir`, sorted, as (path relative to `dir` with `/`, full path). Hidden files
/// and editor backups are skipped.
fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().ends_with('~'))
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_str()?
                .replace('\\', "/");
            Some((rel, e.path().to_path_buf()))
        })
        .collect()
}

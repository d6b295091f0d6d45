//! Themes: the built-in themes and the site's overrides.
//!
//! The built-in themes (`default`, and `kiosk` for touch screens) are compiled into the
//! binary, so a site without a themes/ folder still builds. Files are layered by name, the
//! last one of a name winning:
//!
//! 1. the built-in `default` theme, which has every template;
//! 2. the built-in theme named in site.yaml, when it is not `default` (it overrides a few);
//! 3. the site's `themes/NAME/` (`templates/`, `static/`, `theme.yaml`);
//! 4. the site's own `templates/`.
//!
//! Every template of layers 1–3 is also registered as `theme/NAME`, so a site template can
//! extend the theme's own version of the file it overrides: `{% extends "theme/page.html" %}`.

use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::yaml;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const THEMES_DIR: &str = "themes";
pub const SITE_TEMPLATES_DIR: &str = "templates";
/// The prefix under which a theme's own templates stay reachable from site templates.
pub const THEME_PREFIX: &str = "theme/";

macro_rules! embed {
    ($theme:literal, $kind:literal, $method:ident; $($name:literal),* $(,)?) => {
        &[$(($name, $method!(concat!("../themes/", $theme, "/", $kind, "/", $name)))),*]
    };
}

/// A theme compiled into pufa.
struct Builtin {
    name: &'static str,
    theme_yaml: &'static str,
    templates: &'static [(&'static str, &'static str)],
    statics: &'static [(&'static str, &'static [u8])],
}

const BUILTIN: &[Builtin] = &[
    Builtin {
        name: "default",
        theme_yaml: include_str!("../themes/default/theme.yaml"),
        templates: embed!("default", "templates", include_str;
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
            "search.html",
            "404.html",
            "feed.xml",
            "sitemap.xml",
            "partials/item.html",
            "partials/pager.html",
            "partials/meta.html",
            "partials/page-tools.html",
            "partials/qr.html",
            "shortcodes/video.html",
            "shortcodes/bilibili.html",
            "shortcodes/qq.html",
            "shortcodes/law.html",
            "shortcodes/tip.html",
        ),
        statics: embed!("default", "static", include_bytes;
            "style.css",
            "search.js",
            "theme.js",
            "share.png",
            "favicon.svg",
            "apple-touch-icon.png",
        ),
    },
    Builtin {
        name: "kiosk",
        theme_yaml: include_str!("../themes/kiosk/theme.yaml"),
        templates: embed!("kiosk", "templates", include_str;
            "base.html",
            "index.html",
            "partials/item.html",
            "partials/page-tools.html",
        ),
        statics: embed!("kiosk", "static", include_bytes;
            "kiosk.css",
            "kiosk.js",
        ),
    },
];

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
    pub name: String,
    pub templates: Vec<Template>,
    /// Output path → content.
    pub statics: BTreeMap<String, StaticSource>,
    /// `extra` defaults from theme.yaml; site.yaml's `extra` overrides them key by key.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// theme.yaml `crops`: the aspects covers and posters are cut to for lists and cards
    /// (the `picture` function's `crop`). A later layer's list replaces an earlier one.
    pub crops: Vec<crate::picture::Aspect>,
    /// What loading found that does not stop a build (links out of the site, characters
    /// removed from templates).
    pub warnings: Diagnostics,
}

impl Theme {
    /// Layers the built-in themes, `themes/NAME/` and `templates/` of the site.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
        let mut diagnostics = Vec::new();
        let mut warnings = Vec::new();
        let theme_dir = root.join(THEMES_DIR).join(name);
        let builtin = BUILTIN.iter().find(|b| b.name == name);
        if builtin.is_none() && !theme_dir.is_dir() {
            let available = available_themes(root);
            let mut d = Diagnostic::error(
                "theme/missing",
                format!("找不到主题“{name}”：它不是内置主题，也没有 themes/{name}/ 文件夹"),
            )
            .in_file(crate::config::CONFIG_FILE);
            d = match nearest(name, available.iter().map(String::as_str)) {
                Some(near) => d.with_suggestion(format!("是不是“{near}”？")),
                None => d.with_suggestion(format!("可用的主题：{}", available.join("、"))),
            };
            return Err(vec![d]);
        }

        let mut templates: BTreeMap<String, Template> = BTreeMap::new();
        let mut statics = BTreeMap::new();
        let mut extra = serde_json::Map::new();
        let mut crops = Vec::new();
        let mut layers = vec![&BUILTIN[0]];
        layers.extend(builtin.filter(|b| b.name != "default"));
        for layer in layers {
            for (file, source) in layer.templates {
                templates.insert(
                    file.to_string(),
                    Template {
                        name: file.to_string(),
                        source: Cow::Borrowed(source),
                        shown: format!("themes/{}/templates/{file}（内置）", layer.name),
                    },
                );
            }
            for (file, bytes) in layer.statics {
                statics.insert(file.to_string(), StaticSource::Builtin(bytes));
            }
            read_theme_yaml(
                (&mut extra, &mut crops),
                layer.theme_yaml,
                None,
                &mut diagnostics,
            );
        }
        let theme_shown = format!("{THEMES_DIR}/{name}/templates");
        read_templates(
            (&theme_dir.join("templates"), root),
            &theme_shown,
            &mut templates,
            &mut diagnostics,
            &mut warnings,
        );
        for (rel, path) in files_under(&theme_dir.join("static"), root, &mut warnings) {
            statics.insert(rel, StaticSource::File(path));
        }
        let theme_yaml = theme_dir.join("theme.yaml");
        if let Ok(text) = std::fs::read_to_string(&theme_yaml) {
            let shown = format!("{THEMES_DIR}/{name}/theme.yaml");
            read_theme_yaml(
                (&mut extra, &mut crops),
                &text,
                Some(&shown),
                &mut diagnostics,
            );
        }

        // The theme's own version of every file stays reachable as `theme/NAME`.
        let theme_versions: Vec<Template> = templates
            .values()
            .map(|t| Template {
                name: format!("{THEME_PREFIX}{}", t.name),
                source: t.source.clone(),
                shown: t.shown.clone(),
            })
            .collect();
        read_templates(
            (&root.join(SITE_TEMPLATES_DIR), root),
            SITE_TEMPLATES_DIR,
            &mut templates,
            &mut diagnostics,
            &mut warnings,
        );
        for t in theme_versions {
            templates.insert(t.name.clone(), t);
        }
        if diagnostics.is_empty() {
            Ok(Theme {
                name: name.to_string(),
                templates: templates.into_values().collect(),
                statics,
                extra,
                crops,
                warnings,
            })
        } else {
            Err(diagnostics)
        }
    }
}

/// Names of the themes a site can use.
fn available_themes(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN.iter().map(|b| b.name.to_string()).collect();
    if let Ok(dir) = std::fs::read_dir(root.join(THEMES_DIR)) {
        for entry in dir.flatten() {
            if entry.path().is_dir()
                && let Some(name) = entry.file_name().to_str()
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    names
}

fn read_templates(
    (dir, root): (&Path, &Path),
    shown_dir: &str,
    templates: &mut BTreeMap<String, Template>,
    diagnostics: &mut Diagnostics,
    warnings: &mut Diagnostics,
) {
    for (rel, path) in files_under(dir, root, warnings) {
        let shown = format!("{shown_dir}/{rel}");
        match crate::fs::read_text(&path, Path::new(&shown)) {
            Ok((source, removed)) => {
                warnings.extend(removed);
                templates.insert(
                    rel.clone(),
                    Template {
                        name: rel,
                        source: Cow::Owned(source),
                        shown,
                    },
                );
            }
            Err(d) => diagnostics.push(d),
        }
    }
}

/// Adds the `extra` map of a theme.yaml to `extra`.
/// Reads a theme.yaml layer: its `extra` merged key by key, its `crops` in place of the
/// earlier layer's.
fn read_theme_yaml(
    (extra, crops): (
        &mut serde_json::Map<String, serde_json::Value>,
        &mut Vec<crate::picture::Aspect>,
    ),
    theme_yaml: &str,
    shown: Option<&str>,
    diagnostics: &mut Diagnostics,
) {
    match yaml::parse(theme_yaml) {
        Ok(node) => {
            let entry = |key: &str| {
                node.entries()?
                    .iter()
                    .find(|(k, _)| k.as_scalar_string().as_deref() == Some(key))
                    .map(|(_, v)| v)
            };
            if let Some(serde_json::Value::Object(map)) = entry("extra").map(yaml::Node::to_json) {
                extra.extend(map);
            }
            if let Some(list) = entry("crops") {
                *crops = read_crops(list, shown, diagnostics);
            }
        }
        Err(e) => {
            if let Some(shown) = shown {
                diagnostics.push(
                    Diagnostic::error("theme/yaml-syntax", "theme.yaml 的 YAML 写法有误")
                        .in_file(shown)
                        .at(e.line, e.column),
                );
            }
        }
    }
}

/// theme.yaml `crops: ["16:9", "4:3"]`; what cannot be read is reported and left out.
fn read_crops(
    list: &yaml::Node,
    shown: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> Vec<crate::picture::Aspect> {
    let mut report = |node: &yaml::Node, message: String| {
        if let Some(shown) = shown {
            diagnostics.push(
                Diagnostic::error("theme/crops", message)
                    .in_file(shown)
                    .at(node.line, node.column)
                    .with_suggestion("写成宽和高之比，例如 crops: [\"16:9\", \"4:3\"]"),
            );
        }
    };
    let items = match &list.value {
        yaml::Value::Seq(items) => items.as_slice(),
        yaml::Value::Null => &[],
        _ => {
            report(
                list,
                format!("crops 应当是一个列表，这里是{}", list.kind_name()),
            );
            return Vec::new();
        }
    };
    let mut crops = Vec::new();
    for item in items {
        let text = item.as_scalar_string().unwrap_or_default();
        match crate::picture::Aspect::parse(&text) {
            Some(aspect) if !crops.contains(&aspect) => crops.push(aspect),
            Some(_) => {}
            None => report(item, format!("看不懂裁剪比例“{text}”")),
        }
    }
    crops
}

/// Files under `dir`, sorted, as (path relative to `dir` with `/`, full path), by the rule
/// for links and hidden files that content/ follows ([`crate::fs::site_files`]).
fn files_under(dir: &Path, root: &Path, warnings: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    crate::fs::site_files(dir, root, warnings)
        .into_iter()
        .map(|rel| {
            let path = dir.join(&rel);
            (rel, path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::BUILTIN;
    use std::path::Path;

    /// Every file under `themes/<name>/` is compiled in: a file added to the folder but not
    /// to [`BUILTIN`] would work from a theme folder and be missing from the program.
    #[test]
    fn every_file_of_the_built_in_themes_is_compiled_in() {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else {
                    let relative = path.strip_prefix(base).unwrap();
                    out.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
        for builtin in BUILTIN {
            for (folder, embedded) in [
                (
                    "templates",
                    builtin
                        .templates
                        .iter()
                        .map(|(n, _)| n.to_string())
                        .collect::<Vec<_>>(),
                ),
                (
                    "static",
                    builtin.statics.iter().map(|(n, _)| n.to_string()).collect(),
                ),
            ] {
                let base = root.join(builtin.name).join(folder);
                let mut on_disk = Vec::new();
                walk(&base, &base, &mut on_disk);
                on_disk.sort();
                let mut embedded = embedded;
                embedded.sort();
                assert_eq!(on_disk, embedded, "themes/{}/{folder}", builtin.name);
            }
        }
    }
}

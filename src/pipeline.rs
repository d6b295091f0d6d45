//! The stages every command shares, from site.yaml to rendered pages.
//!
//! [`prepare`] reads the configuration and theme, loads content, renders Markdown, groups the
//! taxonomies and runs the site checks, collecting every diagnostic on the way. [`render`]
//! turns the prepared site into files and hands each to a sink: `build` writes them to the
//! output folder, `check` only makes sure they render. Keeping one path means `check` finds
//! exactly what would stop `build`.

use crate::check;
use crate::config::{CONFIG_FILE, Config};
use crate::content::{self, LoadOptions, Site};
use crate::diagnostic::{Diagnostic, Diagnostics, has_errors};
use crate::markdown::{self, LinkContext, Rendered, Shortcodes};
use crate::render::context::SiteData;
use crate::render::{self, Engine, Job, Renderer};
use crate::taxonomy::{self, Taxonomies};
use crate::theme::Theme;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// What decides the output, whatever the command.
#[derive(Debug, Clone)]
pub struct Settings {
    pub root: PathBuf,
    /// Overrides site.yaml's `base_url`.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Publish items dated in the future too.
    pub future: bool,
    pub offline: bool,
    /// For `serve`: missing pictures and files and dead links are warnings, so a draft whose
    /// photo comes later can still be seen ([`PREVIEW_WARNINGS`]). `build` and `check` keep
    /// them errors.
    pub preview: bool,
}

/// What the preview shows as warnings though it stops a build.
pub const PREVIEW_WARNINGS: &[&str] = &[
    "link/missing-file",
    "link/missing-page",
    "link/missing-anchor",
    "front-matter/missing-file",
    "lint/personal-data",
    "lint/stale-columns",
];

/// In the preview, makes the errors of [`PREVIEW_WARNINGS`] warnings that say so.
fn soften(diagnostics: &mut [Diagnostic], preview: bool) {
    if !preview {
        return;
    }
    for d in diagnostics.iter_mut() {
        if d.is_error() && PREVIEW_WARNINGS.contains(&d.code) {
            d.severity = crate::diagnostic::Severity::Warning;
            d.message.push_str("（预览时先显示，生成网站时这是错误）");
        }
    }
}

/// A loaded site, ready to render.
pub struct Prepared {
    pub site: Site,
    pub theme: Theme,
    pub engine: Engine,
    /// Rendered Markdown, one per page of `site.pages`.
    pub rendered: Vec<Rendered>,
    /// Laws each page cites, one set per page.
    pub cited: Vec<BTreeSet<String>>,
    pub tax: Taxonomies,
    pub offline: bool,
    /// Warnings about site.yaml, kept for updates that do not read it again.
    config_warnings: Diagnostics,
    load_options: LoadOptions,
    preview: bool,
    /// Each page's own text checks, by content path, kept for updates.
    lints: std::collections::HashMap<String, Diagnostics>,
    /// Every output path and what renders it ([`render::jobs`]), each path checked and
    /// given one source ([`output_table`]).
    jobs: Vec<(String, Job)>,
}

impl Prepared {
    pub fn data(&self) -> SiteData<'_> {
        SiteData {
            config: &self.site.config,
            pages: &self.site.pages,
            rendered: &self.rendered,
            cited: &self.cited,
            tax: &self.tax,
            offline: self.offline,
            site_root: &self.site.root,
            today: self.site.today,
            pictures: &self.site.pictures,
        }
    }

    /// For a build that renders once: lets go of what only checking and updates need (the
    /// sources, [`Site::forget_sources`], and each page's text checks) before rendering.
    /// [`Prepared::update`] cannot follow.
    pub fn forget_sources(&mut self) {
        self.site.forget_sources();
        self.lints = Default::default();
    }

    /// Every output path and what renders it.
    pub fn jobs(&self) -> &[(String, Job)] {
        &self.jobs
    }

    /// Decides the outputs ([`render::jobs`]) and checks them against everything else the
    /// build writes: `Err` with the diagnostics when a path is refused or has two sources.
    fn with_jobs(mut self) -> Result<Prepared, Diagnostics> {
        let jobs = render::jobs(&self.data());
        let problems = output_table(&self, &jobs);
        if problems.is_empty() {
            self.jobs = jobs;
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

/// Runs every stage up to rendering. Returns `None` when the site has errors; all
/// diagnostics, errors and warnings, are added to `diagnostics` either way. Stages go on past
/// errors in content so one run reports as much as it can.
pub fn prepare(settings: &Settings, diagnostics: &mut Diagnostics) -> Option<Prepared> {
    let root = &settings.root;
    let first_diagnostic = diagnostics.len();
    let mut config = match Config::load(root) {
        Ok((config, mut warnings)) => {
            diagnostics.append(&mut warnings);
            config
        }
        Err(mut errors) => {
            diagnostics.append(&mut errors);
            return None;
        }
    };
    if let Some(url) = &settings.base_url
        && let Err(d) = config.set_base_url(url)
    {
        diagnostics.push(d);
        return None;
    }
    if config.base_url.is_none() {
        diagnostics.push(
            Diagnostic::warning(
                "config/no-base-url",
                "site.yaml 没有设置 base_url，因此不生成订阅（feed.xml）、网站地图（sitemap.xml）和页面二维码",
            )
            .in_file(CONFIG_FILE)
            .with_suggestion("写上网站的正式网址，例如 base_url: \"https://pufa.example.gov.cn/\""),
        );
    }
    let theme = Theme::load(root, &config.theme).map_err(|mut e| diagnostics.append(&mut e));
    if let Ok(theme) = &theme {
        diagnostics.extend(theme.warnings.iter().cloned());
        config.extra = merged_extra(&theme.extra, &config.extra);
        diagnostics.extend(crate::check::site_wording(
            &config.text,
            theme,
            &config.lint_words,
        ));
    }
    let engine = theme.as_ref().ok().map(|t| {
        Engine::new(t, &config.title, &config.extra).map_err(|mut e| diagnostics.append(&mut e))
    });

    let config_warnings = diagnostics[first_diagnostic..].to_vec();
    let load_options = LoadOptions {
        drafts: settings.drafts,
        future: settings.future,
    };
    let (site, mut found) = content::load(root, config, load_options);
    diagnostics.append(&mut found);

    let shortcodes = match &engine {
        Some(Ok(engine)) => Some(engine as &dyn Shortcodes),
        _ => None,
    };
    if let Some(Ok(engine)) = &engine {
        check_column_templates(&site, engine, diagnostics);
    }
    let rendered = render_markdown(&site, settings.offline, shortcodes);
    let mut lints = std::collections::HashMap::new();
    let (cited, tax) = analyse(&site, &rendered, &mut lints, |_| true, None, diagnostics);

    soften(&mut diagnostics[first_diagnostic..], settings.preview);
    let (Ok(theme), Some(Ok(engine))) = (theme, engine) else {
        return None;
    };
    if has_errors(diagnostics) {
        return None;
    }
    let mut site = site;
    let uses = picture_uses(&site, &rendered, &theme.crops);
    site.pictures.set_uses(uses);
    let prepared = Prepared {
        site,
        theme,
        engine,
        rendered,
        cited,
        tax,
        offline: settings.offline,
        config_warnings,
        load_options,
        preview: settings.preview,
        lints,
        jobs: Vec::new(),
    };
    prepared
        .with_jobs()
        .map_err(|mut problems| diagnostics.append(&mut problems))
        .ok()
}

impl Prepared {
    /// The site after the Markdown files `changed` (paths relative to content/) changed,
    /// and nothing else: only those files are read again, and only they and the pages linking
    /// to them are rendered again. Returns the new state and what changed ([`Updated`]); or
    /// every diagnostic when the site now has errors.
    pub fn update(self, changed: &[String]) -> Result<Updated, Diagnostics> {
        let Prepared {
            site,
            theme,
            engine,
            rendered,
            cited: old_cited,
            tax: old_tax,
            offline,
            config_warnings,
            load_options,
            preview,
            mut lints,
            jobs: old_jobs,
        } = self;
        // How the changed pages were listed, to tell below whether the lists stay the same.
        let listed_before: Vec<Option<String>> = changed
            .iter()
            .map(|path| {
                let &i = site.by_source.get(path)?;
                listed_as(&site.pages[i], &rendered[i], &old_cited[i])
            })
            .collect();
        let old_paths: Vec<String> = site.pages.iter().map(|p| p.content_path.clone()).collect();
        let mut old: std::collections::HashMap<String, Rendered> = site
            .pages
            .iter()
            .map(|p| p.content_path.clone())
            .zip(rendered)
            .collect();
        let mut timings = crate::timings::Timings::start(std::time::Instant::now());
        let held_before = site.held.clone();
        let (site, found) = site.reload(changed, load_options);
        // Items whose date came, or whose `expires` passed, since the last build appear or go
        // with no file changed: pages linking to them are rendered again too.
        let shifted: Vec<String> = held_before
            .keys()
            .filter(|k| !site.held.contains_key(*k))
            .chain(site.held.keys().filter(|k| !held_before.contains_key(*k)))
            .cloned()
            .collect();
        let changed_set: BTreeSet<&str> =
            changed.iter().chain(&shifted).map(String::as_str).collect();
        timings.stage("重读文件");
        let mut diagnostics = config_warnings.clone();
        diagnostics.extend(found);

        // Pages to render again: the changed ones, and those linking to them (the target's
        // address may have changed, or it may have appeared or gone).
        let touched: BTreeSet<String> = site
            .pages
            .iter()
            .filter(|p| {
                changed_set.contains(p.content_path.as_str())
                    || old
                        .get(&p.content_path)
                        .is_none_or(|r| r.links_to.iter().any(|t| changed_set.contains(t.as_str())))
            })
            .map(|p| p.content_path.clone())
            .collect();
        let fresh = render_markdown_of(&site, offline, Some(&engine), &touched);
        let mut fresh: std::collections::HashMap<String, Rendered> = fresh.into_iter().collect();
        let rendered: Vec<Rendered> = site
            .pages
            .iter()
            .map(|p| {
                fresh
                    .remove(&p.content_path)
                    .or_else(|| old.remove(&p.content_path))
                    .unwrap_or_default()
            })
            .collect();
        timings.stage("Markdown");
        // The common edit — an article's or episode's text, nothing any list shows — leaves
        // the pages where they were and every list as it was: keep the lists.
        let same_pages = site.pages.len() == old_paths.len()
            && site
                .pages
                .iter()
                .zip(&old_paths)
                .all(|(p, old)| p.content_path == *old);
        let keep = same_pages.then(|| {
            let cited: Vec<BTreeSet<String>> = site
                .pages
                .iter()
                .zip(&rendered)
                .zip(old_cited)
                .map(|((page, r), old)| {
                    if touched.contains(&page.content_path) {
                        cited_by(page, r)
                    } else {
                        old
                    }
                })
                .collect();
            (cited, old_tax)
        });
        let same_lists = keep.as_ref().is_some_and(|(cited, _)| {
            changed.iter().zip(&listed_before).all(|(path, before)| {
                let listed = site
                    .by_source
                    .get(path)
                    .and_then(|&i| listed_as(&site.pages[i], &rendered[i], &cited[i]));
                before.is_some() && listed == *before
            })
        });
        let mut site = site;
        let uses = picture_uses(&site, &rendered, &theme.crops);
        // Pictures used differently are made into other files: the outputs change.
        let same_lists = same_lists && uses == *site.pictures.uses();
        site.pictures.set_uses(uses);
        let kept = if same_lists { keep } else { None };
        let (cited, tax) = analyse(
            &site,
            &rendered,
            &mut lints,
            |path| touched.contains(path),
            kept,
            &mut diagnostics,
        );
        timings.stage("分类和检查");
        soften(&mut diagnostics, preview);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let mut touched = touched;
        touched.extend(changed.iter().cloned());
        let prepared = Prepared {
            site,
            theme,
            engine,
            rendered,
            cited,
            tax,
            offline,
            config_warnings,
            load_options,
            preview,
            lints,
            jobs: Vec::new(),
        };
        // Same lists: every page where it was, the same addresses and aliases, and no file
        // but Markdown changed, so the outputs are the ones already checked.
        let prepared = if same_lists {
            Prepared {
                jobs: old_jobs,
                ..prepared
            }
        } else {
            prepared.with_jobs().map_err(|mut problems| {
                diagnostics.append(&mut problems);
                diagnostics.clone()
            })?
        };
        Ok(Updated {
            prepared,
            touched,
            warnings: diagnostics,
            same_lists,
        })
    }
}

/// What [`Prepared::update`] produced.
pub struct Updated {
    pub prepared: Prepared,
    /// Content paths whose pages may show differently.
    pub touched: BTreeSet<String>,
    pub warnings: Diagnostics,
    /// No list, page address or site-wide value changed: only the outputs that showed the
    /// touched pages need rendering again.
    pub same_lists: bool,
}

/// Everything about an article or episode that pages other than its own show: in lists,
/// feeds, neighbour links, topic, month and law pages, the site's lists. `None` for other
/// kinds of page (a month theme or a series shows on other pages in ways not listed here).
fn listed_as(
    page: &crate::content::Page,
    rendered: &Rendered,
    cited: &BTreeSet<String>,
) -> Option<String> {
    use crate::content::Kind;
    if !matches!(page.kind, Kind::Article | Kind::Episode) {
        return None;
    }
    Some(format!(
        "{:?}",
        (
            (
                &page.path,
                &page.slug,
                &page.title,
                page.date,
                page.date_at,
                page.url_at
            ),
            (
                &page.summary,
                &rendered.summary,
                &page.cover,
                &page.topics,
                &page.laws,
                cited
            ),
            (
                &page.author,
                &page.origin,
                &page.editor,
                page.draft,
                page.weight,
                page.pinned,
                page.updated,
                page.expires
            ),
            (&page.aliases, &page.details, page.month_key()),
        )
    ))
}

/// How the pages use the pictures ([`crate::picture::Uses`]): covers and posters are framed
/// and shown, Markdown images shown, files that Markdown, shortcodes and site.yaml link to
/// linked.
fn picture_uses(
    site: &Site,
    rendered: &[Rendered],
    crops: &[crate::picture::Aspect],
) -> crate::picture::Uses {
    let is_picture = |asset: &&String| site.pictures.probes.contains_key(*asset);
    let framed: BTreeSet<String> = site
        .pages
        .iter()
        .flat_map(|p| {
            [
                p.cover.as_ref(),
                p.episode().and_then(|e| e.poster.as_ref()),
            ]
        })
        .flatten()
        .filter(is_picture)
        .cloned()
        .collect();
    let mut shown = framed.clone();
    shown.extend(
        rendered
            .iter()
            .flat_map(|r| r.pictures.iter().map(|(a, _)| a.clone())),
    );
    let config = &site.config;
    let linked = rendered
        .iter()
        .flat_map(|r| &r.files)
        .chain(config.banner.as_ref())
        .chain(config.organization.emblem.as_ref())
        .chain(config.organization.conac_image.as_ref())
        .filter(is_picture)
        .cloned()
        .collect();
    crate::picture::Uses {
        crops: crops.to_vec(),
        framed,
        shown,
        linked,
    }
}

/// A column's `template:` names a template of the theme.
fn check_column_templates(site: &Site, engine: &Engine, diagnostics: &mut Diagnostics) {
    for page in &site.pages {
        let crate::content::Details::Column(crate::content::Column {
            template: Some((name, line, column)),
            ..
        }) = &page.details
        else {
            continue;
        };
        if engine.has_template(name) {
            continue;
        }
        let names = engine.page_templates();
        let mut d = Diagnostic::error(
            "front-matter/unknown-template",
            format!("主题里没有模板“{name}”"),
        )
        .in_file(&page.source)
        .at(*line, *column);
        d = match crate::diagnostic::nearest(name, names.iter().map(String::as_str)) {
            Some(near) => d.with_suggestion(format!("是不是“{near}”？")),
            None => d.with_suggestion(format!(
                "模板放在主题的 templates 文件夹里；现有的有：{}",
                names.join("、")
            )),
        };
        diagnostics.push(d);
    }
}

/// Gives every output file one source ([`confine::Table`]), in a fixed order — pages and
/// lists, copied files, the theme's static files — and returns what is wrong with them.
fn output_table(prepared: &Prepared, jobs: &[(String, Job)]) -> Diagnostics {
    use crate::confine::{Source, Table};
    let site = &prepared.site;
    let mut table = Table::default();
    table.reserve(
        &format!("{}/", crate::search::DIR),
        Source::generated("搜索索引（pufa 生成）"),
    );
    table.reserve(
        crate::output::MARKER,
        Source::generated("输出文件夹的标记文件"),
    );
    for (path, job) in jobs {
        let (source, ascii) = match *job {
            Job::Content(i) => {
                let page = &site.pages[i];
                let what = format!("{} 的页面", crate::fs::shown(&page.source));
                (Source::file(what, &page.source, page.url_at), true)
            }
            Job::Alias(i) => {
                let page = &site.pages[i];
                let what = format!("{} 的别名 /{path}", crate::fs::shown(&page.source));
                (Source::file(what, &page.source, page.aliases_at), false)
            }
            _ => (
                Source::generated(format!("{}（pufa 生成）", job.label())),
                true,
            ),
        };
        table.add(path, ascii, source);
    }
    for asset in &site.assets {
        let file = std::path::Path::new(crate::content::CONTENT_DIR).join(asset);
        let outputs = site.pictures.outputs(asset);
        if outputs.is_empty() {
            let what = format!("复制的文件 {}", crate::fs::shown(&file));
            table.add(asset, false, Source::file(what, &file, (0, 0)));
            continue;
        }
        // The output path tells the files made of one picture apart: they share a source.
        let original = Source::file(format!("图片 {}", crate::fs::shown(&file)), &file, (0, 0));
        let made = Source::file(
            format!("图片 {} 缩小或裁剪的版本", crate::fs::shown(&file)),
            &file,
            (0, 0),
        );
        for o in outputs {
            let source = match o.kind {
                crate::picture::Kind::Clean => original.clone(),
                _ => made.clone(),
            };
            table.add(&o.path, false, source);
        }
    }
    for (path, source) in &prepared.theme.statics {
        let what = match source {
            crate::theme::StaticSource::Builtin(_) => {
                format!("内置主题 {} 的 static/{path}", prepared.theme.name)
            }
            crate::theme::StaticSource::File(file) => {
                let shown = file.strip_prefix(&site.root).unwrap_or(file);
                format!("主题文件 {}", crate::fs::shown(shown))
            }
        };
        table.add(path, false, Source::generated(what));
    }
    table.diagnostics
}

/// The laws a page cites: in front matter and in its text.
fn cited_by(page: &crate::content::Page, rendered: &Rendered) -> BTreeSet<String> {
    page.laws.iter().chain(&rendered.laws).cloned().collect()
}

/// The theme's `extra` defaults with the site's `extra` over them, key by key.
fn merged_extra(
    theme: &serde_json::Map<String, serde_json::Value>,
    site: &serde_json::Value,
) -> serde_json::Value {
    let mut merged = theme.clone();
    if let serde_json::Value::Object(site) = site {
        merged.extend(site.clone());
    }
    serde_json::Value::Object(merged)
}

/// What follows rendered Markdown: the laws each page cites, the taxonomies, and the checks.
/// Each page's own checks are kept in `lints`, computed again only where `stale` says so (and
/// where missing). Adds every diagnostic, Markdown's included, to `diagnostics`.
fn analyse(
    site: &Site,
    rendered: &[Rendered],
    lints: &mut std::collections::HashMap<String, Diagnostics>,
    stale: impl Fn(&str) -> bool + Sync,
    kept: Option<(Vec<BTreeSet<String>>, Taxonomies)>,
    diagnostics: &mut Diagnostics,
) -> (Vec<BTreeSet<String>>, Taxonomies) {
    for r in rendered {
        diagnostics.extend(r.diagnostics.iter().cloned());
    }
    let (cited, tax) = kept.unwrap_or_else(|| {
        let cited: Vec<BTreeSet<String>> = site
            .pages
            .par_iter()
            .zip(rendered)
            .map(|(page, r)| cited_by(page, r))
            .collect();
        let mut tax = taxonomy::build(&site.pages, &cited, &site.config.topics, &site.config.laws);
        (tax.menu, tax.menu_diagnostics) = crate::menu::resolve(&site.config, &site.pages, &tax);
        (cited, tax)
    });
    diagnostics.extend(tax.menu_diagnostics.iter().cloned());
    lints.retain(|path, _| site.by_source.contains_key(path));
    let fresh: Vec<(String, Diagnostics)> = site
        .pages
        .par_iter()
        .filter(|p| stale(&p.content_path) || !lints.contains_key(&p.content_path))
        .map(|page| (page.content_path.clone(), check::page_lints(site, page)))
        .collect();
    lints.extend(fresh);
    for page in &site.pages {
        diagnostics.extend(lints[&page.content_path].iter().cloned());
    }
    diagnostics.extend(check::across_pages(site, rendered, &tax));
    (cited, tax)
}

/// Renders the Markdown of the pages in `only`, by content path.
fn render_markdown_of(
    site: &Site,
    offline: bool,
    engine: Option<&Engine>,
    only: &BTreeSet<String>,
) -> Vec<(String, Rendered)> {
    let shortcodes = engine.map(|e| e as &dyn Shortcodes);
    site.pages
        .par_iter()
        .filter(|p| only.contains(&p.content_path))
        .map(|page| {
            let rendered = render_one(site, page, offline, shortcodes);
            (page.content_path.clone(), rendered)
        })
        .collect()
}

fn render_one(
    site: &Site,
    page: &crate::content::Page,
    offline: bool,
    shortcodes: Option<&dyn Shortcodes>,
) -> Rendered {
    let lookup = |path: &str| {
        site.by_source
            .get(path)
            .map(|&i| site.pages[i].path.as_str())
    };
    let cx = LinkContext {
        content_path: &page.content_path,
        page_path: &page.path,
        pages: &lookup,
        drafts: &site.drafts,
        held: &site.held,
        assets: &site.assets,
        pictures: &site.pictures,
        laws: &site.config.laws,
        offline,
        shortcodes,
    };
    markdown::render(&page.source, &page.text, page.body_offset, &cx)
}

fn render_markdown(
    site: &Site,
    offline: bool,
    shortcodes: Option<&dyn Shortcodes>,
) -> Vec<Rendered> {
    site.pages
        .par_iter()
        .map(|page| render_one(site, page, offline, shortcodes))
        .collect()
}

/// Renders every job in parallel and hands each file to `sink` (path relative to the output
/// root, bytes). `tick` is called once per job. Returns the problems found, each once.
pub fn render<S>(
    prepared: &Prepared,
    jobs: &[(String, Job)],
    sink: S,
    tick: &(dyn Fn() + Sync),
) -> Diagnostics
where
    S: Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync,
{
    let renderer = Renderer::new(&prepared.engine, prepared.data());
    let mut failures: Diagnostics = jobs
        .par_iter()
        .filter_map(|(path, job)| {
            let result = renderer.render(path, job).and_then(|bytes| {
                sink(&crate::url::output_file(path), &bytes).map_err(|d| {
                    // A file that could not be written: say which of the author's files it is.
                    match (job, d.file.is_none()) {
                        (Job::Content(i) | Job::Alias(i), true) => {
                            let page = &prepared.site.pages[*i];
                            d.in_file(&page.source).at(page.url_at.0, page.url_at.1)
                        }
                        _ => d,
                    }
                })
            });
            tick();
            result.err()
        })
        .collect();
    // A template error repeats on every page that uses the template: report it once.
    crate::diagnostic::sort(&mut failures);
    failures.dedup();
    failures
}

/// Where rendered output goes: the output folder for `build`, memory for `serve`.
pub trait Sink: Sync {
    /// Stores `bytes` as `path` (relative to the output root).
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic>;
    /// Stores the file `from` as `path`, unchanged.
    fn copy(&self, from: &std::path::Path, path: &str) -> Result<(), Diagnostic>;
    /// Keeps `path` as it is when it already holds the made file known by `key` (a number
    /// that changes whenever the file's bytes would): then nothing need be made or stored
    /// for it. `false`: store it with [`Sink::copy_made`].
    fn keep(&self, _path: &str, _key: u64) -> bool {
        false
    }
    /// Stores the file `from`, made and known by `key` ([`Sink::keep`]), as `path`.
    fn copy_made(&self, from: &std::path::Path, path: &str, _key: u64) -> Result<(), Diagnostic> {
        self.copy(from, path)
    }
    /// Whether pictures are made only when first asked for (the preview): [`emit`] then
    /// hands on where each will be ([`crate::picture::Pictures::plan`]).
    fn pictures_on_demand(&self) -> bool {
        false
    }
}

/// What [`emit`] produced.
#[derive(Debug, Default, Clone, Copy)]
pub struct Emitted {
    pub pages: usize,
    pub index_files: usize,
    pub files: usize,
}

/// Produces the whole site into `sink`: every page (the `jobs` of [`Prepared::jobs`]), the
/// search index (when `index` is set), the files under content/ and the theme's static
/// files. `tick` is called once per page and file; `stage` after each step, with its name,
/// for timing. Returns what was produced and the problems found.
pub fn emit(
    prepared: &Prepared,
    jobs: &[(String, Job)],
    index: bool,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
    stage: &mut dyn FnMut(&'static str),
) -> (Emitted, Diagnostics) {
    let site = &prepared.site;
    // The index is built beside the pages: its merge step runs on one thread, and the pages
    // keep the other core busy meanwhile.
    // Pictures are resized beside both (a cached picture is only copied).
    let ((mut failures, indexed), pictures) = rayon::join(
        || {
            rayon::join(
                || render(prepared, jobs, |path, bytes| sink.write(path, bytes), tick),
                || {
                    if !index {
                        return Ok(0);
                    }
                    crate::search::build(&prepared.data().search_docs(), |path, bytes| {
                        sink.write(path, bytes)
                    })
                },
            )
        },
        || {
            if sink.pictures_on_demand() {
                site.pictures.plan(sink, tick)
            } else {
                site.pictures.publish(sink, tick)
            }
        },
    );
    failures.extend(pictures);
    let index_files = indexed.unwrap_or_else(|d| {
        failures.push(d);
        0
    });
    stage("渲染页面和搜索索引");
    let copied: Diagnostics = site
        .assets
        .par_iter()
        .filter(|asset| !site.pictures.publishes(asset))
        .filter_map(|asset| {
            let shown = std::path::Path::new(crate::content::CONTENT_DIR).join(asset);
            let result = sink
                .copy(&site.root.join(&shown), asset)
                .map_err(|d| d.in_file(&shown));
            tick();
            result.err()
        })
        .collect();
    failures.extend(copied);
    for (path, source) in &prepared.theme.statics {
        let result = match source {
            crate::theme::StaticSource::Builtin(bytes) => sink.write(path, bytes),
            crate::theme::StaticSource::File(from) => sink.copy(from, path),
        };
        failures.extend(result.err());
    }
    stage("复制文件");
    let emitted = Emitted {
        pages: jobs.len(),
        index_files,
        files: site.assets.len() - site.pictures.probes.len()
            + site.pictures.output_count()
            + prepared.theme.statics.len(),
    };
    (emitted, failures)
}

//! Loading: content/ → the plain-data [`Site`] model.
//!
//! The walk sorts every folder, reads each Markdown file once (in parallel), splits off its
//! front matter and checks it against the controlled vocabularies of site.yaml (topics, laws)
//! and of content/series/. Everything else under content/ is an asset, copied as it is.
//! Every mistake becomes a positioned [`Diagnostic`]; a file with errors yields no page, so
//! the rest of the site is still checked.

pub mod date;
pub mod frontmatter;
mod page;

pub use date::Date;
pub use page::{Column, ColumnSort, Details, Embed, Episode, Kind, Media, Month, Page};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub const CONTENT_DIR: &str = "content";

/// Everything a build works from: the configuration and every loaded content file.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// Every published page, ordered by path relative to content/.
    pub pages: Vec<Page>,
    /// Files copied as they are: paths relative to content/, with `/` separators.
    pub assets: BTreeSet<String>,
    /// The folders under content/ that are columns (栏目): each has an `_index.md`.
    pub columns: BTreeSet<String>,
    /// The JPEG and PNG files among `assets`, probed: published resized.
    pub pictures: crate::picture::Pictures,
    /// Published pages by their path relative to content/ (`articles/a.md`), for links.
    pub by_source: BTreeMap<String, usize>,
    /// Content paths of drafts left out of this build, so links to them can be explained.
    pub drafts: BTreeSet<String>,
    /// Items left out because their date has not come or their `expires` has passed, by
    /// content path, for the same reason.
    pub held: BTreeMap<String, Held>,
    pub today: Date,
    /// Every Markdown file as parsed, with its own diagnostics, by path relative to content/.
    files: BTreeMap<String, (Option<Page>, Diagnostics)>,
    /// Problems met walking content/.
    walk_diagnostics: Diagnostics,
}

/// Options that change what is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub drafts: bool,
    /// Publish items dated in the future too (`--future`).
    pub future: bool,
}

/// Why a finished item is not published now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Dated later: it appears on that date (定时发布).
    Scheduled(Date),
    /// Its `expires` has passed (已下线).
    Expired(Date),
}

impl Held {
    /// Why, as a reader of a message understands it.
    pub fn reason(&self) -> String {
        match self {
            Held::Scheduled(d) => format!("要到 {} 才发布", d.chinese_time()),
            Held::Expired(d) => format!("在 {} 之后已经下线", d.chinese_time()),
        }
    }
}

/// How many days ahead `pufa check` tells what will appear or be taken down.
pub const SCHEDULE_NOTICE_DAYS: i64 = 14;

/// URL paths that pufa generates itself; a page whose slug would take one is an error.
pub const RESERVED_PATHS: &[&str] = &[
    "articles/",
    "episodes/",
    "series/",
    "months/",
    "topics/",
    "laws/",
    "search/",
    "page/",
];

/// Loads every file under `root/content`.
pub fn load(root: &Path, config: Config, options: LoadOptions) -> (Site, Diagnostics) {
    let mut walk_diagnostics = Vec::new();
    let content = root.join(CONTENT_DIR);
    let (markdown, assets) = walk(root, &content, &mut walk_diagnostics);
    let columns = page::column_folders(&markdown);
    let (files, pictures) = rayon::join(
        || {
            markdown
                .par_iter()
                .map(|rel| {
                    (
                        rel.clone(),
                        parse_file(root, rel, &config, &assets, &columns),
                    )
                })
                .collect()
        },
        || crate::picture::Pictures::load(root, &assets),
    );
    let site = Site {
        root: root.to_path_buf(),
        config,
        pages: Vec::new(),
        assets,
        columns,
        pictures,
        by_source: BTreeMap::new(),
        drafts: BTreeSet::new(),
        held: BTreeMap::new(),
        today: Date::today(),
        files,
        walk_diagnostics,
    };
    site.assemble(options, Vec::new(), &[])
}

/// Reads and parses one Markdown file (a path relative to content/).
fn parse_file(
    root: &Path,
    rel: &str,
    config: &Config,
    assets: &BTreeSet<String>,
    columns: &BTreeSet<String>,
) -> (Option<Page>, Diagnostics) {
    let source = Path::new(CONTENT_DIR).join(rel);
    // Tests of `serve` need a rebuild that panics, which no input does any more: a debug
    // build panics on a file whose path contains this variable's value.
    #[cfg(debug_assertions)]
    if std::env::var("PUFA_TEST_PANIC").is_ok_and(|part| !part.is_empty() && rel.contains(&part)) {
        panic!("PUFA_TEST_PANIC: {rel}");
    }
    match crate::fs::read_text(&root.join(&source), &source) {
        Ok((text, removed)) => {
            let (page, mut found) = page::parse(rel, &source, text, config, assets, columns);
            found.extend(removed);
            (page, found)
        }
        Err(d) => (None, vec![d]),
    }
}

impl Site {
    /// Lets go of what only reading, checking and [`Site::reload`] need: every file as
    /// parsed and each page's source text. For a build that renders once: the sources are
    /// as large as the pages rendered from them. The site cannot be reloaded afterwards.
    pub fn forget_sources(&mut self) {
        self.files.clear();
        let empty: std::sync::Arc<str> = std::sync::Arc::from("");
        for page in &mut self.pages {
            page.text = empty.clone();
            page.body_offset = 0;
        }
    }

    /// Re-reads the Markdown files `changed` (paths relative to content/), keeping every
    /// other file as it was loaded: the same result as loading everything again, as long
    /// as nothing but these files changed.
    pub fn reload(mut self, changed: &[String], options: LoadOptions) -> (Site, Diagnostics) {
        for rel in changed {
            self.files.remove(rel);
            if self.root.join(CONTENT_DIR).join(rel).is_file() {
                let parsed = parse_file(&self.root, rel, &self.config, &self.assets, &self.columns);
                self.files.insert(rel.clone(), parsed);
            }
        }
        self.today = Date::today();
        let previous = std::mem::take(&mut self.pages);
        self.assemble(options, previous, changed)
    }

    /// Builds the page list from the parsed files and runs the checks across files. Pages
    /// of `previous` (the last list) whose files are not among `changed` are reused rather
    /// than copied again from the parsed files: they are the same.
    fn assemble(
        mut self,
        options: LoadOptions,
        previous: Vec<Page>,
        changed: &[String],
    ) -> (Site, Diagnostics) {
        let mut diagnostics = self.walk_diagnostics.clone();
        let mut pages = Vec::with_capacity(self.files.len());
        let mut drafts = BTreeSet::new();
        let mut held = BTreeMap::new();
        // Scheduled items: their addresses must be free on the day they appear.
        let mut upcoming: Vec<Page> = Vec::new();
        // Both lists are in content path order.
        let mut previous = previous.into_iter().peekable();
        // Pages whose own fields had errors take part in the cross-file checks below, but not
        // in the duplicate-URL check: a missing title or slug would only add confusing messages.
        let mut broken = BTreeSet::new();
        for (rel, (page, found)) in &self.files {
            diagnostics.extend(found.iter().cloned());
            let Some(page) = page else { continue };
            if page.draft && !options.drafts {
                drafts.insert(rel.clone());
                continue;
            }
            if let Some(why) = held_now(page, self.today, options.future) {
                diagnostics.extend(schedule_note(page, why, self.today));
                held.insert(rel.clone(), why);
                if matches!(why, Held::Scheduled(_)) && !crate::diagnostic::has_errors(found) {
                    upcoming.push(page.clone());
                }
                continue;
            }
            if let Some(expires) = page.expires {
                diagnostics.extend(schedule_note(page, Held::Expired(expires), self.today));
            }
            if crate::diagnostic::has_errors(found) {
                broken.insert(rel.clone());
            }
            while previous.next_if(|p| p.content_path < *rel).is_some() {}
            let kept = previous
                .next_if(|p| p.content_path == *rel)
                .filter(|_| !changed.contains(rel));
            pages.push(kept.unwrap_or_else(|| page.clone()));
        }
        // Every column's slug, published or not: a draft _index.md still names its folder.
        let slugs: std::collections::HashMap<String, String> = self
            .files
            .values()
            .filter_map(|(page, _)| page.as_ref())
            .filter(|p| p.kind == Kind::Column && !p.slug.is_empty())
            .filter_map(|p| Some((p.column.clone()?, p.slug.clone())))
            .collect();
        place_in_columns(&mut pages, &slugs);
        place_in_columns(&mut upcoming, &slugs);
        resolve_series(&mut pages, &mut diagnostics);
        check_topic_descriptions(&pages, &self.config, &mut diagnostics);
        let clean: Vec<&Page> = pages
            .iter()
            .filter(|p| !broken.contains(&p.content_path))
            .chain(&upcoming)
            .collect();
        check_duplicate_paths(&clean, &mut diagnostics);
        self.by_source = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.content_path.clone(), i))
            .collect();
        self.pages = pages;
        self.drafts = drafts;
        self.held = held;
        (self, diagnostics)
    }
}

/// Whether `page` is kept back at `now`: dated later (unless `future`), or expired.
fn held_now(page: &Page, now: Date, future: bool) -> Option<Held> {
    match (page.date, page.expires) {
        (Some(date), _) if date > now && !future => Some(Held::Scheduled(date)),
        (_, Some(expires)) if expires.expired_by(now) => Some(Held::Expired(expires)),
        _ => None,
    }
}

/// For `pufa check`: an item that will appear (soon, or on a date far off), or that is taken
/// down within [`SCHEDULE_NOTICE_DAYS`], as a note at its `date` (or `expires`) field.
fn schedule_note(page: &Page, what: Held, now: Date) -> Option<Diagnostic> {
    let horizon = now.days_later(SCHEDULE_NOTICE_DAYS);
    let (message, at) = match what {
        Held::Scheduled(date) if date <= horizon => (
            format!(
                "“{}”定时发布：{} 起出现在网站上",
                page.title,
                date.chinese_time()
            ),
            page.date_at,
        ),
        // Far off: more often a mistyped year than a plan.
        Held::Scheduled(date) => (
            format!(
                "“{}”的日期 {} 还没到，到那一天才出现在网站上；如果是写错了年份或月份，请改正",
                page.title,
                date.chinese_time()
            ),
            page.date_at,
        ),
        Held::Expired(expires) if !expires.expired_by(now) && expires.expired_by(horizon) => (
            format!(
                "“{}”将在 {} 之后下线（expires）",
                page.title,
                expires.chinese_time()
            ),
            page.expires_at,
        ),
        _ => return None,
    };
    let (line, column) = at.unwrap_or((1, 1));
    let suggestion = match what {
        Held::Scheduled(_) => {
            "定时发布要在那一天重新生成网站才生效，每天自动生成的办法见 docs/schedule.md；用 pufa check --future 可以先检查定时文章的内容"
        }
        Held::Expired(_) => {
            "下线要在那一天重新生成网站才生效；每天自动生成的办法见 docs/schedule.md"
        }
    };
    Some(
        Diagnostic::note("content/schedule", message)
            .in_file(&page.source)
            .at(line, column)
            .with_suggestion(suggestion),
    )
}

/// Lists content/ in sorted order ([`crate::fs::site_files`]): Markdown files and assets,
/// both relative to content/.
fn walk(
    root: &Path,
    content: &Path,
    diagnostics: &mut Diagnostics,
) -> (Vec<String>, BTreeSet<String>) {
    if !content.is_dir() {
        diagnostics.push(
            Diagnostic::warning("content/missing", "没有 content 文件夹，网站只有空的首页")
                .with_suggestion("在网站文件夹里新建 content/articles/，把文章放进去"),
        );
        return (Vec::new(), BTreeSet::new());
    }
    let (markdown, assets) = crate::fs::site_files(content, root, diagnostics)
        .into_iter()
        .partition(|rel| rel.ends_with(".md"));
    (markdown, assets.into_iter().collect())
}

/// Resolves a path written in `file` (a path relative to content/) the way an editor's
/// preview does: relative to the file's folder, or from content/ when it starts with `/`.
/// Returns a normalised path relative to content/, or `None` when it leaves content/.
pub fn resolve_path(file: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let target = if let Some(absolute) = target.strip_prefix('/') {
        absolute
    } else {
        if let Some((dir, _)) = file.rsplit_once('/') {
            parts.extend(dir.split('/'));
        }
        target
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Puts columns and their items at their addresses: a column under its parent's address, by
/// its own slug (its folder's name in pinyin, or `slug:` in its `_index.md`); an item under
/// its column's address, by its slug.
fn place_in_columns(pages: &mut [Page], slugs: &std::collections::HashMap<String, String>) {
    let address = |folder: &str| -> String {
        let mut path = String::new();
        let mut end = 0;
        for part in folder.split('/') {
            end += part.len();
            let segment = slugs
                .get(&folder[..end])
                .cloned()
                .unwrap_or_else(|| crate::url::slugify(part));
            end += 1;
            if !segment.is_empty() {
                path.push_str(&segment);
                path.push('/');
            }
        }
        path
    };
    for page in pages.iter_mut() {
        let Some(folder) = &page.column else { continue };
        // An empty slug has its error already.
        if page.slug.is_empty() {
            continue;
        }
        page.path = match page.kind {
            Kind::Column => address(folder),
            _ => format!("{}{}/", address(folder), page.slug),
        };
    }
}

/// Links each episode to its series (named by the series' title or file name).
fn resolve_series(pages: &mut [Page], diagnostics: &mut Diagnostics) {
    let series: Vec<(String, String, String)> = pages
        .iter()
        .filter(|p| p.kind == Kind::Series)
        .map(|p| {
            let stem = file_stem(&p.content_path).to_string();
            (p.title.clone(), stem, p.slug.clone())
        })
        .collect();
    for page in pages.iter_mut() {
        let source = page.source.clone();
        let Details::Episode(episode) = &mut page.details else {
            continue;
        };
        let Some(wanted) = &episode.series_name else {
            continue;
        };
        let found = series
            .iter()
            .find(|(title, stem, _)| *title == wanted.text || *stem == wanted.text);
        match found {
            Some((_, _, slug)) => episode.series = Some(slug.clone()),
            None => {
                let mut d = Diagnostic::error(
                    "front-matter/unknown-series",
                    format!("没有名为“{}”的视频系列", wanted.text),
                )
                .in_file(&source)
                .at(wanted.line, wanted.column);
                let names = series.iter().map(|(t, _, _)| t.as_str());
                d = match nearest(&wanted.text, names) {
                    Some(near) => d.with_suggestion(format!("是不是“{near}”？")),
                    None => d.with_suggestion(
                        "系列由 content/series/ 里的文件声明，先在那里新建这个系列的文件",
                    ),
                };
                diagnostics.push(d);
            }
        }
    }
}

fn check_topic_descriptions(pages: &[Page], config: &Config, diagnostics: &mut Diagnostics) {
    for page in pages.iter().filter(|p| p.kind == Kind::Topic) {
        if config.topics.iter().any(|t| t.slug == page.slug) {
            continue;
        }
        let stem = file_stem(&page.content_path);
        let mut d = Diagnostic::error(
            "content/unknown-topic-file",
            format!("专题说明文件“{stem}”对应的专题没有在 site.yaml 的 topics 中声明"),
        )
        .in_file(&page.source);
        if let Some(near) = nearest(stem, config.topics.iter().map(|t| t.name.as_str())) {
            d = d.with_suggestion(format!("是不是“{near}”？文件名要与专题名称相同"));
        }
        diagnostics.push(d);
    }
}

/// Two pages on one URL would overwrite each other: report both files.
fn check_duplicate_paths(pages: &[&Page], diagnostics: &mut Diagnostics) {
    let mut taken: BTreeMap<&str, &Page> = BTreeMap::new();
    for &page in pages {
        if matches!(page.kind, Kind::Page | Kind::Column)
            && RESERVED_PATHS.contains(&page.path.as_str())
        {
            diagnostics.push(
                Diagnostic::error(
                    "content/reserved-url",
                    format!(
                        "网址 /{} 是 pufa 自己生成的页面（文章列表、专题、搜索等）的网址",
                        page.path
                    ),
                )
                .in_file(&page.source)
                .at(page.url_at.0, page.url_at.1)
                .with_suggestion("在 front matter 中用 slug 换一个网址"),
            );
            continue;
        }
        let mut paths = vec![page.path.as_str()];
        paths.extend(page.aliases.iter().map(String::as_str));
        for path in paths {
            if let Some(other) = taken.get(path) {
                diagnostics.push(
                    Diagnostic::error(
                        "content/duplicate-url",
                        format!(
                            "“{}”的网址 /{path} 与 {} 相同，两个页面不能共用一个网址",
                            page.title,
                            crate::fs::shown(&other.source)
                        ),
                    )
                    .in_file(&page.source)
                    .at(page.url_at.0, page.url_at.1)
                    .with_suggestion("改一个文件名，或在 front matter 中写不同的 slug"),
                );
            } else {
                taken.insert(path, page);
            }
        }
    }
}

pub(crate) fn file_stem(content_path: &str) -> &str {
    let name = content_path.rsplit('/').next().unwrap_or(content_path);
    name.strip_suffix(".md").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_paths_like_an_editor() {
        let cases = [
            ("articles/a.md", "img/x.png", Some("articles/img/x.png")),
            ("articles/a.md", "./x.png", Some("articles/x.png")),
            ("articles/sub/a.md", "../b.md", Some("articles/b.md")),
            ("articles/a.md", "/media/ep.mp4", Some("media/ep.mp4")),
            ("a.md", "x.png", Some("x.png")),
            ("articles/a.md", "../../x.png", None),
        ];
        for (file, target, expected) in cases {
            assert_eq!(resolve_path(file, target).as_deref(), expected, "{target}");
        }
    }
}

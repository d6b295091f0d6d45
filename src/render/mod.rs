//! Pages → files: the list of everything a build writes, and Tera rendering of each.
//!
//! [`jobs`] decides every output path from the site model and taxonomies; [`Renderer`]
//! turns one job into bytes. Rendering a job reads shared data only, so jobs run in parallel.
//! The `site` value that every template gets is the same for all pages at the same folder
//! depth (its links are relative), so it is converted to a Tera value once per depth and
//! shared, instead of once per page.

pub mod context;
mod qr;

use crate::content::Kind;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::theme::Theme;
use crate::url;
use context::{DateView, SiteData};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use tera::{Context, Tera};

/// Makes links relative to one page, or, for a page served at addresses of its own choosing
/// (404.html), from the site's root path.
pub struct Linker {
    from: String,
    offline: bool,
    /// The site's path on its host (`/`, `/pufa/`): links start with it.
    root: Option<String>,
}

impl Linker {
    pub fn new(from: &str, offline: bool) -> Linker {
        Linker {
            from: from.to_string(),
            offline,
            root: None,
        }
    }

    /// Links for a page served at any address of the site: `root` (`/`, `/pufa/`) and the
    /// path, on whatever host serves it.
    pub fn rooted(root: &str) -> Linker {
        Linker {
            from: String::new(),
            offline: false,
            root: Some(root.to_string()),
        }
    }

    /// Link to a page (a folder path): ends in `index.html` when offline.
    pub fn to(&self, path: &str) -> String {
        match &self.root {
            Some(root) => format!("{root}{path}"),
            None => url::relative(&self.from, path, self.offline),
        }
    }

    /// Link to a file, such as a stylesheet or an image.
    pub fn file(&self, path: &str) -> String {
        match &self.root {
            Some(root) => format!("{root}{path}"),
            None => url::relative(&self.from, path, false),
        }
    }
}

/// The templates, parsed once.
pub struct Engine {
    tera: Tera,
    shown: HashMap<String, String>,
    /// `site` as shortcode templates see it: the site's title and `extra`.
    shortcode_site: tera::Value,
}

impl Engine {
    /// Parses the theme's templates. `site_title` and `extra` are what shortcodes see as
    /// `site.title` and `site.extra`.
    pub fn new(
        theme: &Theme,
        site_title: &str,
        extra: &serde_json::Value,
    ) -> Result<Engine, Diagnostics> {
        let mut tera = Tera::new();
        let shown: HashMap<String, String> = theme
            .templates
            .iter()
            .map(|t| (t.name.clone(), t.shown.clone()))
            .collect();
        let sources = theme
            .templates
            .iter()
            .map(|t| (t.name.as_str(), t.source.as_ref()));
        tera.register_function("picture", picture_function);
        tera.add_raw_templates(sources)
            .map_err(|e| vec![template_error(&e, &shown)])?;
        let shortcode_site = tera::Value::from_serializable(
            &serde_json::json!({ "title": site_title, "extra": extra }),
        );
        Ok(Engine {
            tera,
            shown,
            shortcode_site,
        })
    }

    /// The theme's page templates (not partials or shortcodes), for messages.
    pub fn page_templates(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tera
            .get_template_names()
            .filter(|t| t.ends_with(".html") && !t.contains('/'))
            .map(str::to_string)
            .collect();
        names.sort();
        names
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Renders a page into bytes: Tera writes valid UTF-8, and going through `String` would
    /// check every page's bytes again.
    fn render(&self, template: &str, context: &Context) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(template, context, &mut out)
            .map_err(|e| template_error(&e, &self.shown))?;
        Ok(out)
    }
}

impl crate::markdown::Shortcodes for Engine {
    fn exists(&self, name: &str) -> bool {
        self.tera
            .contains_template(&format!("shortcodes/{name}.html"))
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tera
            .get_template_names()
            .filter_map(|t| t.strip_prefix("shortcodes/")?.strip_suffix(".html"))
            .map(str::to_string)
            .collect();
        names.sort();
        names
    }

    fn render(
        &self,
        name: &str,
        args: serde_json::Map<String, serde_json::Value>,
        body: Option<&str>,
    ) -> Result<String, String> {
        let mut context = Context::new();
        context.insert_value("site", self.shortcode_site.clone());
        for (key, value) in args {
            context.insert(key, &value);
        }
        if let Some(body) = body {
            context.insert_value("body", tera::Value::safe_string(body));
        }
        let template = format!("shortcodes/{name}.html");
        self.tera
            .render(&template, &context)
            .map_err(|e| match e.kind() {
                tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                    let message = translate(report.message());
                    // Tera's own messages are ASCII: say where in the template they arose. A
                    // shortcode's `throw(message=…)` explains itself.
                    if report.message().is_ascii() {
                        let file = self
                            .shown
                            .get(report.filename())
                            .map_or(report.filename(), String::as_str);
                        format!("{message}（{file}:{}）", report.span().start_line)
                    } else {
                        message
                    }
                }
                _ => template_error(&e, &self.shown).message,
            })
    }
}

/// Turns Tera's error into a Chinese diagnostic at the template's file, line and column.
fn template_error(err: &tera::Error, shown: &HashMap<String, String>) -> Diagnostic {
    let file_of = |name: &str| shown.get(name).cloned().unwrap_or_else(|| name.to_string());
    match err.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            let what = if matches!(err.kind(), tera::ErrorKind::SyntaxError(_)) {
                "模板语法错误"
            } else {
                "模板渲染出错"
            };
            Diagnostic::error(
                "template/error",
                format!("{what}：{}", translate(report.message())),
            )
            .in_file(file_of(report.filename()))
            .at(span.start_line, span.start_col + 1)
        }
        tera::ErrorKind::TemplateNotFound(name) => {
            Diagnostic::error("template/missing", format!("找不到模板“{name}”"))
                .with_suggestion("检查 extends 和 include 中写的模板文件名")
        }
        tera::ErrorKind::MissingParent { current, parent } => Diagnostic::error(
            "template/missing-parent",
            format!("模板继承的“{parent}”不存在"),
        )
        .in_file(file_of(current)),
        tera::ErrorKind::CircularExtend { tpl, .. } => {
            Diagnostic::error("template/circular", "模板的 extends 形成了循环")
                .in_file(file_of(tpl))
        }
        tera::ErrorKind::Msg(report) => match first_report(report) {
            // Tera checks every template's filters, tests and blocks when they are added, and
            // hands back its reports as text: `error: …` then ` --> name:line:column`.
            Some((message, name, line, column)) => Diagnostic::error(
                "template/error",
                format!("模板出错：{}", translate(message)),
            )
            .in_file(file_of(name))
            .at(line, column),
            None => Diagnostic::error("template/error", format!("模板出错：{}", translate(report))),
        },
        other => Diagnostic::error(
            "template/error",
            format!("模板出错：{}", translate(&other.to_string())),
        ),
    }
}

/// The message and place of the first report in Tera's text of several.
fn first_report(text: &str) -> Option<(&str, &str, usize, usize)> {
    let mut lines = text.lines();
    let message = lines.find_map(|l| l.trim().strip_prefix("error: "))?;
    let place = lines.find_map(|l| l.trim().strip_prefix("--> "))?;
    let mut parts = place.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((message, parts.next()?, line, column))
}

/// The common Tera messages in Chinese; others keep Tera's wording after a Chinese lead.
fn translate(message: &str) -> String {
    let (main, available) = match message.split_once(" Available ") {
        Some((m, a)) => (m, a.split_once(": ").map(|(_, list)| list)),
        None => (message, None),
    };
    let quoted = main.split('`').nth(1).unwrap_or("");
    let mut text = if main.starts_with("Unknown filter `") {
        format!("没有名为“{quoted}”的过滤器")
    } else if main.starts_with("Unknown test `") {
        format!("没有名为“{quoted}”的测试")
    } else if main.starts_with("Unknown function `") {
        format!("没有名为“{quoted}”的函数")
    } else if main.starts_with("Block `") && main.ends_with("is not defined in any parent template")
    {
        format!("父模板中没有名为“{quoted}”的 block，这里的内容不会显示")
    } else if main.starts_with("Function `range` would produce ") {
        "range 要生成的数字太多，超过了 Tera 允许的上限".to_string()
    } else if main.starts_with("Variable `") && main.ends_with("is not defined.") {
        format!("变量“{quoted}”没有定义")
    } else if main.starts_with("Field `") && main.ends_with("is not defined.") {
        format!("字段“{quoted}”没有定义")
    } else if let Some(rest) = main.strip_prefix("Found ") {
        match rest.split_once(" but expected ") {
            Some((found, expected)) => format!(
                "这里出现了 {found}，应当是 {}",
                expected
                    .trim_end_matches('.')
                    .replace("one of: ", "以下之一：")
            ),
            None => main.to_string(),
        }
    } else {
        main.to_string()
    };
    if let Some(list) = available {
        text.push_str(&format!("（可用的有：{list}）"));
    }
    text
}

/// One file the build writes.
#[derive(Debug, Clone)]
pub enum Job {
    /// An article, episode, series or standalone page (index into the pages).
    Content(usize),
    Home,
    /// Page `number` of the article or episode list.
    List {
        episodes: bool,
        number: usize,
    },
    Terms,
    Term {
        topic: usize,
        number: usize,
    },
    Months,
    Month(usize),
    Laws,
    Law {
        law: usize,
        number: usize,
    },
    NotFound,
    /// The search page.
    Search,
    /// Page `number` of a column's list (an index into the columns).
    Column {
        column: usize,
        number: usize,
    },
    /// A column's feed.
    ColumnFeed(usize),
    /// The site feed, or a topic's.
    Feed(Option<usize>),
    Sitemap,
    Robots,
    /// A redirect from an alias to a page.
    Alias(usize),
}

impl Job {
    /// What the job makes, in Chinese, for messages.
    pub fn label(&self) -> &'static str {
        match self {
            Job::Content(_) => "页面",
            Job::Home => "首页",
            Job::List {
                episodes: false, ..
            } => "文章列表",
            Job::List { episodes: true, .. } => "视频列表",
            Job::Terms => "专题总览",
            Job::Term { .. } => "专题页",
            Job::Months => "一月一主题总览",
            Job::Month(_) => "主题月页",
            Job::Laws => "法律法规总览",
            Job::Law { .. } => "法律页",
            Job::NotFound => "404 页面",
            Job::Search => "搜索页",
            Job::Feed(None) => "订阅 feed.xml",
            Job::Feed(Some(_)) => "专题订阅",
            Job::Column { .. } => "栏目页",
            Job::ColumnFeed(_) => "栏目订阅",
            Job::Sitemap => "网站地图",
            Job::Robots => "robots.txt",
            Job::Alias(_) => "别名跳转页",
        }
    }
}

/// Every output path and what renders it, in a stable order.
pub fn jobs(data: &SiteData) -> Vec<(String, Job)> {
    let tax = data.tax;
    let per_page = data.config.paginate;
    let has_base = data.config.base_url.is_some();
    let mut jobs = vec![("".to_string(), Job::Home)];
    for (i, page) in data.pages.iter().enumerate() {
        if matches!(page.kind, Kind::Article | Kind::Episode | Kind::Page)
            || (page.kind == Kind::Series && tax.series.iter().any(|s| s.page == i))
        {
            jobs.push((page.path.clone(), Job::Content(i)));
        }
        for alias in &page.aliases {
            jobs.push((alias.clone(), Job::Alias(i)));
        }
    }
    for (episodes, list, base) in [
        (false, &tax.articles, "articles/"),
        (true, &tax.episodes, "episodes/"),
    ] {
        if list.is_empty() {
            continue;
        }
        for number in 1..=crate::taxonomy::page_count(list.len(), per_page) {
            jobs.push((
                crate::taxonomy::pager_path(base, number),
                Job::List { episodes, number },
            ));
        }
    }
    for (column, entry) in tax.columns.iter().enumerate() {
        let base = &data.pages[entry.page].path;
        let per_page = column_paginate(data, column);
        for number in 1..=crate::taxonomy::page_count(entry.items.len(), per_page) {
            jobs.push((
                crate::taxonomy::pager_path(base, number),
                Job::Column { column, number },
            ));
        }
        if has_base {
            jobs.push((format!("{base}feed.xml"), Job::ColumnFeed(column)));
        }
    }
    if !tax.topics.is_empty() {
        jobs.push(("topics/".into(), Job::Terms));
    }
    for (topic, term) in tax.topics.iter().enumerate() {
        let base = format!("topics/{}/", term.slug);
        for number in 1..=crate::taxonomy::page_count(term.pages.len(), per_page) {
            jobs.push((
                crate::taxonomy::pager_path(&base, number),
                Job::Term { topic, number },
            ));
        }
        if has_base {
            jobs.push((format!("{base}feed.xml"), Job::Feed(Some(topic))));
        }
    }
    if !tax.months.is_empty() {
        jobs.push(("months/".into(), Job::Months));
    }
    for (m, month) in tax.months.iter().enumerate() {
        jobs.push((format!("months/{}/", month.key), Job::Month(m)));
    }
    if !tax.laws.is_empty() {
        jobs.push(("laws/".into(), Job::Laws));
    }
    for (law, entry) in tax.laws.iter().enumerate() {
        let base = format!("laws/{}/", data.config.laws[entry.law].slug);
        for number in 1..=crate::taxonomy::page_count(entry.pages.len(), per_page) {
            jobs.push((
                crate::taxonomy::pager_path(&base, number),
                Job::Law { law, number },
            ));
        }
    }
    jobs.push(("search/".into(), Job::Search));
    jobs.push(("404.html".into(), Job::NotFound));
    jobs.push(("robots.txt".into(), Job::Robots));
    if has_base {
        jobs.push(("feed.xml".into(), Job::Feed(None)));
        jobs.push(("sitemap.xml".into(), Job::Sitemap));
    }
    jobs
}

/// The path of the site on its host: `/pufa/` for `https://example.org/pufa/`, `/` without
/// a base_url (the preview serves at the root).
fn root_path(base_url: Option<&str>) -> String {
    let path = base_url
        .and_then(|b| b.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

/// Items a page of column `column`'s list shows: its `paginate`, else the site's.
pub fn column_paginate(data: &SiteData, column: usize) -> usize {
    match &data.pages[data.tax.columns[column].page].details {
        crate::content::Details::Column(c) => c.paginate.unwrap_or(data.config.paginate),
        _ => data.config.paginate,
    }
}

/// The pages whose content a job's output shows (beyond the site-wide lists every page gets
/// in `site`): when none of them changed, nor the site-wide lists, the output is the same.
/// Must follow what [`Renderer::render`] reads; `pufa serve` re-renders by it, and its test
/// compares served pages with built ones after random edits.
pub fn job_pages(data: &SiteData, job: &Job) -> Vec<usize> {
    let tax = data.tax;
    let per_page = data.config.paginate;
    let page_of = |items: &[usize], number: usize| -> Vec<usize> {
        items
            .iter()
            .skip((number - 1) * per_page)
            .take(per_page)
            .copied()
            .collect()
    };
    // An item in a list also shows its series' title.
    let with_series = |items: Vec<usize>| -> Vec<usize> {
        let mut out = items.clone();
        for &i in &items {
            if let Some(slug) = data.pages[i].episode().and_then(|e| e.series.as_ref()) {
                out.extend(
                    tax.series
                        .iter()
                        .map(|s| s.page)
                        .filter(|&s| &data.pages[s].slug == slug),
                );
            }
        }
        out
    };
    let month_file = |i: usize| -> Option<usize> {
        let key = data.pages[i].month_key()?;
        tax.months
            .iter()
            .find(|m| m.key == key)
            .and_then(|m| m.page)
    };
    match job {
        Job::Content(i) => {
            let mut deps = vec![*i];
            deps.extend(month_file(*i));
            // The columns its breadcrumbs name.
            if let Some(column) = data.pages[*i]
                .column
                .as_deref()
                .and_then(|f| tax.column_of(data.pages, f))
            {
                deps.extend(
                    tax.column_chain(column)
                        .iter()
                        .map(|&c| tax.columns[c].page),
                );
            }
            if let Some((previous, next)) = tax.neighbours.get(i) {
                deps.extend(previous.iter().chain(next));
            }
            if let Some(s) = tax.series.iter().find(|s| s.page == *i) {
                deps.extend(with_series(s.episodes.clone()));
            }
            with_series(deps)
        }
        Job::Home => {
            let mut deps: Vec<usize> = data
                .pages
                .iter()
                .position(|p| p.kind == Kind::Home)
                .into_iter()
                .collect();
            deps.extend(tax.months.iter().filter_map(|m| m.page));
            deps.extend(tax.articles.iter().take(HOME_ARTICLES));
            deps.extend(tax.episodes.iter().take(HOME_EPISODES));
            deps.extend(picture_news(data));
            for column in tax.columns.iter().filter(|c| c.parent.is_none()) {
                deps.push(column.page);
                deps.extend(column.items.iter().take(HOME_COLUMN_ITEMS));
            }
            with_series(deps)
        }
        Job::List { episodes, number } => {
            let list = if *episodes {
                &tax.episodes
            } else {
                &tax.articles
            };
            with_series(page_of(list, *number))
        }
        Job::Terms => tax.topics.iter().filter_map(|t| t.description).collect(),
        Job::Term { topic, number } => {
            let term = &tax.topics[*topic];
            let mut deps = with_series(page_of(&term.pages, *number));
            deps.extend(term.description);
            deps
        }
        Job::Months => tax.months.iter().filter_map(|m| m.page).collect(),
        Job::Month(m) => {
            let entry = &tax.months[*m];
            let mut deps = with_series(entry.items.clone());
            deps.extend(entry.page);
            deps
        }
        Job::Law { law, number } => with_series(page_of(&tax.laws[*law].pages, *number)),
        Job::Column { column, number } => {
            let entry = &tax.columns[*column];
            let per_page = column_paginate(data, *column);
            let mut deps: Vec<usize> = entry
                .items
                .iter()
                .skip((number - 1) * per_page)
                .take(per_page)
                .copied()
                .collect();
            // Its own text, its breadcrumbs and the columns inside it.
            deps.push(entry.page);
            deps.extend(
                tax.column_chain(*column)
                    .iter()
                    .map(|&c| tax.columns[c].page),
            );
            deps.extend(entry.children.iter().map(|&c| tax.columns[c].page));
            deps
        }
        Job::ColumnFeed(column) => {
            let entry = &tax.columns[*column];
            let mut items = entry.items.clone();
            items.sort_by(|&a, &b| crate::taxonomy::newest_first(data.pages, a, b));
            items.truncate(FEED_ENTRIES);
            items.push(entry.page);
            items
        }
        Job::Feed(topic) => {
            let mut items: Vec<usize> = match topic {
                Some(t) => tax.topics[*t].pages.clone(),
                None => tax.articles.iter().chain(&tax.episodes).copied().collect(),
            };
            items.sort_by(|&a, &b| crate::taxonomy::newest_first(data.pages, a, b));
            items.truncate(FEED_ENTRIES);
            items
        }
        Job::Alias(i) => vec![*i],
        // The sitemap shows every page's address and date, which `site_addresses` covers.
        Job::Sitemap | Job::Laws | Job::NotFound | Job::Search | Job::Robots => Vec::new(),
    }
}

/// Every page's address and date, one line each: what the sitemap shows, and what a page
/// that lists none of the changed pages can still show of them.
pub fn site_addresses(data: &SiteData) -> String {
    let mut out = String::new();
    for p in data.pages {
        out.push_str(&p.path);
        out.push(' ');
        if let Some(date) = p.modified() {
            out.push_str(&date.rfc3339());
        }
        out.push('\n');
    }
    out
}

/// Renders jobs; shared by every thread of a build.
pub struct Renderer<'a> {
    engine: &'a Engine,
    data: SiteData<'a>,
    /// The `site` value by folder depth.
    site_values: Vec<OnceLock<tera::Value>>,
    /// Each list item's [`ItemView`] value, converted once: a large site's lists show each
    /// item several times (its section, topics, month, laws).
    item_values: Vec<OnceLock<tera::Value>>,
}

/// How many newest items the home page and feeds show.
const HOME_ARTICLES: usize = 10;
const HOME_EPISODES: usize = 6;
/// Items of each top-level column on the home page.
const HOME_COLUMN_ITEMS: usize = 6;
/// Pictures in the home page's 图片新闻 strip.
const HOME_PICTURES: usize = 4;
const FEED_ENTRIES: usize = 20;

/// The newest articles with a cover, for the home page's 图片新闻.
fn picture_news(d: &SiteData) -> Vec<usize> {
    d.tax
        .articles
        .iter()
        .copied()
        .filter(|&i| d.pages[i].cover.is_some())
        .take(HOME_PICTURES)
        .collect()
}

impl<'a> Renderer<'a> {
    pub fn new(engine: &'a Engine, data: SiteData<'a>) -> Renderer<'a> {
        Renderer {
            engine,
            site_values: (0..8).map(|_| OnceLock::new()).collect(),
            item_values: (0..data.pages.len()).map(|_| OnceLock::new()).collect(),
            data,
        }
    }

    fn site_value(&self, link: &Linker) -> tera::Value {
        let depth = link.from.matches('/').count();
        let make = || tera::Value::from_serializable(&self.data.site_view(link));
        if link.root.is_some() {
            return make();
        }
        match self.site_values.get(depth) {
            Some(cell) => cell.get_or_init(make).clone(),
            None => make(),
        }
    }

    /// Item `i` as a list on the page of `link` shows it: the shared value with this
    /// page's links added.
    fn item_value(&self, link: &Linker, i: usize) -> tera::Value {
        let shared = self.item_values[i]
            .get_or_init(|| tera::Value::from_serializable(&self.data.item_view(i)));
        let mut item = shared.as_map().cloned().unwrap_or_default();
        let links = self.data.item_links(link, i);
        item.insert("url".into(), links.url.into());
        item.insert(
            "cover".into(),
            links
                .cover
                .map_or_else(tera::Value::none, tera::Value::from),
        );
        item.insert(
            "cover_image".into(),
            links
                .cover_image
                .map_or_else(tera::Value::none, |v| tera::Value::from_serializable(&v)),
        );
        item.insert(
            "topics".into(),
            tera::Value::from_serializable(&links.topics),
        );
        item.into()
    }

    fn context(&self, link: &Linker) -> Context {
        let mut context = Context::new();
        context.insert_value("site", self.site_value(link));
        context
    }

    /// Renders the job for output `path`.
    pub fn render(&self, path: &str, job: &Job) -> Result<Vec<u8>, Diagnostic> {
        let d = &self.data;
        // The 404 page is served at the missing address, at any depth: its links start
        // from the site's path on the host (none when opened from disk).
        let link = match job {
            Job::NotFound if !d.offline => Linker::rooted(&root_path(d.config.base_url.as_deref())),
            _ => Linker::new(path, d.offline),
        };
        let mut cx = self.context(&link);
        let template = match job {
            Job::Content(i) => {
                let page = &d.pages[*i];
                cx.insert("page", &d.page_view(&link, *i));
                match page.kind {
                    Kind::Article => "article.html",
                    Kind::Episode => "episode.html",
                    Kind::Series => {
                        let entry = d.tax.series.iter().find(|s| s.page == *i);
                        let episodes: Vec<tera::Value> = entry
                            .map(|s| {
                                s.episodes
                                    .iter()
                                    .map(|&e| self.item_value(&link, e))
                                    .collect()
                            })
                            .unwrap_or_default();
                        cx.insert("episodes", &episodes);
                        "series.html"
                    }
                    _ => "page.html",
                }
            }
            Job::Home => {
                let page = match d.pages.iter().position(|p| p.kind == Kind::Home) {
                    Some(i) => d.page_view(&link, i),
                    None => d.section_page(&link, &d.config.title, "home", ""),
                };
                cx.insert("page", &page);
                let this_month = d.today.month_key();
                let current = d
                    .tax
                    .months
                    .iter()
                    .find(|m| m.page.is_some() && m.key <= this_month)
                    .map(|m| d.month_view(&link, m));
                cx.insert("current_month", &current);
                let latest = |list: &[usize], n: usize| -> Vec<tera::Value> {
                    list.iter()
                        .take(n)
                        .map(|&i| self.item_value(&link, i))
                        .collect()
                };
                cx.insert("latest_articles", &latest(&d.tax.articles, HOME_ARTICLES));
                cx.insert("latest_episodes", &latest(&d.tax.episodes, HOME_EPISODES));
                let columns: Vec<context::HomeColumn> = d
                    .tax
                    .columns
                    .iter()
                    .filter(|c| c.parent.is_none() && !c.items.is_empty())
                    .map(|c| context::HomeColumn {
                        title: d.pages[c.page].title.clone(),
                        url: link.to(&d.pages[c.page].path),
                        items: latest(&c.items, HOME_COLUMN_ITEMS),
                    })
                    .collect();
                cx.insert("home_columns", &columns);
                cx.insert("picture_news", &latest(&picture_news(d), HOME_PICTURES));
                "index.html"
            }
            Job::List { episodes, number } => {
                let (title, section, list, base) = if *episodes {
                    ("普法视频", "episodes", &d.tax.episodes, "episodes/")
                } else {
                    ("普法文章", "articles", &d.tax.articles, "articles/")
                };
                cx.insert("page", &d.section_page(&link, title, section, base));
                cx.insert(
                    "paginator",
                    &d.paginator(&link, list, base, *number, &|i| self.item_value(&link, i)),
                );
                "list.html"
            }
            Job::Terms => {
                cx.insert("page", &d.section_page(&link, "专题", "topics", "topics/"));
                let terms: Vec<_> = (0..d.tax.topics.len())
                    .map(|t| d.term_view(&link, t))
                    .collect();
                cx.insert("terms", &terms);
                "terms.html"
            }
            Job::Term { topic, number } => {
                let term = &d.tax.topics[*topic];
                let base = format!("topics/{}/", term.slug);
                let mut page = match term.description {
                    Some(i) => d.page_view(&link, i),
                    None => d.section_page(&link, &term.name, "topics", &base),
                };
                page.url = link.to(&base);
                page.permalink = d.permalink(&base);
                cx.insert("page", &page);
                cx.insert("term", &d.term_view(&link, *topic));
                cx.insert(
                    "paginator",
                    &d.paginator(&link, &term.pages, &base, *number, &|i| {
                        self.item_value(&link, i)
                    }),
                );
                "term.html"
            }
            Job::Months => {
                cx.insert(
                    "page",
                    &d.section_page(&link, "一月一主题", "months", "months/"),
                );
                cx.insert("years", &d.years(&link));
                "months.html"
            }
            Job::Month(m) => {
                let entry = &d.tax.months[*m];
                let view = d.month_view(&link, entry);
                let path = format!("months/{}/", entry.key);
                let page = match entry.page {
                    Some(i) => d.page_view(&link, i),
                    None => d.section_page(&link, &view.label, "months", &path),
                };
                cx.insert("page", &page);
                cx.insert("month", &view);
                let of = |kind: Kind| -> Vec<tera::Value> {
                    entry
                        .items
                        .iter()
                        .filter(|&&i| d.pages[i].kind == kind)
                        .map(|&i| self.item_value(&link, i))
                        .collect()
                };
                cx.insert("articles", &of(Kind::Article));
                cx.insert("episodes", &of(Kind::Episode));
                "month.html"
            }
            Job::Laws => {
                cx.insert("page", &d.section_page(&link, "法律法规", "laws", "laws/"));
                let laws: Vec<_> = (0..d.tax.laws.len())
                    .map(|l| d.law_view(&link, l))
                    .collect();
                cx.insert("laws", &laws);
                "laws.html"
            }
            Job::Law { law, number } => {
                let entry = &d.tax.laws[*law];
                let view = d.law_view(&link, *law);
                let base = format!("laws/{}/", view.slug);
                cx.insert(
                    "page",
                    &d.section_page(&link, &view.full_name, "laws", &base),
                );
                cx.insert(
                    "paginator",
                    &d.paginator(&link, &entry.pages, &base, *number, &|i| {
                        self.item_value(&link, i)
                    }),
                );
                cx.insert("law", &view);
                "law.html"
            }
            Job::Search => {
                cx.insert("page", &d.section_page(&link, "搜索", "search", "search/"));
                cx.insert(
                    "search_index",
                    &format!("{}/", crate::search::DIR.trim_start_matches("search/")),
                );
                "search.html"
            }
            Job::NotFound => {
                let mut page = d.section_page(&link, "页面不存在", "404", "404.html");
                page.permalink = None;
                cx.insert("page", &page);
                "404.html"
            }
            Job::Feed(topic) => {
                cx.insert("feed", &self.feed(*topic, None));
                "feed.xml"
            }
            Job::ColumnFeed(column) => {
                cx.insert("feed", &self.feed(None, Some(*column)));
                "feed.xml"
            }
            Job::Column { column, number } => {
                let entry = &d.tax.columns[*column];
                let base = d.pages[entry.page].path.clone();
                let mut page = d.page_view(&link, entry.page);
                page.url = link.to(&base);
                cx.insert("page", &page);
                cx.insert("column", &d.column_view(&link, *column));
                cx.insert(
                    "paginator",
                    &d.paginator_of(
                        &link,
                        &entry.items,
                        &base,
                        *number,
                        column_paginate(d, *column),
                        &|i| self.item_value(&link, i),
                    ),
                );
                match &d.pages[entry.page].details {
                    crate::content::Details::Column(crate::content::Column {
                        template: Some((name, _, _)),
                        ..
                    }) => name.as_str(),
                    _ => "list.html",
                }
            }
            Job::Sitemap => {
                cx.insert("entries", &self.sitemap());
                "sitemap.xml"
            }
            Job::Robots => return Ok(self.robots().into_bytes()),
            Job::Alias(i) => return Ok(redirect(&link.to(&d.pages[*i].path)).into_bytes()),
        };
        self.engine.render(template, &cx)
    }

    /// The site feed (`None`), a topic's, or with `column`, that column's.
    fn feed(&self, topic: Option<usize>, column: Option<usize>) -> FeedView {
        let d = &self.data;
        let base = d.config.base_url.clone().unwrap_or_default();
        let (title, path, mut items): (String, String, Vec<usize>) = match (topic, column) {
            (_, Some(c)) => {
                let entry = &d.tax.columns[c];
                let page = &d.pages[entry.page];
                (
                    format!("{} · {}", page.title, d.config.title),
                    page.path.clone(),
                    entry.items.clone(),
                )
            }
            (Some(t), None) => {
                let term = &d.tax.topics[t];
                (
                    format!("{} · {}", term.name, d.config.title),
                    format!("topics/{}/", term.slug),
                    term.pages.clone(),
                )
            }
            (None, None) => {
                let all: Vec<usize> = d
                    .tax
                    .articles
                    .iter()
                    .chain(&d.tax.episodes)
                    .copied()
                    .collect();
                (d.config.title.clone(), String::new(), all)
            }
        };
        // Lists put pinned items first; a feed is newest first.
        items.sort_by(|&a, &b| crate::taxonomy::newest_first(d.pages, a, b));
        let entries: Vec<EntryView> = items
            .iter()
            .take(FEED_ENTRIES)
            .map(|&i| {
                let p = &d.pages[i];
                let url = url::absolute(&base, &p.path);
                EntryView {
                    title: p.title.clone(),
                    id: url.clone(),
                    url,
                    date: p.date.map(DateView::from),
                    updated: p.modified().map(DateView::from),
                    summary: d.summary(i),
                    content: d.rendered[i].html.clone(),
                    author: p.author.clone(),
                    categories: p.topics.clone(),
                }
            })
            .collect();
        let updated = items
            .iter()
            .take(FEED_ENTRIES)
            .filter_map(|&i| d.pages[i].modified())
            .max()
            .map(DateView::from);
        FeedView {
            title,
            url: url::absolute(&base, &format!("{path}feed.xml")),
            home: url::absolute(&base, &path),
            updated,
            entries,
        }
    }

    fn sitemap(&self) -> Vec<SitemapEntry> {
        let d = &self.data;
        let base = d.config.base_url.clone().unwrap_or_default();
        jobs(d)
            .into_iter()
            .filter(|(path, job)| {
                let generated = matches!(
                    job,
                    Job::NotFound
                        | Job::Search
                        | Job::Feed(_)
                        | Job::Sitemap
                        | Job::Robots
                        | Job::Alias(_)
                );
                !generated && (path.is_empty() || path.ends_with('/'))
            })
            .map(|(path, job)| SitemapEntry {
                loc: url::absolute(&base, &path),
                lastmod: match job {
                    Job::Content(i) => d.pages[i].modified().map(|x| x.iso()),
                    _ => None,
                },
            })
            .collect()
    }

    fn robots(&self) -> String {
        let mut text = String::from("User-agent: *\nAllow: /\n");
        if let Some(url) = self.data.permalink("sitemap.xml") {
            text.push_str(&format!("Sitemap: {url}\n"));
        }
        text
    }
}

/// A page that sends readers (and search engines) on to `target`.
fn redirect(target: &str) -> String {
    let target = target
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>页面已移动</title>\
<link rel=\"canonical\" href=\"{target}\"><meta http-equiv=\"refresh\" content=\"0; url={target}\"></head>\
<body><p>页面已移动到 <a href=\"{target}\">新的地址</a>。</p></body></html>\n"
    )
}

/// `feed` in feed.xml.
#[derive(Serialize)]
struct FeedView {
    title: String,
    /// The feed's own absolute address.
    url: String,
    /// The page the feed belongs to.
    home: String,
    updated: Option<DateView>,
    entries: Vec<EntryView>,
}

#[derive(Serialize)]
struct EntryView {
    title: String,
    url: String,
    id: String,
    date: Option<DateView>,
    /// When it last changed (`updated:`, else its date).
    updated: Option<DateView>,
    summary: String,
    /// Full HTML; its relative links resolve against `url` (the template sets xml:base).
    content: String,
    author: Option<String>,
    categories: Vec<String>,
}

#[derive(Serialize)]
struct SitemapEntry {
    loc: String,
    lastmod: Option<String>,
}

/// `picture(image=item.cover_image, alt="", sizes="…", class="…", eager=false)`: the
/// `<picture>` element of a picture view (docs/theming.md); nothing for `none`.
fn picture_function(args: tera::Kwargs, _: &tera::State) -> tera::TeraResult<tera::Value> {
    let image: Option<tera::Value> = args.get("image")?;
    let Some(image) = image.filter(|v| !v.is_none()) else {
        return Ok(tera::Value::safe_string(""));
    };
    let text = |key: &str| -> tera::TeraResult<Option<String>> { args.get::<String>(key) };
    let view: crate::picture::View = serde_json::to_value(&image)
        .and_then(serde_json::from_value)
        .map_err(|_| {
            tera::Error::message(
                "picture 的 image 应当是 pufa 给出的图片，例如 item.cover_image 或 page.poster_image",
            )
        })?;
    let view = match text("crop")? {
        None => view,
        Some(crop) => cropped(view, &crop)?,
    };
    let alt = text("alt")?.unwrap_or_default();
    let sizes = text("sizes")?.unwrap_or_else(|| "100vw".to_string());
    let class = text("class")?;
    let eager = args.get::<bool>("eager")?.unwrap_or(false);
    let look = crate::picture::Look {
        alt: &alt,
        title: None,
        sizes: &sizes,
        class: class.as_deref(),
        eager,
    };
    Ok(tera::Value::safe_string(&view.html(&look)))
}

/// The picture `view` cut to the aspect `crop` names (`"16:9"`): a file pufa does not resize
/// (SVG, GIF) stays as it is; a crop the theme did not ask for in theme.yaml is an error.
fn cropped(mut view: crate::picture::View, crop: &str) -> tera::TeraResult<crate::picture::View> {
    let Some(aspect) = crate::picture::Aspect::parse(crop) else {
        return Err(tera::Error::message(format!(
            "picture 的 crop 应当写成宽高之比，例如 crop=\"16:9\"，这里是“{crop}”"
        )));
    };
    if view.srcset.is_none() {
        return Ok(view);
    }
    match view.crops.remove(&aspect.to_string()) {
        Some(cut) => Ok(cut),
        None => Err(tera::Error::message(format!(
            "主题的 theme.yaml 没有在 crops 里列出“{aspect}”，pufa 没有按这个比例裁剪图片：在 crops 里加上它"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tera_reports_give_their_place() {
        let text = "error: Unknown filter `nosuch`\n --> page.html:3:12\n  |\n3 | {{ x | nosuch }}\n\nerror: Unknown test `y`\n --> base.html:1:1\n";
        assert_eq!(
            first_report(text),
            Some(("Unknown filter `nosuch`", "page.html", 3, 12))
        );
        assert_eq!(
            translate("Unknown filter `nosuch`"),
            "没有名为“nosuch”的过滤器"
        );
        assert_eq!(first_report("no report here"), None);
    }

    #[test]
    fn translates_common_tera_messages() {
        assert_eq!(
            translate("Variable `pgae` is not defined. Available variables: page, site"),
            "变量“pgae”没有定义（可用的有：page, site）"
        );
        assert_eq!(
            translate("Field `titel` is not defined. Available fields: title, url"),
            "字段“titel”没有定义（可用的有：title, url）"
        );
        assert_eq!(
            translate("Found `}}` but expected `%}`."),
            "这里出现了 `}}`，应当是 `%}`"
        );
    }
}

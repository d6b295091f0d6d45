//! One content file → one [`Page`]: front matter read into typed fields for its kind.

use super::date::{self, Date};
use super::frontmatter::{self, SplitError};
use super::{file_stem, resolve_path};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::yaml::{self, Fields, Located, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a content file is, by the folder it lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// content/_index.md
    Home,
    Article,
    Episode,
    Month,
    Series,
    /// A topic's description, content/topics/NAME.md
    Topic,
    /// A standalone page, content/pages/
    Page,
    /// A column's (栏目's) index, FOLDER/_index.md: its list page's title and text.
    Column,
}

impl Kind {
    /// The name templates see in `page.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Home => "home",
            Kind::Article => "article",
            Kind::Episode => "episode",
            Kind::Month => "month",
            Kind::Series => "series",
            Kind::Topic => "topic",
            Kind::Page => "page",
            Kind::Column => "column",
        }
    }

    /// The Chinese label readers see (文章, 视频 …).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Home => "首页",
            Kind::Article => "文章",
            Kind::Episode => "视频",
            Kind::Month => "主题月",
            Kind::Series => "视频系列",
            Kind::Topic => "专题",
            Kind::Page => "页面",
            Kind::Column => "栏目",
        }
    }

    /// The kind of the file at `content_path`, and the column it is in (its folder under
    /// content/), given the site's column folders ([`column_folders`]).
    fn of(content_path: &str, columns: &BTreeSet<String>) -> Option<(Kind, Option<String>)> {
        if content_path == "_index.md" {
            return Some((Kind::Home, None));
        }
        let (folder, _) = content_path.rsplit_once('/')?;
        if content_path.ends_with("/_index.md") && columns.contains(folder) {
            return Some((Kind::Column, Some(folder.to_string())));
        }
        // An item belongs to the innermost column whose folder holds it.
        let column = std::iter::successors(Some(folder), |f| f.rsplit_once('/').map(|(p, _)| p))
            .find(|f| columns.contains(*f));
        if let Some(column) = column {
            return Some((Kind::Article, Some(column.to_string())));
        }
        let (top, _) = content_path.split_once('/')?;
        let kind = match top {
            "articles" => Kind::Article,
            "episodes" => Kind::Episode,
            "months" => Kind::Month,
            "series" => Kind::Series,
            "topics" => Kind::Topic,
            "pages" => Kind::Page,
            _ => return None,
        };
        Some((kind, None))
    }

    fn known_keys(self) -> &'static [&'static str] {
        match self {
            Kind::Article => &["month"],
            Kind::Episode => &[
                "series",
                "season",
                "episode",
                "video",
                "embed",
                "poster",
                "duration",
                "subtitles",
            ],
            Kind::Month => &["theme", "lead"],
            Kind::Column => &["sort", "paginate", "template"],
            _ => &[],
        }
    }
}

/// The folders under content/ that are columns: each holds an `_index.md`. The fixed
/// folders other than articles/ (episodes, months, series, topics, pages) hold no columns,
/// and articles/ itself is the article list, not a column; a folder inside it can be one.
pub fn column_folders<'a>(markdown: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    markdown
        .into_iter()
        .filter_map(|rel| rel.strip_suffix("/_index.md"))
        .filter(|folder| {
            let top = folder.split('/').next().unwrap_or_default();
            *folder != "articles"
                && !["episodes", "months", "series", "topics", "pages"].contains(&top)
        })
        .map(str::to_string)
        .collect()
}

/// Most topics one item may have.
const MAX_TOPICS: usize = 20;

const COMMON_KEYS: &[&str] = &[
    "title",
    "date",
    "summary",
    "cover",
    "topics",
    "laws",
    "author",
    "source",
    "editor",
    "draft",
    "slug",
    "weight",
    "aliases",
    "extra",
    "public_numbers",
    "pinned",
    "updated",
    "expires",
];

/// A loaded content file.
#[derive(Debug, Clone)]
pub struct Page {
    pub kind: Kind,
    /// The file, relative to the site root (`content/articles/a.md`), for messages.
    pub source: PathBuf,
    /// The file relative to content/, with `/` separators (`articles/a.md`).
    pub content_path: String,
    pub slug: String,
    /// Output folder path: `articles/a/`; the home page is ``.
    pub path: String,
    /// The column (its folder under content/) an item is in, or a column's own folder.
    pub column: Option<String>,
    /// Line and column of the front matter that decides the path (`slug`, else `title`).
    pub url_at: (usize, usize),
    pub title: String,
    pub date: Option<Date>,
    /// Line and column of the `date` value.
    pub date_at: Option<(usize, usize)>,
    pub summary: Option<String>,
    /// Asset path relative to content/.
    pub cover: Option<String>,
    /// The files front matter names (`cover`, `poster` …), with the line and column of each.
    pub files_at: Vec<(String, (usize, usize))>,
    /// Declared topic names, in the order written.
    pub topics: Vec<String>,
    /// Registered law names listed in front matter.
    pub laws: Vec<String>,
    pub author: Option<String>,
    /// 来源
    pub origin: Option<String>,
    /// 责任编辑
    pub editor: Option<String>,
    pub draft: bool,
    /// `weight`: among pinned items, in a column sorted by weight, and for pages and
    /// series, smaller first.
    pub weight: i64,
    /// 置顶 (`pinned: true`): first in its lists and on the home page.
    pub pinned: bool,
    /// 更新时间, when the item was revised after it was published.
    pub updated: Option<Date>,
    /// When the item is taken down ([`Date::expired_by`]).
    pub expires: Option<Date>,
    /// Line and column of the `expires` value.
    pub expires_at: Option<(usize, usize)>,
    /// Extra output paths that redirect here, normalised ([`crate::confine::output_path`]).
    pub aliases: Vec<String>,
    /// Line and column of the `aliases` field, for messages about them.
    pub aliases_at: (usize, usize),
    /// Numbers the author declares public (a hotline, an office's duty phone), as their
    /// digits alone, with the line each is declared on: where they stand in the text they
    /// are not personal data.
    pub public_numbers: Vec<(String, usize)>,
    pub extra: serde_json::Value,
    /// The whole file, without BOM (shared: the site keeps each file as parsed, and the
    /// page list a copy).
    pub text: std::sync::Arc<str>,
    /// Byte offset of the Markdown body in `text`.
    pub body_offset: usize,
    pub details: Details,
}

impl Page {
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// When the item last changed: `updated:` when later than `date`, else `date`.
    pub fn modified(&self) -> Option<Date> {
        self.updated.max(self.date)
    }

    pub fn episode(&self) -> Option<&Episode> {
        match &self.details {
            Details::Episode(e) => Some(e),
            _ => None,
        }
    }

    pub fn month(&self) -> Option<&Month> {
        match &self.details {
            Details::Month(m) => Some(m),
            _ => None,
        }
    }

    /// The `YYYY-MM` month an article or episode belongs to.
    pub fn month_key(&self) -> Option<String> {
        match &self.details {
            Details::Article { month: Some(m) } => Some(m.clone()),
            Details::Article { month: None } | Details::Episode(_) => {
                self.date.map(|d| d.month_key())
            }
            _ => None,
        }
    }
}

/// What only some kinds have.
#[derive(Debug, Clone)]
pub enum Details {
    None,
    Article { month: Option<String> },
    Episode(Box<Episode>),
    Month(Month),
    Column(Column),
}

/// How a column's list is ordered (`sort:` in its `_index.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnSort {
    /// Pinned first, then newest first: as every list.
    #[default]
    Date,
    /// By `weight`, smaller first, then newest first.
    Weight,
    /// By title.
    Title,
}

#[derive(Debug, Clone, Default)]
pub struct Column {
    pub sort: ColumnSort,
    /// Items a list page shows; the site's `paginate` when not given.
    pub paginate: Option<usize>,
    /// The theme template of its list pages, when not `list.html`; with its line and column.
    pub template: Option<(String, usize, usize)>,
}

#[derive(Debug, Clone)]
pub struct Episode {
    /// As written in front matter, kept until series are resolved.
    pub series_name: Option<Located>,
    /// The series' slug, once resolved.
    pub series: Option<String>,
    pub season: Option<i64>,
    pub number: Option<i64>,
    pub media: Media,
    /// Asset paths relative to content/.
    pub poster: Option<String>,
    pub subtitles: Option<String>,
    /// `mm:ss` or `h:mm:ss` as written, and in seconds.
    pub duration: Option<(String, u32)>,
}

#[derive(Debug, Clone)]
pub enum Media {
    None,
    /// A local video file, relative to content/.
    Video(String),
    Embed(Embed),
}

/// A video hosted by a platform, shown in its player.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    pub provider: &'static str,
    /// The provider's Chinese name (哔哩哔哩 …).
    pub provider_name: &'static str,
    pub id: String,
    pub player_url: String,
    /// The video's own page on the platform, for readers without script.
    pub page_url: String,
}

impl Embed {
    /// Parses `bilibili:BV…`, `qq:VID` or `douyin:ID`.
    pub fn parse(value: &str) -> Result<Embed, String> {
        let Some((provider, id)) = value.split_once(':') else {
            return Err(format!(
                "embed“{value}”应当写成 平台:编号，例如 bilibili:BV1xx411c7mD"
            ));
        };
        let id = id.trim();
        let valid_id = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid_id {
            return Err(format!("embed 的视频编号“{id}”只能含字母、数字、- 和 _"));
        }
        let (provider, provider_name, player_url, page_url) = match provider.trim() {
            "bilibili" => (
                "bilibili",
                "哔哩哔哩",
                format!("https://player.bilibili.com/player.html?bvid={id}&autoplay=0"),
                format!("https://www.bilibili.com/video/{id}"),
            ),
            "qq" => (
                "qq",
                "腾讯视频",
                format!("https://v.qq.com/txp/iframe/player.html?vid={id}"),
                format!("https://v.qq.com/x/page/{id}.html"),
            ),
            "douyin" => (
                "douyin",
                "抖音",
                format!("https://open.douyin.com/player/video?vid={id}&autoplay=0"),
                format!("https://www.douyin.com/video/{id}"),
            ),
            other => {
                return Err(format!(
                    "不支持的视频平台“{other}”；embed 只支持 bilibili、qq、douyin"
                ));
            }
        };
        Ok(Embed {
            provider,
            provider_name,
            id: id.to_string(),
            player_url,
            page_url,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Month {
    /// `YYYY-MM`
    pub key: String,
    /// The month's theme (主题).
    pub theme: Option<String>,
    /// 牵头单位
    pub lead: Option<String>,
}

/// Parses one content file, with every diagnostic found. The page is `None` only when its
/// front matter could not be read at all, or a month file's name is no month; a page whose fields had errors is still returned, so
/// checks across files (series, duplicate URLs) can report its other mistakes too.
pub(super) fn parse(
    content_path: &str,
    source: &Path,
    text: String,
    config: &Config,
    assets: &BTreeSet<String>,
    columns: &BTreeSet<String>,
) -> (Option<Page>, Diagnostics) {
    let Some((kind, column)) = Kind::of(content_path, columns) else {
        let d = Diagnostic::warning(
            "content/unknown-folder",
            "这个 Markdown 文件不在 articles、episodes、months、series、topics、pages 中，也不在栏目里，没有生成页面",
        )
        .in_file(source);
        let d = match content_path.rsplit_once('/') {
            Some((folder, _)) => d.with_suggestion(format!(
                "要让 {folder} 成为一个栏目，在这个文件夹里新建 _index.md，写上 title: 栏目名称；文章也可以放进 content/articles/"
            )),
            None => d.with_suggestion(
                "文章放进 content/articles/，独立页面放进 content/pages/，或者放进一个栏目的文件夹（有 _index.md 的文件夹）",
            ),
        };
        return (None, vec![d]);
    };
    let split = match frontmatter::split(&text) {
        Ok(split) => split,
        Err(err) => {
            let (message, hint) = match err {
                SplitError::NoOpening => (
                    "文件开头缺少 front matter",
                    "第一行写 ---，接着写 title: 标题 等字段，再用一行 --- 结束",
                ),
                SplitError::NoClosing => (
                    "front matter 没有结束",
                    "在最后一个字段下面加一行 ---，把字段和正文分开",
                ),
            };
            let d = Diagnostic::error("front-matter/delimiters", message)
                .in_file(source)
                .at(1, 1)
                .with_suggestion(hint);
            return (None, vec![d]);
        }
    };
    let node = match yaml::parse(split.yaml) {
        Ok(node) => node,
        Err(e) => {
            let d = e.diagnostic(
                "front-matter/yaml-syntax",
                "front matter",
                source,
                split.yaml_line - 1,
            );
            return (None, vec![d]);
        }
    };
    let entries = match &node.value {
        Value::Map(entries) => entries.as_slice(),
        Value::Null => &[],
        _ => {
            let d = Diagnostic::error(
                "front-matter/not-a-map",
                "front matter 应当由“字段: 值”组成，例如 title: 标题",
            )
            .in_file(source)
            .at(node.line + split.yaml_line - 1, node.column);
            return (None, vec![d]);
        }
    };
    let body_offset = split.body_offset;
    let mut reader = Reader {
        f: Fields::new(entries, source, split.yaml_line - 1),
        content_path,
        source,
        config,
        assets,
        files_at: Vec::new(),
    };
    let page = reader.page(kind, column, content_path, source, body_offset);
    let diagnostics = reader.f.diagnostics;
    (
        page.map(|p| Page {
            text: std::sync::Arc::from(text),
            ..p
        }),
        diagnostics,
    )
}

struct Reader<'a> {
    f: Fields<'a>,
    content_path: &'a str,
    source: &'a Path,
    config: &'a Config,
    assets: &'a BTreeSet<String>,
    /// Each file named so far, for [`Page::files_at`].
    files_at: Vec<(String, (usize, usize))>,
}

impl Reader<'_> {
    fn page(
        &mut self,
        kind: Kind,
        column: Option<String>,
        content_path: &str,
        source: &Path,
        body_offset: usize,
    ) -> Option<Page> {
        let mut known = COMMON_KEYS.to_vec();
        known.extend_from_slice(kind.known_keys());
        self.f.warn_unknown_keys(&known, "front matter ");

        // A column is named by its folder, not by `_index`.
        let stem = match (kind, &column) {
            (Kind::Column, Some(folder)) => folder.rsplit('/').next().unwrap_or(folder),
            _ => file_stem(content_path),
        };
        let title_at = self.f.located("title");
        let title = title_at
            .as_ref()
            .map(|l| l.text.clone())
            .filter(|t| !t.trim().is_empty());
        let date_field = self.f.located("date");
        let date_at = date_field.as_ref().map(|l| (l.line, l.column));
        let date = date_field.and_then(|l| match Date::parse(&l.text) {
            Ok(d) => Some(d),
            Err(message) => {
                self.error(&l, "front-matter/bad-date", message);
                None
            }
        });
        let weight = self.f.integer("weight");
        let pinned = self.f.boolean("pinned").unwrap_or(false);
        let updated = self.date_field("updated").map(|(d, _)| d);
        let (expires, expires_at) = self.date_field("expires").unzip();
        if let (Some(expires), Some(date), Some((line, column))) = (expires, date, expires_at)
            && expires.expired_by(date)
        {
            let d = Diagnostic::warning(
                "front-matter/expires-before-date",
                format!(
                    "下线时间 {} 不晚于发布时间 {}：这一篇永远不会出现在网站上",
                    expires.chinese_time(),
                    date.chinese_time()
                ),
            )
            .in_file(self.source)
            .at(line, column)
            .with_suggestion("检查 expires 和 date 的年份、月份；不想发布的稿件写 draft: true");
            self.f.diagnostics.push(d);
        }
        let requires_date = matches!(kind, Kind::Article | Kind::Episode);
        if requires_date
            && date.is_none()
            && self.f.get("date").is_none_or(|n| n.value == Value::Null)
        {
            self.missing("date", "date: 2023-06-01", "发布日期");
        }
        let details = match kind {
            Kind::Article => Details::Article {
                month: self.f.located("month").and_then(|l| self.month(&l)),
            },
            Kind::Episode => Details::Episode(Box::new(self.episode())),
            Kind::Month => {
                // The file name is the month: without one there is no page to make.
                let Ok(key) = date::parse_month(stem) else {
                    let d = Diagnostic::error(
                        "content/month-file-name",
                        format!("主题月文件名“{stem}.md”应当是 年-月.md，例如 2023-06.md"),
                    )
                    .in_file(source)
                    .with_suggestion("月份写两位数：三月是 2026-03.md，不是 2026-3.md");
                    self.f.diagnostics.push(d);
                    return None;
                };
                Details::Month(Month {
                    key,
                    theme: self.f.string("theme"),
                    lead: self.f.string("lead"),
                })
            }
            Kind::Column => Details::Column(self.column()),
            _ => Details::None,
        };
        let title = match (title, &details) {
            (Some(t), _) => t,
            (None, Details::Month(m)) => m
                .theme
                .clone()
                .unwrap_or_else(|| date::month_chinese(&m.key)),
            (None, _) if matches!(kind, Kind::Topic | Kind::Column) => stem.to_string(),
            (None, _) if kind == Kind::Home => self.config.title.clone(),
            (None, _) => {
                self.missing("title", "title: 文章标题", "标题");
                String::new()
            }
        };
        let slug_at = self.f.located("slug");
        // Where the page's URL comes from, for duplicate-URL messages.
        let url_at = slug_at
            .as_ref()
            .or(title_at.as_ref())
            .map_or((1, 1), |l| (l.line, l.column));
        let slug_written = slug_at.is_some();
        let slug = match slug_at {
            Some(l) => match crate::url::written_slug(&l.text) {
                Ok(slug) => slug,
                Err(message) => {
                    self.error(&l, "front-matter/bad-slug", message);
                    String::new()
                }
            },
            None => {
                let (slug, capped) = crate::url::capped_slug(stem);
                if capped {
                    let d = Diagnostic::warning(
                        "content/long-slug",
                        format!(
                            "文件名转成的网址太长，已截短为 {slug}（{} 个字符）",
                            slug.len()
                        ),
                    )
                    .in_file(source)
                    .with_suggestion(
                        "在 front matter 中写一个简短的 slug，例如 slug: fang-zha-ti-xing",
                    );
                    self.f.diagnostics.push(d);
                }
                slug
            }
        };
        let path = match (kind, &details) {
            (Kind::Home, _) => String::new(),
            (Kind::Month, Details::Month(m)) => format!("months/{}/", m.key),
            (Kind::Topic, _) => {
                let topic = self
                    .config
                    .topics
                    .iter()
                    .find(|t| t.name == stem || t.slug == stem);
                format!(
                    "topics/{}/",
                    topic.map_or(slug.as_str(), |t| t.slug.as_str())
                )
            }
            // A written slug that was refused has its error already.
            _ if slug.is_empty() && slug_written => String::new(),
            _ if slug.is_empty() => {
                let d = Diagnostic::error("content/empty-slug", "无法从文件名生成网址")
                    .in_file(source)
                    .with_suggestion("在 front matter 中写 slug: 英文或拼音网址");
                self.f.diagnostics.push(d);
                String::new()
            }
            // In a column: placed under the column's address once all columns are known
            // ([`super::place_in_columns`]).
            _ if column.is_some() => format!("{slug}/"),
            (Kind::Article, _) => format!("articles/{slug}/"),
            (Kind::Episode, _) => format!("episodes/{slug}/"),
            (Kind::Series, _) => format!("series/{slug}/"),
            _ => format!("{slug}/"),
        };
        let slug = match kind {
            Kind::Topic | Kind::Month => path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
            _ => slug,
        };
        let topics = self.topics();
        let laws = self.laws();
        let cover = self.asset("cover");
        let aliases_at = self
            .f
            .get("aliases")
            .map_or((1, 1), |node| self.f.position(node));
        let aliases = self.aliases();
        // An address made from the file name that earlier pufa read otherwise (冒充 as mou
        // chong) may be on printed handouts: say so until an alias keeps it.
        let named = matches!(
            kind,
            Kind::Article | Kind::Episode | Kind::Series | Kind::Page
        );
        if named && !slug_written && column.is_none() && !slug.is_empty() {
            let earlier = crate::url::earlier_slug(stem);
            let folder = path.strip_suffix(&format!("{slug}/"));
            if let Some(folder) = folder.filter(|_| earlier != slug && !earlier.is_empty()) {
                let old = format!("{folder}{earlier}/");
                if !aliases.contains(&old) {
                    let d = Diagnostic::note(
                        "content/address-changed",
                        format!(
                            "这一篇的网址从 /{old} 改成了 /{path}：pufa 转拼音的办法改进了（多音字按词读，例如“冒充”读 mao chong）"
                        ),
                    )
                    .in_file(source)
                    .with_suggestion(format!(
                        "旧网址已经印在宣传单或二维码上的，在 front matter 里加一行 aliases: [\"/{old}\"]，旧网址就会跳转到这里"
                    ));
                    self.f.diagnostics.push(d);
                }
            }
        }
        Some(Page {
            kind,
            source: source.to_path_buf(),
            content_path: content_path.to_string(),
            slug,
            path,
            column,
            url_at,
            title: title.trim().to_string(),
            date,
            date_at,
            summary: self.f.string("summary").filter(|s| !s.trim().is_empty()),
            cover,
            files_at: std::mem::take(&mut self.files_at),
            topics,
            laws,
            author: self.f.string("author"),
            origin: self.f.string("source"),
            editor: self.f.string("editor"),
            draft: self.f.boolean("draft").unwrap_or(false),
            pinned,
            weight: weight.unwrap_or(0),
            updated,
            expires,
            expires_at,
            aliases,
            aliases_at,
            public_numbers: self
                .f
                .string_list("public_numbers")
                .into_iter()
                .map(|n| (crate::check::number_digits(&n.text), n.line))
                .filter(|(n, _)| !n.is_empty())
                .collect(),
            extra: self
                .f
                .get("extra")
                .map_or(serde_json::Value::Null, |n| n.to_json()),
            text: std::sync::Arc::from(""),
            body_offset,
            details,
        })
    }

    /// A column's `sort`, `paginate` and `template`.
    fn column(&mut self) -> Column {
        let sort = match self.f.located("sort") {
            None => ColumnSort::Date,
            Some(l) => match l.text.trim() {
                "date" | "日期" => ColumnSort::Date,
                "weight" | "权重" => ColumnSort::Weight,
                "title" | "标题" => ColumnSort::Title,
                other => {
                    let d = Diagnostic::error(
                        "front-matter/bad-sort",
                        format!("不认识的排序方式“{other}”"),
                    )
                    .in_file(self.source)
                    .at(l.line, l.column)
                    .with_suggestion("sort 写 date（按日期，新的在前）、weight（按 weight，小的在前）或 title（按标题）");
                    self.f.diagnostics.push(d);
                    ColumnSort::Date
                }
            },
        };
        let paginate = match self.f.located("paginate") {
            None => None,
            Some(l) => match l.text.trim().parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => Some(n),
                _ => {
                    self.error(
                        &l,
                        "front-matter/bad-paginate",
                        format!(
                            "paginate“{}”应当是 1 到 1000 之间的整数：每页列出几条",
                            l.text
                        ),
                    );
                    None
                }
            },
        };
        let template = self
            .f
            .located("template")
            .map(|l| (l.text.trim().to_string(), l.line, l.column));
        Column {
            sort,
            paginate,
            template,
        }
    }

    /// A date field other than `date` (`updated`, `expires`), parsed like it.
    fn date_field(&mut self, key: &str) -> Option<(Date, (usize, usize))> {
        let l = self.f.located(key)?;
        match Date::parse(&l.text) {
            Ok(d) => Some((d, (l.line, l.column))),
            Err(message) => {
                self.error(&l, "front-matter/bad-date", format!("{key}：{message}"));
                None
            }
        }
    }

    fn error(&mut self, at: &Located, code: &'static str, message: impl Into<String>) {
        let d = Diagnostic::error(code, message)
            .in_file(self.source)
            .at(at.line, at.column);
        self.f.diagnostics.push(d);
    }

    fn missing(&mut self, key: &str, example: &str, what: &str) {
        let d = Diagnostic::error(
            "front-matter/missing-field",
            format!("front matter 缺少{what}“{key}”"),
        )
        .in_file(self.source)
        .at(1, 1)
        .with_suggestion(format!("在 front matter 中加一行 {example}"));
        self.f.diagnostics.push(d);
    }

    /// The `aliases`, each an output path that stays inside the output folder.
    fn aliases(&mut self) -> Vec<String> {
        let mut aliases = Vec::new();
        for l in self.f.string_list("aliases") {
            let path = alias_path(&l.text);
            match crate::confine::output_path(&path, false) {
                Ok(path) => aliases.push(path),
                Err(refusal) => self.error(
                    &l,
                    "front-matter/bad-alias",
                    format!("别名“{}”不能用：{}", l.text, refusal.reason()),
                ),
            }
        }
        aliases
    }

    fn month(&mut self, l: &Located) -> Option<String> {
        match date::parse_month(&l.text) {
            Ok(m) => Some(m),
            Err(message) => {
                self.error(l, "front-matter/bad-month", message);
                None
            }
        }
    }

    fn topics(&mut self) -> Vec<String> {
        let mut topics: Vec<String> = Vec::new();
        let listed = self.f.string_list("topics");
        if let Some(l) = listed.get(MAX_TOPICS) {
            // Every topic's page and feed show the item with all its topics: without a bound,
            // one item could make the site's size grow with the square of its topics.
            let d = Diagnostic::error(
                "front-matter/too-many-topics",
                format!(
                    "一篇内容最多写 {MAX_TOPICS} 个专题，这里写了 {} 个",
                    listed.len()
                ),
            )
            .in_file(self.source)
            .at(l.line, l.column)
            .with_suggestion("只留下与这篇内容最相关的几个专题");
            self.f.diagnostics.push(d);
            return topics;
        }
        for l in listed {
            let declared = self.config.topics.iter().find(|t| t.name == l.text);
            match declared {
                Some(t) if !topics.contains(&t.name) => topics.push(t.name.clone()),
                Some(_) => {}
                None => {
                    let names = self.config.topics.iter().map(|t| t.name.as_str());
                    let hint = match nearest(&l.text, names) {
                        Some(near) => format!("是不是“{near}”？"),
                        None => "专题要先在 site.yaml 的 topics 中声明".to_string(),
                    };
                    let d = Diagnostic::error(
                        "front-matter/unknown-topic",
                        format!("专题“{}”没有在 site.yaml 中声明", l.text),
                    )
                    .in_file(self.source)
                    .at(l.line, l.column)
                    .with_suggestion(hint);
                    self.f.diagnostics.push(d);
                }
            }
        }
        topics
    }

    fn laws(&mut self) -> Vec<String> {
        let mut laws: Vec<String> = Vec::new();
        for l in self.f.string_list("laws") {
            let wanted = l
                .text
                .trim()
                .trim_start_matches('《')
                .trim_end_matches('》');
            let declared = self
                .config
                .laws
                .iter()
                .find(|law| law.name == wanted || law.full_name == wanted);
            match declared {
                Some(law) if !laws.contains(&law.name) => laws.push(law.name.clone()),
                Some(_) => {}
                None => {
                    let names = self.config.laws.iter().map(|law| law.name.as_str());
                    let hint = match nearest(wanted, names) {
                        Some(near) => format!("是不是“{near}”？"),
                        None => "法律要先在 site.yaml 的 laws 中登记".to_string(),
                    };
                    let d = Diagnostic::error(
                        "front-matter/unknown-law",
                        format!("法律“{wanted}”没有在 site.yaml 中登记"),
                    )
                    .in_file(self.source)
                    .at(l.line, l.column)
                    .with_suggestion(hint);
                    self.f.diagnostics.push(d);
                }
            }
        }
        laws
    }

    /// A front-matter path to a file under content/; a missing file is a warning.
    fn asset(&mut self, key: &str) -> Option<String> {
        let l = self.f.located(key)?;
        if l.text.contains("://") {
            self.error(
                &l,
                "front-matter/remote-file",
                format!("{key} 应当是网站里的文件路径，不能是外部网址"),
            );
            return None;
        }
        let Some(path) = resolve_path(self.content_path, l.text.trim()) else {
            self.error(
                &l,
                "front-matter/path-outside",
                format!("{key} 的路径“{}”跑到了 content 文件夹外面", l.text),
            );
            return None;
        };
        if !self.assets.contains(&path) {
            let d = Diagnostic::error(
                "front-matter/missing-file",
                format!("找不到 {key} 文件“{}”（content/{path}）", l.text),
            )
            .in_file(self.source)
            .at(l.line, l.column)
            .with_suggestion(
                "路径相对于这篇 Markdown 文件所在的文件夹；以 / 开头则从 content/ 算起",
            );
            self.f.diagnostics.push(d);
        }
        self.files_at.push((path.clone(), (l.line, l.column)));
        Some(path)
    }

    fn episode(&mut self) -> Episode {
        let series_name = self.f.located("series");
        let season = self.f.integer("season");
        let number = self.f.integer("episode");
        let video = self.asset("video");
        let embed = self
            .f
            .located("embed")
            .and_then(|l| match Embed::parse(&l.text) {
                Ok(e) => Some(e),
                Err(message) => {
                    self.error(&l, "front-matter/bad-embed", message);
                    None
                }
            });
        let media = match (video, embed) {
            (Some(v), None) => Media::Video(v),
            (None, Some(e)) => Media::Embed(e),
            (None, None) => Media::None,
            (Some(v), Some(_)) => {
                let node = self.f.get("embed").expect("embed was read");
                let d = self.f.diagnostic_at(
                    node,
                    Diagnostic::warning(
                        "front-matter/video-and-embed",
                        "同时写了 video 和 embed，页面只播放本地视频 video",
                    ),
                );
                self.f.diagnostics.push(d);
                Media::Video(v)
            }
        };
        let duration = self
            .f
            .located("duration")
            .and_then(|l| match parse_duration(&l.text) {
                Some(seconds) => Some((l.text.trim().to_string(), seconds)),
                None => {
                    self.error(
                        &l,
                        "front-matter/bad-duration",
                        format!("时长“{}”应当写成 分:秒，例如 03:20", l.text),
                    );
                    None
                }
            });
        Episode {
            series_name,
            series: None,
            season,
            number,
            media,
            poster: self.asset("poster"),
            subtitles: self.asset("subtitles"),
            duration,
        }
    }
}

/// `mm:ss` or `h:mm:ss` in seconds.
pub fn parse_duration(text: &str) -> Option<u32> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut seconds = 0u32;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 3 {
            return None;
        }
        let n: u32 = part.parse().ok()?;
        if i > 0 && n >= 60 {
            return None;
        }
        seconds = seconds * 60 + n;
    }
    Some(seconds)
}

/// An alias as an output path, before it is checked: `/old/a` → `old/a/`, `old.html`
/// stays a file.
fn alias_path(alias: &str) -> String {
    let path = alias.trim().trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') || path.ends_with(".html") {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds() {
        let e = Embed::parse("bilibili:BV1xx411c7mD").unwrap();
        assert_eq!(
            e.player_url,
            "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD&autoplay=0"
        );
        assert_eq!(
            Embed::parse("qq:x0012abc").unwrap().player_url,
            "https://v.qq.com/txp/iframe/player.html?vid=x0012abc"
        );
        assert_eq!(
            Embed::parse("douyin:7001").unwrap().player_url,
            "https://open.douyin.com/player/video?vid=7001&autoplay=0"
        );
        assert!(Embed::parse("youku:X").unwrap_err().contains("不支持"));
        assert!(Embed::parse("bilibili:\"><script>").is_err());
        assert!(Embed::parse("BV1xx").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("03:20"), Some(200));
        assert_eq!(parse_duration("1:02:03"), Some(3723));
        assert_eq!(parse_duration("3:75"), None);
        assert_eq!(parse_duration("三分钟"), None);
        assert_eq!(parse_duration("200"), None);
    }

    #[test]
    fn aliases() {
        assert_eq!(alias_path("/old/a"), "old/a/");
        assert_eq!(alias_path("old.html"), "old.html");
        assert_eq!(alias_path("/"), "");
    }
}

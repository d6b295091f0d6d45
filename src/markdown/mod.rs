//! Markdown → HTML for one page.
//!
//! Rendering is pure: the page's text and a [`LinkContext`] describing the rest of the site go
//! in, HTML and what was learnt on the way (table of contents, cited laws, a summary, link
//! problems) come out. Everything is done on pulldown-cmark's event stream:
//!
//! - `*`/`**` runs CommonMark leaves literal next to Chinese punctuation become emphasis
//!   ([`emphasis`]);
//! - headings get ids that keep Chinese (`#第十二条`), unique within the page;
//! - links to `.md` files become relative links to their pages, and paths to images and other
//!   files are resolved the way an editor's preview resolves them, then made relative to the
//!   page's own URL;
//! - every 《…》 naming a law registered in site.yaml is recorded as a citation.

mod emphasis;

use crate::config::LawDecl;
use crate::content::resolve_path;
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::url;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;

/// What a page's Markdown needs to know about the rest of the site.
pub struct LinkContext<'a> {
    /// The Markdown file, relative to content/ (`articles/a.md`).
    pub content_path: &'a str,
    /// The page's output path (`articles/a/`), which links are made relative to.
    pub page_path: &'a str,
    /// Output path of every published page, by content path.
    pub pages: &'a BTreeMap<String, String>,
    /// Content paths of drafts left out of the build.
    pub drafts: &'a BTreeSet<String>,
    /// Every file under content/ that is copied as it is.
    pub assets: &'a BTreeSet<String>,
    pub laws: &'a [LawDecl],
    pub offline: bool,
}

/// One heading, for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A link to a heading: `[…](a.md#第十二条)` or `[…](#第十二条)`, checked once every page's
/// headings are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorLink {
    /// The linked page's content path; `None` for a heading of the same page.
    pub target: Option<String>,
    /// The fragment, percent-decoded.
    pub fragment: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<Heading>,
    /// Short names of the registered laws named in 《》.
    pub laws: BTreeSet<String>,
    /// The first paragraph as plain text, shortened.
    pub summary: String,
    pub anchors: Vec<AnchorLink>,
    pub diagnostics: Vec<Diagnostic>,
}

const SUMMARY_CHARS: usize = 120;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders the body of `text` (starting at byte `body_offset`) of the file `source`.
pub fn render(source: &Path, text: &str, body_offset: usize, cx: &LinkContext) -> Rendered {
    let body = &text[body_offset..];
    let parser = Parser::new_ext(body, options());
    let offsets: Vec<(Event, Range<usize>)> = parser.into_offset_iter().collect();
    // Remember where each link starts, before the emphasis pass drops the ranges.
    let link_starts: Vec<usize> = offsets
        .iter()
        .filter(|(e, _)| matches!(e, Event::Start(Tag::Link { .. } | Tag::Image { .. })))
        .map(|(_, r)| r.start)
        .collect();
    let events = emphasis::apply(offsets, body);

    let mut out = Rendered::default();
    let mut positions = Positions {
        source,
        text,
        body_offset,
        index: None,
    };
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut plain = String::new();
    let mut summary: Option<String> = None;
    let mut in_first_paragraph = false;
    let mut heading: Option<Vec<Event>> = None;
    let mut links = link_starts.into_iter();
    let mut rewritten = Vec::with_capacity(events.len());
    // The start of the image being read and its alt text so far.
    let mut image: Option<(usize, String)> = None;

    for event in events {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let at = links.next().unwrap_or(0);
                let dest_url = rewrite(dest_url, at, false, cx, &mut positions, &mut out);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let at = links.next().unwrap_or(0);
                image = Some((at, String::new()));
                let dest_url = rewrite(dest_url, at, true, cx, &mut positions, &mut out);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            other => other,
        };
        match &event {
            Event::Text(t) | Event::Code(t) if image.is_some() => {
                if let Some((_, alt)) = image.as_mut() {
                    alt.push_str(t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((at, alt)) = image.take()
                    && alt.trim().is_empty()
                {
                    let d = Diagnostic::warning("a11y/image-alt", "图片缺少替代文字（alt）")
                        .with_suggestion(
                            "写成 ![图片内容的简短说明](路径)：读屏软件会把这段文字读给视障读者听",
                        );
                    out.diagnostics.push(positions.diagnostic(at, d));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                plain.push_str(t);
                if in_first_paragraph && let Some(s) = summary.as_mut() {
                    s.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if in_first_paragraph && let Some(s) = summary.as_mut() {
                    s.push(' ');
                }
            }
            Event::Start(Tag::Paragraph) if summary.is_none() && heading.is_none() => {
                summary = Some(String::new());
                in_first_paragraph = true;
            }
            Event::End(TagEnd::Paragraph) => in_first_paragraph = false,
            Event::End(_) => plain.push('\n'),
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(vec![event]),
            Event::End(TagEnd::Heading(level)) => {
                let mut events = heading.take().unwrap_or_default();
                let title = heading_text(&events);
                let Some(Event::Start(Tag::Heading {
                    level: _,
                    id,
                    classes,
                    attrs,
                })) = events.first().cloned()
                else {
                    continue;
                };
                let base = id.map_or_else(|| heading_id(&title), |id| id.to_string());
                let id = unique_id(&mut ids, base);
                events[0] = Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(id.clone())),
                    classes,
                    attrs,
                });
                out.toc.push(Heading {
                    level: level as u8,
                    id,
                    title,
                });
                rewritten.extend(events);
                rewritten.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Table(_)) => {
                // Wide tables scroll inside their box instead of widening a phone's page.
                rewritten.push(Event::Html("<div class=\"table-wrap\">".into()));
                rewritten.push(event);
            }
            Event::End(TagEnd::Table) => {
                rewritten.push(event);
                rewritten.push(Event::Html("</div>\n".into()));
            }
            other => match heading.as_mut() {
                Some(events) => events.push(other),
                None => rewritten.push(other),
            },
        }
    }
    html::push_html(&mut out.html, rewritten.into_iter());
    out.laws = cited_laws(&plain, cx.laws);
    out.summary = shorten(summary.unwrap_or_default().trim(), SUMMARY_CHARS);
    out
}

/// Lazily built line index, for positioning the rare link problem.
struct Positions<'a> {
    source: &'a Path,
    text: &'a str,
    body_offset: usize,
    index: Option<LineIndex>,
}

impl Positions<'_> {
    fn at(&mut self, body_offset: usize) -> (usize, usize) {
        let index = self.index.get_or_insert_with(|| LineIndex::new(self.text));
        index.position(self.text, self.body_offset + body_offset)
    }

    fn diagnostic(&mut self, body_offset: usize, d: Diagnostic) -> Diagnostic {
        let (line, column) = self.at(body_offset);
        d.in_file(self.source).at(line, column)
    }
}

fn rewrite<'a>(
    dest: CowStr<'a>,
    at: usize,
    image: bool,
    cx: &LinkContext,
    positions: &mut Positions,
    out: &mut Rendered,
) -> CowStr<'a> {
    let raw = dest.as_ref();
    if let Some(fragment) = raw.strip_prefix('#') {
        let (line, column) = positions.at(at);
        out.anchors.push(AnchorLink {
            target: None,
            fragment: percent_decode(fragment),
            line,
            column,
        });
        return dest;
    }
    if raw.is_empty() || raw.starts_with("//") || has_scheme(raw) {
        return dest;
    }
    let (path, fragment) = match raw.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (raw, None),
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let decoded = percent_decode(path);
    let Some(target) = resolve_path(cx.content_path, &decoded) else {
        let d = Diagnostic::error(
            "link/outside-content",
            format!("链接“{raw}”跑到了 content 文件夹外面"),
        );
        out.diagnostics.push(positions.diagnostic(at, d));
        return dest;
    };
    if !image && target.ends_with(".md") {
        let target_path = cx.pages.get(&target).or_else(|| {
            let d = if cx.drafts.contains(&target) {
                Diagnostic::warning(
                    "link/draft",
                    format!("链接“{raw}”指向草稿，草稿不发布，读者点开会找不到页面"),
                )
            } else {
                Diagnostic::error("link/missing-page", format!("链接的文件“{raw}”不存在"))
                    .with_suggestion(
                        "路径相对于这篇 Markdown 文件所在的文件夹；以 / 开头则从 content/ 算起",
                    )
            };
            out.diagnostics.push(positions.diagnostic(at, d));
            None
        });
        let Some(target_path) = target_path else {
            return dest;
        };
        let mut to = target_path.clone();
        if let Some(fragment) = fragment {
            to.push('#');
            to.push_str(fragment);
            let (line, column) = positions.at(at);
            out.anchors.push(AnchorLink {
                target: Some(target.clone()),
                fragment: percent_decode(fragment),
                line,
                column,
            });
        }
        return url::relative(cx.page_path, &to, cx.offline).into();
    }
    if !cx.assets.contains(&target) {
        let what = if image { "图片" } else { "链接的文件" };
        let d = Diagnostic::error("link/missing-file", format!("找不到{what}“{raw}”"))
            .with_suggestion(
                "路径相对于这篇 Markdown 文件所在的文件夹；以 / 开头则从 content/ 算起",
            );
        out.diagnostics.push(positions.diagnostic(at, d));
        return dest;
    }
    let mut link = url::relative(cx.page_path, &url::encode_path(&target), false);
    if let Some(query) = query {
        link.push('?');
        link.push_str(query);
    }
    if let Some(fragment) = fragment {
        link.push('#');
        link.push_str(fragment);
    }
    link.into()
}

fn has_scheme(link: &str) -> bool {
    match link.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Decodes `%XX` escapes, so `图%201.png` and `图 1.png` name the same file.
fn percent_decode(path: &str) -> String {
    if !path.contains('%') {
        return path.to_string();
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = path.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| path.to_string())
}

fn heading_text(events: &[Event]) -> String {
    let mut title = String::new();
    for e in events {
        if let Event::Text(t) | Event::Code(t) = e {
            title.push_str(t);
        }
    }
    title.trim().to_string()
}

/// An id that keeps Chinese: letters and digits of any script stay, spaces become `-`,
/// punctuation goes.
pub fn heading_id(title: &str) -> String {
    let mut id = String::new();
    for c in title.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            id.extend(c.to_lowercase());
        } else if c.is_whitespace() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-').to_string();
    if id.is_empty() {
        "section".to_string()
    } else {
        id
    }
}

fn unique_id(seen: &mut HashMap<String, usize>, base: String) -> String {
    let count = seen.entry(base.clone()).or_insert(0);
    *count += 1;
    if *count == 1 {
        return base;
    }
    let mut n = *count - 1;
    loop {
        let candidate = format!("{base}-{n}");
        if !seen.contains_key(&candidate) {
            seen.insert(candidate.clone(), 1);
            return candidate;
        }
        n += 1;
    }
}

/// Registered laws named in 《》 by short or full name.
pub fn cited_laws(text: &str, laws: &[LawDecl]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    if laws.is_empty() {
        return found;
    }
    let mut rest = text;
    while let Some(open) = rest.find('《') {
        rest = &rest[open + '《'.len_utf8()..];
        let Some(close) = rest.find(['》', '《', '\n']) else {
            break;
        };
        if rest[close..].starts_with('》') {
            let title = &rest[..close];
            if let Some(law) = laws
                .iter()
                .find(|l| l.name == title || l.full_name == title)
            {
                found.insert(law.name.clone());
            }
        }
        rest = &rest[close..];
    }
    found
}

/// At most `max` characters, ending in `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let mut chars = text.char_indices();
    match chars.nth(max) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law(name: &str, full: &str) -> LawDecl {
        LawDecl {
            name: name.into(),
            full_name: full.into(),
            url: None,
            slug: url::slugify(name),
        }
    }

    fn render_page(markdown: &str) -> Rendered {
        let pages = BTreeMap::from([
            ("articles/b.md".to_string(), "articles/b/".to_string()),
            ("pages/guanyu.md".to_string(), "guanyu/".to_string()),
        ]);
        let assets = BTreeSet::from([
            "articles/img/tu.png".to_string(),
            "media/图 1.png".to_string(),
        ]);
        let drafts = BTreeSet::from(["articles/draft.md".to_string()]);
        let laws = [law("民法典", "中华人民共和国民法典")];
        let cx = LinkContext {
            content_path: "articles/a.md",
            page_path: "articles/a/",
            pages: &pages,
            drafts: &drafts,
            assets: &assets,
            laws: &laws,
            offline: false,
        };
        let text = format!("---\ntitle: 甲\n---\n{markdown}");
        let body_offset = text.len() - markdown.len();
        render(Path::new("content/articles/a.md"), &text, body_offset, &cx)
    }

    #[test]
    fn heading_ids_keep_chinese_and_are_unique() {
        let r = render_page(
            "## 第十二条\n\n## 第十二条\n\n## What’s New 2023\n\n## 自定义 {#zi-ding-yi}\n",
        );
        let ids: Vec<&str> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            ["第十二条", "第十二条-1", "whats-new-2023", "zi-ding-yi"]
        );
        assert!(
            r.html.contains("<h2 id=\"第十二条\">第十二条</h2>"),
            "{}",
            r.html
        );
        assert_eq!(r.toc[0].level, 2);
    }

    #[test]
    fn links_become_relative_page_links() {
        let r = render_page(
            "[乙](b.md#di-yi) [关于](/pages/guanyu.md) ![图](img/tu.png) ![图](/media/图%201.png) [外](https://example.com/a.md)",
        );
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        for expected in [
            "href=\"../../articles/b/#di-yi\"",
            "href=\"../../guanyu/\"",
            "src=\"../../articles/img/tu.png\"",
            "src=\"../../media/%E5%9B%BE%201.png\"",
            "href=\"https://example.com/a.md\"",
        ] {
            assert!(r.html.contains(expected), "{expected} in {}", r.html);
        }
    }

    #[test]
    fn broken_links_are_reported_at_their_line() {
        let r = render_page("第一行\n\n见[丙](c.md)与[草稿](draft.md)，![缺](no.png)\n");
        let found: Vec<(&str, usize, usize)> = r
            .diagnostics
            .iter()
            .map(|d| (d.code, d.line, d.column))
            .collect();
        assert_eq!(
            found,
            [
                ("link/missing-page", 6, 2),
                ("link/draft", 6, 12),
                ("link/missing-file", 6, 27)
            ]
        );
    }

    #[test]
    fn law_citations() {
        let laws = [
            law("民法典", "中华人民共和国民法典"),
            law("反电信网络诈骗法", "中华人民共和国反电信网络诈骗法"),
            law("保障农民工工资支付条例", "保障农民工工资支付条例"),
        ];
        let found = cited_laws(
            "依据《中华人民共和国民法典》和《保障农民工工资支付条例》，另见《刑法》《民法",
            &laws,
        );
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            ["保障农民工工资支付条例", "民法典"]
        );
        assert!(cited_laws("《反电信网络诈骗法\n》", &laws).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn citations_are_registered_laws_named_in_book_marks(
            text in "([《》\n民法典刑中华人民共和国 ]|《民法典》|《中华人民共和国刑法》){0,30}"
        ) {
            let laws = [law("民法典", "中华人民共和国民法典"), law("刑法", "中华人民共和国刑法")];
            for name in cited_laws(&text, &laws) {
                let law = laws.iter().find(|l| l.name == name).unwrap();
                let short = format!("《{}》", law.name);
                let full = format!("《{}》", law.full_name);
                proptest::prop_assert!(text.contains(&short) || text.contains(&full));
            }
        }

        #[test]
        fn citation_scanning_never_panics(text in "\\PC*") {
            let _ = cited_laws(&text, &[law("民法典", "中华人民共和国民法典")]);
        }

        #[test]
        fn rendering_never_panics(markdown in r"([*_`#>\[\]()!\n -]|中文|。|\*\*|[a-z.]){0,60}") {
            let _ = render_page(&markdown);
        }
    }

    #[test]
    fn summary_is_the_first_paragraph() {
        let r = render_page("# 标题\n\n第一段**重点。**内容\n继续。\n\n第二段");
        assert_eq!(r.summary, "第一段重点。内容 继续。");
        assert_eq!(shorten("一二三四五", 3), "一二三…");
        assert_eq!(shorten("一二三", 3), "一二三");
    }

    #[test]
    fn tables_scroll_in_their_own_box() {
        let r = render_page("| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            r.html.starts_with("<div class=\"table-wrap\"><table>"),
            "{}",
            r.html
        );
        assert!(
            r.html.trim_end().ends_with("</table>\n</div>"),
            "{}",
            r.html
        );
    }
}

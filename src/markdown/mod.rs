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
pub mod shortcode;

use crate::config::LawDecl;
use crate::content::resolve_path;
use crate::diagnostic::{Diagnostic, LineIndex, nearest};
use crate::url;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;
use shortcode::Arg;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;

/// How wide a picture in the text is shown: the page's width, at most the text column's
/// (the built-in themes' 52rem).
pub const CONTENT_SIZES: &str = "(max-width: 52rem) 100vw, 52rem";

/// What a page's Markdown needs to know about the rest of the site.
pub struct LinkContext<'a> {
    /// The Markdown file, relative to content/ (`articles/a.md`).
    pub content_path: &'a str,
    /// The page's output path (`articles/a/`), which links are made relative to.
    pub page_path: &'a str,
    /// The output path of the published page at a content path.
    pub pages: &'a (dyn Fn(&str) -> Option<&'a str> + Sync),
    /// Content paths of drafts left out of the build.
    pub drafts: &'a BTreeSet<String>,
    /// Items kept back by their dates ([`crate::content::Held`]).
    pub held: &'a std::collections::BTreeMap<String, crate::content::Held>,
    /// Every file under content/ that is copied as it is.
    pub assets: &'a BTreeSet<String>,
    /// The pictures among them, published resized.
    pub pictures: &'a crate::picture::Pictures,
    pub laws: &'a [LawDecl],
    pub offline: bool,
    /// Renders shortcodes; `None` when the theme could not be loaded.
    pub shortcodes: Option<&'a dyn Shortcodes>,
}

/// Renders shortcode calls: implemented by the template engine, so Markdown rendering stays
/// free of it.
pub trait Shortcodes: Sync {
    fn exists(&self, name: &str) -> bool;
    /// Every shortcode's name, for suggestions.
    fn names(&self) -> Vec<String>;
    /// The HTML of a call with `args`, and the rendered `body` of a block call. The error is a
    /// Chinese explanation.
    fn render(
        &self,
        name: &str,
        args: serde_json::Map<String, serde_json::Value>,
        body: Option<&str>,
    ) -> Result<String, String>;
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
    /// All the text of the page, without markup, for the search index.
    pub text: String,
    /// Content paths of the Markdown files this page links to (found or not).
    pub links_to: Vec<String>,
    /// The JPEG and PNG files it shows, with the line and column of each image.
    pub pictures: Vec<(String, (usize, usize))>,
    /// Content paths of the files (not Markdown) it links to or hands to a shortcode.
    pub files: Vec<String>,
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
    let mut r = Renderer {
        cx,
        positions: Positions {
            source,
            text,
            index: None,
        },
        out: Rendered::default(),
        ids: HashMap::new(),
        plain: String::new(),
        summary: None,
        depth: 0,
    };
    let html = r.part(body_offset..text.len());
    let mut out = r.out;
    out.html = html;
    out.laws.extend(cited_laws(&r.plain, cx.laws));
    out.summary = shorten(r.summary.unwrap_or_default().trim(), SUMMARY_CHARS);
    out.text = r.plain;
    // Raw forbidden characters were removed as the file was read; a character reference
    // (`&#1;`) can still make one, in text, link titles or addresses.
    let mut removed = false;
    for field in [&mut out.html, &mut out.text, &mut out.summary] {
        if field.chars().any(crate::text::is_forbidden) {
            field.retain(|c| !crate::text::is_forbidden(c));
            removed = true;
        }
    }
    if removed {
        let at = forbidden_reference(text, body_offset).unwrap_or(body_offset);
        let d = Diagnostic::warning(
            "text/forbidden-character",
            "这里的字符引用写出了网页和订阅里不允许的控制字符，已经删除",
        )
        .with_suggestion("删掉这个 &#…; 写法");
        let d = r.positions.diagnostic(at, d);
        out.diagnostics.push(d);
    }
    // Every page's HTML and text stay in memory until the site is written: give back what
    // growing them left over (a third on a large site).
    out.html.shrink_to_fit();
    out.text.shrink_to_fit();
    out
}

/// What one page's rendering gathers; block shortcodes render their bodies with the same one.
struct Renderer<'a, 'c> {
    cx: &'a LinkContext<'c>,
    positions: Positions<'a>,
    out: Rendered,
    ids: HashMap<String, usize>,
    /// All text, for finding law citations.
    plain: String,
    /// The first paragraph, once started.
    summary: Option<String>,
    /// How many block shortcodes the text being rendered is inside.
    depth: usize,
}

/// The offset of the first character reference (`&#1;`, `&#xFFFE;`) after `from` in `text`
/// that stands for a forbidden character.
fn forbidden_reference(text: &str, from: usize) -> Option<usize> {
    text.get(from..)?.match_indices("&#").find_map(|(i, _)| {
        let rest = &text[from + i + 2..];
        let (digits, radix) = match rest.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (rest, 10),
        };
        let end = digits.find(';')?;
        let n = u32::from_str_radix(&digits[..end], radix).ok()?;
        char::from_u32(n)
            .filter(|&c| crate::text::is_forbidden(c))
            .map(|_| from + i)
    })
}

/// Block quotes and lists inside each other, at most: deeper than this nobody means, and
/// browsers stop nesting the page at a few hundred levels.
const MAX_BLOCK_DEPTH: usize = 32;

/// Where the first block quote or list deeper than [`MAX_BLOCK_DEPTH`] starts, if any.
fn too_deep(events: &[(Event, Range<usize>)]) -> Option<usize> {
    let mut depth = 0usize;
    for (event, range) in events {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                depth += 1;
                if depth > MAX_BLOCK_DEPTH {
                    return Some(range.start);
                }
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Block shortcodes inside block shortcodes, at most: each level renders its body again, so
/// the bound keeps both the stack and the time in check on any input.
const MAX_SHORTCODE_DEPTH: usize = 16;

impl Renderer<'_, '_> {
    /// Renders the Markdown in `range` of the file's text to HTML.
    fn part(&mut self, range: Range<usize>) -> String {
        let (markdown, map, outputs) = self.expand_shortcodes(range.clone());
        let parser = Parser::new_ext(&markdown, options());
        let offsets: Vec<(Event, Range<usize>)> = parser.into_offset_iter().collect();
        // Remember where each link starts, before the emphasis pass drops the ranges.
        let link_starts: Vec<usize> = offsets
            .iter()
            .filter(|(e, _)| matches!(e, Event::Start(Tag::Link { .. } | Tag::Image { .. })))
            .map(|(_, r)| range.start + map.original(r.start))
            .collect();
        if let Some(at) = too_deep(&offsets) {
            let d = Diagnostic::error(
                "markdown/too-deep",
                format!("引用（>）或列表一层套一层，超过了 {MAX_BLOCK_DEPTH} 层"),
            )
            .with_suggestion("检查这一行开头的 > 和 - 是否多写了；浏览器也只显示有限的层数");
            let d = self.positions.diagnostic(range.start + map.original(at), d);
            self.out.diagnostics.push(d);
        }
        let events = emphasis::apply(offsets, &markdown);
        let events = place_shortcodes(events, &outputs);

        let mut in_first_paragraph = false;
        let mut heading: Option<Vec<Event>> = None;
        let mut links = link_starts.into_iter();
        let mut rewritten = Vec::with_capacity(events.len());
        // The start of the image being read and its alt text so far.
        let mut image: Option<(usize, String)> = None;
        // A picture published resized: the asset and title of the image being read, whose
        // events give way to one `<picture>`; and the alt text of the image just read.
        let mut picture: Option<(String, String)> = None;
        let mut alt_read = String::new();

        for event in events {
            let event = match event {
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let at = links.next().unwrap_or(range.start);
                    let dest_url = self.rewrite(dest_url, at, false);
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
                    let at = links.next().unwrap_or(range.start);
                    image = Some((at, String::new()));
                    picture = self
                        .picture_asset(&dest_url, at)
                        .map(|asset| (asset, title.to_string()));
                    let dest_url = self.rewrite(dest_url, at, true);
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
                    let (at, alt) = image.take().unwrap_or_default();
                    alt_read.clone_from(&alt);
                    if alt.trim().is_empty() {
                        let d = Diagnostic::warning("a11y/image-alt", "图片缺少替代文字（alt）")
                            .with_suggestion(
                                "写成 ![图片内容的简短说明](路径)：读屏软件会把这段文字读给视障读者听",
                            );
                        let d = self.positions.diagnostic(at, d);
                        self.out.diagnostics.push(d);
                    }
                }
                Event::Text(t) | Event::Code(t) => {
                    self.plain.push_str(t);
                    if in_first_paragraph && let Some(s) = self.summary.as_mut() {
                        s.push_str(t);
                    }
                }
                Event::SoftBreak | Event::HardBreak => {
                    if in_first_paragraph && let Some(s) = self.summary.as_mut() {
                        s.push(' ');
                    }
                }
                Event::Start(Tag::Paragraph) if self.summary.is_none() && heading.is_none() => {
                    self.summary = Some(String::new());
                    in_first_paragraph = true;
                }
                Event::End(TagEnd::Paragraph) => in_first_paragraph = false,
                Event::End(_) => self.plain.push('\n'),
                _ => {}
            }
            let event = match event {
                Event::End(TagEnd::Image) if picture.is_some() => {
                    let (asset, title) = picture.take().unwrap_or_default();
                    let page = self.cx.page_path;
                    let link = |path: &str| url::relative(page, &url::encode_path(path), false);
                    let look = crate::picture::Look {
                        alt: &alt_read,
                        title: Some(&title),
                        sizes: CONTENT_SIZES,
                        ..Default::default()
                    };
                    let html = self.cx.pictures.view(&asset, &link).map(|v| v.html(&look));
                    Event::InlineHtml(html.unwrap_or_default().into())
                }
                // The image's start and alt text, which the `<picture>` replaces.
                _ if picture.is_some() => continue,
                other => other,
            };
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
                    let id = unique_id(&mut self.ids, base);
                    events[0] = Event::Start(Tag::Heading {
                        level,
                        id: Some(CowStr::from(id.clone())),
                        classes,
                        attrs,
                    });
                    self.out.toc.push(Heading {
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
        let mut html = String::new();
        html::push_html(&mut html, rewritten.into_iter());
        html
    }

    /// Replaces every shortcode call in `range` with a placeholder and renders it. Returns the
    /// Markdown to parse, how its offsets map back to `range`, and each call's HTML.
    fn expand_shortcodes(&mut self, range: Range<usize>) -> (String, OffsetMap, Vec<String>) {
        let text = self.positions.text;
        let part = &text[range.clone()];
        if !part.contains("{{") && !part.contains("{%") {
            return (part.to_string(), OffsetMap::default(), Vec::new());
        }
        let (calls, errors) = shortcode::scan(part, &code_ranges(part));
        for e in errors {
            let d = Diagnostic::error("shortcode/syntax", e.message).with_suggestion(
                "短代码写成 {{ 名称(参数=\"值\") }}，包住一段内容时写成 {% 名称() %}内容{% end %}",
            );
            let d = self.positions.diagnostic(range.start + e.offset, d);
            self.out.diagnostics.push(d);
        }
        let mut markdown = String::with_capacity(part.len());
        let mut map = OffsetMap::default();
        let mut outputs = Vec::with_capacity(calls.len());
        let mut last = 0;
        for call in &calls {
            markdown.push_str(&part[last..call.range.start]);
            let token = placeholder(outputs.len());
            // A block call stands as a block of its own.
            let token = if call.body.is_some() {
                format!("\n\n{token}\n\n")
            } else {
                token
            };
            map.pieces.push((
                markdown.len(),
                markdown.len() + token.len(),
                call.range.start,
                call.range.end,
            ));
            markdown.push_str(&token);
            last = call.range.end;
            outputs.push(self.call(call, range.start));
        }
        markdown.push_str(&part[last..]);
        (markdown, map, outputs)
    }

    /// Renders one shortcode call found at `base` + its offsets.
    fn call(&mut self, call: &shortcode::Call, base: usize) -> String {
        let Some(shortcodes) = self.cx.shortcodes else {
            // The theme failed to load; that error is reported already.
            return String::new();
        };
        let at = base + call.name_at;
        if !shortcodes.exists(&call.name) {
            let names = shortcodes.names();
            let mut d = Diagnostic::error(
                "shortcode/unknown",
                format!("没有名为“{}”的短代码", call.name),
            );
            d = match nearest(&call.name, names.iter().map(String::as_str)) {
                Some(near) => d.with_suggestion(format!("是不是“{near}”？")),
                None => d.with_suggestion(format!("可用的短代码：{}", names.join("、"))),
            };
            let d = self.positions.diagnostic(at, d);
            self.out.diagnostics.push(d);
            return String::new();
        }
        let mut args = serde_json::Map::new();
        for (key, value) in &call.args {
            let value = match (key.as_str(), value) {
                ("src" | "poster" | "subtitles", Arg::Str(path)) if !has_scheme(path) => {
                    match self.file_link(path, at, "文件", false) {
                        Some(link) => link.into(),
                        None => return String::new(),
                    }
                }
                _ => value.to_json(),
            };
            args.insert(key.clone(), value);
        }
        if call.name == "law" && !self.law_argument(&mut args, at) {
            return String::new();
        }
        if call.body.is_some() && self.depth >= MAX_SHORTCODE_DEPTH {
            let d = Diagnostic::error(
                "shortcode/too-deep",
                format!("短代码一层套一层，超过了 {MAX_SHORTCODE_DEPTH} 层"),
            )
            .with_suggestion("检查 {% end %} 是否写全了；一般两三层就够了");
            let d = self.positions.diagnostic(at, d);
            self.out.diagnostics.push(d);
            return String::new();
        }
        self.depth += 1;
        let body = call
            .body
            .clone()
            .map(|b| self.part(base + b.start..base + b.end));
        self.depth -= 1;
        match shortcodes.render(&call.name, args, body.as_deref()) {
            Ok(html) => html,
            Err(message) => {
                let d = Diagnostic::error(
                    "shortcode/render",
                    format!("短代码 {} 出错：{message}", call.name),
                );
                let d = self.positions.diagnostic(at, d);
                self.out.diagnostics.push(d);
                String::new()
            }
        }
    }

    /// `law(name=…)` names a registered law: hands the template a `law` with its links and
    /// counts the call as a citation. False (with a diagnostic) when the law is unknown.
    fn law_argument(
        &mut self,
        args: &mut serde_json::Map<String, serde_json::Value>,
        at: usize,
    ) -> bool {
        let name = args.get("name").and_then(|v| v.as_str()).unwrap_or("");
        let wanted = name.trim().trim_start_matches('《').trim_end_matches('》');
        let Some(law) = self
            .cx
            .laws
            .iter()
            .find(|l| l.name == wanted || l.full_name == wanted)
        else {
            let mut d = Diagnostic::error(
                "shortcode/unknown-law",
                if wanted.is_empty() {
                    "law 短代码需要 name 参数，例如 {{ law(name=\"民法典\", article=\"第一千零四十二条\") }}".to_string()
                } else {
                    format!("法律“{wanted}”没有在 site.yaml 中登记")
                },
            );
            if let Some(near) = nearest(wanted, self.cx.laws.iter().map(|l| l.name.as_str())) {
                d = d.with_suggestion(format!("是不是“{near}”？"));
            }
            let d = self.positions.diagnostic(at, d);
            self.out.diagnostics.push(d);
            return false;
        };
        let article = args.get("article").and_then(|v| v.as_str()).unwrap_or("");
        if let (Some(count), Some((number, len))) =
            (law.articles, crate::laws::article_number(article.trim()))
            && (number == 0 || number > count)
        {
            let d = Diagnostic::error(
                "law/no-such-article",
                format!(
                    "《{}》共 {count} 条，没有{}",
                    law.name,
                    &article.trim()[..len]
                ),
            )
            .with_suggestion("核对条文的序号");
            let d = self.positions.diagnostic(at, d);
            self.out.diagnostics.push(d);
        }
        self.out.laws.insert(law.name.clone());
        let page = url::relative(
            self.cx.page_path,
            &format!("laws/{}/", law.slug),
            self.cx.offline,
        );
        args.insert(
            "law".into(),
            serde_json::json!({
                "name": law.name,
                "full_name": law.full_name,
                "url": page,
                "official_url": law.url,
            }),
        );
        true
    }

    /// The picture, published resized, that the image address `raw` names; notes where
    /// the page shows a JPEG or PNG ([`Rendered::pictures`]).
    fn picture_asset(&mut self, raw: &str, at: usize) -> Option<String> {
        if raw.starts_with('#') || raw.starts_with("//") || has_scheme(raw) {
            return None;
        }
        let path = raw.split(['?', '#']).next().unwrap_or(raw);
        let target = resolve_path(self.cx.content_path, &percent_decode(path))?;
        if self.cx.pictures.probes.contains_key(&target) {
            self.out
                .pictures
                .push((target.clone(), self.positions.at(at)));
        }
        // A GIF or SVG shown with its size: only its plain address, as it is published.
        let passed = self.cx.pictures.sizes.contains_key(&target) && path == raw;
        (self.cx.pictures.get(&target).is_some() || passed).then_some(target)
    }

    /// A link to the file `raw` names (relative to the Markdown file), made relative to the
    /// page; reports a missing file and returns `None`. Unless `image`, the file is noted as
    /// linked ([`Rendered::files`]).
    fn file_link(&mut self, raw: &str, at: usize, what: &str, image: bool) -> Option<String> {
        let (path, rest) = match raw.find(['?', '#']) {
            Some(i) => raw.split_at(i),
            None => (raw, ""),
        };
        let decoded = percent_decode(path);
        let Some(target) = resolve_path(self.cx.content_path, &decoded) else {
            let d = Diagnostic::error(
                "link/outside-content",
                format!("路径“{raw}”跑到了 content 文件夹外面"),
            );
            let d = self.positions.diagnostic(at, d);
            self.out.diagnostics.push(d);
            return None;
        };
        if !self.cx.assets.contains(&target) {
            let d = Diagnostic::error("link/missing-file", format!("找不到{what}“{raw}”"))
                .with_suggestion(
                    "路径相对于这篇 Markdown 文件所在的文件夹；以 / 开头则从 content/ 算起",
                );
            let d = self.positions.diagnostic(at, d);
            self.out.diagnostics.push(d);
            return None;
        }
        let mut link = url::relative(self.cx.page_path, &url::encode_path(&target), false);
        link.push_str(rest);
        if !image {
            self.out.files.push(target);
        }
        Some(link)
    }

    fn rewrite<'e>(&mut self, dest: CowStr<'e>, at: usize, image: bool) -> CowStr<'e> {
        let raw = dest.as_ref();
        if let Some(fragment) = raw.strip_prefix('#') {
            let (line, column) = self.positions.at(at);
            self.out.anchors.push(AnchorLink {
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
        let path = raw.split(['#', '?']).next().unwrap_or(raw);
        let fragment = raw.split_once('#').map(|(_, f)| f);
        if image || !path.ends_with(".md") {
            let what = if image { "图片" } else { "链接的文件" };
            return match self.file_link(raw, at, what, image) {
                Some(link) => link.into(),
                None => dest,
            };
        }
        let Some(target) = resolve_path(self.cx.content_path, &percent_decode(path)) else {
            let d = Diagnostic::error(
                "link/outside-content",
                format!("链接“{raw}”跑到了 content 文件夹外面"),
            );
            let d = self.positions.diagnostic(at, d);
            self.out.diagnostics.push(d);
            return dest;
        };
        self.out.links_to.push(target.clone());
        let Some(target_path) = (self.cx.pages)(&target) else {
            let d = if self.cx.drafts.contains(&target) {
                Diagnostic::warning(
                    "link/draft",
                    format!("链接“{raw}”指向草稿，草稿不发布，读者点开会找不到页面"),
                )
            } else if let Some(held) = self.cx.held.get(&target) {
                Diagnostic::warning(
                    "link/not-yet-published",
                    format!(
                        "链接“{raw}”指向的内容{}，现在读者点开会找不到页面",
                        held.reason()
                    ),
                )
                .with_suggestion(match held {
                    crate::content::Held::Scheduled(_) => {
                        "等它发布后再加这个链接，或者把这一篇也定在那天以后发布"
                    }
                    crate::content::Held::Expired(_) => "删掉这个链接，或者改指向仍在网站上的内容",
                })
            } else {
                Diagnostic::error("link/missing-page", format!("链接的文件“{raw}”不存在"))
                    .with_suggestion(
                        "路径相对于这篇 Markdown 文件所在的文件夹；以 / 开头则从 content/ 算起",
                    )
            };
            let d = self.positions.diagnostic(at, d);
            self.out.diagnostics.push(d);
            return dest;
        };
        let mut to = target_path.to_string();
        if let Some(fragment) = fragment {
            to.push('#');
            to.push_str(fragment);
            let (line, column) = self.positions.at(at);
            self.out.anchors.push(AnchorLink {
                target: Some(target.clone()),
                fragment: percent_decode(fragment),
                line,
                column,
            });
        }
        url::relative(self.cx.page_path, &to, self.cx.offline).into()
    }
}

/// Lazily built line index, for positioning the rare problem.
struct Positions<'a> {
    source: &'a Path,
    text: &'a str,
    index: Option<LineIndex>,
}

impl Positions<'_> {
    /// Line and column of byte `offset` of the file's text.
    fn at(&mut self, offset: usize) -> (usize, usize) {
        let index = self.index.get_or_insert_with(|| LineIndex::new(self.text));
        index.position(self.text, offset)
    }

    fn diagnostic(&mut self, offset: usize, d: Diagnostic) -> Diagnostic {
        let (line, column) = self.at(offset);
        d.in_file(self.source).at(line, column)
    }
}

/// Maps offsets in Markdown whose shortcode calls were replaced by placeholders back to the
/// offsets of the text as written.
#[derive(Default)]
struct OffsetMap {
    /// (placeholder start, placeholder end, call start, call end), in order.
    pieces: Vec<(usize, usize, usize, usize)>,
}

impl OffsetMap {
    fn original(&self, offset: usize) -> usize {
        let mut shifted = offset;
        for &(new_start, new_end, old_start, old_end) in &self.pieces {
            if offset < new_start {
                break;
            }
            if offset < new_end {
                return old_start;
            }
            shifted = offset - new_end + old_end;
        }
        shifted
    }
}

const PLACEHOLDER_OPEN: char = '\u{E000}';
const PLACEHOLDER_CLOSE: char = '\u{E001}';

fn placeholder(i: usize) -> String {
    format!("{PLACEHOLDER_OPEN}{i}{PLACEHOLDER_CLOSE}")
}

/// Byte ranges of code spans and code blocks, where shortcodes are left alone.
fn code_ranges(markdown: &str) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Code(_) | Event::Start(Tag::CodeBlock(_))))
        .map(|(_, r)| r)
        .collect();
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// Puts each shortcode's HTML where its placeholder is: a paragraph holding only a
/// placeholder becomes the HTML block, a placeholder inside text inline HTML.
fn place_shortcodes<'e>(events: Vec<Event<'e>>, outputs: &[String]) -> Vec<Event<'e>> {
    if outputs.is_empty() {
        return events;
    }
    let lone = |e: &Event| -> Option<usize> {
        let Event::Text(t) = e else { return None };
        let inner = t
            .trim()
            .strip_prefix(PLACEHOLDER_OPEN)?
            .strip_suffix(PLACEHOLDER_CLOSE)?;
        inner.parse().ok()
    };
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if matches!(events[i], Event::Start(Tag::Paragraph))
            && matches!(events.get(i + 2), Some(Event::End(TagEnd::Paragraph)))
            && let Some(n) = events.get(i + 1).and_then(lone)
            && let Some(html) = outputs.get(n)
        {
            out.push(Event::Html(format!("{html}\n").into()));
            i += 3;
            continue;
        }
        match &events[i] {
            Event::Text(t) if t.contains(PLACEHOLDER_OPEN) => {
                let mut rest: &str = t;
                while let Some(open) = rest.find(PLACEHOLDER_OPEN) {
                    let after = &rest[open + PLACEHOLDER_OPEN.len_utf8()..];
                    let Some(close) = after.find(PLACEHOLDER_CLOSE) else {
                        break;
                    };
                    let Ok(n) = after[..close].parse::<usize>() else {
                        break;
                    };
                    if open > 0 {
                        out.push(Event::Text(rest[..open].to_string().into()));
                    }
                    // Inside a line, a template's trailing newline would show as a space.
                    let html = outputs.get(n).map_or("", |h| h.trim());
                    out.push(Event::InlineHtml(html.to_string().into()));
                    rest = &after[close + PLACEHOLDER_CLOSE.len_utf8()..];
                }
                if !rest.is_empty() {
                    out.push(Event::Text(rest.to_string().into()));
                }
            }
            _ => out.push(events[i].clone()),
        }
        i += 1;
    }
    out
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
            articles: None,
        }
    }

    fn render_page(markdown: &str) -> Rendered {
        let pages = std::collections::BTreeMap::from([
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
            pages: &|path: &str| pages.get(path).map(String::as_str),
            drafts: &drafts,
            held: &Default::default(),
            assets: &assets,
            pictures: &Default::default(),
            laws: &laws,
            offline: false,
            shortcodes: None,
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

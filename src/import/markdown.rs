//! The imported document model written as the Markdown pufa renders.
//!
//! Text is escaped so that it reads back as the same text: Markdown's punctuation, the `{{` and
//! `{%` that open a shortcode, and what would start a heading, list or quote at the start of a
//! line all get a backslash. Bold and italic runs are merged and their markers kept off
//! spaces, which is what pufa's Chinese-friendly emphasis rule needs.

use super::{Block, Document, Inline, Marker};

/// The Markdown body of `doc`, its pictures linked as `picture_dir/NAME` (relative to the
/// Markdown file). Ends with a newline; empty when the document has no content.
pub fn write(doc: &Document, picture_dir: &str) -> String {
    let writer = Writer {
        doc,
        picture_dir,
        one_line: false,
    };
    let mut out = String::new();
    // Widths of the markers of the list items open at each depth.
    let mut open: Vec<usize> = Vec::new();
    let mut previous_was_item = false;
    for block in &doc.blocks {
        let is_item = matches!(block, Block::Item { .. });
        if !out.is_empty() {
            out.push_str(if is_item && previous_was_item {
                "\n"
            } else {
                "\n\n"
            });
        }
        if !is_item {
            open.clear();
        }
        previous_was_item = is_item;
        match block {
            Block::Heading { level, content } => {
                let hashes = "#".repeat(usize::from((*level).clamp(1, 5)) + 1);
                out.push_str(&hashes);
                out.push(' ');
                writer.inlines(&flatten(content), &mut out, Place::HeadingText);
            }
            Block::Paragraph(content) => writer.inlines(content, &mut out, Place::LineStart),
            Block::Item {
                depth,
                marker,
                content,
            } => {
                let depth = (*depth).min(open.len());
                open.truncate(depth);
                let indent: usize = open.iter().sum();
                let marker = match marker {
                    Marker::Bullet => "- ".to_string(),
                    Marker::Number(n) => format!("{}. ", n.min(&999_999_999)),
                };
                out.push_str(&" ".repeat(indent));
                out.push_str(&marker);
                open.push(marker.len());
                let mut item = String::new();
                writer.inlines(content, &mut item, Place::LineStart);
                // Lines after a break belong to the item: indent them under its text.
                let pad = " ".repeat(indent + marker.len());
                out.push_str(&item.replace('\n', &format!("\n{pad}")));
            }
            Block::Table(rows) => writer.table(rows, &mut out),
        }
    }
    for (n, note) in doc.footnotes.iter().enumerate() {
        out.push_str(if out.is_empty() { "" } else { "\n\n" });
        out.push_str(&format!("[^{}]: ", n + 1));
        writer.inlines(&flatten(note), &mut out, Place::LineStart);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Where escaped text starts, for the characters that only matter at the start of a line.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// At the start of a line of a paragraph or list item.
    LineStart,
    /// After `## `: a heading's own text.
    HeadingText,
    /// Inside a line (table cells, footnotes after their label).
    Inside,
    /// Right after a footnote mark at the start of a line, where `:` would make it a
    /// footnote's definition.
    AfterNoteMark,
}

#[derive(Clone, Copy)]
struct Writer<'a> {
    doc: &'a Document,
    picture_dir: &'a str,
    /// Writing a table cell: a line break is `<br>`, since a cell is one line.
    one_line: bool,
}

impl Writer<'_> {
    /// Writes `content`, merging neighbouring text of the same formatting into one run.
    fn inlines(&self, content: &[Inline], out: &mut String, mut place: Place) {
        let mut emphasis = Emphasis::default();
        for (i, piece) in content.iter().enumerate() {
            if !matches!(piece, Inline::Text { .. }) {
                emphasis.interrupted();
            }
            match piece {
                Inline::Text { text, bold, italic } => {
                    // Neighbours of the same formatting are one run.
                    let same = |p: Option<&Inline>| matches!(p, Some(Inline::Text { bold: b, italic: it, .. }) if (*b, *it) == (*bold, *italic));
                    if i > 0 && same(content.get(i - 1)) {
                        continue;
                    }
                    let mut run = text.clone();
                    for next in &content[i + 1..] {
                        match next {
                            Inline::Text { text, .. } if same(Some(next)) => run.push_str(text),
                            _ => break,
                        }
                    }
                    emphasis.text(&run, *bold, *italic, out, &mut place);
                }
                Inline::Break => {
                    if self.one_line {
                        out.push_str("<br>");
                    } else {
                        out.push_str("\\\n");
                        place = Place::LineStart;
                    }
                }
                Inline::Link { url, content } => {
                    // A link's text is one line of text: its breaks become spaces, and what
                    // cannot stand inside link text (a footnote mark, a picture, a link)
                    // follows it.
                    let (text, after) = link_parts(content);
                    out.push('[');
                    self.inlines(&text, out, Place::Inside);
                    out.push_str("](");
                    out.push_str(&link_destination(url));
                    out.push(')');
                    place = Place::Inside;
                    self.inlines(&after, out, place);
                }
                Inline::Footnote(n) => {
                    out.push_str(&format!("[^{n}]"));
                    // `[^1]:` at the start of a line would define a footnote.
                    if place == Place::LineStart
                        && let Some(Inline::Text { text, .. }) = content.get(i + 1)
                        && text.starts_with(':')
                    {
                        place = Place::AfterNoteMark;
                    } else {
                        place = Place::Inside;
                    }
                }
                Inline::Picture { index, alt } => {
                    if let Some(picture) = self.doc.pictures.get(*index) {
                        out.push_str("![");
                        let mut alt_place = Place::Inside;
                        escape(&super::clean(alt), out, &mut alt_place);
                        out.push_str("](");
                        out.push_str(&link_destination(&format!(
                            "{}/{}",
                            self.picture_dir, picture.name
                        )));
                        out.push(')');
                        place = Place::Inside;
                    }
                }
            }
        }
    }

    /// A pipe table; a table needs a header row, so the first row is it.
    fn table(&self, rows: &[Vec<Vec<Inline>>], out: &mut String) {
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for (r, row) in rows.iter().enumerate() {
            if r > 0 {
                out.push('\n');
            }
            out.push('|');
            for c in 0..columns {
                out.push(' ');
                if let Some(cell) = row.get(c) {
                    let cell_writer = Writer {
                        one_line: true,
                        ..*self
                    };
                    cell_writer.inlines(cell, out, Place::Inside);
                }
                out.push_str(" |");
            }
            if r == 0 {
                out.push('\n');
                out.push('|');
                for _ in 0..columns {
                    out.push_str(" --- |");
                }
            }
        }
    }
}

/// `content` with its line breaks made spaces, for what must stay on one line.
fn flatten(content: &[Inline]) -> Vec<Inline> {
    content
        .iter()
        .map(|i| match i {
            Inline::Break => Inline::plain(" "),
            other => other.clone(),
        })
        .collect()
}

/// Writes runs of text with their bold and italic markers. Each run of one formatting gets
/// markers of its own (`**甲**`, `***乙***`), never nested: pufa pairs markers of the same
/// length, which nesting would break in Chinese text. Markers stay off white space, where
/// emphasis can neither open nor close.
#[derive(Default)]
struct Emphasis {
    /// The output ends with a closing marker: one opening right after it would run together
    /// with it (`**甲*****乙***`).
    after_marker: bool,
}

impl Emphasis {
    fn text(&mut self, text: &str, bold: bool, italic: bool, out: &mut String, place: &mut Place) {
        let marker = match (bold, italic) {
            (true, true) => "***",
            (true, false) => BOLD,
            (false, true) => ITALIC,
            (false, false) => "",
        };
        let core = text.trim_matches(char::is_whitespace);
        if marker.is_empty() || core.is_empty() {
            escape(text, out, place);
            self.after_marker &= text.is_empty();
            return;
        }
        let lead = &text[..text.len() - text.trim_start_matches(char::is_whitespace).len()];
        let tail = &text[text.trim_end_matches(char::is_whitespace).len()..];
        escape(lead, out, place);
        if lead.is_empty() && self.after_marker {
            // An empty comment keeps the two runs of markers apart.
            out.push_str("<!-- -->");
        }
        if *place == Place::LineStart {
            // `**` at the start of a line opens emphasis; it cannot start a list there.
            *place = Place::Inside;
        }
        out.push_str(marker);
        escape(core, out, place);
        out.push_str(marker);
        escape(tail, out, place);
        self.after_marker = tail.is_empty();
    }

    /// Something other than text was written: no marker ends the output any more.
    fn interrupted(&mut self) {
        self.after_marker = false;
    }
}

const BOLD: &str = "**";
const ITALIC: &str = "*";

/// A link's content split into what can stand in its text (text, spaces for breaks, the text
/// of a link inside it) and what must follow it (footnote marks, pictures).
fn link_parts(content: &[Inline]) -> (Vec<Inline>, Vec<Inline>) {
    let mut text = Vec::new();
    let mut after = Vec::new();
    for piece in content {
        match piece {
            Inline::Text { .. } => text.push(piece.clone()),
            Inline::Break => text.push(Inline::plain(" ")),
            Inline::Link { content, .. } => {
                let (inner, inner_after) = link_parts(content);
                text.extend(inner);
                after.extend(inner_after);
            }
            Inline::Footnote(_) | Inline::Picture { .. } => after.push(piece.clone()),
        }
    }
    (text, after)
}

/// Writes `text` so that Markdown reads it back as the same text.
fn escape(text: &str, out: &mut String, place: &mut Place) {
    let mut chars = text.chars().peekable();
    let mut previous = None;
    while let Some(c) = chars.next() {
        let at_start = matches!(*place, Place::LineStart | Place::HeadingText);
        if *place == Place::AfterNoteMark && c == ':' {
            out.push_str("\\:");
            *place = Place::Inside;
            previous = Some(c);
            continue;
        }
        if *place == Place::LineStart && c == ' ' {
            // Leading spaces would indent the line into a code block or a list.
            continue;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '{' | '}' | '#' => {
                out.push('\\');
                out.push(c);
            }
            // `{%` opens a shortcode even after an escaped brace.
            '%' if previous == Some('{') => out.push_str("\\%"),
            '-' | '+' | '=' if at_start => {
                out.push('\\');
                out.push(c);
            }
            '!' if chars.peek() == Some(&'[') => out.push_str("\\!"),
            '0'..='9' if at_start => {
                // `1.` or `1)` at the start of a line starts an ordered list.
                out.push(c);
                while let Some(&d) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    out.push(d);
                    chars.next();
                }
                if let Some(&d) = chars.peek()
                    && (d == '.' || d == ')')
                {
                    out.push('\\');
                    out.push(d);
                    chars.next();
                    previous = Some(d);
                    *place = Place::Inside;
                    continue;
                }
            }
            _ => out.push(c),
        }
        previous = Some(c);
        *place = Place::Inside;
    }
}

/// A link destination Markdown reads back as `url`: characters that would end or break it
/// are percent-encoded.
fn link_destination(url: &str) -> String {
    const UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'<')
        .add(b'>')
        .add(b'(')
        .add(b')')
        .add(b'\\')
        .add(b'"')
        .add(b'`');
    percent_encoding::utf8_percent_encode(url, UNSAFE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Picture;

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            blocks,
            ..Document::default()
        }
    }

    fn text(t: &str, bold: bool, italic: bool) -> Inline {
        Inline::Text {
            text: t.into(),
            bold,
            italic,
        }
    }

    #[test]
    fn text_that_looks_like_markdown_stays_text() {
        let cases = [
            ("# 不是标题", "\\# 不是标题"),
            ("1. 不是列表", "1\\. 不是列表"),
            ("2) 也不是", "2\\) 也不是"),
            ("- 横线", "\\- 横线"),
            ("> 引用", "\\> 引用"),
            ("a*b*c_d_", "a\\*b\\*c\\_d\\_"),
            ("见[附件]", "见\\[附件\\]"),
            ("{{ video(src=\"x\") }}", "\\{\\{ video(src=\"x\") \\}\\}"),
            ("{% tip() %}", "\\{\\% tip() %\\}"),
            ("<script>", "\\<script\\>"),
            ("&amp;", "\\&amp;"),
            ("第1042条", "第1042条"),
            ("共 3.5 万元", "共 3.5 万元"),
            ("“引号”和‘单引号’", "“引号”和‘单引号’"),
        ];
        for (input, want) in cases {
            let got = write(
                &doc(vec![Block::Paragraph(vec![Inline::plain(input)])]),
                "p",
            );
            assert_eq!(got, format!("{want}\n"), "{input}");
        }
    }

    /// `markdown` rendered as pufa renders an article body, and what it reported.
    fn render(markdown: &str) -> (String, usize) {
        let empty = std::collections::BTreeSet::new();
        let cx = crate::markdown::LinkContext {
            content_path: "articles/a.md",
            page_path: "articles/a/",
            pages: &|_: &str| None,
            drafts: &empty,
            held: &Default::default(),
            assets: &empty,
            pictures: &Default::default(),
            laws: &[],
            offline: false,
            shortcodes: None,
        };
        let text = format!("---\ntitle: 甲\n---\n{markdown}");
        let body = text.len() - markdown.len();
        let r = crate::markdown::render(
            std::path::Path::new("content/articles/a.md"),
            &text,
            body,
            &cx,
        );
        (r.html.trim().to_string(), r.diagnostics.len())
    }

    /// What a paragraph holding `text` must render as.
    fn paragraph_html(text: &str) -> String {
        format!("<p>{}</p>", crate::text::escape_html(text))
    }

    #[test]
    fn escaped_text_renders_back_as_itself() {
        let input = "# 1. {{ x() }} {% y() %} *a* _b_ [c](d) <e> `f` ~g~ | h & i \\ j ![k]";
        let md = write(
            &doc(vec![Block::Paragraph(vec![Inline::plain(input)])]),
            "p",
        );
        assert_eq!(render(&md), (paragraph_html(input), 0));
    }

    proptest::proptest! {
        /// Any text an author's document holds comes out of the page as that text: no
        /// character of it turns into markup, a shortcode or an error.
        #[test]
        fn any_text_renders_back_as_itself(
            text in "[a-z0-9 中文“”#*_`~<>\\[\\]()!{}%&|=+.\\-:/@\\\\]{1,40}"
        ) {
            let text = text.trim_matches(' ').to_string();
            proptest::prop_assume!(!text.is_empty());
            // Runs of spaces inside are one space in HTML: compare with them folded.
            proptest::prop_assume!(!text.contains("  "));
            let md = write(&doc(vec![Block::Paragraph(vec![Inline::plain(text.clone())])]), "p");
            let (html, problems) = render(&md);
            proptest::prop_assert_eq!(html.trim(), paragraph_html(&text), "{}", md);
            proptest::prop_assert_eq!(problems, 0);
        }
    }

    #[test]
    fn emphasis_merges_runs_and_keeps_spaces_outside() {
        let content = vec![
            text("居住权是", false, false),
            text("民法", true, false),
            text("典 ", true, false),
            text("新设立的", false, true),
            text("用益物权", true, true),
        ];
        assert_eq!(
            write(&doc(vec![Block::Paragraph(content)]), "p"),
            "居住权是**民法典** *新设立的*<!-- -->***用益物权***\n"
        );
    }

    /// Each character of `html` (a paragraph) with whether it is bold and italic.
    fn styled_chars(html: &str) -> Vec<(char, bool, bool)> {
        let mut out = Vec::new();
        let (mut strong, mut em) = (0i32, 0i32);
        let mut rest = html;
        while let Some(c) = rest.chars().next() {
            if c == '<' {
                let end = rest.find('>').unwrap() + 1;
                match &rest[..end] {
                    "<strong>" => strong += 1,
                    "</strong>" => strong -= 1,
                    "<em>" => em += 1,
                    "</em>" => em -= 1,
                    _ => {}
                }
                rest = &rest[end..];
                continue;
            }
            out.push((c, strong > 0, em > 0));
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    #[test]
    fn every_sequence_of_bold_and_italic_runs_renders_as_formatted() {
        let formats = [(false, false), (true, false), (false, true), (true, true)];
        let texts = ["甲", "“乙”", "丙　", " 丁"];
        let mut sequences: Vec<Vec<usize>> = (0..4).map(|a| vec![a]).collect();
        for _ in 0..2 {
            let longer: Vec<Vec<usize>> = sequences
                .iter()
                .flat_map(|s| (0..4).map(move |f| [s.clone(), vec![f]].concat()))
                .collect();
            sequences.extend(longer);
        }
        for sequence in sequences {
            for t in 0..texts.len() {
                let content: Vec<Inline> = sequence
                    .iter()
                    .enumerate()
                    .map(|(k, &f)| text(texts[(t + k) % texts.len()], formats[f].0, formats[f].1))
                    .collect();
                let md = write(&doc(vec![Block::Paragraph(content.clone())]), "p");
                let (html, _) = render(&md);
                let inner = html
                    .trim_start_matches("<p>")
                    .trim_end_matches("</p>")
                    .replace("<!-- -->", "");
                let got = styled_chars(&inner);
                let want: Vec<(char, bool, bool)> = content
                    .iter()
                    .flat_map(|piece| match piece {
                        Inline::Text { text, bold, italic } => text
                            .chars()
                            .map(|c| (c, *bold, *italic))
                            .collect::<Vec<_>>(),
                        _ => Vec::new(),
                    })
                    .collect();
                // White space at the edges of a run may fall either side of its markers.
                let strip = |v: &[(char, bool, bool)]| -> Vec<(char, bool, bool)> {
                    let trimmed: Vec<_> = v
                        .iter()
                        .map(|&(c, b, i)| {
                            if c.is_whitespace() {
                                (c, false, false)
                            } else {
                                (c, b, i)
                            }
                        })
                        .collect();
                    let first = trimmed
                        .iter()
                        .position(|p| !p.0.is_whitespace())
                        .unwrap_or(0);
                    let last = trimmed
                        .iter()
                        .rposition(|p| !p.0.is_whitespace())
                        .map_or(0, |l| l + 1);
                    trimmed[first..last].to_vec()
                };
                assert_eq!(strip(&got), strip(&want), "{md}");
            }
        }
    }

    #[test]
    fn nested_lists_indent_under_their_parents_text() {
        let item = |depth, marker, t: &str| Block::Item {
            depth,
            marker,
            content: vec![Inline::plain(t)],
        };
        let md = write(
            &doc(vec![
                Block::Paragraph(vec![Inline::plain("前言")]),
                item(0, Marker::Number(1), "一"),
                item(1, Marker::Bullet, "甲"),
                item(2, Marker::Bullet, "子"),
                item(0, Marker::Number(2), "二"),
                // A level with no parent open stays at the outermost list, never a code block.
                Block::Paragraph(vec![Inline::plain("正文")]),
                item(3, Marker::Bullet, "孤"),
            ]),
            "p",
        );
        assert_eq!(
            md,
            "前言\n\n1. 一\n   - 甲\n     - 子\n2. 二\n\n正文\n\n- 孤\n"
        );
    }

    #[test]
    fn tables_footnotes_links_and_pictures() {
        let mut d = doc(vec![
            Block::Heading {
                level: 1,
                content: vec![
                    Inline::plain("常见手法"),
                    Inline::Break,
                    Inline::plain("二"),
                ],
            },
            Block::Paragraph(vec![
                Inline::plain("见"),
                Inline::Link {
                    url: "https://flk.npc.gov.cn/a b(1)".into(),
                    content: vec![Inline::plain("数据库")],
                },
                Inline::Footnote(1),
                Inline::Break,
                Inline::plain("3. 下一行"),
            ]),
            Block::Table(vec![
                vec![vec![Inline::plain("手法")], vec![Inline::plain("对策")]],
                vec![
                    vec![Inline::plain("退款 | 理赔")],
                    vec![
                        Inline::plain("核实"),
                        Inline::Break,
                        Inline::Picture {
                            index: 0,
                            alt: "窗口[1]".into(),
                        },
                    ],
                    vec![Inline::plain("多出的格")],
                ],
            ]),
        ]);
        d.footnotes = vec![vec![Inline::plain("2022 年通过。")]];
        d.pictures = vec![Picture {
            name: "1.png".into(),
            bytes: Vec::new(),
        }];
        assert_eq!(
            write(&d, "shua-dan"),
            "## 常见手法 二\n\n\
             见[数据库](https://flk.npc.gov.cn/a%20b%281%29)[^1]\\\n3\\. 下一行\n\n\
             | 手法 | 对策 |  |\n| --- | --- | --- |\n\
             | 退款 \\| 理赔 | 核实<br>![窗口\\[1\\]](shua-dan/1.png) | 多出的格 |\n\n\
             [^1]: 2022 年通过。\n"
        );
    }
}

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
        writer.inlines(&flatten(note), &mut out, Place::Inside);
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
        let mut i = 0;
        while i < content.len() {
            match &content[i] {
                Inline::Text { bold, italic, .. } => {
                    let (bold, italic) = (*bold, *italic);
                    let mut run = String::new();
                    while let Some(Inline::Text {
                        text,
                        bold: b,
                        italic: it,
                    }) = content.get(i)
                    {
                        if (*b, *it) != (bold, italic) {
                            break;
                        }
                        run.push_str(text);
                        i += 1;
                    }
                    emphasised(&run, bold, italic, out, &mut place);
                    continue;
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
                    // A link's text is one line: its breaks become spaces.
                    out.push('[');
                    self.inlines(&flatten(content), out, Place::Inside);
                    out.push_str("](");
                    out.push_str(&link_destination(url));
                    out.push(')');
                    place = Place::Inside;
                }
                Inline::Footnote(n) => {
                    out.push_str(&format!("[^{n}]"));
                    place = Place::Inside;
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
            i += 1;
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

/// Writes `text` escaped, with `**`/`*` markers around it when bold or italic. Spaces at its
/// edges go outside the markers, where emphasis can open and close.
fn emphasised(text: &str, bold: bool, italic: bool, out: &mut String, place: &mut Place) {
    let marker = match (bold, italic) {
        (true, true) => "***",
        (true, false) => "**",
        (false, true) => "*",
        (false, false) => "",
    };
    let core = text.trim_matches(' ');
    if marker.is_empty() || core.is_empty() {
        escape(text, out, place);
        return;
    }
    let lead = &text[..text.len() - text.trim_start_matches(' ').len()];
    let tail = &text[text.trim_end_matches(' ').len()..];
    escape(lead, out, place);
    if *place == Place::LineStart {
        // `**` at the start of a line opens emphasis; it cannot start a list or a rule there.
        *place = Place::Inside;
    }
    out.push_str(marker);
    escape(core, out, place);
    out.push_str(marker);
    escape(tail, out, place);
}

/// Writes `text` so that Markdown reads it back as the same text.
fn escape(text: &str, out: &mut String, place: &mut Place) {
    let mut chars = text.chars().peekable();
    let mut previous = None;
    while let Some(c) = chars.next() {
        let at_start = *place != Place::Inside;
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
            "居住权是**民法典** *新设立的****用益物权***\n"
        );
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

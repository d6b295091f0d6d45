//! `pufa import`'s converters: Word documents (.docx) and plain text in any of the encodings
//! Chinese offices save it in, turned into the Markdown body of a content file.
//!
//! Each reader ([`docx`], [`plain`]) turns its file into one small document model — blocks
//! of inline pieces — and [`markdown`] writes that model as Markdown, so escaping, emphasis
//! and lists are decided in one place whatever the source. `cmd::import` places the result
//! in the site with its front matter. Nothing here touches the site.

pub mod docx;
pub mod markdown;
pub mod plain;

use crate::diagnostic::Diagnostic;
use std::path::Path;

/// A piece of text inside a block.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text {
        text: String,
        bold: bool,
        italic: bool,
    },
    /// A line break inside the block (Word's Shift+Enter, U+000B in pasted text).
    Break,
    /// A link to a web address (`http`, `https` or `mailto`) around its text.
    Link { url: String, content: Vec<Inline> },
    /// A footnote reference, numbered from 1 in the order of [`Document::footnotes`].
    Footnote(usize),
    /// A picture, an index into [`Document::pictures`].
    Picture { index: usize, alt: String },
}

impl Inline {
    pub fn plain(text: impl Into<String>) -> Inline {
        Inline::Text {
            text: text.into(),
            bold: false,
            italic: false,
        }
    }
}

/// How a list item is marked.
#[derive(Debug, Clone, PartialEq)]
pub enum Marker {
    Bullet,
    /// An ordered item with its number.
    Number(u32),
}

/// A block of the document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading, level 1 the highest in the document (it becomes `##`: the page title is
    /// the only `#`).
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// A list item; `depth` 0 is the outermost list.
    Item {
        depth: usize,
        marker: Marker,
        content: Vec<Inline>,
    },
    /// Rows of cells, the first row the header.
    Table(Vec<Vec<Vec<Inline>>>),
}

/// A picture taken out of a document, to be written next to the article.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// The file name it is written under (`1.png`).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a reader made of one file.
#[derive(Debug, Default)]
pub struct Document {
    /// The title the file gave (its first heading, or its document properties).
    pub title: Option<String>,
    /// Who the document properties name as its author, when that is a real name.
    pub author: Option<String>,
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Vec<Inline>>,
    pub pictures: Vec<Picture>,
    /// Markdown written as it is, for a Markdown file (front matter included when it had
    /// one); `blocks` are empty then.
    pub markdown: Option<String>,
    /// Whether `markdown` starts with front matter of its own.
    pub own_front_matter: bool,
    /// The encoding a text file was converted from, named for the author (`GBK/GB18030`).
    pub encoding: Option<&'static str>,
    /// What could not be converted, one message each, for the author to see.
    pub skipped: Vec<String>,
}

/// Reads `path` (shown to the author as `shown`) by its extension.
pub fn read(path: &Path, shown: &Path) -> Result<Document, Diagnostic> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "docx" => docx::read(path, shown),
        "txt" | "md" | "markdown" => plain::read(path, shown, extension != "txt"),
        "doc" | "wps" => Err(Diagnostic::error(
            "import/old-word",
            "这是旧版 Word（.doc）或 WPS（.wps）格式的文件，pufa 只能导入 .docx",
        )
        .in_file(shown)
        .with_suggestion("在 Word 或 WPS 里打开它，“另存为”选择 .docx 格式，再导入新文件")),
        _ => Err(Diagnostic::error(
            "import/unknown-kind",
            "pufa 只能导入 Word 文档（.docx）和文本文件（.txt、.md）",
        )
        .in_file(shown)
        .with_suggestion("PDF、图片等文件直接放进 content/ 里，在文章中链接它们")),
    }
}

/// Text as it should stand in a block: the characters no page may hold removed, Word's
/// non-breaking spaces made plain, zero-width characters dropped. Indentation is the
/// caller's to trim (only at the start of a block).
pub fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\u{a0}' | '\t' | '\n' | '\r' => Some(' '),
            '\u{200b}' | '\u{feff}' | '\u{ad}' => None,
            c if crate::text::is_forbidden(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Whether `c` is what pasted and typed Chinese text indents or pads lines with: ASCII and
/// full-width spaces, non-breaking spaces, tabs.
pub fn is_padding(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}' | '\u{a0}')
}

/// `content` with the padding at its start and end taken off, and breaks at either end gone.
/// Linear: a paragraph of a hundred thousand line breaks is as quick as any.
pub fn trim(mut content: Vec<Inline>) -> Vec<Inline> {
    let blank = |piece: &Inline| match piece {
        Inline::Break => true,
        Inline::Text { text, .. } => text.chars().all(is_padding),
        _ => false,
    };
    let Some(first) = content.iter().position(|p| !blank(p)) else {
        return Vec::new();
    };
    let last = content.iter().rposition(|p| !blank(p)).unwrap_or(first);
    content.truncate(last + 1);
    content.drain(..first);
    if let Some(Inline::Text { text, .. }) = content.first_mut() {
        *text = text.trim_start_matches(is_padding).to_string();
    }
    if let Some(Inline::Text { text, .. }) = content.last_mut() {
        text.truncate(text.trim_end_matches(is_padding).len());
    }
    content
}

/// The text of `content` alone, without formatting (for titles, headings and messages).
pub fn text_of(content: &[Inline]) -> String {
    let mut out = String::new();
    for piece in content {
        match piece {
            Inline::Text { text, .. } => out.push_str(text),
            Inline::Break => out.push(' '),
            Inline::Link { content, .. } => out.push_str(&text_of(content)),
            Inline::Footnote(_) | Inline::Picture { .. } => {}
        }
    }
    out
}

/// The first `max` characters of `text`, white space folded, with an ellipsis when it was
/// longer: how a message quotes what it could not convert.
pub fn snippet(text: &str, max: usize) -> String {
    crate::markdown::shorten(&text.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_keeps_chinese_quotes_and_drops_what_pages_cannot_hold() {
        assert_eq!(
            clean("“兼职”‘刷单’\u{b}a\u{a0}b\u{200b}c\u{7}"),
            "“兼职”‘刷单’a bc"
        );
    }

    #[test]
    fn trimming_takes_indentation_and_edge_breaks_off() {
        let content = vec![
            Inline::Break,
            Inline::plain("\u{3000}\u{3000}"),
            Inline::plain("\u{a0} 正文 "),
            Inline::Break,
        ];
        assert_eq!(trim(content), vec![Inline::plain("正文")]);
        assert!(trim(vec![Inline::plain("\u{3000}")]).is_empty());
    }

    #[test]
    fn snippets_are_cut_by_character() {
        assert_eq!(snippet("一二三四五", 3), "一二三…");
        assert_eq!(snippet("一 \n二", 3), "一 二");
    }
}

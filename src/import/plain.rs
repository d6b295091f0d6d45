//! Plain text and Markdown files, in the encodings Chinese offices save them in.
//!
//! Notepad, older WPS and many office systems save Chinese text as GBK (read here as
//! GB18030, its superset) or UTF-16; pufa reads only UTF-8, so import converts. A text file
//! becomes one paragraph a line, its first short line the title; a Markdown file keeps its
//! Markdown and only loses what pasting brought in (control characters, indentation).

use super::{Block, Document, Inline};
use crate::diagnostic::Diagnostic;
use std::path::Path;

/// The longest a first line may be to be taken for the title.
const TITLE_MAX_CHARS: usize = 40;

/// The largest text file read: a draft is kilobytes; anything near this is not one.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a `.txt` file, or a Markdown file when `markdown`.
pub fn read(path: &Path, shown: &Path, markdown: bool) -> Result<Document, Diagnostic> {
    let size = std::fs::metadata(path)
        .map_err(|e| crate::fs::error("io/read", "读取", shown, &e))?
        .len();
    if size > MAX_BYTES {
        return Err(Diagnostic::error(
            "import/too-large",
            format!(
                "文件有 {} MB，不像是一篇稿件，没有导入",
                size / (1024 * 1024)
            ),
        )
        .in_file(shown));
    }
    let bytes = std::fs::read(path).map_err(|e| crate::fs::error("io/read", "读取", shown, &e))?;
    let (text, encoding) = decode(&bytes).ok_or_else(|| {
        Diagnostic::error(
            "import/unknown-encoding",
            "看不出这个文件的编码：它不是 UTF-8、GBK（GB18030）或 UTF-16 文本",
        )
        .in_file(shown)
        .with_suggestion("用记事本或 WPS 打开它，“另存为”时编码选 UTF-8，再导入")
    })?;
    let mut document = if markdown {
        from_markdown(&text)
    } else {
        from_text(&text)
    };
    document.encoding = encoding;
    Ok(document)
}

/// `bytes` as text, and the encoding it was converted from when that was not UTF-8. A byte
/// order mark decides. Otherwise every encoding that reads the bytes without error is a
/// candidate — UTF-8, GB18030 (of which GBK is a part), UTF-16 in either byte order — and
/// the one whose text looks most like Chinese writing wins (ties in that order): GB18030
/// reads most byte sequences, UTF-16 text without ASCII has no telltale zero bytes, so the
/// text itself is the judge. `None` when nothing reads them as writing.
pub fn decode(bytes: &[u8]) -> Option<(String, Option<&'static str>)> {
    use encoding_rs::{GB18030, UTF_8, UTF_16BE, UTF_16LE};
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let text = encoding.decode_without_bom_handling_and_without_replacement(&bytes[bom..])?;
        let name = if encoding == UTF_8 {
            None
        } else {
            Some("UTF-16")
        };
        return Some((text.into_owned(), name));
    }
    let mut candidates: Vec<(String, Option<&'static str>)> = Vec::new();
    if let Ok(text) = std::str::from_utf8(bytes) {
        candidates.push((text.to_string(), None));
    }
    if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        candidates.push((text.into_owned(), Some("GBK/GB18030")));
    }
    if bytes.len().is_multiple_of(2) {
        for encoding in [UTF_16LE, UTF_16BE] {
            if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes)
            {
                candidates.push((text.into_owned(), Some("UTF-16")));
            }
        }
    }
    let mut best: Option<((String, Option<&'static str>), f64)> = None;
    for candidate in candidates {
        let score = writing_score(&candidate.0);
        if best.as_ref().is_none_or(|(_, s)| score > *s) {
            best = Some((candidate, score));
        }
    }
    best.filter(|(_, score)| *score >= 0.5).map(|(c, _)| c)
}

/// The share of the characters of `text` that ordinary Chinese documents are written in:
/// common Chinese characters, Chinese and full-width punctuation, printable ASCII and line
/// ends. Misread bytes become rare characters, control characters and private-use ones.
fn writing_score(text: &str) -> f64 {
    let mut total = 0usize;
    let mut good = 0usize;
    for c in text.chars() {
        total += 1;
        let n = c as u32;
        let ordinary = matches!(c, '\n' | '\r' | '\t' | '\u{b}' | '\u{c}')
            || (0x20..0x7f).contains(&n)
            || (0x4e00..=0x9fff).contains(&n)
            || (0x3400..=0x4dbf).contains(&n)
            || (0x20000..=0x2ffff).contains(&n)
            || (0x3000..=0x303f).contains(&n)
            || (0xff00..=0xffef).contains(&n)
            || (0x2010..=0x2027).contains(&n)
            || (0x2460..=0x24ff).contains(&n)
            || (0xa0..=0xff).contains(&n) && n != 0xad;
        if ordinary {
            good += 1;
        }
    }
    if total == 0 {
        return 1.0;
    }
    good as f64 / total as f64
}

/// A plain text: a paragraph a line (pasted notices put each paragraph on a line of its own,
/// indented with full-width spaces), U+000B a line break inside one, the first line the
/// title when it is short and does not end a sentence.
fn from_text(text: &str) -> Document {
    let mut document = Document::default();
    for line in text.split(['\n', '\r', '\u{c}']) {
        let content: Vec<Inline> = line
            .split('\u{b}')
            .enumerate()
            .flat_map(|(i, part)| {
                let text = Inline::plain(super::clean(part));
                if i == 0 {
                    vec![text]
                } else {
                    vec![Inline::Break, text]
                }
            })
            .collect();
        let content = super::trim(content);
        if content.is_empty() {
            continue;
        }
        if document.title.is_none() && document.blocks.is_empty() {
            let line = super::text_of(&content);
            if looks_like_a_title(&line) {
                document.title = Some(line);
                continue;
            }
        }
        document.blocks.push(Block::Paragraph(content));
    }
    document
}

fn looks_like_a_title(line: &str) -> bool {
    // A rule of `=====` or `★★★` is no title: it makes no file name.
    line.chars().any(char::is_alphanumeric)
        && line.chars().count() <= TITLE_MAX_CHARS
        && !line.ends_with(['。', '；', '：', '，', '！', '？', '.', ';', ':', ','])
}

/// A Markdown file: kept as it is, less control characters and the full-width or
/// non-breaking spaces that indent its lines (U+000B becomes a line end). Without front
/// matter, a first `# ` heading is the title.
fn from_markdown(text: &str) -> Document {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().flat_map(|l| l.split('\u{b}')) {
        let kept: String = line
            .trim_start_matches(['\u{3000}', '\u{a0}'])
            .chars()
            .filter(|&c| c == '\t' || !crate::text::is_forbidden(c))
            .filter(|c| !matches!(c, '\u{200b}' | '\u{feff}'))
            .collect();
        lines.push(kept.trim_end().to_string());
    }
    let mut document = Document::default();
    // Front matter only when closed: a file may open with a `---` rule.
    let has_front_matter =
        lines.first().is_some_and(|l| l == "---") && lines.iter().skip(1).any(|l| l == "---");
    if !has_front_matter
        && let Some(first) = lines.iter().position(|l| !l.trim().is_empty())
        && let Some(title) = lines[first].strip_prefix("# ")
    {
        // A closing run of `#` needs a space before it: `# C#` is about C#.
        let title = title.trim();
        let closed = title.trim_end_matches('#');
        let title = if closed.len() < title.len() && closed.ends_with(' ') {
            closed.trim()
        } else {
            title
        }
        .to_string();
        if !title.is_empty() {
            document.title = Some(title);
            lines.drain(..=first);
        }
    }
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len());
    let mut markdown = lines[start..].join("\n");
    markdown.truncate(markdown.trim_end().len());
    if !markdown.is_empty() {
        markdown.push('\n');
    }
    document.markdown = Some(markdown);
    document.own_front_matter = has_front_matter;
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart() {
        let text = "关于开展宪法宣传周活动的通知\r\n第一条";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode(&gbk), Some((text.to_string(), Some("GBK/GB18030"))));
        assert_eq!(decode(text.as_bytes()), Some((text.to_string(), None)));
        let mut utf16: Vec<u8> = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&utf16), Some((text.to_string(), Some("UTF-16"))));
        let mut utf8_bom = vec![0xef, 0xbb, 0xbf];
        utf8_bom.extend(text.as_bytes());
        assert_eq!(decode(&utf8_bom), Some((text.to_string(), None)));
        // GB18030's four-byte characters (rare names) read too.
        let (rare, _, _) = encoding_rs::GB18030.encode("䶮");
        assert_eq!(decode(&rare).map(|d| d.0), Some("䶮".to_string()));
        // UTF-16 without a byte order mark, as some office systems save it.
        let bare: Vec<u8> = "通知 A1"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode(&bare), Some(("通知 A1".to_string(), Some("UTF-16"))));
        // Chinese UTF-16 with no ASCII in it has no telltale zero byte but 开 (U+5F00).
        let bare: Vec<u8> = "关于开展宪法宣传周活动的通知。"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(
            decode(&bare),
            Some(("关于开展宪法宣传周活动的通知。".to_string(), Some("UTF-16")))
        );
        // UTF-8 with a stray NUL byte stays UTF-8.
        assert_eq!(decode("通知\0内容".as_bytes()).map(|d| d.1), Some(None));
        // A lone GBK lead byte reads as nothing.
        assert_eq!(decode(&[0x81]), None);
    }

    #[test]
    fn a_pasted_notice_becomes_paragraphs_under_its_title() {
        let d = from_text(
            "关于开展宪法宣传周活动的通知\r\n\r\n　　各村（社区）：\r\n　　请认真组织，\u{b}做好宣传。\r\n1. 悬挂横幅\r\n",
        );
        assert_eq!(d.title.as_deref(), Some("关于开展宪法宣传周活动的通知"));
        assert_eq!(
            super::super::markdown::write(&d, "p"),
            "各村（社区）：\n\n请认真组织，\\\n做好宣传。\n\n1\\. 悬挂横幅\n"
        );
    }

    #[test]
    fn a_long_first_line_is_text_not_a_title() {
        let d = from_text("为深入学习宣传宪法，定于12月4日开展“宪法宣传周”活动。\n");
        assert_eq!(d.title, None);
        assert_eq!(d.blocks.len(), 1);
    }

    #[test]
    fn markdown_keeps_its_markup_and_gives_its_heading_as_title() {
        let d = from_markdown("\n# 标题\n\n　　**加粗**\u{b}下一行\u{7}\n\n- 列表\n");
        assert_eq!(d.title.as_deref(), Some("标题"));
        assert_eq!(d.markdown.as_deref(), Some("**加粗**\n下一行\n\n- 列表\n"));
        let d = from_markdown("---\ntitle: 已有\n---\n\n# 正文标题\n");
        assert_eq!(d.title, None);
        assert_eq!(
            d.markdown.as_deref(),
            Some("---\ntitle: 已有\n---\n\n# 正文标题\n")
        );
    }
}

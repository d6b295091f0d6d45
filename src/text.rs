//! Characters that may not reach a published file.
//!
//! Text pasted from Word and WeChat carries characters that XML forbids and HTML calls
//! parse errors: U+000B (what a Word line break becomes), other C0 and C1 control
//! characters, DEL, and the Unicode noncharacters (U+FFFE, U+FDD0 …). One of them in a title
//! makes feed.xml not well-formed, so feed readers drop the whole feed. Every source text is
//! cleaned here as it is read, before any stage sees it, so no output — HTML, feeds,
//! sitemap, search data — can carry one; the author gets a warning at the first place.

use crate::diagnostic::{Diagnostic, LineIndex};
use std::path::Path;

/// `text` with `&`, `<`, `>`, `"` and `'` written as entities, for HTML text and attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// Whether XML 1.0 forbids `c`, or HTML reports it as a parse error: control characters
/// other than tab, line feed and carriage return, and noncharacters.
pub fn is_forbidden(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7f..=0x9f).contains(&n)
        || (0xfdd0..=0xfdef).contains(&n)
        || (n & 0xfffe) == 0xfffe
}

/// Whether `bytes` (UTF-8) may hold a forbidden character: every such character starts with
/// one of these bytes, and ordinary Chinese text (three-byte characters starting E3–E9)
/// rarely holds them, so most files are passed over at a byte a step.
fn may_hold_forbidden(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xef || (0xf0..=0xf4).contains(&b))
}

/// Removes every forbidden character from `text`, the contents of the file `shown`. Returns a
/// warning at the first one removed, with how many there were, or `None` when there were none.
pub fn remove_forbidden(text: &mut String, shown: &Path) -> Option<Diagnostic> {
    if !may_hold_forbidden(text.as_bytes()) {
        return None;
    }
    let (first, c) = text.char_indices().find(|&(_, c)| is_forbidden(c))?;
    let (line, column) = LineIndex::new(text).position(text, first);
    let count = text.chars().filter(|&c| is_forbidden(c)).count();
    text.retain(|c| !is_forbidden(c));
    let what = if c == '\u{b}' {
        "从 Word 带来的换行符（U+000B）".to_string()
    } else {
        format!("看不见的控制字符（U+{:04X}）", c as u32)
    };
    let message = if count == 1 {
        format!("这里有一个{what}，网页和订阅里不允许出现，已经删除")
    } else {
        format!(
            "这里有一个{what}；这个文件共有 {count} 个网页和订阅里不允许出现的字符，已经全部删除"
        )
    };
    Some(
        Diagnostic::warning("text/forbidden-character", message)
            .in_file(shown)
            .at(line, column)
            .with_suggestion(
                "这种字符多来自从 Word 或微信复制的文字：在编辑器里删掉它，或换成普通的换行",
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_the_ones_xml_and_html_refuse() {
        for c in [
            '\u{0}', '\u{b}', '\u{1f}', '\u{7f}', '\u{85}', '\u{fffe}', '\u{ffff}',
        ] {
            assert!(is_forbidden(c), "{:04X}", c as u32);
        }
        for c in ['\u{fdd0}', '\u{1fffe}', '\u{10ffff}'] {
            assert!(is_forbidden(c), "{:04X}", c as u32);
        }
        for c in [
            '\t', '\n', '\r', ' ', '中', '，', '\u{a0}', '\u{3000}', '\u{fffd}', '😀',
        ] {
            assert!(!is_forbidden(c), "{:04X}", c as u32);
        }
    }

    #[test]
    fn removes_them_and_warns_at_the_first() {
        let mut text = "标题\n第二行\u{b}换行\u{1}。\n".to_string();
        let d = remove_forbidden(&mut text, Path::new("content/articles/a.md")).unwrap();
        assert_eq!(text, "标题\n第二行换行。\n");
        assert_eq!((d.line, d.column), (2, 4));
        assert!(
            d.message.contains("U+000B") && d.message.contains("2 个"),
            "{}",
            d.message
        );
        let mut clean = "没有问题的文字，全角标点。©".to_string();
        assert!(remove_forbidden(&mut clean, Path::new("a.md")).is_none());
    }

    proptest::proptest! {
        #[test]
        fn nothing_forbidden_is_left(text in "\\PC{0,20}[\\x00-\\x1f\\x7f-\\u{9f}\\u{fffe}\\u{ffff}]{0,4}\\PC{0,20}") {
            let mut cleaned = text.clone();
            remove_forbidden(&mut cleaned, Path::new("a.md"));
            proptest::prop_assert!(!cleaned.chars().any(is_forbidden));
            let kept: String = text.chars().filter(|&c| !is_forbidden(c)).collect();
            proptest::prop_assert_eq!(cleaned, kept);
        }
    }
}

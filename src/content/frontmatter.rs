//! Splitting a content file into its YAML front matter and its Markdown body.
//!
//! The front matter stands between a first line `---` and the next line that is `---` (or
//! `...`). Byte offsets are kept, so positions reported in either part can be given as lines
//! of the whole file.

/// The parts of a content file, borrowed from its text: `head`, `yaml`, `fence` and `body`
/// together are the whole text.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The opening `---` line with its line ending.
    pub head: &'a str,
    pub yaml: &'a str,
    /// The closing `---` line with its line ending.
    pub fence: &'a str,
    /// Line (1-based) of the file on which the YAML starts.
    pub yaml_line: usize,
    pub body: &'a str,
    /// Byte offset of the body in the file's text.
    pub body_offset: usize,
}

/// Why a file has no usable front matter.
#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not begin with a `---` line.
    NoOpening,
    /// The opening `---` is never closed.
    NoClosing,
}

/// Splits `text` (a UTF-8 BOM, if any, already removed).
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let mut lines = lines_with_offsets(text);
    match lines.next() {
        Some((_, line)) if is_fence(line, false) => {}
        _ => return Err(SplitError::NoOpening),
    }
    let yaml_start = text.find('\n').map_or(text.len(), |i| i + 1);
    for (offset, line) in lines {
        if is_fence(line, true) {
            let body_offset = (offset + line.len()).min(text.len());
            let body_offset = if text[body_offset..].starts_with("\r\n") {
                body_offset + 2
            } else if text[body_offset..].starts_with('\n') {
                body_offset + 1
            } else {
                body_offset
            };
            return Ok(Split {
                head: &text[..yaml_start],
                yaml: &text[yaml_start..offset],
                fence: &text[offset..body_offset],
                yaml_line: 2,
                body: &text[body_offset..],
                body_offset,
            });
        }
    }
    Err(SplitError::NoClosing)
}

impl Split<'_> {
    /// The text the parts came from.
    pub fn join(&self) -> String {
        [self.head, self.yaml, self.fence, self.body].concat()
    }
}

/// Lines without their terminator, with the byte offset where each starts.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        (start, line.strip_suffix('\r').unwrap_or(line))
    })
}

fn is_fence(line: &str, closing: bool) -> bool {
    let line = line.trim_end();
    line == "---" || (closing && line == "...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_yaml_and_body() {
        let text = "---\ntitle: 标题\n---\n正文\n";
        let s = split(text).unwrap();
        assert_eq!(s.yaml, "title: 标题\n");
        assert_eq!(s.yaml_line, 2);
        assert_eq!(s.body, "正文\n");
        assert_eq!(&text[s.body_offset..], "正文\n");
    }

    #[test]
    fn crlf_and_trailing_spaces() {
        let text = "---  \r\ntitle: 标题\r\n--- \r\n正文\r\n";
        let s = split(text).unwrap();
        assert_eq!(s.yaml, "title: 标题\r\n");
        assert_eq!(s.body, "正文\r\n");
    }

    #[test]
    fn empty_body_and_empty_yaml() {
        let s = split("---\n---").unwrap();
        assert_eq!((s.yaml, s.body), ("", ""));
    }

    #[test]
    fn a_rule_inside_the_body_is_left_alone() {
        let s = split("---\na: 1\n---\n上\n\n---\n\n下").unwrap();
        assert_eq!(s.body, "上\n\n---\n\n下");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_joins_back(text in "(---\r?\n|[-a-z: 中文\r\n.]{0,12}){0,8}") {
            if let Ok(split) = split(&text) {
                proptest::prop_assert_eq!(split.join(), text.clone());
                proptest::prop_assert_eq!(&text[split.body_offset..], split.body);
            }
        }

        #[test]
        fn yaml_and_body_come_back(
            yaml in "([a-z]{1,5}: [中文a-z0-9 ]{0,6}\n){0,4}",
            body in "[中文a-z\n -]{0,40}",
        ) {
            let text = format!("---\n{yaml}---\n{body}");
            let split = split(&text).unwrap();
            proptest::prop_assert_eq!(split.yaml, yaml.as_str());
            proptest::prop_assert_eq!(split.body, body.as_str());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = split(&text);
        }
    }

    #[test]
    fn errors() {
        assert_eq!(split("title: 标题\n"), Err(SplitError::NoOpening));
        assert_eq!(split(""), Err(SplitError::NoOpening));
        assert_eq!(split("---\ntitle: 标题\n正文"), Err(SplitError::NoClosing));
        assert_eq!(split("----\n"), Err(SplitError::NoOpening));
    }
}

//! Messages to site authors.
//!
//! Every stage of the pipeline reports problems as [`Diagnostic`]s instead of stopping at the
//! first one, so an author sees every mistake of a build at once. A diagnostic names the file
//! (relative to the site root), the line and column where one applies, says in Chinese what is
//! wrong and, where pufa can guess it, how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is: errors stop a build, warnings are printed and the build goes on;
/// notes record for `pufa check` and its report what the author declared on purpose (a
/// number marked public), and are not shown by `build` or `serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// One problem found in a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier, e.g. `front-matter/unknown-topic`, for tools and documentation.
    pub code: &'static str,
    /// The file, relative to the site root; `None` for problems of the whole site.
    pub file: Option<PathBuf>,
    /// 1-based line; 0 when the problem concerns the file as a whole.
    pub line: usize,
    /// 1-based column, counted in characters; 0 when unknown.
    pub column: usize,
    /// How many characters from `column` the problem covers; 0 for "the word there".
    pub len: usize,
    pub message: String,
    pub suggestion: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: None,
            line: 0,
            column: 0,
            len: 0,
            message: message.into(),
            suggestion: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn note(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    /// Marks `len` characters from the column as the problem.
    pub fn spanning(mut self, len: usize) -> Self {
        self.len = len;
        self
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Note => "说明",
        };
        write!(f, "{label}")?;
        if let Some(file) = &self.file {
            // Forward slashes on every platform, so messages and snapshots read the same.
            write!(f, " {}", crate::fs::shown(file))?;
            if self.line > 0 {
                write!(f, ":{}", self.line)?;
                if self.column > 0 {
                    write!(f, ":{}", self.column)?;
                }
            }
        }
        write!(f, "：{}", self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, "\n  提示：{suggestion}")?;
        }
        Ok(())
    }
}

/// Diagnostics collected by a stage; a stage that found errors returns them all.
pub type Diagnostics = Vec<Diagnostic>;

/// True when any of `diagnostics` is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// Sorts diagnostics by file and position so output is stable whatever order the (parallel)
/// stages found them in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
    });
}

/// The declared name closest to `wanted`, for "did you mean" suggestions. Returns `None` when
/// nothing is close enough to be a plausible typo.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_len = wanted.chars().count();
    candidates
        .into_iter()
        .map(|c| (edit_distance(wanted, c), c))
        .filter(|(d, c)| {
            let longest = wanted_len.max(c.chars().count());
            // A typo changes a few characters; Chinese names are short, so allow about half.
            *d <= (longest / 2).max(1)
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != *cb);
            row[j + 1] = (diagonal + cost).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Maps byte offsets in a text to 1-based line and character column.
pub struct LineIndex {
    starts: Vec<usize>,
    /// The last offset placed and its column: the next offset on the same line counts
    /// characters from there, so placing many offsets of one long line in order stays
    /// linear in the line's length.
    last: std::cell::Cell<(usize, usize)>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            last: std::cell::Cell::new((0, 1)),
        }
    }

    /// Line and column of byte `offset` in `text` (the text this index was built from).
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let (from, column) = match self.last.get() {
            (last, column) if last >= start && last <= offset => (last, column),
            _ => (start, 1),
        };
        let column = column + text.get(from..offset).map_or(0, |gap| gap.chars().count());
        self.last.set((offset, column));
        (line + 1, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_in_chinese_names() {
        let topics = ["电信诈骗", "校园欺凌", "未成年人保护"];
        assert_eq!(nearest("电信炸骗", topics), Some("电信诈骗"));
        assert_eq!(nearest("未成年保护", topics), Some("未成年人保护"));
        assert_eq!(nearest("环境保护法规汇编", topics), None);
    }

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let text = "第一行\n标题：电信诈骗\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), (1, 1));
        let offset = text.find("电信").unwrap();
        assert_eq!(index.position(text, offset), (2, 4));
        // Out of order, and again in order after an earlier line.
        assert_eq!(index.position(text, offset + 3), (2, 5));
        assert_eq!(index.position(text, 3), (1, 2));
        assert_eq!(index.position(text, offset + 6), (2, 6));
        assert_eq!(index.position(text, offset - 3), (2, 3));
    }

    #[test]
    fn display_names_file_line_and_column() {
        let d = Diagnostic::error("x", "未知的专题“电信炸骗”")
            .in_file("content/articles/a.md")
            .at(3, 9)
            .with_suggestion("是不是“电信诈骗”？");
        assert_eq!(
            d.to_string(),
            "错误 content/articles/a.md:3:9：未知的专题“电信炸骗”\n  提示：是不是“电信诈骗”？"
        );
    }
}

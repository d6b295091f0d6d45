//! The one place that reads YAML.
//!
//! Front matter and site.yaml are parsed into a small tree of [`Node`]s that remember where
//! each value stands in the file. The typed loaders in `config` and `content` then pick the
//! fields they know, so every message about a value — wrong type, unknown topic, impossible
//! date — can name the exact line and column, in Chinese, which serde's own errors cannot.

use crate::diagnostic::{Diagnostic, nearest};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;
use std::path::Path;

/// A YAML value and where it starts (1-based line and column within the parsed text).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
    pub column: usize,
    /// A number, boolean or null exactly as written (`0512000001`, `yes`, `1e3`), so that a
    /// text field can keep what the author typed.
    pub written: Option<Box<str>>,
    /// Byte range of the value in the parsed text, where the parser knows it.
    span: Option<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order; keys are kept as nodes so they carry their position too.
    Map(Vec<(Node, Node)>),
}

/// Why a YAML document could not be read, positioned within the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub kind: SyntaxKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxKind {
    /// Not YAML.
    Syntax,
    /// A key written twice in one mapping: the key and the line of its first use. YAML
    /// allows each key once, and which value would win is not what the author can see.
    Duplicate(String, usize),
    /// An escape in a quoted text (`"\u000b"`) that makes a character no published file may
    /// hold ([`crate::text::is_forbidden`]).
    Forbidden(char),
}

impl SyntaxError {
    /// The diagnostic for this error in `file` (`what` names the document: "site.yaml",
    /// "front matter"), whose text starts below `line_offset` lines.
    pub fn diagnostic(
        &self,
        code: &'static str,
        what: &str,
        file: &Path,
        line_offset: usize,
    ) -> Diagnostic {
        let line = self.line + line_offset;
        match &self.kind {
            SyntaxKind::Duplicate(key, first) => Diagnostic::error(
                "yaml/duplicate-key",
                if first + line_offset == line {
                    format!("{what} 中“{key}”在第 {line} 行写了两次")
                } else {
                    format!(
                        "{what} 中“{key}”写了两次：第 {} 行和第 {line} 行",
                        first + line_offset
                    )
                },
            )
            .with_suggestion("每个字段只写一次：删掉其中一行，或把两处的内容合在一起"),
            SyntaxKind::Forbidden(c) => Diagnostic::error(
                "yaml/forbidden-character",
                format!(
                    "{what} 的这段文字转义出了控制字符 U+{:04X}，网页和订阅里不允许出现",
                    *c as u32
                ),
            )
            .with_suggestion("删掉引号里的 \\u、\\x 转义，直接写要显示的文字"),
            SyntaxKind::Syntax => Diagnostic::error(code, format!("{what} 的 YAML 写法有误"))
                .with_suggestion(
                    "检查这一行及上一行：冒号后要有空格，引号要成对，同一层的缩进要对齐",
                ),
        }
        .in_file(file)
        .at(line, self.column)
    }
}

/// Parses one YAML document. An empty document is `Null`.
///
/// Values are read as YAML 1.2 reads them, with two choices for people who type numbers
/// that are not numbers: `yes`/`no` stay text (only `true`/`false` are booleans), and a
/// number with leading zeros (`0512000001`, a 网站标识码) stays text. Whatever a scalar
/// became, [`Node::written`] keeps how it was written.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.trim().is_empty() {
        return Ok(Node {
            value: Value::Null,
            line: 1,
            column: 1,
            written: None,
            span: None,
        });
    }
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::AsString;
    // Duplicates reach the visitor, so that the message can name both lines.
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    match serde_saphyr::from_str_with_options::<Spanned<Value>>(text, options) {
        Ok(spanned) => {
            let mut node = Node::from(spanned);
            node.attach_written(text);
            match node.first_mistake() {
                Some(error) => Err(error),
                None => Ok(node),
            }
        }
        Err(err) => {
            let (line, column) = err
                .location()
                .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
            Err(SyntaxError {
                line,
                column,
                kind: SyntaxKind::Syntax,
            })
        }
    }
}

impl From<Spanned<Value>> for Node {
    fn from(s: Spanned<Value>) -> Self {
        let span = s.defined.span();
        let span = span
            .byte_offset()
            .zip(span.byte_len())
            .map(|(start, len)| (start as usize, (start + len) as usize));
        Node {
            value: s.value,
            line: s.referenced.line() as usize,
            column: s.referenced.column() as usize,
            written: None,
            span,
        }
    }
}

impl Node {
    /// Records how every number, boolean and null below this node was written in `text`.
    fn attach_written(&mut self, text: &str) {
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.attach_written(text)),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.attach_written(text);
                v.attach_written(text);
            }),
            Value::Str(_) => {}
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
                self.written = self
                    .span
                    .and_then(|(start, end)| text.get(start..end))
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .map(Box::from);
            }
        }
    }

    /// The first key written twice in one mapping, or text with a forbidden character,
    /// anywhere in the tree.
    fn first_mistake(&self) -> Option<SyntaxError> {
        let at = |kind| SyntaxError {
            line: self.line,
            column: self.column,
            kind,
        };
        match &self.value {
            Value::Str(s) => s
                .chars()
                .find(|&c| crate::text::is_forbidden(c))
                .map(|c| at(SyntaxKind::Forbidden(c))),
            Value::Seq(items) => items.iter().find_map(Node::first_mistake),
            Value::Map(entries) => {
                let mut seen: std::collections::HashMap<String, usize> =
                    std::collections::HashMap::new();
                for (key, value) in entries {
                    let name = key.as_scalar_string().unwrap_or_default();
                    if let Some(&first) = seen.get(&name) {
                        return Some(SyntaxError {
                            line: key.line,
                            column: key.column,
                            kind: SyntaxKind::Duplicate(name, first),
                        });
                    }
                    seen.insert(name, key.line);
                    if let Some(error) = key.first_mistake().or_else(|| value.first_mistake()) {
                        return Some(error);
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// The entries of a mapping, or `None` for any other kind of value.
    pub fn entries(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A scalar as text: strings as they are, numbers and booleans as written.
    pub fn as_scalar_string(&self) -> Option<String> {
        if let (Value::Int(_) | Value::Float(_) | Value::Bool(_), Some(written)) =
            (&self.value, &self.written)
        {
            return Some(written.to_string());
        }
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Chinese name of the value's kind, for "expected X, found Y" messages.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "空值",
            Value::Bool(_) => "布尔值",
            Value::Int(_) | Value::Float(_) => "数字",
            Value::Str(_) => "文字",
            Value::Seq(_) => "列表",
            Value::Map(_) => "键值表",
        }
    }

    /// Converts to JSON for free-form data (`extra`) handed to templates.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Value::from(*f),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_scalar_string().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(Node::from(item));
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Spanned<Value>, Spanned<Value>>()? {
            entries.push((Node::from(k), Node::from(v)));
        }
        Ok(Value::Map(entries))
    }
}

/// A text value with the position it was written at (already shifted to the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// Typed access to the entries of a YAML mapping, collecting a positioned diagnostic for every
/// value of the wrong shape instead of stopping at the first.
pub struct Fields<'a> {
    entries: &'a [(Node, Node)],
    file: &'a Path,
    line_offset: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    /// `line_offset` is added to every line: front matter starts below its `---` line.
    pub fn new(entries: &'a [(Node, Node)], file: &'a Path, line_offset: usize) -> Self {
        Fields {
            entries,
            file,
            line_offset,
            diagnostics: Vec::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .map(|(_, v)| v)
    }

    /// Where `node` stands in the file.
    pub fn position(&self, node: &Node) -> (usize, usize) {
        (node.line + self.line_offset, node.column)
    }

    /// A diagnostic positioned at `node`.
    pub fn diagnostic_at(&self, node: &Node, diagnostic: Diagnostic) -> Diagnostic {
        let (line, column) = self.position(node);
        diagnostic.in_file(self.file).at(line, column)
    }

    pub fn error_at(&mut self, node: &Node, code: &'static str, message: impl Into<String>) {
        let d = self.diagnostic_at(node, Diagnostic::error(code, message));
        self.diagnostics.push(d);
    }

    fn wrong_type(&mut self, key: &str, node: &Node, expected: &str) {
        let message = format!("“{key}”应当是{expected}，这里写的是{}", node.kind_name());
        self.error_at(node, "yaml/wrong-type", message);
    }

    /// A text field; numbers and booleans are taken as written. An empty value counts as absent.
    pub fn string(&mut self, key: &str) -> Option<String> {
        self.located(key).map(|l| l.text)
    }

    /// Like [`Fields::string`], keeping the position for later checks.
    pub fn located(&mut self, key: &str) -> Option<Located> {
        let node = self.get(key)?;
        if node.value == Value::Null {
            return None;
        }
        match node.as_scalar_string() {
            Some(text) => {
                let (line, column) = self.position(node);
                Some(Located { text, line, column })
            }
            None => {
                self.wrong_type(key, node, "一段文字");
                None
            }
        }
    }

    /// A list of texts; a single text is taken as a list of one.
    pub fn string_list(&mut self, key: &str) -> Vec<Located> {
        let Some(node) = self.get(key) else {
            return Vec::new();
        };
        let items: Vec<&Node> = match &node.value {
            Value::Null => return Vec::new(),
            Value::Seq(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_scalar_string() {
                Some(text) => {
                    let (line, column) = self.position(item);
                    out.push(Located { text, line, column });
                }
                None => self.wrong_type(key, item, "文字或文字列表"),
            }
        }
        out
    }

    pub fn integer(&mut self, key: &str) -> Option<i64> {
        let node = self.get(key)?;
        match &node.value {
            Value::Null => None,
            Value::Int(i) => Some(*i),
            Value::Str(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            _ => {
                self.wrong_type(key, node, "一个整数");
                None
            }
        }
    }

    /// `true` or `false`; `yes`/`no` and `on`/`off`, which YAML 1.1 read as booleans, are
    /// still taken where a boolean is wanted.
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        let node = self.get(key)?;
        match &node.value {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            Value::Str(s) if ["yes", "on"].contains(&s.to_ascii_lowercase().as_str()) => Some(true),
            Value::Str(s) if ["no", "off"].contains(&s.to_ascii_lowercase().as_str()) => {
                Some(false)
            }
            _ => {
                self.wrong_type(key, node, "true 或 false");
                None
            }
        }
    }

    /// Warns about every key not in `known`, suggesting the nearest known one.
    pub fn warn_unknown_keys(&mut self, known: &[&str], what: &str) {
        for (key, _) in self.entries {
            let name = key.as_scalar_string().unwrap_or_default();
            if known.contains(&name.as_str()) {
                continue;
            }
            let mut d = Diagnostic::warning(
                "yaml/unknown-key",
                format!("{what}中有不认识的字段“{name}”，它会被忽略"),
            );
            if let Some(near) = nearest(&name, known.iter().copied()) {
                d = d.with_suggestion(format!("是不是想写“{near}”？"));
            }
            let d = self.diagnostic_at(key, d);
            self.diagnostics.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = parse("title: 防范电信诈骗\ntopics:\n  - 电信诈骗\n  - 校园欺凌\n").unwrap();
        let entries = node.entries().unwrap();
        assert_eq!(entries[0].0.value, Value::Str("title".into()));
        assert_eq!((entries[0].1.line, entries[0].1.column), (1, 8));
        let Value::Seq(items) = &entries[1].1.value else {
            panic!("topics is a list")
        };
        assert_eq!((items[1].line, items[1].column), (4, 5));
    }

    #[test]
    fn dates_stay_strings() {
        let node = parse("date: 2023-06-01\nepisode: 3\n").unwrap();
        let entries = node.entries().unwrap();
        assert_eq!(entries[0].1.value, Value::Str("2023-06-01".into()));
        assert_eq!(entries[1].1.value, Value::Int(3));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse("title: 标题\ntopics: [电信诈骗\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(text in r"([a-z]{1,4}|: |- |\n|  |\[|\]|\{|\}|'|\x22|&a|\*a|!!|#|中文|---|0){0,40}") {
            let _ = parse(&text);
        }
    }

    #[test]
    fn text_fields_keep_what_was_written() {
        let node = parse(
            "site_code: 0512000001\ncontact: 08381234567\nauthor: 007\ntitle: yes\nsummary: 1e3\nx: 0x10\ny: .inf\nweight: 3\ndraft: true\n",
        )
        .unwrap();
        let mut f = Fields::new(node.entries().unwrap(), Path::new("a.md"), 0);
        for (key, written) in [
            ("site_code", "0512000001"),
            ("contact", "08381234567"),
            ("author", "007"),
            ("title", "yes"),
            ("summary", "1e3"),
            ("x", "0x10"),
            ("y", ".inf"),
            ("weight", "3"),
        ] {
            assert_eq!(f.string(key).as_deref(), Some(written), "{key}");
        }
        assert_eq!(f.integer("weight"), Some(3));
        assert_eq!(f.boolean("draft"), Some(true));
        assert_eq!(
            f.boolean("title"),
            Some(true),
            "yes is still a yes where one is wanted"
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    }

    #[test]
    fn a_key_written_twice_names_both_lines() {
        let err = parse("title: 一\ndate: 2026-03-01\ntitle: 二\n").unwrap_err();
        assert_eq!(err.kind, SyntaxKind::Duplicate("title".into(), 1));
        assert_eq!((err.line, err.column), (3, 1));
        let d = err.diagnostic(
            "front-matter/yaml-syntax",
            "front matter",
            Path::new("a.md"),
            1,
        );
        assert_eq!(d.code, "yaml/duplicate-key");
        assert!(d.message.contains("第 2 行和第 4 行"), "{}", d.message);
        let nested = parse("organization:\n  name: 甲\n  name: 乙\n").unwrap_err();
        assert_eq!(nested.kind, SyntaxKind::Duplicate("name".into(), 2));
    }

    #[test]
    fn escapes_cannot_make_forbidden_characters() {
        let err = parse("title: \"甲\\u000b乙\"\n").unwrap_err();
        assert_eq!(err.kind, SyntaxKind::Forbidden('\u{b}'));
        assert_eq!(err.line, 1);
        assert!(parse("title: \"甲\\t乙\\n\"\n").is_ok());
    }

    #[test]
    fn empty_document_is_null() {
        assert_eq!(parse("  \n").unwrap().value, Value::Null);
    }
}

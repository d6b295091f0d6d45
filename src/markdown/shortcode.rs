//! Finding shortcode calls in Markdown.
//!
//! Two forms, both parsed before Markdown:
//!
//! - inline: `{{ name(key="value", n=3) }}`
//! - around a block of Markdown: `{% name(key="value") %}Markdown{% end %}`
//!
//! Only text that looks like a call (`{{` or `{%`, a name, `(`) is taken for one, so other
//! braces stay as they are; once it looks like a call, a mistake in it is an error. Calls
//! inside code spans and code blocks are left alone: the caller passes their byte ranges.

use std::collections::HashMap;
use std::ops::Range;

/// An argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Arg {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Arg::Str(s) => s.clone().into(),
            Arg::Int(i) => (*i).into(),
            Arg::Float(f) => (*f).into(),
            Arg::Bool(b) => (*b).into(),
        }
    }
}

/// One call found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    pub args: Vec<(String, Arg)>,
    /// The whole call, from `{{` / `{%` to `}}` / the closing `{% end %}`.
    pub range: Range<usize>,
    /// Where the name starts, for messages.
    pub name_at: usize,
    /// The Markdown between the tags of a block call.
    pub body: Option<Range<usize>>,
}

/// A call that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub offset: usize,
    pub message: String,
    /// Where scanning goes on: past all the text this call's reading looked at, so that no
    /// text is read twice however many broken calls a file holds.
    resume: usize,
}

/// Finds every call in `text` outside the `protected` byte ranges (sorted, not overlapping).
/// Time is linear in the length of `text`: every block opening is paired with its
/// `{% end %}` in one pass beforehand, and after a mistake scanning resumes where reading
/// the mistaken call stopped.
pub fn scan(text: &str, protected: &[Range<usize>]) -> (Vec<Call>, Vec<ScanError>) {
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    let ends = pair_blocks(text, protected);
    let mut pos = 0;
    while let Some(found) = next_opening(text, pos, protected) {
        let (open, block) = found;
        match parse_call(text, open, block) {
            Ok(None) => pos = open + 2,
            Ok(Some(mut call)) => {
                if block {
                    let end = ends
                        .get(&open)
                        .filter(|(body_end, _)| *body_end >= call.range.end);
                    match end {
                        Some(&(body_end, end)) => {
                            call.body = Some(call.range.end..body_end);
                            call.range.end = end;
                        }
                        None => {
                            errors.push(ScanError {
                                offset: open,
                                message: format!("短代码 {} 缺少结束标记 {{% end %}}", call.name),
                                resume: call.range.end,
                            });
                            pos = call.range.end;
                            continue;
                        }
                    }
                }
                pos = call.range.end;
                calls.push(call);
            }
            Err(e) => {
                pos = e.resume.max(open + 2);
                errors.push(e);
            }
        }
    }
    (calls, errors)
}

fn is_protected(offset: usize, protected: &[Range<usize>]) -> bool {
    let i = protected.partition_point(|r| r.end <= offset);
    protected.get(i).is_some_and(|r| r.start <= offset)
}

/// The next `{{` or `{%` at or after `pos`, and whether it is a block opening.
fn next_opening(text: &str, mut pos: usize, protected: &[Range<usize>]) -> Option<(usize, bool)> {
    loop {
        let i = pos + text.get(pos..)?.find('{')?;
        match text.as_bytes().get(i + 1) {
            Some(b'{') | Some(b'%') if !is_protected(i, protected) => {
                return Some((i, text.as_bytes()[i + 1] == b'%'));
            }
            _ => pos = i + 1,
        }
    }
}

/// Parses `{{ name(args) }}` or `{% name(args) %}` at `open`. `Ok(None)` when the text there
/// does not look like a call at all.
fn parse_call(text: &str, open: usize, block: bool) -> Result<Option<Call>, ScanError> {
    let mut p = Parser::new(text, open + 2);
    p.skip_spaces();
    let name_at = p.pos;
    let name = p.ident();
    if name.is_empty() || !p.eat("(") {
        return Ok(None);
    }
    if name == "end" {
        return Err(p.error(name_at, "多出来的 {% end %}：前面没有对应的短代码"));
    }
    let mut args = Vec::new();
    loop {
        p.skip_spaces();
        if p.eat(")") {
            break;
        }
        let key_at = p.pos;
        let key = p.ident();
        if key.is_empty() {
            return Err(p.error(
                key_at,
                &format!("短代码 {name} 的参数应当写成 名称=值，例如 title=\"标题\""),
            ));
        }
        p.skip_spaces();
        if !p.eat("=") {
            return Err(p.error(p.pos, &format!("参数 {key} 后面缺少 =")));
        }
        p.skip_spaces();
        let value = p.value().map_err(|m| p.error(p.pos, &m))?;
        if args.iter().any(|(k, _): &(String, Arg)| *k == key) {
            return Err(p.error(key_at, &format!("参数 {key} 写了两次")));
        }
        args.push((key, value));
        p.skip_spaces();
        if p.eat(",") {
            continue;
        }
        if p.eat(")") {
            break;
        }
        return Err(p.error(p.pos, "参数之间要用英文逗号 , 分开，最后用 ) 结束"));
    }
    p.skip_spaces();
    let close = if block { "%}" } else { "}}" };
    if !p.eat(close) {
        return Err(p.error(p.pos, &format!("短代码 {name} 缺少结尾的 {close}")));
    }
    Ok(Some(Call {
        name,
        args,
        range: open..p.pos,
        name_at,
        body: None,
    }))
}

/// Every block opening's `{% end %}`, by the opening's offset: (start of the end tag, end of
/// the end tag). Blocks nest, so an end closes the latest opening not yet closed; openings
/// left over have no end.
fn pair_blocks(text: &str, protected: &[Range<usize>]) -> HashMap<usize, (usize, usize)> {
    let mut pairs = HashMap::new();
    let mut open = Vec::new();
    let mut pos = 0;
    while let Some((at, block)) = next_opening(text, pos, protected) {
        pos = at + 2;
        if !block {
            continue;
        }
        let mut p = Parser::new(text, at + 2);
        p.skip_spaces();
        let name = p.ident();
        p.skip_spaces();
        if name == "end" && p.eat("%}") {
            if let Some(opening) = open.pop() {
                pairs.insert(opening, (at, p.pos));
            }
        } else if !name.is_empty() && p.eat("(") {
            open.push(at);
        }
    }
    pairs
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// The furthest offset read, past `pos` when a quoted argument ran on without its
    /// closing quote.
    reach: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, pos: usize) -> Parser<'a> {
        Parser {
            text,
            pos,
            reach: pos,
        }
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches([' ', '\t', '\n', '\r']).len();
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> String {
        let rest = self.rest();
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if rest.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return String::new();
        }
        let ident = rest[..len].to_string();
        self.pos += len;
        ident
    }

    fn value(&mut self) -> Result<Arg, String> {
        let rest = self.rest();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let mut value = String::new();
            let mut chars = rest.char_indices().skip(1);
            // Where reading stops without a closing quote: the end of the line or the text.
            let mut stop = rest.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, escaped)) => value.push(escaped),
                        None => break,
                    },
                    c if c == quote => {
                        self.pos += i + 1;
                        return Ok(Arg::Str(value));
                    }
                    '\n' => {
                        stop = i;
                        break;
                    }
                    c => value.push(c),
                }
            }
            self.reach = self.pos + stop;
            return Err("文字参数缺少结尾的引号".to_string());
        }
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_'))
            .count();
        let word = &rest[..len];
        let arg = match word {
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            _ => {
                if let Ok(i) = word.parse::<i64>() {
                    Arg::Int(i)
                } else if let Ok(f) = word.parse::<f64>()
                    && word.bytes().any(|b| b.is_ascii_digit())
                {
                    Arg::Float(f)
                } else {
                    return Err(
                        "参数值要用引号括起来（例如 \"第十二条\"），数字和 true、false 除外"
                            .to_string(),
                    );
                }
            }
        };
        self.pos += len;
        Ok(arg)
    }

    fn error(&self, offset: usize, message: &str) -> ScanError {
        ScanError {
            offset,
            message: message.to_string(),
            resume: self.pos.max(self.reach),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let (calls, errors) = scan(text, &[]);
        assert!(errors.is_empty(), "{errors:?}");
        calls.into_iter().map(|c| c.name).collect()
    }

    #[test]
    fn inline_calls_with_arguments() {
        let text =
            "见{{ law(name=\"民法典\", article='第一千零四十二条', n=3, x=1.5, on=true) }}。";
        let (calls, errors) = scan(text, &[]);
        assert!(errors.is_empty());
        let call = &calls[0];
        assert_eq!(call.name, "law");
        assert_eq!(
            call.args,
            [
                ("name".to_string(), Arg::Str("民法典".into())),
                ("article".to_string(), Arg::Str("第一千零四十二条".into())),
                ("n".to_string(), Arg::Int(3)),
                ("x".to_string(), Arg::Float(1.5)),
                ("on".to_string(), Arg::Bool(true)),
            ]
        );
        assert_eq!(&text[call.range.clone()], &text[3..text.len() - 3]);
        assert_eq!(&text[call.name_at..call.name_at + 3], "law");
    }

    #[test]
    fn block_calls_nest() {
        let text = "{% tip(type=\"注意\") %}\n外层 {% tip() %}内层{% end %}\n{% end %}尾";
        let (calls, errors) = scan(text, &[]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(calls.len(), 1, "the inner call is part of the outer body");
        let body = calls[0].body.clone().unwrap();
        assert_eq!(&text[body], "\n外层 {% tip() %}内层{% end %}\n");
        assert_eq!(&text[calls[0].range.end..], "尾");
    }

    #[test]
    fn other_braces_are_not_calls() {
        assert!(names("{{ 不是短代码 }} {% raw %} {{x}} {").is_empty());
        assert_eq!(names("{{tip()}}"), ["tip"]);
    }

    #[test]
    fn protected_ranges_are_skipped() {
        let text = "`{{ tip() }}` {{ tip() }}";
        let code_span = std::iter::once(0..13).collect::<Vec<_>>();
        let (calls, _) = scan(text, &code_span);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].range.start, 14);
    }

    #[test]
    fn mistakes_are_errors_with_offsets() {
        let cases = [
            ("{{ law(name=民法典) }}", 12, "引号"),
            ("{{ law(name=\"民法典\" article=\"1\") }}", 24, "逗号"),
            ("{{ law(name=\"民法典\") }", 25, "}}"),
            ("{% tip() %}没有结束", 0, "{% end %}"),
            ("{{ law(name=\"a\", name=\"b\") }}", 17, "两次"),
            ("{% end() %}", 3, "多出来"),
        ];
        for (text, offset, needle) in cases {
            let (_, errors) = scan(text, &[]);
            assert_eq!(errors.len(), 1, "{text}");
            assert_eq!(errors[0].offset, offset, "{text}: {}", errors[0].message);
            assert!(
                errors[0].message.contains(needle),
                "{text}: {}",
                errors[0].message
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn scanning_never_panics(text in r#"(\{\{|\{%|%\}|\}\}|[a-z]{1,3}|\(|\)|=|"|'|,| |\n|中|1|\\){0,40}"#) {
            let (calls, errors) = scan(&text, &[]);
            for call in calls {
                proptest::prop_assert!(call.range.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(call.range.start));
            }
            for e in errors {
                proptest::prop_assert!(e.offset <= text.len());
            }
        }
    }
}

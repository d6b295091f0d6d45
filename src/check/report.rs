//! Printing diagnostics: for people, with the offending line and a caret under the spot
//! (rendered by annotate-snippets, as rustc does), or as JSON for tools.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fs::shown;
use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How `pufa check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 给人看的：文件:行:列、出错的那一行和提示
    Human,
    /// 给程序读的 JSON 数组
    Json,
}

/// Renders `diagnostics` for people. Source lines are read from the files under `root`.
pub fn human(diagnostics: &[Diagnostic], root: &Path, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    let mut sources = Sources::new(root);
    let mut out = String::new();
    // A pasted document can repeat one mistake thousands of times: show the first few of each
    // kind in each file, and how many more there are.
    let mut seen: HashMap<(Option<&Path>, &str), usize> = HashMap::new();
    for d in diagnostics {
        let count = seen.entry((d.file.as_deref(), d.code)).or_insert(0);
        *count += 1;
        if *count > SHOWN_PER_KIND {
            continue;
        }
        let level = match d.severity {
            Severity::Error => Level::ERROR.with_name("错误"),
            Severity::Warning => Level::WARNING.with_name("警告"),
            Severity::Note => Level::NOTE.with_name("说明"),
        };
        let title = level.primary_title(d.message.as_str()).id(d.code);
        let place = d.file.as_deref().map(shown);
        let line_text = d
            .file
            .as_ref()
            .filter(|_| d.line > 0)
            .and_then(|f| sources.line(f, d.line));
        let mut group = match (&place, line_text) {
            (Some(path), Some(text)) => {
                let (text, column) = window(&text, d.column);
                // Personal data is never printed in full, not even in a quoted line.
                let text = super::mask_personal_data(&text);
                let span = underline(&text, column, d.len);
                title.element(
                    Snippet::source(text)
                        .line_start(d.line)
                        .path(path.clone())
                        .annotation(AnnotationKind::Primary.span(span)),
                )
            }
            (Some(path), None) => {
                let mut origin = Origin::path(path.clone());
                if d.line > 0 {
                    origin = origin.line(d.line);
                    if d.column > 0 {
                        origin = origin.char_column(d.column);
                    }
                }
                title.element(origin)
            }
            (None, _) => Group::with_title(title),
        };
        if let Some(suggestion) = &d.suggestion {
            group = group.element(Level::HELP.with_name("提示").message(suggestion.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    let mut more: Vec<_> = seen
        .into_iter()
        .filter(|&(_, n)| n > SHOWN_PER_KIND)
        .collect();
    more.sort();
    for ((file, code), n) in more {
        let file = file.map_or_else(|| "网站".to_string(), shown);
        out.push_str(&format!(
            "……{file} 中还有 {} 处 [{code}] 同样的问题，没有一一列出（--format json 列出全部）\n\n",
            n - SHOWN_PER_KIND
        ));
    }
    out
}

/// How many diagnostics of one kind in one file the human report shows.
const SHOWN_PER_KIND: usize = 20;

/// Longest piece of a source line shown, in characters: a window around the column.
const SHOWN_LINE: usize = 120;

/// The one-line tally that ends a report.
pub fn tally(diagnostics: &[Diagnostic]) -> String {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    let mut tally = match (errors, warnings) {
        (0, 0) => "没有发现问题".to_string(),
        (0, w) => format!("{w} 个警告"),
        (e, 0) => format!("{e} 个错误"),
        (e, w) => format!("{e} 个错误，{w} 个警告"),
    };
    if notes > 0 {
        tally.push_str(&format!("；另有 {notes} 条说明（不影响发布）"));
    }
    tally
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    suggestion: Option<&'a str>,
}

/// Renders `diagnostics` as a JSON array.
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic> = diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            file: d.file.as_ref().map(|f| shown(f)),
            line: (d.line > 0).then_some(d.line),
            column: (d.column > 0).then_some(d.column),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            },
            code: d.code,
            message: &d.message,
            suggestion: d.suggestion.as_deref(),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&items).expect("diagnostics serialise");
    text.push('\n');
    text
}

/// What `pufa check` looks at, as the HTML report lists it for the reader who signs it.
const CHECKED: &[&str] = &[
    "个人信息：没有打码的身份证号、手机号、银行卡号（含空格、连字符、+86、全角数字的写法）",
    "法律引用：已经废止的法律、超出法律条数的条文、不认识的法律名称",
    "严重表述错误：内置的确定错误和本站登记的错误写法",
    "栏目更新：首页、普法文章、普法视频、每个专题、每个视频系列是否按时更新",
    "页脚：主办单位、联系方式、网站标识码、ICP 备案号、公安机关备案号",
    "链接和文件：死链、不存在的小标题、缺少的图片和视频",
    "内容格式：front matter、日期、专题和视频系列的名称、短代码、模板",
    "网址：不会写到网站文件夹以外，两个来源不会写同一个文件",
];

/// A page for people who must approve publication: what was checked, the tally, every
/// finding with its file and line (personal data masked), and a place to sign. One file with
/// its styles inline, readable in any browser and printable.
pub fn html(diagnostics: &[Diagnostic], root: &Path, site: &str, checked_on: &str) -> String {
    use std::fmt::Write as _;
    let e = crate::text::escape_html;
    let mut sources = Sources::new(root);
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    let verdict = if errors > 0 {
        format!("有 {errors} 个错误，改正之前网站不能生成和发布。")
    } else if warnings > 0 {
        format!("没有错误，可以生成；有 {warnings} 个警告，请逐条核实。")
    } else {
        "没有发现问题。".to_string()
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} 发布前检查报告</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #1a1a1a; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }}
h1 {{ font-size: 1.6rem; margin-bottom: .25rem; }}
.meta {{ color: #555; margin-top: 0; }}
.verdict {{ font-size: 1.15rem; padding: .75rem 1rem; border-left: .4rem solid #b00020; background: #fdf0f0; }}
.verdict.ok {{ border-color: #1b6e3a; background: #eef7f0; }}
table {{ border-collapse: collapse; width: 100%; margin: 1rem 0; }}
th, td {{ border: 1px solid #ccc; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
th {{ background: #f2f2f2; }}
td:first-child {{ white-space: nowrap; }}
.error {{ color: #b00020; font-weight: bold; }}
.warning {{ color: #8a5a00; font-weight: bold; }}
.note {{ color: #555; }}
code, .source {{ font-family: "Noto Sans Mono CJK SC", monospace; font-size: .9em; }}
.source {{ display: block; white-space: pre-wrap; color: #333; background: #f7f7f7; padding: .2rem .4rem; margin-top: .3rem; }}
.sign {{ margin-top: 3rem; display: flex; gap: 4rem; flex-wrap: wrap; }}
.sign p {{ min-width: 14rem; border-bottom: 1px solid #333; padding-bottom: .25rem; }}
@media print {{ body {{ margin: 0; }} }}
</style>
</head>
<body>
<h1>{title} 发布前检查报告</h1>
<p class="meta">检查日期：{date} · 网站文件夹：{folder} · pufa {version}</p>
<p class="verdict{ok}">{verdict}</p>
<table>
<tr><th>错误（必须改正）</th><th>警告（请核实）</th><th>说明（作者声明的例外）</th></tr>
<tr><td>{errors}</td><td>{warnings}</td><td>{notes}</td></tr>
</table>
<h2>检查了什么</h2>
<ul>
"#,
        title = e(site),
        date = e(checked_on),
        folder = e(&shown(
            &std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf())
        )),
        version = env!("CARGO_PKG_VERSION"),
        ok = if errors == 0 { " ok" } else { "" },
    );
    for item in CHECKED {
        let _ = writeln!(out, "<li>{}</li>", e(item));
    }
    out.push_str("</ul>\n<h2>发现的问题</h2>\n");
    if diagnostics.is_empty() {
        out.push_str("<p>没有。</p>\n");
    } else {
        out.push_str("<table>\n<tr><th>级别</th><th>位置</th><th>问题</th><th>怎样改</th></tr>\n");
        for d in diagnostics {
            let (class, label) = match d.severity {
                Severity::Error => ("error", "错误"),
                Severity::Warning => ("warning", "警告"),
                Severity::Note => ("note", "说明"),
            };
            let place = match &d.file {
                None => "整个网站".to_string(),
                Some(file) if d.line == 0 => shown(file),
                Some(file) if d.column == 0 => format!("{}:{}", shown(file), d.line),
                Some(file) => format!("{}:{}:{}", shown(file), d.line, d.column),
            };
            // The line as written, with personal data masked as everywhere else.
            let source = d
                .file
                .as_ref()
                .filter(|_| d.line > 0)
                .and_then(|f| sources.line(f, d.line))
                .map(|line| {
                    let (text, _) = window(&line, d.column);
                    format!(
                        r#"<span class="source">{}</span>"#,
                        e(&super::mask_personal_data(&text))
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                r#"<tr><td class="{class}">{label}</td><td><code>{}</code><br><code>{}</code></td><td>{}{source}</td><td>{}</td></tr>"#,
                e(&place),
                e(d.code),
                e(&d.message),
                e(d.suggestion.as_deref().unwrap_or("")),
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str(
        r#"<div class="sign"><p>检查人：</p><p>审核人：</p><p>日期：</p></div>
</body>
</html>
"#,
    );
    out
}

/// The byte range to underline in `line`: `len` characters from the one at `column`
/// (1-based), or, when `len` is 0, to the end of the word there, so a topic, a date or a link
/// is marked whole.
fn underline(line: &str, column: usize, len: usize) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    if len > 0 {
        let end = line[start..]
            .char_indices()
            .nth(len)
            .map_or(line.len(), |(i, _)| start + i);
        return start..end;
    }
    let end = line[start..]
        .char_indices()
        .find(|&(i, c)| i > 0 && (c.is_whitespace() || "，。、；：！？）】」』》”,;".contains(c)))
        .map_or(line.len(), |(i, _)| start + i);
    let end = line[start..end]
        .char_indices()
        .nth(30)
        .map_or(end, |(i, _)| start + i);
    start..end.max(start)
}

/// At most [`SHOWN_LINE`] characters of `line` around `column`, and the column within them.
fn window(line: &str, column: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= SHOWN_LINE {
        return (line.to_string(), column);
    }
    let first = column
        .saturating_sub(SHOWN_LINE / 2)
        .min(count - SHOWN_LINE);
    let shown: String = line.chars().skip(first).take(SHOWN_LINE).collect();
    (shown, column - first)
}

/// File texts, read once each, for showing the offending lines (the report's, and the
/// preview's overlay).
pub(crate) struct Sources<'a> {
    root: &'a Path,
    /// Each file's text and where its lines start.
    files: HashMap<PathBuf, Option<(String, Vec<usize>)>>,
}

impl<'a> Sources<'a> {
    pub(crate) fn new(root: &'a Path) -> Self {
        Sources {
            root,
            files: HashMap::new(),
        }
    }

    /// Line `line` (1-based) of `file` (relative to the root), as the stages saw it.
    pub(crate) fn line(&mut self, file: &Path, line: usize) -> Option<String> {
        let root = self.root;
        let entry = self.files.entry(file.to_path_buf()).or_insert_with(|| {
            let bytes = std::fs::read(root.join(file)).ok()?;
            let text = String::from_utf8_lossy(&bytes);
            // As the stages saw the file, so that columns match: without the characters
            // removed on reading.
            let mut text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
            text.retain(|c| !crate::text::is_forbidden(c));
            let mut starts = vec![0];
            starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
            Some((text, starts))
        });
        let (text, starts) = entry.as_ref()?;
        // Past the last line (an empty file, or after the final line break) there is none.
        let start = *starts.get(line - 1).filter(|&&start| start < text.len())?;
        let end = starts.get(line).map_or(text.len(), |&next| next - 1);
        Some(text[start..end].trim_end_matches('\r').to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underlines_the_word_at_the_column() {
        let line = "  - 电信炸骗";
        assert_eq!(&line[underline(line, 5, 0)], "电信炸骗");
        let line = "date: 2023-02-30";
        assert_eq!(&line[underline(line, 7, 0)], "2023-02-30");
        let line = "依据中华人民共合国宪法，攻府依法行政。";
        assert_eq!(&line[underline(line, 3, 0)], "中华人民共合国宪法");
        assert_eq!(&line[underline(line, 3, 7)], "中华人民共合国");
        assert_eq!(underline("短", 9, 0), 3..3);
    }

    #[test]
    fn json_has_the_documented_fields() {
        let d = Diagnostic::error("lint/wording", "严重表述错误")
            .in_file("content/articles/a.md")
            .at(3, 5)
            .with_suggestion("改为“中华人民共和国”");
        let value: serde_json::Value = serde_json::from_str(&json(&[d])).unwrap();
        assert_eq!(
            value,
            serde_json::json!([{
                "file": "content/articles/a.md",
                "line": 3,
                "column": 5,
                "severity": "error",
                "code": "lint/wording",
                "message": "严重表述错误",
                "suggestion": "改为“中华人民共和国”"
            }])
        );
    }
}

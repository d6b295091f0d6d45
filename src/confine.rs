//! The one check every output path passes, and the table of who produces each output file.
//!
//! Output paths come from many places: slugs (from file names, front matter and site.yaml),
//! aliases, month keys, copied files' own names, a theme's static files. Whatever they are,
//! [`output_path`] decides whether one may exist inside an output folder: relative, made of
//! plain names, each short enough for every file system pufa's users publish to (ext4, NTFS,
//! FAT on a USB stick), none that Windows reserves. [`Table`] then gives each output file
//! one source: two sources for one file — a page and a copied file, an alias and a list page,
//! two names that differ only in case and so are one file on Windows — are an error naming
//! both, never a silent overwrite whose winner depends on thread timing.

use crate::diagnostic::Diagnostic;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Longest name of one file or folder, in bytes: ext4's and NTFS's limit.
pub const MAX_NAME: usize = 255;

/// Longest output path, in bytes, leaving room for the output folder's own path within the
/// systems' limits (4,096 bytes on Linux; 32,767 characters on Windows, far less in many
/// Windows programs).
pub const MAX_PATH: usize = 1024;

/// Why a path cannot be an output path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `..`: it would leave the output folder.
    Parent,
    /// It starts at a root (`/etc`, `C:`, `\\server`).
    Absolute,
    /// A character no file name may hold everywhere (control characters, `\ : * ? " < > |`).
    Character(char),
    /// A name longer than [`MAX_NAME`] bytes.
    TooLong(String),
    /// A whole path longer than [`MAX_PATH`] bytes.
    PathTooLong(usize),
    /// A name Windows keeps for devices (`con`, `nul`, `com1` …), or one ending in a dot or
    /// a space, which Windows drops.
    Reserved(String),
    /// Not ASCII where only ASCII is allowed (page addresses).
    NotAscii,
}

impl Refusal {
    /// The reason in Chinese, for messages.
    pub fn reason(&self) -> String {
        match self {
            Refusal::Parent => "路径里有 ..，会跑到输出文件夹外面".into(),
            Refusal::Absolute => "路径从根目录或盘符开始，会跑到输出文件夹外面".into(),
            Refusal::Character(c) if c.is_control() => {
                format!("含有控制字符 U+{:04X}", *c as u32)
            }
            Refusal::Character(c) => format!("含有 Windows 文件名里不允许的字符“{c}”"),
            Refusal::TooLong(name) => format!(
                "其中“{}…”长 {} 字节，超过文件系统允许的 {MAX_NAME} 字节",
                name.chars().take(16).collect::<String>(),
                name.len()
            ),
            Refusal::PathTooLong(len) => {
                format!("整个路径长 {len} 字节，超过 pufa 允许的 {MAX_PATH} 字节")
            }
            Refusal::Reserved(name) => {
                format!("“{name}”在 Windows 上是保留的名字（或以点、空格结尾），无法作为文件名")
            }
            Refusal::NotAscii => "网址只能用英文字母、数字和 -".into(),
        }
    }
}

/// Checks `path` (relative to the output root, `/`-separated; a folder path ends in `/`)
/// and returns it normalised: `.` and empty parts dropped, a folder keeping its final `/`.
/// `ascii` asks for page addresses, which are ASCII by construction; copied files keep the
/// author's own names, Chinese ones included.
pub fn output_path(path: &str, ascii: bool) -> Result<String, Refusal> {
    if path.starts_with(['/', '\\']) || path.as_bytes().get(1) == Some(&b':') {
        return Err(Refusal::Absolute);
    }
    if ascii && !path.is_ascii() {
        return Err(Refusal::NotAscii);
    }
    if path.len() > MAX_PATH {
        return Err(Refusal::PathTooLong(path.len()));
    }
    let mut normal = String::with_capacity(path.len());
    for part in path.split('/') {
        match part {
            "" | "." => continue,
            ".." => return Err(Refusal::Parent),
            _ => {}
        }
        if let Some(c) = part.chars().find(|&c| {
            c.is_control() || matches!(c, '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        }) {
            return Err(Refusal::Character(c));
        }
        if part.len() > MAX_NAME {
            return Err(Refusal::TooLong(part.to_string()));
        }
        if is_reserved(part) {
            return Err(Refusal::Reserved(part.to_string()));
        }
        normal.push_str(part);
        normal.push('/');
    }
    if !path.is_empty() && !path.ends_with('/') && !path.ends_with("/.") && path != "." {
        normal.pop();
    }
    Ok(normal)
}

/// Names Windows will not create: devices, with or without an extension, and names ending
/// in a dot or a space.
pub fn is_reserved(name: &str) -> bool {
    if name.ends_with(['.', ' ']) {
        return true;
    }
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let lower = stem.to_ascii_lowercase();
    matches!(lower.as_str(), "con" | "prn" | "aux" | "nul")
        || ((lower.starts_with("com") || lower.starts_with("lpt"))
            && lower.len() == 4
            && lower.as_bytes()[3].is_ascii_digit()
            && lower.as_bytes()[3] != b'0')
}

/// Who produces an output file, for messages. Cheap to clone: the files made of one
/// picture share theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// What it is, in Chinese: `content/articles/a.md 的页面`, `文章列表（pufa 生成）`.
    pub what: Arc<str>,
    /// The file to point the author at, with line and column, when there is one.
    pub file: Option<(Arc<Path>, usize, usize)>,
}

impl Source {
    /// A file of the site's own.
    pub fn file(what: impl Into<Arc<str>>, file: impl AsRef<Path>, at: (usize, usize)) -> Source {
        Source {
            what: what.into(),
            file: Some((file.as_ref().into(), at.0, at.1)),
        }
    }

    /// Something pufa or the theme makes.
    pub fn generated(what: impl Into<Arc<str>>) -> Source {
        Source {
            what: what.into(),
            file: None,
        }
    }
}

/// Every output file and its one source. Entries are added in a fixed order, so the
/// same site always gives the same messages, whatever the number of threads.
#[derive(Default)]
pub struct Table {
    /// Output file (normalised) → its source.
    files: HashMap<String, Source>,
    /// Lower-cased output file → the file as added, to find names that Windows and macOS
    /// would take for one; only for files not lower-case already, which `files` holds
    /// under their own name ([`Table::folded`]).
    folded: HashMap<String, String>,
    /// Lower-cased folders that files were added in (`articles/a/`) → the first such file: a
    /// file of the same name as a folder (`feed.xml` and `feed.xml/index.html`) cannot be.
    folders: HashMap<String, String>,
    /// Folders whose whole contents pufa writes (`search/data/`), with who writes them.
    reserved: Vec<(String, Source)>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Table {
    /// Keeps every file under `folder` (ending in `/`) for `source` alone.
    pub fn reserve(&mut self, folder: &str, source: Source) {
        self.reserved.push((folder.to_string(), source));
    }

    /// Adds the output file `path` (a folder path stands for its `index.html`) made by
    /// `source`. Returns the normalised file path, or `None` when the path is refused or
    /// already taken (the diagnostic is in [`Table::diagnostics`]).
    pub fn add(&mut self, path: &str, ascii: bool, source: Source) -> Option<String> {
        let file = match output_path(path, ascii) {
            Ok(normal) => crate::url::output_file(&normal),
            Err(refusal) => {
                let d = Diagnostic::error(
                    "output/refused-path",
                    format!("{} 不能发布为 {path}：{}", source.what, refusal.reason()),
                )
                .with_suggestion("换一个文件名或 slug：网址最好用简短的拼音或英文");
                self.diagnostics.push(located(d, &source));
                return None;
            }
        };
        if let Some((_, owner)) = self
            .reserved
            .iter()
            .find(|(folder, _)| file.starts_with(folder.as_str()))
        {
            let owner = owner.clone();
            self.conflict(&file, &owner, &source);
            return None;
        }
        if let Some(first) = self.files.get(&file) {
            let first = first.clone();
            self.conflict(&file, &first, &source);
            return None;
        }
        let lower = file.to_lowercase();
        if let Some(other) = self.folded(&lower) {
            let other = other.to_string();
            let first = self.files[&other].clone();
            let d = Diagnostic::error(
                "output/case-conflict",
                format!(
                    "输出文件 {file} 与 {other} 只有大小写不同，在 Windows 和 U 盘上是同一个文件，会互相覆盖：{}；{}",
                    first.what, source.what
                ),
            )
            .with_suggestion("把其中一个改名，让两个名字不只是大小写不同");
            self.diagnostics.push(located_at_author(d, &first, &source));
            return None;
        }
        // A file where another file needs a folder, or a folder where there is a file.
        let blocked = if let Some(inside) = self.folders.get(&format!("{lower}/")) {
            Some(inside.clone())
        } else {
            lower
                .match_indices('/')
                .find_map(|(i, _)| self.folded(&lower[..i]))
                .map(str::to_string)
        };
        if let Some(other) = blocked {
            let first = self.files[&other].clone();
            let d = Diagnostic::error(
                "output/conflict",
                format!(
                    "输出文件 {file} 与 {other} 一个要用同名的文件、一个要用同名的文件夹，不能同时存在：{}；{}",
                    first.what, source.what
                ),
            )
            .with_suggestion("改掉其中一个：换一个文件名、slug 或 aliases");
            self.diagnostics.push(located_at_author(d, &first, &source));
            return None;
        }
        for (i, _) in lower.match_indices('/') {
            if !self.folders.contains_key(&lower[..=i]) {
                self.folders.insert(lower[..=i].to_string(), file.clone());
            }
        }
        if lower != file {
            self.folded.insert(lower, file.clone());
        }
        self.files.insert(file.clone(), source);
        Some(file)
    }

    /// The file added whose lower-cased name is `lower`.
    fn folded(&self, lower: &str) -> Option<&str> {
        self.folded
            .get(lower)
            .or_else(|| self.files.get_key_value(lower).map(|(file, _)| file))
            .map(String::as_str)
    }

    fn conflict(&mut self, file: &str, first: &Source, second: &Source) {
        let d = Diagnostic::error(
            "output/conflict",
            format!(
                "输出文件 {file} 有两个来源，不能互相覆盖：{}；{}",
                first.what, second.what
            ),
        )
        .with_suggestion("改掉其中一个：换一个文件名、slug 或 aliases，或删掉多余的文件");
        self.diagnostics.push(located_at_author(d, first, second));
    }
}

/// `d` at the author's file of the two sources: the second if it is one, else the first.
fn located_at_author(d: Diagnostic, first: &Source, second: &Source) -> Diagnostic {
    located(d, if second.file.is_some() { second } else { first })
}

fn located(d: Diagnostic, source: &Source) -> Diagnostic {
    match &source.file {
        Some((file, line, column)) => d.in_file(file).at(*line, *column),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_paths_pass_normalised() {
        let cases = [
            ("", ""),
            ("./", ""),
            (".", ""),
            ("articles/a/", "articles/a/"),
            ("articles//a/./", "articles/a/"),
            ("media/ep03.mp4", "media/ep03.mp4"),
            ("old/./page.html", "old/page.html"),
            ("图片/照片 1.jpg", "图片/照片 1.jpg"),
        ];
        for (path, expected) in cases {
            assert_eq!(output_path(path, false).as_deref(), Ok(expected), "{path}");
        }
    }

    #[test]
    fn paths_that_leave_or_break_are_refused() {
        let long = "a".repeat(256);
        let deep = format!("{}/", vec!["a".repeat(250); 5].join("/"));
        let cases = [
            ("../x/", Refusal::Parent),
            ("topics/../../x/", Refusal::Parent),
            ("..", Refusal::Parent),
            ("/etc/passwd", Refusal::Absolute),
            ("\\\\server\\x", Refusal::Absolute),
            ("C:/x", Refusal::Absolute),
            ("a\\..\\b", Refusal::Character('\\')),
            ("a\u{b}b.png", Refusal::Character('\u{b}')),
            ("what?.html", Refusal::Character('?')),
            ("con/", Refusal::Reserved("con".into())),
            ("articles/NUL.txt", Refusal::Reserved("NUL.txt".into())),
            ("com1", Refusal::Reserved("com1".into())),
            ("x./", Refusal::Reserved("x.".into())),
            (long.as_str(), Refusal::TooLong(long.clone())),
            (deep.as_str(), Refusal::PathTooLong(deep.len())),
        ];
        for (path, expected) in cases {
            assert_eq!(output_path(path, false), Err(expected), "{path}");
        }
        assert_eq!(output_path("图片/", true), Err(Refusal::NotAscii));
        assert!(output_path("com0/", false).is_ok());
        assert!(output_path("console/", false).is_ok());
    }

    #[test]
    fn a_second_source_is_an_error_naming_both() {
        let mut table = Table::default();
        table.reserve("search/data/", Source::generated("搜索索引"));
        assert!(table.add("", true, Source::generated("首页")).is_some());
        let alias = Source::file(
            "content/articles/a.md 的 aliases",
            "content/articles/a.md",
            (4, 3),
        );
        assert!(table.add("./", false, alias).is_none());
        let copied = Source::file("复制的文件", "content/search/data/x.json", (0, 0));
        assert!(table.add("search/data/x.json", false, copied).is_none());
        assert!(
            table
                .add("Media/A.png", false, Source::generated("甲"))
                .is_some()
        );
        assert!(
            table
                .add("media/a.png", false, Source::generated("乙"))
                .is_none()
        );
        assert!(
            table
                .add("feed.xml", true, Source::generated("订阅"))
                .is_some()
        );
        assert!(
            table
                .add("feed.xml/", false, Source::generated("别名"))
                .is_none()
        );
        assert!(
            table
                .add("articles/a/index.html", true, Source::generated("文章"))
                .is_some()
        );
        assert!(
            table
                .add("articles/a", false, Source::generated("复制的文件"))
                .is_none()
        );
        assert!(
            table
                .add("articles/b/", true, Source::generated("另一篇"))
                .is_some()
        );
        // Lower case first, then the same name in capitals; a capital folder over a file.
        assert!(
            table
                .add("media/b.png", false, Source::generated("丙"))
                .is_some()
        );
        assert!(
            table
                .add("Media/B.png", false, Source::generated("丁"))
                .is_none()
        );
        assert!(
            table
                .add("Feed.xml/x.png", false, Source::generated("戊"))
                .is_none()
        );
        let codes: Vec<&str> = table.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                "output/conflict",
                "output/conflict",
                "output/case-conflict",
                "output/conflict",
                "output/conflict",
                "output/case-conflict",
                "output/conflict",
            ]
        );
        let first = &table.diagnostics[0];
        assert!(first.message.contains("index.html") && first.message.contains("首页"));
        assert_eq!(first.line, 4);
    }

    proptest::proptest! {
        #[test]
        fn what_passes_stays_inside(path in "([a-z.]{0,3}|\\.\\.|/|\\\\|:|中)*") {
            if let Ok(normal) = output_path(&path, false) {
                proptest::prop_assert!(!normal.starts_with('/'));
                proptest::prop_assert!(normal.split('/').all(|p| p != ".." && p != "."));
                let joined = std::path::Path::new("/out").join(&normal);
                proptest::prop_assert!(joined.starts_with("/out"));
            }
        }
    }
}

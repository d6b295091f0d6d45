//! `pufa new`: start a content file with its front matter written for the author.
//!
//! The file goes in the kind's folder under a pinyin file name, dated today (China time),
//! marked `draft: true`, and — for articles — placed in the current month with that month's
//! topics. An existing file is never overwritten.

use crate::content::{Date, date::month_chinese, frontmatter};
use crate::diagnostic::Diagnostic;
use crate::yaml;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What `pufa new` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    /// 普法文章
    Article,
    /// 视频
    Episode,
    /// 主题月（标题写这个月的主题）
    Month,
    /// 独立页面
    Page,
}

/// The folder under content/ that holds files of `kind`.
pub fn kind_folder(kind: NewKind) -> &'static str {
    match kind {
        NewKind::Article => "articles",
        NewKind::Episode => "episodes",
        NewKind::Month => "months",
        NewKind::Page => "pages",
    }
}

/// The address a file of `kind` named `name` is published at (`articles/jing-ti/`).
pub fn address(kind: NewKind, name: &str) -> String {
    match kind {
        NewKind::Page => format!("{name}/"),
        _ => format!("{}/{name}/", kind_folder(kind)),
    }
}

/// What `pufa new` made.
#[derive(Debug)]
pub struct Created {
    /// The file, relative to `root`.
    pub file: PathBuf,
    /// The address it will be published at (`articles/jing-ti-shua-dan/`).
    pub address: String,
}

/// Creates the file.
pub fn run(root: &Path, kind: NewKind, title: &str) -> Result<Created, Diagnostic> {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Diagnostic::error(
            "new/not-a-site",
            format!("{} 不是 pufa 网站：没有 site.yaml", root.display()),
        )
        .with_suggestion(format!(
            "进入网站文件夹再运行，或用 --root 指定；新建网站用 {} init 文件夹名",
            crate::cli::command_shown()
        )));
    }
    let title = title.trim();
    if title.is_empty() {
        return Err(Diagnostic::error("new/empty-title", "标题不能是空的"));
    }
    let today = Date::today();
    let this_month = today.month_key();
    let content = root.join(crate::content::CONTENT_DIR);
    let (folder, name, text) = match kind {
        NewKind::Month => {
            let key = free_month(&content.join("months"), &this_month);
            let mut text = String::from("---\n");
            let _ = writeln!(
                text,
                "title: {}",
                yaml_string(&format!("{} {title}", month_chinese(&key)))
            );
            let _ = writeln!(text, "theme: {}", yaml_string(title));
            text.push_str(
                "# lead: 牵头单位\ntopics: []\ndraft: true\n---\n\n这个月的宣传活动安排……\n",
            );
            ("months", key, text)
        }
        _ => {
            // Capped like every slug made from a name, so a long title still makes a file.
            let (slug, _) = crate::url::capped_slug(title);
            if slug.is_empty() {
                return Err(Diagnostic::error(
                    "new/empty-slug",
                    format!("无法从标题“{title}”生成文件名"),
                )
                .with_suggestion("标题里要有汉字、字母或数字"));
            }
            let folder = kind_folder(kind);
            let body = match kind {
                NewKind::Article => "正文从这里开始。",
                NewKind::Episode => "视频简介和文字稿。",
                _ => "页面内容。",
            };
            let text = format!(
                "{}\n{body}\n",
                front_matter(kind, title, &slug, &content, None)
            );
            (folder, slug, text)
        }
    };
    let relative = Path::new(crate::content::CONTENT_DIR)
        .join(folder)
        .join(format!("{name}.md"));
    let path = root.join(&relative);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| crate::fs::error("io/write", "创建文件夹", dir, &e))?;
    }
    // create_new: an existing file is never touched, even if it appears meanwhile.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    match file {
        Ok(mut file) => {
            use std::io::Write as _;
            file.write_all(text.as_bytes())
                .map_err(|e| crate::fs::error("io/write", "写入", &relative, &e))?;
            Ok(Created {
                file: relative,
                address: address(kind, &name),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Diagnostic::error(
            "new/exists",
            "文件已经存在，pufa 不会覆盖它",
        )
        .in_file(&relative)
        .with_suggestion("换一个标题，或直接编辑这个文件")),
        Err(e) => Err(crate::fs::error("io/write", "创建文件", &relative, &e)),
    }
}

/// The front matter (between `---` lines, ending with a newline) that `pufa new` and
/// `pufa import` start a file of `kind` with: dated today (China time), `draft: true`, an
/// article in the current month with that month's topics, an episode in the first series.
/// `source` (来源) is written when known, else left as a commented line to fill in.
pub fn front_matter(
    kind: NewKind,
    title: &str,
    slug: &str,
    content: &Path,
    source: Option<&str>,
) -> String {
    let today = Date::today();
    let mut text = String::from("---\n");
    let _ = writeln!(text, "title: {}", yaml_string(title));
    match kind {
        NewKind::Article => {
            let month = today.month_key();
            let topics = month_topics(&content.join("months").join(format!("{month}.md")));
            let _ = writeln!(text, "date: {}", today.iso());
            let _ = writeln!(text, "month: {month}");
            let _ = writeln!(
                text,
                "topics: [{}]",
                topics
                    .iter()
                    .map(|t| yaml_string(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            text.push_str("# summary: 一两句话的摘要\n# author: 作者\n");
            source_line(&mut text, source);
            text.push_str("# editor: 责任编辑\n");
        }
        NewKind::Episode => {
            let _ = writeln!(text, "date: {}", today.iso());
            match first_series(&content.join("series")) {
                Some(series) => {
                    let _ = writeln!(text, "series: {}", yaml_string(&series));
                }
                None => text.push_str("# series: 所属视频系列（content/series/ 中的标题）\n"),
            }
            text.push_str("# episode: 1\n# video: ../media/视频文件.mp4\n# embed: bilibili:BV号\n# poster: ../media/封面.png\n# duration: \"03:30\"\n# subtitles: ../media/字幕.vtt\ntopics: []\n");
            if source.is_some() {
                source_line(&mut text, source);
            }
        }
        NewKind::Page | NewKind::Month => {
            let _ = writeln!(text, "slug: {slug}");
            if source.is_some() {
                source_line(&mut text, source);
            }
        }
    }
    text.push_str("draft: true\n---\n");
    text
}

fn source_line(text: &mut String, source: Option<&str>) {
    match source {
        Some(source) => {
            let _ = writeln!(text, "source: {}", yaml_string(source));
        }
        None => text.push_str("# source: 来源\n"),
    }
}

/// The month from `start` on (`YYYY-MM`) that has no theme file yet.
fn free_month(months: &Path, start: &str) -> String {
    let mut key = start.to_string();
    while months.join(format!("{key}.md")).exists() {
        let year: i32 = key[..4].parse().unwrap_or(2000);
        let month: u32 = key[5..].parse().unwrap_or(1);
        key = if month == 12 {
            format!("{:04}-01", year + 1)
        } else {
            format!("{year:04}-{:02}", month + 1)
        };
    }
    key
}

/// The topics listed in a month theme file, if it exists and reads.
fn month_topics(file: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    let Ok(split) = frontmatter::split(text.trim_start_matches('\u{feff}')) else {
        return Vec::new();
    };
    let Ok(node) = yaml::parse(split.yaml) else {
        return Vec::new();
    };
    let mut fields = yaml::Fields::new(node.entries().unwrap_or(&[]), file, 0);
    fields
        .string_list("topics")
        .into_iter()
        .map(|l| l.text)
        .collect()
}

/// The title of the first series file, in file-name order.
fn first_series(dir: &Path) -> Option<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files.into_iter().find_map(|file| {
        let text = std::fs::read_to_string(&file).ok()?;
        let split = frontmatter::split(text.trim_start_matches('\u{feff}')).ok()?;
        let node = yaml::parse(split.yaml).ok()?;
        yaml::Fields::new(node.entries()?, &file, 0).string("title")
    })
}

/// A YAML double-quoted string.
pub fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_free_month() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(free_month(dir.path(), "2026-12"), "2026-12");
        std::fs::write(dir.path().join("2026-12.md"), "").unwrap();
        assert_eq!(free_month(dir.path(), "2026-12"), "2027-01");
    }

    #[test]
    fn titles_are_quoted_safely() {
        assert_eq!(yaml_string("“兼职”陷阱: 第1集"), "\"“兼职”陷阱: 第1集\"");
        assert_eq!(yaml_string("a\"b"), "\"a\\\"b\"");
    }
}

//! `pufa import`: a Word document or text file in, a draft content file out.
//!
//! [`crate::import`] converts the file; this places it: under the kind's folder with a pinyin
//! file name, the front matter `pufa new` writes (today's date, this month and its topics,
//! `draft: true`) plus the title and author the document gave, its pictures in a folder
//! beside it. Nothing that exists is overwritten, and a document that cannot be written
//! whole leaves nothing behind. The personal-data check runs on the result at once.

use crate::cmd::new::{self, NewKind};
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::import::{self, Document};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `pufa import` can make of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// 普法文章
    Article,
    /// 视频（正文是简介和文字稿）
    Episode,
    /// 独立页面
    Page,
}

impl ImportKind {
    fn as_new(self) -> NewKind {
        match self {
            ImportKind::Article => NewKind::Article,
            ImportKind::Episode => NewKind::Episode,
            ImportKind::Page => NewKind::Page,
        }
    }
}

/// One document imported.
#[derive(Debug)]
pub struct Imported {
    /// The Markdown file written, relative to the site root.
    pub file: PathBuf,
    /// The pictures written beside it, relative to the site root.
    pub pictures: Vec<PathBuf>,
    /// The address it will be published at.
    pub address: String,
    /// The encoding a text file was converted from.
    pub encoding: Option<&'static str>,
    /// What was not converted (warnings on the source document) and personal data found in
    /// the result (errors on the Markdown file).
    pub diagnostics: Vec<Diagnostic>,
}

/// Imports `source` into the site at `root` as a file of `kind`.
pub fn run(root: &Path, source: &Path, kind: ImportKind) -> Result<Imported, Diagnostic> {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Diagnostic::error(
            "import/not-a-site",
            format!("{} 不是 pufa 网站：没有 site.yaml", root.display()),
        )
        .with_suggestion("进入网站文件夹再运行，或用 --root 指定网站文件夹"));
    }
    if !source.is_file() {
        return Err(Diagnostic::error("import/missing", "找不到这个文件")
            .in_file(source)
            .with_suggestion("检查文件名和所在的文件夹；文件名有空格时要加引号"));
    }
    let document = import::read(source, source)?;
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().trim().to_string())
        .unwrap_or_default();
    let title = document
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| stem.clone());
    let name = file_name(&title, &stem, kind.as_new());
    if name.is_empty() {
        return Err(Diagnostic::error(
            "import/empty-slug",
            format!("无法从标题“{title}”生成文件名"),
        )
        .in_file(source)
        .with_suggestion("把文件改成有汉字、字母或数字的名字再导入"));
    }
    let kind_new = kind.as_new();
    let folder = Path::new(crate::content::CONTENT_DIR).join(new::kind_folder(kind_new));
    let file = folder.join(format!("{name}.md"));
    let picture_dir = folder.join(&name);
    let text = markdown_file(&document, kind_new, &title, &name, root, source)?;

    let mut diagnostics: Vec<Diagnostic> = document
        .skipped
        .iter()
        .map(|message| Diagnostic::warning("import/not-converted", message.clone()).in_file(source))
        .collect();
    let pictures = write(root, &file, &text, &picture_dir, &document)?;
    diagnostics.extend(personal_data(&text, &file));
    Ok(Imported {
        file,
        pictures,
        address: new::address(kind_new, &name),
        encoding: document.encoding,
        diagnostics,
    })
}

/// The whole Markdown file: front matter, then the body.
fn markdown_file(
    document: &Document,
    kind: NewKind,
    title: &str,
    name: &str,
    root: &Path,
    source: &Path,
) -> Result<String, Diagnostic> {
    let content = root.join(crate::content::CONTENT_DIR);
    let front = new::front_matter(kind, title, name, &content, document.author.as_deref());
    let body = match &document.markdown {
        Some(markdown) if document.own_front_matter => {
            return complete(markdown, &front, source);
        }
        Some(markdown) => markdown.clone(),
        None => import::markdown::write(document, name),
    };
    Ok(if body.is_empty() {
        front
    } else {
        format!("{front}\n{body}")
    })
}

/// A Markdown file's own front matter with what the generated `front` has and it lacks
/// (`date`, `draft: true` …) added at its end, so the import builds as a draft.
fn complete(markdown: &str, front: &str, source: &Path) -> Result<String, Diagnostic> {
    let rest = markdown.strip_prefix("---\n").unwrap_or(markdown);
    let end = if rest.starts_with("---") {
        0
    } else {
        rest.find("\n---").map_or(rest.len(), |i| i + 1)
    };
    let own = &rest[..end];
    let node = crate::yaml::parse(own)
        .map_err(|e| e.diagnostic("import/front-matter", "front matter", source, 1))?;
    let Some(entries) = node.entries().or(if own.trim().is_empty() {
        Some(&[])
    } else {
        None
    }) else {
        return Err(Diagnostic::error(
            "import/front-matter",
            "这个文件开头的 front matter 不是“字段: 值”的形式",
        )
        .in_file(source)
        .at(2, 1)
        .with_suggestion("改正或删掉开头两行 --- 之间的内容后再导入"));
    };
    let fields = crate::yaml::Fields::new(entries, source, 1);
    let mut added = String::new();
    for line in front.lines().filter(|l| *l != "---" && !l.starts_with('#')) {
        let key = line.split(':').next().unwrap_or("").trim();
        if !key.is_empty() && fields.get(key).is_none() {
            added.push_str(line);
            added.push('\n');
        }
    }
    Ok(format!("---\n{own}{added}{}", &rest[end..]))
}

/// A file name for `title` that no build refuses: not a Windows device name, not an address
/// pufa makes itself; else made from the file's own name.
fn file_name(title: &str, stem: &str, kind: NewKind) -> String {
    let usable = |name: &str| {
        !name.is_empty()
            && !crate::confine::is_reserved(name)
            && (kind != NewKind::Page
                || !crate::content::RESERVED_PATHS.contains(&format!("{name}/").as_str()))
    };
    for text in [title, stem] {
        let (name, _) = crate::url::capped_slug(text);
        if usable(&name) {
            return name;
        }
        let (suffixed, _) = crate::url::capped_slug(&format!("{text} 1"));
        if !name.is_empty() && usable(&suffixed) {
            return suffixed;
        }
    }
    String::new()
}

/// Writes the pictures into `picture_dir` and the text into `file` (both relative to
/// `root`), creating each and overwriting nothing; on a failure, removes what it made.
fn write(
    root: &Path,
    file: &Path,
    text: &str,
    picture_dir: &Path,
    document: &Document,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let exists = |path: &Path| {
        Diagnostic::error("import/exists", "已经存在，pufa 不会覆盖它")
            .in_file(path)
            .with_suggestion("这篇可能已经导入过：要重新导入，先把原来的文件改名或删除")
    };
    if root.join(file).exists() || root.join(file).is_symlink() {
        return Err(exists(file));
    }
    if !document.pictures.is_empty() && root.join(picture_dir).symlink_metadata().is_ok() {
        return Err(exists(picture_dir));
    }
    let mut made: Vec<PathBuf> = Vec::new();
    let outcome = (|| {
        let folder = root.join(file.parent().unwrap_or(Path::new("")));
        std::fs::create_dir_all(&folder)
            .map_err(|e| crate::fs::error("io/write", "创建文件夹", &folder, &e))?;
        let mut pictures = Vec::new();
        if !document.pictures.is_empty() {
            std::fs::create_dir(root.join(picture_dir))
                .map_err(|e| refused(&e, picture_dir, "创建文件夹", &exists))?;
            made.push(picture_dir.to_path_buf());
            for picture in &document.pictures {
                let path = picture_dir.join(&picture.name);
                create(root, &path, &picture.bytes, &mut made, &exists)?;
                pictures.push(path);
            }
        }
        create(root, file, text.as_bytes(), &mut made, &exists)?;
        Ok(pictures)
    })();
    if outcome.is_err() {
        // Files first, then the folder they were in.
        for path in made.iter().rev() {
            let full = root.join(path);
            if full.is_dir() {
                let _ = std::fs::remove_dir(&full);
            } else {
                let _ = std::fs::remove_file(&full);
            }
        }
    }
    outcome
}

/// Creates `path` (under `root`) with `bytes`; never opens a file that exists.
fn create(
    root: &Path,
    path: &Path,
    bytes: &[u8],
    made: &mut Vec<PathBuf>,
    exists: &dyn Fn(&Path) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(root.join(path))
        .map_err(|e| refused(&e, path, "创建文件", exists))?;
    made.push(path.to_path_buf());
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| crate::fs::error("io/write", "写入", path, &e))
}

/// Why `path` could not be created: it exists (never overwritten), or the system's reason.
fn refused(
    e: &std::io::Error,
    path: &Path,
    action: &str,
    exists: &dyn Fn(&Path) -> Diagnostic,
) -> Diagnostic {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        exists(path)
    } else {
        crate::fs::error("io/write", action, path, e)
    }
}

/// Unmasked personal data in the imported text, at its place in `file`: such a site does not
/// build, so the author hears of it now.
fn personal_data(text: &str, file: &Path) -> Vec<Diagnostic> {
    let found = crate::check::personal_data(text);
    if found.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(text);
    found
        .iter()
        .map(|found| {
            let (line, column) = index.position(text, found.offset);
            crate::check::personal_data_error(found)
                .in_file(file)
                .at(line, column)
                .spanning(found.len)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRONT: &str = "---\ntitle: \"甲\"\ndate: 2026-12-08\n# summary: 摘要\ndraft: true\n---\n";

    #[test]
    fn a_markdown_files_front_matter_gets_what_it_lacks() {
        let file = Path::new("a.md");
        assert_eq!(
            complete("---\ntitle: 乙\n---\n\n正文\n", FRONT, file).unwrap(),
            "---\ntitle: 乙\ndate: 2026-12-08\ndraft: true\n---\n\n正文\n"
        );
        // What it says itself stays, however it writes the key.
        assert_eq!(
            complete(
                "---\n\"draft\": false\ndate : 2026-01-02\n---\n",
                FRONT,
                file
            )
            .unwrap(),
            "---\n\"draft\": false\ndate : 2026-01-02\ntitle: \"甲\"\n---\n"
        );
        assert_eq!(
            complete("---\n---\n正文\n", FRONT, file).unwrap(),
            "---\ntitle: \"甲\"\ndate: 2026-12-08\ndraft: true\n---\n正文\n"
        );
        let error = complete("---\ntitle: [\n---\n", FRONT, file).unwrap_err();
        assert_eq!(error.file.as_deref(), Some(file));
        assert!(error.line >= 2, "{error:?}");
    }

    #[test]
    fn names_no_build_refuses() {
        assert_eq!(file_name("CON", "通知", NewKind::Article), "con-1");
        assert_eq!(file_name("Search", "关于", NewKind::Page), "search-1");
        assert_eq!(file_name("Search", "关于", NewKind::Article), "search");
        assert_eq!(file_name("★★★", "通知", NewKind::Article), "tong-zhi");
    }
}

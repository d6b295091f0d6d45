//! File-system errors in words an author can act on, and reading source text.
//!
//! An operating system's message ("File name too long (os error 36)") is English and names
//! no source file. Every read and write of pufa's goes through here or through [`reason`], so
//! a failure says in Chinese what went wrong, which file of the site it concerns, and what to
//! do; the system's own words follow in brackets for whoever has to look further.

use crate::diagnostic::{Diagnostic, LineIndex};
use std::io::{self, ErrorKind};
use std::path::Path;

/// What went wrong, in Chinese, with the system's own message after it.
pub fn reason(err: &io::Error) -> String {
    let what = match err.kind() {
        ErrorKind::NotFound => "文件或文件夹不存在",
        ErrorKind::PermissionDenied => "没有权限",
        ErrorKind::AlreadyExists => "那里已经有同名的文件",
        ErrorKind::StorageFull => "磁盘已满",
        ErrorKind::ReadOnlyFilesystem => "磁盘是只读的",
        ErrorKind::InvalidFilename => "文件名太长，或含有系统不允许的字符",
        ErrorKind::IsADirectory => "那是一个文件夹，不是文件",
        ErrorKind::NotADirectory => "路径中间有一个同名的文件，不是文件夹",
        ErrorKind::DirectoryNotEmpty => "文件夹不是空的",
        ErrorKind::CrossesDevices => "不能跨磁盘移动",
        ErrorKind::InvalidData => "内容无法读取",
        _ => "系统报告了错误",
    };
    format!("{what}（系统信息：{err}）")
}

/// What the author can do about `err`.
pub fn hint(err: &io::Error) -> &'static str {
    match err.kind() {
        ErrorKind::PermissionDenied => {
            "关掉正在使用这个文件的程序（例如打开着它的编辑器或资源管理器），或检查文件和文件夹的权限（是否被设成只读）"
        }
        ErrorKind::StorageFull => "清理磁盘空间后再试",
        ErrorKind::ReadOnlyFilesystem => "把网站复制到可以写入的磁盘上再生成",
        ErrorKind::InvalidFilename => "把文件名改短，或在 front matter 中写一个短一些的 slug",
        ErrorKind::NotFound => "文件可能刚被移动或删除，确认它还在后再试",
        _ => "确认文件还在、没有被其他程序占用后再试；仍然不行时，把这条信息发给网站的技术支持",
    }
}

/// A diagnostic for an `action` (读取, 写入 …) on `path` that failed with `err`.
pub fn error(code: &'static str, action: &str, path: &Path, err: &io::Error) -> Diagnostic {
    Diagnostic::error(
        code,
        format!("无法{action} {}：{}", shown(path), reason(err)),
    )
    .with_suggestion(hint(err))
}

/// A path as authors write it: `/` separators on every system, and without the `\\?\`
/// prefix that Windows puts before a resolved (canonical) path, which no author typed.
pub fn shown(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    match text.strip_prefix("//?/") {
        Some(unc) if unc.starts_with("UNC/") => format!("//{}", &unc[4..]),
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// Reads a source file (`path`, shown to the author as `shown`) as UTF-8 text without BOM,
/// with the characters no published file may hold removed ([`crate::text`]). Returns the text
/// and the warning about what was removed, if anything was.
pub fn read_text(path: &Path, shown: &Path) -> Result<(String, Option<Diagnostic>), Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error("io/read", format!("无法读取这个文件：{}", reason(&e)))
            .in_file(shown)
            .with_suggestion(hint(&e))
    })?;
    // Source text is mostly Chinese, three bytes a character, where the standard library's
    // check takes about ten instructions a byte; simdutf8 (already built for serde-saphyr)
    // checks sixteen bytes at a time, and the standard one only runs to place an error.
    let mut text = if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just checked that `bytes` are valid UTF-8.
        unsafe { String::from_utf8_unchecked(bytes) }
    } else {
        String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
            let (line, column) = LineIndex::new(&valid).position(&valid, offset);
            Diagnostic::error("io/not-utf8", "文件不是 UTF-8 编码，pufa 无法读取")
                .in_file(shown)
                .at(line, column)
                .with_suggestion("在编辑器里用“另存为”选择 UTF-8 编码后再保存")
        })?
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    let removed = crate::text::remove_forbidden(&mut text, shown);
    Ok((text, removed))
}

/// Every file under `dir`, sorted, as `/`-separated paths relative to `dir`, by the rule for
/// links that `build` and `serve` share: a symbolic link that resolves inside the site folder
/// `root` is followed (a media folder linked in from beside content/ is common); one that
/// resolves outside it is not published, with a warning naming the link, so neither a build
/// nor the preview can hand out `/etc/passwd` or another folder of the machine. A link back
/// to a folder above it is a warning too. Hidden files and folders (`.git`, `.DS_Store`) and
/// editors' backup files (`a.md~`) are left out. Names that are not Unicode are a warning.
pub fn site_files(dir: &Path, root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return files;
    }
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let shown_of = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let dangling = err
                    .path()
                    .and_then(|p| std::fs::symlink_metadata(p).ok())
                    .is_some_and(|m| m.file_type().is_symlink());
                let message = if err.loop_ancestor().is_some() {
                    "符号链接指回了上层文件夹，已跳过".to_string()
                } else if dangling {
                    "符号链接指向的位置不存在，或者形成了循环，已跳过".to_string()
                } else {
                    match err.io_error() {
                        Some(io) => format!("无法读取：{}", reason(io)),
                        None => format!("无法读取：{err}"),
                    }
                };
                let mut d = Diagnostic::warning("io/walk", message);
                if let Some(path) = err.path() {
                    d = d.in_file(shown_of(path));
                }
                diagnostics.push(d);
                continue;
            }
        };
        let is_dir = entry.file_type().is_dir();
        if entry.depth() > 0
            && entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with('.'))
        {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() {
            let target = std::fs::canonicalize(entry.path());
            if !target.as_ref().is_ok_and(|t| t.starts_with(&real_root)) {
                let to = target.map_or_else(|_| "不存在的位置".to_string(), |t| shown(&t));
                diagnostics.push(
                    Diagnostic::warning(
                        "content/link-outside",
                        format!("这个符号链接指向网站文件夹以外（{to}），不发布"),
                    )
                    .in_file(shown_of(entry.path()))
                    .with_suggestion("把要发布的文件复制到网站文件夹里，而不是链接到外面"),
                );
                if is_dir {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if is_dir && entry.path().join(crate::output::MARKER).is_file() {
            // An output folder linked or copied into content/ would publish the site inside
            // itself, one level deeper at every build.
            diagnostics.push(
                Diagnostic::warning(
                    "content/output-inside",
                    "这是 pufa 生成的输出文件夹，不作为网站内容发布",
                )
                .in_file(shown_of(entry.path()))
                .with_suggestion("把它移出 content/，或删掉指向它的链接"),
            );
            walker.skip_current_dir();
            continue;
        }
        if is_dir || !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        // Joined part by part: on Linux a backslash is a character of a name, not a folder.
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        let Some(rel) = parts.map(|parts| parts.join("/")) else {
            diagnostics.push(
                Diagnostic::warning("content/file-name", "文件名不是有效的 Unicode，已跳过")
                    .in_file(shown_of(entry.path())),
            );
            continue;
        };
        if !rel.ends_with('~') {
            files.push(rel);
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_site_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "x").unwrap();
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join("content");
        std::fs::create_dir_all(content.join("media")).unwrap();
        std::fs::create_dir_all(site.path().join("shared")).unwrap();
        std::fs::write(site.path().join("shared/ep.mp4"), "v").unwrap();
        std::fs::write(content.join("media/a.png"), "p").unwrap();
        std::fs::write(content.join(".hidden"), "h").unwrap();
        let link = |to: &Path, at: &str| std::os::unix::fs::symlink(to, content.join(at)).unwrap();
        link(&outside.path().join("secret.txt"), "passwd.txt");
        link(outside.path(), "elsewhere");
        link(&site.path().join("shared"), "shared");
        link(&content, "media/loop");
        link(Path::new("/nonexistent/x"), "dangling.png");
        let mut diagnostics = Vec::new();
        let files = site_files(&content, site.path(), &mut diagnostics);
        assert_eq!(files, ["media/a.png", "shared/ep.mp4"]);
        let mut warned: Vec<String> = diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code, shown(d.file.as_deref().unwrap())))
            .collect();
        warned.sort();
        assert_eq!(
            warned,
            [
                "content/link-outside content/elsewhere",
                "content/link-outside content/passwd.txt",
                "io/walk content/dangling.png",
                "io/walk content/media/loop",
            ]
        );
    }

    #[test]
    fn reasons_are_chinese_and_keep_the_system_message() {
        let err = io::Error::from(ErrorKind::PermissionDenied);
        let text = reason(&err);
        assert!(text.starts_with("没有权限（系统信息："), "{text}");
        let long = std::fs::write("x".repeat(300), b"").unwrap_err();
        assert!(reason(&long).starts_with("文件名太长"), "{}", reason(&long));
    }

    #[test]
    fn shown_paths_have_forward_slashes_and_no_windows_prefix() {
        let cases = [
            (r"content\articles\案例.md", "content/articles/案例.md"),
            (
                r"\\?\C:\网站\public\index.html",
                "C:/网站/public/index.html",
            ),
            (r"\\?\UNC\server\share\site", "//server/share/site"),
            ("/srv/site/content", "/srv/site/content"),
        ];
        for (path, expected) in cases {
            assert_eq!(shown(Path::new(path)), expected, "{path}");
        }
    }
}

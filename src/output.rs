//! Writing the built site, all or nothing.
//!
//! A build writes into a fresh folder beside the output folder and swaps it in only once
//! everything is written, so a failed build leaves the previous output exactly as it was.
//! pufa marks the folders it creates with a marker file and refuses to replace a non-empty
//! folder without it, or the site's own folders: it never deletes what it did not write.

use crate::diagnostic::Diagnostic;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Name of the file that marks a folder as pufa's output.
pub const MARKER: &str = ".pufa-output";
const MARKER_TEXT: &str =
    "这个文件夹由 pufa build 生成，每次构建都会被整体替换。请不要在这里手工修改文件。\n";

/// An output folder being written.
pub struct Output {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
    /// Folders already made (relative to the output root), so that the thousands of files
    /// in one folder, such as the search index's, do not each ask the system to make it.
    made: Mutex<HashSet<String>>,
}

impl Output {
    /// Checks that `target` may be replaced and creates the staging folder beside it.
    pub fn create(root: &Path, target: &Path) -> Result<Output, Diagnostic> {
        let refuse = |why: &str| {
            Diagnostic::error(
                "output/refused",
                format!("不能把网站生成到 {}：{why}", target.display()),
            )
            .with_suggestion("用 --output 指定一个新的空文件夹，例如 public")
        };
        let root = absolute(root);
        let target_abs = absolute(target);
        if root.starts_with(&target_abs) {
            return Err(refuse(
                "它是网站文件夹本身或它的上级，构建会删掉网站的源文件",
            ));
        }
        for own in ["content", "themes", "templates", "static"] {
            // Through its real path: content/ may be a link to a folder elsewhere.
            let own_abs = absolute(&root.join(own));
            if target_abs.starts_with(&own_abs) || target_abs.starts_with(root.join(own)) {
                return Err(refuse(&format!("它在网站的 {own} 文件夹里")));
            }
            if own_abs.starts_with(&target_abs) {
                return Err(refuse(&format!(
                    "网站的 {own} 文件夹在它里面，构建会删掉网站的源文件"
                )));
            }
        }
        match fs::symlink_metadata(&target_abs) {
            Ok(meta) if !meta.is_dir() => {
                return Err(refuse("那里已经有一个同名的文件"));
            }
            Ok(_) => {
                let empty = fs::read_dir(&target_abs)
                    .map_err(|e| io_error(&target_abs, "读取", &e))?
                    .next()
                    .is_none();
                if !empty && !target_abs.join(MARKER).is_file() {
                    return Err(refuse(&format!(
                        "文件夹不是空的，也不是 pufa 生成的（没有 {MARKER} 标记文件）"
                    )));
                }
            }
            Err(_) => {}
        }
        let parent = target_abs
            .parent()
            .ok_or_else(|| refuse("它没有上级文件夹"))?;
        if let Some(file) = parent
            .ancestors()
            .find(|a| a.exists())
            .filter(|a| !a.is_dir())
        {
            return Err(refuse(&format!(
                "{} 是一个文件，不是文件夹",
                crate::fs::shown(file)
            )));
        }
        fs::create_dir_all(parent).map_err(|e| io_error(parent, "创建", &e))?;
        let name = target_abs
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let staging = parent.join(format!(".{name}.pufa-new-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| io_error(&staging, "清理", &e))?;
        }
        fs::create_dir(&staging).map_err(|e| io_error(&staging, "创建", &e))?;
        let output = Output {
            staging,
            target: target_abs,
            committed: false,
            made: Mutex::new(HashSet::new()),
        };
        output.write(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(output)
    }

    /// Writes `bytes` to `path` (relative to the output root), creating folders.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let file = self.place(path)?;
        fs::write(&file, bytes).map_err(|e| io_error(&self.target.join(path), "写入", &e))
    }

    /// Copies the file `from` to `path` (relative to the output root).
    pub fn copy(&self, from: &Path, path: &str) -> Result<(), Diagnostic> {
        let file = self.place(path)?;
        fs::copy(from, &file)
            .map(|_| ())
            .map_err(|e| io_error(from, "复制", &e))
    }

    /// Where `path` goes in the staging folder, its folder made. Every path was checked when
    /// the build's outputs were listed; this check again is what makes writing outside the
    /// output folder impossible, not merely unlikely.
    fn place(&self, path: &str) -> Result<PathBuf, Diagnostic> {
        let path = crate::confine::output_path(path, false).map_err(|refusal| {
            Diagnostic::error(
                "output/refused-path",
                format!("不能写入 {path}：{}", refusal.reason()),
            )
        })?;
        self.make_folder_of(&path)?;
        Ok(self.staging.join(path))
    }

    /// Makes the folder that `path` (relative to the output root) goes in, once.
    fn make_folder_of(&self, path: &str) -> Result<(), Diagnostic> {
        let Some((folder, _)) = path.rsplit_once('/') else {
            return Ok(());
        };
        let made = || {
            self.made
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if made().contains(folder) {
            return Ok(());
        }
        let dir = self.staging.join(folder);
        fs::create_dir_all(&dir).map_err(|e| io_error(&dir, "创建", &e))?;
        made().insert(folder.to_string());
        Ok(())
    }

    /// Swaps the finished output in for the previous one.
    pub fn commit(mut self) -> Result<(), Diagnostic> {
        let parent = self.target.parent().unwrap_or(Path::new("."));
        let name = self
            .target
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let old = parent.join(format!(".{name}.pufa-old-{}", std::process::id()));
        let had_previous = self.target.exists();
        if had_previous {
            fs::rename(&self.target, &old).map_err(|e| io_error(&self.target, "替换", &e))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_previous {
                // Put the previous output back before reporting.
                let _ = fs::rename(&old, &self.target);
            }
            return Err(io_error(&self.target, "替换", &e));
        }
        self.committed = true;
        if had_previous {
            fs::remove_dir_all(&old).map_err(|e| io_error(&old, "删除旧的", &e))?;
        }
        Ok(())
    }
}

impl crate::pipeline::Sink for Output {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        Output::write(self, path, bytes)
    }

    fn copy(&self, from: &Path, path: &str) -> Result<(), Diagnostic> {
        Output::copy(self, from, path)
    }
}

impl Drop for Output {
    /// An output that was never committed leaves nothing behind.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// `path` as the system will find it once the missing folders in it are made: absolute,
/// each existing part through its real path (so `link/new` with `link -> content` is seen
/// to be in content/, and `public -> .` to be the site), then `..` taken lexically for the
/// parts that do not exist yet (`x/../content/new` with no `x` is `content/new`).
fn absolute(path: &Path) -> PathBuf {
    use std::path::Component;
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut real = PathBuf::new();
    let mut exists = true;
    for part in path.components() {
        match part {
            Component::ParentDir => {
                real.pop();
            }
            Component::CurDir => {}
            other => {
                real.push(other);
                if exists {
                    match fs::canonicalize(&real) {
                        Ok(resolved) => real = resolved,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    real
}

fn io_error(path: &Path, action: &str, err: &std::io::Error) -> Diagnostic {
    crate::fs::error("io/write", action, path, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_folders_it_does_not_own() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir_all(root.join("content")).unwrap();
        fs::create_dir_all(root.join("mine")).unwrap();
        fs::write(root.join("mine/keep.txt"), "自己的文件").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("content"), root.join("link")).unwrap();
        // A site whose templates/ is a link to a folder elsewhere.
        let elsewhere = tempfile::tempdir().unwrap();
        fs::create_dir_all(elsewhere.path().join("content")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(elsewhere.path().join("content"), root.join("templates"))
            .unwrap();
        for target in [
            root.to_path_buf(),
            root.join("content"),
            root.join("mine"),
            root.join(".."),
            root.join("missing/../content/new"),
            #[cfg(unix)]
            root.join("link/new"),
            #[cfg(unix)]
            root.join("link/../content/new"),
            #[cfg(unix)]
            elsewhere.path().join("content/new"),
            #[cfg(unix)]
            elsewhere.path().to_path_buf(),
        ] {
            assert!(
                Output::create(root, &target).is_err(),
                "{}",
                target.display()
            );
        }
        assert_eq!(
            fs::read_to_string(root.join("mine/keep.txt")).unwrap(),
            "自己的文件"
        );
    }

    #[test]
    fn swaps_in_only_on_commit() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        let first = Output::create(site.path(), &target).unwrap();
        first.write("index.html", b"one").unwrap();
        first.commit().unwrap();

        let second = Output::create(site.path(), &target).unwrap();
        second.write("index.html", b"two").unwrap();
        drop(second);
        assert_eq!(
            fs::read_to_string(target.join("index.html")).unwrap(),
            "one"
        );
        let leftovers = fs::read_dir(site.path()).unwrap().count();
        assert_eq!(leftovers, 1, "only public/ remains");

        let third = Output::create(site.path(), &target).unwrap();
        third.write("a/b/index.html", b"three").unwrap();
        third.commit().unwrap();
        assert!(!target.join("index.html").exists());
        assert!(target.join(MARKER).is_file());
    }
}

//! Writing the built site: only what changed, each file replaced whole, all or nothing seen.
//!
//! The output folder carries a marker file that is also its manifest: every file pufa put
//! there, with its size and a hash of its bytes (for a copied file, its source's size and
//! modification time). The marker is written last, so every file pufa wrote is older than
//! it. A rebuild renders everything, and for each file compares with the manifest, checked
//! against the file on disk by one `stat` (same size, not modified after the marker): an
//! unchanged file is not touched — its inode and modification time stay, so `rsync`, FTP
//! and object-storage sync tools upload only what changed. A changed or new file is written
//! into `.pufa-tmp/` inside the output folder while the build runs; only when every page
//! rendered does [`Output::commit`] rename each into place (a rename within one file system
//! replaces a file whole: a reader sees the old file or the new, never a part), remove what
//! is no longer produced, and write the manifest last. A file another program holds open
//! (Windows refuses to replace it) keeps its old bytes and manifest entry while the rest go
//! in place; the build fails naming it, and the next one tries again. (Into an empty
//! folder, the files are written in their final layout under `.pufa-tmp/tree/` and its few
//! top-level entries moved in whole.) The folder is marked before anything is put in it. A
//! failed build removes `.pufa-tmp/` and leaves the folder as it was. A build killed at any
//! point leaves at most `.pufa-tmp/` and files whose modification time no longer matches
//! the manifest; the next build removes the one and writes the others again, so it ends
//! with exactly what a fresh build writes. pufa refuses to write into a non-empty folder
//! without its marker, or into the site's own folders: it never deletes what it did not
//! write.

use crate::diagnostic::Diagnostic;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Name of the file that marks a folder as pufa's output and lists what is in it.
pub const MARKER: &str = ".pufa-output";
/// Where a build puts the files it writes until they are all ready.
const TEMP: &str = ".pufa-tmp";
/// Inside [`TEMP`], the whole site laid out as it will be, when a build fills an empty folder.
const TREE: &str = "tree";
const MARKER_TEXT: &str = "这个文件夹由 pufa build 生成，每次构建都会更新。请不要在这里手工修改文件。下面是 pufa 写入的文件清单。\n";

/// What the manifest knows of one file. (No times of its own: the same site builds into
/// the same bytes, the marker included.)
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    size: u64,
    digest: Digest,
}

/// How the manifest tells one version of a file from another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Digest {
    /// The xxh3 hash of the bytes written (`h` in the manifest).
    Hash(u64),
    /// The modification time of the file copied, in nanoseconds (`s`).
    Modified(u128),
    /// The key of a made file ([`Output::keep`]; `k`).
    Made(u64),
}

impl Digest {
    fn parse(text: &str) -> Option<Digest> {
        let (tag, hex) = text.split_at_checked(1)?;
        match tag {
            "h" => u64::from_str_radix(hex, 16).ok().map(Digest::Hash),
            "s" => u128::from_str_radix(hex, 16).ok().map(Digest::Modified),
            "k" => u64::from_str_radix(hex, 16).ok().map(Digest::Made),
            _ => None,
        }
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Digest::Hash(h) => write!(f, "h{h:016x}"),
            Digest::Modified(t) => write!(f, "s{t:x}"),
            Digest::Made(k) => write!(f, "k{k:016x}"),
        }
    }
}

/// How a build changed the output folder.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl Changes {
    /// The changes as `git diff --name-status` lists them: `A`, `M` or `D`, a tab, the path.
    pub fn listing(&self) -> String {
        let mut lines: Vec<(&str, &str)> = self
            .added
            .iter()
            .map(|p| (p.as_str(), "A"))
            .chain(self.updated.iter().map(|p| (p.as_str(), "M")))
            .chain(self.removed.iter().map(|p| (p.as_str(), "D")))
            .collect();
        lines.sort();
        lines
            .into_iter()
            .map(|(path, status)| format!("{status}\t{path}\n"))
            .collect()
    }
}

/// An output folder being written.
pub struct Output {
    target: PathBuf,
    temp: PathBuf,
    /// Whether this build made the output folder (and so removes it again on failure).
    made_target: bool,
    /// The manifest of the last build, by path.
    old: HashMap<String, Entry>,
    /// When the last build's marker was written: a file modified later is not as it left it.
    marker_time: u128,
    /// What this build produced: path → entry, and the temporary file when it must be
    /// written (`None`: unchanged).
    new: Mutex<Vec<(String, Entry, Option<PathBuf>)>>,
    next_temp: AtomicU64,
    /// The folder held nothing of an earlier build: files are written into `.pufa-tmp/tree/`
    /// in their final layout, and put in place by moving the few top-level entries of it
    /// instead of renaming every file (on a disk each rename of a file into a folder of its
    /// own costs about as much as writing it).
    fresh: bool,
    /// Folders already made under `.pufa-tmp/tree/`.
    made: Mutex<HashSet<PathBuf>>,
    /// Whether this build wrote the marker of an empty folder (and removes it on failure).
    wrote_marker: bool,
    committed: bool,
}

impl Output {
    /// Checks that `target` may be written, clears what killed builds left, and reads the
    /// manifest of the last build.
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
        remove_old_staging(parent, &target_abs);
        let mut made_target = false;
        let marker = target_abs.join(MARKER);
        let marker_time = fs::metadata(&marker).map_or(0, |m| modified(&m));
        let old = match fs::symlink_metadata(&target_abs) {
            Ok(meta) if !meta.is_dir() => return Err(refuse("那里已经有一个同名的文件")),
            Ok(_) => {
                if marker.is_file() {
                    read_manifest(&marker)
                } else {
                    // `.pufa-tmp` alone is what a build killed before it marked the folder left.
                    let empty = fs::read_dir(&target_abs)
                        .map_err(|e| io_error(&target_abs, "读取", &e))?
                        .flatten()
                        .all(|e| e.file_name() == TEMP);
                    if !empty {
                        return Err(refuse(&format!(
                            "文件夹不是空的，也不是 pufa 生成的（没有 {MARKER} 标记文件）"
                        )));
                    }
                    HashMap::new()
                }
            }
            Err(_) => {
                fs::create_dir_all(&target_abs).map_err(|e| io_error(&target_abs, "创建", &e))?;
                made_target = true;
                HashMap::new()
            }
        };
        let temp = target_abs.join(TEMP);
        if temp.exists() {
            fs::remove_dir_all(&temp).map_err(|e| io_error(&temp, "清理", &e))?;
        }
        fs::create_dir(&temp).map_err(|e| io_error(&temp, "创建", &e))?;
        // The folder is marked as pufa's before anything is put in it, so that whatever a
        // build killed from here on leaves, the next build may clear.
        let wrote_marker = !marker.is_file();
        if wrote_marker {
            write_manifest(&target_abs, &HashMap::new())?;
        }
        let fresh = old.is_empty()
            && fs::read_dir(&target_abs)
                .map_err(|e| io_error(&target_abs, "读取", &e))?
                .flatten()
                .all(|e| e.file_name() == TEMP || e.file_name() == MARKER);
        if fresh {
            let tree = temp.join(TREE);
            fs::create_dir(&tree).map_err(|e| io_error(&tree, "创建", &e))?;
        }
        Ok(Output {
            target: target_abs,
            temp,
            made_target,
            old,
            marker_time,
            new: Mutex::new(Vec::new()),
            next_temp: AtomicU64::new(0),
            fresh,
            made: Mutex::new(HashSet::new()),
            wrote_marker,
            committed: false,
        })
    }

    /// Stores `bytes` as `path` (relative to the output root): written only if they differ
    /// from what is there.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let path = self.confined(path)?;
        let digest = Digest::Hash(xxhash_rust::xxh3::xxh3_64(bytes));
        let size = bytes.len() as u64;
        let temp = if self.unchanged(&path, size, digest) {
            None
        } else {
            let temp = self.temp_file(&path)?;
            fs::write(&temp, bytes).map_err(|e| io_error(&self.target.join(&path), "写入", &e))?;
            Some(temp)
        };
        self.produced(path, size, digest, temp);
        Ok(())
    }

    /// Stores the file `from` as `path`, copied only if the source changed since the last
    /// build (by its size and modification time) or the copy there is not the one made.
    pub fn copy(&self, from: &Path, path: &str) -> Result<(), Diagnostic> {
        self.copy_as(from, path, |meta| Digest::Modified(modified(meta)))
    }

    /// Stores the file `from` as `path`, known by the digest `of` its metadata gives.
    fn copy_as(
        &self,
        from: &Path,
        path: &str,
        of: impl FnOnce(&fs::Metadata) -> Digest,
    ) -> Result<(), Diagnostic> {
        let path = self.confined(path)?;
        let meta = fs::metadata(from).map_err(|e| io_error(from, "读取", &e))?;
        let size = meta.len();
        let digest = of(&meta);
        let temp = if self.unchanged(&path, size, digest) {
            None
        } else {
            let temp = self.temp_file(&path)?;
            fs::copy(from, &temp).map_err(|e| io_error(from, "复制", &e))?;
            Some(temp)
        };
        self.produced(path, size, digest, temp);
        Ok(())
    }

    /// Keeps `path` as the last build left it when that build stored there the made file
    /// known by `key` (a number that changes whenever the file's bytes would) and nobody
    /// changed it since: nothing need be made or copied for it. `false`: it must be
    /// stored ([`Output::copy_made`]).
    pub fn keep(&self, path: &str, key: u64) -> bool {
        let Ok(path) = self.confined(path) else {
            return false;
        };
        let digest = Digest::Made(key);
        let Some(&Entry { size, .. }) = self.old.get(&path).filter(|e| e.digest == digest) else {
            return false;
        };
        if !self.intact(&path, size) {
            return false;
        }
        self.produced(path, size, digest, None);
        true
    }

    /// Stores the file `from`, made and known by `key` ([`Output::keep`]), as `path`.
    pub fn copy_made(&self, from: &Path, path: &str, key: u64) -> Result<(), Diagnostic> {
        self.copy_as(from, path, |_| Digest::Made(key))
    }

    /// Every path was checked when the build's outputs were listed; this check again is
    /// what makes writing outside the output folder impossible, not merely unlikely.
    fn confined(&self, path: &str) -> Result<String, Diagnostic> {
        crate::confine::output_path(path, false).map_err(|refusal| {
            Diagnostic::error(
                "output/refused-path",
                format!("不能写入 {path}：{}", refusal.reason()),
            )
        })
    }

    /// Whether the file at `path` is the one the manifest lists, with this size and digest.
    fn unchanged(&self, path: &str, size: u64, digest: Digest) -> bool {
        self.old
            .get(path)
            .is_some_and(|e| e.size == size && e.digest == digest)
            && self.intact(path, size)
    }

    /// Whether the file at `path` is still as the last build wrote it: of `size` bytes and
    /// not modified since.
    fn intact(&self, path: &str, size: u64) -> bool {
        fs::symlink_metadata(self.target.join(path))
            .is_ok_and(|m| m.is_file() && m.len() == size && modified(&m) <= self.marker_time)
    }

    /// Where the new bytes of `path` wait for [`Output::commit`]: its place in the tree of
    /// a fresh build, else a numbered file.
    fn temp_file(&self, path: &str) -> Result<PathBuf, Diagnostic> {
        if !self.fresh {
            let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
            return Ok(self.temp.join(n.to_string()));
        }
        let file = self.temp.join(TREE).join(path);
        if let Some(folder) = file.parent() {
            let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
            if !made.contains(folder) {
                fs::create_dir_all(folder)
                    .map_err(|e| io_error(&self.target.join(path), "创建文件夹", &e))?;
                made.insert(folder.to_path_buf());
            }
        }
        Ok(file)
    }

    fn produced(&self, path: String, size: u64, digest: Digest, temp: Option<PathBuf>) {
        let entry = Entry { size, digest };
        self.new
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((path, entry, temp));
    }

    /// Puts every new and changed file in place, removes what is no longer produced, and
    /// writes the manifest. Returns what changed, with the error naming the files another
    /// program held (those stay as they were; everything else is in place).
    pub fn commit(mut self) -> Result<(Changes, Option<Diagnostic>), Diagnostic> {
        let new = std::mem::take(&mut *self.new.lock().unwrap_or_else(PoisonError::into_inner));
        if self.fresh {
            return self.commit_fresh(new).map(|changes| (changes, None));
        }
        let mut changes = Changes::default();
        let mut manifest: HashMap<String, Entry> = HashMap::with_capacity(new.len());
        let mut made: HashSet<PathBuf> = HashSet::new();
        // Files another program holds open (on Windows, an editor or Word with a page open
        // refuses the replacement): the rest are put in place all the same, these keep their
        // old bytes and their old manifest entry, so the next build tries them again.
        let mut held: Vec<(PathBuf, &str, std::io::Error)> = Vec::new();
        let mut kept: HashSet<String> = HashSet::new();
        let mut waited = std::time::Duration::ZERO;
        for (path, entry, temp) in new {
            if let Some(temp) = temp {
                let file = self.target.join(&path);
                if let Some(folder) = file.parent()
                    && !made.contains(folder)
                {
                    make_folder(folder, &self.target)?;
                    made.insert(folder.to_path_buf());
                }
                // A folder in the way was the last build's: nothing of this build is in it.
                if fs::symlink_metadata(&file).is_ok_and(|m| m.is_dir()) {
                    fs::remove_dir_all(&file).map_err(|e| io_error(&file, "删除", &e))?;
                }
                if let Err(e) = patiently(&mut waited, || fs::rename(&temp, &file)) {
                    let _ = fs::remove_file(&temp);
                    if let Some(old) = self.old.get(&path) {
                        manifest.insert(path.clone(), old.clone());
                    }
                    kept.insert(path);
                    held.push((file, "替换", e));
                    continue;
                }
                if self.old.contains_key(&path) {
                    changes.updated.push(path.clone());
                } else {
                    changes.added.push(path.clone());
                }
            } else {
                changes.unchanged += 1;
            }
            manifest.insert(path, entry);
        }
        // What the last build wrote and this one did not, and anything else found in the
        // folder (a file put there by hand, what a killed build left), goes.
        let mut removed: BTreeSet<String> = self
            .old
            .keys()
            .filter(|p| !manifest.contains_key(*p) && !kept.contains(*p))
            .cloned()
            .collect();
        for file in files_in(&self.target) {
            if !manifest.contains_key(&file) && !kept.contains(&file) && file != MARKER {
                removed.insert(file);
            }
        }
        // A path that is a folder now (of this build's files) was a file of the last build,
        // already out of the way.
        removed
            .retain(|path| !fs::symlink_metadata(self.target.join(path)).is_ok_and(|m| m.is_dir()));
        let mut gone = Vec::new();
        for path in removed {
            let file = self.target.join(&path);
            match patiently(&mut waited, || fs::remove_file(&file)) {
                Ok(()) => {}
                // Gone already, with a folder that a file of this build replaced.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) => {}
                Err(e) => {
                    // Still there: the manifest keeps it, so the next build removes it.
                    if let Some(old) = self.old.get(&path) {
                        manifest.insert(path.clone(), old.clone());
                    }
                    held.push((file, "删除", e));
                    continue;
                }
            }
            remove_empty_folders(&file, &self.target);
            gone.push(path);
        }
        changes.removed = gone;
        // A build that changed nothing writes nothing, not even the manifest.
        let same = changes.added.is_empty()
            && changes.updated.is_empty()
            && changes.removed.is_empty()
            && manifest.len() == self.old.len()
            && manifest.iter().all(|(p, e)| self.old.get(p) == Some(e));
        if !same {
            write_manifest(&self.target, &manifest)?;
        }
        self.committed = true;
        let _ = fs::remove_dir_all(&self.temp);
        Ok((changes, held_error(held)))
    }

    /// Puts a fresh build in place: each top-level file and folder of `.pufa-tmp/tree/` is
    /// moved whole into the (empty) output folder, and the manifest written. A reader sees a
    /// folder such as `articles/` either not yet there or complete; a build killed halfway
    /// leaves a folder the next build treats as any other, writing again what is missing.
    fn commit_fresh(
        mut self,
        new: Vec<(String, Entry, Option<PathBuf>)>,
    ) -> Result<Changes, Diagnostic> {
        let tree = self.temp.join(TREE);
        let entries = fs::read_dir(&tree).map_err(|e| io_error(&tree, "读取", &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&tree, "读取", &e))?;
            let to = self.target.join(entry.file_name());
            fs::rename(entry.path(), &to).map_err(|e| io_error(&to, "移动", &e))?;
            // Files of this build are in the folder now: should a later step fail, the marker
            // stays, so that the next build may take them over.
            self.wrote_marker = false;
            self.made_target = false;
        }
        let mut changes = Changes::default();
        let mut manifest: HashMap<String, Entry> = HashMap::with_capacity(new.len());
        for (path, entry, _) in new {
            changes.added.push(path.clone());
            manifest.insert(path, entry);
        }
        write_manifest(&self.target, &manifest)?;
        self.committed = true;
        let _ = fs::remove_dir_all(&self.temp);
        Ok(changes)
    }
}

impl crate::pipeline::Sink for Output {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        Output::write(self, path, bytes)
    }

    fn copy(&self, from: &Path, path: &str) -> Result<(), Diagnostic> {
        Output::copy(self, from, path)
    }

    fn keep(&self, path: &str, key: u64) -> bool {
        Output::keep(self, path, key)
    }

    fn copy_made(&self, from: &Path, path: &str, key: u64) -> Result<(), Diagnostic> {
        Output::copy_made(self, from, path, key)
    }
}

impl Drop for Output {
    /// A build that did not commit leaves the folder as it found it.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
            if self.wrote_marker {
                let _ = fs::remove_file(self.target.join(MARKER));
            }
            if self.made_target {
                let _ = fs::remove_dir(&self.target);
            }
        }
    }
}

/// Makes `folder` (inside `target`) and its parents; a file in the way — a path that was a
/// file in the last build and is a folder now — is removed first.
fn make_folder(folder: &Path, target: &Path) -> Result<(), Diagnostic> {
    for ancestor in folder
        .ancestors()
        .take_while(|a| a.starts_with(target) && *a != target)
    {
        if fs::symlink_metadata(ancestor).is_ok_and(|m| !m.is_dir()) {
            fs::remove_file(ancestor).map_err(|e| io_error(ancestor, "删除", &e))?;
        }
    }
    fs::create_dir_all(folder).map_err(|e| io_error(folder, "创建", &e))
}

/// Removes the folders of `file` that are now empty, up to `target`.
fn remove_empty_folders(file: &Path, target: &Path) {
    for folder in file.ancestors().skip(1) {
        if folder == target || !folder.starts_with(target) || fs::remove_dir(folder).is_err() {
            break;
        }
    }
}

/// Every file under `target`, relative, except in `.pufa-tmp/`.
fn files_in(target: &Path) -> Vec<String> {
    use rayon::prelude::*;
    // Each top-level entry on a thread of its own: `articles/` alone may hold tens of
    // thousands of files.
    let Ok(top) = fs::read_dir(target) else {
        return Vec::new();
    };
    let top: Vec<PathBuf> = top
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != TEMP)
        .map(|e| e.path())
        .collect();
    top.par_iter()
        .flat_map_iter(|entry| {
            // A link at the top is listed as itself, not followed (as any link below).
            walkdir::WalkDir::new(entry)
                .follow_root_links(false)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| !e.file_type().is_dir())
                .filter_map(|e| {
                    let rel = e.path().strip_prefix(target).ok()?.to_str()?;
                    Some(if std::path::MAIN_SEPARATOR == '/' {
                        rel.to_string()
                    } else {
                        rel.replace(std::path::MAIN_SEPARATOR, "/")
                    })
                })
        })
        .collect()
}

/// Folders that builds of earlier versions of pufa swapped in beside `target`
/// (`.public.pufa-new-PID`, `.public.pufa-old-PID`), left by killed builds.
fn remove_old_staging(parent: &Path, target: &Path) {
    let Some(name) = target.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(other) = file_name.to_str() else {
            continue;
        };
        let staging = other.starts_with(&format!(".{name}.pufa-new-"))
            || other.starts_with(&format!(".{name}.pufa-old-"));
        if staging && entry.path().join(MARKER).is_file() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn read_manifest(marker: &Path) -> HashMap<String, Entry> {
    let Ok(text) = fs::read_to_string(marker) else {
        return HashMap::new();
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let size = parts.next()?.parse().ok()?;
            let digest = Digest::parse(parts.next()?)?;
            let path = parts.next()?.to_string();
            Some((path, Entry { size, digest }))
        })
        .collect()
}

/// Writes the marker with the manifest, replacing the old one whole.
fn write_manifest(target: &Path, manifest: &HashMap<String, Entry>) -> Result<(), Diagnostic> {
    let mut rows: Vec<(&String, &Entry)> = manifest.iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut text = String::with_capacity(64 * manifest.len() + MARKER_TEXT.len());
    text.push_str(MARKER_TEXT);
    for (path, e) in rows {
        let _ = writeln!(text, "{}\t{}\t{path}", e.size, e.digest);
    }
    let temp = target.join(TEMP).join("manifest");
    let marker = target.join(MARKER);
    fs::write(&temp, text).map_err(|e| io_error(&marker, "写入", &e))?;
    fs::rename(&temp, &marker).map_err(|e| io_error(&marker, "写入", &e))
}

/// Modification time in nanoseconds since 1970 (0 when unknown).
fn modified(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
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

/// Runs a file operation; on Windows, tries again for a moment while it is refused, as it
/// is while a virus scanner or the search indexer has just opened the file. The moments add
/// up to at most [`PATIENCE`] a commit, so a folder of files that stay refused (read-only,
/// held by a sync tool) fails in seconds, not in an hour.
fn patiently(
    waited: &mut std::time::Duration,
    mut operation: impl FnMut() -> std::io::Result<()>,
) -> std::io::Result<()> {
    const PAUSE: std::time::Duration = std::time::Duration::from_millis(50);
    loop {
        match operation() {
            Err(e) if cfg!(windows) && refused(&e) && *waited < PATIENCE => {
                std::thread::sleep(PAUSE);
                *waited += PAUSE;
            }
            result => return result,
        }
    }
}

/// Longest a commit waits in all for files Windows refuses for a moment.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

/// Access denied, or (Windows' ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION) the file is
/// open in another program.
fn refused(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::PermissionDenied || matches!(e.raw_os_error(), Some(32 | 33))
}

/// The one error for the files a commit could not replace or remove (`action`: 替换 or
/// 删除): the first with its reason and what to do, the others by name.
fn held_error(held: Vec<(PathBuf, &str, std::io::Error)>) -> Option<Diagnostic> {
    let mut held = held.into_iter();
    let (file, action, err) = held.next()?;
    let mut error = io_error(&file, action, &err);
    let others: Vec<String> = held.map(|(f, _, _)| crate::fs::shown(&f)).collect();
    if !others.is_empty() {
        const NAMED: usize = 5;
        let mut list = others[..others.len().min(NAMED)].join("、");
        if others.len() > NAMED {
            list.push_str(&format!(" 等 {} 个", others.len()));
        }
        error
            .message
            .push_str(&format!("；同样没能替换或删除的还有 {list}"));
    }
    Some(error)
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

    fn build(root: &Path, target: &Path, files: &[(&str, &str)]) -> Changes {
        let output = Output::create(root, target).unwrap();
        for (path, text) in files {
            output.write(path, text.as_bytes()).unwrap();
        }
        output.commit().unwrap().0
    }

    #[test]
    fn only_what_changed_is_written_and_what_went_is_removed() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        let first = build(
            site.path(),
            &target,
            &[
                ("index.html", "一"),
                ("a/index.html", "甲"),
                ("b/index.html", "乙"),
            ],
        );
        assert_eq!(first.added.len(), 3);
        let stamp = |p: &str| fs::metadata(target.join(p)).unwrap().modified().unwrap();
        let (a_before, index_before) = (stamp("a/index.html"), stamp("index.html"));
        std::thread::sleep(std::time::Duration::from_millis(20));

        let second = build(
            site.path(),
            &target,
            &[
                ("index.html", "二"),
                ("a/index.html", "甲"),
                ("c.txt", "丙"),
            ],
        );
        assert_eq!(second.added, ["c.txt"]);
        assert_eq!(second.updated, ["index.html"]);
        assert_eq!(second.removed, ["b/index.html"]);
        assert_eq!(second.unchanged, 1);
        assert_eq!(
            stamp("a/index.html"),
            a_before,
            "an unchanged file keeps its time"
        );
        assert_ne!(stamp("index.html"), index_before);
        assert!(!target.join("b").exists(), "emptied folders go");
        assert_eq!(fs::read_to_string(target.join("index.html")).unwrap(), "二");

        // Nothing changed: nothing is written, the marker neither.
        let marker = stamp(MARKER);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let third = build(
            site.path(),
            &target,
            &[
                ("index.html", "二"),
                ("a/index.html", "甲"),
                ("c.txt", "丙"),
            ],
        );
        assert_eq!(
            (third.added.len(), third.updated.len(), third.removed.len()),
            (0, 0, 0)
        );
        assert_eq!(stamp(MARKER), marker);
        assert!(!target.join(TEMP).exists());
    }

    #[test]
    fn a_file_changed_by_hand_or_added_is_put_right() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        build(
            site.path(),
            &target,
            &[("index.html", "一"), ("a.txt", "甲")],
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(target.join("a.txt"), "乙").unwrap();
        fs::write(target.join("stray.html"), "手工放的").unwrap();
        let changes = build(
            site.path(),
            &target,
            &[("index.html", "一"), ("a.txt", "甲")],
        );
        assert_eq!(changes.updated, ["a.txt"]);
        assert_eq!(changes.removed, ["stray.html"]);
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "甲");
    }

    /// A link put into the output folder, at its top or deeper, is removed as a file: what
    /// it points to is left alone.
    #[cfg(unix)]
    #[test]
    fn links_put_into_the_folder_go_but_not_what_they_point_to() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        let files = [("index.html", "一"), ("media/a.txt", "甲")];
        build(site.path(), &target, &files);
        let outside = site.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep.txt"), "别删").unwrap();
        std::os::unix::fs::symlink(&outside, target.join("top")).unwrap();
        std::os::unix::fs::symlink(&outside, target.join("media/deep")).unwrap();
        let changes = build(site.path(), &target, &files);
        assert_eq!(changes.removed, ["media/deep", "top"]);
        assert_eq!(
            fs::read_to_string(outside.join("keep.txt")).unwrap(),
            "别删"
        );
        assert!(fs::symlink_metadata(target.join("top")).is_err());
    }

    #[test]
    fn a_failed_build_leaves_the_folder_as_it_was() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        build(site.path(), &target, &[("index.html", "一")]);
        let before = files_in(&target);
        let second = Output::create(site.path(), &target).unwrap();
        second.write("index.html", b"two").unwrap();
        second.write("new/index.html", b"new").unwrap();
        drop(second);
        assert_eq!(fs::read_to_string(target.join("index.html")).unwrap(), "一");
        assert_eq!(files_in(&target), before);
        // A failed first build leaves no folder at all.
        let other = site.path().join("other");
        let first = Output::create(site.path(), &other).unwrap();
        first.write("index.html", b"x").unwrap();
        drop(first);
        assert!(!other.exists());
    }

    #[test]
    fn what_killed_builds_left_is_cleared() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        build(
            site.path(),
            &target,
            &[("index.html", "一"), ("a.txt", "甲")],
        );
        // A build killed while writing left its temporary files; one killed while putting
        // them in place left a file newer than the marker; an older pufa left staging
        // folders beside the output, with the same process number as this one.
        fs::create_dir_all(target.join(TEMP)).unwrap();
        fs::write(target.join(TEMP).join("7"), "半个文件").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(target.join("a.txt"), "乙").unwrap();
        for old in ["new", "old"] {
            let left = site
                .path()
                .join(format!(".public.pufa-{old}-{}", std::process::id()));
            fs::create_dir_all(&left).unwrap();
            fs::write(left.join(MARKER), "").unwrap();
        }
        build(
            site.path(),
            &target,
            &[("index.html", "一"), ("a.txt", "甲")],
        );
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "甲");
        assert!(!target.join(TEMP).exists());
        let mut around: Vec<String> = fs::read_dir(site.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        around.sort();
        assert_eq!(around, ["public"]);
    }

    #[test]
    fn a_file_becomes_a_folder_and_back() {
        let site = tempfile::tempdir().unwrap();
        let target = site.path().join("public");
        build(site.path(), &target, &[("feed", "文件")]);
        build(site.path(), &target, &[("feed/index.html", "文件夹里的")]);
        assert_eq!(
            fs::read_to_string(target.join("feed/index.html")).unwrap(),
            "文件夹里的"
        );
        build(site.path(), &target, &[("feed", "又是文件")]);
        assert_eq!(fs::read_to_string(target.join("feed")).unwrap(), "又是文件");
    }
}

//! Watching the site's sources for changes.
//!
//! content/, themes/ and templates/ are watched recursively as folders (editors save by
//! writing a temporary file and renaming it over the old one), and the site root itself, not
//! recursively, for site.yaml and for those folders coming, going or being renamed: each
//! time one does, the folders are watched afresh, so a folder created after start, or moved
//! away and back, is followed like the others. The output folder is not watched. Editor
//! scratch files are ignored. Changes arriving together are handled as one.

use notify::RecursiveMode;
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, FileIdCache, new_debouncer, new_debouncer_opt,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// How long to wait for a burst of saves to settle: an editor's write-then-rename takes a
/// few milliseconds; every millisecond here is one more before the page shows the save.
const SETTLE: Duration = Duration::from_millis(30);

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    _debouncer: Arc<Mutex<Box<dyn Watch>>>,
}

/// What the event thread needs of a debouncer, whichever kind: to watch a folder again
/// after it was removed, renamed or first created.
trait Watch: Send {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()>;
    fn unwatch(&mut self, path: &Path) -> notify::Result<()>;
}

impl<T, C> Watch for Debouncer<T, C>
where
    T: notify::Watcher + Send,
    C: FileIdCache + Send,
{
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        Debouncer::watch(self, path, mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        Debouncer::unwatch(self, path)
    }
}

/// Watches `root` and calls `on_change` (on a thread of its own) after each change, with the
/// files that changed, or `None` when that is not known (missed events, a rescan).
pub fn start(
    root: &Path,
    poll: bool,
    on_change: impl Fn(Option<Vec<PathBuf>>) + Send + 'static,
) -> notify::Result<Watcher> {
    let (sender, receiver) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer: Box<dyn Watch> = if poll {
        // The polling watcher keeps modification times in whole seconds: a save in the same
        // second as the last look would pass unseen. Comparing contents catches it, at the
        // price of reading every source file at each look.
        let config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(500))
            .with_compare_contents(true);
        Box::new(new_debouncer_opt::<
            _,
            notify::PollWatcher,
            notify_debouncer_full::NoCache,
        >(
            SETTLE,
            None,
            sender,
            notify_debouncer_full::NoCache,
            config,
        )?)
    } else {
        Box::new(new_debouncer(SETTLE, None, sender)?)
    };
    debouncer.watch(root, RecursiveMode::NonRecursive)?;
    watch_folders(root, &mut *debouncer);
    let debouncer = Arc::new(Mutex::new(debouncer));
    let root = root.to_path_buf();
    let watching = debouncer.clone();
    std::thread::spawn(move || {
        while let Ok(result) = receiver.recv() {
            let mut changed = Changed::default();
            changed.add(&root, result);
            // Take whatever else arrived meanwhile, so one burst makes one rebuild.
            while let Ok(more) = receiver.try_recv() {
                changed.add(&root, more);
            }
            // content/, themes/ or templates/ appeared, went or was renamed: watch what is
            // there now, so that preview and build never part.
            if changed.paths.iter().any(|p| is_folder_of(&root, p)) {
                let mut debouncer = watching
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                watch_folders(&root, &mut **debouncer);
            }
            if changed.unknown {
                on_change(None);
            } else if !changed.paths.is_empty() {
                on_change(Some(changed.paths));
            }
        }
    });
    Ok(Watcher {
        _debouncer: debouncer,
    })
}

/// The folders watched recursively.
const FOLDERS: [&str; 3] = [
    crate::content::CONTENT_DIR,
    crate::theme::THEMES_DIR,
    crate::theme::SITE_TEMPLATES_DIR,
];

/// Watches each folder of [`FOLDERS`] that exists now, afresh. A folder that is missing
/// is seen when it appears, through the watch on the site folder itself.
fn watch_folders(root: &Path, debouncer: &mut dyn Watch) {
    for folder in FOLDERS {
        let path = root.join(folder);
        let _ = debouncer.unwatch(&path);
        if path.is_dir() {
            let _ = debouncer.watch(&path, RecursiveMode::Recursive);
        }
    }
}

/// Whether `path` is one of the watched folders itself.
fn is_folder_of(root: &Path, path: &Path) -> bool {
    path.parent() == Some(root)
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| FOLDERS.contains(&n))
}

/// The sources that changed in a burst of events.
#[derive(Default)]
struct Changed {
    paths: Vec<PathBuf>,
    /// Errors and rescans: something was missed, so everything may have changed.
    unknown: bool,
}

impl Changed {
    fn add(&mut self, root: &Path, result: DebounceEventResult) {
        match result {
            Err(_) => self.unknown = true,
            Ok(events) => {
                for e in events {
                    // Reading a file (as every build does) is no change.
                    if matches!(e.event.kind, notify::EventKind::Access(_)) {
                        continue;
                    }
                    if e.event.need_rescan() {
                        self.unknown = true;
                    }
                    for path in &e.event.paths {
                        if is_source(root, path) && !self.paths.contains(path) {
                            self.paths.push(path.clone());
                        }
                    }
                }
            }
        }
    }
}

/// A file the site is built from: site.yaml, or anything in the watched folders that is not
/// an editor's scratch file. (The root is watched for site.yaml only: the output folder and
/// other files beside site.yaml do not count.)
fn is_source(root: &Path, path: &Path) -> bool {
    if is_scratch(path) {
        return false;
    }
    let Ok(relative) = path.strip_prefix(root) else {
        return true;
    };
    let mut parts = relative.components();
    let first = parts
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or("");
    first == crate::config::CONFIG_FILE || FOLDERS.contains(&first)
}

/// Editor scratch files: vim's `.swp` and `4913`, backups ending in `~`, emacs's `.#` locks.
pub fn is_scratch(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with('~')
        || name.starts_with(".#")
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        let root = Path::new("/site");
        assert!(is_source(root, Path::new("/site/site.yaml")));
        assert!(is_source(root, Path::new("/site/content/articles/a.md")));
        assert!(is_source(root, Path::new("/site/templates/page.html")));
        assert!(!is_source(root, Path::new("/site/public/index.html")));
        assert!(!is_source(root, Path::new("/site/README.md")));
        assert!(!is_source(
            root,
            Path::new("/site/content/articles/.a.md.swp")
        ));
    }

    #[test]
    fn scratch_files() {
        for name in ["a.md.swp", ".a.md.swx", "a.md~", ".#a.md", "4913"] {
            assert!(is_scratch(Path::new(name)), "{name}");
        }
        for name in ["a.md", "site.yaml", "4913.md"] {
            assert!(!is_scratch(Path::new(name)), "{name}");
        }
    }
}

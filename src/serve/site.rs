//! The site as `serve` holds it: the same bytes `build` writes, kept in memory, and the
//! diagnostics of the last build.

use crate::diagnostic::{Diagnostic, Diagnostics, has_errors};
use crate::pipeline::{self, Settings, Sink};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One built version of the site.
#[derive(Default)]
pub struct Snapshot {
    /// Generated files by output path.
    pub files: HashMap<String, Arc<[u8]>>,
    /// Files served from disk (content/ files, theme static files) by output path.
    pub copies: HashMap<String, PathBuf>,
}

impl Snapshot {
    /// The file at output path `path`, read from memory or disk.
    pub fn get(&self, path: &str) -> Option<Arc<[u8]>> {
        if let Some(bytes) = self.files.get(path) {
            return Some(bytes.clone());
        }
        let file = self.copies.get(path)?;
        std::fs::read(file).ok().map(Arc::from)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path) || self.copies.contains_key(path)
    }
}

/// Collects a build in memory.
struct Memory {
    files: Mutex<HashMap<String, Arc<[u8]>>>,
    copies: Mutex<HashMap<String, PathBuf>>,
    /// Canonical site root: files from elsewhere (symlinks out of the site) are not served.
    root: PathBuf,
}

impl Sink for Memory {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.files
            .lock()
            .expect("no panics while holding the lock")
            .insert(path.to_string(), Arc::from(bytes));
        Ok(())
    }

    fn copy(&self, from: &Path, path: &str) -> Result<(), Diagnostic> {
        let inside = std::fs::canonicalize(from).is_ok_and(|f| f.starts_with(&self.root));
        if inside {
            self.copies
                .lock()
                .expect("no panics while holding the lock")
                .insert(path.to_string(), from.to_path_buf());
        }
        Ok(())
    }
}

/// Builds the site in memory. On errors returns them all, with the warnings.
pub fn build(settings: &Settings) -> Result<(Snapshot, Diagnostics), Diagnostics> {
    let mut diagnostics = Vec::new();
    let Some(prepared) = pipeline::prepare(settings, &mut diagnostics) else {
        return Err(diagnostics);
    };
    let root = std::fs::canonicalize(&settings.root).unwrap_or_else(|_| settings.root.clone());
    // The theme's built-in static files (style.css …) live in the binary: they are written,
    // the others are served from where they are.
    let memory = Memory {
        files: Mutex::new(HashMap::new()),
        copies: Mutex::new(HashMap::new()),
        root,
    };
    let (_, mut failures) = pipeline::emit(&prepared, &memory, &|| {}, &mut |_| {});
    diagnostics.append(&mut failures);
    if has_errors(&diagnostics) {
        return Err(diagnostics);
    }
    let snapshot = Snapshot {
        files: memory.files.into_inner().unwrap_or_default(),
        copies: memory.copies.into_inner().unwrap_or_default(),
    };
    Ok((snapshot, diagnostics))
}

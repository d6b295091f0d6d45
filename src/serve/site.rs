//! The site as `serve` holds it: the same bytes `build` writes, kept in memory, rebuilt after
//! each change as little as gives the same result as a full build.
//!
//! When only Markdown files under content/ changed, and the last build succeeded, only those
//! files are read again ([`Prepared::update`]) and only the outputs whose pages or whose
//! site-wide lists changed are rendered again ([`render::job_pages`]). Anything else — site.yaml,
//! a template, a picture, a missed event — rebuilds everything.

use crate::diagnostic::{Diagnostic, Diagnostics, has_errors};
use crate::pipeline::{self, Prepared, Settings, Sink};
use crate::render::{self, Job, Linker};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One built version of the site.
#[derive(Default, Clone)]
pub struct Snapshot {
    /// Generated files by output path as of the last full build or index: shared by the
    /// versions since, so that an update does not copy a large site's every entry …
    base: Arc<HashMap<String, Arc<[u8]>>>,
    /// … and what updates since wrote (`Some`) or took away (`None`), over it.
    changes: HashMap<String, Option<Arc<[u8]>>>,
    /// Files served from disk (content/ files, theme static files) by output path.
    copies: Arc<HashMap<String, PathBuf>>,
    /// The site's pictures, whose files are made when first asked for.
    pictures: Option<Arc<crate::picture::Pictures>>,
}

impl Snapshot {
    pub fn new(files: HashMap<String, Arc<[u8]>>, copies: HashMap<String, PathBuf>) -> Snapshot {
        Snapshot {
            base: Arc::new(files),
            changes: HashMap::new(),
            copies: Arc::new(copies),
            pictures: None,
        }
    }

    /// The site's pictures, to make a picture's files when first asked for.
    pub fn pictures(&self) -> Option<Arc<crate::picture::Pictures>> {
        self.pictures.clone()
    }

    /// The generated file at output path `path` (a page, a feed, the search index).
    pub fn generated(&self, path: &str) -> Option<Arc<[u8]>> {
        match self.changes.get(path) {
            Some(change) => change.clone(),
            None => self.base.get(path).cloned(),
        }
    }

    /// The source of the copied file at output path `path`: a file under content/ or a
    /// theme's static file, served from disk ([`super::files`]).
    pub fn copy(&self, path: &str) -> Option<&Path> {
        self.copies.get(path).map(PathBuf::as_path)
    }

    /// Whether nothing was ever built into this version.
    pub fn is_empty(&self) -> bool {
        self.base.is_empty() && self.changes.is_empty() && self.copies.is_empty()
    }

    pub fn contains(&self, path: &str) -> bool {
        let generated = match self.changes.get(path) {
            Some(change) => change.is_some(),
            None => self.base.contains_key(path),
        };
        generated || self.copies.contains_key(path)
    }

    /// This version with the files `written` and without those `gone`.
    fn updated(&self, written: HashMap<String, Arc<[u8]>>, gone: &[String]) -> Snapshot {
        let mut changes = self.changes.clone();
        changes.extend(gone.iter().map(|path| (path.clone(), None)));
        changes.extend(written.into_iter().map(|(path, bytes)| (path, Some(bytes))));
        Snapshot {
            base: self.base.clone(),
            changes,
            copies: self.copies.clone(),
            pictures: self.pictures.clone(),
        }
    }

    /// This version as one map again, without the files `leave_out` names, with those `added`.
    fn merged(
        &self,
        leave_out: impl Fn(&str) -> bool,
        added: HashMap<String, Arc<[u8]>>,
    ) -> Snapshot {
        let mut files: HashMap<String, Arc<[u8]>> = self
            .base
            .iter()
            .filter(|(path, _)| !leave_out(path) && !self.changes.contains_key(*path))
            .map(|(path, bytes)| (path.clone(), bytes.clone()))
            .collect();
        for (path, change) in &self.changes {
            if let Some(bytes) = change
                && !leave_out(path)
            {
                files.insert(path.clone(), bytes.clone());
            }
        }
        files.extend(added);
        Snapshot {
            base: Arc::new(files),
            changes: HashMap::new(),
            copies: self.copies.clone(),
            pictures: self.pictures.clone(),
        }
    }
}

/// Collects output in memory; copied files only by their source, opened when served.
#[derive(Default)]
struct Memory {
    files: Mutex<HashMap<String, Arc<[u8]>>>,
    copies: Mutex<HashMap<String, PathBuf>>,
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
        self.copies
            .lock()
            .expect("no panics while holding the lock")
            .insert(path.to_string(), from.to_path_buf());
        Ok(())
    }

    fn pictures_on_demand(&self) -> bool {
        true
    }
}

/// The last good build, and what each output showed.
struct State {
    prepared: Prepared,
    snapshot: Arc<Snapshot>,
    /// Output path → the pages it shows, by [`Ids`].
    shows: HashMap<String, Vec<u32>>,
    ids: Ids,
    /// The site-wide lists every page gets, serialised: when they change, every page may.
    site_lists: String,
}

/// Builds the site again and again.
pub struct Builder {
    settings: Settings,
    state: Option<State>,
}

/// How a rebuild went.
pub struct Built {
    pub snapshot: Arc<Snapshot>,
    pub warnings: Diagnostics,
    /// Outputs rendered again (all of them after a full build).
    pub rendered: usize,
    /// The search index is out of date: call [`Builder::reindex`].
    pub stale_index: bool,
}

impl Builder {
    pub fn new(settings: Settings) -> Builder {
        Builder {
            settings,
            state: None,
        }
    }

    /// Rebuilds after `changed` files changed (absolute or root-relative paths); `None` when
    /// what changed is unknown. On errors, returns them all; the next rebuild is a full one.
    pub fn rebuild(&mut self, changed: Option<&[PathBuf]>) -> Result<Built, Diagnostics> {
        let markdown = changed.and_then(|paths| self.content_markdown(paths));
        let result = match (self.state.take(), markdown) {
            (Some(state), Some(files)) => self.update(state, &files),
            _ => self.full(),
        };
        result.map(|(state, built)| {
            self.state = Some(state);
            built
        })
    }

    /// The changed files as Markdown paths relative to content/, or `None` when anything
    /// else changed.
    fn content_markdown(&self, paths: &[PathBuf]) -> Option<Vec<String>> {
        let content = self.settings.root.join(crate::content::CONTENT_DIR);
        let content = std::fs::canonicalize(&content).unwrap_or(content);
        let mut files = Vec::new();
        for path in paths {
            let relative = path
                .strip_prefix(&content)
                .or_else(|_| {
                    path.strip_prefix(self.settings.root.join(crate::content::CONTENT_DIR))
                })
                .ok()?;
            let relative = relative.to_str()?.replace('\\', "/");
            if !relative.ends_with(".md") || relative.split('/').any(|p| p.starts_with('.')) {
                return None;
            }
            // A column's index decides the kind and address of every file under its folder.
            if relative.ends_with("/_index.md") {
                return None;
            }
            files.push(relative);
        }
        files.sort();
        files.dedup();
        Some(files)
    }

    fn full(&mut self) -> Result<(State, Built), Diagnostics> {
        let mut diagnostics = Vec::new();
        let Some(prepared) = pipeline::prepare(&self.settings, &mut diagnostics) else {
            return Err(diagnostics);
        };
        let memory = Memory::default();
        let jobs = prepared.jobs();
        let (emitted, mut failures) =
            pipeline::emit(&prepared, jobs, true, &memory, &|| {}, &mut |_| {});
        diagnostics.append(&mut failures);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let snapshot = Arc::new(Snapshot {
            pictures: Some(Arc::new(prepared.site.pictures.clone())),
            ..Snapshot::new(
                memory.files.into_inner().unwrap_or_default(),
                memory.copies.into_inner().unwrap_or_default(),
            )
        });
        let mut ids = Ids::default();
        let shows = shows(&prepared, jobs, &mut ids);
        let site_lists = site_lists(&prepared);
        let built = Built {
            snapshot: snapshot.clone(),
            warnings: without_notes(diagnostics),
            rendered: emitted.pages,
            stale_index: false,
        };
        let state = State {
            prepared,
            snapshot,
            shows,
            ids,
            site_lists,
        };
        Ok((state, built))
    }

    fn update(&mut self, state: State, changed: &[String]) -> Result<(State, Built), Diagnostics> {
        let uses_before = state.prepared.site.pictures.uses().clone();
        let State {
            prepared,
            snapshot,
            shows: old_shows,
            mut ids,
            site_lists: old_lists,
        } = state;
        let mut timings = crate::timings::Timings::start(std::time::Instant::now());
        let pipeline::Updated {
            prepared,
            touched,
            warnings,
            same_lists,
        } = prepared.update(changed)?;
        // A picture now used differently (a new cover, a first link to its original) is made
        // into other files, which only a whole build publishes.
        if *prepared.site.pictures.uses() != uses_before {
            return self.full();
        }
        timings.stage("读取和检查");
        let touched: BTreeSet<u32> = touched.iter().map(|path| ids.of(path)).collect();
        let shows_touched = |pages: &[u32]| pages.iter().any(|p| touched.contains(p));
        let (jobs, new_shows, site_lists, gone) = if same_lists {
            // Every output shows the same pages as before: render those showing a touched one.
            let jobs: Vec<(String, Job)> = prepared
                .jobs()
                .iter()
                .filter(|(path, _)| {
                    old_shows
                        .get(&crate::url::output_file(path))
                        .is_none_or(|pages| shows_touched(pages))
                })
                .cloned()
                .collect();
            (jobs, old_shows, old_lists, Vec::new())
        } else {
            let site_lists = site_lists(&prepared);
            let all_jobs = prepared.jobs();
            let new_shows = shows(&prepared, all_jobs, &mut ids);
            let everything = site_lists != old_lists;
            let jobs: Vec<(String, Job)> = all_jobs
                .iter()
                .filter(|(path, _)| {
                    let file = crate::url::output_file(path);
                    everything
                        || match (old_shows.get(&file), new_shows.get(&file)) {
                            (Some(old), Some(new)) => old != new || shows_touched(new),
                            _ => true,
                        }
                })
                .cloned()
                .collect();
            let gone: Vec<String> = old_shows
                .into_keys()
                .filter(|path| !new_shows.contains_key(path))
                .collect();
            (jobs, new_shows, site_lists, gone)
        };
        timings.stage("找出要更新的页面");
        let memory = Memory::default();
        let failures = pipeline::render(
            &prepared,
            &jobs,
            |path, bytes| memory.write(path, bytes),
            &|| {},
        );
        timings.stage("渲染");
        if has_errors(&failures) {
            return Err(failures);
        }
        // Outputs no longer produced go. The search index stays as it was until
        // [`Builder::reindex`] replaces it, a moment later.
        let snapshot =
            Arc::new(snapshot.updated(memory.files.into_inner().unwrap_or_default(), &gone));
        let built = Built {
            snapshot: snapshot.clone(),
            warnings: without_notes(warnings),
            rendered: jobs.len(),
            stale_index: true,
        };
        let state = State {
            prepared,
            snapshot,
            shows: new_shows,
            ids,
            site_lists,
        };
        Ok((state, built))
    }
}

impl Builder {
    /// After an update, builds the search index again (it holds every page's text, so it is
    /// built whole) and returns the snapshot with it. Pages are served before this finishes.
    pub fn reindex(&mut self) -> Option<Arc<Snapshot>> {
        let state = self.state.as_mut()?;
        let memory = Memory::default();
        crate::search::build(&state.prepared.data().search_docs(), |path, bytes| {
            memory.write(path, bytes)
        })
        .ok()?;
        let index = memory.files.into_inner().unwrap_or_default();
        state.snapshot = Arc::new(
            state
                .snapshot
                .merged(|path| path.starts_with(crate::search::DIR), index),
        );
        Some(state.snapshot.clone())
    }
}

/// Numbers for content paths that stay the same across updates, while page indices shift.
#[derive(Default)]
struct Ids(HashMap<String, u32>);

impl Ids {
    fn of(&mut self, content_path: &str) -> u32 {
        if let Some(&id) = self.0.get(content_path) {
            return id;
        }
        let id = self.0.len() as u32;
        self.0.insert(content_path.to_string(), id);
        id
    }
}

/// Output file → the pages it shows.
fn shows(prepared: &Prepared, jobs: &[(String, Job)], ids: &mut Ids) -> HashMap<String, Vec<u32>> {
    let data = prepared.data();
    let page_ids: Vec<u32> = data.pages.iter().map(|p| ids.of(&p.content_path)).collect();
    jobs.par_iter()
        .map(|(path, job)| {
            let mut pages: Vec<u32> = render::job_pages(&data, job)
                .into_iter()
                .map(|i| page_ids[i])
                .collect();
            pages.sort_unstable();
            pages.dedup();
            (crate::url::output_file(path), pages)
        })
        .collect()
}

/// What every page may show of the whole site: the `site` every template gets (topics with
/// counts, months, series, laws, pages, navigation) and every page's address and date.
fn site_lists(prepared: &Prepared) -> String {
    let data = prepared.data();
    let view = data.site_view(&Linker::new("", prepared.offline));
    let mut lists = serde_json::to_string(&view).unwrap_or_default();
    lists.push_str(&render::site_addresses(&data));
    lists
}

/// The preview shows errors and warnings; notes are for `pufa check` and its report.
fn without_notes(mut diagnostics: Diagnostics) -> Diagnostics {
    diagnostics.retain(|d| d.severity != crate::diagnostic::Severity::Note);
    diagnostics
}

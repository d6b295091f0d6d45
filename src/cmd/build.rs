//! `pufa build`: prepare the site, render every page, and bring the output folder to it.
//!
//! The build stops when the site has errors, before anything is written; warnings are
//! printed and do not stop it. Only files whose bytes changed are written, and they are put
//! in place only when everything succeeded ([`crate::output`]).

use crate::diagnostic::Diagnostics;
use crate::output::{Changes, Output};
use crate::pipeline::{self, Settings};
use crate::timings::Timings;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Options {
    pub settings: Settings,
    pub output: PathBuf,
    /// Show a progress bar once the build takes more than a moment.
    pub progress: bool,
    /// Build the search index. Always on for `pufa build`; off only to measure what the
    /// index adds to a build (`bench/index_overhead.rs`).
    pub index: bool,
    /// Where to list the files added, updated and removed (`--changes`).
    pub changes: Option<PathBuf>,
}

/// What a build did, for the closing line.
#[derive(Debug)]
pub struct Summary {
    pub pages: usize,
    /// Files of the search index.
    pub index_files: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub output: PathBuf,
    /// What changed in the output folder.
    pub changes: Changes,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "完成：生成 {} 个页面、{} 个搜索索引文件，复制 {} 个文件，用时 {:.2} 秒，输出到 {}（新增 {} 个、更新 {} 个、删除 {} 个文件，{} 个没有变）",
            self.pages,
            self.index_files,
            self.files,
            self.elapsed.as_secs_f64(),
            self.output
                .strip_prefix(".")
                .unwrap_or(&self.output)
                .display(),
            self.changes.added.len(),
            self.changes.updated.len(),
            self.changes.removed.len(),
            self.changes.unchanged,
        )
    }
}

/// The result of a build: a summary when it succeeded, and every diagnostic either way.
pub struct Outcome {
    pub summary: Option<Summary>,
    pub diagnostics: Diagnostics,
    /// The build failed while putting files in place: the folder is part old, part new,
    /// until the next build.
    pub partial: bool,
}

pub fn run(options: &Options) -> Outcome {
    let mut diagnostics = Vec::new();
    let mut partial = false;
    let summary = build(options, &mut diagnostics, &mut partial);
    // Notes are for `pufa check` and its report.
    diagnostics.retain(|d| d.severity != crate::diagnostic::Severity::Note);
    Outcome {
        summary,
        diagnostics,
        partial,
    }
}

/// Returns `None` when the site has errors or could not be written.
fn build(options: &Options, diagnostics: &mut Diagnostics, partial: &mut bool) -> Option<Summary> {
    let started = Instant::now();
    let mut timings = Timings::start(started);
    let mut prepared = pipeline::prepare(&options.settings, diagnostics)?;
    prepared.forget_sources();
    timings.stage("读取和检查（含 Markdown）");
    let root = &options.settings.root;
    let output = match Output::create(root, &options.output) {
        Ok(output) => output,
        Err(d) => {
            diagnostics.push(d);
            return None;
        }
    };
    let site = &prepared.site;
    let jobs = prepared.jobs();
    let progress = Progress::new(
        (jobs.len() + site.assets.len() - site.pictures.probes.len() + site.pictures.output_count())
            as u64,
        options.progress,
        started,
    );
    let (emitted, mut failures) = pipeline::emit(
        &prepared,
        jobs,
        options.index,
        &output,
        &|| progress.tick(),
        &mut |name| timings.stage(name),
    );
    progress.finish();
    if !failures.is_empty() {
        diagnostics.append(&mut failures);
        return None;
    }
    let (changes, held) = match output.commit() {
        Ok(committed) => committed,
        Err(d) => {
            diagnostics.push(d);
            *partial = true;
            return None;
        }
    };
    timings.stage("更新输出文件夹");
    // Written even when some files were held: what did change must still be uploaded, and
    // the next build will not list it again.
    if let Some(file) = &options.changes
        && let Err(e) = std::fs::write(file, changes.listing())
    {
        diagnostics.push(crate::fs::error("io/write", "写入", file, &e));
        return None;
    }
    if let Some(held) = held {
        diagnostics.push(held);
        *partial = true;
        return None;
    }
    // The process ends once the summary is printed: handing a large site's memory back one
    // string at a time would only delay that (a tenth of a second at 10,000 pages).
    std::mem::forget(prepared);
    Some(Summary {
        pages: emitted.pages,
        index_files: emitted.index_files,
        files: emitted.files,
        elapsed: started.elapsed(),
        output: options.output.clone(),
        changes,
    })
}

/// A progress bar on stderr that appears only when the build takes more than a moment and
/// stderr is a terminal.
struct Progress {
    bar: ProgressBar,
    enabled: bool,
    shown: AtomicBool,
    started: Instant,
}

const PROGRESS_AFTER: Duration = Duration::from_millis(300);

impl Progress {
    fn new(total: u64, enabled: bool, started: Instant) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} {msg}") {
            bar.set_style(style);
        }
        bar.set_prefix("生成中");
        Progress {
            bar,
            enabled,
            shown: AtomicBool::new(false),
            started,
        }
    }

    fn tick(&self) {
        self.bar.inc(1);
        if self.enabled
            && self.started.elapsed() > PROGRESS_AFTER
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

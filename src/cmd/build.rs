//! `pufa build`: the whole pipeline, from site.yaml to a swapped-in output folder.
//!
//! Each stage collects diagnostics and the build stops after a stage that found errors, so
//! an author sees every mistake of a stage at once and nothing is written. Markdown and
//! templates render in parallel; writes go to a staging folder that replaces the output only
//! when everything succeeded.

use crate::config::Config;
use crate::content::{self, LoadOptions};
use crate::diagnostic::{Diagnostic, Diagnostics, has_errors};
use crate::markdown::{self, LinkContext, Rendered};
use crate::output::Output;
use crate::render::context::SiteData;
use crate::render::{self, Engine, Renderer};
use crate::taxonomy;
use crate::theme::{StaticSource, Theme};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub output: PathBuf,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub offline: bool,
    /// Show a progress bar once the build takes more than a moment.
    pub progress: bool,
}

/// What a build did, for the closing line.
#[derive(Debug)]
pub struct Summary {
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub output: PathBuf,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "完成：生成 {} 个页面，复制 {} 个文件，用时 {:.2} 秒，输出到 {}",
            self.pages,
            self.files,
            self.elapsed.as_secs_f64(),
            self.output
                .strip_prefix(".")
                .unwrap_or(&self.output)
                .display()
        )
    }
}

/// The result of a build: a summary when it succeeded, and every diagnostic either way.
pub struct Outcome {
    pub summary: Option<Summary>,
    pub diagnostics: Diagnostics,
}

pub fn run(options: &Options) -> Outcome {
    let mut diagnostics = Vec::new();
    let summary = build(options, &mut diagnostics);
    Outcome {
        summary: summary.filter(|_| !has_errors(&diagnostics)),
        diagnostics,
    }
}

/// Returns `None` as soon as a stage reports an error.
fn build(options: &Options, diagnostics: &mut Diagnostics) -> Option<Summary> {
    let started = Instant::now();
    let root = &options.root;

    let mut config = collect(Config::load(root), diagnostics)?;
    if let Some(url) = &options.base_url
        && let Err(d) = config.set_base_url(url)
    {
        diagnostics.push(d);
        return None;
    }
    if config.base_url.is_none() {
        diagnostics.push(
            Diagnostic::warning(
                "config/no-base-url",
                "site.yaml 没有设置 base_url，因此不生成订阅（feed.xml）和网站地图（sitemap.xml）",
            )
            .in_file(crate::config::CONFIG_FILE)
            .with_suggestion("写上网站的正式网址，例如 base_url: \"https://pufa.example.gov.cn/\""),
        );
    }
    let theme = collect(
        Theme::load(root, &config.theme).map(|t| (t, Vec::new())),
        diagnostics,
    )?;
    let engine = collect(Engine::new(&theme).map(|e| (e, Vec::new())), diagnostics)?;

    let load_options = LoadOptions {
        drafts: options.drafts,
    };
    let (site, mut found) = content::load(root, config, load_options);
    diagnostics.append(&mut found);
    let site = site.filter(|_| !has_errors(diagnostics))?;

    let page_paths: BTreeMap<String, String> = site
        .pages
        .iter()
        .map(|p| (p.content_path.clone(), p.path.clone()))
        .collect();
    let rendered: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|page| {
            let cx = LinkContext {
                content_path: &page.content_path,
                page_path: &page.path,
                pages: &page_paths,
                drafts: &site.drafts,
                assets: &site.assets,
                laws: &site.config.laws,
                offline: options.offline,
            };
            markdown::render(&page.source, &page.text, page.body_offset, &cx)
        })
        .collect();
    let mut rendered = rendered;
    for r in &mut rendered {
        diagnostics.append(&mut r.diagnostics);
    }
    if has_errors(diagnostics) {
        return None;
    }
    let cited: Vec<BTreeSet<String>> = site
        .pages
        .iter()
        .zip(&rendered)
        .map(|(page, r)| {
            page.laws
                .iter()
                .cloned()
                .chain(r.laws.iter().cloned())
                .collect()
        })
        .collect();
    let tax = taxonomy::build(&site.pages, &cited, &site.config.topics, &site.config.laws);

    let output = collect(
        Output::create(root, &options.output)
            .map(|o| (o, Vec::new()))
            .map_err(|d| vec![d]),
        diagnostics,
    )?;
    let data = SiteData {
        config: &site.config,
        pages: &site.pages,
        rendered: &rendered,
        cited: &cited,
        tax: &tax,
        offline: options.offline,
        today: site.today,
    };
    let jobs = render::jobs(&data);
    let renderer = Renderer::new(&engine, data);
    let progress = Progress::new(
        (jobs.len() + site.assets.len()) as u64,
        options.progress,
        started,
    );

    let mut failures: Diagnostics = jobs
        .par_iter()
        .filter_map(|(path, job)| {
            let result = renderer
                .render(path, job)
                .and_then(|html| output.write(&crate::url::output_file(path), html.as_bytes()));
            progress.tick();
            result.err()
        })
        .collect();
    let copy_failures: Diagnostics = site
        .assets
        .par_iter()
        .filter_map(|asset| {
            let from = root.join(content::CONTENT_DIR).join(asset);
            let result = output.copy(&from, asset);
            progress.tick();
            result.err()
        })
        .collect();
    failures.extend(copy_failures);
    for (path, source) in &theme.statics {
        if site.assets.contains(path) {
            continue; // the site's own file of the same name wins
        }
        let result = match source {
            StaticSource::Builtin(bytes) => output.write(path, bytes),
            StaticSource::File(from) => output.copy(from, path),
        };
        failures.extend(result.err());
    }
    progress.finish();
    // The same template error would be reported once per page: keep one of each.
    failures.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
    failures.dedup();
    if !failures.is_empty() {
        diagnostics.append(&mut failures);
        return None;
    }
    if let Err(d) = output.commit() {
        diagnostics.push(d);
        return None;
    }
    Some(Summary {
        pages: jobs.len(),
        files: site.assets.len() + theme.statics.len(),
        elapsed: started.elapsed(),
        output: options.output.clone(),
    })
}

/// Moves a stage's diagnostics into `all`, returning its value when it had no errors.
fn collect<T>(result: Result<(T, Diagnostics), Diagnostics>, all: &mut Diagnostics) -> Option<T>
where
    T: Sized,
{
    match result {
        Ok((value, mut warnings)) => {
            all.append(&mut warnings);
            Some(value)
        }
        Err(mut errors) => {
            all.append(&mut errors);
            None
        }
    }
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

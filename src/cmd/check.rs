//! `pufa check`: everything `build` checks, and renders, without writing anything.

use crate::diagnostic::{self, Diagnostics};
use crate::pipeline::{self, Settings};

/// Runs every check of the site at `settings.root`, rendering every page in memory so template
/// errors are found too. Returns every diagnostic, sorted.
pub fn run(settings: &Settings) -> Diagnostics {
    let mut diagnostics = Vec::new();
    if let Some(prepared) = pipeline::prepare(settings, &mut diagnostics) {
        let jobs = prepared.jobs();
        let mut failures = pipeline::render(&prepared, jobs, |_, _| Ok(()), &|| {});
        diagnostics.append(&mut failures);
    }
    diagnostic::sort(&mut diagnostics);
    diagnostics
}

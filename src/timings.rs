//! Stage durations, printed to stderr when the environment variable `PUFA_TIMINGS` is set:
//! where a build's (or a preview update's) time and memory go. Used for docs/performance.md.

use std::time::Instant;

pub struct Timings {
    last: Option<Instant>,
}

impl Timings {
    /// Starts timing at `started`, if `PUFA_TIMINGS` is set.
    pub fn start(started: Instant) -> Timings {
        Timings {
            last: std::env::var_os("PUFA_TIMINGS").map(|_| started),
        }
    }

    /// Prints how long the stage `name`, just finished, took.
    pub fn stage(&mut self, name: &str) {
        if let Some(last) = self.last {
            let now = Instant::now();
            eprintln!(
                "  {name}：{:.3} 秒{}",
                (now - last).as_secs_f64(),
                memory().unwrap_or_default()
            );
            self.last = Some(now);
        }
    }
}

/// Resident memory now and at its peak so far, where the system tells (Linux).
fn memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some(format!(
        "（内存 {} MB，峰值 {} MB）",
        field("VmRSS:")? / 1024,
        field("VmHWM:")? / 1024
    ))
}

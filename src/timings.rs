//! Stage durations, printed to stderr when the environment variable `PUFA_TIMINGS` is set:
//! where a build's (or a preview update's) time goes. Used for docs/performance.md.

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
            eprintln!("  {name}：{:.3} 秒", (now - last).as_secs_f64());
            self.last = Some(now);
        }
    }
}

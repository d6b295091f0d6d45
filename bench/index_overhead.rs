//! What the search index adds to a build: builds one site again and again, with and without
//! the index in turn, each build in a fresh process as `pufa build` runs, and reports how much
//! longer the builds with the index took.
//!
//! ```text
//! cargo run --release --example corpus -- /dev/shm/c10k 10000 1
//! cargo run --release --example index_overhead -- /dev/shm/c10k 15
//! ```
//! The outputs go next to the site (`public-index`, `public-no-index`) and are removed after
//! each build; put the site on a memory file system (`/dev/shm`) to leave the disk out.
//! Timings on a shared machine drift from minute to minute: the two kinds of build alternate
//! (which one goes first alternates too), so both see the same conditions, and the ratio
//! within each pair is reported beside the medians.

mod common;

use common::median;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, kind, site, output] = args.as_slice()
        && flag == "--child"
    {
        std::process::exit(child(kind == "index", site, output));
    }
    let Some(site) = args.first() else {
        eprintln!("用法：cargo run --release --example index_overhead -- 网站文件夹 [轮数]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(7);
    let me = std::env::current_exe().expect("the benchmark's own path");
    let mut with = Vec::new();
    let mut without = Vec::new();
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for index in order {
            let (kind, folder) = if index {
                ("index", "public-index")
            } else {
                ("no-index", "public-no-index")
            };
            let output = Path::new(site).join(folder);
            let started = Instant::now();
            let status = Command::new(&me)
                .args(["--child", kind])
                .arg(site)
                .arg(&output)
                .status()
                .expect("the benchmark runs itself");
            let seconds = started.elapsed().as_secs_f64();
            assert!(status.success(), "构建失败：{site}");
            let _ = std::fs::remove_dir_all(&output);
            if index {
                with.push(seconds);
            } else {
                without.push(seconds);
            }
        }
        println!(
            "第 {} 轮：有索引 {:.2} 秒，无索引 {:.2} 秒，多 {:.0}%",
            round + 1,
            with[round],
            without[round],
            (with[round] / without[round] - 1.0) * 100.0
        );
    }
    let ratios: Vec<f64> = with.iter().zip(&without).map(|(w, n)| w / n).collect();
    let (with_median, without_median) = (median(with.clone()), median(without.clone()));
    let ratio_median = median(ratios.clone());
    let lowest = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    println!(
        "{rounds} 轮中位数：有索引 {with_median:.2} 秒，无索引 {without_median:.2} 秒，多 {:.1}%；\
         每一对之比的中位数多 {:.1}%（{:.0}% 到 {:.0}%）",
        (with_median / without_median - 1.0) * 100.0,
        (ratio_median - 1.0) * 100.0,
        (lowest - 1.0) * 100.0,
        (highest - 1.0) * 100.0,
    );
}

/// One build, as `pufa build --root SITE --output OUTPUT` makes it, with or without the index.
fn child(index: bool, site: &str, output: &str) -> i32 {
    let options = pufa::cmd::build::Options {
        settings: pufa::pipeline::Settings {
            root: site.into(),
            base_url: None,
            drafts: false,
            future: false,
            offline: false,
            preview: false,
        },
        output: output.into(),
        progress: false,
        index,
        changes: None,
    };
    let outcome = pufa::cmd::build::run(&options);
    if outcome.summary.is_some() {
        0
    } else {
        eprintln!("{} 条诊断", outcome.diagnostics.len());
        1
    }
}

//! Times search queries in a real headless Chromium: how long from opening `/search/?q=…` to
//! the results being shown, and how many bytes of index the query loaded, as the search
//! script itself measures them (`data-elapsed-ms`, `data-loaded-bytes`).
//!
//! ```text
//! pufa build --root SITE            # e.g. a corpus from the corpus example
//! cargo run --release --example search_timing -- SITE/public 欠薪 宣传资料 110报警
//! ```
//! Needs python3 (to serve the folder), chromium and chromedriver (Debian packages).

mod common;

use common::{Killed, free_port, wait_for_port};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((public, queries)) = args.split_first() else {
        eprintln!("用法：cargo run --release --example search_timing -- 生成的网站文件夹 查询词……");
        std::process::exit(2);
    };
    let http_port = free_port();
    let _server = Killed(
        Command::new("python3")
            .args([
                "-m",
                "http.server",
                &http_port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
                public,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3"),
    );
    wait_for_port(http_port);
    let browser = common::browser().await;
    let client = &browser.client;
    println!("| 查询 | 结果 | 加载的索引 | 显示结果用时 |");
    println!("|---|---|---|---|");
    for query in queries {
        // A fresh page each time, with the browser's cache cleared: every query starts cold.
        client.goto("about:blank").await.unwrap();
        client
            .goto(&format!(
                "http://127.0.0.1:{http_port}/search/?q={}",
                encode(query)
            ))
            .await
            .unwrap();
        let started = Instant::now();
        let status = loop {
            let status = client
                .find(fantoccini::Locator::Id("search-status"))
                .await
                .expect("the search page");
            if status.attr("data-done").await.unwrap().is_some() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{query}: no result"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let ms = status
            .attr("data-elapsed-ms")
            .await
            .unwrap()
            .unwrap_or_default();
        let bytes: u64 = status
            .attr("data-loaded-bytes")
            .await
            .unwrap()
            .and_then(|b| b.parse().ok())
            .unwrap_or(0);
        let text = status.text().await.unwrap();
        let found = text
            .split('条')
            .next()
            .unwrap_or("")
            .trim_start_matches("找到 ")
            .trim();
        println!("| {query} | {found} | {} KB | {ms} 毫秒 |", bytes / 1024);
    }
    browser.close().await;
}

fn encode(query: &str) -> String {
    query.bytes().map(|b| format!("%{b:02X}")).collect()
}

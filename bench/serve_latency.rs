//! Times `pufa serve` from saving an article to the change being visible: the reload event
//! the open page listens for, and the page served with the new text (what the page's reload
//! script fetches next).
//!
//! ```text
//! cargo run --release --example corpus -- /dev/shm/c10k 10000 1
//! cargo build --release
//! cargo run --release --example serve_latency -- /dev/shm/c10k 10
//! cargo run --release --example serve_latency -- /dev/shm/c10k 10 title
//! cargo run --release --example serve_latency -- /dev/shm/c10k 10 browser
//! ```
//! Edits the first article under `content/articles/` of a site made by the corpus example
//! (whose articles' addresses are their file names): appends a sentence to its text (what
//! no list shows), or with `title` changes its title too (which every list showing it
//! shows), and restores it at the end. Prints each edit's times and their median. With
//! `browser`, the article is also open in headless Chromium (chromium and chromedriver,
//! Debian packages), and the time runs until the reloaded page's first paint.

mod common;

use common::{Browser, Killed, free_port, median};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Puts the article back however the run ends.
struct Restore(PathBuf, String);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.0, &self.1);
    }
}

/// GET `path`: the status line and the body.
fn get(port: u16, path: &str) -> Option<(String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_string(), body.to_string()))
}

/// Follows the server's reload socket: sends each message's kind (`version`, `indexed` …) as
/// it arrives.
fn events(port: u16) -> mpsc::Receiver<(Instant, String)> {
    let (sender, receiver) = mpsc::channel();
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("the server answers");
    let url = format!("ws://127.0.0.1:{port}/__pufa/events");
    let (mut socket, _) = tungstenite::client(url.as_str(), stream).expect("a WebSocket");
    std::thread::spawn(move || {
        while let Ok(message) = socket.read() {
            let tungstenite::Message::Text(text) = message else {
                continue;
            };
            let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&text) else {
                continue;
            };
            if let Some(name) = map.keys().next() {
                let _ = sender.send((Instant::now(), name.clone()));
            }
        }
    });
    receiver
}

fn first_article(site: &Path) -> PathBuf {
    walkdir::WalkDir::new(site.join("content/articles"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(walkdir::DirEntry::into_path)
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("the site has an article")
}

/// Milliseconds since the Unix epoch: the clock both this program and the browser read.
fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// When (epoch milliseconds) the open page, reloaded with `marker` in it, was first painted.
async fn painted(browser: &Browser, marker: &str) -> f64 {
    let script = "const [marker] = arguments; \
        if (!document.body || !document.body.innerText.includes(marker)) return null; \
        const paint = performance.getEntriesByName('first-contentful-paint')[0]; \
        return performance.timeOrigin + (paint ? paint.startTime : performance.now());";
    let started = Instant::now();
    loop {
        let value = browser
            .client
            .execute(script, vec![serde_json::json!(marker)])
            .await
            .unwrap_or(serde_json::Value::Null);
        if let Some(at) = value.as_f64() {
            return at;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the page never showed the edit"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let site = PathBuf::from(
        args.next()
            .expect("usage: serve_latency SITE [EDITS] [title] [browser]"),
    );
    let edits: usize = args
        .next()
        .map_or(10, |n| n.parse().expect("a number of edits"));
    let rest: Vec<String> = args.collect();
    let retitle = rest.iter().any(|a| a == "title");
    let in_browser = rest.iter().any(|a| a == "browser");
    let pufa = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("pufa")))
        .filter(|p| p.exists())
        .expect("target/release/pufa: run `cargo build --release` first");

    let article = first_article(&site);
    let stem = article.file_stem().and_then(|s| s.to_str()).unwrap();
    let page = format!("/articles/{stem}/");
    let original = std::fs::read_to_string(&article).expect("the article reads");
    let _restore = Restore(article.clone(), original.clone());

    let port = free_port();
    let started = Instant::now();
    let _server = Killed(
        Command::new(&pufa)
            .args(["serve", "--root"])
            .arg(&site)
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            // With PUFA_TIMINGS set, the server's own stage times show between the rows.
            .stderr(if std::env::var_os("PUFA_TIMINGS").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("pufa serve starts"),
    );
    while get(port, &page).is_none_or(|(status, _)| !status.contains("200")) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server never served {page}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "首次生成并开始服务：{:.1} 秒",
        started.elapsed().as_secs_f64()
    );
    let events = events(port);
    let browser = if in_browser {
        let browser = common::browser().await;
        let url = format!("http://127.0.0.1:{port}{page}");
        browser.client.goto(&url).await.expect("the page opens");
        Some(browser)
    } else {
        None
    };
    // The first event tells the current version; the index finishes building in the
    // background after the first build, so let everything settle.
    std::thread::sleep(Duration::from_secs(3));
    while events.try_recv().is_ok() {}

    let mut to_event = Vec::new();
    let mut to_page = Vec::new();
    let mut to_paint = Vec::new();
    println!("| 第几次 | 收到刷新通知 | 取到新页面 | 浏览器画出新页面 |");
    println!("|---|---|---|---|");
    for edit in 1..=edits {
        let marker = format!("测量延迟的第{edit}句。");
        let text = if retitle {
            original.replacen("title: \"", &format!("title: \"{marker}"), 1)
        } else {
            format!("{original}\n{marker}\n")
        };
        std::fs::write(&article, text).expect("the edit saves");
        let saved = Instant::now();
        let saved_epoch = epoch_ms();
        let event_at = loop {
            let (at, name) = events
                .recv_timeout(Duration::from_secs(30))
                .expect("a reload event within 30 s");
            if name == "version" {
                break at;
            }
        };
        let (_, body) = get(port, &page).expect("the page is served");
        let page_at = Instant::now();
        assert!(
            body.contains(&marker),
            "the served page has the new sentence"
        );
        let ms = |at: Instant| (at - saved).as_secs_f64() * 1000.0;
        let paint = match &browser {
            Some(browser) => {
                let ms = painted(browser, &marker).await - saved_epoch;
                to_paint.push(ms);
                format!("{ms:.0} 毫秒")
            }
            None => "—".to_string(),
        };
        println!(
            "| {edit} | {:.0} 毫秒 | {:.0} 毫秒 | {paint} |",
            ms(event_at),
            ms(page_at)
        );
        to_event.push(ms(event_at));
        to_page.push(ms(page_at));
        // Let the search index catch up, as it does between a writer's saves.
        std::thread::sleep(Duration::from_millis(2500));
        while events.try_recv().is_ok() {}
    }
    println!(
        "\n中位数：收到刷新通知 {:.0} 毫秒，取到新页面 {:.0} 毫秒",
        median(to_event),
        median(to_page)
    );
    if !to_paint.is_empty() {
        println!("浏览器画出新页面：中位数 {:.0} 毫秒", median(to_paint));
    }
    if let Some(browser) = browser {
        browser.close().await;
    }
}

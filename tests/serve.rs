//! `pufa serve`: the real binary on a temporary copy of a fixture, on a port the system picks.

mod common;

use common::*;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `pufa serve`, stopped when dropped.
struct Server {
    child: Child,
    address: String,
    /// What it printed before it was ready.
    said: Vec<String>,
}

impl Server {
    fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// Starts with more command-line arguments.
    fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pufa"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(args)
            .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pufa serve");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut said = Vec::new();
        let mut address = None;
        // The address comes first; the line on reloading ends what it says at the start.
        loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            if let Some(url) = line.strip_prefix("预览地址：http://") {
                address = Some(url.trim_end_matches('/').to_string());
            }
            let done = line.starts_with("保存文件后页面会自动刷新");
            said.push(line);
            if done {
                break;
            }
        }
        // Keep reading its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let server = Server {
            child,
            address: address.expect("serve printed its address"),
            said,
        };
        server.wait_for(|| server.get("/").0 == 200);
        server
    }

    /// The whole raw response to a GET of `path` with `headers` (each ending in `\r\n`).
    fn request(&self, path: &str, headers: &str) -> String {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        String::from_utf8_lossy(&response).into_owned()
    }

    /// A raw GET: (status, body).
    fn get(&self, path: &str) -> (u16, String) {
        let response = self.request(path, "");
        let status = response[9..12].parse().unwrap();
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, dechunk(&body))
    }

    fn wait_for(&self, mut done: impl FnMut() -> bool) {
        let started = Instant::now();
        while !done() {
            assert!(started.elapsed() < Duration::from_secs(20), "timed out");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens the reload socket, as a page does; messages are read with [`Events::next`].
    fn events(&self) -> Events {
        let stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let url = format!("ws://{}/__pufa/events", self.address);
        let (socket, _) = tungstenite::client(url.as_str(), stream).expect("a WebSocket");
        Events { socket }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Events {
    socket: tungstenite::WebSocket<TcpStream>,
}

impl Events {
    /// The next message: (what it is, its data as JSON text).
    fn next(&mut self) -> (String, String) {
        loop {
            // Pings arrive even when nothing changes.
            let message = self.socket.read().expect("the reload socket stays open");
            let tungstenite::Message::Text(text) = message else {
                continue;
            };
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            let (name, data) = value.as_object().unwrap().iter().next().unwrap();
            return (name.clone(), data.to_string());
        }
    }

    /// Waits for the event called `wanted`, skipping others.
    fn wait(&mut self, wanted: &str) -> String {
        loop {
            let (name, data) = self.next();
            if name == wanted {
                return data;
            }
        }
    }
}

/// Undoes HTTP chunked transfer encoding, if the body uses it.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    loop {
        let Some((size, after)) = rest.split_once("\r\n") else {
            return body.to_string();
        };
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            return body.to_string();
        };
        if size == 0 {
            return out;
        }
        let bytes = after.as_bytes();
        out.push_str(&String::from_utf8_lossy(&bytes[..size.min(bytes.len())]));
        rest = after.get(size + 2..).unwrap_or("");
    }
}

/// The page without the reload script serve adds.
fn without_reload(html: &str) -> String {
    match html.find("<script src=\"/__pufa/reload.js\"") {
        Some(start) => {
            let end = start + html[start..].find("</script>").unwrap() + "</script>".len();
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html.to_string(),
    }
}

/// Every file a fresh `pufa build` writes is served with the same content.
fn assert_served_equals_built(server: &Server, site: &Path) {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let base = format!("http://{}/", server.address);
    let result = pufa(
        site,
        &[
            "build",
            "--base-url",
            &base,
            "--output",
            public.to_str().unwrap(),
        ],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for file in files(&public) {
        if file == ".pufa-output"
            || !(file.ends_with(".html") || file.ends_with(".xml") || file.ends_with(".js"))
        {
            continue;
        }
        let path = format!("/{}", file.trim_end_matches("index.html"));
        let encoded: String = path
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"/-._".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let (status, body) = server.get(&encoded);
        assert_eq!(status, 200, "{file}");
        assert_eq!(
            without_reload(&body),
            read(&public.join(&file)),
            "{file} served differs from built"
        );
    }
}

#[test]
fn served_pages_are_the_built_pages_with_a_reload_script() {
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("<script src=\"/__pufa/reload.js\" data-version=\"1\"></script></body>"));
    assert_served_equals_built(&server, site.path());
    // Never written to disk.
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_reload_fetches_unchanged_stylesheets_and_scripts_as_not_modified() {
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let head = |path: &str, tag: Option<&str>| {
        let condition = tag.map_or(String::new(), |t| format!("If-None-Match: {t}\r\n"));
        let response = server.request(path, &condition);
        let status: u16 = response[9..12].parse().unwrap();
        let etag = response
            .lines()
            .find_map(|l| l.strip_prefix("etag: "))
            .map(str::to_string);
        (status, etag)
    };
    for path in ["/style.css", "/__pufa/reload.js"] {
        let (status, etag) = head(path, None);
        assert_eq!(status, 200);
        let etag = etag.expect("an ETag");
        assert_eq!(head(path, Some(&etag)).0, 304, "{path}");
        assert_eq!(head(path, Some("\"other\"")).0, 200, "{path}");
    }
    // Pages always come whole: they carry the current version for the reload script.
    assert_eq!(head("/", None).1, None);
}

#[test]
fn saving_a_file_reloads_the_pages() {
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let mut events = server.events();
    assert_eq!(events.wait("version"), "1");
    save_and_see(site.path(), &server, &mut events, "家长要先耐心倾听。");

    // A new article appears on the home page; deleting it takes it away again.
    let new = site.path().join("content/articles/新文章.md");
    fs::write(
        &new,
        "---\ntitle: 刚写好的新文章\ndate: 2023-09-05\n---\n\n正文。\n",
    )
    .unwrap();
    events.wait("version");
    assert!(server.get("/").1.contains("刚写好的新文章"));
    // Renamed: the old address goes, the new one comes.
    let renamed = site.path().join("content/articles/改名.md");
    fs::rename(&new, &renamed).unwrap();
    events.wait("version");
    assert_eq!(server.get("/articles/xin-wen-zhang/").0, 404);
    assert_eq!(server.get("/articles/gai-ming/").0, 200);
    fs::remove_file(&renamed).unwrap();
    events.wait("version");
    assert!(!server.get("/").1.contains("刚写好的新文章"));

    // Editor scratch files change nothing.
    fs::write(site.path().join("content/articles/.校园欺凌.md.swp"), "vim").unwrap();
    fs::write(site.path().join("content/articles/校园欺凌.md~"), "backup").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let (_, home) = server.get("/");
    assert!(
        home.contains("data-version=\"5\""),
        "no rebuild for scratch files"
    );
    assert_served_equals_built(&server, site.path());
}

#[test]
fn a_mistake_shows_over_the_last_good_page_until_fixed() {
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let mut events = server.events();
    events.wait("version");

    let article = site.path().join("content/articles/校园欺凌.md");
    let good = read(&article);
    fs::write(
        &article,
        good.replace("date: 2023-09-01", "date: 2023-09-31"),
    )
    .unwrap();
    let problems = events.wait("errors");
    assert!(
        problems.contains("content/articles/校园欺凌.md:3:7"),
        "{problems}"
    );
    assert!(problems.contains("日期“2023-09-31”不存在"), "{problems}");
    assert!(
        problems.contains("\"line\":\"date: 2023-09-31\""),
        "{problems}"
    );
    // The last good version is still served, and a new page gets the problems at once.
    assert_eq!(server.get("/articles/xiao-yuan-qi-ling/").0, 200);
    let mut late = server.events();
    late.wait("errors");

    fs::write(&article, good).unwrap();
    assert_eq!(events.wait("version"), "2");
}

#[test]
fn nothing_outside_the_site_is_served() {
    let site = fixture("build/basic");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/hostname", site.path().join("content/outside.txt")).unwrap();
    let server = Server::start(site.path());
    for path in [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/articles/..%2f..%2fsite.yaml",
        "/%2E%2E/%2E%2E/etc/hostname",
        "//etc/hostname",
        "/site.yaml",
        "/content/articles/校园欺凌.md",
        "/outside.txt",
        "/media/",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("页面不存在"), "{path}: the site's 404 page");
    }
    assert_eq!(server.get("/media/poster.png").0, 200);
}

#[test]
fn a_busy_port_says_so() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let site = fixture("build/basic");
    let out = Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(["serve", "--port", &port])
        .current_dir(site.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("已经被占用"), "{stderr}");
    assert!(stderr.contains("--port"), "{stderr}");
}

/// One edit an author might make.
fn edit(site: &Path, step: u64, choice: u64) {
    let content = site.join("content");
    let article = content.join("articles/校园欺凌.md");
    let month = content.join("months/2023-06.md");
    let series = content.join("series/普法小剧场.md");
    let home = content.join("_index.md");
    let extra = |n: u64| content.join(format!("articles/extra-{n}.md"));
    let replace = |file: &Path, from: &str, to: &str| {
        let text = read(file);
        fs::write(file, text.replacen(from, to, 1)).unwrap();
    };
    let append = |file: &Path, text: &str| {
        let mut all = read(file);
        all.push_str(text);
        fs::write(file, all).unwrap();
    };
    let episode = content.join("episodes/第一集.md");
    match choice % 13 {
        0 => replace(&article, "家长要先倾听。", &format!("家长要先倾听。第{step}次修改。")),
        1 => replace(&article, "title: 校园欺凌怎么办", &format!("title: 校园欺凌怎么办（{step}）")),
        2 => {
            let text = read(&article);
            let date = if text.contains("date: 2023-09-01") { "2023-05-20" } else { "2023-09-01" };
            let text = text.replace("date: 2023-09-01", "date: X").replace("date: 2023-05-20", "date: X");
            fs::write(&article, text.replace("date: X", &format!("date: {date}"))).unwrap();
        }
        3 => fs::write(
            extra(step),
            format!("---\ntitle: 新增文章{step}\ndate: 2023-06-{:02}\ntopics: [电信诈骗]\n---\n\n见[防范](防范电信诈骗.md)。\n", 1 + step % 28),
        )
        .unwrap(),
        4 => {
            // Delete or rename the newest extra article, if there is one.
            let existing: Vec<u64> = (0..=step).filter(|n| extra(*n).is_file()).collect();
            if let Some(&n) = existing.last() {
                if step.is_multiple_of(2) {
                    fs::remove_file(extra(n)).unwrap();
                } else {
                    fs::rename(extra(n), extra(step + 1000)).unwrap();
                }
            } else {
                replace(&home, "欢迎", "欢迎欢迎");
            }
        }
        5 => replace(&month, "theme: 全民反诈", &format!("theme: 全民反诈{step}")),
        6 => replace(&series, "title: 普法小剧场", "title: 普法小剧场 "),
        7 => {
            let text = read(&article);
            let topics = if text.contains("topics: [校园欺凌]") { "topics: [校园欺凌, 电信诈骗]" } else { "topics: [校园欺凌]" };
            let text = text.replace("topics: [校园欺凌, 电信诈骗]", "topics: X").replace("topics: [校园欺凌]", "topics: X");
            fs::write(&article, text.replace("topics: X", topics)).unwrap();
        }
        8 => {
            let draft = content.join("articles/草稿.md");
            let text = read(&draft);
            let flipped = if text.contains("draft: true") { text.replace("draft: true", "draft: false") } else { text.replace("draft: false", "draft: true") };
            fs::write(&draft, flipped).unwrap();
        }
        9 => replace(&home, "欢迎", &format!("欢迎（{step}）")),
        // Text that no list shows: only the pages showing the article render again.
        10 => append(&article, &format!("\n第{step}段补充说明。\n")),
        12 => append(&episode, &format!("\n第{step}段补充说明。\n")),
        // Text that cites a law: the law's page starts listing the article.
        _ => append(&article, &format!("\n依照《民法典》第{step}条。\n")),
    }
}

#[test]
fn on_all_interfaces_it_warns_and_shows_the_lan_address_as_a_qr_code() {
    let site = fixture("build/basic");
    let server = Server::start_with(site.path(), &["--bind", "0.0.0.0"]);
    let said = server.said.join("\n");
    assert!(said.contains("请只在可信的网络中使用"), "{said}");
    let port = server.address.rsplit(':').next().unwrap();
    let Some(lan) = server
        .said
        .iter()
        .find_map(|l| l.strip_prefix("局域网地址：http://"))
    else {
        // No LAN address known (no network): it says how to make one up.
        assert!(said.contains(&format!("加上端口 {port}")), "{said}");
        return;
    };
    let url = format!("http://{}", lan.split('（').next().unwrap());
    assert!(url.ends_with(&format!(":{port}/")), "{url}");
    // The QR code is drawn with half blocks, light on a dark terminal: read it back.
    let rows: Vec<Vec<char>> = server
        .said
        .iter()
        .filter(|l| !l.is_empty() && l.chars().all(|c| " ▀▄█".contains(c)))
        .map(|l| l.chars().collect())
        .collect();
    assert!(rows.len() > 10, "a QR code is printed: {said}");
    let width = rows.iter().map(Vec::len).max().unwrap();
    const SCALE: usize = 4;
    let light = |x: usize, y: usize| {
        let c = rows[y / 2].get(x).copied().unwrap_or(' ');
        matches!((c, y % 2), ('█', _) | ('▀', 0) | ('▄', 1))
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(
        width * SCALE,
        rows.len() * 2 * SCALE,
        |x, y| if light(x / SCALE, y / SCALE) { 255 } else { 0 },
    );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the terminal");
    assert_eq!(grids[0].decode().expect("the QR code reads").1, url);
}

#[test]
fn polling_sees_saves_too() {
    let site = fixture("build/basic");
    let server = Server::start_with(site.path(), &["--poll"]);
    let mut events = server.events();
    assert_eq!(events.wait("version"), "1");
    save_and_see(site.path(), &server, &mut events, "家长要先轮询倾听。");
}

/// Saves the fixture article with `sentence` in place of its first one; the next version
/// serves it.
fn save_and_see(site: &Path, server: &Server, events: &mut Events, sentence: &str) {
    let article = site.join("content/articles/校园欺凌.md");
    fs::write(&article, read(&article).replace("家长要先倾听。", sentence)).unwrap();
    assert_eq!(events.wait("version"), "2");
    let (_, page) = server.get("/articles/xiao-yuan-qi-ling/");
    assert!(page.contains(sentence), "the page shows “{sentence}”");
}

#[test]
fn after_random_edits_the_served_site_equals_a_fresh_build() {
    for seed in [1u64, 7, 42] {
        let site = fixture("build/basic");
        let server = Server::start(site.path());
        let mut events = server.events();
        let mut version: u64 = events.wait("version").parse().unwrap();
        let mut state = seed;
        for step in 0..12 {
            // A small linear congruential generator: the same edits for the same seed.
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            edit(site.path(), step, state >> 33);
            loop {
                let (name, data) = events.next();
                if name == "warnings" {
                    continue;
                }
                assert_eq!(
                    name, "version",
                    "seed {seed} step {step}: the edit made an error: {data}"
                );
                let v: u64 = data.parse().unwrap();
                if v > version {
                    version = v;
                    break;
                }
            }
            // The search index follows the pages.
            loop {
                let (name, data) = events.next();
                if name == "indexed" && data == version.to_string() {
                    break;
                }
            }
            // Several files may change in one edit: let the watcher settle.
            std::thread::sleep(Duration::from_millis(150));
            while let Ok(v) = server
                .get("/")
                .1
                .split("data-version=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse::<u64>()
            {
                if v == version {
                    break;
                }
                version = v;
            }
            assert_served_equals_built(&server, site.path());
        }
    }
}

/// A chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run chromedriver (apt-get install chromium-driver)");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the open page's HTML satisfies `done`.
async fn wait_for_page(
    client: &fantoccini::Client,
    what: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    let started = Instant::now();
    loop {
        let source = client.source().await.unwrap();
        if done(&source) {
            return source;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}:\n{source}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_open_page_follows_the_saves_by_itself() {
    if !browser_tests_enabled("an_open_page_follows_the_saves_by_itself") {
        return;
    }
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let driver = Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let client =
        fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a browser session");
    client
        .goto(&format!(
            "http://{}/articles/xiao-yuan-qi-ling/",
            server.address
        ))
        .await
        .unwrap();
    wait_for_page(&client, "the page", |s| s.contains("家长要先倾听。")).await;

    // Saving the Markdown file changes the open page, with no click.
    let article = site.path().join("content/articles/校园欺凌.md");
    let good = read(&article);
    fs::write(
        &article,
        good.replace("家长要先倾听。", "家长要先耐心倾听。"),
    )
    .unwrap();
    wait_for_page(&client, "the saved text", |s| {
        s.contains("家长要先耐心倾听。")
    })
    .await;

    // Breaking the front matter shows the file and line over the page; fixing it recovers.
    fs::write(
        &article,
        good.replace("date: 2023-09-01", "date: 2023-09-31"),
    )
    .unwrap();
    let source = wait_for_page(&client, "the error overlay", |s| s.contains("pufa-overlay")).await;
    assert!(
        source.contains("content/articles/校园欺凌.md:3:7"),
        "{source}"
    );
    assert!(
        source.contains("date: 2023-09-31"),
        "the offending line is shown"
    );
    fs::write(
        &article,
        good.replace("家长要先倾听。", "家长要先认真倾听。"),
    )
    .unwrap();
    wait_for_page(&client, "the fix", |s| {
        s.contains("家长要先认真倾听。") && !s.contains("pufa-overlay")
    })
    .await;
    client.close().await.unwrap();
}

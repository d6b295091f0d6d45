//! `pufa serve`: the real binary on a temporary copy of a fixture, on a port the system picks.

mod common;
#[path = "common/driver.rs"]
mod driver;

use common::*;
use driver::*;
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
        let server = Server::launch(root, args, &[]);
        server.wait_for(|| server.get("/").0 == 200);
        server
    }

    /// Starts and returns as soon as it listens, whether the site builds or not.
    fn launch(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        // Another build of pufa can stand in, to measure an older version with these tests.
        let program = std::env::var("PUFA_SERVE_BINARY")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_pufa").to_string());
        let mut child = Command::new(program)
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(args)
            .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
            .envs(env.iter().copied())
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
        Server {
            child,
            address: address.expect("serve printed its address"),
            said,
        }
    }

    /// The raw exchange for `method path` with `headers` (each ending in `\r\n`): status,
    /// response head, body bytes.
    fn exchange(&self, method: &str, path: &str, headers: &str) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let body = response[split + 4..].to_vec();
        (head[9..12].parse().unwrap(), head, body)
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
        let started = Instant::now();
        loop {
            // Pings arrive even when nothing changes.
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no message for 30 seconds"
            );
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

/// The request path that serves an output file.
fn request_path(file: &str) -> String {
    let path = format!("/{}", file.trim_end_matches("index.html"));
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every file a fresh `pufa build` writes is served with the same content. Returns the
/// files it wrote.
fn assert_served_equals_built(server: &Server, site: &Path) -> Vec<String> {
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
    let built = files(&public);
    for file in &built {
        if file == ".pufa-output"
            || !(file.ends_with(".html") || file.ends_with(".xml") || file.ends_with(".js"))
        {
            continue;
        }
        let encoded = request_path(file);
        let (status, body) = server.get(&encoded);
        assert_eq!(status, 200, "{file}");
        assert_eq!(
            without_reload(&body),
            read(&public.join(file)),
            "{file} served differs from built"
        );
    }
    built
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
        // Served at any depth, its style and links start from the site's root.
        assert!(body.contains("href=\"/style.css"), "{path}: {body}");
    }
    assert_eq!(server.get("/style.css").0, 200);
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
/// Saves `text` into `file` whole, as an editor that writes a copy and renames it does: the
/// watcher never sees the file half written (`~` files are an editor's, and ignored).
fn save(file: impl AsRef<Path>, text: impl AsRef<[u8]>) -> std::io::Result<()> {
    let file = file.as_ref();
    let mut scratch = file.as_os_str().to_owned();
    scratch.push("~");
    fs::write(&scratch, text)?;
    fs::rename(&scratch, file)
}

fn edit(site: &Path, step: u64, choice: u64) {
    let content = site.join("content");
    let article = content.join("articles/校园欺凌.md");
    let month = content.join("months/2023-06.md");
    let series = content.join("series/普法小剧场.md");
    let home = content.join("_index.md");
    let extra = |n: u64| content.join(format!("articles/extra-{n}.md"));
    let replace = |file: &Path, from: &str, to: &str| {
        let text = read(file);
        save(file, text.replacen(from, to, 1)).unwrap();
    };
    let append = |file: &Path, text: &str| {
        let mut all = read(file);
        all.push_str(text);
        save(file, all).unwrap();
    };
    let episode = content.join("episodes/第一集.md");
    let folders: Vec<std::path::PathBuf> = fs::read_dir(content.join("articles"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("folder-")
        })
        .collect();
    match choice % 15 {
        // A folder of articles made, renamed and removed whole.
        13 => {
            let folder = content.join(format!("articles/folder-{step}"));
            fs::create_dir_all(&folder).unwrap();
            save(
                folder.join(format!("page-{step}.md")),
                format!("---\ntitle: 栏目文章{step}\ndate: 2023-06-0{}\n---\n\n正文{step}。\n", 1 + step % 9),
            )
            .unwrap();
        }
        14 => match folders.first() {
            Some(folder) if step.is_multiple_of(2) => fs::remove_dir_all(folder).unwrap(),
            Some(folder) => fs::rename(folder, content.join(format!("articles/folder-{step}-renamed"))).unwrap(),
            None => replace(&home, "欢迎", "欢迎来到"),
        },
        0 => replace(&article, "家长要先倾听。", &format!("家长要先倾听。第{step}次修改。")),
        1 => replace(&article, "title: 校园欺凌怎么办", &format!("title: 校园欺凌怎么办（{step}）")),
        2 => {
            let text = read(&article);
            let date = if text.contains("date: 2023-09-01") { "2023-05-20" } else { "2023-09-01" };
            let text = text.replace("date: 2023-09-01", "date: X").replace("date: 2023-05-20", "date: X");
            save(&article, text.replace("date: X", &format!("date: {date}"))).unwrap();
        }
        3 => save(
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
            save(&article, text.replace("topics: X", topics)).unwrap();
        }
        8 => {
            let draft = content.join("articles/草稿.md");
            let text = read(&draft);
            let flipped = if text.contains("draft: true") { text.replace("draft: true", "draft: false") } else { text.replace("draft: false", "draft: true") };
            save(&draft, flipped).unwrap();
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
    for seed in [1u64, 7, 42, 99] {
        let site = fixture("build/basic");
        let server = Server::start(site.path());
        let mut events = server.events();
        let mut version: u64 = events.wait("version").parse().unwrap();
        let mut ever = std::collections::BTreeSet::new();
        let mut state = seed;
        for step in 0..12 {
            // A small linear congruential generator: the same edits for the same seed.
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            edit(site.path(), step, state >> 33);
            loop {
                let (name, data) = events.next();
                // Warnings, and the index of a version the last step already settled on.
                if name == "warnings" || name == "indexed" {
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
            loop {
                // The search index follows the pages.
                loop {
                    let (name, data) = events.next();
                    if name == "indexed" && data == version.to_string() {
                        break;
                    }
                }
                // Several files may change in one edit: let the watcher settle, and wait
                // for the index of the version it settled on.
                std::thread::sleep(Duration::from_millis(150));
                let served: u64 = server
                    .get("/")
                    .1
                    .split("data-version=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                if served == version {
                    break;
                }
                version = served;
            }
            // What a fresh build writes is served as built; what it no longer writes is gone.
            let built: std::collections::BTreeSet<String> =
                assert_served_equals_built(&server, site.path())
                    .into_iter()
                    .collect();
            for file in ever.difference(&built) {
                let (status, _) = server.get(&request_path(file));
                assert_eq!(
                    status, 404,
                    "seed {seed} step {step}: {file} is still served"
                );
            }
            ever.extend(built);
        }
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
    let (client, _profile) = browser(&driver).await;
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

/// The value of header `name` in a response head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[cfg(unix)]
#[test]
fn a_file_swapped_for_a_link_out_is_not_served_while_the_build_is_broken() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "机密文件").unwrap();
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let mut events = server.events();
    events.wait("version");
    assert_eq!(server.get("/media/poster.png").0, 200);
    // A save that breaks the build keeps the last good version served …
    let article = site.path().join("content/articles/校园欺凌.md");
    fs::write(&article, "没有 front matter 的文章\n").unwrap();
    events.wait("errors");
    // … and its picture, swapped for a link to a file outside the site, is not served.
    let poster = site.path().join("content/media/poster.png");
    fs::remove_file(&poster).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), &poster).unwrap();
    let (status, _, body) = server.exchange("GET", "/media/poster.png", "");
    assert_eq!(status, 404);
    assert!(!String::from_utf8_lossy(&body).contains("机密文件"));
    // Nor a file replaced by a folder.
    fs::remove_file(&poster).unwrap();
    fs::create_dir(&poster).unwrap();
    assert_eq!(server.exchange("GET", "/media/poster.png", "").0, 404);
}

#[test]
fn videos_stream_in_ranges_with_head_and_types() {
    let site = fixture("build/basic");
    let video: Vec<u8> = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
    fs::write(site.path().join("content/media/big.mp4"), &video).unwrap();
    let server = Server::start(site.path());

    let (status, head, body) =
        server.exchange("GET", "/media/big.mp4", "Range: bytes=1000-1999\r\n");
    assert_eq!(status, 206, "{head}");
    assert_eq!(
        header(&head, "content-range"),
        Some("bytes 1000-1999/1048576")
    );
    assert_eq!(header(&head, "content-length"), Some("1000"));
    assert_eq!(header(&head, "content-type"), Some("video/mp4"));
    assert_eq!(body, &video[1000..2000]);

    let (status, _, body) = server.exchange("GET", "/media/big.mp4", "Range: bytes=-10\r\n");
    assert_eq!(status, 206);
    assert_eq!(body, &video[video.len() - 10..]);

    let (status, head, _) = server.exchange("GET", "/media/big.mp4", "Range: bytes=2000000-\r\n");
    assert_eq!(status, 416);
    assert_eq!(header(&head, "content-range"), Some("bytes */1048576"));

    let (status, head, body) = server.exchange("HEAD", "/media/big.mp4", "");
    assert_eq!(status, 200);
    assert_eq!(header(&head, "content-length"), Some("1048576"));
    assert_eq!(header(&head, "accept-ranges"), Some("bytes"));
    assert!(body.is_empty());

    let (status, _, body) = server.exchange("GET", "/media/big.mp4", "");
    assert_eq!(status, 200);
    assert_eq!(body, video);
    let (_, head, _) = server.exchange("GET", "/media/ep.vtt", "");
    assert_eq!(
        header(&head, "content-type"),
        Some("text/vtt; charset=utf-8")
    );
}

/// Peak resident memory of a process, in bytes.
#[cfg(target_os = "linux")]
fn peak_memory(pid: u32) -> u64 {
    let status = read(Path::new(&format!("/proc/{pid}/status")));
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

#[cfg(target_os = "linux")]
#[test]
fn ten_downloads_of_a_large_video_take_little_memory() {
    let site = fixture("build/basic");
    // 300 MB without writing them: a file with a hole reads back as zeros.
    let big = fs::File::create(site.path().join("content/media/film.mp4")).unwrap();
    big.set_len(300 * 1024 * 1024).unwrap();
    let server = Server::start(site.path());
    let readers: Vec<_> = (0..10)
        .map(|_| {
            let address = server.address.clone();
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&address).unwrap();
                write!(
                    stream,
                    "GET /media/film.mp4 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut total = 0u64;
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    match stream.read(&mut buf).unwrap() {
                        0 => break,
                        n => total += n as u64,
                    }
                }
                total
            })
        })
        .collect();
    for reader in readers {
        assert!(reader.join().unwrap() > 300 * 1024 * 1024);
    }
    let peak = peak_memory(server.child.id());
    eprintln!(
        "十个下载同时进行时服务器的内存峰值：{} MB",
        peak / 1024 / 1024
    );
    assert!(peak < 100 * 1024 * 1024, "peak {} MB", peak / 1024 / 1024);
}

#[test]
fn redirects_stay_on_the_site_and_keep_the_query() {
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    for path in ["//evil.example", "//evil.example/", "/\\evil.example"] {
        let (status, head, _) = server.exchange("GET", path, "");
        assert_eq!(status, 404, "{path}: {head}");
        assert_eq!(header(&head, "location"), None, "{path}");
    }
    for path in [
        "/articles/di-san-pian?from=qr",
        "//articles/di-san-pian?from=qr",
    ] {
        let (status, head, _) = server.exchange("GET", path, "");
        assert_eq!(status, 301, "{path}");
        assert_eq!(
            header(&head, "location"),
            Some("/articles/di-san-pian/?from=qr"),
            "{path}"
        );
    }
}

#[test]
fn a_site_broken_at_start_shows_why_and_comes_back_by_itself() {
    let site = fixture("build/basic");
    let article = site.path().join("content/articles/校园欺凌.md");
    let good = read(&article);
    fs::write(
        &article,
        good.replace("date: 2023-09-01", "date: 2023-09-31"),
    )
    .unwrap();
    let server = Server::launch(site.path(), &[], &[]);
    let mut events = server.events();
    let problems = events.wait("errors");
    assert!(
        problems.contains("content/articles/校园欺凌.md:3:7"),
        "{problems}"
    );
    for path in ["/", "/articles/xiao-yuan-qi-ling/"] {
        let (status, body) = server.get(path);
        assert_eq!(status, 503, "{path}");
        assert!(body.contains("网站还没有生成成功"), "{body}");
        assert!(
            body.contains("/__pufa/reload.js"),
            "the page reloads by itself"
        );
    }
    fs::write(&article, good).unwrap();
    assert_eq!(events.wait("version"), "1");
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn the_preview_survives_a_panic_and_rebuilds_on_the_next_save() {
    let site = fixture("build/basic");
    let server = Server::launch(site.path(), &[], &[("PUFA_TEST_PANIC", "bao-cuo")]);
    server.wait_for(|| server.get("/").0 == 200);
    let mut events = server.events();
    events.wait("version");
    let trap = site.path().join("content/articles/bao-cuo.md");
    fs::write(
        &trap,
        "---\ntitle: 会出错的文章\ndate: 2023-06-01\n---\n正文\n",
    )
    .unwrap();
    let problems = events.wait("errors");
    assert!(problems.contains("内部错误"), "{problems}");
    assert!(
        problems.contains("content/articles/bao-cuo.md"),
        "{problems}"
    );
    assert_eq!(
        server.get("/").0,
        200,
        "the last good version is still served"
    );
    fs::remove_file(&trap).unwrap();
    events.wait("version");
    let article = site.path().join("content/articles/校园欺凌.md");
    fs::write(
        &article,
        read(&article).replace("家长要先倾听。", "家长要先耐心倾听。"),
    )
    .unwrap();
    wait_until_served(
        &server,
        &mut events,
        "/articles/xiao-yuan-qi-ling/",
        "家长要先耐心倾听。",
    );
}

#[test]
fn watching_follows_folders_that_come_go_and_are_renamed() {
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let mut events = server.events();
    events.wait("version");
    let root = site.path();
    // content/ moved away: its pages are gone from the preview, as from a build …
    fs::rename(root.join("content"), root.join("away")).unwrap();
    events.wait("version");
    server.wait_for(|| server.get("/articles/xiao-yuan-qi-ling/").0 == 404);
    // … and back: they return, and later saves are still seen.
    fs::rename(root.join("away"), root.join("content")).unwrap();
    server.wait_for(|| server.get("/articles/xiao-yuan-qi-ling/").0 == 200);
    let article = root.join("content/articles/校园欺凌.md");
    fs::write(
        &article,
        read(&article).replace("家长要先倾听。", "家长要先平心倾听。"),
    )
    .unwrap();
    wait_until_served(
        &server,
        &mut events,
        "/articles/xiao-yuan-qi-ling/",
        "家长要先平心倾听。",
    );
    // A templates/ folder made after the start: its templates are used, and followed.
    fs::create_dir(root.join("templates")).unwrap();
    events.wait("version");
    fs::write(
        root.join("templates/page.html"),
        "{% extends \"theme/page.html\" %}{% block main %}<p>站点自己的页面模板</p>{{ super() }}{% endblock main %}",
    )
    .unwrap();
    wait_until_served(&server, &mut events, "/guanyu/", "站点自己的页面模板");
    fs::write(
        root.join("templates/page.html"),
        "{% extends \"theme/page.html\" %}{% block main %}<p>改过的页面模板</p>{{ super() }}{% endblock main %}",
    )
    .unwrap();
    wait_until_served(&server, &mut events, "/guanyu/", "改过的页面模板");
    // site.yaml deleted, then written again.
    let config = read(&root.join("site.yaml"));
    fs::remove_file(root.join("site.yaml")).unwrap();
    events.wait("errors");
    fs::write(
        root.join("site.yaml"),
        config.replace("测试县普法网", "测试县普法网站"),
    )
    .unwrap();
    wait_until_served(&server, &mut events, "/", "测试县普法网站");
    assert_served_equals_built(&server, root);
}

/// Waits through new versions until `path` shows `text`.
fn wait_until_served(server: &Server, events: &mut Events, path: &str, text: &str) {
    let started = Instant::now();
    while !server.get(path).1.contains(text) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{path} never showed “{text}”"
        );
        let (name, data) = events.next();
        assert_ne!(name, "errors", "{data}");
    }
}

#[test]
fn a_missing_picture_is_a_warning_with_a_placeholder_in_the_preview_only() {
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let mut events = server.events();
    events.wait("version");
    let article = site.path().join("content/articles/校园欺凌.md");
    fs::write(
        &article,
        read(&article).replace("家长要先倾听。", "家长要先倾听。\n\n![调解现场](img/xian-chang.jpg)\n\n见[还没写的文章](hai-mei-xie.md)。"),
    )
    .unwrap();
    let warnings = loop {
        let (name, data) = events.next();
        assert_ne!(name, "errors", "{data}");
        if name == "warnings" && data.contains("xian-chang.jpg") {
            break data;
        }
    };
    assert!(
        warnings.contains("content/articles/校园欺凌.md:"),
        "{warnings}"
    );
    assert!(warnings.contains("生成网站时这是错误"), "{warnings}");
    assert!(warnings.contains("hai-mei-xie.md"), "{warnings}");
    let (status, page) = server.get("/articles/xiao-yuan-qi-ling/");
    assert_eq!(status, 200);
    let src = page
        .split("alt=\"调解现场\"")
        .next()
        .unwrap()
        .rsplit("src=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let picture = format!("/articles/xiao-yuan-qi-ling/{src}");
    let (status, head, body) = server.exchange("GET", &picture, "");
    assert_eq!(status, 404, "{picture}");
    assert_eq!(header(&head, "content-type"), Some("image/svg+xml"));
    assert!(String::from_utf8_lossy(&body).contains("图片还没有放进网站"));
    // `build` still stops on both.
    let out = pufa(site.path(), &["build", "--output", "built"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("错误[link/missing-file]") && stderr.contains("错误[link/missing-page]"),
        "{stderr}"
    );
}

/// The pages a reader moves between in the browser test.
const PAGES: &[&str] = &[
    "/",
    "/articles/",
    "/articles/xiao-yuan-qi-ling/",
    "/articles/fang-fan-dian-xin-zha-pian/",
    "/articles/di-san-pian/",
    "/episodes/",
    "/episodes/di-yi-ji/",
    "/topics/",
    "/months/",
    "/laws/",
    "/guanyu/",
    "/search/",
];

#[tokio::test(flavor = "multi_thread")]
async fn twelve_tabs_and_thirty_navigations_never_freeze_and_all_reload() {
    if !browser_tests_enabled("twelve_tabs_and_thirty_navigations_never_freeze_and_all_reload") {
        return;
    }
    let site = fixture("build/basic");
    let server = Server::start(site.path());
    let driver = Driver::start();
    let (client, _profile) = browser(&driver).await;
    let url = |path: &str| format!("http://{}{path}", server.address);
    let slowest = std::sync::Mutex::new(Duration::ZERO);
    let timed = |what: String, started: Instant| {
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "{what} took {took:?}");
        let mut slowest = slowest.lock().unwrap();
        *slowest = (*slowest).max(took);
    };
    // A page that never loads fails the test rather than hanging it.
    async fn within<T>(what: &str, step: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(10), step)
            .await
            .unwrap_or_else(|_| panic!("{what} did not finish in 10 seconds"))
    }
    // Twelve tabs, each with a page of the site open (so each has its reload socket).
    let mut tabs = vec![client.window().await.unwrap()];
    for _ in 1..12 {
        tabs.push(client.new_window(true).await.unwrap().handle);
    }
    for (n, (tab, path)) in tabs.iter().zip(PAGES).enumerate() {
        client.switch_to_window(tab.clone()).await.unwrap();
        let started = Instant::now();
        let what = format!("opening tab {} ({path})", n + 1);
        within(&what, client.goto(&url(path))).await.unwrap();
        timed(format!("opening {path} in a tab"), started);
    }
    // Thirty navigations in the last tab, forward through links' targets and back again.
    for i in 0..30 {
        let started = Instant::now();
        let what = match i % 5 {
            3 => {
                within("back", client.back()).await.unwrap();
                "back".to_string()
            }
            4 => {
                within("forward", client.forward()).await.unwrap();
                "forward".to_string()
            }
            _ => {
                let path = PAGES[(i * 7) % PAGES.len()];
                within(path, client.goto(&url(path))).await.unwrap();
                path.to_string()
            }
        };
        timed(format!("navigation {i} ({what})"), started);
    }
    client
        .goto(&url("/articles/xiao-yuan-qi-ling/"))
        .await
        .unwrap();
    // A save reloads every tab, and the page moved around in.
    let article = site.path().join("content/articles/校园欺凌.md");
    fs::write(
        &article,
        read(&article).replace("title: 校园欺凌怎么办", "title: 校园欺凌怎么办呢"),
    )
    .unwrap();
    for tab in &tabs {
        client.switch_to_window(tab.clone()).await.unwrap();
        wait_for_page(&client, "the new title in every tab", |s| {
            s.contains("校园欺凌怎么办呢") || !s.contains("校园欺凌怎么办")
        })
        .await;
        let version = client
            .execute(
                "return document.querySelector('script[data-version]').dataset.version",
                vec![],
            )
            .await
            .unwrap();
        assert_ne!(version, serde_json::json!("1"), "a tab did not reload");
    }
    eprintln!("最慢的一次打开或跳转：{:?}", slowest.lock().unwrap());
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn warnings_show_in_a_panel_that_closes_until_they_change() {
    if !browser_tests_enabled("warnings_show_in_a_panel_that_closes_until_they_change") {
        return;
    }
    let site = fixture("build/basic");
    let article = site.path().join("content/articles/校园欺凌.md");
    let good = read(&article);
    fs::write(
        &article,
        good.replace(
            "家长要先倾听。",
            "家长要先倾听。\n\n![调解现场](img/xian-chang.jpg)",
        ),
    )
    .unwrap();
    let server = Server::start(site.path());
    let driver = Driver::start();
    let (client, _profile) = browser(&driver).await;
    client
        .goto(&format!(
            "http://{}/articles/xiao-yuan-qi-ling/",
            server.address
        ))
        .await
        .unwrap();
    let page = wait_for_page(&client, "the warnings panel", |s| {
        s.contains("pufa-warnings")
    })
    .await;
    assert!(
        page.contains("xian-chang.jpg"),
        "the panel names the missing picture"
    );
    assert!(
        page.contains("content/articles/校园欺凌.md:"),
        "and where it is"
    );
    // The placeholder shows in place of the picture.
    let width = client
        .execute(
            "return document.querySelector('img[alt=\"调解现场\"]').naturalWidth",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        width,
        serde_json::json!(480),
        "the placeholder picture is drawn"
    );
    // Closed, it stays closed through reloads while the warnings are the same.
    client
        .find(fantoccini::Locator::Css("#pufa-warnings button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client.refresh().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !client
            .source()
            .await
            .unwrap()
            .contains("id=\"pufa-warnings\"")
    );
    // New warnings open it again.
    fs::write(
        &article,
        good.replace(
            "家长要先倾听。",
            "家长要先倾听。\n\n![调解现场](img/ling-yi-zhang.jpg)",
        ),
    )
    .unwrap();
    wait_for_page(&client, "the panel with the new warning", |s| {
        s.contains("pufa-warnings") && s.contains("ling-yi-zhang.jpg")
    })
    .await;
    client.close().await.unwrap();
}

/// The preview opens without making the pictures first: a picture's files are made when a
/// page first asks for one, and are the bytes `build` publishes.
#[test]
fn pictures_are_made_when_first_asked_for() {
    let site = fixture("pictures/basic");
    let media = site.path().join("content/media");
    let (w, h) = (900u16, 600u16);
    let rgb: Vec<u8> = (0..usize::from(w) * usize::from(h) * 3)
        .map(|i| (i / 3 % 251) as u8)
        .collect();
    let mut photo = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut photo, 85);
    encoder.add_app_segment(1, exif_with_gps(6)).unwrap();
    encoder
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    fs::write(media.join("photo.jpg"), &photo).unwrap();
    fs::write(media.join("photo-copy.jpg"), &photo).unwrap();
    let mut other = photo.clone();
    let end = other.len() - 3;
    other[end] ^= 1;
    fs::write(media.join("photo-2.jpg"), &other).unwrap();
    fs::write(media.join("big.png"), &photo).unwrap();
    fs::write(media.join("broken.jpg"), &photo[..300]).unwrap();
    fs::write(media.join("tianping.gif"), b"GIF89a").unwrap();
    let server = Server::start(site.path());
    let cache = site.path().join(".pufa-cache/pictures");
    let made = || fs::read_dir(&cache).map_or(0, |d| d.count());
    assert_eq!(made(), 0, "pictures were made before any page asked");

    // A crop, then a width of a picture whose name has a hyphen: each found and made.
    let (status, head, cut) = server.exchange("GET", "/media/photo-16x9-480w.jpg", "");
    assert_eq!(status, 200, "{head}");
    assert!(made() > 0);
    let (status, head, webp) = server.exchange("GET", "/media/photo-480w.webp", "");
    assert_eq!(status, 200, "{head}");
    assert!(webp.starts_with(b"RIFF") && &webp[8..12] == b"WEBP");
    let one = made();
    let (status, head, _) = server.exchange("GET", "/media/photo-2-480w.webp", "");
    assert_eq!(status, 200, "{head}");
    assert!(made() > one, "photo-2.jpg was not made");
    let (status, _, _) = server.exchange("GET", "/media/broken-480w.webp", "");
    assert_eq!(status, 404);

    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let built = pufa(
        site.path(),
        &["build", "--output", public.to_str().unwrap()],
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert_eq!(
        fs::read(public.join("media/photo-480w.webp")).unwrap(),
        webp
    );
    assert_eq!(
        fs::read(public.join("media/photo-16x9-480w.jpg")).unwrap(),
        cut
    );
    // A file no picture makes is still missing.
    let (status, _, _) = server.exchange("GET", "/media/photo-7w.webp", "");
    assert_eq!(status, 404);
}

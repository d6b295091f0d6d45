//! Helpers for driving the real `pufa` binary on fixture sites.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// 2023-09-10 00:00 UTC: builds in tests see a fixed "today", a few days after the newest
/// item of the basic fixture.
pub const TODAY_EPOCH: &str = "1694304000";
/// 2023-06-05: "today" for the error fixtures, whose items are dated 2023-06-01 and -02.
pub const ERRORS_TODAY_EPOCH: &str = "1685923200";
/// 2026-11-27: "today" for the bundled sample site.
pub const SAMPLE_TODAY_EPOCH: &str = "1795737600";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies `tests/fixtures/<name>` into a fresh temporary folder; the site is at `.path()`.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("tests/fixtures").join(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs `pufa` with `args` in `dir`.
pub fn pufa(dir: &Path, args: &[&str]) -> Output {
    pufa_with_env(dir, args, &[])
}

/// Runs `pufa` with `args` in `dir` and extra environment variables.
pub fn pufa_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
        .envs(env.iter().copied())
        .output()
        .expect("run pufa")
}

/// Builds the site in `dir` into `dir/public`; panics with the messages if it fails.
pub fn build_ok(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    let out = pufa(dir, &args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "build failed:\n{stderr}");
    stderr
}

/// Stderr with the temporary folder replaced by `[SITE]` and timings by `[TIME]`.
pub fn redacted_stderr(out: &Output, dir: &Path) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let mut text = text.replace(&dir.display().to_string(), "[SITE]");
    if let Some(start) = text.find("用时 ")
        && let Some(len) = text[start..].find(" 秒")
    {
        text.replace_range(start..start + len, "用时 [TIME]");
    }
    text
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `<main>` element of a page, which snapshots compare.
pub fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("page has <main>");
    let end = html.find("</main>").expect("page has </main>") + "</main>".len();
    html[start..end].to_string()
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    collect(dir, dir, &mut out);
    out.sort();
    out
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

/// Every file under `dir` with its bytes, for comparing whole outputs.
pub fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let bytes = fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// The values of `href="…"` and `src="…"` attributes in `html`.
pub fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" href=\"", " src=\"", " poster=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            found.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    found
}

/// Internal links of every HTML file under `public` that point to no file.
pub fn broken_links(public: &Path) -> Vec<String> {
    // The site's path on its host, for links that start from it (404.html's): from the
    // sitemap's address in robots.txt, else the root.
    let robots = fs::read_to_string(public.join("robots.txt")).unwrap_or_default();
    let root = robots
        .lines()
        .find_map(|l| l.strip_prefix("Sitemap: "))
        .and_then(|url| url.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .and_then(|path| path.strip_suffix("sitemap.xml").map(str::to_string))
        .unwrap_or_else(|| "/".to_string());
    let mut broken = Vec::new();
    for file in files(public).iter().filter(|f| f.ends_with(".html")) {
        let html = read(&public.join(file));
        let dir = Path::new(file).parent().unwrap_or(Path::new(""));
        for link in links(&html) {
            if link.starts_with('#')
                || link.contains("://")
                || link.starts_with("mailto:")
                || link.starts_with("data:")
            {
                continue;
            }
            let path = link.split(['#', '?']).next().unwrap();
            let decoded = percent_decode(path);
            let mut target = match decoded.strip_prefix(&root) {
                Some(from_root) if decoded.starts_with('/') => normalise(Path::new(from_root)),
                _ if decoded.starts_with('/') => {
                    broken.push(format!("{file}: {link} (not under the site's path {root})"));
                    continue;
                }
                _ => normalise(&dir.join(&decoded)),
            };
            if path.is_empty() || path.ends_with('/') || path == "." || path.ends_with("/.") {
                target = target.join("index.html");
            }
            if !public.join(&target).is_file() {
                broken.push(format!("{file}: {link}"));
            }
        }
    }
    broken
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                assert!(out.pop(), "link leaves the output: {}", path.display());
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Whether tests that need a real browser should run (`.ci/run` sets `PUFA_BROWSER_TESTS=1`
/// after installing Chromium). Without it they say how to run them and pass.
pub fn browser_tests_enabled(test: &str) -> bool {
    let enabled = std::env::var("PUFA_BROWSER_TESTS").is_ok_and(|v| v == "1");
    if !enabled {
        eprintln!(
            "跳过 {test}：浏览器测试需要 Chromium（apt-get install chromium），用 PUFA_BROWSER_TESTS=1 cargo test 运行"
        );
    }
    enabled
}

/// The DOM of `url` after its scripts ran, from headless Chromium.
pub fn chromium_dom(url: &str) -> String {
    chromium_dom_with_budget(url, 10_000)
}

/// Like [`chromium_dom`], letting scripts run for `budget_ms` of virtual time.
pub fn chromium_dom_with_budget(url: &str, budget_ms: u32) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = chromium(profile.path())
        .arg("--dump-dom")
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg(url)
        .output()
        .expect("run chromium (apt-get install chromium)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Headless Chromium with a fresh profile in `profile`, and without the background traffic
/// a closed network would refuse.
pub fn chromium(profile: &Path) -> Command {
    let mut command = Command::new("chromium");
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// A static file server on 127.0.0.1 that serves `root` under the URL path `prefix` (like
/// `/county/pufa/`), as a county portal serves a column. Stops when the test process ends.
pub fn serve(root: &Path, prefix: &'static str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}{prefix}", listener.local_addr().unwrap());
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let root = root.clone();
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let target = line.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split('?').next().unwrap_or("/");
                let file = path
                    .strip_prefix(prefix)
                    .map(|rest| {
                        let decoded = percent_decode(rest);
                        let mut file = root.join(&decoded);
                        if decoded.is_empty() || decoded.ends_with('/') {
                            file = file.join("index.html");
                        }
                        file
                    })
                    .filter(|f| !path.contains("..") && f.is_file());
                let response = match file {
                    Some(file) => {
                        let body = fs::read(&file).unwrap();
                        let kind = match file.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("js") => "text/javascript; charset=utf-8",
                            Some("css") => "text/css; charset=utf-8",
                            _ => "application/octet-stream",
                        };
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend(body);
                        r
                    }
                    // As a host set up with the site's page for missing addresses
                    // (nginx: `error_page 404 /pufa/404.html;`).
                    None => {
                        let body = fs::read(root.join("404.html")).unwrap_or_default();
                        let mut r = format!(
                            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend(body);
                        r
                    }
                };
                let _ = stream.write_all(&response);
            });
        }
    });
    address
}

/// EXIF data (with its `Exif\0\0` header) of an orientation and a GPS latitude.
pub fn exif_with_gps(orientation: u16) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    // IFD0 at 8: two entries, Orientation and the GPS IFD's offset.
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    let gps_ifd = 8 + 2 + 2 * 12 + 4;
    t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1]);
    t.extend_from_slice(&(gps_ifd as u32).to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    // The GPS IFD: GPSLatitudeRef "N" and GPSLatitude as three rationals after it.
    assert_eq!(t.len(), gps_ifd);
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    let rationals = gps_ifd + 2 + 2 * 12 + 4;
    t.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3]);
    t.extend_from_slice(&(rationals as u32).to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    for (n, d) in [(30u32, 1u32), (39, 1), (1234, 100)] {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(t);
    exif
}

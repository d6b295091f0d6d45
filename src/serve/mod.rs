//! `pufa serve`: the site built in memory, served over HTTP, rebuilt on every save, with the
//! open pages reloading themselves.
//!
//! Served pages are the bytes `build` writes plus a small reload script, injected here and
//! never written to disk. The script listens to Server-Sent Events: a new build version
//! reloads the page (keeping its scroll position), a failed build shows the diagnostics over
//! the page while the last good version stays served. Only files of the built site are
//! served: request paths are looked up in the build's own list, never joined to a folder.

mod site;
mod watch;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::pipeline::Settings;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use site::Snapshot;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

/// What `pufa serve` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub drafts: bool,
    /// Poll for changes instead of relying on file system events (network drives, WSL).
    pub poll: bool,
}

/// The state every request reads.
struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Problems of the last build, shown over the page while they last.
    problems: RwLock<Vec<Problem>>,
    version: RwLock<u64>,
    changes: broadcast::Sender<Change>,
    root: PathBuf,
}

#[derive(Clone, Debug)]
enum Change {
    Version(u64),
    /// The search index of this version is in place.
    Indexed(u64),
    Problems(String),
}

/// A diagnostic as the overlay shows it.
#[derive(Serialize, Clone, Debug)]
struct Problem {
    location: String,
    message: String,
    line: Option<String>,
    suggestion: Option<String>,
}

const RELOAD_SCRIPT: &str = include_str!("reload.js");

/// Builds, serves and watches until interrupted. Returns an error when the server cannot
/// start (a busy port, an address that does not parse).
pub fn run(options: &Options) -> Result<(), Diagnostic> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::error("serve/runtime", format!("无法启动预览服务器：{e}")))?;
    runtime.block_on(serve(options))
}

async fn serve(options: &Options) -> Result<(), Diagnostic> {
    let ip: std::net::IpAddr = options.bind.parse().map_err(|_| {
        Diagnostic::error(
            "serve/bind",
            format!("--bind “{}”不是 IP 地址", options.bind),
        )
        .with_suggestion("本机预览用 127.0.0.1，让手机也能打开用 0.0.0.0")
    })?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, options.port))
        .await
        .map_err(|e| {
            let d = Diagnostic::error("serve/port", format!("无法使用端口 {}：{e}", options.port));
            if e.kind() == std::io::ErrorKind::AddrInUse {
                Diagnostic::error("serve/port", format!("端口 {} 已经被占用", options.port))
                    .with_suggestion(format!(
                        "可能已经有一个 pufa serve 在运行；换一个端口：pufa serve --port {}",
                        options.port.saturating_add(1)
                    ))
            } else {
                d
            }
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Diagnostic::error("serve/port", format!("无法读取监听地址：{e}")))?;
    let shown = if ip.is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), address.port())
    } else {
        address
    };
    let settings = Settings {
        root: options.root.clone(),
        base_url: Some(format!("http://{shown}/")),
        drafts: options.drafts,
        offline: false,
    };
    let (changes, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        problems: RwLock::new(Vec::new()),
        version: RwLock::new(0),
        changes,
        root: options.root.clone(),
    });
    println!("预览地址：http://{shown}/");
    if ip.is_unspecified() {
        announce_lan(address.port());
    }
    println!("保存文件后页面会自动刷新。按 Ctrl+C 停止。");
    let builder = Arc::new(std::sync::Mutex::new(site::Builder::new(settings)));
    rebuild(&shared, &builder, None);

    let watcher = watch::start(&options.root, options.poll, {
        let shared = shared.clone();
        move |changed: Option<Vec<PathBuf>>| rebuild(&shared, &builder, changed.as_deref())
    })
    .map_err(|e| Diagnostic::error("serve/watch", format!("无法监视文件的变化：{e}")))?;

    let app = Router::new()
        .route("/__pufa/events", get(events))
        .route("/__pufa/reload.js", get(reload_script))
        .fallback(get(page))
        .with_state(shared);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    drop(watcher);
    result.map_err(|e| Diagnostic::error("serve/http", format!("预览服务器出错：{e}")))
}

/// Rebuilds after `changed` files changed (`None`: everything) and tells the open pages.
/// How long after an update the search index is rebuilt.
const INDEX_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

fn rebuild(
    shared: &Shared,
    builder: &std::sync::Mutex<site::Builder>,
    changed: Option<&[PathBuf]>,
) {
    let started = std::time::Instant::now();
    let mut builder = builder.lock().expect("no panics while building");
    match builder.rebuild(changed) {
        Ok(site::Built {
            snapshot,
            warnings,
            rendered,
            stale_index,
        }) => {
            *shared.snapshot.write().expect("lock") = snapshot;
            shared.problems.write().expect("lock").clear();
            let version = {
                let mut version = shared.version.write().expect("lock");
                *version += 1;
                *version
            };
            // The open pages reload first; the terminal can wait.
            let _ = shared.changes.send(Change::Version(version));
            let elapsed = started.elapsed().as_millis();
            print_diagnostics(&warnings, &shared.root);
            println!("已更新 {rendered} 个页面（{elapsed} 毫秒）");
            if stale_index {
                // Building the index takes both cores for a while on a large site: let the
                // browser reload and draw the page first.
                std::thread::sleep(INDEX_AFTER);
                if let Some(snapshot) = builder.reindex() {
                    *shared.snapshot.write().expect("lock") = snapshot;
                }
            }
            let _ = shared.changes.send(Change::Indexed(version));
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, &shared.root);
            let problems: Vec<Problem> = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| problem(d, &shared.root))
                .collect();
            let json = serde_json::to_string(&problems).unwrap_or_else(|_| "[]".into());
            *shared.problems.write().expect("lock") = problems;
            println!("网站有错误，继续显示上一次正确的版本。");
            let _ = shared.changes.send(Change::Problems(json));
        }
    }
}

fn print_diagnostics(diagnostics: &Diagnostics, root: &Path) {
    if diagnostics.is_empty() {
        return;
    }
    let mut sorted = diagnostics.clone();
    crate::diagnostic::sort(&mut sorted);
    eprint!("{}", crate::check::report::human(&sorted, root, false));
}

fn problem(d: &Diagnostic, root: &Path) -> Problem {
    let mut location = d
        .file
        .as_ref()
        .map(|f| f.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| "网站".into());
    if d.line > 0 {
        location.push_str(&format!(":{}", d.line));
        if d.column > 0 {
            location.push_str(&format!(":{}", d.column));
        }
    }
    let line = d.file.as_ref().filter(|_| d.line > 0).and_then(|f| {
        let text = std::fs::read_to_string(root.join(f)).ok()?;
        let line = text.lines().nth(d.line - 1)?.to_string();
        Some(crate::check::mask_personal_data(&line))
    });
    Problem {
        location,
        message: d.message.clone(),
        line,
        suggestion: d.suggestion.clone(),
    }
}

/// Prints the LAN address and a QR code of it, so the preview opens on a phone.
fn announce_lan(port: u16) {
    println!("注意：--bind 0.0.0.0 让同一网络里的其他设备也能打开预览，请只在可信的网络中使用。");
    let ips = std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let Some(ip) = ips
        .split_whitespace()
        .find(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok())
    else {
        println!("局域网地址：用本机的局域网 IP 加上端口 {port}");
        return;
    };
    let url = format!("http://{ip}:{port}/");
    println!("局域网地址：{url}（手机扫下面的二维码打开）");
    if let Ok(code) = qrcode::QrCode::new(url.as_bytes()) {
        let picture = code
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .build();
        println!("{picture}");
    }
}

async fn reload_script(request: HeaderMap) -> Response {
    unchanged_or(
        &request,
        RELOAD_SCRIPT.as_bytes(),
        "text/javascript; charset=utf-8",
    )
}

/// A file other than a page: the browser keeps it and asks each time whether it changed
/// (`ETag`, a hash of the bytes), so a reload after a save fetches the page and only what
/// changed — not every stylesheet, script and picture again.
fn unchanged_or(request: &HeaderMap, bytes: &[u8], kind: &str) -> Response {
    // FNV-1a, 64 bits.
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let tag = format!("\"{hash:016x}\"");
    let builder = Response::builder()
        .header(header::ETAG, &tag)
        .header(header::CACHE_CONTROL, "no-cache");
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    if fresh {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        builder
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, kind)
            .body(Body::from(bytes.to_vec()))
    }
    .expect("a valid response")
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let receiver = shared.changes.subscribe();
    let version = *shared.version.read().expect("lock");
    let problems = shared.problems.read().expect("lock").clone();
    let mut first = vec![Event::default().event("version").data(version.to_string())];
    if !problems.is_empty() {
        let json = serde_json::to_string(&problems).unwrap_or_else(|_| "[]".into());
        first.push(Event::default().event("errors").data(json));
    }
    let initial = futures_util::stream::iter(first.into_iter().map(Ok));
    let updates = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(Change::Version(v)) => {
                    return Some((
                        Ok(Event::default().event("version").data(v.to_string())),
                        receiver,
                    ));
                }
                Ok(Change::Indexed(v)) => {
                    return Some((
                        Ok(Event::default().event("indexed").data(v.to_string())),
                        receiver,
                    ));
                }
                Ok(Change::Problems(json)) => {
                    return Some((Ok(Event::default().event("errors").data(json)), receiver));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    use futures_util::StreamExt;
    Sse::new(initial.chain(updates)).keep_alive(KeepAlive::default())
}

/// Serves a file of the built site, or its 404 page.
async fn page(State(shared): State<Arc<Shared>>, uri: Uri, request: HeaderMap) -> Response {
    let snapshot = shared.snapshot.read().expect("lock").clone();
    let version = *shared.version.read().expect("lock");
    match resolve(&snapshot, uri.path()) {
        Resolved::File(path) => match snapshot.get(&path) {
            Some(bytes) if !content_type(&path).starts_with("text/html") => {
                unchanged_or(&request, &bytes, content_type(&path))
            }
            Some(bytes) => file_response(StatusCode::OK, &path, &bytes, version),
            None => not_found(&snapshot, version),
        },
        Resolved::Redirect(to) => Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, to)
            .body(Body::empty())
            .expect("a valid response"),
        Resolved::NotFound => not_found(&snapshot, version),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    File(String),
    Redirect(String),
    NotFound,
}

/// Maps a request path to a file of the site. Anything that is not plainly a path of the
/// built site — `..`, encoded or not, backslashes, NUL — is not found.
fn resolve(snapshot: &Snapshot, request: &str) -> Resolved {
    let Some(decoded) = percent_decode(request) else {
        return Resolved::NotFound;
    };
    let relative = decoded.trim_start_matches('/');
    let unsafe_path = decoded.contains('\0')
        || decoded.contains('\\')
        || relative
            .split('/')
            .any(|segment| segment == ".." || segment == ".");
    if unsafe_path {
        return Resolved::NotFound;
    }
    let file = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_string()
    };
    if snapshot.contains(&file) {
        return Resolved::File(file);
    }
    if snapshot.contains(&format!("{relative}/index.html")) {
        return Resolved::Redirect(format!("{request}/"));
    }
    Resolved::NotFound
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn not_found(snapshot: &Snapshot, version: u64) -> Response {
    match snapshot.get("404.html") {
        Some(bytes) => file_response(StatusCode::NOT_FOUND, "404.html", &bytes, version),
        None => (StatusCode::NOT_FOUND, "404").into_response(),
    }
}

fn file_response(status: StatusCode, path: &str, bytes: &[u8], version: u64) -> Response {
    let kind = content_type(path);
    let body = if kind.starts_with("text/html") {
        Body::from(inject_reload(bytes, version))
    } else {
        Body::from(bytes.to_vec())
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, kind)
        .header(header::CACHE_CONTROL, "no-store")
        .body(body)
        .expect("a valid response")
}

/// The page with the reload script before `</body>`.
fn inject_reload(html: &[u8], version: u64) -> Vec<u8> {
    let tag = format!("<script src=\"/__pufa/reload.js\" data-version=\"{version}\"></script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => {
            let mut out = String::with_capacity(text.len() + tag.len());
            out.push_str(&text[..at]);
            out.push_str(&tag);
            out.push_str(&text[at..]);
            out.into_bytes()
        }
        None => format!("{text}{tag}").into_bytes(),
    }
}

fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "vtt" => "text/vtt; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        let files = [
            "index.html",
            "articles/a/index.html",
            "style.css",
            "media/图 1.png",
        ]
        .into_iter()
        .map(|path| (path.to_string(), Arc::from(&b"x"[..])))
        .collect();
        Snapshot::new(files, Default::default())
    }

    #[test]
    fn resolves_site_paths_only() {
        let s = snapshot();
        let cases = [
            ("/", Resolved::File("index.html".into())),
            (
                "/articles/a/",
                Resolved::File("articles/a/index.html".into()),
            ),
            ("/articles/a", Resolved::Redirect("/articles/a/".into())),
            ("/style.css", Resolved::File("style.css".into())),
            (
                "/media/%E5%9B%BE%201.png",
                Resolved::File("media/图 1.png".into()),
            ),
            ("/../site.yaml", Resolved::NotFound),
            ("/%2e%2e/site.yaml", Resolved::NotFound),
            ("/articles/..%2f..%2fsite.yaml", Resolved::NotFound),
            ("/articles/%2E%2E/%2E%2E/etc/passwd", Resolved::NotFound),
            ("//etc/passwd", Resolved::NotFound),
            ("/content/articles/a.md", Resolved::NotFound),
            ("/%ZZ", Resolved::NotFound),
            ("/articles/a/..\\index.html", Resolved::NotFound),
            ("/nothing/", Resolved::NotFound),
        ];
        for (request, expected) in cases {
            assert_eq!(resolve(&s, request), expected, "{request}");
        }
    }

    #[test]
    fn the_reload_script_goes_before_the_end_of_body() {
        let html = inject_reload(b"<html><body><p>x</p></body></html>", 3);
        assert_eq!(
            String::from_utf8(html).unwrap(),
            "<html><body><p>x</p><script src=\"/__pufa/reload.js\" data-version=\"3\"></script></body></html>"
        );
    }
}

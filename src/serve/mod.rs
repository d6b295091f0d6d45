//! `pufa serve`: the site built in memory, served over HTTP, rebuilt on every save, with the
//! open pages reloading themselves.
//!
//! Served pages are the bytes `build` writes plus a small reload script, injected here and
//! never written to disk. The script listens on a WebSocket: a new build version reloads the
//! page (keeping its scroll position), a failed build shows the diagnostics over the page
//! while the last good version stays served, warnings show in a small panel. Only files of
//! the built site are served: request paths are looked up in the build's own list, never
//! joined to a folder, and a copied file is checked once opened ([`files`]).

mod files;
mod idle;
mod site;
mod watch;

/// `println!` that does not panic when nobody reads the output any more (a closed pipe, a
/// console gone): the preview goes on serving.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::pipeline::Settings;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use site::Snapshot;
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
    pub future: bool,
    /// Poll for changes instead of relying on file system events (network drives, WSL).
    pub poll: bool,
    /// Open the preview in the default browser once it is ready.
    pub open: bool,
}

/// The state every request reads.
struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Problems of the last build, shown over the page while they last.
    problems: RwLock<Vec<Problem>>,
    /// Warnings of the last good build, shown in a small panel on the page.
    warnings: RwLock<Vec<Problem>>,
    version: RwLock<u64>,
    changes: broadcast::Sender<Change>,
    root: PathBuf,
    /// The site folder's real path: served files must be inside it.
    real_root: PathBuf,
}

/// What the open pages are told, as one JSON message each over their WebSocket.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
enum Change {
    /// A new build: pages of an older one reload.
    Version(u64),
    /// The search index of this version is in place.
    Indexed(u64),
    /// The build failed: shown over the page, which stays the last good version.
    Errors(Vec<Problem>),
    /// The warnings of the current build, for the page's panel (empty: none).
    Warnings(Vec<Problem>),
}

impl Change {
    fn message(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
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
        .map_err(|e| {
            Diagnostic::error(
                "serve/runtime",
                format!("无法启动预览服务器：{}", crate::fs::reason(&e)),
            )
        })?;
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
            let d = Diagnostic::error(
                "serve/port",
                format!("无法使用端口 {}：{}", options.port, crate::fs::reason(&e)),
            );
            if e.kind() == std::io::ErrorKind::AddrInUse {
                Diagnostic::error("serve/port", format!("端口 {} 已经被占用", options.port))
                    .with_suggestion(format!(
                        "可能已经有一个 pufa serve 在运行；换一个端口：{} serve --port {}",
                        crate::cli::command_shown(),
                        options.port.saturating_add(1)
                    ))
            } else {
                d
            }
        })?;
    let address = listener.local_addr().map_err(|e| {
        Diagnostic::error(
            "serve/port",
            format!("无法读取监听地址：{}", crate::fs::reason(&e)),
        )
    })?;
    let shown = if ip.is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), address.port())
    } else {
        address
    };
    let settings = Settings {
        root: options.root.clone(),
        base_url: Some(format!("http://{shown}/")),
        drafts: options.drafts,
        future: options.future,
        offline: false,
        preview: true,
    };
    let (changes, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        problems: RwLock::new(Vec::new()),
        warnings: RwLock::new(Vec::new()),
        version: RwLock::new(0),
        changes,
        root: options.root.clone(),
        real_root: std::fs::canonicalize(&options.root).unwrap_or_else(|_| options.root.clone()),
    });
    say!("预览地址：http://{shown}/");
    if ip.is_unspecified() {
        announce_lan(address.port());
    }
    say!("保存文件后页面会自动刷新。按 Ctrl+C 停止。");
    let builder = Arc::new(std::sync::Mutex::new(site::Builder::new(settings)));
    rebuild(&shared, &builder, None);

    let watcher = watch::start(&options.root, options.poll, {
        let shared = shared.clone();
        move |changed: Option<Vec<PathBuf>>| rebuild(&shared, &builder, changed.as_deref())
    })
    .map_err(|e| {
        Diagnostic::error(
            "serve/watch",
            format!("无法监视文件的变化（系统信息：{e}）"),
        )
        .with_suggestion(
            "网站的文件夹很多、超过了系统允许监视的数量时会这样：加上 --poll 改为定时检查",
        )
    })?;

    if options.open {
        // The listener is bound and the first build done: the browser's request waits in
        // the queue until the server below takes it. ($BROWSER, when set, names the browser.)
        let url = format!("http://{shown}/");
        std::thread::spawn(move || {
            if let Err(e) = opener::open_browser(&url) {
                say!("无法自动打开浏览器（{e}），请手动在浏览器中打开 {url}");
            }
        });
    }
    let app = Router::new()
        .route("/__pufa/events", get(events))
        .route("/__pufa/reload.js", get(reload_script))
        .fallback(get(page))
        .with_state(shared);
    let result = axum::serve(idle::IdleListener(listener), app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    drop(watcher);
    result.map_err(|e| {
        Diagnostic::error(
            "serve/http",
            format!("预览服务器出错：{}", crate::fs::reason(&e)),
        )
    })
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
    // A rebuild that panicked left the lock poisoned, and nothing half-done: the builder
    // starts its next rebuild from scratch.
    let mut builder = builder
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.rebuild(changed)));
    let result =
        outcome.unwrap_or_else(|panic| Err(vec![internal_error(&*panic, changed, &shared.root)]));
    match result {
        Ok(site::Built {
            snapshot,
            warnings,
            rendered,
            stale_index,
        }) => {
            *shared.snapshot.write().expect("lock") = snapshot;
            shared.problems.write().expect("lock").clear();
            let shown = problems(warnings.iter(), &shared.root);
            *shared.warnings.write().expect("lock") = shown.clone();
            let version = {
                let mut version = shared.version.write().expect("lock");
                *version += 1;
                *version
            };
            // The open pages reload first; the terminal can wait.
            let _ = shared.changes.send(Change::Version(version));
            let _ = shared.changes.send(Change::Warnings(shown));
            let elapsed = started.elapsed().as_millis();
            print_diagnostics(&warnings, &shared.root);
            say!("已更新 {rendered} 个页面（{elapsed} 毫秒）");
            if stale_index {
                // Building the index takes both cores for a while on a large site: let the
                // browser reload and draw the page first.
                std::thread::sleep(INDEX_AFTER);
                let index =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.reindex()));
                if let Ok(Some(snapshot)) = index {
                    *shared.snapshot.write().expect("lock") = snapshot;
                }
            }
            let _ = shared.changes.send(Change::Indexed(version));
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, &shared.root);
            let problems = problems(diagnostics.iter().filter(|d| d.is_error()), &shared.root);
            *shared.problems.write().expect("lock") = problems.clone();
            say!("网站有错误，继续显示上一次正确的版本。");
            let _ = shared.changes.send(Change::Errors(problems));
        }
    }
}

/// A panic in a rebuild, as the author sees it: pufa's own fault, which file it was
/// working on, and what to do.
fn internal_error(
    panic: &(dyn std::any::Any + Send),
    changed: Option<&[PathBuf]>,
    root: &Path,
) -> Diagnostic {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .map(|m| format!("（{m}）"))
        .unwrap_or_default();
    let file = changed
        .and_then(|paths| paths.first())
        .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf());
    let what = match &file {
        Some(file) => format!(" {} ", crate::fs::shown(file)),
        None => "整个网站".to_string(),
    };
    let mut d = Diagnostic::error(
        "serve/internal",
        format!("内部错误：pufa 在处理{what}时出了问题{message}"),
    )
    .with_suggestion(
        "这是 pufa 自身的问题，不是网站写错了。请把这条信息和刚才改动的文件发给网站的技术支持；再保存任何文件，pufa 会重新生成整个网站",
    );
    if let Some(file) = file {
        d = d.in_file(file);
    }
    d
}

fn print_diagnostics(diagnostics: &Diagnostics, root: &Path) {
    if diagnostics.is_empty() {
        return;
    }
    let mut sorted = diagnostics.clone();
    crate::diagnostic::sort(&mut sorted);
    eprint!("{}", crate::check::report::human(&sorted, root, false));
}

/// The diagnostics as the page shows them, each file read once.
fn problems<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>, root: &Path) -> Vec<Problem> {
    let mut sources = crate::check::report::Sources::new(root);
    diagnostics.map(|d| problem(d, &mut sources)).collect()
}

fn problem(d: &Diagnostic, sources: &mut crate::check::report::Sources) -> Problem {
    let mut location = d
        .file
        .as_ref()
        .map(|f| crate::fs::shown(f))
        .unwrap_or_else(|| "网站".into());
    if d.line > 0 {
        location.push_str(&format!(":{}", d.line));
        if d.column > 0 {
            location.push_str(&format!(":{}", d.column));
        }
    }
    let line = d
        .file
        .as_ref()
        .filter(|_| d.line > 0)
        .and_then(|f| sources.line(f, d.line))
        .map(|line| crate::check::mask_personal_data(&line));
    Problem {
        location,
        message: d.message.clone(),
        line,
        suggestion: d.suggestion.clone(),
    }
}

/// Prints the LAN address and a QR code of it, so the preview opens on a phone.
fn announce_lan(port: u16) {
    say!("注意：--bind 0.0.0.0 让同一网络里的其他设备也能打开预览，请只在可信的网络中使用。");
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
        say!("局域网地址：用本机的局域网 IP 加上端口 {port}");
        return;
    };
    let url = format!("http://{ip}:{port}/");
    say!("局域网地址：{url}（手机扫下面的二维码打开）");
    if let Ok(code) = qrcode::QrCode::new(url.as_bytes()) {
        let picture = code
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .build();
        say!("{picture}");
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
    if files::not_modified(request, &tag) {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        builder
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, kind)
            .body(Body::from(bytes.to_vec()))
    }
    .expect("a valid response")
}

/// The reload channel of one open page: a WebSocket, not Server-Sent Events. A browser
/// gives each host six HTTP/1.1 connections, and an event stream holds one for as long as
/// its page is open — also in the back/forward cache — so the seventh tab or the sixth
/// navigation waited. WebSockets do not count against that budget (docs/serve.md has the
/// measurements). The page closes its socket when it is hidden in the back/forward cache
/// and opens a new one when it is shown again, and the server pings every 15 seconds, so
/// that sockets whose page is gone are noticed and closed.
async fn events(ws: WebSocketUpgrade, State(shared): State<Arc<Shared>>) -> Response {
    ws.on_upgrade(move |socket| talk(socket, shared))
}

async fn talk(mut socket: WebSocket, shared: Arc<Shared>) {
    let mut changes = shared.changes.subscribe();
    let version = *shared.version.read().expect("lock");
    let problems = shared.problems.read().expect("lock").clone();
    let warnings = shared.warnings.read().expect("lock").clone();
    let mut first = vec![Change::Version(version), Change::Warnings(warnings)];
    if !problems.is_empty() {
        first.push(Change::Errors(problems));
    }
    for change in first {
        if socket
            .send(Message::Text(change.message().into()))
            .await
            .is_err()
        {
            return;
        }
    }
    let mut ping = tokio::time::interval(std::time::Duration::from_secs(15));
    ping.tick().await;
    loop {
        tokio::select! {
            change = changes.recv() => match change {
                Ok(change) => {
                    if socket.send(Message::Text(change.message().into())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Serves a file of the built site, or its 404 page.
async fn page(State(shared): State<Arc<Shared>>, uri: Uri, request: HeaderMap) -> Response {
    let snapshot = shared.snapshot.read().expect("lock").clone();
    let version = *shared.version.read().expect("lock");
    if snapshot.is_empty() {
        return waiting(version);
    }
    match resolve(&snapshot, uri.path()) {
        Resolved::File(path) => {
            if let Some(bytes) = snapshot.generated(&path) {
                let kind = files::content_type(&path);
                if kind.starts_with("text/html") {
                    return file_response(StatusCode::OK, &path, &bytes, version);
                }
                return unchanged_or(&request, &bytes, &kind);
            }
            let Some(source) = snapshot.copy(&path) else {
                return not_found(&snapshot, version);
            };
            // A picture's files are made the first time a page asks for one.
            if !source.exists()
                && let Some(pictures) = snapshot.pictures()
            {
                let wanted = path.clone();
                let made = tokio::task::spawn_blocking(move || pictures.make_for(&wanted)).await;
                if !matches!(made, Ok(Ok(true))) {
                    return placeholder(uri.path());
                }
            }
            let root = shared.real_root.clone();
            match files::respond(source.to_path_buf(), &path, root, &request).await {
                Some(response) => response,
                None => not_found(&snapshot, version),
            }
        }
        Resolved::Redirect(to) => {
            // Built from the site path, never from the raw request, so the address stays on
            // this server (`//evil.example` must not become a redirect elsewhere).
            let to = match uri.query() {
                Some(query) => format!("{to}?{query}"),
                None => to,
            };
            Response::builder()
                .status(StatusCode::MOVED_PERMANENTLY)
                .header(header::LOCATION, to)
                .body(Body::empty())
                .expect("a valid response")
        }
        Resolved::NotFound if is_picture(uri.path()) => placeholder(uri.path()),
        Resolved::NotFound => not_found(&snapshot, version),
    }
}

fn is_picture(path: &str) -> bool {
    mime_guess::from_path(path)
        .first()
        .is_some_and(|m| m.type_() == mime_guess::mime::IMAGE)
}

/// What a missing picture shows in the preview: a grey box that says which file is missing,
/// where a build stops with an error. (Still a 404, so nothing takes it for the picture.)
fn placeholder(path: &str) -> Response {
    let name = percent_decode(path).unwrap_or_default();
    let name = name.rsplit('/').next().unwrap_or("");
    let shown: String = name
        .chars()
        .take(40)
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            c if crate::text::is_forbidden(c) => String::new(),
            c => c.to_string(),
        })
        .collect();
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"270\" viewBox=\"0 0 480 270\">\
         <rect width=\"480\" height=\"270\" fill=\"#e6e6e6\" stroke=\"#999\" stroke-dasharray=\"8 6\"/>\
         <text x=\"240\" y=\"125\" text-anchor=\"middle\" font-size=\"22\" fill=\"#444\">图片还没有放进网站</text>\
         <text x=\"240\" y=\"160\" text-anchor=\"middle\" font-size=\"16\" fill=\"#666\">{shown}</text></svg>"
    );
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "image/svg+xml")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(svg))
        .expect("a valid response")
}

/// What every address shows before the first successful build: a page that says so, shows
/// the problems over itself (the reload script), and reloads once the site builds.
fn waiting(version: u64) -> Response {
    let page = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>网站还没有生成成功</title></head><body>\
        <h1>网站还没有生成成功</h1><p>改正下面列出的问题并保存，这个页面会自动刷新。</p></body></html>";
    file_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "index.html",
        page.as_bytes(),
        version,
    )
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
        return Resolved::Redirect(format!("/{}/", crate::url::encode_path(relative)));
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
    match snapshot.generated("404.html") {
        Some(bytes) => file_response(StatusCode::NOT_FOUND, "404.html", &bytes, version),
        None => (StatusCode::NOT_FOUND, "404").into_response(),
    }
}

fn file_response(status: StatusCode, path: &str, bytes: &[u8], version: u64) -> Response {
    let kind = files::content_type(path);
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
            ("//articles/a", Resolved::Redirect("/articles/a/".into())),
            ("/media/%E5%9B%BE%201.png/", Resolved::NotFound),
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

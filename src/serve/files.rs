//! Files the preview serves from disk: the site's own files under content/ and a theme's
//! static files, streamed as they are at the moment of the request.
//!
//! The build only lists which output path comes from which source file; the file is opened
//! when a reader asks for it, and what was opened is then checked: a regular file, whose
//! real path is inside the site folder, and (on Unix) the very file found at that real path.
//! A source swapped for a link to `/etc/passwd` after the build — even while a broken build
//! keeps the last good list — is therefore never served, with no gap between check and use.
//! Files are streamed in small pieces with `Range` (phones' video players seek with it),
//! `HEAD` and MIME types from `mime_guess`, so a 300 MB video costs the server a buffer per
//! download, not the whole file. `http-range-header` reads the `Range` header: the parsing
//! is the crate's, only the streaming of the opened file is ours (tower-http's `ServeFile`
//! opens files by path itself, after any check we could make).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::fs::{File, Metadata};
use std::io::{Seek, SeekFrom};
use std::path::Path;

/// How much of a file is read at a time.
const CHUNK: usize = 64 * 1024;

/// Opens `path` and returns the file if what was opened is a regular file inside the folder
/// `root` (a real path, without links).
pub fn open_inside(path: &Path, root: &Path) -> Option<(File, Metadata)> {
    let file = File::open(path).ok()?;
    let opened = file.metadata().ok()?;
    if !opened.is_file() {
        return None;
    }
    let real = std::fs::canonicalize(path).ok()?;
    if !real.starts_with(root) {
        return None;
    }
    // The path may have changed between opening and resolving it: serve only when the file
    // at the real path inside the site is the one opened.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let there = std::fs::metadata(&real).ok()?;
        if (there.dev(), there.ino()) != (opened.dev(), opened.ino()) {
            return None;
        }
    }
    Some((file, opened))
}

/// Whether the browser's copy, by its `If-None-Match`, is the one with `tag`.
pub fn not_modified(request: &HeaderMap, tag: &str) -> bool {
    request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
}

/// The MIME type of an output path, with the character set for text.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "xml" | "json");
    if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// The response for the source file `source` of output path `path`, or `None` when it may
/// not be served (gone, not a file, outside the site).
pub async fn respond(
    source: std::path::PathBuf,
    path: &str,
    root: std::path::PathBuf,
    request: &HeaderMap,
) -> Option<Response> {
    let (mut file, meta) = tokio::task::spawn_blocking(move || open_inside(&source, &root))
        .await
        .ok()??;
    let len = meta.len();
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let tag = format!("\"{len:x}-{modified:x}\"");
    let builder = Response::builder()
        .header(header::ETAG, &tag)
        .header(header::CACHE_CONTROL, "no-cache")
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_TYPE, content_type(path));
    if not_modified(request, &tag) {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .ok();
    }
    let range = request
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| http_range_header::parse_range_header(v).and_then(|r| r.validate(len)));
    let (status, start, count, builder) = match range {
        None => (StatusCode::OK, 0, len, builder),
        // One range, as players ask for: that part. Several at once are answered with the
        // whole file, which HTTP allows.
        Some(Ok(ranges)) if ranges.len() == 1 => {
            let (first, last) = (*ranges[0].start(), *ranges[0].end());
            let builder =
                builder.header(header::CONTENT_RANGE, format!("bytes {first}-{last}/{len}"));
            (
                StatusCode::PARTIAL_CONTENT,
                first,
                last - first + 1,
                builder,
            )
        }
        Some(Ok(_)) => (StatusCode::OK, 0, len, builder),
        Some(Err(_)) => {
            return builder
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{len}"))
                .body(Body::empty())
                .ok();
        }
    };
    if start > 0 {
        file.seek(SeekFrom::Start(start)).ok()?;
    }
    use tokio::io::AsyncReadExt;
    let reader = tokio::fs::File::from_std(file).take(count);
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(reader, CHUNK));
    builder
        .status(status)
        .header(header::CONTENT_LENGTH, HeaderValue::from(count))
        .body(body)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_have_a_character_set_when_they_are_text() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("theme.js", "text/javascript; charset=utf-8"),
            ("feed.xml", "text/xml; charset=utf-8"),
            ("media/ep03.vtt", "text/vtt; charset=utf-8"),
            ("media/ep03.mp4", "video/mp4"),
            ("图片/照片.JPG", "image/jpeg"),
            ("a.webp", "image/webp"),
            ("no-extension", "application/octet-stream"),
        ];
        for (path, expected) in cases {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_files_inside_the_site_open() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        let site = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(site.path()).unwrap();
        std::fs::write(root.join("a.png"), "png").unwrap();
        std::fs::create_dir(root.join("folder")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("link")).unwrap();
        std::os::unix::fs::symlink(root.join("a.png"), root.join("inside")).unwrap();
        assert!(open_inside(&root.join("a.png"), &root).is_some());
        assert!(open_inside(&root.join("inside"), &root).is_some());
        assert!(open_inside(&root.join("link"), &root).is_none());
        assert!(open_inside(&root.join("folder"), &root).is_none());
        assert!(open_inside(&root.join("missing"), &root).is_none());
    }
}

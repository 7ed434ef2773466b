//! The built widget under `/widget/`: the loader `lapor-widget.js` that a webmaster's script tag
//! names, the wasm-bindgen glue, the `.wasm` and the CSS.
//!
//! The build writes a brotli (`.br`) and a gzip (`.gz`) copy beside each file; tower-http's
//! `ServeDir` picks the one the client's `Accept-Encoding` prefers (the plain file when it
//! accepts neither) and sends it as is, with `Last-Modified` and ranges. What `ServeDir` does
//! not do is added here:
//!
//! - Only plain names with a known extension are served (no `..`, no hidden files, not the
//!   `.br`/`.gz` copies by their own names); anything else is the API's JSON 404.
//! - Content types come from the extension (`.wasm` must be `application/wasm` for streaming
//!   compilation), not from `ServeDir`'s guess.
//! - Names carrying a content hash (`lapor_widget-3f9a1c2b.js`: a `-` and 8 or more hex digits
//!   before the extension) never change content, so they are cached for a year; everything else
//!   (the loader, whose URL is in every host page) for five minutes, so a new release reaches
//!   every site quickly.
//! - `Vary: Accept-Encoding`, and an `ETag` per representation (a hash of the bytes sent, so the
//!   brotli, gzip and plain answers each have their own), with `304` on a matching
//!   `If-None-Match`. The hash is computed on the first request for a file and again only when
//!   its size or modification time changes (a new build), never per request.
//!
//! CORS is added by the same layer as the API's.

use std::collections::HashMap;
use std::io;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncReadExt as _;
use tower_http::services::ServeDir;
use xxhash_rust::xxh3::xxh3_128;

use crate::api::{ApiError, Shared};

/// The widget directory and what is known about its files.
pub struct WidgetFiles {
    dir: PathBuf,
    serve_dir: ServeDir,
    etags: Mutex<HashMap<PathBuf, Tagged>>,
}

/// `GET /widget/{*path}` (and `HEAD`).
pub async fn serve(
    State(state): State<Shared>,
    Path(path): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let Some(files) = state.widget.as_ref() else {
        return ApiError::NotFound.into_response();
    };
    if !servable(&path) {
        return ApiError::NotFound.into_response();
    }
    let Some(content_type) = content_type(&path) else {
        return ApiError::NotFound.into_response();
    };
    match files.respond(&path, content_type, method, &headers).await {
        Ok(response) => response,
        Err(error) => {
            ApiError::Internal(anyhow::Error::new(error).context("serving a widget file"))
                .into_response()
        }
    }
}

impl WidgetFiles {
    /// Serves the files of `dir` and their precompressed `.br` / `.gz` copies.
    pub fn new(dir: &FsPath) -> WidgetFiles {
        WidgetFiles {
            dir: dir.to_path_buf(),
            serve_dir: ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(false),
            etags: Mutex::new(HashMap::new()),
        }
    }

    /// `ServeDir`'s answer for one checked path, with the headers of the module documentation.
    /// The `ETag` is that of the copy named by the answer's `Content-Encoding`, read from disk
    /// beside `ServeDir`'s own read: during the moment a new build renames a file into place,
    /// the two may see different versions, and the next request corrects it.
    async fn respond(
        &self,
        path: &str,
        content_type: &'static str,
        method: Method,
        headers: &HeaderMap,
    ) -> io::Result<Response> {
        let response = self
            .serve_dir
            .clone()
            .try_call(file_request(path, method, headers))
            .await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(ApiError::NotFound.into_response());
        }
        let mut response = response.map(Body::new);
        let last_modified = response.headers().get(header::LAST_MODIFIED).cloned();
        let etag = if status.is_success() {
            let encoding = response.headers().get(header::CONTENT_ENCODING);
            let sibling = match encoding.map(HeaderValue::as_bytes) {
                Some(b"br") => ".br",
                Some(b"gzip") => ".gz",
                _ => "",
            };
            self.etag(&self.dir.join(format!("{path}{sibling}"))).await
        } else {
            None
        };
        if let (Some(etag), Some(wanted)) = (&etag, headers.get(header::IF_NONE_MATCH)) {
            if matches_any(wanted, etag) {
                response = StatusCode::NOT_MODIFIED.into_response();
                if let Some(modified) = last_modified {
                    response
                        .headers_mut()
                        .insert(header::LAST_MODIFIED, modified);
                }
            }
        }
        let status = response.status();
        let out = response.headers_mut();
        if status.is_success() {
            out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            out.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
        }
        // A 304 carries what the 200 would have (RFC 9110, 15.4.5); ServeDir's own 304 (for
        // `If-Modified-Since` alone) has no headers.
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            out.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control(path)),
            );
            out.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            if let Some(etag) = etag {
                out.insert(header::ETAG, etag);
            }
        }
        Ok(response)
    }

    /// The `ETag` of one file as it is on disk now: its hash, remembered for as long as its
    /// size and modification time stay the same.
    async fn etag(&self, file: &FsPath) -> Option<HeaderValue> {
        // Metadata and bytes come from one open file, so they describe the same content even
        // when a new build renames another file into place meanwhile.
        let mut opened = tokio::fs::File::open(file).await.ok()?;
        let stamp = Stamp::of(&opened.metadata().await.ok()?);
        if let Some(known) = self.lock().get(file).filter(|known| known.stamp == stamp) {
            return Some(known.etag.clone());
        }
        let mut bytes = Vec::new();
        opened.read_to_end(&mut bytes).await.ok()?;
        let etag = HeaderValue::from_str(&format!("\"{:032x}\"", xxh3_128(&bytes))).ok()?;
        self.lock().insert(
            file.to_path_buf(),
            Tagged {
                stamp,
                etag: etag.clone(),
            },
        );
        Some(etag)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Tagged>> {
        // The map holds only finished entries, so one left by a panicking thread is still good.
        self.etags
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether a requested path names a file that may be served: plain names below the directory,
/// no `..`, no hidden files, no absolute paths, no characters that `ServeDir` would decode again.
pub fn servable(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        })
}

/// The content type of a widget file by its extension; `None` for files the widget has no use
/// for, which are not served (the `.br` and `.gz` copies among them: they are sent only as an
/// encoding of their file).
pub fn content_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        _ => return None,
    })
}

/// A year, immutable, for a content-hashed name; five minutes for any other.
pub fn cache_control(path: &str) -> &'static str {
    if is_hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    }
}

/// Whether a file name carries a content hash: `-` then at least 8 hex digits right before the
/// (last) extension, e.g. `lapor_widget-3f9a1c2b.js` or `lapor_widget_bg-0a1b2c3d4e.wasm`.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, _ext)) = name.rsplit_once('.') else {
        return false;
    };
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What identifies one version of a file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// A file's `ETag` and the version of the file it was computed from.
struct Tagged {
    stamp: Stamp,
    etag: HeaderValue,
}

/// The request `ServeDir` answers: the checked path, and of the client's headers only those
/// whose handling is left to it.
///
/// - `Accept-Encoding` picks the representation.
/// - `If-Modified-Since` only without `If-None-Match`, which takes precedence and is evaluated
///   here (RFC 9110, 13.1.3).
/// - `Range` only without `If-Range`: `ServeDir` does not evaluate `If-Range`, and the whole
///   file is always a correct answer to it.
/// - `If-Unmodified-Since` as is.
fn file_request(path: &str, method: Method, headers: &HeaderMap) -> Request<Body> {
    let mut request = Request::new(Body::empty());
    *request.method_mut() = method;
    // `servable` admits no character that needs escaping in a URI path.
    *request.uri_mut() = format!("/{path}").parse().unwrap_or_default();
    let mut pass = vec![header::ACCEPT_ENCODING, header::IF_UNMODIFIED_SINCE];
    if !headers.contains_key(header::IF_NONE_MATCH) {
        pass.push(header::IF_MODIFIED_SINCE);
    }
    if !headers.contains_key(header::IF_RANGE) {
        pass.push(header::RANGE);
    }
    for name in pass {
        for value in headers.get_all(&name) {
            request.headers_mut().append(name.clone(), value.clone());
        }
    }
    request
}

/// Whether an `If-None-Match` value names `etag` (weak comparison, as RFC 9110 asks for
/// `If-None-Match`) or is `*`.
fn matches_any(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag.to_str().unwrap_or_default());
    list.trim() == "*" || list.split(',').any(|tag| opaque(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        for (name, hashed) in [
            ("lapor_widget-3f9a1c2b.js", true),
            ("lapor_widget_bg-3f9a1c2b0011.wasm", true),
            ("sub/lapor-3F9A1C2B.css", true),
            ("lapor-widget.js", false),
            ("lapor_widget-3f9a1c2.js", false),
            ("lapor_widget-3f9a1c2g.js", false),
            ("noext-3f9a1c2b", false),
        ] {
            assert_eq!(is_hashed(name), hashed, "{name}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a-1.wasm"), Some("application/wasm"));
        assert_eq!(
            content_type("lapor-widget.js"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(content_type("x.CSS"), Some("text/css; charset=utf-8"));
        assert_eq!(content_type("x.exe"), None);
        assert_eq!(content_type("README"), None);
        assert_eq!(content_type("lapor-widget.js.br"), None);
        assert_eq!(content_type("lapor-widget.js.gz"), None);
    }

    #[test]
    fn servable_paths() {
        for (path, ok) in [
            ("lapor-widget.js", true),
            ("sub/a_b-1.css", true),
            ("", false),
            ("../gateway.sqlite3", false),
            ("sub/../x.js", false),
            (".hidden.js", false),
            ("sub/.git/config.js", false),
            ("/etc/passwd.js", false),
            ("a//b.js", false),
            ("a%2e.js", false),
            ("a b.js", false),
        ] {
            assert_eq!(servable(path), ok, "{path:?}");
        }
    }

    #[test]
    fn if_none_match() {
        let etag = HeaderValue::from_static("\"abc\"");
        for (header, matches) in [
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            ("\"x\", \"abc\"", true),
            ("*", true),
            ("\"abd\"", false),
            ("abc", false),
            ("", false),
        ] {
            let value = HeaderValue::from_str(header).unwrap();
            assert_eq!(matches_any(&value, &etag), matches, "{header}");
        }
    }
}

//! The built widget under `/widget/`: the loader `lapor-widget.js` that a webmaster's script tag
//! names, the wasm-bindgen glue, the `.wasm` and the CSS.
//!
//! Content types are set here from the extension (`.wasm` must be `application/wasm` for
//! streaming compilation). Names carrying a content hash (`lapor_widget-3f9a1c2b.js`: a `-` and
//! 8 or more hex digits before the extension) never change content, so they are cached for a
//! year; everything else (the loader, whose URL is in every host page) for five minutes, so a
//! new release reaches every site quickly. CORS is added by the same layer as the API's.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api::{ApiError, Shared};

/// `GET /widget/{*path}`.
pub async fn serve(State(state): State<Shared>, Path(path): Path<String>) -> Response {
    let Some(dir) = state.widget_dir.clone() else {
        return ApiError::NotFound.into_response();
    };
    // Only plain names below the directory: no `..`, no hidden files, no absolute paths.
    let safe = !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        });
    if !safe {
        return ApiError::NotFound.into_response();
    }
    let Some(content_type) = content_type(&path) else {
        return ApiError::NotFound.into_response();
    };
    let bytes = match tokio::fs::read(dir.join(&path)).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::NotFound.into_response(),
    };
    let cache = if is_hashed(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The content type of a widget file by its extension; `None` for files the widget has no use
/// for, which are not served.
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
    }
}

//! The widget's requests to the gateway, through `src/io/io.js`: `fetch` for small GETs,
//! `XMLHttpRequest` for the report (the only browser API that reports upload progress).

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

#[wasm_bindgen(module = "/src/io/io.js")]
extern "C" {
    #[wasm_bindgen(js_name = getJson)]
    fn get_json_js(url: &str) -> Promise;
    #[wasm_bindgen(js_name = postReport)]
    fn post_report_js(
        url: &str,
        key: &str,
        json: &str,
        files: &Array,
        progress: &Closure<dyn FnMut(f64, f64)>,
    ) -> Promise;
    #[wasm_bindgen(js_name = readBytes)]
    fn read_bytes_js(blob: &Blob, len: f64) -> Promise;
}

/// Why a request got no usable answer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HttpError {
    /// No answer at all: offline, blocked, refused.
    Network,
    /// An answer that is not `2xx`, or not JSON.
    Status(u16),
}

/// `[status, body]` as io.js resolves it.
async fn pair(promise: Promise) -> (u16, JsValue) {
    let value = JsFuture::from(promise).await.unwrap_or(JsValue::UNDEFINED);
    let status = js_sys::Reflect::get_u32(&value, 0)
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0) as u16;
    let body = js_sys::Reflect::get_u32(&value, 1).unwrap_or(JsValue::NULL);
    (status, body)
}

/// `GET url` and parse the body as JSON.
pub async fn get_json(url: &str) -> Result<JsValue, HttpError> {
    match pair(get_json_js(url)).await {
        (0, _) => Err(HttpError::Network),
        (status, body) if (200..300).contains(&status) && !body.is_null() => Ok(body),
        (status, _) => Err(HttpError::Status(status)),
    }
}

/// The bytes of a blob: its first `len` bytes, or all of it with `None`.
pub async fn read_bytes(blob: &Blob, len: Option<usize>) -> Option<Vec<u8>> {
    let len = len.map_or(-1.0, |l| l as f64);
    let bytes = JsFuture::from(read_bytes_js(blob, len)).await.ok()?;
    bytes.dyn_into::<Uint8Array>().ok().map(|b| b.to_vec())
}

/// The answer to a POST: its status and body text.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// `POST url` of a report (its JSON and its `(name, blob)` attachments, multipart) with its
/// `Idempotency-Key`, reporting upload progress as `(loaded, total)` bytes (`total` 0 when
/// unknown). `Err` when no answer came.
pub async fn post_report(
    url: &str,
    key: &str,
    json: &str,
    files: &Array,
    mut on_progress: impl FnMut(u64, u64) + 'static,
) -> Result<Answer, HttpError> {
    let progress = Closure::<dyn FnMut(f64, f64)>::new(move |loaded: f64, total: f64| {
        on_progress(loaded as u64, total as u64)
    });
    let (status, body) = pair(post_report_js(url, key, json, files, &progress)).await;
    // The closure must outlive the request: dropped only now.
    drop(progress);
    if status == 0 {
        return Err(HttpError::Network);
    }
    Ok(Answer {
        status,
        body: body.as_string().unwrap_or_default(),
    })
}

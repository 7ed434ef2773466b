//! The two ways the widget talks to the gateway: `fetch` for small GETs, `XMLHttpRequest` for
//! the report (the only browser API that reports upload progress).

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, FormData, ProgressEvent, Response, XmlHttpRequest};

/// Why a request got no usable answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpError {
    /// No answer at all: offline, blocked, refused.
    Network,
    /// An answer that is not `2xx`, or not JSON.
    Status(u16),
}

/// `GET url` and parse the body as JSON.
pub async fn get_json(url: &str) -> Result<JsValue, HttpError> {
    let window = web_sys::window().ok_or(HttpError::Network)?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| HttpError::Network)?;
    let response: Response = response.dyn_into().map_err(|_| HttpError::Network)?;
    if !response.ok() {
        return Err(HttpError::Status(response.status()));
    }
    let json = response
        .json()
        .map_err(|_| HttpError::Status(response.status()))?;
    JsFuture::from(json)
        .await
        .map_err(|_| HttpError::Status(response.status()))
}

/// The leading `len` bytes of a file (fewer if it is shorter).
pub async fn read_head(blob: &Blob, len: usize) -> Option<Vec<u8>> {
    let head = blob.slice_with_i32_and_i32(0, len as i32).ok()?;
    let buffer = JsFuture::from(head.array_buffer()).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// A JSON part for a multipart body.
pub fn json_blob(json: &str) -> Option<Blob> {
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    Blob::new_with_str_sequence_and_options(&Array::of1(&JsValue::from_str(json)), &options).ok()
}

/// The answer to a POST: its status and body text.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// `POST url` with a multipart body and extra headers, reporting upload progress as
/// `(loaded, total)` bytes (`total` 0 when unknown). `Err` when no answer came.
pub async fn post_multipart(
    url: &str,
    headers: &[(&str, &str)],
    body: &FormData,
    mut on_progress: impl FnMut(u64, u64) + 'static,
) -> Result<Answer, HttpError> {
    let xhr = XmlHttpRequest::new().map_err(|_| HttpError::Network)?;
    xhr.open_with_async("POST", url, true)
        .map_err(|_| HttpError::Network)?;
    for (name, value) in headers {
        xhr.set_request_header(name, value)
            .map_err(|_| HttpError::Network)?;
    }
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        let total = if event.length_computable() {
            event.total() as u64
        } else {
            0
        };
        on_progress(event.loaded() as u64, total);
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    // The request's end as a promise: true when an answer came, false when none did.
    let mut ends: Vec<Closure<dyn FnMut()>> = Vec::new();
    let done = Promise::new(&mut |resolve, _reject| {
        let answered = resolve.clone();
        let onload = Closure::<dyn FnMut()>::new(move || {
            let _ = answered.call1(&JsValue::NULL, &JsValue::TRUE);
        });
        xhr.set_onload(Some(onload.as_ref().unchecked_ref()));
        ends.push(onload);
        let failed = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::FALSE);
        });
        xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
        xhr.set_onabort(Some(failed.as_ref().unchecked_ref()));
        xhr.set_ontimeout(Some(failed.as_ref().unchecked_ref()));
        ends.push(failed);
    });
    xhr.send_with_opt_form_data(Some(body))
        .map_err(|_| HttpError::Network)?;
    let answered = JsFuture::from(done)
        .await
        .map(|v| v.is_truthy())
        .unwrap_or(false);
    // The closures must outlive the request: drop them only now.
    drop(ends);
    drop(progress);
    let status = xhr.status().unwrap_or(0);
    if !answered || status == 0 {
        return Err(HttpError::Network);
    }
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    Ok(Answer { status, body })
}

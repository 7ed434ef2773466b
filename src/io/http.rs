//! The widget's requests to the gateway, through `src/io/io.js`: `fetch` for small GETs,
//! `XMLHttpRequest` for the report (the only browser API that reports upload progress).

use js_sys::{Array, Promise, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use super::IoError;

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

/// `[status, body]` as io.js resolves it; status 0 (no answer) is [`IoError::Network`].
async fn pair(promise: Promise) -> Result<(u16, JsValue), IoError> {
    let value = JsFuture::from(promise)
        .await
        .map_err(|_| IoError::Network)?;
    let status = js_sys::Reflect::get_u32(&value, 0)
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0) as u16;
    if status == 0 {
        return Err(IoError::Network);
    }
    let body = js_sys::Reflect::get_u32(&value, 1).unwrap_or(JsValue::NULL);
    Ok((status, body))
}

/// A JSON body as the browser parsed it, read into a serde type with [`Json::read`].
pub struct Json(JsValue);

impl Json {
    /// The body as a `T`; [`IoError::Read`] if it is not one.
    pub fn read<T: DeserializeOwned>(self) -> Result<T, IoError> {
        serde_wasm_bindgen::from_value(self.0).map_err(|_| IoError::Read)
    }

    /// Parses a body text as JSON; [`IoError::Read`] if it is none.
    pub fn parse(text: &str) -> Result<Json, IoError> {
        js_sys::JSON::parse(text)
            .map(Json)
            .map_err(|_| IoError::Read)
    }
}

thread_local! {
    /// Requests the loader started before the Wasm arrived (`/config`, `/regions`), by URL:
    /// each answers every [`get_json`] of its URL until it turns out to have failed.
    static PREFETCHED: std::cell::RefCell<Vec<(String, Promise)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps the loader's requests in flight, `[[url, promise], …]`, each promise resolving as
/// `getJson` in io.js does (`[status, body]`). Anything else in the list is ignored.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn adopt_prefetched(list: &JsValue) {
    let Some(list) = list.dyn_ref::<Array>() else {
        return;
    };
    for entry in list.iter() {
        let url = js_sys::Reflect::get_u32(&entry, 0)
            .ok()
            .and_then(|u| u.as_string());
        let promise = js_sys::Reflect::get_u32(&entry, 1)
            .ok()
            .and_then(|p| p.dyn_into::<Promise>().ok());
        if let (Some(url), Some(promise)) = (url, promise) {
            PREFETCHED.with(|p| p.borrow_mut().push((url, promise)));
        }
    }
}

fn prefetched(url: &str) -> Option<Promise> {
    PREFETCHED.with(|p| {
        p.borrow()
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, p)| p.clone())
    })
}

/// A failed request of the loader's is not answered again: the next ask goes to the network.
fn forget_prefetched(url: &str) {
    PREFETCHED.with(|p| p.borrow_mut().retain(|(u, _)| u != url));
}

/// `GET url` and parse the body as JSON (answered by the loader's request for it, if it
/// started one).
pub async fn get_json(url: &str) -> Result<Json, IoError> {
    let Some(promise) = prefetched(url) else {
        return answer(pair(get_json_js(url)).await);
    };
    let result = answer(pair(promise).await);
    if result.is_err() {
        forget_prefetched(url);
    }
    result
}

fn answer(pair: Result<(u16, JsValue), IoError>) -> Result<Json, IoError> {
    match pair? {
        (status, body) if (200..300).contains(&status) && !body.is_null() => Ok(Json(body)),
        (status, _) => Err(IoError::Status(status)),
    }
}

/// A value as the JSON text the gateway reads (the `report` part).
pub fn to_json<T: Serialize>(value: &T) -> Result<String, IoError> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| IoError::Read)?;
    js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(IoError::Read)
}

/// A fresh `Idempotency-Key`: 128 random bits in hex, from `crypto.getRandomValues`.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // Without Web Crypto the key only has to be unlikely to repeat, not secret.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a blob: its first `len` bytes, or all of it with `None`.
pub async fn read_bytes(blob: &Blob, len: Option<usize>) -> Result<Vec<u8>, IoError> {
    let len = len.map_or(-1.0, |l| l as f64);
    let bytes = JsFuture::from(read_bytes_js(blob, len))
        .await
        .map_err(|_| IoError::Read)?;
    bytes
        .dyn_into::<Uint8Array>()
        .map(|b| b.to_vec())
        .map_err(|_| IoError::Read)
}

/// The answer to a POST: its status and body text.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// `POST url` of a report (its JSON and its `(name, blob)` attachments, multipart) with its
/// `Idempotency-Key`, reporting upload progress as `(loaded, total)` bytes (`total` 0 when
/// unknown). [`IoError::Network`] when no answer came.
pub async fn post_report(
    url: &str,
    key: &str,
    json: &str,
    files: &Array,
    mut on_progress: impl FnMut(u64, u64) + 'static,
) -> Result<Answer, IoError> {
    let progress = Closure::<dyn FnMut(f64, f64)>::new(move |loaded: f64, total: f64| {
        on_progress(loaded as u64, total as u64)
    });
    let answer = pair(post_report_js(url, key, json, files, &progress)).await;
    // The closure must outlive the request: dropped only now.
    drop(progress);
    let (status, body) = answer?;
    Ok(Answer {
        status,
        body: body.as_string().unwrap_or_default(),
    })
}

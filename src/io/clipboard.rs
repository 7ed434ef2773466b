//! `navigator.clipboard`, where the browser allows it.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::IoError;

/// Copies a text; [`IoError::Unavailable`] without a clipboard (an insecure page, an old
/// browser) or when the permission is refused.
pub async fn copy_text(text: &str) -> Result<(), IoError> {
    let clipboard = clipboard().ok_or(IoError::Unavailable)?;
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(drop)
        .map_err(|_| IoError::Unavailable)
}

/// `navigator.clipboard`, absent outside secure contexts: checked before use, because calling
/// a method of `undefined` would throw through the Wasm.
fn clipboard() -> Option<web_sys::Clipboard> {
    let navigator = web_sys::window()?.navigator();
    let value = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
    (!value.is_undefined() && !value.is_null()).then(|| navigator.clipboard())
}

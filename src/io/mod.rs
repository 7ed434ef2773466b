//! The browser's I/O: requests to the gateway, this device's storage (IndexedDB), the photo
//! pipeline, the clipboard, and the JS snippets they bind (`io.js`, `photo.js`). The only layer that touches
//! `JsValue`; every browser failure becomes an [`IoError`].

pub mod clipboard;
mod error;
pub mod http;
pub mod photo;
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod takeover;

pub use error::IoError;

//! This device's storage, IndexedDB through `src/io/io.js`: drafts, the outbox of reports not yet
//! confirmed, and the tracking ids of reports filed here. Storage belongs to the host site's
//! origin, so that is where a draft or a queued report can be found again.
//!
//! Every operation may fail (private windows, storage turned off, a full disk) with
//! [`IoError::Storage`]: then the widget works as without storage, and says nothing it cannot
//! keep.

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use super::IoError;
use crate::form::Draft;

#[wasm_bindgen(module = "/src/io/io.js")]
extern "C" {
    #[wasm_bindgen(js_name = idbGet)]
    fn idb_get(store: &str, key: &str) -> Promise;
    #[wasm_bindgen(js_name = idbAll)]
    fn idb_all(store: &str) -> Promise;
    #[wasm_bindgen(js_name = idbPut)]
    fn idb_put(store: &str, key: &str, value: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = idbDelete)]
    fn idb_delete(store: &str, key: &str) -> Promise;
}

const DRAFTS: &str = "drafts";
const OUTBOX: &str = "outbox";
const HISTORY: &str = "history";

/// A draft older than this is deleted instead of restored.
pub const DRAFT_DAYS: f64 = 30.0;
/// A draft older than this is restored without the reporter's name, phone and email (title,
/// content and attachments stay for [`DRAFT_DAYS`]): computers in internet cafés are shared.
pub const DRAFT_IDENTITY_HOURS: f64 = 24.0;
/// A report waiting on this device (it holds the NIK) longer than this is deleted.
pub const OUTBOX_DAYS: f64 = 7.0;
const DAY_MS: f64 = 86_400_000.0;

/// One IndexedDB operation; io.js rejects when storage refuses.
async fn done(promise: Promise) -> Result<JsValue, IoError> {
    JsFuture::from(promise).await.map_err(|_| IoError::Storage)
}

/// The value under `key`, `None` if there is none.
async fn get_value(store: &str, key: &str) -> Result<Option<JsValue>, IoError> {
    let value = done(idb_get(store, key)).await?;
    Ok(value.is_object().then_some(value))
}

async fn put(store: &str, key: &str, value: &JsValue) -> Result<(), IoError> {
    done(idb_put(store, key, value)).await.map(drop)
}

async fn delete(store: &str, key: &str) -> Result<(), IoError> {
    done(idb_delete(store, key)).await.map(drop)
}

async fn all(store: &str) -> Result<Vec<JsValue>, IoError> {
    let values = done(idb_all(store)).await?;
    Ok(values
        .dyn_into::<Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default())
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

fn text(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap_or_default()
}

/// An attachment as stored: the bytes that will be sent and what the list shows of it.
pub struct StoredFile {
    pub name: String,
    pub blob: Blob,
    pub original_size: u64,
}

fn files_value(files: &[StoredFile]) -> Array {
    files
        .iter()
        .map(|f| {
            let entry = js_sys::Object::new();
            set(&entry, "name", &JsValue::from_str(&f.name));
            set(&entry, "blob", &f.blob);
            set(
                &entry,
                "original_size",
                &JsValue::from_f64(f.original_size as f64),
            );
            JsValue::from(entry)
        })
        .collect()
}

fn files_of(value: &JsValue) -> Vec<StoredFile> {
    get(value, "files")
        .dyn_into::<Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| {
            let blob = get(&f, "blob").dyn_into::<Blob>().ok()?;
            Some(StoredFile {
                name: text(&f, "name"),
                original_size: get(&f, "original_size")
                    .as_f64()
                    .map_or(blob.size() as u64, |n| n as u64),
                blob,
            })
        })
        .collect()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Saves the draft of a widget (`scope`: the widget on this page of this site, see
/// `entry::scope`). The NIK is not in a [`Draft`].
pub async fn save_draft(scope: &str, draft: &Draft, files: &[StoredFile]) -> Result<(), IoError> {
    let value = serde_wasm_bindgen::to_value(draft).map_err(|_| IoError::Read)?;
    set(&value, "files", &files_value(files));
    set(&value, "saved_at", &JsValue::from_f64(now_ms()));
    put(DRAFTS, scope, &value).await
}

/// The draft of a widget, if there is one younger than [`DRAFT_DAYS`]; an older one is deleted.
/// A draft that cannot be read as one counts as none.
pub async fn load_draft(scope: &str) -> Result<Option<(Draft, Vec<StoredFile>)>, IoError> {
    let Some(value) = get_value(DRAFTS, scope).await? else {
        return Ok(None);
    };
    let saved_at = get(&value, "saved_at").as_f64().unwrap_or(0.0);
    if now_ms() - saved_at > DRAFT_DAYS * DAY_MS {
        delete(DRAFTS, scope).await?;
        return Ok(None);
    }
    let files = files_of(&value);
    let draft = serde_wasm_bindgen::from_value::<Draft>(value).ok();
    let identity_expired = now_ms() - saved_at > DRAFT_IDENTITY_HOURS * 3_600_000.0;
    Ok(draft.map(|mut draft| {
        if identity_expired {
            draft.forget_identity();
        }
        (draft, files)
    }))
}

pub async fn delete_draft(scope: &str) -> Result<(), IoError> {
    delete(DRAFTS, scope).await
}

/// A report waiting for the gateway's confirmation, as it will be sent.
pub struct Queued {
    pub key: String,
    pub json: String,
    pub files: Vec<StoredFile>,
}

impl Queued {
    /// The attachments as io.js's `postReport` takes them: `[name, blob]` pairs.
    pub fn parts(&self) -> Array {
        self.files
            .iter()
            .map(|f| JsValue::from(Array::of2(&JsValue::from_str(&f.name), &f.blob)))
            .collect()
    }
}

/// Stores a report before it is sent, under its `Idempotency-Key`; any other report of the
/// same widget still waiting is dropped (it was changed and submitted again under a new key).
/// The JSON holds the NIK: it must, to be sent at a later visit. It is deleted on the
/// gateway's answer.
pub async fn queue(scope: &str, report: &Queued) -> Result<(), IoError> {
    for (key, _) in queued_entries(scope).await? {
        if key != report.key {
            delete(OUTBOX, &key).await?;
        }
    }
    let value = js_sys::Object::new();
    set(&value, "key", &JsValue::from_str(&report.key));
    set(&value, "scope", &JsValue::from_str(scope));
    set(&value, "json", &JsValue::from_str(&report.json));
    set(&value, "files", &files_value(&report.files));
    set(&value, "queued_at", &JsValue::from_f64(now_ms()));
    put(OUTBOX, &report.key, &value).await
}

async fn queued_entries(scope: &str) -> Result<Vec<(String, JsValue)>, IoError> {
    // `getAll` gives values only: the key is kept in the value too.
    Ok(all(OUTBOX)
        .await?
        .into_iter()
        .filter(|v| text(v, "scope") == scope)
        .map(|v| (text(&v, "key"), v))
        .collect())
}

/// The report stored under this key, if it is still waiting.
pub async fn queued(key: &str) -> Result<Option<Queued>, IoError> {
    let value = get_value(OUTBOX, key).await?;
    Ok(value.map(|value| Queued {
        key: key.to_owned(),
        json: text(&value, "json"),
        files: files_of(&value),
    }))
}

/// What waits on this device for a widget at the next visit.
pub enum Waiting {
    None,
    /// A report to send again, by its key.
    Key(String),
    /// A report waited longer than [`OUTBOX_DAYS`] and was deleted.
    Expired,
}

/// The key of a report of this widget still waiting, the oldest first; reports older than
/// [`OUTBOX_DAYS`] are deleted first (they hold the NIK).
pub async fn waiting_key(scope: &str) -> Result<Waiting, IoError> {
    let at = |v: &JsValue| get(v, "queued_at").as_f64().unwrap_or(0.0);
    let mut entries = Vec::new();
    let mut expired = false;
    for (key, value) in queued_entries(scope).await? {
        if now_ms() - at(&value) > OUTBOX_DAYS * DAY_MS {
            delete(OUTBOX, &key).await?;
            expired = true;
        } else {
            entries.push((key, value));
        }
    }
    entries.sort_by(|a, b| at(&a.1).total_cmp(&at(&b.1)));
    Ok(
        match entries.into_iter().map(|(k, _)| k).find(|k| !k.is_empty()) {
            Some(key) => Waiting::Key(key),
            None if expired => Waiting::Expired,
            None => Waiting::None,
        },
    )
}

pub async fn unqueue(key: &str) -> Result<(), IoError> {
    delete(OUTBOX, key).await
}

/// Remembers a tracking id of a report filed on this device, for the status view.
pub async fn remember(endpoint: &str, tracking_id: &str) -> Result<(), IoError> {
    let value = js_sys::Object::new();
    set(&value, "endpoint", &JsValue::from_str(endpoint));
    set(&value, "tracking_id", &JsValue::from_str(tracking_id));
    set(&value, "at", &JsValue::from_f64(now_ms()));
    put(HISTORY, tracking_id, &value).await
}

/// The tracking ids of reports filed on this device through this gateway, newest first.
pub async fn remembered(endpoint: &str) -> Result<Vec<String>, IoError> {
    let mut entries: Vec<(f64, String)> = all(HISTORY)
        .await?
        .into_iter()
        .filter(|v| text(v, "endpoint") == endpoint)
        .map(|v| {
            (
                get(&v, "at").as_f64().unwrap_or(0.0),
                text(&v, "tracking_id"),
            )
        })
        .filter(|(_, id)| !id.is_empty())
        .collect();
    entries.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(entries.into_iter().map(|(_, id)| id).collect())
}

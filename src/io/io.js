// The widget's browser I/O: requests and IndexedDB, behind a few promise-returning functions.
// The decisions (what to send, when to retry, what a draft keeps) are made in Rust; this file
// only does what is many small web-sys calls and closures in Rust and a few lines here.
// scripts/build-widget.sh inlines it into the wasm-bindgen glue, so it costs no request.
//
// Style rule (the inliner relies on it): top-level `export function`/`export async function`
// only, nothing else exported, no imports.

// GET url as JSON: [status, body]. Status 0: no answer (offline, blocked). Body null unless 2xx
// with valid JSON.
export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { credentials: "omit" });
  } catch (e) {
    return [0, null];
  }
  let body = null;
  if (response.ok) {
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
  }
  return [response.status, body];
}

// POST a report, multipart: the JSON part `report`, then each [name, blob] of `files` as an
// `attachment` part. `progress(loaded, total)` during the upload (total 0: unknown).
// Resolves [status, responseText]; status 0 when no answer came, also when nothing moved,
// up or down, for 60 s (a stalled upload is given up; the report stays stored and is sent
// again). Never rejects.
export function postReport(url, key, json, files, progress) {
  return new Promise((resolve) => {
    let watchdog = 0;
    const fail = () => {
      clearInterval(watchdog);
      resolve([0, ""]);
    };
    try {
      const form = new FormData();
      form.append("report", new Blob([json], { type: "application/json" }));
      for (const [name, blob] of files) form.append("attachment", blob, name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Idempotency-Key", key);
      let moved = Date.now();
      const touch = () => (moved = Date.now());
      xhr.upload.onprogress = (e) => {
        touch();
        progress(e.loaded, e.lengthComputable ? e.total : 0);
      };
      xhr.onprogress = xhr.onreadystatechange = touch;
      xhr.onload = () => {
        clearInterval(watchdog);
        resolve([xhr.status, xhr.responseText]);
      };
      xhr.onerror = xhr.onabort = xhr.ontimeout = fail;
      watchdog = setInterval(() => {
        if (Date.now() - moved > 60000) xhr.abort();
      }, 5000);
      xhr.send(form);
    } catch (e) {
      fail();
    }
  });
}

// The bytes of a blob (all of it, or its first `len` bytes), or null if it cannot be read.
export async function readBytes(blob, len) {
  try {
    const part = len >= 0 ? blob.slice(0, len) : blob;
    return new Uint8Array(await part.arrayBuffer());
  } catch (e) {
    return null;
  }
}

// IndexedDB: one database per host site (the browser's rule), three object stores with
// out-of-line keys: `drafts` (by widget scope), `outbox` (by Idempotency-Key), `history` (by
// tracking id). Every function rejects when storage refuses (private windows, storage turned
// off, a full disk); src/io/store.rs makes that its storage error, and the widget works
// without storage. get resolves undefined for a missing key.
let opening = null;
function database() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open("lapor-widget", 1);
      request.onupgradeneeded = () => {
        for (const name of ["drafts", "outbox", "history"]) {
          if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = request.onblocked = () => reject(request.error);
    });
    opening.catch(() => (opening = null));
  }
  return opening;
}

async function run(store, mode, op) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = op(tx.objectStore(store));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

export function idbGet(store, key) {
  return run(store, "readonly", (s) => s.get(key));
}

export function idbAll(store) {
  return run(store, "readonly", (s) => s.getAll());
}

export function idbPut(store, key, value) {
  return run(store, "readwrite", (s) => s.put(value, key));
}

export function idbDelete(store, key) {
  return run(store, "readwrite", (s) => s.delete(key));
}

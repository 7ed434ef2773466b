//! Writes the widget form's first paint, in both languages, for the loader to show before the
//! Wasm has arrived: `cargo run --example prerender -- OUT_DIR` writes `OUT_DIR/form-id.json`
//! and `OUT_DIR/form-en.json` (`scripts/build-widget.sh` hashes and compresses them).
//!
//! Each file is a JSON object: `css`, the widget's stylesheet (the loader adopts it as a
//! constructed stylesheet, so no CSP needs `'unsafe-inline'`), and `html`, the markup Yew
//! renders natively from the same components as the Wasm. JSON because the gateway serves the
//! widget's files with a content type of their kind, and a fragment of markup plus a stylesheet
//! is none of them. It holds no personal data: it is the empty form.

// A native build step; `wasm-pack test` builds the examples for wasm32 too, where it is empty.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::{SystemTime, UNIX_EPOCH};

    use lapor_core::messages::Lang;
    use lapor_core::Date;

    const CSS: &str = include_str!("../src/style.css");

    pub fn main() {
        let out = std::env::args().nth(1).unwrap_or_else(|| ".".into());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let today = Date::jakarta_from_unix(now);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime");
        let local = tokio::task::LocalSet::new();
        for lang in [Lang::Id, Lang::En] {
            let markup = local.block_on(&runtime, lapor_widget::prerender(lang, today));
            let json = serde_json::json!({ "css": CSS.trim(), "html": markup });
            let path = format!("{out}/form-{}.json", lang.as_str());
            std::fs::write(&path, format!("{json}\n"))
                .unwrap_or_else(|e| panic!("writing {path}: {e}"));
        }
    }
}

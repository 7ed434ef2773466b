//! The widget files under `/widget/` over real HTTP against the real binary: the brotli, gzip
//! or plain copy as `Accept-Encoding` asks, with the content type and cache rule of the file's
//! name, `Vary`, an `ETag` per representation and `304` on `If-None-Match`, and the API's
//! JSON 404 for anything that is not a widget file.
//!
//! The `.br` and `.gz` fixtures are distinct arbitrary bytes, not real compressed data: the
//! gateway sends a precompressed copy as it is, so the body shows which copy was sent.
//!
//! Run: `cargo test -p lapor-gateway --test widget_files`

mod common;

use common::{client, gateway, Proc, TempDir, ORIGIN};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";
const JS: &str = "text/javascript; charset=utf-8";

/// A widget directory `widget/` inside a temp dir that also holds a file outside it.
struct Fixture {
    root: TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let root = TempDir::new("gw-widget-files");
        std::fs::create_dir_all(root.join("widget")).unwrap();
        std::fs::write(root.join("outside.js"), "outside").unwrap();
        let fixture = Fixture { root };
        for name in [
            "lapor-widget.js",
            "lapor_widget-3f9a1c2b.js",
            "lapor_widget_bg-3f9a1c2b.wasm",
        ] {
            for suffix in ["", ".br", ".gz"] {
                fixture.write(&format!("{name}{suffix}"), &body_of(name, suffix));
            }
        }
        // A file without compressed copies is sent plain whatever the client accepts.
        fixture.write("lapor_widget-0011aabbcc.css", b"plain css");
        fixture.write("notes.txt", b"not a widget file");
        fixture.write(".hidden.js", b"hidden");
        fixture
    }

    fn dir(&self) -> String {
        self.root.join("widget").display().to_string()
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.root.join("widget").join(name), bytes).unwrap();
    }

    async fn gateway(&self) -> (TempDir, Proc) {
        let data = TempDir::new("gw-widget-files-data");
        let gw = gateway(data.path(), "http://127.0.0.1:9")
            .args(["--widget-dir", &self.dir()])
            .spawn()
            .await;
        (data, gw)
    }
}

/// The fixture bytes of `name` + `suffix` (`""`, `".br"`, `".gz"`).
fn body_of(name: &str, suffix: &str) -> Vec<u8> {
    format!("{name}{suffix} bytes").into_bytes()
}

/// One answer, read whole.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Every `Vary` line, joined, lower case.
    fn vary(&self) -> String {
        let lines: Vec<_> = self
            .headers
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .collect();
        lines.join(", ")
    }
}

async fn get(gw: &Proc, path: &str, headers: &[(&str, &str)]) -> Answer {
    request(gw, reqwest::Method::GET, path, headers).await
}

async fn request(
    gw: &Proc,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let mut builder = client()
        .request(method, gw.url(path))
        .header("Origin", ORIGIN);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = builder.send().await.unwrap();
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

#[tokio::test]
async fn each_encoding_is_answered_with_its_copy_type_cache_rule_vary_and_etag() {
    let fixture = Fixture::new();
    let (_data, gw) = fixture.gateway().await;
    let files = [
        ("lapor-widget.js", JS, SHORT),
        ("lapor_widget-3f9a1c2b.js", JS, IMMUTABLE),
        (
            "lapor_widget_bg-3f9a1c2b.wasm",
            "application/wasm",
            IMMUTABLE,
        ),
    ];
    // (Accept-Encoding, Content-Encoding expected, fixture suffix); None: no such header.
    let encodings = [
        (Some("br"), Some("br"), ".br"),
        (Some("gzip"), Some("gzip"), ".gz"),
        (None, None, ""),
        (Some("identity"), None, ""),
        (Some("gzip, deflate, br, zstd"), Some("br"), ".br"),
        (Some("br;q=0, gzip"), Some("gzip"), ".gz"),
        (Some("br;q=0.5, gzip;q=0.9"), Some("gzip"), ".gz"),
    ];
    for (name, content_type, cache) in files {
        let mut etags = Vec::new();
        for (accept, encoding, suffix) in encodings {
            let headers: Vec<_> = accept.map(|a| ("Accept-Encoding", a)).into_iter().collect();
            let answer = get(&gw, &format!("/widget/{name}"), &headers).await;
            let case = format!("{name} with Accept-Encoding {accept:?}");
            assert_eq!(answer.status, 200, "{case}");
            assert_eq!(answer.header("content-encoding"), encoding, "{case}");
            assert_eq!(answer.body, body_of(name, suffix), "{case}");
            assert_eq!(answer.header("content-type"), Some(content_type), "{case}");
            assert_eq!(answer.header("cache-control"), Some(cache), "{case}");
            assert!(
                answer.vary().contains("accept-encoding"),
                "{case}: {}",
                answer.vary()
            );
            assert_eq!(
                answer.header("access-control-allow-origin"),
                Some(ORIGIN),
                "{case}"
            );
            assert_eq!(
                answer.header("x-content-type-options"),
                Some("nosniff"),
                "{case}"
            );
            assert!(answer.header("last-modified").is_some(), "{case}");
            let etag = answer.header("etag").expect("an ETag").to_owned();
            assert!(
                etag.starts_with('"') && etag.ends_with('"'),
                "{case}: {etag}"
            );
            etags.push((suffix, etag));
        }
        // One tag per representation: the same copy always has the same tag, another copy
        // never has it.
        for (suffix_a, etag_a) in &etags {
            for (suffix_b, etag_b) in &etags {
                assert_eq!(suffix_a == suffix_b, etag_a == etag_b, "{name}: {etags:?}");
            }
        }
    }

    // A file without compressed copies: the plain bytes, and no Content-Encoding.
    let css = get(
        &gw,
        "/widget/lapor_widget-0011aabbcc.css",
        &[("Accept-Encoding", "br, gzip")],
    )
    .await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-encoding"), None);
    assert_eq!(css.body, b"plain css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("cache-control"), Some(IMMUTABLE));
    assert!(css.header("etag").is_some());

    // HEAD: the headers of the GET, no body.
    let wasm = "/widget/lapor_widget_bg-3f9a1c2b.wasm";
    let got = get(&gw, wasm, &[("Accept-Encoding", "br")]).await;
    let head = request(
        &gw,
        reqwest::Method::HEAD,
        wasm,
        &[("Accept-Encoding", "br")],
    )
    .await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for name in ["content-encoding", "content-type", "cache-control", "etag"] {
        assert_eq!(head.header(name), got.header(name), "HEAD {name}");
    }
}

#[tokio::test]
async fn a_matching_if_none_match_is_answered_304_and_a_new_build_gets_a_new_etag() {
    let fixture = Fixture::new();
    let (_data, gw) = fixture.gateway().await;
    for (name, cache) in [
        ("lapor-widget.js", SHORT),
        ("lapor_widget-3f9a1c2b.js", IMMUTABLE),
        ("lapor_widget_bg-3f9a1c2b.wasm", IMMUTABLE),
    ] {
        let path = format!("/widget/{name}");
        for accept in ["br", "gzip", "identity"] {
            let first = get(&gw, &path, &[("Accept-Encoding", accept)]).await;
            let etag = first.header("etag").unwrap().to_owned();
            let weak = format!("W/{etag}");
            let listed = format!("\"something-else\", {etag}");
            for wanted in [etag.as_str(), weak.as_str(), listed.as_str(), "*"] {
                let again = get(
                    &gw,
                    &path,
                    &[("Accept-Encoding", accept), ("If-None-Match", wanted)],
                )
                .await;
                let case = format!("{name} {accept} If-None-Match {wanted}");
                assert_eq!(again.status, 304, "{case}");
                assert!(again.body.is_empty(), "{case}");
                assert_eq!(again.header("etag"), Some(etag.as_str()), "{case}");
                assert_eq!(again.header("cache-control"), Some(cache), "{case}");
                assert!(again.vary().contains("accept-encoding"), "{case}");
                assert_eq!(again.header("access-control-allow-origin"), Some(ORIGIN));
            }
            // If-None-Match wins over If-Modified-Since (RFC 9110, 13.1.3): a tag that does
            // not match gets the file even when the date says it is unchanged.
            let modified = first.header("last-modified").unwrap().to_owned();
            let stale = get(
                &gw,
                &path,
                &[
                    ("Accept-Encoding", accept),
                    ("If-None-Match", "\"an-old-build\""),
                    ("If-Modified-Since", &modified),
                ],
            )
            .await;
            assert_eq!(stale.status, 200, "{name} {accept}");
            assert_eq!(stale.body, first.body);
            // If-Modified-Since alone is still answered (by ServeDir), with our headers.
            let by_date = get(
                &gw,
                &path,
                &[
                    ("Accept-Encoding", accept),
                    ("If-Modified-Since", &modified),
                ],
            )
            .await;
            assert_eq!(by_date.status, 304, "{name} {accept}");
            assert_eq!(by_date.header("cache-control"), Some(cache));
            assert!(by_date.vary().contains("accept-encoding"));
        }
        // The tag of another representation of the same file does not match.
        let gzip = get(&gw, &path, &[("Accept-Encoding", "gzip")]).await;
        let br = get(
            &gw,
            &path,
            &[
                ("Accept-Encoding", "br"),
                ("If-None-Match", gzip.header("etag").unwrap()),
            ],
        )
        .await;
        assert_eq!(br.status, 200, "{name}");
        assert_eq!(br.header("content-encoding"), Some("br"));
    }

    // A new build rewrites the loader in place of the old one: the old tag no longer matches.
    let old = get(&gw, "/widget/lapor-widget.js", &[("Accept-Encoding", "br")]).await;
    let old_etag = old.header("etag").unwrap().to_owned();
    fixture.write("lapor-widget.js.br", b"the next build's loader, brotli");
    let new = get(
        &gw,
        "/widget/lapor-widget.js",
        &[("Accept-Encoding", "br"), ("If-None-Match", &old_etag)],
    )
    .await;
    assert_eq!(new.status, 200);
    assert_eq!(new.body, b"the next build's loader, brotli");
    assert_ne!(new.header("etag"), Some(old_etag.as_str()));
}

#[tokio::test]
async fn anything_but_a_widget_file_is_the_json_404() {
    let fixture = Fixture::new();
    let (_data, gw) = fixture.gateway().await;
    for path in [
        "/widget/notes.txt",
        "/widget/missing.js",
        "/widget/missing.wasm",
        "/widget/.hidden.js",
        "/widget/..%2Foutside.js",
        "/widget/%2e%2e%2foutside.js",
        "/widget/sub/..%2F..%2Foutside.js",
        // The compressed copies are sent only as an encoding of their file.
        "/widget/lapor-widget.js.br",
        "/widget/lapor_widget_bg-3f9a1c2b.wasm.gz",
    ] {
        for accept in ["br", "gzip", "identity"] {
            let answer = get(&gw, path, &[("Accept-Encoding", accept)]).await;
            assert_eq!(answer.status, 404, "{path} {accept}");
            let body: Value = serde_json::from_slice(&answer.body).unwrap();
            assert_eq!(body, json!({"error": "not_found"}), "{path}");
        }
    }
}

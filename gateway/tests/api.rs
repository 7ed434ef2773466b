//! The HTTP contract over real HTTP: the real `lapor-gateway` binary on a free loopback port
//! with a temporary data directory, and (where forwarding matters) the LAPOR! simulator as a
//! second process. Every row of the status table and every error code of the contract is
//! exercised here, table-driven.
//!
//! Run: `CARGO_TARGET_DIR=/work/tgt-gw cargo test -p lapor-gateway --test api`

mod common;

use std::time::{Duration, Instant};

use common::{
    client, gateway, post_report, report_form, simulator, small_jpeg, Attachment, TempDir, ORIGIN,
};
use serde_json::{json, Value};

const NIK: &str = "6474015708900003";

/// Limits small enough that the set limits can be reached with a few KB.
const SMALL_LIMITS: [&str; 10] = [
    "--max-file-bytes",
    "20000",
    "--max-files",
    "2",
    "--max-total-bytes",
    "30000",
    "--max-body-bytes",
    "120000",
    "--max-report-bytes",
    "8000",
];

fn valid() -> Value {
    common::valid_report_json()
}

/// A real one-page PDF of at least `size` bytes (its page's content stream is padded).
fn pdf(size: usize) -> Vec<u8> {
    let bare = save_pdf(pdf_document(&[], 0));
    save_pdf(pdf_document(&[], size.saturating_sub(bare.len())))
}

/// Markers in a PDF's metadata that must never reach the disk or LAPOR!.
const AUTHOR_CANARY: &str = "Siti AUTHOR-CANARY-4471";
const XMP_CANARY: &str = "XMP-CANARY-GPS -0.5034,117.1627";

/// A one-page PDF made with lopdf: the page's content stream padded with `pad` spaces and
/// `catalog` added to its catalog.
fn pdf_document(catalog: &[(&str, lopdf::Object)], pad: usize) -> lopdf::Document {
    use lopdf::{dictionary, Object, Stream};
    let mut doc = lopdf::Document::with_version("1.7");
    let pages = doc.new_object_id();
    let mut text = b"BT /F1 12 Tf 20 100 Td (Surat keterangan) Tj ET".to_vec();
    text.resize(text.len() + pad, b' ');
    let content = doc.add_object(Stream::new(dictionary! {}, text));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages,
        "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
        "Contents" => content,
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let mut dict = dictionary! { "Type" => "Catalog", "Pages" => pages };
    for (key, value) in catalog {
        dict.set(*key, value.clone());
    }
    let root = doc.add_object(dict);
    doc.trailer.set("Root", root);
    doc.trailer.set(
        "ID",
        vec![
            Object::string_literal("0123456789abcdef"),
            Object::string_literal("0123456789abcdef"),
        ],
    );
    doc
}

/// A PDF as word processors write them: an `/Info` with author, title and dates, and an
/// XMP packet in the catalog (in a page's too).
fn pdf_with_metadata() -> Vec<u8> {
    use lopdf::{dictionary, Object, Stream};
    let mut doc = pdf_document(&[], 0);
    let packet = format!(
        "<?xpacket begin=''?><x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF><rdf:Description \
         dc:creator='{AUTHOR_CANARY}' exif:GPSLatitude='{XMP_CANARY}'/></rdf:RDF></x:xmpmeta>"
    );
    let xmp = doc.add_object(Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        packet.into_bytes(),
    ));
    let info = doc.add_object(dictionary! {
        "Author" => Object::string_literal(AUTHOR_CANARY),
        "Title" => Object::string_literal("Surat untuk Bu Siti"),
        "Creator" => Object::string_literal("RahasiaWriter 7"),
        "CreationDate" => Object::string_literal("D:20261120071500+08'00'"),
    });
    doc.trailer.set("Info", info);
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_dictionary_mut(root).unwrap().set("Metadata", xmp);
    let page = doc.page_iter().next().unwrap();
    doc.get_dictionary_mut(page).unwrap().set("Metadata", xmp);
    save_pdf(doc)
}

fn save_pdf(mut doc: lopdf::Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save PDF");
    out
}

/// The PDF encrypted (RC4, 128-bit) with `user_password`; with an empty one any viewer opens
/// it, as with a PDF "protected" against printing or editing only.
fn encrypted_pdf(user_password: &str) -> Vec<u8> {
    let mut doc = pdf_document(&[], 0);
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "pemilik",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::PRINTABLE,
    };
    let state = lopdf::EncryptionState::try_from(version).expect("encryption state");
    doc.encrypt(&state).expect("encrypt");
    save_pdf(doc)
}

/// PDFs that could run something or unpack a file: each must be refused.
fn unsafe_pdfs() -> Vec<(&'static str, Vec<u8>)> {
    use lopdf::{dictionary, Object, Stream};
    let js = dictionary! {
        "S" => "JavaScript",
        "JS" => Object::string_literal("app.launchURL('http://example.invalid/')"),
    };
    let mut embedded = pdf_document(&[], 0);
    let file = embedded.add_object(Stream::new(
        dictionary! { "Type" => "EmbeddedFile" },
        b"MZ not really a program".to_vec(),
    ));
    let spec = embedded.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => Object::string_literal("lampiran.exe"),
        "EF" => dictionary! { "F" => file },
    });
    let names = dictionary! {
        "EmbeddedFiles" => dictionary! {
            "Names" => vec![Object::string_literal("lampiran.exe"), spec.into()],
        },
    };
    let root = embedded
        .trailer
        .get(b"Root")
        .unwrap()
        .as_reference()
        .unwrap();
    embedded
        .get_dictionary_mut(root)
        .unwrap()
        .set("Names", names);
    let mut annotated = pdf_document(&[], 0);
    let page = annotated.page_iter().next().unwrap();
    let annotation = annotated.add_object(dictionary! {
        "Type" => "Annot",
        "Subtype" => "FileAttachment",
        "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
    });
    annotated
        .get_dictionary_mut(page)
        .unwrap()
        .set("Annots", vec![annotation.into()]);
    vec![
        (
            "JavaScript on open",
            save_pdf(pdf_document(&[("OpenAction", Object::Dictionary(js))], 0)),
        ),
        (
            "JavaScript name tree",
            save_pdf(pdf_document(
                &[(
                    "Names",
                    Object::Dictionary(
                        dictionary! { "JavaScript" => dictionary! { "Names" => Vec::<Object>::new() } },
                    ),
                )],
                0,
            )),
        ),
        ("embedded file", save_pdf(embedded)),
        ("file attachment annotation", save_pdf(annotated)),
        ("encrypted, no user password", encrypted_pdf("")),
        ("encrypted with a user password", encrypted_pdf("rahasia")),
    ]
}

fn file(name: &str, content_type: &str, bytes: Vec<u8>) -> Attachment {
    Attachment {
        filename: name.into(),
        content_type: content_type.into(),
        bytes,
    }
}

/// A JPEG with an EXIF block carrying a marker that must never reach the disk or LAPOR!.
fn jpeg_with_exif(seed: u64) -> Vec<u8> {
    let plain = small_jpeg(seed);
    let payload = b"Exif\0\0MM\0*GPS-SECRET-MARKER-1234";
    let len = (payload.len() + 2) as u16;
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// The attachment files stored for a report.
fn stored_files(data: &TempDir, tracking_id: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(data.join("attachments"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(tracking_id)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Sets a JSON pointer (`/reporter/nik`) in a copy of `report`.
fn with(report: &Value, pointer: &str, value: Value) -> Value {
    let mut report = report.clone();
    *report.pointer_mut(pointer).expect("pointer exists") = value;
    report
}

async fn post(base: &str, key: &str, report: &Value, files: &[Attachment]) -> (u16, Value) {
    let posted = post_report(&client(), base, key, report, files)
        .await
        .expect("answer");
    (posted.status, posted.body)
}

fn key(name: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{name}-{}-{n}", std::process::id())
}

async fn wait_for(what: &str, timeout: Duration, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn every_validation_error_code_is_a_422_naming_the_field() {
    let data = TempDir::new("gw-api-422");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(SMALL_LIMITS)
        .spawn()
        .await;
    let aspirasi = with(
        &with(&valid(), "/classification", json!("aspirasi")),
        "/incident_date",
        json!(null),
    );
    let jpeg = small_jpeg(1);
    // (report, attachments, field, code)
    let cases: Vec<(Value, Vec<Attachment>, &str, &str)> = vec![
        (
            with(&valid(), "/title", json!("  ")),
            vec![],
            "title",
            "required",
        ),
        (
            with(&aspirasi, "/incident_date", json!("2026-11-01")),
            vec![],
            "incident_date",
            "not_allowed",
        ),
        (
            with(&valid(), "/title", json!("pendek")),
            vec![],
            "title",
            "too_short",
        ),
        (
            with(&valid(), "/content", json!("x".repeat(4001))),
            vec![],
            "content",
            "too_long",
        ),
        (
            with(&valid(), "/classification", json!("keluhan")),
            vec![],
            "classification",
            "unknown_classification",
        ),
        (
            with(&valid(), "/incident_date", json!("01-11-2026")),
            vec![],
            "incident_date",
            "date_format",
        ),
        (
            with(&valid(), "/incident_date", json!("2099-01-01")),
            vec![],
            "incident_date",
            "date_future",
        ),
        (
            with(&valid(), "/location_code", json!("999999")),
            vec![],
            "location_code",
            "unknown_location",
        ),
        (
            with(&valid(), "/institution_id", json!("no-such")),
            vec![],
            "institution_id",
            "unknown_institution",
        ),
        (
            with(&valid(), "/category_id", json!("no-such")),
            vec![],
            "category_id",
            "unknown_category",
        ),
        (
            with(&valid(), "/reporter/name", json!("Siti <script>")),
            vec![],
            "reporter.name",
            "name_format",
        ),
        (
            with(&valid(), "/reporter/nik", json!("12345")),
            vec![],
            "reporter.nik",
            "nik_format",
        ),
        (
            with(&valid(), "/reporter/nik", json!("9974015708900003")),
            vec![],
            "reporter.nik",
            "nik_province",
        ),
        (
            with(&valid(), "/reporter/nik", json!("6474013208900003")),
            vec![],
            "reporter.nik",
            "nik_birth_date",
        ),
        (
            with(&valid(), "/reporter/nik", json!("6474015708900000")),
            vec![],
            "reporter.nik",
            "nik_serial",
        ),
        (
            with(&valid(), "/reporter/phone", json!("0211234567")),
            vec![],
            "reporter.phone",
            "phone_format",
        ),
        (
            with(&valid(), "/reporter/email", json!("not-an-email")),
            vec![],
            "reporter.email",
            "email_format",
        ),
        (
            valid(),
            vec![file(
                "foto.jpg",
                "image/jpeg",
                b"GIF89a not really".to_vec(),
            )],
            "attachments[0]",
            "file_type",
        ),
        (
            valid(),
            vec![file("foto.jpg", "image/jpeg", pdf(100))],
            "attachments[0]",
            "file_type_mismatch",
        ),
        // A PDF by its leading bytes that cannot be read cannot be cleaned either.
        (
            valid(),
            vec![file(
                "rusak.pdf",
                "application/pdf",
                b"%PDF-1.4\nrusak".to_vec(),
            )],
            "attachments[0]",
            "file_type",
        ),
        (
            valid(),
            vec![file("kosong.pdf", "application/pdf", vec![])],
            "attachments[0]",
            "file_empty",
        ),
        (
            valid(),
            vec![file("besar.pdf", "application/pdf", pdf(20001))],
            "attachments[0]",
            "file_too_large",
        ),
        (
            valid(),
            vec![
                Attachment::jpeg("a.jpg", jpeg.clone()),
                Attachment::jpeg("b.jpg", jpeg.clone()),
                Attachment::jpeg("c.jpg", jpeg.clone()),
            ],
            "attachments",
            "too_many_files",
        ),
        (
            valid(),
            vec![
                file("a.pdf", "application/pdf", pdf(16000)),
                file("b.pdf", "application/pdf", pdf(16000)),
            ],
            "attachments",
            "total_too_large",
        ),
    ];
    let mut cases = cases;
    for (_, bytes) in unsafe_pdfs() {
        let files = vec![file("surat.pdf", "application/pdf", bytes)];
        cases.push((valid(), files, "attachments[0]", "file_pdf_unsafe"));
    }
    for (report, files, field, code) in &cases {
        let (status, body) = post(&gw.base, &key("v"), report, files).await;
        assert_eq!(status, 422, "{field}/{code}: {body}");
        let expected = json!({"field": field, "code": code});
        let errors = body["errors"].as_array().expect("errors array");
        assert!(errors.contains(&expected), "{field}/{code}: {body}");
    }
    // Every error code of the contract is among them.
    let mut produced: Vec<&str> = cases.iter().map(|(_, _, _, code)| *code).collect();
    produced.sort_unstable();
    produced.dedup();
    assert_eq!(produced, contract_error_codes());
}

/// The error codes the contract lists (`FieldError.code` in openapi.yaml), sorted.
fn contract_error_codes() -> Vec<&'static str> {
    let contract = include_str!("../openapi.yaml");
    let schema = &contract[contract.find("    FieldError:").expect("FieldError schema")..];
    let list = &schema[schema.find("enum:").expect("code enum") + 5..];
    let mut codes: Vec<&str> = list
        .lines()
        .skip(1)
        .map_while(|line| line.trim().strip_prefix("- "))
        .collect();
    codes.sort_unstable();
    codes
}

#[tokio::test]
async fn a_422_lists_every_failing_field_at_once_including_attachments() {
    let data = TempDir::new("gw-api-422all");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(SMALL_LIMITS)
        .spawn()
        .await;
    let mut report = with(&valid(), "/title", json!(""));
    report = with(&report, "/reporter/nik", json!("6474013208900003"));
    report = with(&report, "/reporter/phone", json!("12"));
    let files = [file("x.png", "image/png", pdf(50))];
    let (status, body) = post(&gw.base, &key("all"), &report, &files).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"errors": [
            {"field": "title", "code": "required"},
            {"field": "reporter.nik", "code": "nik_birth_date"},
            {"field": "reporter.phone", "code": "phone_format"},
            {"field": "attachments[0]", "code": "file_type_mismatch"},
        ]})
    );
    // Nothing was stored for a refused report: no attachment directory appeared.
    let stored = std::fs::read_dir(data.join("attachments"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn status_table_rows_201_200_409_400_403_413() {
    let data = TempDir::new("gw-api-rows");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(SMALL_LIMITS)
        .spawn()
        .await;
    let http = client();
    let url = gw.url("/api/v1/reports");

    // 201, then 200 with the first body unchanged, then 409 with other content.
    let k = key("idem");
    let files = [
        Attachment::jpeg("foto.jpg", small_jpeg(7)),
        file("surat.pdf", "application/pdf", pdf(500)),
    ];
    let (status, first) = post(&gw.base, &k, &valid(), &files).await;
    assert_eq!(status, 201, "{first}");
    let id = first["tracking_id"]
        .as_str()
        .expect("tracking id")
        .to_owned();
    assert_eq!(first["status"], "received");
    assert!(
        id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
        "{id}"
    );
    let (status, replay) = post(&gw.base, &k, &valid(), &files).await;
    assert_eq!((status, &replay), (200, &first));
    let (status, body) = post(
        &gw.base,
        &k,
        &with(&valid(), "/title", json!("Judul lain yang berbeda")),
        &files,
    )
    .await;
    assert_eq!(
        (status, body),
        (409, json!({"error": "idempotency_conflict"}))
    );
    let (status, body) = post(&gw.base, &k, &valid(), &files[..1]).await;
    assert_eq!(
        (status, body),
        (409, json!({"error": "idempotency_conflict"}))
    );

    // Two reports get unrelated ids (random, not a sequence).
    let (_, second) = post(&gw.base, &key("idem2"), &valid(), &[]).await;
    assert_ne!(second["tracking_id"], first["tracking_id"]);

    // 400 rows: (description, request, detail fragment).
    let report_part = |text: &str| {
        reqwest::multipart::Form::new().part(
            "report",
            reqwest::multipart::Part::bytes(text.as_bytes().to_vec())
                .mime_str("application/json")
                .unwrap(),
        )
    };
    let bad: Vec<(&str, reqwest::RequestBuilder)> = vec![
        (
            "not multipart",
            http.post(&url)
                .header("Idempotency-Key", key("b"))
                .json(&valid()),
        ),
        (
            "no report part",
            http.post(&url)
                .header("Idempotency-Key", key("b"))
                .multipart(reqwest::multipart::Form::new().part(
                    "attachment",
                    reqwest::multipart::Part::bytes(pdf(100)).file_name("a.pdf"),
                )),
        ),
        (
            "malformed JSON",
            http.post(&url)
                .header("Idempotency-Key", key("b"))
                .multipart(report_part("{\"title\": ")),
        ),
        (
            "wrong shape",
            http.post(&url)
                .header("Idempotency-Key", key("b"))
                .multipart(report_part("[1, 2]")),
        ),
        (
            "unknown field",
            http.post(&url)
                .header("Idempotency-Key", key("b"))
                .multipart(report_form(
                    &with(&valid(), "/anonymous", json!(false))
                        .as_object()
                        .map(|o| {
                            let mut o = o.clone();
                            o.insert("titel".into(), json!("typo"));
                            Value::Object(o)
                        })
                        .unwrap(),
                    &[],
                )),
        ),
        (
            "key missing",
            http.post(&url).multipart(report_form(&valid(), &[])),
        ),
        (
            "key malformed",
            http.post(&url)
                .header("Idempotency-Key", "bad key!")
                .multipart(report_form(&valid(), &[])),
        ),
        (
            "key too long",
            http.post(&url)
                .header("Idempotency-Key", "k".repeat(65))
                .multipart(report_form(&valid(), &[])),
        ),
        (
            "unexpected part",
            http.post(&url)
                .header("Idempotency-Key", key("b"))
                .multipart(report_form(&valid(), &[]).text("extra", "x")),
        ),
    ];
    for (what, request) in bad {
        let response = request.send().await.expect(what);
        assert_eq!(response.status().as_u16(), 400, "{what}");
        let body: Value = response.json().await.expect(what);
        assert_eq!(body["error"], "bad_request", "{what}: {body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{what}: {body}"
        );
    }

    // 403: a registered origin may post, another may not, no Origin at all may.
    let response = http
        .post(&url)
        .header("Origin", "https://evil.example")
        .header("Idempotency-Key", key("o"))
        .multipart(report_form(&valid(), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "origin_not_allowed"})
    );
    let response = http
        .post(&url)
        .header("Idempotency-Key", key("kiosk"))
        .multipart(report_form(&valid(), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        201,
        "no Origin (curl, kiosk) is allowed"
    );

    // 413: a body over --max-body-bytes, and a report part over --max-report-bytes.
    let huge = [file("a.pdf", "application/pdf", pdf(130_000))];
    let (status, body) = post(&gw.base, &key("big"), &valid(), &huge).await;
    assert_eq!((status, body), (413, json!({"error": "too_large"})));
    let long_report = with(&valid(), "/content", json!("y".repeat(9000)));
    let (status, body) = post(&gw.base, &key("bigjson"), &long_report, &[]).await;
    assert_eq!((status, body), (413, json!({"error": "too_large"})));
    // A chunked body (no Content-Length) over the limit is cut off while streaming.
    let addr = gw.addr;
    let status_line = tokio::task::spawn_blocking(move || chunked_upload(addr, 200_000))
        .await
        .unwrap();
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
}

/// Posts a multipart body of about `size` bytes with `Transfer-Encoding: chunked`, by hand, and
/// returns the status line of the answer.
fn chunked_upload(addr: std::net::SocketAddr, size: usize) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST /api/v1/reports HTTP/1.1\r\nHost: {addr}\r\nIdempotency-Key: chunked-{}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n\r\n",
        std::process::id()
    );
    let _ = stream.write_all(head.as_bytes());
    let mut body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n{}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.4\n",
        valid()
    )
    .into_bytes();
    body.resize(size, b'a');
    // The server may answer and close before everything is sent: write errors are expected.
    for chunk in body.chunks(8192) {
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || stream.write_all(chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut line = String::new();
    let _ = BufReader::new(stream).read_line(&mut line);
    line
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let data = TempDir::new("gw-api-429");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--rate-limit-per-minute", "2"])
        .spawn()
        .await;
    for _ in 0..2 {
        let (status, body) = post(&gw.base, &key("r"), &valid(), &[]).await;
        assert_eq!(status, 201, "{body}");
    }
    let response = client()
        .post(gw.url("/api/v1/reports"))
        .header("Origin", ORIGIN)
        .header("Idempotency-Key", key("r"))
        .multipart(report_form(&valid(), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "Retry-After {retry}");
    assert_eq!(
        response.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap(),
        "Retry-After"
    );
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "rate_limited"})
    );

    // Without --trust-forwarded-for a client cannot escape its bucket by naming another address.
    let response = client()
        .post(gw.url("/api/v1/reports"))
        .header("X-Forwarded-For", "203.0.113.9")
        .header("Idempotency-Key", key("r"))
        .multipart(report_form(&valid(), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let data = TempDir::new("gw-api-xff");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--rate-limit-per-minute", "1", "--trust-forwarded-for"])
        .spawn()
        .await;
    let send = |ip: &'static str| {
        client()
            .post(gw.url("/api/v1/reports"))
            .header("X-Forwarded-For", format!("198.51.100.1, {ip}"))
            .header("Idempotency-Key", key("x"))
            .multipart(report_form(&valid(), &[]))
            .send()
    };
    // (client address, expected status)
    for (ip, status) in [
        ("203.0.113.1", 201),
        ("203.0.113.1", 429),
        ("203.0.113.2", 201),
    ] {
        assert_eq!(send(ip).await.unwrap().status().as_u16(), status, "{ip}");
    }
}

#[tokio::test]
async fn cors_preflight_and_responses_echo_only_registered_origins() {
    let data = TempDir::new("gw-api-cors");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--allow-origin", "https://second.example/"])
        .spawn()
        .await;
    let http = client();
    let preflight = |origin: &str| {
        http.request(reqwest::Method::OPTIONS, gw.url("/api/v1/reports"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type, idempotency-key",
            )
            .send()
    };
    let ok = preflight(ORIGIN).await.unwrap();
    assert_eq!(ok.status().as_u16(), 204);
    assert_eq!(ok.headers()["access-control-allow-origin"], ORIGIN);
    let methods = ok.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(methods.contains("POST"), "{methods}");
    let allowed = ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("idempotency-key"), "{allowed}");

    // The flag repeats; a trailing slash in the configuration does not matter.
    let second = preflight("https://second.example").await.unwrap();
    assert_eq!(second.status().as_u16(), 204);
    assert_eq!(
        second.headers()["access-control-allow-origin"],
        "https://second.example"
    );

    let refused = preflight("https://evil.example").await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    // GETs answer everyone, but only a registered origin gets the header that lets it read.
    for (origin, echoed) in [(ORIGIN, true), ("https://evil.example", false)] {
        let response = http
            .get(gw.url("/api/v1/config"))
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let acao = response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(acao, echoed.then(|| ORIGIN.to_owned()), "{origin}");
        assert!(response
            .headers()
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Origin")));
    }
    // A successful POST from a registered origin carries the echo, never `*`.
    let response = http
        .post(gw.url("/api/v1/reports"))
        .header("Origin", ORIGIN)
        .header("Idempotency-Key", key("c"))
        .multipart(report_form(&valid(), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
}

#[tokio::test]
async fn config_health_and_regions() {
    let data = TempDir::new("gw-api-cfg");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--max-files", "3", "--max-file-bytes", "1000000"])
        .spawn()
        .await;
    let http = client();
    let config: Value = http
        .get(gw.url("/api/v1/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        config["classifications"],
        json!(["pengaduan", "aspirasi", "permintaan_informasi"])
    );
    assert_eq!(
        config["attachments"],
        json!({"types": ["image/jpeg", "image/png", "application/pdf"], "max_file_bytes": 1000000,
               "max_files": 3, "max_total_bytes": 10485760})
    );
    assert_eq!(
        config["limits"],
        json!({"title_min": 10, "title_max": 150, "content_min": 30, "content_max": 4000})
    );
    assert_eq!(config["require_nik"], true);

    for path in ["/healthz", "/readyz"] {
        assert_eq!(
            http.get(gw.url(path))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            200,
            "{path}"
        );
    }

    // (path, status, a child code expected)
    let cases = [
        ("/api/v1/regions", 200, Some("64")),
        ("/api/v1/regions/64", 200, Some("6474")),
        ("/api/v1/regions/6474", 200, Some("647401")),
        ("/api/v1/regions/647401", 404, None),
        ("/api/v1/regions/99", 404, None),
        ("/api/v1/regions/abc", 404, None),
    ];
    for (path, status, child) in cases {
        let response = http.get(gw.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        let cache = response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap();
        match child {
            Some(child) => {
                assert_eq!(cache.as_deref(), Some("public, max-age=86400"), "{path}");
                let children = body["children"].as_array().unwrap();
                assert!(
                    children
                        .iter()
                        .any(|c| c["code"] == child
                            && c["name"].as_str().is_some_and(|n| !n.is_empty())),
                    "{path}: {body}"
                );
                assert!(body["name"].is_string());
            }
            None => assert_eq!(body, json!({"error": "not_found"}), "{path}"),
        }
    }
    let body: Value = http
        .get(gw.url("/api/v1/regions/64"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], "64");
}

#[tokio::test]
async fn widget_files_have_types_cache_headers_and_cors() {
    let data = TempDir::new("gw-api-widget");
    let widget = TempDir::new("gw-api-widget-files");
    for name in [
        "lapor-widget.js",
        "lapor_widget-3f9a1c2b.js",
        "lapor_widget_bg-3f9a1c2b.wasm",
        "lapor_widget-0011aabbcc.css",
        "notes.txt",
    ] {
        std::fs::write(widget.join(name), format!("/* {name} */")).unwrap();
    }
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--widget-dir", &widget.path().display().to_string()])
        .spawn()
        .await;
    let http = client();
    let immutable = "public, max-age=31536000, immutable";
    let cases = [
        (
            "lapor-widget.js",
            200,
            "text/javascript; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "lapor_widget-3f9a1c2b.js",
            200,
            "text/javascript; charset=utf-8",
            immutable,
        ),
        (
            "lapor_widget_bg-3f9a1c2b.wasm",
            200,
            "application/wasm",
            immutable,
        ),
        (
            "lapor_widget-0011aabbcc.css",
            200,
            "text/css; charset=utf-8",
            immutable,
        ),
        ("notes.txt", 404, "", ""),
        ("missing.js", 404, "", ""),
        ("..%2Fgateway.sqlite3", 404, "", ""),
        (".hidden.js", 404, "", ""),
    ];
    for (name, status, content_type, cache) in cases {
        let response = http
            .get(gw.url(&format!("/widget/{name}")))
            .header("Origin", ORIGIN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{name}");
        if status == 200 {
            let h = response.headers();
            assert_eq!(h["content-type"], content_type, "{name}");
            assert_eq!(h["cache-control"], cache, "{name}");
            assert_eq!(h["access-control-allow-origin"], ORIGIN, "{name}");
            assert_eq!(response.text().await.unwrap(), format!("/* {name} */"));
        }
    }
}

/// The bytes of a document the simulator received, as LAPOR! would keep them.
async fn simulator_document(sim: &common::Proc, id: &str) -> Vec<u8> {
    let response = client()
        .get(sim.url(&format!("/_simulator/documents/{id}")))
        .send()
        .await
        .expect("simulator document");
    assert_eq!(response.status(), 200, "document {id}");
    response.bytes().await.expect("document bytes").to_vec()
}

/// Polls the receipt until its status is `want`.
async fn receipt_until(base: &str, id: &str, want: &str) -> Value {
    let mut last = Value::Null;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        let (status, body) = common::get_report(&client(), base, id).await.unwrap();
        assert_eq!(status, 200, "{body}");
        if body["status"] == want {
            return body;
        }
        last = body;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("report {id} never became {want}: {last}");
}

#[tokio::test]
async fn forwarded_report_reaches_lapor_stripped_and_status_hides_the_reporter() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-api-fwd");
    let gw = gateway(data.path(), &sim.base)
        .args(["--status-sync-secs", "1"])
        .spawn()
        .await;
    let photo = jpeg_with_exif(3);
    assert!(contains(&photo, b"GPS-SECRET-MARKER"));
    let (status, body) = post(
        &gw.base,
        &key("f"),
        &valid(),
        &[Attachment::jpeg("foto.jpg", photo)],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["tracking_id"].as_str().unwrap().to_owned();

    // Sealed on disk: neither the photo nor its metadata can be read there.
    let stored = stored_files(&data, &id);
    assert_eq!(stored.len(), 1);
    for path in stored {
        let bytes = std::fs::read(path).unwrap();
        assert!(!bytes.starts_with(&[0xFF, 0xD8]));
        assert!(!contains(&bytes, b"GPS-SECRET-MARKER"));
        assert!(!contains(&bytes, b"JFIF"));
    }

    let receipt = receipt_until(&gw.base, &id, "forwarded").await;
    let text = receipt.to_string();
    for secret in [
        NIK,
        "Siti",
        "81234567890",
        "Lampu jalan",
        "lampu jalan",
        "SDN 001",
    ] {
        assert!(!text.contains(secret), "receipt shows {secret}: {text}");
    }
    assert_eq!(receipt["classification"], "pengaduan");
    assert!(receipt["received_at"].as_str().unwrap().ends_with("+07:00"));
    let complaint_id = receipt["lapor"]["complaint_id"]
        .as_str()
        .expect("complaint id")
        .to_owned();
    let keys: Vec<&String> = receipt.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "classification",
            "lapor",
            "received_at",
            "status",
            "tracking_id"
        ]
    );

    // What LAPOR! got: one complaint for this tracking id, no identity in its text (that goes
    // in a secret follow-up, tests/identity.rs), the photo without its metadata.
    let complaints = common::simulator_complaints(&client(), &sim.base).await;
    let ours: Vec<&Value> = complaints
        .iter()
        .filter(|c| c["request_id"] == id.as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{complaints:?}");
    let c = ours[0];
    assert_eq!(c["complaint_id"].as_str(), Some(complaint_id.as_str()));
    assert_eq!(c["classification_id"], 1);
    assert_eq!(c["location_id"], "647401");
    assert_eq!(c["date_of_incident"], "2026-11-01");
    assert!(!c["content"].as_str().unwrap().contains(NIK));
    let doc = c["attachments"][0]["id"]
        .as_str()
        .expect("one document")
        .to_owned();
    let bytes = simulator_document(&sim, &doc).await;
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    assert!(!contains(&bytes, b"GPS-SECRET-MARKER"));

    // The status sync picks up LAPOR!'s next status.
    let advanced = client()
        .post(sim.url(&format!("/_simulator/complaints/{complaint_id}/advance")))
        .send()
        .await
        .unwrap();
    assert!(advanced.status().is_success());
    let http = client();
    let (base, id2) = (gw.base.clone(), id.clone());
    wait_for("status sync", Duration::from_secs(20), async || {
        let (_, body) = common::get_report(&http, &base, &id2).await.unwrap();
        body["lapor"]["status_code"] == "tindak_lanjut"
            && body["lapor"]["status_name"] == "Tindak Lanjut"
    })
    .await;

    // Logs never carry the reporter's identity or the content. (A line is written a moment
    // after what it tells of is visible over HTTP: waited for, on a loaded machine.)
    wait_for(
        "logs name the tracking id",
        Duration::from_secs(10),
        async || gw.log_tail(1_000_000).contains(&id),
    )
    .await;
    let log = gw.log_tail(1_000_000);
    for secret in [NIK, "Siti", "81234567890", "Lampu jalan"] {
        assert!(!log.contains(secret), "log shows {secret}");
    }

    let (status, body) = common::get_report(&client(), &gw.base, "LPR-0000-0000-0000")
        .await
        .unwrap();
    assert_eq!((status, body), (404, json!({"error": "not_found"})));
    let (status, _) = common::get_report(&client(), &gw.base, "not%20an%20id")
        .await
        .unwrap();
    assert_eq!(status, 404);
}

const PNG_CANARY: &[u8] = b"PNG-CANARY-GPS -0.5034,117.1627";

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&lapor_core::strip::crc32(&out[4..]).to_be_bytes());
    out
}

/// A 2×2 RGB PNG, made by hand, with the canary in an eXIf (as GPS), a zxIf, a tEXt and a
/// private chunk.
fn png_with_metadata() -> Vec<u8> {
    let rows: Vec<u8> = [
        [0u8, 200, 30, 30, 30, 200, 30],
        [0, 30, 30, 200, 200, 200, 200],
    ]
    .concat();
    // A zlib stream of one stored block.
    let mut idat = vec![0x78, 0x01, 0x01];
    idat.extend_from_slice(&(rows.len() as u16).to_le_bytes());
    idat.extend_from_slice(&(!(rows.len() as u16)).to_le_bytes());
    idat.extend_from_slice(&rows);
    let (a, b) = rows.iter().fold((1u32, 0u32), |(a, b), &x| {
        let a = (a + u32::from(x)) % 65_521;
        (a, (b + a) % 65_521)
    });
    idat.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let ihdr = [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0];
    [
        &b"\x89PNG\r\n\x1a\n"[..],
        &png_chunk(b"IHDR", &ihdr),
        &png_chunk(
            b"eXIf",
            &[b"MM\0*\0\0\0\x08\0\0\0\0\0\0".as_slice(), PNG_CANARY].concat(),
        ),
        &png_chunk(b"zxIf", &[b"MM\0*".as_slice(), PNG_CANARY].concat()),
        &png_chunk(b"tEXt", &[b"GPS\0".as_slice(), PNG_CANARY].concat()),
        &png_chunk(b"prVt", PNG_CANARY),
        &png_chunk(b"IDAT", &idat),
        &png_chunk(b"IEND", &[]),
    ]
    .concat()
}

#[tokio::test]
async fn a_png_and_a_pdf_reach_lapor_without_their_metadata() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-api-meta");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let png = png_with_metadata();
    let pdf = pdf_with_metadata();
    assert!(contains(&png, PNG_CANARY));
    for canary in [AUTHOR_CANARY, XMP_CANARY] {
        assert!(contains(&pdf, canary.as_bytes()));
    }
    let files = [
        file("layar.png", "image/png", png),
        file("surat.pdf", "application/pdf", pdf),
    ];
    let (status, body) = post(&gw.base, &key("meta"), &valid(), &files).await;
    assert_eq!(status, 201, "{body}");
    let id = body["tracking_id"].as_str().unwrap().to_owned();
    receipt_until(&gw.base, &id, "forwarded").await;

    let canaries: [&[u8]; 9] = [
        PNG_CANARY,
        b"PNG-CANARY",
        b"zxIf",
        b"prVt",
        b"tEXt",
        AUTHOR_CANARY.as_bytes(),
        XMP_CANARY.as_bytes(),
        b"RahasiaWriter",
        b"xmpmeta",
    ];
    // Neither on the gateway's disk…
    for path in stored_files(&data, &id) {
        let bytes = std::fs::read(path).unwrap();
        for canary in canaries {
            assert!(
                !contains(&bytes, canary),
                "{} on disk",
                String::from_utf8_lossy(canary)
            );
        }
    }
    // …nor at LAPOR!, where both arrive as what they were.
    let complaints = common::simulator_complaints(&client(), &sim.base).await;
    let ours = complaints
        .iter()
        .find(|c| c["request_id"] == id.as_str())
        .expect("forwarded");
    let documents = ours["attachments"].as_array().expect("attachments");
    assert_eq!(documents.len(), 2, "{ours}");
    let mut received = Vec::new();
    for document in documents {
        let doc = document["id"].as_str().expect("document id");
        let bytes = simulator_document(&sim, doc).await;
        for canary in canaries {
            assert!(
                !contains(&bytes, canary),
                "{} at LAPOR!",
                String::from_utf8_lossy(canary)
            );
        }
        received.push(bytes);
    }
    assert!(received[0].starts_with(b"\x89PNG\r\n\x1a\n"));
    let kept: Vec<&[u8]> = [b"IHDR", b"IDAT", b"IEND"].map(|k| k.as_slice()).to_vec();
    for chunk in kept {
        assert!(contains(&received[0], chunk));
    }
    let cleaned = lopdf::Document::load_mem(&received[1]).expect("LAPOR! gets a readable PDF");
    assert_eq!(cleaned.get_pages().len(), 1);
    assert!(!cleaned.trailer.has(b"Info"));
    assert!(
        contains(&received[1], b"Surat keterangan"),
        "the page's text is still there"
    );
}

/// A PDF whose object streams inflate to `streams` × 2 MB of numbers: a few hundred KB that
/// lopdf, left alone, turns into gigabytes of objects.
fn pdf_bomb(streams: usize) -> Vec<u8> {
    use std::io::Write as _;
    let deflate = |data: &[u8]| {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    };
    let mut numbers = b"[".to_vec();
    numbers.extend(std::iter::repeat_n(*b"0 ", 1_000_000).flatten());
    numbers.push(b']');
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut rows: Vec<[u8; 6]> = vec![[0, 0, 0, 0, 0xFF, 0xFF]];
    let normal = |offset: usize| {
        let o = (offset as u32).to_be_bytes();
        [1, o[0], o[1], o[2], o[3], 0]
    };
    rows.push(normal(out.len()));
    out.extend_from_slice(b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n");
    rows.push(normal(out.len()));
    out.extend_from_slice(b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n");
    for i in 0..streams {
        let container = 3 + 2 * i as u32;
        let header = format!("{} 0 ", container + 1);
        let z = deflate(&[header.as_bytes(), &numbers].concat());
        rows.push(normal(out.len()));
        let c = container.to_be_bytes();
        rows.push([2, c[0], c[1], c[2], c[3], 0]);
        out.extend_from_slice(
            format!(
                "{container} 0 obj<</Type/ObjStm/N 1/First {}/Filter/FlateDecode/Length {}>>stream\n",
                header.len(),
                z.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&z);
        out.extend_from_slice(b"\nendstream endobj\n");
    }
    let xref_id = rows.len();
    let xref_at = out.len();
    rows.push(normal(xref_at));
    let table = deflate(&rows.concat());
    out.extend_from_slice(
        format!(
            "{xref_id} 0 obj<</Type/XRef/Size {}/W[1 4 1]/Root 1 0 R/Filter/FlateDecode/Length {}>>stream\n",
            rows.len(),
            table.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&table);
    out.extend_from_slice(format!("\nendstream endobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

#[tokio::test]
async fn hostile_pdfs_are_refused_and_the_gateway_stays_up() {
    let data = TempDir::new("gw-api-hostile");
    let gw = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    let bomb = pdf_bomb(100);
    assert!(bomb.len() < 300_000, "{}", bomb.len());
    // Nested a hundred thousand deep: more than any parser's stack, were it recursive.
    let deep = [
        &b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/Deep "[..],
        &"[".repeat(100_000).into_bytes(),
        &"]".repeat(100_000).into_bytes(),
        b">>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    ]
    .concat();
    let cases: [(&str, Vec<u8>, &[u16]); 2] = [("bomb", bomb, &[422]), ("deep", deep, &[201, 422])];
    for (what, bytes, statuses) in cases {
        let start = Instant::now();
        let files = [file("surat.pdf", "application/pdf", bytes)];
        let (status, body) = post(&gw.base, &key(what), &valid(), &files).await;
        assert!(statuses.contains(&status), "{what}: {status} {body}");
        if status == 422 {
            assert_eq!(
                body,
                json!({"errors": [{"field": "attachments[0]", "code": "file_type"}]}),
                "{what}"
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(25),
            "{what}: {:?}",
            start.elapsed()
        );
    }
    // The gateway is still there and takes the next report, PDF and all.
    let files = [file("surat.pdf", "application/pdf", pdf(2000))];
    let (status, body) = post(&gw.base, &key("after"), &valid(), &files).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn permanent_refusal_marks_failed_and_is_not_retried() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-api-fail");
    // LAPOR! refuses the report itself: 422, one of the two permanent answers (400, 422).
    common::set_faults(&client(), &sim.base, json!({"create_status": 422})).await;
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let (status, body) = post(&gw.base, &key("p"), &valid(), &[]).await;
    assert_eq!(status, 201);
    let id = body["tracking_id"].as_str().unwrap().to_owned();
    let receipt = receipt_until(&gw.base, &id, "failed").await;
    assert_eq!(receipt["lapor"], Value::Null);
    // The reason is kept for operators in the database.
    let db = std::fs::read(data.join("gateway.sqlite3")).unwrap_or_default();
    let wal = std::fs::read(data.join("gateway.sqlite3-wal")).unwrap_or_default();
    assert!(contains(&db, b"HTTP 422") || contains(&wal, b"HTTP 422"));
}

#[tokio::test]
async fn wrong_credentials_are_retried_and_delivery_survives_a_restart() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-api-401");
    let mut gw = gateway(data.path(), &sim.base)
        .env("LAPOR_TOKEN", "wrong-token")
        .spawn()
        .await;
    let (status, body) = post(
        &gw.base,
        &key("w"),
        &valid(),
        &[Attachment::jpeg("a.jpg", small_jpeg(9))],
    )
    .await;
    assert_eq!(status, 201);
    let id = body["tracking_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, receipt) = common::get_report(&client(), &gw.base, &id).await.unwrap();
    assert_eq!(
        receipt["status"], "received",
        "401 is retried, not a failure: {receipt}"
    );
    let exit = gw
        .terminate(Duration::from_secs(15))
        .expect("graceful exit on SIGTERM");
    assert!(exit.success(), "{exit:?}");

    let gw = gateway(data.path(), &sim.base).spawn().await;
    receipt_until(&gw.base, &id, "forwarded").await;
    let complaints = common::simulator_complaints(&client(), &sim.base).await;
    assert_eq!(common::count_by_request_id(&complaints).get(&id), Some(&1));
}

#[tokio::test]
async fn identity_is_not_readable_in_the_database_file() {
    let data = TempDir::new("gw-api-crypt");
    let gw = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    let report = with(&valid(), "/reporter/email", json!("siti.rahma@example.id"));
    let (status, body) = post(&gw.base, &key("e"), &report, &[]).await;
    assert_eq!(status, 201);
    let mut bytes = Vec::new();
    for name in ["gateway.sqlite3", "gateway.sqlite3-wal"] {
        bytes.extend(std::fs::read(data.join(name)).unwrap_or_default());
    }
    let tracking_id = body["tracking_id"].as_str().unwrap();
    assert!(
        contains(&bytes, tracking_id.as_bytes()),
        "the report's row is in the file"
    );
    // Neither the identity nor the citizen's words (title, content, location detail).
    for secret in [
        NIK.as_bytes(),
        b"Siti Rahma",
        b"81234567890",
        b"siti.rahma@example.id",
        b"Lampu jalan mati",
        b"Sudah dua minggu",
        b"depan SDN 001",
    ] {
        assert!(
            !contains(&bytes, secret),
            "{} readable",
            String::from_utf8_lossy(secret)
        );
    }
    // No key was configured: one was generated, readable by the owner only.
    let key_file = data.join("identity.key");
    let text = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(text.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

/// (The demo page is served by the simulator crate's `demo-site`, tested there: the
/// production binary has no static-site server.)
#[tokio::test]
async fn help_documents_flags() {
    let help = std::process::Command::new(common::binary())
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--listen",
        "--data-dir",
        "--allow-origin",
        "LAPOR_ALLOW_ORIGINS",
        "--upstream-url",
        "--credentials-file",
        "--encryption-key-file",
        "--rate-limit-per-minute",
        "--retry-base-ms",
        "--retry-max-ms",
        "--status-sync-secs",
        "--retention-days",
        "--widget-dir",
        "--upstream-followup-path",
        "--max-file-bytes",
        "--max-body-bytes",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    for gone in ["--site-dir", "simulate-lapor"] {
        assert!(
            !help.contains(gone),
            "the production binary still offers {gone}"
        );
    }
}

#[tokio::test]
async fn refuses_to_start_without_credentials() {
    let data = TempDir::new("gw-api-nocred");
    let mut gw = gateway(data.path(), "http://127.0.0.1:9")
        .without_credentials()
        .start();
    let exit = gw.wait_exit(Duration::from_secs(15)).expect("exits");
    assert!(!exit.success());
    assert!(gw.log_tail(2000).contains("credentials"));
}

#[tokio::test]
async fn retention_purge_removes_identity_and_files_but_keeps_the_receipt() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-api-purge");
    let gw = gateway(data.path(), &sim.base)
        .args(["--retention-days", "0", "--purge-interval-secs", "1"])
        .spawn()
        .await;
    let (status, body) = post(
        &gw.base,
        &key("pg"),
        &valid(),
        &[Attachment::jpeg("a.jpg", small_jpeg(5))],
    )
    .await;
    assert_eq!(status, 201);
    let id = body["tracking_id"].as_str().unwrap().to_owned();
    assert_eq!(stored_files(&data, &id).len(), 1);
    receipt_until(&gw.base, &id, "forwarded").await;
    wait_for("attachments purged", Duration::from_secs(20), async || {
        stored_files(&data, &id).is_empty()
    })
    .await;
    let (status, receipt) = common::get_report(&client(), &gw.base, &id).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(receipt["status"], "forwarded");
    assert!(receipt["lapor"]["complaint_id"].is_string());
    // The purge logs once its files are gone and its rows marked: a moment after.
    wait_for(
        "the purge's log line",
        Duration::from_secs(10),
        async || gw.log_tail(100_000).contains("personal data purged"),
    )
    .await;
}

#[tokio::test]
async fn numeric_complaint_ids_from_lapor_are_accepted() {
    let sim = simulator().args(["--numeric-complaint-ids"]).spawn().await;
    let data = TempDir::new("gw-api-numid");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let (status, body) = post(
        &gw.base,
        &key("n"),
        &with(&valid(), "/anonymous", json!(true)),
        &[],
    )
    .await;
    assert_eq!(status, 201);
    let id = body["tracking_id"].as_str().unwrap().to_owned();
    let receipt = receipt_until(&gw.base, &id, "forwarded").await;
    let complaint_id = receipt["lapor"]["complaint_id"]
        .as_str()
        .expect("complaint id as text");
    assert!(
        complaint_id.bytes().all(|b| b.is_ascii_digit()),
        "{complaint_id}"
    );
    // Anonymous: the identity does not go into LAPOR!'s content.
    let complaints = common::simulator_complaints(&client(), &sim.base).await;
    let ours = complaints
        .iter()
        .find(|c| c["request_id"] == id.as_str())
        .expect("delivered");
    assert_eq!(ours["is_anonymous"], true);
    assert!(!ours["content"].as_str().unwrap().contains(NIK));
}

common::on_postgres_too!(
    status_table_rows_201_200_409_400_403_413,
    config_health_and_regions,
    a_png_and_a_pdf_reach_lapor_without_their_metadata,
    wrong_credentials_are_retried_and_delivery_survives_a_restart,
    numeric_complaint_ids_from_lapor_are_accepted,
);

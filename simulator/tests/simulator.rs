//! The LAPOR! simulator over real HTTP, as the gateway's forwarder and the tests see it:
//! credentials, upload + create + status, fault injection, status steps, its own store.

// The gateway's test harness: the simulator is tested over HTTP as the gateway's tests use it.
#[path = "../../gateway/tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{simulator, small_jpeg, AUTHORIZATION, TOKEN};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

fn upload_form(files: &[(&str, &str, Vec<u8>)]) -> Form {
    let mut form = Form::new();
    for (name, mime, bytes) in files {
        let part = Part::bytes(bytes.clone())
            .file_name(name.to_string())
            .mime_str(mime)
            .unwrap();
        form = form.part("attachments[]", part);
    }
    form
}

fn authed(req: reqwest::RequestBuilder, request_id: &str) -> reqwest::RequestBuilder {
    req.header("Authorization", AUTHORIZATION)
        .header("token", TOKEN)
        .header("X-Request-Id", request_id)
}

fn complaint_body(attachments: &[String]) -> Value {
    json!({
        "title": "Lampu jalan mati di Jl. Ahmad Yani",
        "content": "Sudah dua minggu lampu jalan mati. Pelapor: Siti Rahma",
        "classification_id": 1,
        "category_id": null,
        "location_id": "647401",
        "date_of_incident": "2026-11-01",
        "is_anonymous": false,
        "is_secret": true,
        "attachments": attachments,
    })
}

/// Uploads one JPEG and creates a complaint with it; the complaint id.
async fn create_one(client: &reqwest::Client, base: &str, request_id: &str) -> String {
    let up = authed(
        client.post(format!("{base}/complaints/complaint/file")),
        request_id,
    )
    .multipart(upload_form(&[("bukti.jpg", "image/jpeg", small_jpeg(1))]))
    .send()
    .await
    .unwrap();
    assert_eq!(up.status(), 200);
    let up: Value = up.json().await.unwrap();
    let doc = up["results"]["docs"][0]["id"].as_str().unwrap().to_owned();
    let created = authed(
        client.post(format!("{base}/complaints/complaint")),
        request_id,
    )
    .json(&complaint_body(&[doc]))
    .send()
    .await
    .unwrap();
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.unwrap();
    created["results"]["complaint_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn refuses_to_start_without_credentials() {
    let mut sim = simulator().without_credentials().start();
    let status = sim
        .wait_exit(Duration::from_secs(20))
        .expect("simulator should exit by itself");
    assert!(!status.success());
    assert!(
        sim.log_tail(2000).contains("LAPOR_AUTHORIZATION"),
        "{}",
        sim.log_tail(2000)
    );
}

#[tokio::test]
async fn refuses_calls_without_the_right_credentials() {
    let sim = simulator().spawn().await;
    let client = common::client();
    let status_url = sim.url("/complaints/4100001/complaint");
    let none = client.get(&status_url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    let wrong_token = client
        .get(&status_url)
        .header("Authorization", AUTHORIZATION)
        .header("token", "not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_token.status(), 401);
    let only_token = client
        .post(sim.url("/complaints/complaint"))
        .header("token", TOKEN)
        .json(&complaint_body(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(only_token.status(), 401);
    assert!(common::simulator_complaints(&client, &sim.base)
        .await
        .is_empty());
    // With both headers right, the same status call reaches the store (and finds nothing).
    let right = authed(client.get(&status_url), "T-1").send().await.unwrap();
    assert_eq!(right.status(), 404);
}

#[tokio::test]
async fn upload_create_status_round_trip() {
    let sim = simulator().spawn().await;
    let client = common::client();
    let photo = small_jpeg(7);
    let pdf = b"%PDF-1.4\n%simulated\n".to_vec();
    let up = authed(
        client.post(sim.url("/complaints/complaint/file")),
        "TRK-ROUND-1",
    )
    .multipart(upload_form(&[
        ("foto.jpg", "image/jpeg", photo.clone()),
        ("surat.pdf", "application/pdf", pdf.clone()),
    ]))
    .send()
    .await
    .unwrap();
    assert_eq!(up.status(), 200);
    let up: Value = up.json().await.unwrap();
    let docs: Vec<String> = up["results"]["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(docs.len(), 2);

    let created = authed(client.post(sim.url("/complaints/complaint")), "TRK-ROUND-1")
        .json(&complaint_body(&docs))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.unwrap();
    let id = created["results"]["complaint_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let status = authed(
        client.get(sim.url(&format!("/complaints/{id}/complaint"))),
        "TRK-ROUND-1",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(status.status(), 200);
    let status: Value = status.json().await.unwrap();
    assert_eq!(status["results"]["complaint_id"], id.as_str());
    assert_eq!(status["results"]["status_code"], "verifikasi");
    assert_eq!(status["results"]["status_name"], "Verifikasi");
    assert!(status["results"]["updated_at"]
        .as_str()
        .unwrap()
        .ends_with("+07:00"));

    let list = common::simulator_complaints(&client, &sim.base).await;
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!(c["request_id"], "TRK-ROUND-1");
    assert_eq!(c["classification_id"], 1);
    assert_eq!(c["location_id"], "647401");
    assert_eq!(c["date_of_incident"], "2026-11-01");
    assert_eq!(c["is_secret"], true);
    assert_eq!(c["attachments"][0]["filename"], "foto.jpg");
    assert_eq!(c["attachments"][0]["content_type"], "image/jpeg");
    assert_eq!(c["attachments"][0]["size"], photo.len());
    assert_eq!(c["attachments"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(c["attachments"][1]["content_type"], "application/pdf");

    let raw = client
        .get(sim.url(&format!("/_simulator/documents/{}", docs[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.headers()["content-type"], "image/jpeg");
    assert_eq!(raw.bytes().await.unwrap().to_vec(), photo);
    let missing = client
        .get(sim.url("/_simulator/documents/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn refusals_are_permanent_4xx_with_a_reason() {
    let sim = simulator().spawn().await;
    let client = common::client();
    // A document id the simulator never handed out.
    let unknown = authed(client.post(sim.url("/complaints/complaint")), "TRK-BAD-1")
        .json(&complaint_body(&["simdoc-999".to_owned()]))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 422);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"], "validation_error");
    assert!(body["message"].as_str().unwrap().contains("simdoc-999"));
    // Wrong shape: every problem named.
    let shape = authed(client.post(sim.url("/complaints/complaint")), "TRK-BAD-2")
        .json(&json!({"title": "x", "classification_id": 9}))
        .send()
        .await
        .unwrap();
    assert_eq!(shape.status(), 422);
    let message = shape.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    for field in [
        "content",
        "classification_id",
        "location_id",
        "is_anonymous",
    ] {
        assert!(message.contains(field), "{field} in {message}");
    }
    // A file of a type LAPOR! does not take, and a part under the wrong name.
    let gif = authed(
        client.post(sim.url("/complaints/complaint/file")),
        "TRK-BAD-3",
    )
    .multipart(upload_form(&[(
        "a.gif",
        "image/gif",
        b"GIF89a....".to_vec(),
    )]))
    .send()
    .await
    .unwrap();
    assert_eq!(gif.status(), 422);
    let wrong_name = authed(
        client.post(sim.url("/complaints/complaint/file")),
        "TRK-BAD-4",
    )
    .multipart(
        Form::new().part(
            "file",
            Part::bytes(small_jpeg(2))
                .file_name("a.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong_name.status(), 422);
    assert!(common::simulator_complaints(&client, &sim.base)
        .await
        .is_empty());
}

#[tokio::test]
async fn faults_down_error_rate_and_latency() {
    let sim = simulator().spawn().await;
    let client = common::client();
    let status_url = sim.url("/complaints/4100001/complaint");
    let upstream = || authed(client.get(&status_url), "TRK-FAULT");

    let faults = common::set_faults(&client, &sim.base, json!({"down": true})).await;
    assert_eq!(
        faults,
        json!({"error_rate": 0.0, "latency_ms": 0, "down": true})
    );
    assert_eq!(upstream().send().await.unwrap().status(), 503);
    // Inspection keeps working while "down".
    assert!(common::simulator_complaints(&client, &sim.base)
        .await
        .is_empty());
    assert_eq!(
        client
            .get(sim.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    common::set_faults(
        &client,
        &sim.base,
        json!({"down": false, "error_rate": 1.0}),
    )
    .await;
    for _ in 0..5 {
        assert_eq!(upstream().send().await.unwrap().status(), 503);
    }
    common::set_faults(&client, &sim.base, json!({"error_rate": 0.5})).await;
    let mut failed = 0;
    for _ in 0..200 {
        if upstream().send().await.unwrap().status() == 503 {
            failed += 1;
        }
    }
    assert!(
        (60..=140).contains(&failed),
        "about half of 200 calls should fail, {failed} did"
    );

    common::set_faults(
        &client,
        &sim.base,
        json!({"error_rate": 0.0, "latency_ms": 300}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(upstream().send().await.unwrap().status(), 404);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let refused = client
        .post(sim.url("/_simulator/faults"))
        .json(&json!({"error_rate": 2.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    // A key that names no fault, or a value of the wrong type, is refused whole.
    for bad in [
        json!({"latency_ms": 10, "no_such_fault": true}),
        json!({"latency_ms": 10, "down": "yes"}),
    ] {
        let refused = client
            .post(sim.url("/_simulator/faults"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400, "{bad}");
    }
    let faults: Value = client
        .get(sim.url("/_simulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        faults,
        json!({"error_rate": 0.0, "latency_ms": 300, "down": false})
    );
}

#[tokio::test]
async fn faults_from_flags() {
    let sim = simulator().args(["--down"]).spawn().await;
    let client = common::client();
    let call = authed(client.get(sim.url("/complaints/1/complaint")), "TRK-FLAG");
    assert_eq!(call.send().await.unwrap().status(), 503);
    let sim = simulator().args(["--error-rate", "1.0"]).spawn().await;
    let call = authed(client.get(sim.url("/complaints/1/complaint")), "TRK-FLAG");
    assert_eq!(call.send().await.unwrap().status(), 503);
}

#[tokio::test]
async fn statuses_advance_by_hand_and_over_time() {
    let sim = simulator().spawn().await;
    let client = common::client();
    let id = create_one(&client, &sim.base, "TRK-ADV").await;
    let mut seen = Vec::new();
    for _ in 0..5 {
        let r = client
            .post(sim.url(&format!("/_simulator/complaints/{id}/advance")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        seen.push(v["results"]["status_code"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        seen,
        [
            "tindak_lanjut",
            "tanggapan",
            "selesai",
            "selesai",
            "selesai"
        ]
    );
    let unknown = client
        .post(sim.url("/_simulator/complaints/1/advance"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // One step a second: within a few seconds the complaint has moved on by itself.
    let timed = simulator().args(["--status-step-secs", "1"]).spawn().await;
    let id = create_one(&client, &timed.base, "TRK-TIMED").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut code = String::new();
    while Instant::now() < deadline {
        let r = authed(
            client.get(timed.url(&format!("/complaints/{id}/complaint"))),
            "TRK-TIMED",
        )
        .send()
        .await
        .unwrap();
        let v: Value = r.json().await.unwrap();
        code = v["results"]["status_code"].as_str().unwrap().to_owned();
        if code == "tanggapan" || code == "selesai" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        code == "tanggapan" || code == "selesai",
        "status after ~2 s: {code}"
    );
}

#[tokio::test]
async fn numeric_complaint_ids_on_request() {
    let sim = simulator().args(["--numeric-complaint-ids"]).spawn().await;
    let client = common::client();
    let r = authed(client.post(sim.url("/complaints/complaint")), "TRK-NUM")
        .json(&complaint_body(&[]))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let n = v["results"]["complaint_id"]
        .as_u64()
        .expect("a JSON number");
    let status = authed(
        client.get(sim.url(&format!("/complaints/{n}/complaint"))),
        "TRK-NUM",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(status.status(), 200);
}

#[tokio::test]
async fn discarding_documents_keeps_their_metadata() {
    let sim = simulator().args(["--discard-documents"]).spawn().await;
    let client = common::client();
    create_one(&client, &sim.base, "TRK-DISCARD").await;
    let list = common::simulator_complaints(&client, &sim.base).await;
    let doc = &list[0]["attachments"][0];
    assert_eq!(doc["size"], small_jpeg(1).len());
    let raw = client
        .get(sim.url(&format!(
            "/_simulator/documents/{}",
            doc["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 410);
}

#[tokio::test]
async fn own_store_survives_a_killed_simulator() {
    let dir = common::TempDir::new("lapor-sim-store");
    let mut sim = simulator()
        .args(["--data-dir", &dir.path().display().to_string()])
        .spawn()
        .await;
    let client = common::client();
    let id = create_one(&client, &sim.base, "TRK-KEEP").await;
    let addr = sim.addr;
    sim.kill();
    let sim = simulator()
        .addr(addr)
        .args(["--data-dir", &dir.path().display().to_string()])
        .spawn()
        .await;
    let list = common::simulator_complaints(&client, &sim.base).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["complaint_id"], id.as_str());
    assert_eq!(list[0]["request_id"], "TRK-KEEP");
    // New ids continue after the old ones instead of colliding with them.
    let second = create_one(&client, &sim.base, "TRK-KEEP-2").await;
    assert_ne!(second, id);
}

#[tokio::test]
async fn stops_gracefully_on_sigterm() {
    let mut sim = simulator().spawn().await;
    let status = sim
        .terminate(Duration::from_secs(10))
        .expect("simulator should exit on SIGTERM");
    assert!(
        status.success(),
        "SIGTERM should end the simulator cleanly, not kill it: {status}"
    );
    assert!(
        sim.log_tail(4000).contains("LAPOR! simulator stopped"),
        "{}",
        sim.log_tail(4000)
    );
}

/// The benchmark's attachments are real JPEGs of the size it claims to send.
#[test]
fn harness_makes_real_jpegs_of_the_asked_size() {
    let big = common::jpeg_about(500 * 1000, 1);
    assert!(
        (450_000..=550_000).contains(&big.len()),
        "{} bytes",
        big.len()
    );
    for jpeg in [&big, &small_jpeg(3)] {
        assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF], "starts with SOI");
        assert_eq!(&jpeg[jpeg.len() - 2..], &[0xFF, 0xD9], "ends with EOI");
    }
    assert_ne!(
        small_jpeg(3),
        small_jpeg(4),
        "different seeds, different files"
    );
}

//! An honest forwarder, over real HTTP against the real binary and the LAPOR! simulator's
//! injected faults: a `2xx` without a complaint id is parked, never posted again; only `400`
//! and `422` fail a report; `403`, `404` and `5xx` are retried; a `409` is reconciled with the
//! complaint LAPOR! has; no redirect is followed; a report that cannot be prepared fails with
//! its reason; operators see and re-drive parked and failed reports with `lapor-gateway outbox`.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{client, gateway, set_faults, simulator, small_jpeg, Attachment, TempDir};
use serde_json::{json, Value};

async fn file(gateway_base: &str, key: &str, files: &[Attachment]) -> String {
    common::file_report(gateway_base, key, &common::valid_report_json(), files).await
}

async fn receipt(gateway_base: &str, id: &str) -> Value {
    let (status, body) = common::get_report(&client(), gateway_base, id)
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

async fn receipt_until(gateway_base: &str, id: &str, want: &str) -> Value {
    let start = Instant::now();
    loop {
        let body = receipt(gateway_base, id).await;
        if body["status"] == want {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{id} never became {want}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many complaints the simulator holds for a tracking id.
async fn complaints_for(sim_base: &str, id: &str) -> usize {
    let all = common::simulator_complaints(&client(), sim_base).await;
    common::count_by_request_id(&all)
        .get(id)
        .copied()
        .unwrap_or(0)
}

/// `lapor-gateway outbox …` on a data directory: (success, its output).
fn outbox(data: &TempDir, args: &[&str]) -> (bool, String) {
    let dir = data.path().display().to_string();
    let store = common::store_args(data.path());
    let args: Vec<&str> = ["outbox"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["--data-dir", dir.as_str()])
        .chain(store.iter().map(String::as_str))
        .collect();
    common::run_cli(&args)
}

/// The `outbox list` line of one report.
fn outbox_line(data: &TempDir, id: &str) -> Option<String> {
    let (ok, text) = outbox(data, &["list", "--all"]);
    assert!(ok, "outbox list failed");
    text.lines()
        .find(|l| l.starts_with(&format!("{id}\t")))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_2xx_without_a_complaint_id_is_parked_and_never_posted_again() {
    let sim = simulator().spawn().await;
    set_faults(&client(), &sim.base, json!({"create_without_id": true})).await;
    let data = TempDir::new("gw-fwd-noid");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let id = file(&gw.base, "noid", &[]).await;

    let start = Instant::now();
    while outbox_line(&data, &id).is_none_or(|l| !l.contains("\tparked\t")) {
        assert!(start.elapsed() < Duration::from_secs(20), "never parked");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Retries at 50 ms would have posted it many times by now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        complaints_for(&sim.base, &id).await,
        1,
        "posted exactly once"
    );
    let line = outbox_line(&data, &id).unwrap();
    assert!(line.contains("HTTP 200"), "{line}");
    assert!(
        !line.contains("Siti") && !line.contains("6474015708900003"),
        "{line}"
    );
    // The citizen's receipt still says received: LAPOR! has not confirmed it.
    assert_eq!(receipt(&gw.base, &id).await["status"], "received");
}

#[tokio::test]
async fn forbidden_not_found_and_unavailable_are_retried_not_failed() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-fwd-403");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    for status in [403, 404, 405, 503] {
        set_faults(&client(), &sim.base, json!({"create_status": status})).await;
        let id = file(&gw.base, &format!("retry-{status}"), &[]).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let line = outbox_line(&data, &id).expect("in the outbox");
        assert!(line.contains("\treceived\t"), "{status}: {line}");
        assert!(line.contains(&format!("HTTP {status}")), "{status}: {line}");
        assert_eq!(receipt(&gw.base, &id).await["status"], "received");
        set_faults(&client(), &sim.base, json!({"create_status": 0})).await;
        receipt_until(&gw.base, &id, "forwarded").await;
        assert_eq!(complaints_for(&sim.base, &id).await, 1);
    }
}

#[tokio::test]
async fn a_conflict_is_reconciled_with_the_complaint_lapor_already_has() {
    let sim = simulator().spawn().await;
    // LAPOR! creates the complaint but the answer is lost; the next create finds it (409).
    set_faults(
        &client(),
        &sim.base,
        json!({"lose_create_answers": true, "dedupe_request_ids": true}),
    )
    .await;
    let data = TempDir::new("gw-fwd-409");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let id = file(&gw.base, "conflict", &[]).await;
    let start = Instant::now();
    while complaints_for(&sim.base, &id).await == 0 {
        assert!(start.elapsed() < Duration::from_secs(20), "never created");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    set_faults(&client(), &sim.base, json!({"lose_create_answers": false})).await;
    let body = receipt_until(&gw.base, &id, "forwarded").await;
    let all = common::simulator_complaints(&client(), &sim.base).await;
    let ours: Vec<&Value> = all
        .iter()
        .filter(|c| c["request_id"] == id.as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{all:?}");
    assert_eq!(body["lapor"]["complaint_id"], ours[0]["complaint_id"]);
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_the_credentials_stay_home() {
    // A second listener that counts every connection and keeps what it was sent.
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_addr = elsewhere.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(tokio::sync::Mutex::new(Vec::<u8>::new()));
    let (count, log) = (connections.clone(), seen.clone());
    let listener = tokio::spawn(async move {
        use tokio::io::AsyncReadExt as _;
        loop {
            let Ok((mut socket, _)) = elsewhere.accept().await else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            let mut buf = vec![0; 65536];
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_secs(1), socket.read(&mut buf)).await
            {
                log.lock().await.extend_from_slice(&buf[..n]);
            }
        }
    });

    let sim = simulator().spawn().await;
    set_faults(
        &client(),
        &sim.base,
        json!({"redirect_to": format!("http://{elsewhere_addr}")}),
    )
    .await;
    let data = TempDir::new("gw-fwd-307");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let id = file(
        &gw.base,
        "redirect",
        &[Attachment::jpeg("a.jpg", small_jpeg(5))],
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let line = outbox_line(&data, &id).expect("in the outbox");
    assert!(
        line.contains("\treceived\t") && line.contains("HTTP 307"),
        "{line}"
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
    assert!(!String::from_utf8_lossy(&seen.lock().await).contains(common::TOKEN));

    set_faults(&client(), &sim.base, json!({"redirect_to": ""})).await;
    receipt_until(&gw.base, &id, "forwarded").await;
    listener.abort();
}

#[tokio::test]
async fn a_report_whose_attachment_is_gone_fails_with_its_reason_and_an_operator_can_retry() {
    let sim = simulator().spawn().await;
    set_faults(&client(), &sim.base, json!({"down": true})).await;
    let data = TempDir::new("gw-fwd-gone");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let id = file(
        &gw.base,
        "gone",
        &[Attachment::jpeg("a.jpg", small_jpeg(6))],
    )
    .await;
    let path = data.join("attachments").join(format!("{id}.bin"));
    let bytes = std::fs::read(&path).expect("stored attachment");
    std::fs::remove_file(&path).unwrap();
    set_faults(&client(), &sim.base, json!({"down": false})).await;
    receipt_until(&gw.base, &id, "failed").await;
    let line = outbox_line(&data, &id).expect("listed");
    assert!(
        line.contains("\tfailed\t") && line.contains("attachment file missing"),
        "{line}"
    );

    // The operator puts the file back and re-drives the report.
    std::fs::write(&path, bytes).unwrap();
    let (ok, text) = outbox(&data, &["retry", &id]);
    assert!(ok, "{text}");
    receipt_until(&gw.base, &id, "forwarded").await;
    assert_eq!(complaints_for(&sim.base, &id).await, 1);
    let (ok, _) = outbox(&data, &["retry", &id]);
    assert!(!ok, "a forwarded report has nothing to retry");
    let (ok, _) = outbox(&data, &["park", "LPR-NONE-SUCH"]);
    assert!(!ok, "an unknown report cannot be parked");
}

#[tokio::test]
async fn an_operator_can_park_a_report_and_resume_it() {
    let sim = simulator().spawn().await;
    set_faults(&client(), &sim.base, json!({"down": true})).await;
    let data = TempDir::new("gw-fwd-park");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let id = file(&gw.base, "park", &[]).await;
    let (ok, text) = outbox(&data, &["park", &id]);
    assert!(ok, "{text}");
    // An attempt that had taken the report before it was parked may still be on its way; it
    // meets LAPOR! down and ends. Only then does LAPOR! come back (the retries are at most a
    // second apart in the tests).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    set_faults(&client(), &sim.base, json!({"down": false})).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        complaints_for(&sim.base, &id).await,
        0,
        "a parked report is not sent"
    );
    assert!(outbox_line(&data, &id).unwrap().contains("\tparked\t"));
    let (ok, text) = outbox(&data, &["retry", &id]);
    assert!(ok, "{text}");
    receipt_until(&gw.base, &id, "forwarded").await;
}

#[tokio::test]
async fn an_http_upstream_is_refused_unless_allowed() {
    let data = TempDir::new("gw-fwd-https");
    let mut gw = common::Spawn::new(common::Role::Gateway)
        .args([
            "--data-dir",
            &data.path().display().to_string(),
            "--upstream-url",
            "http://lapor.example.invalid",
        ])
        .start();
    let exit = gw.wait_exit(Duration::from_secs(15)).expect("exits");
    assert!(!exit.success());
    assert!(
        gw.log_tail(4000).contains("https://"),
        "{}",
        gw.log_tail(4000)
    );
}

common::on_postgres_too!(
    a_2xx_without_a_complaint_id_is_parked_and_never_posted_again,
    forbidden_not_found_and_unavailable_are_retried_not_failed,
    a_conflict_is_reconciled_with_the_complaint_lapor_already_has,
    a_redirect_is_not_followed_and_the_credentials_stay_home,
    an_operator_can_park_a_report_and_resume_it,
);

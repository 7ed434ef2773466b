//! `lapor-gateway migrate-store`: a SQLite gateway's reports moved into PostgreSQL, over the
//! real binary. PostgreSQL only: without `LAPOR_TEST_DATABASE_URL` this test prints
//! `SKIPPED` (and fails under `CI=true`), see `common::on_postgres`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{client, simulator, small_jpeg, Attachment, TempDir};
use serde_json::{json, Value};

/// `lapor-gateway migrate-store` on `data_dir` into the database of its PostgreSQL gateways.
fn migrate_store(data_dir: &Path) -> (bool, String) {
    let dir = data_dir.display().to_string();
    let store = common::store_args(data_dir);
    let mut args = vec!["migrate-store", "--data-dir", dir.as_str()];
    args.extend(store.iter().map(String::as_str));
    common::run_cli(&args)
}

/// The receipt of `id`, once `ready` holds for it.
async fn receipt_when(base: &str, id: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = common::get_report(&client(), base, id)
            .await
            .expect("status call");
        assert_eq!(status, 200, "{body}");
        if ready(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{id}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The simulator's complaint for `id`, once it has its identity follow-up.
async fn complaint_with_followup(sim_base: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let all = common::simulator_complaints(&client(), sim_base).await;
        let found = all.into_iter().find(|c| {
            c["request_id"] == id && c["followups"].as_array().is_some_and(|f| !f.is_empty())
        });
        if let Some(c) = found {
            return c;
        }
        assert!(Instant::now() < deadline, "{id}: never delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The bytes of every document of a complaint, as LAPOR! got them.
async fn documents(sim: &common::Proc, complaint: &Value) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for doc in complaint["attachments"].as_array().expect("attachments") {
        let id = doc["id"].as_str().expect("document id");
        let bytes = client()
            .get(sim.url(&format!("/_simulator/documents/{id}")))
            .send()
            .await
            .expect("document")
            .bytes()
            .await
            .expect("document bytes");
        out.push(bytes.to_vec());
    }
    out
}

/// A SQLite gateway gets four reports: one forwarded (with two photos), then, LAPOR! away,
/// one pending with the same two photos, one pending without attachments, one anonymous.
/// `migrate-store` refuses while the gateway runs; stopped, it moves all four. A gateway on
/// PostgreSQL answers every status as the SQLite one did, forwards the pending ones (photos
/// byte for byte as the first report's went, identity as a secret follow-up) and not the
/// forwarded one again. A second run moves nothing.
#[test]
fn migrate_store_moves_a_sqlite_gateway_to_postgresql() {
    common::on_postgres("migrate_store_moves_a_sqlite_gateway_to_postgresql", || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(moves())
    });
}

async fn moves() {
    let data = TempDir::new("gw-migrate");
    let photos = || {
        [
            Attachment::jpeg("satu.jpg", small_jpeg(11)),
            Attachment::jpeg("dua.jpg", small_jpeg(12)),
        ]
    };
    let report = common::valid_report_json();
    let mut anonymous = report.clone();
    anonymous["anonymous"] = json!(true);

    let first_sim = simulator().spawn().await;
    let mut old = common::sqlite_gateway(data.path(), &first_sim.base)
        .spawn()
        .await;
    let forwarded = common::file_report(&old.base, "m-forwarded", &report, &photos()).await;
    complaint_with_followup(&first_sim.base, &forwarded).await;
    receipt_when(&old.base, &forwarded, |r| r["status"] == "forwarded").await;
    let first_complaints = common::simulator_complaints(&client(), &first_sim.base).await;
    let sent = first_complaints
        .iter()
        .find(|c| c["request_id"] == forwarded.as_str())
        .expect("forwarded");
    let sent_photos = documents(&first_sim, sent).await;
    assert_eq!(sent_photos.len(), 2);
    drop(first_sim);

    let pending = common::file_report(&old.base, "m-pending", &report, &photos()).await;
    let plain = common::file_report(&old.base, "m-plain", &report, &[]).await;
    let anon = common::file_report(&old.base, "m-anon", &anonymous, &[]).await;
    let ids = [&forwarded, &pending, &plain, &anon];
    let mut before = Vec::new();
    for id in ids {
        before.push(common::get_report(&client(), &old.base, id).await.unwrap());
    }
    assert_eq!(before[1].1["status"], "received", "{:?}", before[1]);

    // Not while the gateway runs on the data directory.
    let (ok, text) = migrate_store(data.path());
    assert!(!ok && text.contains("in use"), "{text}");
    let exit = old.terminate(Duration::from_secs(20));
    assert!(exit.is_some_and(|s| s.success()), "{}", old.log_tail(2000));

    let (ok, text) = migrate_store(data.path());
    assert!(ok, "{text}");
    assert!(
        text.contains("4 in the SQLite store, 4 moved, 0 already in the database, 0 not moved"),
        "{text}"
    );
    assert!(text.contains("counts verified"), "{text}");
    for canary in ["6474015708900003", "Lampu jalan", "@"] {
        assert!(!text.contains(canary), "{canary} printed: {text}");
    }

    // On PostgreSQL, LAPOR! away: every status as before.
    let mut new = common::gateway(data.path(), "http://127.0.0.1:9")
        .spawn()
        .await;
    for (id, (status, body)) in ids.iter().zip(&before) {
        let now = common::get_report(&client(), &new.base, id).await.unwrap();
        assert_eq!((status, body), (&now.0, &now.1), "{id}");
    }
    let exit = new.terminate(Duration::from_secs(20));
    assert!(exit.is_some_and(|s| s.success()), "{}", new.log_tail(2000));

    // LAPOR! back: the pending reports go, the forwarded one does not go again.
    let sim = simulator().spawn().await;
    let new = common::gateway(data.path(), &sim.base).spawn().await;
    let complaint = complaint_with_followup(&sim.base, &pending).await;
    assert_eq!(complaint["followups"][0]["is_secret"], true);
    assert!(complaint["followups"][0]["content"]
        .as_str()
        .unwrap()
        .contains("6474015708900003"));
    assert_eq!(documents(&sim, &complaint).await, sent_photos);
    complaint_with_followup(&sim.base, &plain).await;
    for id in [&pending, &plain, &anon] {
        receipt_when(&new.base, id, |r| r["status"] == "forwarded").await;
    }
    let complaints = common::simulator_complaints(&client(), &sim.base).await;
    let counts = common::count_by_request_id(&complaints);
    assert_eq!(counts.get(forwarded.as_str()), None, "{counts:?}");
    assert_eq!(complaints.len(), 3, "{counts:?}");
    drop(new);

    // Run again: nothing more moves.
    let (ok, text) = migrate_store(data.path());
    assert!(ok, "{text}");
    assert!(
        text.contains("4 in the SQLite store, 0 moved, 4 already in the database, 0 not moved"),
        "{text}"
    );
}

/// A report whose attachment file is gone is not moved: listed by tracking id, the others
/// moved, the command exits non-zero, and so does every run after it until it is dealt with.
#[test]
fn migrate_store_lists_a_report_whose_attachment_file_is_missing() {
    common::on_postgres(
        "migrate_store_lists_a_report_whose_attachment_file_is_missing",
        || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(missing_file())
        },
    );
}

async fn missing_file() {
    let data = TempDir::new("gw-migrate-missing");
    let mut old = common::sqlite_gateway(data.path(), "http://127.0.0.1:9")
        .spawn()
        .await;
    let report = common::valid_report_json();
    let photo = || [Attachment::jpeg("foto.jpg", small_jpeg(21))];
    let kept = common::file_report(&old.base, "mm-kept", &report, &photo()).await;
    let lost = common::file_report(&old.base, "mm-lost", &report, &photo()).await;
    let exit = old.terminate(Duration::from_secs(20));
    assert!(exit.is_some_and(|s| s.success()), "{}", old.log_tail(2000));
    std::fs::remove_file(data.join("attachments").join(format!("{lost}.bin"))).unwrap();

    let (ok, text) = migrate_store(data.path());
    assert!(!ok, "{text}");
    assert!(text.contains(&format!("{lost}: not moved")), "{text}");
    assert!(!text.contains(&format!("{kept}: not moved")), "{text}");
    assert!(
        text.contains("2 in the SQLite store, 1 moved, 0 already in the database, 1 not moved"),
        "{text}"
    );
    let (ok, text) = migrate_store(data.path());
    assert!(!ok, "{text}");
    assert!(
        text.contains("2 in the SQLite store, 0 moved, 1 already in the database, 1 not moved"),
        "{text}"
    );
    let gw = common::gateway(data.path(), "http://127.0.0.1:9")
        .spawn()
        .await;
    let (status, _) = common::get_report(&client(), &gw.base, &kept)
        .await
        .unwrap();
    assert_eq!(status, 200);
    let (status, _) = common::get_report(&client(), &gw.base, &lost)
        .await
        .unwrap();
    assert_eq!(status, 404);
}

/// A database that records another key than the data directory's gets nothing.
#[test]
fn migrate_store_refuses_a_database_sealed_with_another_key() {
    common::on_postgres(
        "migrate_store_refuses_a_database_sealed_with_another_key",
        || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(other_key())
        },
    );
}

async fn other_key() {
    let (first, second) = (TempDir::new("gw-migrate-k1"), TempDir::new("gw-migrate-k2"));
    let report = common::valid_report_json();
    for (data, key) in [(&first, "mk-1"), (&second, "mk-2")] {
        let mut gw = common::sqlite_gateway(data.path(), "http://127.0.0.1:9")
            .spawn()
            .await;
        common::file_report(&gw.base, key, &report, &[]).await;
        assert!(gw
            .terminate(Duration::from_secs(20))
            .is_some_and(|s| s.success()));
    }
    let (ok, text) = migrate_store(first.path());
    assert!(ok, "{text}");
    // The second data directory (its own generated key) onto the first one's database.
    common::share_store(first.path(), second.path());
    let (ok, text) = migrate_store(second.path());
    assert!(!ok, "{text}");
    assert!(text.contains("sealed with key"), "{text}");
    assert!(!text.contains("moved"), "{text}");
}

/// Two data directories (one key) moved into one database: a report whose idempotency key
/// the database already holds for another report is listed and not moved.
#[test]
fn migrate_store_lists_a_report_whose_idempotency_key_is_taken() {
    common::on_postgres(
        "migrate_store_lists_a_report_whose_idempotency_key_is_taken",
        || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(key_taken())
        },
    );
}

async fn key_taken() {
    let (first, second) = (TempDir::new("gw-migrate-i1"), TempDir::new("gw-migrate-i2"));
    let report = common::valid_report_json();
    let mut gw = common::sqlite_gateway(first.path(), "http://127.0.0.1:9")
        .spawn()
        .await;
    common::file_report(&gw.base, "same-key", &report, &[]).await;
    assert!(gw
        .terminate(Duration::from_secs(20))
        .is_some_and(|s| s.success()));
    std::fs::copy(first.join("identity.key"), second.join("identity.key")).unwrap();
    let mut gw = common::sqlite_gateway(second.path(), "http://127.0.0.1:9")
        .spawn()
        .await;
    let taken = common::file_report(&gw.base, "same-key", &report, &[]).await;
    let other = common::file_report(&gw.base, "other-key", &report, &[]).await;
    assert!(gw
        .terminate(Duration::from_secs(20))
        .is_some_and(|s| s.success()));

    let (ok, text) = migrate_store(first.path());
    assert!(ok, "{text}");
    common::share_store(first.path(), second.path());
    let (ok, text) = migrate_store(second.path());
    assert!(!ok, "{text}");
    assert!(text.contains(&format!("{taken}: not moved")), "{text}");
    assert!(!text.contains(&format!("{other}: not moved")), "{text}");
    assert!(text.contains("1 moved"), "{text}");
}

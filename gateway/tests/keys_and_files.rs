//! Keys and files, over real HTTP against the real binary: a store that holds sealed reports
//! is never given a new key; `keys rotate` re-seals everything and the reports still reach
//! LAPOR! whole; the data directory is private whatever the umask; attachment files no report
//! names are swept at start; one process per data directory.

mod common;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use common::{client, gateway, set_faults, simulator, small_jpeg, Attachment, TempDir};
use serde_json::{json, Value};

async fn file(gateway_base: &str, key: &str, files: &[Attachment]) -> String {
    common::file_report(gateway_base, key, &common::valid_report_json(), files).await
}

use common::run_cli as run;

/// The gateway exits at start: its log.
fn refused_start(spawn: common::Spawn) -> String {
    let mut gw = spawn.start();
    let exit = gw
        .wait_exit(Duration::from_secs(15))
        .expect("exits at start");
    assert!(!exit.success());
    gw.log_tail(8000)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_store_with_sealed_reports_refuses_a_missing_or_other_key() {
    let data = TempDir::new("gw-keys-refuse");
    let mut gw = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    file(&gw.base, "k1", &[]).await;
    gw.terminate(Duration::from_secs(15)).expect("stops");
    let (ok, text) = run(&[
        "keys",
        "fingerprint",
        "--data-dir",
        &data.path().display().to_string(),
    ]);
    assert!(ok, "{text}");
    let fingerprint = text
        .lines()
        .find_map(|l| l.strip_prefix("key the store expects: "))
        .expect("fingerprint line")
        .to_owned();
    assert_eq!(fingerprint.len(), 16, "{text}");

    // The key file is deleted: the gateway does not make a new one, and names the one it needs.
    let key = std::fs::read_to_string(data.join("identity.key")).unwrap();
    std::fs::remove_file(data.join("identity.key")).unwrap();
    let log = refused_start(gateway(data.path(), "http://127.0.0.1:9"));
    assert!(log.contains(&fingerprint), "{log}");
    assert!(!data.join("identity.key").exists(), "no new key generated");

    // Another key, given in the environment: refused too.
    let other = "ab".repeat(32);
    let log = refused_start(
        gateway(data.path(), "http://127.0.0.1:9").env("LAPOR_ENCRYPTION_KEY", &other),
    );
    assert!(
        log.contains(&fingerprint) && log.contains("wrong key"),
        "{log}"
    );

    // The right key back: it starts.
    std::fs::write(data.join("identity.key"), key).unwrap();
    let gw = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    let (status, _) = common::get_report(&client(), &gw.base, "LPR-NONE")
        .await
        .unwrap();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn keys_rotate_reseals_everything_and_reports_still_reach_lapor_whole() {
    let sim = simulator().spawn().await;
    set_faults(&client(), &sim.base, json!({"down": true})).await;
    let data = TempDir::new("gw-keys-rotate");
    let dir = data.path().display().to_string();
    let mut gw = gateway(data.path(), &sim.base).spawn().await;
    let photo = small_jpeg(11);
    let id = file(&gw.base, "rot", &[Attachment::jpeg("a.jpg", photo)]).await;
    // On SQLite the attachment is a file to compare; on PostgreSQL (`on_postgres`) it is a
    // row, and only the new key opening it below shows it was re-sealed.
    let store = common::store_args(data.path());
    let stored = data.join("attachments").join(format!("{id}.bin"));
    let before = store.is_empty().then(|| std::fs::read(&stored).unwrap());
    gw.terminate(Duration::from_secs(15)).expect("stops");

    let keys = |args: &[&str]| {
        let mut all = vec!["keys"];
        all.extend_from_slice(args);
        all.extend(["--data-dir", dir.as_str()]);
        all.extend(store.iter().map(String::as_str));
        run(&all)
    };
    let (ok, old) = keys(&["fingerprint"]);
    assert!(ok, "{old}");
    let (ok, new_key) = run(&["keys", "new"]);
    assert!(ok);
    let new_file = data.join("new.key");
    std::fs::write(&new_file, new_key.trim()).unwrap();
    let new_path = new_file.display().to_string();
    let (ok, text) = keys(&["rotate", "--new-key-file", &new_path]);
    assert!(ok, "{text}");
    assert!(
        text.contains("re-sealed 1 report(s) and 1 attachment(s)"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("identity.key"))
            .unwrap()
            .trim(),
        new_key.trim()
    );
    if let Some(before) = before {
        let after = std::fs::read(&stored).unwrap();
        assert_eq!(after.len(), before.len());
        assert_ne!(after, before, "the attachment file was re-sealed");
    }
    let (ok, now) = keys(&["fingerprint"]);
    assert!(ok, "{now}");
    assert_ne!(old, now);
    // Run again: everything is under the new key already.
    let (ok, text) = keys(&["rotate", "--new-key-file", &new_path]);
    assert!(
        !ok && text.contains("the new key is the key in use"),
        "{text}"
    );

    // Started with the new key, the gateway delivers the report whole: the photo, the words,
    // and the identity in its secret follow-up.
    let gw = gateway(data.path(), &sim.base).spawn().await;
    set_faults(&client(), &sim.base, json!({"down": false})).await;
    let start = Instant::now();
    let complaint = loop {
        let all = common::simulator_complaints(&client(), &sim.base).await;
        let found = all.into_iter().find(|c| {
            c["request_id"] == id.as_str()
                && c["followups"].as_array().is_some_and(|f| !f.is_empty())
        });
        if let Some(c) = found {
            break c;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(complaint["title"]
        .as_str()
        .unwrap()
        .starts_with("Lampu jalan mati"));
    assert!(complaint["followups"][0]["content"]
        .as_str()
        .unwrap()
        .contains("6474015708900003"));
    let doc = complaint["attachments"][0]["id"].as_str().unwrap();
    let bytes = client()
        .get(sim.url(&format!("/_simulator/documents/{doc}")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        bytes.starts_with(&[0xFF, 0xD8]),
        "the photo arrives as a JPEG"
    );
    let (status, receipt) = common::get_report(&client(), &gw.base, &id).await.unwrap();
    assert_eq!(
        (status, receipt["status"].clone()),
        (200, Value::from("forwarded"))
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_every_file_in_it_are_private() {
    let data = TempDir::new("gw-files-modes");
    let gw = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    let id = file(&gw.base, "m1", &[Attachment::jpeg("a.jpg", small_jpeg(3))]).await;
    assert_eq!(mode(data.path()), 0o700);
    assert_eq!(mode(&data.join("attachments")), 0o700);
    for name in [
        "gateway.sqlite3".to_owned(),
        "gateway.sqlite3-wal".to_owned(),
        "identity.key".to_owned(),
        "gateway.lock".to_owned(),
        format!("attachments/{id}.bin"),
    ] {
        assert_eq!(mode(&data.join(&name)), 0o600, "{name}");
    }
}

#[tokio::test]
async fn attachment_files_no_report_names_are_swept_at_start() {
    let data = TempDir::new("gw-files-sweep");
    let mut gw = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    let id = file(&gw.base, "s1", &[Attachment::jpeg("a.jpg", small_jpeg(4))]).await;
    gw.terminate(Duration::from_secs(15)).expect("stops");
    // What a crash between a file's sync and its row's commit leaves: one old, one new.
    let old = data.join("attachments/LPR-OLD-ORPHAN.bin");
    let young = data.join("attachments/LPR-YOUNG-ORPHAN.bin");
    std::fs::write(&old, b"orphan").unwrap();
    std::fs::write(&young, b"orphan").unwrap();
    let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let gw = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    assert!(!old.exists(), "an orphan past the grace period is removed");
    assert!(
        young.exists(),
        "a file younger than the grace period may be a report in flight"
    );
    assert!(
        data.join(&format!("attachments/{id}.bin")).exists(),
        "a named file stays"
    );
    assert!(
        gw.log_shows("no report names", 20000, Duration::from_secs(10))
            .await
    );
}

#[tokio::test]
async fn one_gateway_per_data_directory() {
    let data = TempDir::new("gw-files-lock");
    let _first = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    let log = refused_start(gateway(data.path(), "http://127.0.0.1:9"));
    assert!(log.contains("in use by another lapor-gateway"), "{log}");
}

common::on_postgres_too!(keys_rotate_reseals_everything_and_reports_still_reach_lapor_whole);

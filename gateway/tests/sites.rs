//! The sites registry over real HTTP against the real binary: each registered site's origin
//! gets its own `site` in `/config`; an unregistered origin is refused as before; a bad sites
//! file is refused with its line; `SIGHUP` picks up a new site; LAPOR! is told which site a
//! report came from, and the site's default institution applies.

mod common;

use std::time::{Duration, Instant};

use common::{client, gateway, simulator, TempDir};
use serde_json::{json, Value};

const TWO_SITES: &str = r#"
[[site]]
id = "kota-bontang"
name = "Pemerintah Kota Bontang"
origins = ["https://bontangkota.go.id"]
region_code = "6474"
institution_id = "inst-bontang"

[[site]]
id = "prov-kaltim"
name = "Pemerintah Provinsi Kalimantan Timur"
origins = ["https://kaltimprov.go.id", "https://www.kaltimprov.go.id"]
region_code = "64"
"#;

async fn config_for(base: &str, origin: &str) -> (Value, Option<String>) {
    let resp = client()
        .get(format!("{base}/api/v1/config"))
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cors = resp
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned());
    (resp.json().await.unwrap(), cors)
}

async fn post_from(base: &str, origin: &str, key: &str) -> (u16, Value) {
    let resp = client()
        .post(format!("{base}/api/v1/reports"))
        .header("Idempotency-Key", key)
        .header("Origin", origin)
        .multipart(common::report_form(&common::valid_report_json(), &[]))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn each_registered_site_gets_its_own_site_in_config_and_others_are_refused() {
    let data = TempDir::new("gw-sites-config");
    let file = data.join("sites.toml");
    std::fs::write(&file, TWO_SITES).unwrap();
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--sites-file", &file.display().to_string()])
        .spawn()
        .await;

    let (bontang, cors) = config_for(&gw.base, "https://bontangkota.go.id").await;
    assert_eq!(
        bontang["site"],
        json!({"id": "kota-bontang", "name": "Pemerintah Kota Bontang", "region_code": "6474"})
    );
    assert_eq!(cors.as_deref(), Some("https://bontangkota.go.id"));
    let (kaltim, _) = config_for(&gw.base, "https://www.kaltimprov.go.id").await;
    assert_eq!(kaltim["site"]["id"], "prov-kaltim");
    assert_eq!(kaltim["site"]["region_code"], "64");
    // The `--allow-origin` of the harness is a site with no region.
    let (plain, _) = config_for(&gw.base, common::ORIGIN).await;
    assert_eq!(plain["site"]["region_code"], Value::Null);
    // An unregistered origin: no site, no CORS header, and its POST is refused as before.
    let (other, cors) = config_for(&gw.base, "https://example.go.id").await;
    assert!(other.get("site").is_none(), "{other}");
    assert_eq!(cors, None);
    let (status, body) = post_from(&gw.base, "https://example.go.id", "sites-x").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("origin_not_allowed"))
    );
    // A registered site posts.
    let (status, _) = post_from(&gw.base, "https://bontangkota.go.id", "sites-b").await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_sites_file_with_an_unknown_region_is_refused_with_its_line() {
    let data = TempDir::new("gw-sites-bad");
    let file = data.join("sites.toml");
    std::fs::write(&file, TWO_SITES.replace("\"6474\"", "\"6499\"")).unwrap();
    let out = std::process::Command::new(common::binary())
        .args(["sites", "check", &file.display().to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("line 6") && text.contains("6499"), "{text}");

    let mut gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--sites-file", &file.display().to_string()])
        .start();
    let exit = gw
        .wait_exit(Duration::from_secs(15))
        .expect("refuses to start");
    assert!(!exit.success());
    assert!(
        gw.log_tail(4000).contains("line 6"),
        "{}",
        gw.log_tail(4000)
    );

    std::fs::write(&file, TWO_SITES).unwrap();
    let out = std::process::Command::new(common::binary())
        .args(["sites", "check", &file.display().to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("kota-bontang\t6474"));
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_picks_up_a_new_site_and_a_bad_file_keeps_the_old_registry() {
    let data = TempDir::new("gw-sites-hup");
    let file = data.join("sites.toml");
    std::fs::write(&file, TWO_SITES).unwrap();
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--sites-file", &file.display().to_string()])
        .spawn()
        .await;
    let hangup = || {
        let status = std::process::Command::new("kill")
            .args(["-HUP", &gw.pid().unwrap().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    let new_origin = "https://samarindakota.go.id";
    assert!(config_for(&gw.base, new_origin)
        .await
        .0
        .get("site")
        .is_none());

    std::fs::write(
        &file,
        format!(
            "{TWO_SITES}\n[[site]]\nid = \"kota-samarinda\"\nname = \"Pemerintah Kota Samarinda\"\norigins = [\"{new_origin}\"]\nregion_code = \"6472\"\n"
        ),
    )
    .unwrap();
    hangup();
    let start = Instant::now();
    while config_for(&gw.base, new_origin)
        .await
        .0
        .get("site")
        .is_none()
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "SIGHUP did not re-read"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        config_for(&gw.base, new_origin).await.0["site"]["id"],
        "kota-samarinda"
    );
    assert_eq!(post_from(&gw.base, new_origin, "sites-new").await.0, 201);

    // A broken file on the next SIGHUP: the registry in force stays.
    std::fs::write(&file, "[[site]]\nid = \n").unwrap();
    hangup();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        config_for(&gw.base, new_origin).await.0["site"]["id"],
        "kota-samarinda"
    );
    assert!(
        gw.log_shows("sites file not re-read", 20000, Duration::from_secs(10))
            .await,
        "{}",
        gw.log_tail(4000)
    );
}

#[tokio::test]
async fn lapor_is_told_which_site_a_report_came_from() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-sites-fwd");
    let file = data.join("sites.toml");
    std::fs::write(&file, TWO_SITES).unwrap();
    let gw = gateway(data.path(), &sim.base)
        .args(["--sites-file", &file.display().to_string()])
        .spawn()
        .await;
    let (status, body) = post_from(&gw.base, "https://bontangkota.go.id", "sites-fwd").await;
    assert_eq!(status, 201, "{body}");
    let id = body["tracking_id"].as_str().unwrap().to_owned();
    let start = Instant::now();
    let complaint = loop {
        let all = common::simulator_complaints(&client(), &sim.base).await;
        if let Some(c) = all.into_iter().find(|c| c["request_id"] == id.as_str()) {
            break c;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "never forwarded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let content = complaint["content"].as_str().unwrap();
    assert!(
        content.ends_with("Dikirim melalui / Sent via: Pemerintah Kota Bontang"),
        "{content}"
    );
    // The site's default institution, since the citizen named none.
    let start = Instant::now();
    let followup = loop {
        let all = common::simulator_complaints(&client(), &sim.base).await;
        let c = all
            .into_iter()
            .find(|c| c["request_id"] == id.as_str())
            .unwrap();
        if let Some(f) = c["followups"].as_array().and_then(|f| f.first()).cloned() {
            break f;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no follow-up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(followup["institution_to_id"], "inst-bontang");
}

common::on_postgres_too!(lapor_is_told_which_site_a_report_came_from,);

//! The participation page over real HTTP against the real binary and the LAPOR! simulator:
//! `/stats` counts match the reports filed in the test, counts under 5 read `"< 5"`, a share
//! and a median appear only over 5 reports or more, nothing of any report is in it, the figures
//! are cached, hostile queries get a JSON error, and `/stats/` is the same in Indonesian and
//! English under a strict CSP.

mod common;

use std::time::{Duration, Instant};

use common::{client, gateway, get_report, simulator, TempDir};
use serde_json::{json, Value};

const SITES: &str = r#"
[[site]]
id = "kota-bontang"
name = "Pemerintah Kota Bontang"
origins = ["https://bontangkota.go.id"]
region_code = "6474"

[[site]]
id = "prov-kaltim"
name = "Pemerintah Provinsi Kalimantan Timur"
origins = ["https://kaltimprov.go.id"]
region_code = "64"

[[site]]
id = "kota-samarinda"
name = "Pemerintah Kota Samarinda <Kaltim>"
origins = ["https://samarindakota.go.id"]
region_code = "6472"
"#;

/// Files a report of `kind` from `origin` (none: no `Origin` header); returns its tracking id.
async fn file(base: &str, origin: Option<&str>, key: &str, kind: &str) -> String {
    let mut report = common::valid_report_json();
    report["classification"] = json!(kind);
    if kind != "pengaduan" {
        report["incident_date"] = Value::Null;
    }
    let mut request = client()
        .post(format!("{base}/api/v1/reports"))
        .header("Idempotency-Key", key)
        .multipart(common::report_form(&report, &[]));
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 201, "{body}");
    body["tracking_id"].as_str().unwrap().to_owned()
}

async fn get(base: &str, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let resp = client().get(format!("{base}{path}")).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, resp.text().await.unwrap(), headers)
}

async fn stats(base: &str, query: &str) -> Value {
    let (status, body, headers) = get(base, &format!("/stats{query}")).await;
    assert_eq!(status, 200, "{body}");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    serde_json::from_str(&body).unwrap()
}

fn site<'a>(stats: &'a Value, id: Option<&str>) -> &'a Value {
    stats["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == id)
        .unwrap_or_else(|| panic!("no site {id:?} in {stats}"))
}

/// The current month in Asia/Jakarta, as the gateway names it.
fn jakarta_month() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let date = lapor_core::Date::from_days_since_epoch((now + 7 * 3600).div_euclid(86_400));
    format!("{:04}-{:02}", date.year(), date.month())
}

#[tokio::test]
async fn stats_count_the_reports_filed_with_few_as_under_five_and_reveal_none() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-stats");
    let sites = data.join("sites.toml");
    std::fs::write(&sites, SITES).unwrap();
    let gw = gateway(data.path(), &sim.base)
        .args(["--sites-file", &sites.display().to_string()])
        .args(["--status-sync-secs", "1"])
        .spawn()
        .await;

    // Bontang: 6 complaints and 2 aspirations; the province: 2 information requests; one
    // report without a site's Origin.
    let mut ids = Vec::new();
    for i in 0..6 {
        let key = format!("stats-b-p{i}");
        ids.push(
            file(
                &gw.base,
                Some("https://bontangkota.go.id"),
                &key,
                "pengaduan",
            )
            .await,
        );
    }
    for i in 0..2 {
        let key = format!("stats-b-a{i}");
        ids.push(
            file(
                &gw.base,
                Some("https://bontangkota.go.id"),
                &key,
                "aspirasi",
            )
            .await,
        );
    }
    for i in 0..2 {
        let key = format!("stats-k-i{i}");
        let kind = "permintaan_informasi";
        ids.push(file(&gw.base, Some("https://kaltimprov.go.id"), &key, kind).await);
    }
    ids.push(file(&gw.base, None, "stats-none", "pengaduan").await);

    // Every one forwarded and with LAPOR!'s first status, before the first look at /stats
    // (its figures are then kept for a minute).
    let start = Instant::now();
    for id in &ids {
        loop {
            let (_, body) = get_report(&client(), &gw.base, id).await.unwrap();
            if body["status"] == "forwarded" && !body["lapor"]["status_code"].is_null() {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{id} not forwarded with a status: {body}\n{}",
                gw.log_tail(3000)
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    let month = jakarta_month();
    let all = stats(&gw.base, "").await;
    assert_eq!(all["min_count"], 5);
    let ids_listed: Vec<&Value> = all["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["id"])
        .collect();
    // Sites with reports only (Samarinda has none), by name, then reports without a site.
    assert_eq!(
        ids_listed,
        [&json!("kota-bontang"), &json!("prov-kaltim"), &Value::Null]
    );

    let bontang = site(&all, Some("kota-bontang"));
    assert_eq!(bontang["name"], "Pemerintah Kota Bontang");
    assert_eq!(bontang["region_code"], "6474");
    assert_eq!(bontang["months"].as_array().unwrap().len(), 1);
    let m = &bontang["months"][0];
    assert_eq!(m["month"], month.as_str());
    assert_eq!(m["reports"], 8);
    assert_eq!(m["by_classification"]["pengaduan"], 6);
    assert_eq!(m["by_classification"]["aspirasi"], "< 5");
    assert_eq!(m["by_classification"]["permintaan_informasi"], "< 5");
    assert_eq!(m["delivered"], 8);
    assert_eq!(m["delivered_share"], 1.0);
    let median = m["median_minutes_to_first_status"].as_u64();
    assert!(median.is_some_and(|x| x <= 2), "{m}");
    assert_eq!(bontang["last_12_months"]["reports"], 8);
    assert_eq!(bontang["last_12_months"]["to"], month.as_str());

    let kaltim = &site(&all, Some("prov-kaltim"))["months"][0];
    assert_eq!(kaltim["reports"], "< 5");
    assert_eq!(kaltim["by_classification"]["permintaan_informasi"], "< 5");
    assert_eq!(kaltim["by_classification"]["pengaduan"], "< 5");
    assert_eq!(kaltim["delivered"], "< 5");
    assert!(kaltim["delivered_share"].is_null(), "{kaltim}");
    assert!(
        kaltim["median_minutes_to_first_status"].is_null(),
        "{kaltim}"
    );
    let none = site(&all, None);
    assert!(none["name"].is_null());
    assert_eq!(none["months"][0]["reports"], "< 5");

    // Nothing of any report: no tracking id, no words, no identity, no time finer than the month.
    let (_, text, _) = get(&gw.base, "/stats").await;
    let (_, page, _) = get(&gw.base, "/stats/").await;
    for body in [&text, &page] {
        for secret in [
            "LPR-",
            "Lampu",
            "Ahmad Yani",
            "Siti",
            "6474015708900003",
            "0812",
        ] {
            assert!(!body.contains(secret), "{secret} in {body}");
        }
        for id in &ids {
            assert!(!body.contains(id.as_str()));
        }
        assert!(
            !body.contains(&format!("{month}-")),
            "a day or time in {body}"
        );
    }

    // Cached: a report filed now shows within the minute, not at once.
    file(
        &gw.base,
        Some("https://bontangkota.go.id"),
        "stats-late",
        "pengaduan",
    )
    .await;
    let again = stats(&gw.base, "").await;
    assert_eq!(
        site(&again, Some("kota-bontang"))["months"][0]["reports"],
        8
    );

    // One site: the filter, a registered site without reports, and hostile queries.
    let one = stats(&gw.base, "?site=prov-kaltim").await;
    assert_eq!(one["sites"].as_array().unwrap().len(), 1);
    assert_eq!(one["sites"][0]["id"], "prov-kaltim");
    let empty = stats(&gw.base, "?site=kota-samarinda").await;
    assert_eq!(empty["sites"][0]["months"], json!([]));
    assert_eq!(empty["sites"][0]["last_12_months"]["reports"], "< 5");
    for (query, status, code) in [
        ("?site=nowhere", 404, "not_found"),
        ("?site=%3Cscript%3E", 400, "bad_request"),
        ("?site=x&other=1", 400, "bad_request"),
        ("?site=a'%20OR%201=1", 400, "bad_request"),
    ] {
        for path in ["/stats", "/stats/"] {
            let (got, body, headers) = get(&gw.base, &format!("{path}{query}")).await;
            assert_eq!(got, status, "{path}{query}: {body}");
            assert!(headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"));
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["error"], code, "{path}{query}");
        }
    }
    let (got, body, _) = get(&gw.base, "/stats/?lang=fr").await;
    assert_eq!((got, body.contains("bad_request")), (400, true), "{body}");

    // The page: Indonesian first, English on request, the same figures, a strict CSP.
    let (status, page, headers) = get(&gw.base, "/stats/").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(page.contains("<html lang=\"id\">"));
    assert!(page.contains("Partisipasi LAPOR! per situs"));
    assert!(page.contains("Pemerintah Kota Bontang"));
    assert!(page.contains("&lt; 5"), "few counts read < 5");
    assert!(page.contains("<svg"), "charts");
    assert!(page.contains("<table>"), "a table");
    assert!(!page.contains("<script"), "no script");
    assert!(
        page.contains("href=\"/stats/?lang=en\""),
        "the language switch"
    );
    // A site's name is text, never markup.
    assert!(page.contains("Pemerintah Kota Samarinda &lt;Kaltim&gt;"));
    assert!(!page.contains("<Kaltim>"));
    let (_, english, _) = get(&gw.base, "/stats/?lang=en").await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("LAPOR! participation by site"));
    assert!(english.contains("Reports per month"));
    assert!(english.contains("href=\"/stats/?lang=id\""));
    let (status, css, headers) = get(&gw.base, "/stats/stats.css").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css.contains(".chart"));
}

common::on_postgres_too!(stats_count_the_reports_filed_with_few_as_under_five_and_reveal_none,);

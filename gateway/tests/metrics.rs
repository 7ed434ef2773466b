//! `/metrics` over real HTTP against the real binary: Prometheus' text format, counters that
//! move when a report is filed, forwarded, failed and refused, and no tracking id or personal
//! data anywhere in it.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{client, gateway, post_report, set_faults, simulator, TempDir};
use serde_json::json;

/// Parses the text format strictly: every family announced by `# HELP` and `# TYPE` before its
/// samples, every sample `name{labels} value` with a number. Returns sample → value.
fn parse(text: &str) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    let mut typed: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            typed.push(name.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") || line.is_empty() {
            continue;
        }
        let (key, value) = line.rsplit_once(' ').expect("sample and value");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        let name = key.split('{').next().unwrap();
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .filter(|base| typed.iter().any(|t| t == base))
            .unwrap_or(name);
        assert!(typed.iter().any(|t| t == family), "no TYPE before {line}");
        if let Some(labels) = key.strip_prefix(name) {
            if !labels.is_empty() {
                assert!(labels.starts_with('{') && labels.ends_with('}'), "{line}");
                for pair in labels[1..labels.len() - 1].split("\",") {
                    let (label, quoted) = pair.split_once("=\"").expect("label=\"value\"");
                    assert!(
                        label.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                        "{line}"
                    );
                    assert!(!quoted.trim_end_matches('"').contains('"'), "{line}");
                }
            }
        }
        samples.insert(key.to_owned(), value);
    }
    samples
}

async fn scrape(base: &str) -> (String, HashMap<String, f64>) {
    let resp = client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    let samples = parse(&text);
    (text, samples)
}

fn value(samples: &HashMap<String, f64>, key: &str) -> f64 {
    samples.get(key).copied().unwrap_or(0.0)
}

async fn until(base: &str, what: &str, check: impl Fn(&HashMap<String, f64>) -> bool) {
    let start = Instant::now();
    loop {
        let (text, samples) = scrape(base).await;
        if check(&samples) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{what}: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn metrics_parse_and_their_counters_move_with_the_reports() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-metrics");
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let (_, before) = scrape(&gw.base).await;
    assert_eq!(value(&before, "lapor_reports_forwarded_total"), 0.0);
    assert_eq!(value(&before, "lapor_outbox_depth"), 0.0);

    // Filed and forwarded.
    let posted = post_report(
        &client(),
        &gw.base,
        "metrics-1",
        &common::valid_report_json(),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(posted.status, 201);
    let received = "lapor_reports_received_total{site=\"pemda-test\",classification=\"pengaduan\"}";
    until(&gw.base, "forwarded", |s| {
        value(s, received) == 1.0 && value(s, "lapor_reports_forwarded_total") == 1.0
    })
    .await;
    until(&gw.base, "outbox empty", |s| {
        value(s, "lapor_outbox_depth") == 0.0
    })
    .await;
    let (_, s) = scrape(&gw.base).await;
    assert_eq!(value(&s, "lapor_receipt_to_complaint_seconds_count"), 1.0);
    assert_eq!(
        value(&s, "lapor_receipt_to_complaint_seconds_bucket{le=\"+Inf\"}"),
        1.0
    );
    assert!(
        value(
            &s,
            "lapor_upstream_responses_total{call=\"create\",status=\"200\"}"
        ) >= 1.0
    );

    // LAPOR! down: the outbox has depth and age, then a refusal fails it.
    set_faults(&client(), &sim.base, json!({"down": true})).await;
    let posted = post_report(
        &client(),
        &gw.base,
        "metrics-2",
        &common::valid_report_json(),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(posted.status, 201);
    until(&gw.base, "depth 1", |s| {
        value(s, "lapor_outbox_depth") == 1.0
            && value(
                s,
                "lapor_upstream_responses_total{call=\"create\",status=\"503\"}",
            ) >= 1.0
    })
    .await;
    set_faults(
        &client(),
        &sim.base,
        json!({"down": false, "create_status": 422}),
    )
    .await;
    until(&gw.base, "failed", |s| {
        value(s, "lapor_reports_failed_total") == 1.0
    })
    .await;

    // Refused at intake, by code.
    let mut bad = common::valid_report_json();
    bad["reporter"]["nik"] = json!("1234");
    let posted = post_report(&client(), &gw.base, "metrics-3", &bad, &[])
        .await
        .unwrap();
    assert_eq!(posted.status, 422);
    let foreign = client()
        .post(format!("{}/api/v1/reports", gw.base))
        .header("Origin", "https://elsewhere.example")
        .header("Idempotency-Key", "metrics-4")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let (text, s) = scrape(&gw.base).await;
    assert!(
        value(
            &s,
            "lapor_intake_refusals_total{code=\"origin_not_allowed\"}"
        ) >= 1.0,
        "{text}"
    );
    assert!(
        s.keys()
            .any(|k| k.starts_with("lapor_intake_refusals_total{code=\"nik_")),
        "{text}"
    );
    // Nothing of any report: no tracking id, no identity, no words.
    for secret in [
        posted.body["tracking_id"].as_str().unwrap_or("LPR-"),
        "LPR-",
        "6474015708900003",
        "Siti",
        "Lampu",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

common::on_postgres_too!(metrics_parse_and_their_counters_move_with_the_reports,);

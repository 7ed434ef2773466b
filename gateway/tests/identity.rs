//! The reporter's identity reaches only the handling agency: never the complaint's title or
//! content (LAPOR! publishes those for a report that is not secret), only a follow-up marked
//! secret. Over real HTTP: the real `lapor-gateway` binary and the LAPOR! simulator, whose
//! `/_simulator/public` is what LAPOR!'s public pages would show.

mod common;

use std::time::{Duration, Instant};

use common::{client, gateway, simulator, TempDir};
use serde_json::{json, Value};

/// A reporter whose every detail is a canary: none of these strings may ever be public.
const NAME: &str = "Kanari Wulandari";
const NIK: &str = "6474015708900003";
const PHONE_TYPED: &str = "0812-9988-7766";
const EMAIL: &str = "kanari.rahasia@example.id";
/// Every form the phone number could take in a text.
const PHONE_FORMS: [&str; 4] = [
    "+6281299887766",
    "6281299887766",
    "081299887766",
    "81299887766",
];

fn canary_report(secret: bool, anonymous: bool) -> Value {
    let mut report = common::valid_report_json();
    report["secret"] = json!(secret);
    report["anonymous"] = json!(anonymous);
    report["reporter"] = json!({
        "name": NAME,
        "nik": NIK,
        "phone": PHONE_TYPED,
        "email": EMAIL,
    });
    report
}

/// Every canary string found in `text`.
fn canaries_in(text: &str) -> Vec<&'static str> {
    let mut found: Vec<&str> = [NAME, NIK, EMAIL, "Kanari"]
        .into_iter()
        .filter(|c| text.contains(c))
        .collect();
    found.extend(PHONE_FORMS.into_iter().filter(|p| text.contains(p)));
    found
}

async fn file(gateway_base: &str, key: &str, report: &Value) -> String {
    common::file_report(gateway_base, key, report, &[]).await
}

/// The simulator's record of the complaint made for `tracking_id`, once `ready` holds for it.
async fn complaint_when(
    sim_base: &str,
    tracking_id: &str,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    let mut last = Vec::new();
    while start.elapsed() < Duration::from_secs(30) {
        last = common::simulator_complaints(&client(), sim_base).await;
        let ours: Vec<&Value> = last
            .iter()
            .filter(|c| c["request_id"] == tracking_id)
            .collect();
        assert!(
            ours.len() <= 1,
            "more than one complaint for {tracking_id}: {last:?}"
        );
        if let Some(c) = ours.first().filter(|c| ready(c)) {
            return (*c).clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{tracking_id}: never saw {what}: {last:?}");
}

fn followups(complaint: &Value) -> Vec<Value> {
    complaint["followups"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn public_page(sim_base: &str) -> Value {
    let resp = client()
        .get(format!("{sim_base}/_simulator/public"))
        .send()
        .await
        .expect("public listing");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("public listing JSON")
}

#[tokio::test]
async fn identity_is_never_public_and_reaches_the_agency_as_a_secret_followup() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-identity");
    let gw = gateway(data.path(), &sim.base).spawn().await;

    let public_report = file(&gw.base, "canary-public", &canary_report(false, false)).await;
    let secret_report = file(&gw.base, "canary-secret", &canary_report(true, false)).await;
    let anonymous_report = file(&gw.base, "canary-anon", &canary_report(false, true)).await;

    let has_followup = |c: &Value| !followups(c).is_empty();
    for id in [&public_report, &secret_report] {
        let complaint = complaint_when(&sim.base, id, "the identity follow-up", has_followup).await;
        // The complaint's own text holds nothing of the reporter.
        let own_text = format!("{} {}", complaint["title"], complaint["content"]);
        assert_eq!(canaries_in(&own_text), Vec::<&str>::new(), "{complaint}");
        // Exactly one follow-up, secret, with the whole identity for the agency.
        let list = followups(&complaint);
        assert_eq!(list.len(), 1, "{complaint}");
        assert_eq!(list[0]["is_secret"], true);
        let text = list[0]["content"].as_str().expect("follow-up text");
        for needle in [NAME, NIK, "+6281299887766", EMAIL] {
            assert!(text.contains(needle), "follow-up lacks {needle}: {text}");
        }
        assert_eq!(list[0]["request_id"], id.as_str());
    }
    // An anonymous report sends no identity at all, not even in secret: once it has been
    // created, give a wrongly sent follow-up the time to show.
    complaint_when(&sim.base, &anonymous_report, "the complaint", |_| true).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let anonymous = complaint_when(&sim.base, &anonymous_report, "the complaint", |_| true).await;
    assert_eq!(followups(&anonymous), Vec::<Value>::new(), "{anonymous}");
    assert_eq!(anonymous["is_anonymous"], true);

    // What LAPOR! publishes: the non-secret complaints with their public text, and none of
    // the canaries anywhere on the page.
    let page = public_page(&sim.base).await;
    let listed: Vec<&str> = page
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["complaint_id"].as_str())
        .collect();
    let mut complaint_ids = Vec::new();
    for id in [&public_report, &anonymous_report, &secret_report] {
        let complaint = complaint_when(&sim.base, id, "the complaint", |_| true).await;
        complaint_ids.push(complaint["complaint_id"].as_str().unwrap().to_owned());
    }
    assert!(listed.contains(&complaint_ids[0].as_str()), "{page}");
    assert!(listed.contains(&complaint_ids[1].as_str()), "{page}");
    assert!(
        !listed.contains(&complaint_ids[2].as_str()),
        "secret is not published: {page}"
    );
    assert!(
        page.to_string().contains("Lampu jalan mati"),
        "the public text is there: {page}"
    );
    assert_eq!(canaries_in(&page.to_string()), Vec::<&str>::new(), "{page}");

    // Nor does the gateway's own log hold any of them.
    let log = gw.log_tail(1 << 20);
    assert_eq!(canaries_in(&log), Vec::<&str>::new(), "gateway log: {log}");
}

/// The outbox records each step: a gateway killed after the complaint was created but before
/// its identity follow-up went through creates no second complaint after the restart, and
/// delivers the identity exactly once.
#[tokio::test]
async fn a_crash_between_complaint_and_identity_neither_loses_nor_repeats_a_step() {
    let sim = simulator().spawn().await;
    let data = TempDir::new("gw-identity-crash");
    let mut gw = gateway(data.path(), &sim.base).spawn().await;
    common::set_faults(&client(), &sim.base, json!({"followups_down": true})).await;

    let id = file(&gw.base, "canary-crash", &canary_report(false, false)).await;
    let complaint = complaint_when(&sim.base, &id, "the complaint", |_| true).await;
    assert_eq!(followups(&complaint), Vec::<Value>::new());
    // Let at least one follow-up attempt fail, then kill the gateway outright.
    tokio::time::sleep(Duration::from_millis(500)).await;
    gw.kill();

    common::set_faults(&client(), &sim.base, json!({"followups_down": false})).await;
    let gw = gateway(data.path(), &sim.base).spawn().await;
    let complaint = complaint_when(&sim.base, &id, "the identity follow-up", |c| {
        !followups(c).is_empty()
    })
    .await;
    // Give a wrongly repeated step the time to show.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all = common::simulator_complaints(&client(), &sim.base).await;
    assert_eq!(
        common::count_by_request_id(&all).get(&id),
        Some(&1),
        "{all:?}"
    );
    let again = complaint_when(&sim.base, &id, "the complaint", |_| true).await;
    assert_eq!(again["complaint_id"], complaint["complaint_id"]);
    assert_eq!(followups(&again).len(), 1, "{again}");
    assert_eq!(followups(&again)[0]["is_secret"], true);
    let (status, receipt) = common::get_report(&client(), &gw.base, &id).await.unwrap();
    assert_eq!(
        (status, receipt["status"].as_str()),
        (200, Some("forwarded"))
    );
}

/// A `400` says what is wrong without quoting the value: a NIK typed into the wrong field must
/// not come back in the answer (which a proxy or the browser may log).
#[tokio::test]
async fn a_400_never_echoes_the_offending_value() {
    let data = TempDir::new("gw-identity-400");
    let gw = gateway(data.path(), "http://127.0.0.1:9").spawn().await;
    let mut wrong_type = common::valid_report_json();
    wrong_type["anonymous"] = json!(NIK);
    let mut unknown_field = common::valid_report_json();
    unknown_field[format!("nik {NIK}")] = json!(true);
    let broken = format!("{{\"title\": \"{NIK}\" ");
    for body in [wrong_type.to_string(), unknown_field.to_string(), broken] {
        let part = reqwest::multipart::Part::bytes(body.into_bytes())
            .mime_str("application/json")
            .unwrap();
        let form = reqwest::multipart::Form::new()
            .part("report", part)
            .part(format!("x-{NIK}"), reqwest::multipart::Part::text(NIK));
        let resp = client()
            .post(format!("{}/api/v1/reports", gw.base))
            .header("Idempotency-Key", format!("echo-{}", std::process::id()))
            .header("Origin", common::ORIGIN)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400);
        let text = resp.text().await.unwrap();
        assert!(!text.contains(NIK), "{text}");
        assert!(text.contains("bad_request"), "{text}");
    }
    assert!(!gw.log_tail(1 << 20).contains(NIK));
}

common::on_postgres_too!(
    identity_is_never_public_and_reaches_the_agency_as_a_secret_followup,
    a_crash_between_complaint_and_identity_neither_loses_nor_repeats_a_step,
    a_400_never_echoes_the_offending_value,
);

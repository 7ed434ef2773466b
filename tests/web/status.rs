//! The "Cek Status Laporan" view, as a citizen uses it. The gateway's answers come from the
//! test double of `tests/web.rs` (`fake_gateway`), which answers only the status URLs a test
//! registered and records the URLs the widget asked for.

use lapor_widget::status_texts::{EN, ID};

use super::*;

/// The gateway answers `url` with `answer` (JSON) from now on.
fn answer(url: &str, answer: &str) {
    answer_value(url, &js_sys::JSON::parse(answer).expect("JSON"));
}

/// The URLs asked for so far that start with `prefix`.
fn asked(prefix: &str) -> Vec<String> {
    fake_gateway();
    let list = js_sys::Reflect::get(
        &web_sys::window().expect("a window"),
        &"__laporAsked".into(),
    )
    .expect("the list");
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|u| u.as_string())
        .filter(|u| u.starts_with(prefix))
        .collect()
}

/// A widget of its own endpoint (so tests never share answers), on the status view.
async fn open_status(endpoint: &str, lang: &str) -> Widget {
    fake_gateway();
    let w = open(&[("endpoint", endpoint), ("lang", lang)]).await;
    sleep(100).await;
    let to_status = if lang == "en" {
        EN.view_status
    } else {
        ID.view_status
    };
    w.click(to_status).await;
    let label = if lang == "en" {
        EN.id_label
    } else {
        ID.id_label
    };
    w.wait(|w| w.sees_label(label)).await;
    w
}

impl Widget {
    /// What the result region (`role="status"`) says.
    fn result(&self) -> String {
        self.all("[role=status]")
            .iter()
            .map(|r| r.text_content().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn pressed(&self, text: &str) -> Option<String> {
        self.all("button")
            .into_iter()
            .find(|b| b.text_content().unwrap_or_default().trim() == text)
            .and_then(|b| b.get_attribute("aria-pressed"))
    }
}

const FORWARDED: &str = r#"{"tracking_id": "LPR-7K2M-Q9TX-4HND", "classification": "pengaduan",
    "received_at": "2026-11-28T10:15:00+07:00", "status": "forwarded",
    "lapor": {"complaint_id": "4821", "status_code": "tindak_lanjut",
              "status_name": "Tindak Lanjut", "updated_at": "2026-11-29T08:00:00+07:00"}}"#;

#[wasm_bindgen_test]
async fn two_toggle_buttons_switch_views_and_keep_the_draft() {
    let w = open_form("id").await;
    assert_eq!(w.pressed(ID.view_form).as_deref(), Some("true"));
    assert_eq!(w.pressed(ID.view_status).as_deref(), Some("false"));
    w.fill("Judul Laporan", "Lampu jalan mati").await;
    w.click(ID.view_status).await;
    w.wait(|w| w.sees_label("Nomor Pelacakan")).await;
    assert_eq!(w.pressed(ID.view_form).as_deref(), Some("false"));
    assert_eq!(w.pressed(ID.view_status).as_deref(), Some("true"));
    let form = w.field("Judul Laporan");
    assert!(
        form.closest("[hidden]").ok().flatten().is_some(),
        "the form is hidden, not shown under the status view"
    );
    assert!(w.text().contains("Cek Status"));
    assert!(
        !w.text().contains(ID.known_title),
        "no list of earlier reports when there are none"
    );
    w.click(ID.view_form).await;
    let title: HtmlInputElement = w.field("Judul Laporan").dyn_into().expect("an input");
    assert_eq!(title.value(), "Lampu jalan mati", "the draft is kept");
    assert!(title.closest("[hidden]").ok().flatten().is_none());
    assert!(w
        .field("Nomor Pelacakan")
        .closest("[hidden]")
        .ok()
        .flatten()
        .is_some());
}

#[wasm_bindgen_test]
async fn a_wrong_tracking_number_is_an_inline_error_and_asks_nothing() {
    let endpoint = "http://127.0.0.1:9/status-invalid/api/v1";
    let w = open_status(endpoint, "id").await;
    w.click("Cek Status").await;
    assert_eq!(w.see_error("Nomor Pelacakan"), ID.id_missing);
    w.wait_for_focus("the focus goes to the field", |w| {
        w.focused_id() == "lapor-status-id"
    })
    .await;
    for wrong in ["LPR 7K2M", "../config", "LPR-1?x=1", &"A".repeat(33)] {
        w.fill("Nomor Pelacakan", wrong).await;
        w.click("Cek Status").await;
        assert_eq!(w.see_error("Nomor Pelacakan"), ID.id_invalid, "{wrong}");
    }
    assert!(
        asked(&format!("{endpoint}/reports")).is_empty(),
        "nothing but a tracking id goes into a URL"
    );
    assert_eq!(w.result().trim(), "");
}

#[wasm_bindgen_test]
async fn a_forwarded_report_shows_its_stage_and_lapors_status() {
    let endpoint = "http://127.0.0.1:9/status-forwarded/api/v1";
    let url = format!("{endpoint}/reports/LPR-7K2M-Q9TX-4HND");
    answer(&url, &format!(r#"{{"status": 200, "body": {FORWARDED}}}"#));
    let w = open_status(endpoint, "id").await;
    // An error from before goes once the number is right.
    w.click("Cek Status").await;
    assert!(w.error_at("Nomor Pelacakan").is_some());
    w.fill("Nomor Pelacakan", "  lpr-7k2m-q9tx-4hnd ").await;
    w.click("Cek Status").await;
    w.wait(|w| w.result().contains(ID.tindak_lanjut)).await;
    let result = w.result();
    assert_eq!(
        asked(&format!("{endpoint}/reports")),
        vec![url],
        "trimmed, upper-cased"
    );
    assert!(w.error_at("Nomor Pelacakan").is_none());
    for part in [
        "Laporan LPR-7K2M-Q9TX-4HND",
        ID.stage_forwarded,
        ID.lapor_label,
    ] {
        assert!(result.contains(part), "{part:?} in {result}");
    }
}

#[wasm_bindgen_test]
async fn an_unknown_lapor_status_shows_lapors_own_name_in_english_too() {
    let endpoint = "http://127.0.0.1:9/status-unknown-code/api/v1";
    answer(
        &format!("{endpoint}/reports/LPR-AAAA"),
        r#"{"status": 200, "body": {"tracking_id": "LPR-AAAA", "classification": "aspirasi",
            "received_at": "2026-11-28T10:15:00+07:00", "status": "forwarded",
            "lapor": {"complaint_id": "77", "status_code": "menunggu_kelengkapan",
                      "status_name": "Menunggu Kelengkapan", "updated_at": null}}}"#,
    );
    answer(
        &format!("{endpoint}/reports/LPR-BBBB"),
        r#"{"status": 200, "body": {"tracking_id": "LPR-BBBB", "classification": "aspirasi",
            "received_at": "2026-11-28T10:15:00+07:00", "status": "received", "lapor": null}}"#,
    );
    let w = open_status(endpoint, "en").await;
    w.fill("Tracking number", "LPR-AAAA").await;
    w.click("Check status").await;
    w.wait(|w| w.result().contains("Menunggu Kelengkapan"))
        .await;
    assert!(w.result().contains(EN.stage_forwarded), "{}", w.result());
    assert!(w.result().contains("Report LPR-AAAA"), "{}", w.result());
    w.fill("Tracking number", "lpr-bbbb").await;
    w.click("Check status").await;
    w.wait(|w| w.result().contains(EN.stage_received)).await;
    assert!(!w.result().contains(EN.lapor_label), "{}", w.result());
}

#[wasm_bindgen_test]
async fn a_report_lapor_refused_says_what_that_means() {
    let endpoint = "http://127.0.0.1:9/status-failed/api/v1";
    answer(
        &format!("{endpoint}/reports/LPR-CCCC"),
        r#"{"status": 200, "body": {"tracking_id": "LPR-CCCC", "classification": "pengaduan",
            "received_at": "2026-11-28T10:15:00+07:00", "status": "failed", "lapor": null}}"#,
    );
    let w = open_status(endpoint, "id").await;
    w.fill("Nomor Pelacakan", "LPR-CCCC").await;
    w.click("Cek Status").await;
    w.wait(|w| w.result().contains(ID.stage_failed)).await;
    assert!(w.result().contains(ID.stage_failed_detail));
}

#[wasm_bindgen_test]
async fn an_unknown_number_says_so_and_a_dead_network_offers_a_retry() {
    let endpoint = "http://127.0.0.1:9/status-failures/api/v1";
    answer(
        &format!("{endpoint}/reports/LPR-NOPE"),
        r#"{"status": 404, "body": {"error": "not_found"}}"#,
    );
    let url = format!("{endpoint}/reports/LPR-7K2M-Q9TX-4HND");
    answer(&url, r#"{"network": true}"#);
    let w = open_status(endpoint, "id").await;
    w.fill("Nomor Pelacakan", "lpr-nope").await;
    w.click("Cek Status").await;
    let not_found = ID.not_found.replace("{id}", "LPR-NOPE");
    w.wait(|w| w.result().contains(&not_found)).await;

    w.fill("Nomor Pelacakan", "LPR-7K2M-Q9TX-4HND").await;
    w.click("Cek Status").await;
    w.wait(|w| w.result().contains(ID.failure_network)).await;
    // The connection is back: "Coba lagi" asks again and shows the report.
    answer(&url, &format!(r#"{{"status": 200, "body": {FORWARDED}}}"#));
    w.click(ID.retry).await;
    w.wait(|w| w.result().contains(ID.tindak_lanjut)).await;
    w.wait_for_focus("the focus is not lost with the button", |w| {
        w.focused_id() == "lapor-status-id"
    })
    .await;

    // A gateway in trouble is not "not found".
    answer(&url, r#"{"status": 503, "body": {"error": "internal"}}"#);
    w.click("Cek Status").await;
    w.wait(|w| w.result().contains(ID.failure_server)).await;
}

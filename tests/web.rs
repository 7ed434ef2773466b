//! The widget in a real browser (headless Chromium), driven the way a citizen uses it: by the
//! visible labels and button texts inside its shadow root.
//!
//! Run with `wasm-pack test --headless --chrome`. No test here needs a server: the endpoint is
//! `http://127.0.0.1:9/api/v1`, a port browsers refuse to connect to, so the configuration
//! request fails at once (the form then runs on the contract's defaults) and a send fails the
//! way a blocked request does. The one thing the form cannot do without is the region lists:
//! [`serve_regions`] installs a test double of the gateway's `/regions` answers in front of
//! `fetch`, from core's tables. Round trips with a real gateway are the end-to-end tests' job.
#![cfg(target_arch = "wasm32")]

use lapor_core::messages::{message, Lang};
use lapor_core::region::{provinces, regencies_of};
use lapor_core::Code;
use lapor_widget::{mount, WidgetHandle};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/photo.rs"]
mod photo;
// A crate root resolves `mod` next to itself; the file lives in tests/web/ so that cargo does
// not take it for a test target of its own.
#[path = "web/status.rs"]
mod status;

const UNREACHABLE: &str = "http://127.0.0.1:9/api/v1";

/// One widget on the test page, and what the citizen sees of it.
struct Widget {
    handle: WidgetHandle,
    host: Element,
    root: ShadowRoot,
}

async fn open(options: &[(&str, &str)]) -> Widget {
    let document = web_sys::window()
        .expect("a window")
        .document()
        .expect("a document");
    let host = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&host)
        .expect("appended");
    let object = js_sys::Object::new();
    for (key, value) in options {
        js_sys::Reflect::set(&object, &(*key).into(), &(*value).into()).expect("an option");
    }
    let handle = mount(host.clone().into(), object.into());
    let root = host.shadow_root().expect("an open shadow root");
    let widget = Widget { handle, host, root };
    widget.wait(|w| w.text().len() > 20).await;
    widget
}

/// A test double of the gateway in front of the page's `fetch`, installed once per page: it
/// answers the URLs a test registered with [`answer`] (`{status, body}`, or `{network: true}`
/// for a request that gets no answer), sends every other request to the real `fetch` (and so
/// to the unreachable port), and records the URLs asked for. The real gateway is tested in
/// `gateway/tests/` and end to end in `e2e/`.
fn fake_gateway() {
    js_sys::Function::new_no_args(
        "if (window.__laporAnswers) return;
         const real = window.fetch.bind(window);
         window.__laporAnswers = {};
         window.__laporAsked = [];
         window.fetch = (url, init) => {
           window.__laporAsked.push(String(url));
           const a = window.__laporAnswers[url];
           if (!a) return real(url, init);
           if (a.network) return Promise.reject(new TypeError('Failed to fetch'));
           return Promise.resolve(new Response(JSON.stringify(a.body),
             { status: a.status, headers: { 'content-type': 'application/json' } }));
         };",
    )
    .call0(&JsValue::NULL)
    .expect("fetch replaced");
}

/// The test double answers `url` with `answer` (`{status, body}` or `{network: true}`).
fn answer_value(url: &str, answer: &JsValue) {
    fake_gateway();
    js_sys::Function::new_with_args("url, answer", "window.__laporAnswers[url] = answer;")
        .call2(&JsValue::NULL, &url.into(), answer)
        .expect("answer set");
}

/// The gateway's `GET /regions` and `GET /regions/{province}` for the unreachable endpoint,
/// from core's own tables.
fn serve_regions() {
    let set = |target: &JsValue, key: &str, value: &JsValue| {
        js_sys::Reflect::set(target, &key.into(), value).expect("set");
    };
    let list = |regions: &[lapor_core::region::Region]| -> JsValue {
        let children: js_sys::Array = regions
            .iter()
            .map(|r| {
                let o = JsValue::from(js_sys::Object::new());
                set(&o, "code", &r.code.into());
                set(&o, "name", &r.name.into());
                o
            })
            .collect();
        let body = JsValue::from(js_sys::Object::new());
        set(&body, "children", &children);
        let answer = JsValue::from(js_sys::Object::new());
        set(&answer, "status", &200.into());
        set(&answer, "body", &body);
        answer
    };
    answer_value(&format!("{UNREACHABLE}/regions"), &list(provinces()));
    for p in provinces() {
        answer_value(
            &format!("{UNREACHABLE}/regions/{}", p.code),
            &list(regencies_of(p.code)),
        );
    }
}

async fn open_form(lang: &str) -> Widget {
    serve_regions();
    let widget = open(&[("endpoint", UNREACHABLE), ("lang", lang)]).await;
    // Let the failed /config request settle first, so it cannot re-render mid-test.
    sleep(100).await;
    widget
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("a timer");
    });
    JsFuture::from(promise).await.expect("slept");
}

impl Widget {
    /// Waits (up to 3 s) until `ready` holds; Yew renders asynchronously.
    async fn wait(&self, ready: impl Fn(&Widget) -> bool) {
        for _ in 0..150 {
            if ready(self) {
                return;
            }
            sleep(20).await;
        }
        panic!("the widget never got there; it shows: {}", self.text());
    }

    /// Waits until `focused` holds. A focus moved by an effect can come a task after the
    /// render that showed its element: Yew runs effects after yielding to the browser when
    /// rendering took longer than its 16 ms slice (as on a loaded machine).
    async fn wait_for_focus(&self, why: &str, focused: impl Fn(&Widget) -> bool) {
        for _ in 0..150 {
            if focused(self) {
                return;
            }
            sleep(20).await;
        }
        panic!("{why}; the focus is on #{:?}", self.focused_id());
    }

    fn text(&self) -> String {
        self.root.text_content().unwrap_or_default()
    }

    fn all(&self, selector: &str) -> Vec<HtmlElement> {
        let list = self.root.query_selector_all(selector).expect("a selector");
        (0..list.length())
            .filter_map(|i| list.get(i)?.dyn_into().ok())
            .collect()
    }

    fn by_id(&self, id: &str) -> Option<HtmlElement> {
        self.root.get_element_by_id(id)?.dyn_into().ok()
    }

    /// The `<label>` whose text is `text`, "(opsional)" aside.
    fn label(&self, text: &str) -> Option<HtmlElement> {
        self.all("label").into_iter().find(|l| {
            let own = l.text_content().unwrap_or_default();
            let own = own.trim();
            own == text
                || own
                    .strip_prefix(text)
                    .is_some_and(|rest| rest.trim_start().starts_with('('))
        })
    }

    /// The form control labelled `text`.
    fn field(&self, text: &str) -> HtmlElement {
        let label = self
            .label(text)
            .unwrap_or_else(|| panic!("no field labelled {text:?}"));
        let id = label.get_attribute("for").expect("a label for a control");
        self.by_id(&id).expect("the labelled control")
    }

    fn sees_label(&self, text: &str) -> bool {
        self.label(text).is_some()
    }

    fn legends(&self) -> Vec<String> {
        self.all("legend")
            .iter()
            .map(|l| l.text_content().unwrap_or_default().trim().to_owned())
            .collect()
    }

    /// Types into a text field, or picks an option value of a select.
    async fn fill(&self, label: &str, text: &str) {
        let control = self.field(label);
        js_sys::Reflect::set(&control, &"value".into(), &text.into()).expect("a value");
        let kind = if control.tag_name() == "SELECT" {
            "change"
        } else {
            "input"
        };
        fire(&control, kind);
        sleep(30).await;
    }

    /// Clicks the button, link or label showing exactly `text`.
    async fn click(&self, text: &str) {
        let target = self
            .all("button, a, label")
            .into_iter()
            .find(|el| el.text_content().unwrap_or_default().trim() == text)
            .unwrap_or_else(|| {
                panic!(
                    "nothing to click reads {text:?}; the widget shows: {}",
                    self.text()
                )
            });
        target.click();
        sleep(50).await;
    }

    /// The error shown at the field labelled `label`, checked the accessible way: the control
    /// is `aria-invalid` and its description includes the message.
    fn see_error(&self, label: &str) -> String {
        self.error_at(label)
            .unwrap_or_else(|| panic!("no error at {label:?}; the widget shows: {}", self.text()))
    }

    fn error_at(&self, label: &str) -> Option<String> {
        let control = self.field(label);
        if control.get_attribute("aria-invalid").as_deref() != Some("true") {
            return None;
        }
        let described = control.get_attribute("aria-describedby")?;
        let error_id = described.split(' ').find(|id| id.ends_with("-error"))?;
        Some(self.by_id(error_id)?.text_content()?.trim().to_owned())
    }

    fn summary(&self) -> Option<HtmlElement> {
        self.all("[role=alert]")
            .into_iter()
            .find(|el| el.query_selector("ul a").ok().flatten().is_some())
    }

    fn focused_id(&self) -> String {
        self.root
            .active_element()
            .map(|el| el.id())
            .unwrap_or_default()
    }

    fn has_focus(&self, el: &HtmlElement) -> bool {
        self.root
            .active_element()
            .is_some_and(|active| active == **el)
    }
}

fn fire(target: &HtmlElement, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict(kind, &init).expect("an event");
    target.dispatch_event(&event).expect("dispatched");
}

/// A complete, valid Pengaduan, as a citizen of Samarinda would file it.
async fn fill_valid_report(w: &Widget) {
    let province = provinces()
        .iter()
        .find(|p| p.code == "64")
        .expect("Kalimantan Timur");
    let regency = regencies_of(province.code)
        .iter()
        .find(|r| r.code == "6472")
        .expect("Samarinda");
    w.fill("Judul Laporan", "Lampu jalan mati di Jl. Ahmad Yani")
        .await;
    w.fill(
        "Isi Laporan",
        "Sudah dua minggu lampu jalan di depan sekolah mati total, rawan kecelakaan.",
    )
    .await;
    w.fill("Tanggal Kejadian", "2025-11-20").await;
    w.wait(|w| {
        w.field("Provinsi")
            .text_content()
            .unwrap_or_default()
            .contains(province.name)
    })
    .await;
    w.fill("Provinsi", province.code).await;
    w.wait(|w| {
        w.field("Kabupaten/Kota")
            .text_content()
            .unwrap_or_default()
            .contains(regency.name)
    })
    .await;
    w.fill("Kabupaten/Kota", regency.code).await;
    w.fill("Nama Lengkap", "Siti Rahma").await;
    w.fill("NIK", "6472015708900003").await;
    w.fill("Nomor Telepon", "0812 3456 7890").await;
}

#[wasm_bindgen_test]
async fn the_form_shows_every_label_of_the_issue() {
    let w = open_form("id").await;
    for label in [
        "Pengaduan",
        "Aspirasi",
        "Permintaan Informasi",
        "Judul Laporan",
        "Isi Laporan",
        "Tanggal Kejadian",
        "Provinsi",
        "Kabupaten/Kota",
        "Kecamatan",
        "Lampiran",
        "Nama Lengkap",
        "NIK",
        "Nomor Telepon",
        "Email",
        "Anonim",
        "Rahasia",
    ] {
        assert!(w.sees_label(label), "no label {label:?}");
    }
    assert!(w.legends().contains(&"Lokasi Kejadian".to_owned()));
    assert!(w.text().contains("Kirim Laporan"));
    // Optional fields say so; the limits of attachments are stated before picking.
    for optional in ["Kecamatan", "Lampiran", "Email"] {
        let label = w
            .label(optional)
            .expect("a label")
            .text_content()
            .unwrap_or_default();
        assert!(label.contains("(opsional)"), "{label}");
    }
    let hint = w
        .by_id("lapor-attachments-hint")
        .expect("a hint")
        .text_content()
        .unwrap_or_default();
    assert!(
        hint.contains("JPG") && hint.contains("2 MB") && hint.contains('5'),
        "{hint}"
    );
    // Without institutions or categories in /config, their selects are not shown.
    assert!(!w.sees_label("Instansi Tujuan") && !w.sees_label("Kategori"));
}

#[wasm_bindgen_test]
async fn submitting_an_empty_form_shows_the_summary_focused_and_each_error() {
    let w = open_form("id").await;
    w.click("Kirim Laporan").await;
    w.wait(|w| w.summary().is_some()).await;
    let summary = w.summary().expect("the error summary");
    w.wait_for_focus("the summary takes focus", |w| w.has_focus(&summary))
        .await;
    let required = message(Code::Required, Lang::Id);
    assert_eq!(w.see_error("Judul Laporan"), required);
    assert_eq!(w.see_error("NIK"), required);
    assert_eq!(w.see_error("Tanggal Kejadian"), required);
    assert_eq!(w.see_error("Provinsi"), required);
    assert!(
        w.error_at("Email").is_none(),
        "an empty optional field is no error"
    );
    // Each problem in the summary is a link that takes the citizen to the field.
    let links = w.all(".lapor-summary a");
    assert_eq!(
        links.len(),
        7,
        "{}",
        summary.text_content().unwrap_or_default()
    );
    let nik_link = links
        .iter()
        .find(|a| a.get_attribute("href").as_deref() == Some("#lapor-nik"))
        .expect("a NIK link");
    // The summary names the field of each problem.
    assert_eq!(
        nik_link.text_content().unwrap_or_default(),
        format!("NIK: {required}")
    );
    nik_link.click();
    assert_eq!(w.focused_id(), "lapor-nik");
    // The submit button is never disabled.
    assert!(w
        .all("button[type=submit]")
        .iter()
        .all(|b| !b.has_attribute("disabled")));
}

#[wasm_bindgen_test]
async fn an_invalid_nik_is_named_and_fixed_live() {
    let w = open_form("id").await;
    fill_valid_report(&w).await;
    w.fill("NIK", "6472013208900003").await;
    w.click("Kirim Laporan").await;
    w.wait(|w| w.summary().is_some()).await;
    assert_eq!(w.see_error("NIK"), message(Code::NikBirthDate, Lang::Id));
    assert!(w.error_at("Judul Laporan").is_none());
    // Once in error, the field is checked as the citizen types.
    w.fill("NIK", "6472 0132 0890 0000").await;
    assert_eq!(w.see_error("NIK"), message(Code::NikBirthDate, Lang::Id));
    w.fill("NIK", "6472015708900000").await;
    assert_eq!(w.see_error("NIK"), message(Code::NikSerial, Lang::Id));
    w.fill("NIK", "6472015708900003").await;
    assert!(w.error_at("NIK").is_none());
}

#[wasm_bindgen_test]
async fn an_unknown_regency_in_the_nik_is_a_warning_only() {
    let w = open_form("id").await;
    w.fill("NIK", "6499015708900003").await;
    let warning = w
        .by_id("lapor-nik-warning")
        .expect("a warning")
        .text_content()
        .unwrap_or_default();
    assert!(
        warning.contains(message(Code::NikRegencyUnknown, Lang::Id)),
        "{warning}"
    );
    assert!(w.error_at("NIK").is_none());
    let described = w
        .field("NIK")
        .get_attribute("aria-describedby")
        .unwrap_or_default();
    assert!(described.contains("lapor-nik-warning"), "{described}");
}

#[wasm_bindgen_test]
async fn switching_to_aspirasi_hides_the_date_and_renames_the_location() {
    let w = open_form("id").await;
    assert!(w.sees_label("Tanggal Kejadian"));
    w.click("Aspirasi").await;
    w.wait(|w| !w.sees_label("Tanggal Kejadian")).await;
    let legends = w.legends();
    assert!(legends.contains(&"Asal Pelapor".to_owned()), "{legends:?}");
    assert!(!legends.contains(&"Lokasi Kejadian".to_owned()));
    w.click("Permintaan Informasi").await;
    assert!(!w.sees_label("Tanggal Kejadian"));
    w.click("Pengaduan").await;
    w.wait(|w| w.sees_label("Tanggal Kejadian")).await;
    assert!(w.legends().contains(&"Lokasi Kejadian".to_owned()));
}

#[wasm_bindgen_test]
async fn the_content_counter_counts_as_the_citizen_types() {
    let w = open_form("id").await;
    w.fill("Isi Laporan", "Jalan rusak").await;
    let counter = w
        .by_id("lapor-content-counter")
        .expect("a counter")
        .text_content()
        .unwrap_or_default();
    assert_eq!(counter, "11 dari 4000 karakter");
}

#[wasm_bindgen_test]
async fn the_regencies_follow_the_province() {
    let w = open_form("id").await;
    w.wait(|w| {
        w.field("Provinsi")
            .text_content()
            .unwrap_or_default()
            .contains("Kalimantan Timur")
    })
    .await;
    w.fill("Provinsi", "64").await;
    w.wait(|w| {
        w.field("Kabupaten/Kota")
            .text_content()
            .unwrap_or_default()
            .contains("Bontang")
    })
    .await;
    let options = w.field("Kabupaten/Kota").text_content().unwrap_or_default();
    for regency in regencies_of("64") {
        assert!(options.contains(regency.name), "{} missing", regency.name);
    }
    assert!(!options.contains(regencies_of("11")[0].name));
}

#[wasm_bindgen_test]
async fn picked_files_are_listed_and_refused_ones_say_why() {
    let w = open_form("id").await;
    let transfer = web_sys::DataTransfer::new().expect("a data transfer");
    // A real JPEG (it is decoded and cleaned of metadata before it is listed as ready).
    let bytes = photo::picture_bytes(64, 48, "image/jpeg", 0.8, 0.0).await;
    let jpeg = js_sys::Uint8Array::from(&bytes[..]);
    let photo = web_sys::File::new_with_u8_array_sequence(&js_sys::Array::of1(&jpeg), "lampu.jpg")
        .expect("a file");
    let text = web_sys::File::new_with_str_sequence(
        &js_sys::Array::of1(&"bukan gambar".into()),
        "catatan.jpg",
    )
    .expect("a file");
    transfer.items().add_with_file(&photo).expect("added");
    transfer.items().add_with_file(&text).expect("added");
    let input: HtmlInputElement = w.field("Lampiran").dyn_into().expect("a file input");
    input.set_files(transfer.files().as_ref());
    fire(&input, "change");
    w.wait(|w| !w.all(".lapor-file[data-state=ready]").is_empty())
        .await;
    let attached = w
        .all(".lapor-file")
        .iter()
        .map(|f| f.text_content().unwrap_or_default())
        .collect::<Vec<_>>();
    assert_eq!(attached.len(), 1, "{attached:?}");
    assert!(
        attached[0].contains("lampu.jpg") && attached[0].contains("data lokasi dan kamera dihapus"),
        "{attached:?}"
    );
    let refused = w
        .all(".lapor-refused li")
        .iter()
        .map(|f| f.text_content().unwrap_or_default())
        .collect::<Vec<_>>();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].starts_with("catatan.jpg"), "{refused:?}");
    assert!(
        refused[0].contains("Lampirkan foto JPEG atau PNG"),
        "with what to do: {refused:?}"
    );
    let remove = w
        .all("button[aria-label]")
        .into_iter()
        .find(|b| b.get_attribute("aria-label").as_deref() == Some("Hapus lampu.jpg"));
    remove.expect("a remove button named for the file").click();
    w.wait(|w| w.all(".lapor-file").is_empty()).await;
}

#[wasm_bindgen_test]
async fn a_blocked_send_is_kept_on_the_device_and_tried_again() {
    let w = open_form("id").await;
    fill_valid_report(&w).await;
    w.click("Kirim Laporan").await;
    w.wait(|w| w.text().contains("Laporan menunggu koneksi"))
        .await;
    assert!(w.summary().is_none(), "a valid report has no error summary");
    assert!(
        !w.text().contains("Laporan Anda telah diterima"),
        "never a receipt without the gateway's word"
    );
    // The whole report waits in this site's storage, under its key, to go when it can.
    let outbox = stored("outbox").await;
    assert!(
        outbox.contains("Lampu jalan mati di Jl. Ahmad Yani"),
        "{outbox}"
    );
    w.click("Coba kirim sekarang").await;
    sleep(200).await;
    w.wait(|w| w.text().contains("Laporan menunggu koneksi"))
        .await;
    assert_eq!(
        stored("outbox").await.matches("\"key\"").count(),
        outbox.matches("\"key\"").count(),
        "a retry is the same stored report, not a second one"
    );
}

/// Everything in one IndexedDB store of the widget, as JSON text.
async fn stored(store: &str) -> String {
    let read = js_sys::Function::new_with_args(
        "store",
        "return new Promise((resolve) => {
           const open = indexedDB.open('lapor-widget');
           open.onsuccess = () => {
             const all = open.result.transaction(store).objectStore(store).getAll();
             all.onsuccess = () => resolve(JSON.stringify(all.result));
           };
         });",
    );
    let promise: js_sys::Promise = read
        .call1(&JsValue::NULL, &store.into())
        .expect("called")
        .dyn_into()
        .expect("a promise");
    JsFuture::from(promise)
        .await
        .expect("read")
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_form_speaks_english_under_lang_en() {
    let w = open_form("en").await;
    for label in [
        "Complaint",
        "Aspiration",
        "Information Request",
        "Report title",
        "Report details",
        "Date of incident",
        "Province",
        "NIK (national identity number)",
        "Phone number",
    ] {
        assert!(w.sees_label(label), "no label {label:?}");
    }
    w.click("Send report").await;
    w.wait(|w| w.summary().is_some()).await;
    assert_eq!(
        w.see_error("Report title"),
        message(Code::Required, Lang::En)
    );
    assert_eq!(
        w.host
            .shadow_root()
            .and_then(|r| r.query_selector("[lang]").ok().flatten())
            .and_then(|e| e.get_attribute("lang"))
            .as_deref(),
        Some("en")
    );
}

#[wasm_bindgen_test]
async fn a_missing_or_wrong_endpoint_shows_a_message_instead_of_the_form() {
    for options in [
        vec![],
        vec![("endpoint", "")],
        vec![("endpoint", "javascript:alert(1)")],
        vec![("endpoint", "/api/v1")],
    ] {
        let w = open(&options).await;
        assert!(
            w.text().contains("data-endpoint"),
            "{options:?}: {}",
            w.text()
        );
        assert!(w.all("form").is_empty(), "{options:?}");
    }
}

#[wasm_bindgen_test]
fn mount_never_throws_on_a_bad_host_or_bad_options() {
    let mut handle = mount(JsValue::NULL, JsValue::UNDEFINED);
    handle.unmount();
    let document = web_sys::window()
        .expect("a window")
        .document()
        .expect("a document");
    let host = document.create_element("div").expect("a div");
    let mut handle = mount(host.clone().into(), JsValue::from_f64(42.0));
    assert!(host.shadow_root().is_some());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn unmount_removes_the_widget_and_can_be_called_twice() {
    let mut w = open_form("id").await;
    assert!(!w.all("form").is_empty());
    w.handle.unmount();
    w.handle.unmount();
    sleep(50).await;
    assert!(w.all("form").is_empty());
    assert_eq!(w.root.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn two_widgets_on_one_page_keep_to_themselves() {
    let first = open_form("id").await;
    let second = open_form("en").await;
    first
        .fill("Judul Laporan", "Sampah menumpuk di pasar")
        .await;
    first.click("Kirim Laporan").await;
    first.wait(|w| w.summary().is_some()).await;
    let title: HtmlInputElement = second.field("Report title").dyn_into().expect("an input");
    assert_eq!(title.value(), "");
    assert!(
        second.summary().is_none(),
        "an error in one widget shows nothing in the other"
    );
    assert!(second.error_at("Report title").is_none());
}

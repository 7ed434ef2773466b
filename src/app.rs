//! The application of one widget instance: two views, the report form (wired to its state and
//! its hooks) and "Cek Status Laporan" (`components::status_view`), behind two toggle buttons.

use std::rc::Rc;

use lapor_core::attachment::{sniff, FileKind};
use lapor_core::messages::{field_error_message, message, Lang};
use lapor_core::{Classification, Code, Date, Field, FieldError};
use yew::prelude::*;

use crate::components::status_view::StatusView;
use crate::components::{
    attachments_field, checkbox, classification_choice, error_summary, location_fields, receipt,
    select_field, send_status, text_field, AttachmentsFieldProps, CheckboxProps,
    ClassificationChoiceProps, ClassificationOption, ErrorSummaryProps, FileRow,
    LocationFieldsProps, Notice, ReceiptProps, SelectFieldProps, SendStatusProps, SummaryItem,
    TextFieldProps,
};
use crate::hooks::{
    new_idempotency_key, use_config, use_copy, use_files, use_history, use_persistence,
    use_regions, use_submit, Regions,
};
use crate::i18n::{fill, texts, type_name, Texts, MISSING_ENDPOINT};
use crate::state::{dom_id, reduce, Action, Failure, FormState, Input, Phase, Refusal};
use crate::status_texts::status_texts;

impl Reducible for FormState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        reduce(&mut next, action);
        Rc::new(next)
    }
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The gateway's API base (`…/api/v1`), `None` if the host page gave no valid one.
    pub endpoint: Option<AttrValue>,
    pub lang: Lang,
    /// Called with the tracking id once the gateway confirmed a report.
    pub onsubmitted: Callback<AttrValue>,
    /// Which widget this is, for its draft and its waiting report: the endpoint, the page
    /// and the widget's place on it (see `entry::scope`).
    pub scope: AttrValue,
}

/// Which view the widget shows, and whether the status view was ever opened.
#[derive(Clone, Copy, PartialEq)]
struct Views {
    status: bool,
    status_opened: bool,
}

/// The widget: two views, the form and "Cek Status Laporan", behind a pair of toggle buttons
/// (`aria-pressed`); or a message in their place when it has no endpoint. A view that is not
/// shown stays mounted, hidden, so switching never loses what the citizen typed; the status
/// view is mounted the first time it is opened.
#[component]
pub fn App(props: &AppProps) -> Html {
    let views = use_state(|| Views {
        status: false,
        status_opened: false,
    });
    // Tracking numbers of reports filed on this device, read again after each new one.
    let filed = use_state(|| 0u32);
    let known_ids = use_history(props.endpoint.clone().unwrap_or_default(), *filed);
    let Some(endpoint) = &props.endpoint else {
        return html! { <Notice message={MISSING_ENDPOINT} /> };
    };
    let onsubmitted = {
        let outer = props.onsubmitted.clone();
        Callback::from(move |tracking_id: AttrValue| {
            outer.emit(tracking_id);
            filed.set(*filed + 1);
        })
    };
    let lang = props.lang;
    let s = status_texts(lang);
    let toggle = |label: &'static str, status: bool| {
        let pressed = views.status == status;
        let views = views.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            views.set(Views {
                status,
                status_opened: views.status_opened || status,
            })
        });
        html! {
            <button type="button" aria-pressed={if pressed { "true" } else { "false" }} {onclick}
                class={if pressed { "lapor-button" } else { "lapor-button lapor-button--secondary" }}>{ label }</button>
        }
    };
    html! {
        <>
            <div class="lapor-widget" lang={lang.as_str()} role="group" aria-label={s.views_label}>
                { toggle(s.view_form, false) }{ " " }{ toggle(s.view_status, true) }
            </div>
            <div hidden={views.status}>
                <ReportForm endpoint={endpoint.clone()} {lang} {onsubmitted} scope={props.scope.clone()} />
            </div>
            if views.status_opened {
                <div hidden={!views.status}>
                    <StatusView endpoint={endpoint.clone()} {lang} {known_ids} />
                </div>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ReportFormProps {
    endpoint: AttrValue,
    lang: Lang,
    onsubmitted: Callback<AttrValue>,
    scope: AttrValue,
}

/// Today in Asia/Jakarta (UTC+7), the contract's time zone, from the browser's clock.
fn jakarta_today() -> Date {
    Date::jakarta_from_unix((js_sys::Date::now() / 1000.0) as i64)
}

#[component]
fn ReportForm(props: &ReportFormProps) -> Html {
    let lang = props.lang;
    let t = texts(lang);
    let state = use_reducer(|| FormState::new(lang, jakarta_today()));
    let dispatch = state.dispatcher();
    let act = dispatch.to_callback();
    use_config(props.endpoint.clone(), dispatch.clone());
    let provinces = use_regions(props.endpoint.clone(), AttrValue::Static(""));
    let regencies = use_regions(
        props.endpoint.clone(),
        AttrValue::from(state.fields.province.clone()),
    );
    let districts = use_regions(
        props.endpoint.clone(),
        AttrValue::from(state.fields.regency.clone()),
    );
    let (files, onpick) = use_files(dispatch.clone(), state.config.attachments.max_file_bytes);
    use_submit(
        props.endpoint.clone(),
        props.scope.clone(),
        &state,
        dispatch.clone(),
        files.clone(),
        props.onsubmitted.clone(),
    );
    let persistence = use_persistence(props.scope.clone(), &state, dispatch.clone(), files.clone());

    // Focus moves to the error summary after every failed submit, and to the receipt.
    let summary_ref = use_node_ref();
    {
        let summary_ref = summary_ref.clone();
        use_effect_with(state.summary_focus, move |n| {
            if *n > 0 {
                if let Some(el) = summary_ref.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    let receipt_ref = use_node_ref();
    let tracking_id = match &state.phase {
        Phase::Done { tracking_id } => Some(AttrValue::from(tracking_id.clone())),
        _ => None,
    };
    let (oncopy, copy_status) = use_copy(tracking_id.clone().unwrap_or_default());
    {
        let receipt_ref = receipt_ref.clone();
        use_effect_with(tracking_id.clone(), move |id| {
            if id.is_some() {
                if let Some(el) = receipt_ref.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }

    if let Some(tracking_id) = tracking_id {
        let onnew = act.reform(|()| Action::Reset);
        return html! {
            <div class="lapor-widget" lang={lang.as_str()}>
                { receipt(&ReceiptProps { tracking_id, texts: t, copy_status, node_ref: receipt_ref, oncopy, onnew }) }
            </div>
        };
    }

    if state.phase == Phase::Queued {
        let onclick = act.reform(|_: MouseEvent| Action::Retry);
        return html! {
            <div class="lapor-widget" lang={lang.as_str()}>
                <section class="lapor-info" role="status" aria-labelledby="lapor-queued-title">
                    <h2 id="lapor-queued-title" class="lapor-title">{ t.queued_title }</h2>
                    <p>{ t.queued_body }</p>
                    <button type="button" class="lapor-button lapor-button--secondary" {onclick}>{ t.queued_retry }</button>
                </section>
            </div>
        };
    }

    let edit = |input: Input| act.reform(move |value: String| Action::Edit(input, value));
    let msg = |e: &FieldError| -> AttrValue {
        let text = field_error_message(e, lang, &state.config);
        match e.field {
            // Name the file an error is about.
            Field::Attachment(i) => match state
                .outgoing
                .as_ref()
                .and_then(|o| o.attachment_ids.get(i))
            {
                Some(id) => match state.attachments.iter().find(|a| a.id == *id) {
                    Some(a) => format!("{}: {text}", a.name).into(),
                    None => text.into(),
                },
                None => text.into(),
            },
            _ => text.into(),
        }
    };
    let errors_at =
        |id: &str| -> Vec<AttrValue> { state.errors_at(id).into_iter().map(msg).collect() };
    let warnings_at = |id: &str| -> Vec<AttrValue> {
        state
            .warnings_at(id)
            .into_iter()
            .map(|w| format!("{} {}", t.warning_prefix, message(w.code, lang)).into())
            .collect()
    };
    let summary: Vec<SummaryItem> = state
        .errors
        .iter()
        .map(|e| {
            // The summary names the field: "Bagian ini wajib diisi" alone would not say where.
            let target = dom_id(e.field, &state);
            let message = match field_label(t, target) {
                Some(label) => format!("{label}: {}", msg(e)).into(),
                None => msg(e),
            };
            SummaryItem {
                target: target.into(),
                message,
            }
        })
        .collect();

    let config = &state.config;
    let limits = &config.limits;
    let kinds: Vec<ClassificationOption> = state
        .classifications()
        .into_iter()
        .map(|value| {
            let (label, hint) = kind_texts(t, value);
            ClassificationOption {
                value,
                label: label.into(),
                hint: hint.into(),
            }
        })
        .collect();
    let incident = state.classification.is_incident();
    let title_hint = fill(
        t.title_hint,
        &[
            ("min", &limits.title_min.to_string()),
            ("max", &limits.title_max.to_string()),
        ],
    );
    let content_hint = fill(
        t.content_hint,
        &[
            ("min", &limits.content_min.to_string()),
            ("max", &limits.content_max.to_string()),
        ],
    );
    let counter = fill(
        t.content_counter,
        &[
            (
                "count",
                &state.fields.content.trim().chars().count().to_string(),
            ),
            ("max", &limits.content_max.to_string()),
        ],
    );

    // Why a list is empty: loading, or failed (and retried). The kecamatan is optional, so
    // its failure note says the report can go without it.
    let list_note = |r: &Regions| match r {
        Regions::Loading => Some(AttrValue::Static(t.regions_loading)),
        Regions::Failed => Some(AttrValue::Static(t.regions_failed)),
        _ => None,
    };
    let province_note = list_note(&provinces);
    let regency_note = list_note(&regencies);
    let district_note = match &districts {
        Regions::Loading => Some(AttrValue::Static(t.districts_loading)),
        Regions::Failed => Some(AttrValue::Static(t.districts_failed)),
        _ => None,
    };
    let named = |list: &[lapor_core::Named]| -> Vec<(AttrValue, AttrValue)> {
        list.iter()
            .map(|n| {
                (
                    AttrValue::from(n.id.clone()),
                    AttrValue::from(n.name.clone()),
                )
            })
            .collect()
    };

    let a = &config.attachments;
    let types: Vec<&str> = a.types.iter().map(|m| type_name(m)).collect();
    let attachments_hint = fill(
        t.attachments_hint,
        &[
            ("types", &types.join(", ")),
            (
                "size",
                &lapor_core::messages::format_bytes(a.max_file_bytes, lang),
            ),
            ("count", &a.max_files.to_string()),
            (
                "total",
                &lapor_core::messages::format_bytes(a.max_total_bytes, lang),
            ),
        ],
    );
    let accept = accept_attribute(&a.types);
    let bytes = |n: u64| lapor_core::messages::format_bytes(n, lang);
    let file_rows: Vec<FileRow> = state
        .attachments
        .iter()
        .map(|f| {
            let kind = sniff(&f.head);
            let image = matches!(kind, Some(FileKind::Jpeg | FileKind::Png));
            let note = if !f.ready {
                Some(fill(
                    t.file_working,
                    &[("percent", &f.progress.to_string())],
                ))
            } else if image && f.size != f.original_size {
                Some(format!(
                    "{}; {}",
                    fill(t.file_resized, &[("size", &bytes(f.original_size))]),
                    t.file_cleaned
                ))
            } else if image {
                Some(t.file_cleaned.to_owned())
            } else {
                None
            };
            FileRow {
                id: f.id,
                name: f.name.clone().into(),
                kind: AttrValue::Static(kind.map_or("", |k| type_name(k.mime()))),
                size: bytes(f.size).into(),
                note: note.map(AttrValue::from),
                ready: f.ready,
                thumbnail: (image && f.ready)
                    .then(|| files.get(f.id).map(|(_, blob)| blob))
                    .flatten(),
                remove_label: fill(t.remove_file, &[("name", &f.name)]).into(),
            }
        })
        .collect();
    let refused: Vec<AttrValue> = state
        .refused
        .iter()
        .map(|r| {
            let reason = match &r.why {
                Refusal::Rule(e) => {
                    let advice = match e.code {
                        Code::FileTooLarge | Code::TotalTooLarge => t.advice_too_large,
                        Code::FileType | Code::FileTypeMismatch => t.advice_type,
                        _ => "",
                    };
                    format!("{} {advice}", field_error_message(e, lang, config))
                }
                Refusal::Undecodable => t.refused_undecodable.to_owned(),
                Refusal::CannotFit => t.refused_cannot_fit.to_owned(),
            };
            format!("{} ({}): {}", r.name, bytes(r.size), reason.trim_end()).into()
        })
        .collect();

    let (progress, failure) = match &state.phase {
        Phase::Sending { loaded, total } => (Some((*loaded, *total)), None),
        Phase::Failed(f) => (None, Some(AttrValue::Static(failure_text(t, *f)))),
        _ => (None, None),
    };
    let submit = {
        let dispatch = dispatch.clone();
        move || {
            dispatch.dispatch(Action::Submit {
                fresh_key: new_idempotency_key(),
            })
        }
    };
    let onsubmit = {
        let submit = submit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submit();
        })
    };
    let onretry = Callback::from(move |()| submit());

    html! {
        <div class="lapor-widget" lang={lang.as_str()}>
            <form class="lapor-form" novalidate=true {onsubmit} aria-labelledby="lapor-form-title">
                <h2 id="lapor-form-title" class="lapor-title">{ t.form_title }</h2>
                <p class="lapor-intro">{ t.form_intro }</p>
                if state.restored {
                    <div class="lapor-info" role="status">
                        <p>{ t.restored }</p>
                        <button type="button" class="lapor-button lapor-button--secondary"
                            onclick={act.reform(|_: MouseEvent| Action::DiscardDraft)}>{ t.discard_draft }</button>
                    </div>
                }
                if !summary.is_empty() {
                    { error_summary(&ErrorSummaryProps { title: t.summary_title.into(), items: summary, node_ref: summary_ref }) }
                }
                { classification_choice(&yew::props!(ClassificationChoiceProps { legend: t.classification_legend, options: kinds, selected: state.classification, errors: errors_at("lapor-classification"), onchange: act.reform(Action::Classify) })) }
                { text_field(&yew::props!(TextFieldProps { id: "lapor-title", label: t.title_label, hint: AttrValue::from(title_hint), value: AttrValue::from(state.fields.title.clone()), errors: errors_at("lapor-title"), oninput: edit(Input::Title) })) }
                { text_field(&yew::props!(TextFieldProps { id: "lapor-content", label: t.content_label, kind: "textarea", hint: AttrValue::from(content_hint), counter: AttrValue::from(counter), value: AttrValue::from(state.fields.content.clone()), errors: errors_at("lapor-content"), oninput: edit(Input::Content) })) }
                if incident {
                    { text_field(&yew::props!(TextFieldProps { id: "lapor-incident-date", label: t.incident_date_label, kind: "date", hint: AttrValue::Static(t.incident_date_hint), max: AttrValue::from(state.today.to_string()), value: AttrValue::from(state.fields.incident_date.clone()), errors: errors_at("lapor-incident-date"), oninput: edit(Input::IncidentDate) })) }
                }
                { location_fields(&yew::props!(LocationFieldsProps { legend: if incident { t.location_incident_legend } else { t.location_origin_legend }, province_label: t.province_label, regency_label: t.regency_label, district_label: t.district_label, optional: t.optional, choose: t.choose, choose_province_first: t.choose_province_first, choose_regency_first: t.choose_regency_first, province: AttrValue::from(state.fields.province.clone()), regency: AttrValue::from(state.fields.regency.clone()), district: AttrValue::from(state.fields.district.clone()), provinces: provinces.list(), regencies: regencies.list(), districts: districts.list(), province_note, regency_note, district_note, province_errors: errors_at("lapor-province"), regency_errors: errors_at("lapor-regency"), onprovince: edit(Input::Province), onregency: edit(Input::Regency), ondistrict: edit(Input::District) })) }
                if !config.institutions.is_empty() {
                    { select_field(&yew::props!(SelectFieldProps { id: "lapor-institution", label: t.institution_label, optional: t.optional, value: AttrValue::from(state.fields.institution.clone()), placeholder: t.none_chosen, options: named(&config.institutions), errors: errors_at("lapor-institution"), onchange: edit(Input::Institution) })) }
                }
                if !config.categories.is_empty() {
                    { select_field(&yew::props!(SelectFieldProps { id: "lapor-category", label: t.category_label, optional: t.optional, value: AttrValue::from(state.fields.category.clone()), placeholder: t.none_chosen, options: named(&config.categories), errors: errors_at("lapor-category"), onchange: edit(Input::Category) })) }
                }
                { attachments_field(&yew::props!(AttachmentsFieldProps { label: t.attachments_label, optional: t.optional, hint: AttrValue::from(attachments_hint), accept: AttrValue::from(accept), files: file_rows, chosen_title: t.attachments_chosen, refused, refused_title: t.attachments_refused, remove: t.remove, errors: errors_at("lapor-attachments"), onpick, onremove: act.reform(Action::RemoveFile) })) }
                <fieldset class="lapor-fieldset">
                    <legend class="lapor-legend">{ t.reporter_legend }</legend>
                    <p class="lapor-hint">{ t.reporter_hint }</p>
                    { text_field(&yew::props!(TextFieldProps { id: "lapor-name", label: t.name_label, autocomplete: "name", value: AttrValue::from(state.fields.name.clone()), errors: errors_at("lapor-name"), oninput: edit(Input::Name) })) }
                    // A gateway may not require the NIK (`require_nik: false`): then it is optional.
                    { text_field(&yew::props!(TextFieldProps { id: "lapor-nik", label: t.nik_label, hint: AttrValue::Static(t.nik_hint), inputmode: "numeric", optional: (!config.require_nik).then_some(AttrValue::Static(t.optional)), autocomplete: "off", value: AttrValue::from(state.nik.clone()), errors: errors_at("lapor-nik"), warnings: warnings_at("lapor-nik"), oninput: edit(Input::Nik) })) }
                    { text_field(&yew::props!(TextFieldProps { id: "lapor-phone", label: t.phone_label, kind: "tel", hint: AttrValue::Static(t.phone_hint), autocomplete: "tel", value: AttrValue::from(state.fields.phone.clone()), errors: errors_at("lapor-phone"), oninput: edit(Input::Phone) })) }
                    { text_field(&yew::props!(TextFieldProps { id: "lapor-email", label: t.email_label, kind: "email", optional: t.optional, hint: AttrValue::Static(t.email_hint), autocomplete: "email", value: AttrValue::from(state.fields.email.clone()), errors: errors_at("lapor-email"), oninput: edit(Input::Email) })) }
                    { checkbox(CheckboxProps { id: "lapor-anonymous".into(), label: t.anonymous_label, hint: t.anonymous_hint,
                        checked: state.anonymous, onchange: act.reform(Action::SetAnonymous) }) }
                    { checkbox(CheckboxProps { id: "lapor-secret".into(), label: t.secret_label, hint: t.secret_hint,
                        checked: state.secret, onchange: act.reform(Action::SetSecret) }) }
                </fieldset>
                { send_status(&SendStatusProps { progress, sending_label: t.sending.into(), failure, kept: t.failure_kept.into(),
                    retry: t.retry.into(), onretry }) }
                if state.submit_pending.is_some() {
                    <p class="lapor-info" role="status">{ t.waiting_files }</p>
                }
                // Never disabled: a second click while sending is ignored by the form state instead.
                <button type="submit" class="lapor-button">{ t.submit }</button>
                <p class="lapor-saved" aria-live="polite">{ for persistence.saved.then_some(t.draft_saved) }</p>
            </form>
        </div>
    }
}

fn kind_texts(t: &'static Texts, kind: Classification) -> (&'static str, &'static str) {
    match kind {
        Classification::Pengaduan => (t.pengaduan, t.pengaduan_hint),
        Classification::Aspirasi => (t.aspirasi, t.aspirasi_hint),
        Classification::PermintaanInformasi => {
            (t.permintaan_informasi, t.permintaan_informasi_hint)
        }
    }
}

/// The visible label of the field with this id.
fn field_label(t: &'static Texts, id: &str) -> Option<&'static str> {
    Some(match id {
        "lapor-classification" => t.classification_legend,
        "lapor-title" => t.title_label,
        "lapor-content" => t.content_label,
        "lapor-incident-date" => t.incident_date_label,
        "lapor-province" => t.province_label,
        "lapor-regency" => t.regency_label,
        "lapor-institution" => t.institution_label,
        "lapor-category" => t.category_label,
        "lapor-attachments" => t.attachments_label,
        "lapor-name" => t.name_label,
        "lapor-nik" => t.nik_label,
        "lapor-phone" => t.phone_label,
        "lapor-email" => t.email_label,
        _ => return None,
    })
}

fn failure_text(t: &'static Texts, failure: Failure) -> &'static str {
    match failure {
        Failure::Network => t.failure_network,
        Failure::Server => t.failure_server,
        Failure::RateLimited => t.failure_rate_limited,
        Failure::TooLarge => t.failure_too_large,
        Failure::Rejected => t.failure_rejected,
    }
}

/// The file picker's filter: the MIME types and their usual extensions (some phones filter
/// only by extension).
fn accept_attribute(types: &[String]) -> String {
    let mut accept: Vec<&str> = Vec::new();
    for mime in types {
        accept.push(mime);
        match mime.as_str() {
            "image/jpeg" => accept.extend([".jpg", ".jpeg"]),
            "image/png" => accept.push(".png"),
            "application/pdf" => accept.push(".pdf"),
            _ => {}
        }
    }
    accept.join(",")
}

//! The report form: its hooks, then its page, rendered from the form's view model
//! (`form::view`) and nothing else. No request, no storage, no browser call happens here
//! while rendering: the hooks do those in effects.

use std::rc::Rc;

use lapor_core::messages::Lang;
use lapor_core::{Date, Named};
use yew::prelude::*;

use super::{
    attachments_field, checkbox, classification_choice, error_summary, location_fields, receipt,
    select_field, send_status, text_field, AttachmentsFieldProps, CheckboxProps,
    ClassificationChoiceProps, ErrorSummaryProps, FileRow, LocationFieldsProps, ReceiptProps,
    SelectFieldProps, SendStatusProps, TextFieldProps,
};
use crate::form::view::form_view;
use crate::form::{Action, Input, Phase};
use crate::hooks::{
    use_config, use_copy, use_files, use_outbox, use_persistence, use_regions, Form, Regions, Seed,
};
use crate::i18n::texts;
use crate::io::http::new_idempotency_key;

#[derive(Properties, PartialEq)]
pub struct ReportFormProps {
    pub endpoint: AttrValue,
    pub lang: Lang,
    /// Today in Asia/Jakarta, read once when the widget was mounted.
    pub today: Date,
    pub onsubmitted: Callback<AttrValue>,
    pub scope: AttrValue,
    /// What the citizen did in the pre-rendered form before the take-over.
    pub takeover: Option<Rc<Seed>>,
}

#[component]
pub fn ReportForm(props: &ReportFormProps) -> Html {
    let lang = props.lang;
    let t = texts(lang);
    let today = props.today;
    let seed = props.takeover.clone();
    let form = {
        let seed = seed.clone();
        use_reducer(move || match seed {
            Some(seed) => Form::seeded(lang, today, &seed),
            None => Form::new(lang, today),
        })
    };
    // What was typed before the take-over is newer than any draft kept on this device.
    let typed = seed.as_ref().is_some_and(|s| s.touched());
    let state = &form.state;
    let dispatch = form.dispatcher();
    let act = dispatch.to_callback();
    let config_settled = use_config(props.endpoint.clone(), dispatch.clone());
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
    let persistence = use_persistence(
        props.scope.clone(),
        typed,
        state,
        dispatch.clone(),
        files.clone(),
    );
    use_outbox(
        props.endpoint.clone(),
        props.scope.clone(),
        persistence.loaded,
        &form,
        dispatch.clone(),
        files.clone(),
        props.onsubmitted.clone(),
    );

    // "Kirim Laporan" pressed in the pre-rendered form: carried out, once, when the draft
    // store has been read (so that no restore can come after it) and `/config` has answered
    // or failed (so the report is checked with this gateway's rules and the site's region).
    {
        let dispatch = dispatch.clone();
        let pending = seed.is_some_and(|s| s.submit);
        use_effect_with(persistence.loaded && config_settled, move |ready| {
            if pending && *ready {
                dispatch.dispatch(Action::Submit {
                    fresh_key: new_idempotency_key(),
                });
            }
        });
    }

    // Focus moves to the error summary after every failed submit, and to the receipt.
    let summary_ref = use_node_ref();
    {
        let summary_ref = summary_ref.clone();
        use_effect_with(form.summary_focus, move |n| {
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
                    <p>{ if state.blocked { t.blocked_body } else { t.queued_body } }</p>
                    <button type="button" class="lapor-button lapor-button--secondary" {onclick}>{ t.queued_retry }</button>
                </section>
            </div>
        };
    }

    let v = form_view(state, t);
    let edit = |input: Input| act.reform(move |value: String| Action::Edit(input, value));
    // Why a list is empty: loading, or failed (and retried). The kecamatan is optional, so
    // its failure note says the report can go without it.
    let list_note = |r: &Regions, loading: &'static str, failed: &'static str| match r {
        Regions::Loading => Some(AttrValue::Static(loading)),
        Regions::Failed => Some(AttrValue::Static(failed)),
        _ => None,
    };
    let province_note = list_note(&provinces, t.regions_loading, t.regions_failed);
    let regency_note = list_note(&regencies, t.regions_loading, t.regions_failed);
    let district_note = list_note(&districts, t.districts_loading, t.districts_failed);
    let config = &state.config;
    let file_rows: Vec<FileRow> = v
        .files
        .into_iter()
        .map(|line| FileRow {
            thumbnail: line
                .thumbnail
                .then(|| files.get(line.id).map(|(_, blob)| blob))
                .flatten(),
            line,
        })
        .collect();
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
    let incident = v.incident;

    html! {
        <div class="lapor-widget" lang={lang.as_str()}>
            <form class="lapor-form" novalidate=true {onsubmit} aria-labelledby="lapor-form-title">
                <h2 id="lapor-form-title" class="lapor-title">{ t.form_title }</h2>
                <p class="lapor-intro">{ t.form_intro }</p>
                if state.expired {
                    <div class="lapor-info" role="status"><p>{ t.expired }</p></div>
                }
                if state.restored {
                    <div class="lapor-info" role="status">
                        <p>{ t.restored }</p>
                        <button type="button" class="lapor-button lapor-button--secondary"
                            onclick={act.reform(|_: MouseEvent| Action::DiscardDraft)}>{ t.discard_draft }</button>
                    </div>
                }
                if !v.summary.is_empty() {
                    { error_summary(&ErrorSummaryProps { title: t.summary_title.into(), items: v.summary, node_ref: summary_ref }) }
                }
                { classification_choice(&ClassificationChoiceProps { legend: t.classification_legend.into(), options: v.kinds, selected: state.classification, messages: v.classification, onchange: act.reform(Action::Classify) }) }
                { text_field(&TextFieldProps { hint: Some(AttrValue::from(v.title_hint)), ..TextFieldProps::new(Input::Title.dom_id(), t.title_label, AttrValue::from(state.fields.title.clone()), v.title, edit(Input::Title)) }) }
                { text_field(&TextFieldProps { kind: "textarea".into(), hint: Some(AttrValue::from(v.content_hint)), counter: Some(AttrValue::from(v.content_counter)), ..TextFieldProps::new(Input::Content.dom_id(), t.content_label, AttrValue::from(state.fields.content.clone()), v.content, edit(Input::Content)) }) }
                if incident {
                    { text_field(&TextFieldProps { kind: "date".into(), hint: Some(AttrValue::Static(t.incident_date_hint)), max: Some(AttrValue::from(state.today.to_string())), ..TextFieldProps::new(Input::IncidentDate.dom_id(), t.incident_date_label, AttrValue::from(state.fields.incident_date.clone()), v.incident_date, edit(Input::IncidentDate)) }) }
                }
                { location_fields(&LocationFieldsProps { legend: v.location_legend.into(), province_label: t.province_label.into(), regency_label: t.regency_label.into(), district_label: t.district_label.into(), optional: t.optional.into(), choose: t.choose.into(), choose_province_first: t.choose_province_first.into(), choose_regency_first: t.choose_regency_first.into(), province: AttrValue::from(state.fields.province.clone()), regency: AttrValue::from(state.fields.regency.clone()), district: AttrValue::from(state.fields.district.clone()), provinces: provinces.list(), regencies: regencies.list(), districts: districts.list(), province_note, regency_note, district_note, province_messages: v.province, regency_messages: v.regency, onprovince: edit(Input::Province), onregency: edit(Input::Regency), ondistrict: edit(Input::District) }) }
                if !config.institutions.is_empty() {
                    { select_field(&SelectFieldProps { id: Input::Institution.dom_id().into(), label: t.institution_label.into(), optional: Some(t.optional.into()), value: AttrValue::from(state.fields.institution.clone()), placeholder: t.none_chosen.into(), options: named(&config.institutions), hint: None, messages: v.institution, onchange: edit(Input::Institution) }) }
                }
                if !config.categories.is_empty() {
                    { select_field(&SelectFieldProps { id: Input::Category.dom_id().into(), label: t.category_label.into(), optional: Some(t.optional.into()), value: AttrValue::from(state.fields.category.clone()), placeholder: t.none_chosen.into(), options: named(&config.categories), hint: None, messages: v.category, onchange: edit(Input::Category) }) }
                }
                { attachments_field(&AttachmentsFieldProps { label: t.attachments_label.into(), optional: t.optional.into(), hint: AttrValue::from(v.attachments_hint), accept: AttrValue::from(v.accept), files: file_rows, chosen_title: t.attachments_chosen.into(), refused: v.refused, refused_title: t.attachments_refused.into(), remove: t.remove.into(), messages: v.attachments, onpick, onremove: act.reform(Action::RemoveFile) }) }
                <fieldset class="lapor-fieldset">
                    <legend class="lapor-legend">{ t.reporter_legend }</legend>
                    <p class="lapor-hint">{ t.reporter_hint }</p>
                    { text_field(&TextFieldProps { autocomplete: Some("name".into()), ..TextFieldProps::new(Input::Name.dom_id(), t.name_label, AttrValue::from(state.fields.name.clone()), v.name, edit(Input::Name)) }) }
                    // A gateway may not require the NIK (`require_nik: false`): then it is optional.
                    { text_field(&TextFieldProps { hint: Some(AttrValue::Static(t.nik_hint)), inputmode: Some("numeric".into()), optional: (!config.require_nik).then_some(AttrValue::Static(t.optional)), autocomplete: Some("off".into()), ..TextFieldProps::new(Input::Nik.dom_id(), t.nik_label, AttrValue::from(state.nik.clone()), v.nik, edit(Input::Nik)) }) }
                    { text_field(&TextFieldProps { kind: "tel".into(), hint: Some(AttrValue::Static(t.phone_hint)), autocomplete: Some("tel".into()), ..TextFieldProps::new(Input::Phone.dom_id(), t.phone_label, AttrValue::from(state.fields.phone.clone()), v.phone, edit(Input::Phone)) }) }
                    { text_field(&TextFieldProps { kind: "email".into(), optional: Some(t.optional.into()), hint: Some(AttrValue::Static(t.email_hint)), autocomplete: Some("email".into()), ..TextFieldProps::new(Input::Email.dom_id(), t.email_label, AttrValue::from(state.fields.email.clone()), v.email, edit(Input::Email)) }) }
                    { checkbox(CheckboxProps { id: "lapor-anonymous".into(), label: t.anonymous_label, hint: t.anonymous_hint,
                        checked: state.anonymous, onchange: act.reform(Action::SetAnonymous) }) }
                    { checkbox(CheckboxProps { id: "lapor-secret".into(), label: t.secret_label, hint: t.secret_hint,
                        checked: state.secret, onchange: act.reform(Action::SetSecret) }) }
                </fieldset>
                { send_status(&SendStatusProps { progress: v.progress, sending_label: t.sending.into(), failure: v.failure.map(AttrValue::Static), kept: t.failure_kept.into(),
                    retry: t.retry.into(), onretry }) }
                if v.waiting_files {
                    <p class="lapor-info" role="status">{ t.waiting_files }</p>
                }
                // Never disabled: a second click while sending is ignored by the form state instead.
                <button type="submit" class="lapor-button" data-lapor-pending={t.submit_pending}>{ t.submit }</button>
                <p class="lapor-saved" aria-live="polite">{ for persistence.saved.then_some(t.draft_saved) }</p>
            </form>
        </div>
    }
}

/// The options of a select from a list of `/config`.
fn named(list: &[Named]) -> Vec<(AttrValue, AttrValue)> {
    list.iter()
        .map(|n| {
            (
                AttrValue::from(n.id.clone()),
                AttrValue::from(n.name.clone()),
            )
        })
        .collect()
}

use lapor_core::messages::Lang;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hooks::use_status::{use_status, Lookup, ReportStatus};
use crate::i18n::fill;
use crate::status_texts::{received_on, status_texts, StatusTexts, TrackingId};

#[derive(Properties, PartialEq)]
pub struct StatusViewProps {
    /// The gateway's API base (`…/api/v1`).
    pub endpoint: AttrValue,
    pub lang: Lang,
    /// Tracking ids of reports sent from this device, newest first: each one is a button
    /// that fills it in and checks it. Nothing is shown for an empty list.
    pub known_ids: Vec<AttrValue>,
    /// A tracking id to fill in, and to check at once if it is valid.
    #[prop_or_default]
    pub initial: Option<AttrValue>,
}

/// "Cek Status Laporan": the citizen types a tracking number and sees where the report is:
/// received, forwarded to LAPOR! (with LAPOR!'s own status) or refused by LAPOR!. The result
/// is in a `role="status"` region, so a screen reader reads it out when it arrives.
#[component]
pub fn StatusView(props: &StatusViewProps) -> Html {
    let t = status_texts(props.lang);
    let typed = use_state(|| props.initial.clone().unwrap_or_default());
    // The inline error of the last check, if what was typed was no tracking id.
    let error = use_state(|| None::<&'static str>);
    let input_ref = use_node_ref();
    let (lookup, check) = use_status(props.endpoint.clone());

    // Checks what the citizen typed, or says why it cannot be checked.
    let submit = {
        let (error, check, input_ref) = (error.clone(), check.clone(), input_ref.clone());
        Callback::from(move |text: AttrValue| match TrackingId::parse(&text) {
            Ok(id) => {
                error.set(None);
                check.emit(id);
            }
            Err(e) => {
                error.set(Some(t.id_error(e)));
                if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                    let _ = input.focus();
                }
            }
        })
    };
    {
        // A given tracking id is filled in, and checked when valid (an invalid one only shows,
        // with no error before the citizen has done anything).
        let (typed, check) = (typed.clone(), check.clone());
        use_effect_with(props.initial.clone(), move |initial| {
            if let Some(initial) = initial {
                typed.set(initial.clone());
                if let Ok(id) = TrackingId::parse(initial) {
                    check.emit(id);
                }
            }
        });
    }

    let onsubmit = {
        let (submit, typed) = (submit.clone(), typed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submit.emit((*typed).clone());
        })
    };
    let oninput = {
        let typed = typed.clone();
        Callback::from(move |e: InputEvent| {
            typed.set(e.target_unchecked_into::<HtmlInputElement>().value().into())
        })
    };
    let known = props.known_ids.iter().map(|id| {
        let (submit, typed, id) = (submit.clone(), typed.clone(), id.clone());
        let label = id.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            typed.set(id.clone());
            submit.emit(id.clone());
        });
        html! { <li><button type="button" class="lapor-link-button" {onclick}>{ label }</button></li> }
    });

    let result = match &lookup {
        Lookup::Idle => html! {},
        Lookup::Loading(_) => html! { <p>{ t.checking }</p> },
        Lookup::Found(report) => found(t, report),
        Lookup::NotFound(id) => html! {
            <div class="lapor-failure">
                <p class="lapor-failure-message">{ fill(t.not_found, &[("id", id.as_str())]) }</p>
            </div>
        },
        Lookup::Failed { id, network } => {
            // The button goes while checking: the focus moves to the input rather than be lost.
            let (check, id, input_ref) = (check.clone(), id.clone(), input_ref.clone());
            let onclick = Callback::from(move |_: MouseEvent| {
                if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                    let _ = input.focus();
                }
                check.emit(id.clone());
            });
            html! {
                <div class="lapor-failure">
                    <p class="lapor-failure-message">
                        { if *network { t.failure_network } else { t.failure_server } }
                    </p>
                    <button type="button" class="lapor-button lapor-button--secondary" {onclick}>{ t.retry }</button>
                </div>
            }
        }
    };

    let invalid = error.is_some();
    let describedby = if invalid {
        "lapor-status-id-hint lapor-status-id-error"
    } else {
        "lapor-status-id-hint"
    };
    html! {
        <div class="lapor-widget" lang={props.lang.as_str()}>
            <form class="lapor-form" novalidate=true {onsubmit} aria-labelledby="lapor-status-title">
                <h2 id="lapor-status-title" class="lapor-title">{ t.view_status }</h2>
                <p class="lapor-intro">{ t.intro }</p>
                if !props.known_ids.is_empty() {
                    <p class="lapor-list-title" id="lapor-status-known">{ t.known_title }</p>
                    <ul class="lapor-files" aria-labelledby="lapor-status-known">{ for known }</ul>
                }
                <div class={classes!("lapor-field", invalid.then_some("lapor-field--error"))}>
                    <label for="lapor-status-id" class="lapor-label">{ t.id_label }</label>
                    <p id="lapor-status-id-hint" class="lapor-hint">{ t.id_hint }</p>
                    if let Some(message) = *error {
                        <p id="lapor-status-id-error" class="lapor-error-message"><span>{ message }</span></p>
                    }
                    <input id="lapor-status-id" name="lapor-status-id" type="text" ref={input_ref}
                        value={(*typed).clone()} autocomplete="off" autocapitalize="characters" spellcheck="false"
                        aria-invalid={invalid.then_some("true")} aria-describedby={describedby} {oninput} />
                </div>
                <button type="submit" class="lapor-button">{ t.check }</button>
            </form>
            <div role="status">{ result }</div>
        </div>
    }
}

/// A report the gateway knows: which one, since when, its stage, and LAPOR!'s status.
fn found(t: &'static StatusTexts, report: &ReportStatus) -> Html {
    let (stage, detail) = t.stage(&report.status);
    let lapor = report.lapor.as_ref();
    // LAPOR!'s status: our text for a code we know, else LAPOR!'s own name (or code).
    let lapor_status = lapor.map(|l| {
        let code = l.status_code.as_deref();
        match code.and_then(|c| t.lapor_status(c)) {
            Some(text) => AttrValue::Static(text),
            None => match l.status_name.as_deref().or(code) {
                Some(name) if !name.trim().is_empty() => AttrValue::from(name.to_owned()),
                _ => AttrValue::Static(t.lapor_pending),
            },
        }
    });
    let complaint = lapor
        .and_then(|l| l.complaint_id.as_deref())
        .map(|id| fill(t.complaint_id, &[("id", id)]));
    let stage = html! {
        <>
            <p><strong>{ stage }</strong></p>
            <p>{ detail }</p>
        </>
    };
    html! {
        <>
            <h3 class="lapor-next-title">{ fill(t.result_title, &[("id", &report.tracking_id)]) }</h3>
            if let Some(on) = received_on(t, &report.received_at) {
                <p class="lapor-hint">{ on }</p>
            }
            if report.status == "failed" {
                <div class="lapor-failure">{ stage }</div>
            } else {
                { stage }
            }
            if let Some(status) = lapor_status {
                <p><strong>{ t.lapor_label }</strong>{ " " }{ status }</p>
            }
            if let Some(complaint) = complaint {
                <p class="lapor-hint">{ complaint }</p>
            }
        </>
    }
}

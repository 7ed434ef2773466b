use lapor_core::messages::Lang;
use lapor_core::tracking::TrackingId;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::{text_field, TextFieldProps};
use crate::form::view::Messages;
use crate::hooks::use_status::{use_status, Lookup};
use crate::i18n::fill;
use crate::status_texts::status_texts;

#[derive(Properties, PartialEq)]
pub struct StatusViewProps {
    /// The gateway's API base (`…/api/v1`).
    pub endpoint: AttrValue,
    pub lang: Lang,
    /// Tracking ids of reports sent from this device, newest first: each one is a button
    /// that fills it in and checks it. Nothing is shown for an empty list.
    pub known_ids: Vec<AttrValue>,
    /// A tracking id to fill in (not checked until the citizen asks).
    #[prop_or_default]
    pub initial: Option<AttrValue>,
}

/// "Cek Status Laporan": the citizen types a tracking number and sees where the report is:
/// received, forwarded to LAPOR! (with LAPOR!'s own status) or refused by LAPOR!. The result
/// is in a `role="status"` region, so a screen reader reads it out when it arrives.
///
/// Lean on purpose, since every element, state and callback is Wasm every citizen downloads:
/// what was typed is kept in a ref rather than a state (typing needs no render of its own),
/// the invalid-id error is part of the hook's one state, and the known ids share one
/// listener.
#[component]
pub fn StatusView(props: &StatusViewProps) -> Html {
    let t = status_texts(props.lang);
    let typed = use_mut_ref(|| props.initial.clone().unwrap_or_default());
    let form_ref = use_node_ref();
    let (lookup, check) = use_status(props.endpoint.clone());

    // After an invalid number, and on a retry (whose button then goes), the focus goes to the
    // field rather than be lost.
    let focus_field = {
        let form_ref = form_ref.clone();
        move || {
            let input = form_ref
                .cast::<Element>()
                .and_then(|form| form.query_selector("input").ok().flatten());
            if let Some(input) = input {
                let _ = input.unchecked_into::<HtmlElement>().focus();
            }
        }
    };
    // Checks `text` (and shows it in the field). If it is wrong, the focus goes to the field
    // once its error is rendered (Yew renders in a task queued before this one), so a screen
    // reader reads the error with the field.
    let submit = {
        let (typed, check, focus_field) = (typed.clone(), check.clone(), focus_field.clone());
        move |text: AttrValue| {
            let parsed = TrackingId::parse(&text);
            *typed.borrow_mut() = text;
            let wrong = parsed.is_err();
            check.emit(parsed);
            if wrong {
                let focus_field = focus_field.clone();
                spawn_local(async move { focus_field() });
            }
        }
    };
    let onsubmit = {
        let (submit, typed) = (submit.clone(), typed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = typed.borrow().clone();
            submit(text);
        })
    };
    let oninput = {
        let typed = typed.clone();
        Callback::from(move |value: String| *typed.borrow_mut() = value.into())
    };
    // One listener for the whole list: the button clicked names the tracking id.
    let onknown = Callback::from(move |e: MouseEvent| {
        if let Some(button) = e
            .target_dyn_into::<Element>()
            .filter(|el| el.tag_name() == "BUTTON")
        {
            submit(button.text_content().unwrap_or_default().into());
        }
    });

    // The result: a heading, a main line (bold), a detail, LAPOR!'s status (bold), in a
    // failure box or not, and a retry after a failure.
    let mut title = None;
    let mut main = None;
    let mut detail = None;
    let mut lapor = None;
    let mut boxed = false;
    let mut onretry = None;
    let mut error = None;
    match &*lookup {
        Lookup::Idle => {}
        Lookup::Invalid(e) => error = Some(t.id_error(*e).to_owned()),
        Lookup::Loading => main = Some(AttrValue::Static(t.checking)),
        Lookup::Found(id, report) => {
            title = Some(fill(t.result_title, &[("id", id.as_str())]));
            let (stage, explained) = t.stage(&report.status);
            main = Some(AttrValue::Static(stage));
            detail = Some(explained);
            boxed = report.status == "failed";
            lapor = report.lapor.as_ref().map(|l| {
                let status =
                    t.lapor_status_text(l.status_code.as_deref(), l.status_name.as_deref());
                format!("{} {status}", t.lapor_label)
            });
        }
        Lookup::NotFound(id) => {
            boxed = true;
            main = Some(fill(t.not_found, &[("id", id.as_str())]).into());
        }
        Lookup::Failed(id, network) => {
            boxed = true;
            main = Some(AttrValue::Static(if *network {
                t.failure_network
            } else {
                t.failure_server
            }));
            let (check, id) = (check.clone(), id.clone());
            onretry = Some(Callback::from(move |_: MouseEvent| {
                focus_field();
                check.emit(Ok(id.clone()));
            }));
        }
    }

    let value = typed.borrow().clone();
    html! {
        <form class="lapor-widget lapor-form" lang={props.lang.as_str()} novalidate=true {onsubmit}
            aria-labelledby="lapor-status-title" ref={form_ref}>
            <h2 id="lapor-status-title" class="lapor-title">{ t.view_status }</h2>
            <p class="lapor-intro">{ t.intro }</p>
            if !props.known_ids.is_empty() {
                <p class="lapor-list-title">{ t.known_title }</p>
                <ul class="lapor-steps" onclick={onknown}>
                    { for props.known_ids.iter().map(|id| html! {
                        <li><button type="button" class="lapor-link-button">{ id.clone() }</button></li>
                    }) }
                </ul>
            }
            { text_field(&TextFieldProps { hint: Some(AttrValue::Static(t.id_hint)), autocomplete: Some("off".into()), ..TextFieldProps::new("lapor-status-id", t.id_label, value.into(), Messages { errors: error.into_iter().collect(), warnings: Vec::new() }, oninput) }) }
            <button type="submit" class="lapor-button">{ t.check }</button>
            <div role="status" class={boxed.then_some("lapor-failure")}>
                if let Some(title) = title {
                    <h3 class="lapor-next-title">{ title }</h3>
                }
                if let Some(main) = main {
                    <p class="lapor-failure-message">{ main }</p>
                }
                if let Some(detail) = detail {
                    <p>{ detail }</p>
                }
                if let Some(lapor) = lapor {
                    <p class="lapor-failure-message">{ lapor }</p>
                }
                if let Some(onclick) = onretry {
                    <button type="button" class="lapor-button lapor-button--secondary" {onclick}>{ t.retry }</button>
                }
            </div>
        </form>
    }
}

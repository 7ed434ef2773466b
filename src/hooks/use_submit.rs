//! Sending the report: `POST {endpoint}/reports`, multipart, with upload progress.

use lapor_core::{Code, Field, FieldError, Report};
use serde::{Deserialize, Serialize};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_files::FileStore;
use super::use_form::Form;
use crate::form::{Action, Failure, FormState, Outgoing};
use crate::io::http::{post_report, Answer};
use crate::io::store;

/// Starts one request each time the form enters a new send ([`Outgoing::attempt`]), and
/// reports its progress and its outcome to the form. On a `201`/`200` it calls `onsubmitted`
/// with the tracking id (the host's `lapor:submitted` event).
#[hook]
pub fn use_submit(
    endpoint: AttrValue,
    scope: AttrValue,
    state: &FormState,
    dispatch: UseReducerDispatcher<Form>,
    files: FileStore,
    onsubmitted: Callback<AttrValue>,
) {
    // Progress updates leave the send unchanged; a retry is a new send (a new attempt).
    let outgoing = state.outgoing.clone().filter(|_| state.is_sending());
    let attachments = state.attachments.clone();
    use_effect_with(outgoing, move |outgoing| {
        if let Some(outgoing) = outgoing.clone() {
            spawn_local(send(Send {
                endpoint: endpoint.to_string(),
                scope: scope.to_string(),
                outgoing,
                attachments,
                dispatch,
                files,
                onsubmitted,
            }));
        }
    });
}

/// A fresh `Idempotency-Key`: 128 random bits in hex, from `crypto.getRandomValues`.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // Without Web Crypto the key only has to be unlikely to repeat, not secret.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Send {
    endpoint: String,
    scope: String,
    outgoing: Outgoing,
    attachments: Vec<crate::form::Attachment>,
    dispatch: UseReducerDispatcher<Form>,
    files: FileStore,
    onsubmitted: Callback<AttrValue>,
}

/// One attempt. The report is stored on this device before it is sent (the outbox), and
/// leaves it only on a definite answer: a confirmation, or a refusal that sending again
/// would not change. Without an answer it stays, to go when the connection is back.
async fn send(job: Send) {
    let Send {
        endpoint,
        scope,
        outgoing,
        attachments,
        dispatch,
        files,
        onsubmitted,
    } = job;
    let key = outgoing.idempotency_key.clone();
    // A retry, or a report stored at an earlier visit, sends exactly what was stored.
    let (report, stored) = match store::queued(&key).await {
        Some(report) => (report, true),
        None => {
            let Some(json) = report_json(&outgoing.report) else {
                dispatch.dispatch(Action::SendFailed(Failure::Rejected));
                return;
            };
            let ids: Vec<_> = attachments
                .into_iter()
                .filter(|a| outgoing.attachment_ids.contains(&a.id))
                .collect();
            let report = store::Queued {
                key: key.clone(),
                json,
                files: files.stored(&ids),
            };
            let stored = store::queue(&scope, &report).await;
            (report, stored)
        }
    };
    let progress = dispatch.clone();
    let answer = post_report(
        &format!("{endpoint}/reports"),
        &key,
        &report.json,
        &report.parts(),
        move |loaded, total| progress.dispatch(Action::Progress { loaded, total }),
    )
    .await;
    let action = match answer {
        Ok(answer) => {
            let action = outcome(answer);
            // A 5xx or a 429 may go through later: that report stays stored.
            if !matches!(
                action,
                Action::SendFailed(Failure::Server | Failure::RateLimited)
            ) {
                store::unqueue(&key).await;
            }
            action
        }
        Err(_) if stored => Action::Queued,
        Err(_) => Action::SendFailed(Failure::Network),
    };
    if let Action::Sent { tracking_id } = &action {
        store::remember(&endpoint, tracking_id).await;
        store::delete_draft(&scope).await;
        onsubmitted.emit(AttrValue::from(tracking_id.clone()));
    }
    dispatch.dispatch(action);
}

/// The report as JSON text, without serde_json: serde-wasm-bindgen builds the JS object (with
/// `null` for absent values, as the contract shows them) and the browser stringifies it.
fn report_json(report: &Report) -> Option<String> {
    let value = report
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

#[derive(Deserialize)]
struct Receipt {
    tracking_id: String,
}

#[derive(Deserialize)]
struct Rejection {
    #[serde(default)]
    errors: Vec<RawError>,
}

/// Kept as text so that one field or code this version does not know does not hide the others.
#[derive(Deserialize)]
struct RawError {
    field: String,
    code: String,
}

/// What the form does with the gateway's answer.
fn outcome(answer: Answer) -> Action {
    let body = js_sys::JSON::parse(&answer.body).ok();
    match answer.status {
        200 | 201 => {
            let receipt = body.and_then(|b| serde_wasm_bindgen::from_value::<Receipt>(b).ok());
            match receipt {
                Some(r) if !r.tracking_id.trim().is_empty() => Action::Sent {
                    tracking_id: r.tracking_id,
                },
                // A 2xx without a tracking id is no confirmation: never show a receipt for it.
                _ => Action::SendFailed(Failure::Server),
            }
        }
        422 => {
            let errors: Vec<FieldError> = body
                .and_then(|b| serde_wasm_bindgen::from_value::<Rejection>(b).ok())
                .map(|r| r.errors)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|e| {
                    Some(FieldError::new(
                        Field::parse(&e.field)?,
                        Code::parse(&e.code)?,
                    ))
                })
                .collect();
            if errors.is_empty() {
                Action::SendFailed(Failure::Rejected)
            } else {
                Action::ServerErrors(errors)
            }
        }
        413 => Action::SendFailed(Failure::TooLarge),
        429 => Action::SendFailed(Failure::RateLimited),
        500..=599 => Action::SendFailed(Failure::Server),
        _ => Action::SendFailed(Failure::Rejected),
    }
}

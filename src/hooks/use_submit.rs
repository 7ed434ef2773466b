//! Sending the report: `POST {endpoint}/reports`, multipart, with upload progress.

use lapor_core::{Code, Field, FieldError, Report};
use serde::{Deserialize, Serialize};
use web_sys::FormData;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::http::{json_blob, post_multipart, Answer, HttpError};
use super::use_files::FileStore;
use crate::state::{Action, Failure, FormState, Outgoing};

/// Starts one request each time the form enters a new send ([`Outgoing::attempt`]), and
/// reports its progress and its outcome to the form. On a `201`/`200` it calls `onsubmitted`
/// with the tracking id (the host's `lapor:submitted` event).
#[hook]
pub fn use_submit(
    endpoint: AttrValue,
    state: &FormState,
    dispatch: UseReducerDispatcher<FormState>,
    files: FileStore,
    onsubmitted: Callback<AttrValue>,
) {
    // Progress updates leave the send unchanged; a retry is a new send (a new attempt).
    let outgoing = state.outgoing.clone().filter(|_| state.is_sending());
    use_effect_with(outgoing, move |outgoing| {
        if let Some(outgoing) = outgoing.clone() {
            spawn_local(send(
                endpoint.to_string(),
                outgoing,
                dispatch,
                files,
                onsubmitted,
            ));
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

async fn send(
    endpoint: String,
    outgoing: Outgoing,
    dispatch: UseReducerDispatcher<FormState>,
    files: FileStore,
    onsubmitted: Callback<AttrValue>,
) {
    let action = match post(&endpoint, &outgoing, &dispatch, &files).await {
        Ok(answer) => outcome(answer),
        Err(_) => Action::SendFailed(Failure::Network),
    };
    if let Action::Sent { tracking_id } = &action {
        onsubmitted.emit(AttrValue::from(tracking_id.clone()));
    }
    dispatch.dispatch(action);
}

async fn post(
    endpoint: &str,
    outgoing: &Outgoing,
    dispatch: &UseReducerDispatcher<FormState>,
    files: &FileStore,
) -> Result<Answer, HttpError> {
    let body = FormData::new().map_err(|_| HttpError::Network)?;
    let json = report_json(&outgoing.report).ok_or(HttpError::Network)?;
    let part = json_blob(&json).ok_or(HttpError::Network)?;
    body.append_with_blob("report", &part)
        .map_err(|_| HttpError::Network)?;
    for id in &outgoing.attachment_ids {
        let file = files.get(*id).ok_or(HttpError::Network)?;
        body.append_with_blob_and_filename("attachment", &file, &file.name())
            .map_err(|_| HttpError::Network)?;
    }
    let progress = dispatch.clone();
    post_multipart(
        &format!("{endpoint}/reports"),
        &[("Idempotency-Key", &outgoing.idempotency_key)],
        &body,
        move |loaded, total| progress.dispatch(Action::Progress { loaded, total }),
    )
    .await
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

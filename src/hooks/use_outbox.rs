//! The outbox, in one place: a submitted report is stored on this device, sent
//! (`POST {endpoint}/reports`, multipart, with upload progress), deleted on the gateway's
//! definite answer, and its tracking number remembered. A report left waiting is sent again
//! when the browser goes online, every 20 s while the page is open, and at the next visit.
//! The hook tells the form only what happened: progress, the answer, that the report waits.

use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use lapor_core::{Code, Field, FieldError};
use serde::Deserialize;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_files::FileStore;
use super::use_form::Form;
use crate::form::{Action, Failure, Outgoing, Phase};
use crate::io::http::{post_report, to_json, Answer, Json};
use crate::io::store;

/// How often a waiting report is tried again while the page is open, besides the browser's
/// `online` event (which does not fire for a network that is up but does not answer).
const RETRY_EVERY_MS: u32 = 20_000;

/// Runs the outbox of this widget (`scope`). Once `loaded` (the draft is restored), a report
/// of this widget still waiting from an earlier visit is sent, as it was stored. Each send the
/// form starts ([`Form::sends`]) is one request of its outgoing report; while a report waits,
/// the retries run. On a `201`/`200` it calls `onsubmitted` with the tracking id (the host's
/// `lapor:submitted` event).
// Seven inputs; `#[hook]` adds its own, which clippy counts as an eighth.
#[allow(clippy::too_many_arguments)]
#[hook]
pub fn use_outbox(
    endpoint: AttrValue,
    scope: AttrValue,
    loaded: bool,
    form: &Form,
    dispatch: UseReducerDispatcher<Form>,
    files: FileStore,
    onsubmitted: Callback<AttrValue>,
) {
    let state = &form.state;
    let outgoing = state.outgoing.clone().filter(|_| state.is_sending());
    let attachments = state.attachments.clone();
    {
        let (dispatch, scope) = (dispatch.clone(), scope.clone());
        // Keyed on the count alone: progress updates are no new send; a retry is one.
        use_effect_with(form.sends, move |&sends| {
            if let Some(outgoing) = outgoing.filter(|_| sends > 0) {
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

    // One effect for what waits: once the draft is restored, a report of this widget stored at
    // an earlier visit (only its key goes to the form, which ignores it unless idle); while
    // the form's report waits, the retries.
    let queued = state.phase == Phase::Queued;
    use_effect_with((loaded, queued), move |&(loaded, queued)| {
        let mut guards: Option<(EventListener, Interval)> = None;
        if queued {
            let retry = Rc::new(move || dispatch.dispatch(Action::Retry));
            let on_online = retry.clone();
            if let Some(window) = web_sys::window() {
                guards = Some((
                    EventListener::new(&window, "online", move |_| on_online()),
                    Interval::new(RETRY_EVERY_MS, move || retry()),
                ));
            }
        } else if loaded {
            spawn_local(async move {
                match store::waiting_key(&scope).await {
                    Ok(store::Waiting::Key(idempotency_key)) => {
                        dispatch.dispatch(Action::Resume { idempotency_key })
                    }
                    Ok(store::Waiting::Expired) => dispatch.dispatch(Action::Expired),
                    Ok(store::Waiting::None) | Err(_) => {}
                }
            });
        }
        move || drop(guards)
    });
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
        Ok(Some(report)) => (report, true),
        _ => {
            // A report resumed from an earlier visit is known here only by its key: if it is
            // no longer stored (another tab sent it), there is nothing to send.
            let json = outgoing.report.as_ref().map(to_json);
            let Some(Ok(json)) = json else {
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
            let stored = store::queue(&scope, &report).await.is_ok();
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
            // A 5xx or a 429 may go through later, and an answer that is not the gateway's
            // is no answer: that report stays stored.
            match action {
                Action::SendFailed(Failure::Server | Failure::RateLimited) => action,
                Action::Blocked if stored => action,
                Action::Blocked => Action::SendFailed(Failure::Network),
                _ => {
                    let _ = store::unqueue(&key).await;
                    action
                }
            }
        }
        Err(_) if stored => Action::Queued,
        Err(_) => Action::SendFailed(Failure::Network),
    };
    if let Action::Sent { tracking_id } = &action {
        // Best effort: a device without storage keeps no history and had no draft.
        let _ = store::remember(&endpoint, tracking_id).await;
        let _ = store::delete_draft(&scope).await;
        onsubmitted.emit(AttrValue::from(tracking_id.clone()));
    }
    dispatch.dispatch(action);
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

/// An error answer in the gateway's shape: `{"error": …}` or `{"errors": […]}`.
#[derive(Deserialize)]
struct GatewayError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    errors: Option<Vec<RawError>>,
}

/// What the form does with an answer. Only an answer in the gateway's own JSON shape is
/// definite: a bare `403`, `404` or `413` (or a `200` page) from a proxy, a filter or a
/// captive portal says nothing of the report, which stays stored (`Blocked`).
fn outcome(answer: Answer) -> Action {
    let body = Json::parse(&answer.body).ok();
    let ours = match answer.status {
        200 | 201 => true,
        _ => Json::parse(&answer.body)
            .and_then(|b| b.read::<GatewayError>())
            .is_ok_and(|e| e.error.is_some() || e.errors.is_some()),
    };
    if !ours {
        return Action::Blocked;
    }
    match answer.status {
        200 | 201 => {
            let receipt = body.and_then(|b| b.read::<Receipt>().ok());
            match receipt {
                Some(r) if !r.tracking_id.trim().is_empty() => Action::Sent {
                    tracking_id: r.tracking_id,
                },
                // A 2xx without a tracking id is not the gateway's confirmation (a captive
                // portal's page, say): never show a receipt for it, and keep the report.
                _ => Action::Blocked,
            }
        }
        422 => {
            let errors: Vec<FieldError> = body
                .and_then(|b| b.read::<Rejection>().ok())
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
        // The gateway cut a stalled upload off (`body_timeout`): the report stays, to go again.
        408 => Action::SendFailed(Failure::Server),
        429 => Action::SendFailed(Failure::RateLimited),
        500..=599 => Action::SendFailed(Failure::Server),
        _ => Action::SendFailed(Failure::Rejected),
    }
}

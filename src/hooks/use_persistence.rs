//! Drafts and reports waiting on this device: restored when the widget mounts, the draft saved
//! after every change, a waiting report sent again when the connection comes back.

use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::{Interval, Timeout};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_files::FileStore;
use super::use_form::Form;
use crate::form::{Action, Attachment, FormState, Phase};
use crate::io::store;

/// How long the form must stay unchanged before its draft is written (one write per pause
/// in typing, not per key).
const SAVE_AFTER_MS: u32 = 300;
/// How often a waiting report is tried again while the page is open, besides the browser's
/// `online` event (which does not fire for a network that is up but does not answer).
const RETRY_EVERY_MS: u32 = 20_000;

/// What the persistence hooks tell the view.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Persistence {
    /// The draft as it is now has been written (false again at the next change).
    pub saved: bool,
}

/// Restores the draft of this widget (`scope`) and any report of it still waiting, then saves
/// the draft after each change. Saving starts only once restoring is done, so an empty form
/// never overwrites a draft before it was read.
#[hook]
pub fn use_persistence(
    scope: AttrValue,
    state: &FormState,
    dispatch: UseReducerDispatcher<Form>,
    files: FileStore,
) -> Persistence {
    let loaded = use_state(|| false);
    let saved = use_state(|| false);
    {
        let loaded = loaded.clone();
        let files = files.clone();
        let dispatch = dispatch.clone();
        use_effect_with(scope.clone(), move |scope| {
            let scope = scope.clone();
            spawn_local(async move {
                if let Some((draft, stored)) = store::load_draft(&scope).await {
                    let mut attachments = Vec::with_capacity(stored.len());
                    for f in stored {
                        attachments.push(files.attach(f.name, f.blob, f.original_size).await);
                    }
                    dispatch.dispatch(Action::Restore(draft, attachments));
                }
                if let Some(idempotency_key) = store::waiting_key(&scope).await {
                    dispatch.dispatch(Action::Resume { idempotency_key });
                }
                loaded.set(true);
            });
        });
    }

    // The draft: what it keeps, and the attachments that are ready (a photo still being made
    // to fit is saved once it is).
    let draft = state.draft();
    let ready: Vec<Attachment> = state
        .attachments
        .iter()
        .filter(|a| a.ready)
        .cloned()
        .collect();
    let done = matches!(state.phase, Phase::Done { .. });
    {
        let saved = saved.clone();
        use_effect_with(
            (*loaded, done, draft, ready),
            move |(loaded, done, draft, ready)| {
                let mut pending: Option<Timeout> = None;
                if *loaded && !*done {
                    saved.set(false);
                    let (draft, stored) = (draft.clone(), files.stored(ready));
                    let empty = draft.is_empty() && stored.is_empty();
                    pending = Some(Timeout::new(SAVE_AFTER_MS, move || {
                        spawn_local(async move {
                            let ok = if empty {
                                store::delete_draft(&scope).await
                            } else {
                                store::save_draft(&scope, &draft, &stored).await
                            };
                            saved.set(ok && !empty);
                        })
                    }));
                }
                // A newer change cancels the write of this one.
                move || drop(pending)
            },
        );
    }

    // A waiting report: tried again when the browser says it is online, and every 20 s.
    let queued = state.phase == Phase::Queued;
    use_effect_with(queued, move |queued| {
        let mut guards: Option<(EventListener, Interval)> = None;
        if *queued {
            let retry = Rc::new(move || dispatch.dispatch(Action::Retry));
            let on_online = retry.clone();
            if let Some(window) = web_sys::window() {
                guards = Some((
                    EventListener::new(&window, "online", move |_| on_online()),
                    Interval::new(RETRY_EVERY_MS, move || retry()),
                ));
            }
        }
        move || drop(guards)
    });

    Persistence { saved: *saved }
}

/// The tracking ids of reports filed on this device through this gateway, newest first;
/// read again whenever `refresh` changes.
#[hook]
pub fn use_history(endpoint: AttrValue, refresh: u32) -> Vec<AttrValue> {
    let ids = use_state(Vec::new);
    {
        let ids = ids.clone();
        use_effect_with((endpoint, refresh), move |(endpoint, _)| {
            let endpoint = endpoint.clone();
            spawn_local(async move {
                let list = store::remembered(&endpoint).await;
                ids.set(list.into_iter().map(AttrValue::from).collect());
            });
        });
    }
    (*ids).clone()
}

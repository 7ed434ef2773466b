//! Drafts on this device: restored when the widget mounts, saved after every change; and the
//! tracking numbers of reports filed here. Reports waiting to be sent are the outbox's
//! (`use_outbox`).

use gloo::timers::callback::Timeout;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_files::FileStore;
use super::use_form::Form;
use crate::form::{Action, Attachment, FormState, Phase};
use crate::io::store;

/// How long the form must stay unchanged before its draft is written (one write per pause
/// in typing, not per key).
const SAVE_AFTER_MS: u32 = 300;

/// What the persistence hooks tell the view.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Persistence {
    /// The draft as it is now has been written (false again at the next change).
    pub saved: bool,
    /// The draft was looked for, and restored if there was one.
    pub loaded: bool,
}

/// Restores the draft of this widget (`scope`), then saves the draft after each change. Saving starts only once restoring is done, so an empty form
/// never overwrites a draft before it was read.
#[hook]
pub fn use_persistence(
    scope: AttrValue,
    typed: bool,
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
                // A form typed into before the take-over is not replaced by an older draft.
                let draft = if typed {
                    Ok(None)
                } else {
                    store::load_draft(&scope).await
                };
                if let Ok(Some((draft, stored))) = draft {
                    let mut attachments = Vec::with_capacity(stored.len());
                    for f in stored {
                        attachments.push(files.attach(f.name, f.blob, f.original_size).await);
                    }
                    dispatch.dispatch(Action::Restore(draft, attachments));
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
                            let written = if empty {
                                store::delete_draft(&scope).await
                            } else {
                                store::save_draft(&scope, &draft, &stored).await
                            };
                            saved.set(written.is_ok() && !empty);
                        })
                    }));
                }
                // A newer change cancels the write of this one.
                move || drop(pending)
            },
        );
    }

    // A waiting report: tried again when the browser says it is online, and every 20 s.
    Persistence {
        saved: *saved,
        loaded: *loaded,
    }
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
                let list = store::remembered(&endpoint).await.unwrap_or_default();
                ids.set(list.into_iter().map(AttrValue::from).collect());
            });
        });
    }
    (*ids).clone()
}

//! The transition function: one action applied to the state. Each branch does its own work;
//! none calls the reducer again.

use std::rc::Rc;

use lapor_core::error::sort_in_form_order;
use lapor_core::Field;

use super::action::Action;
use super::state::{FormState, Input, Outgoing, Phase, Refused};

/// What a transition did: whether the state changed (the view renders it again), whether
/// the error summary must take focus (after every submit that found errors and after the
/// gateway's field errors, even when the errors are those already shown), and whether a send
/// of [`FormState::outgoing`] starts (a submit, a retry, a report resumed from the outbox).
/// The last two are requests to the widget's effects, not part of the form's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub changed: bool,
    pub focus_summary: bool,
    pub send: bool,
}

impl After {
    /// A no-op: the action changed nothing (a double click, a late progress event).
    pub const NOTHING: After = After {
        changed: false,
        focus_summary: false,
        send: false,
    };
    pub const CHANGED: After = After {
        changed: true,
        focus_summary: false,
        send: false,
    };
    /// The errors are shown (again): the summary takes focus.
    pub const FOCUS_SUMMARY: After = After {
        changed: true,
        focus_summary: true,
        send: false,
    };
    /// A send of the outgoing report starts.
    pub const SEND: After = After {
        changed: true,
        focus_summary: false,
        send: true,
    };
}

/// Applies `action` to the state behind `state`: the same `Rc` for a no-op (no render), a new
/// one otherwise.
pub fn transition(state: &Rc<FormState>, action: Action) -> (Rc<FormState>, After) {
    let mut next = FormState::clone(state);
    let after = reduce(&mut next, action);
    if after.changed {
        (Rc::new(next), after)
    } else {
        (Rc::clone(state), after)
    }
}

/// Applies one action to the state. Each branch says whether it changed anything (when in
/// doubt, it did).
pub fn reduce(state: &mut FormState, action: Action) -> After {
    match action {
        Action::ConfigLoaded(config) => {
            state.config = config;
            let offered = state.classifications();
            if !offered.contains(&state.classification) {
                if let Some(first) = offered.first() {
                    state.classification = *first;
                }
            }
            state.preselect();
            state.refresh();
            state.revalidate(&[Field::LocationCode]);
        }
        Action::Classify(classification) => {
            state.classification = classification;
            state.refresh();
            state.revalidate(&[
                Field::Classification,
                Field::IncidentDate,
                Field::LocationCode,
            ]);
        }
        Action::Edit(input, value) => {
            let slot = match input {
                Input::Title => &mut state.fields.title,
                Input::Content => &mut state.fields.content,
                Input::IncidentDate => &mut state.fields.incident_date,
                Input::Province => &mut state.fields.province,
                Input::Regency => &mut state.fields.regency,
                Input::District => &mut state.fields.district,
                Input::Institution => &mut state.fields.institution,
                Input::Category => &mut state.fields.category,
                Input::Name => &mut state.fields.name,
                Input::Nik => &mut state.nik,
                Input::Phone => &mut state.fields.phone,
                Input::Email => &mut state.fields.email,
            };
            // The same value again changes nothing, except that a province or regency chosen
            // again still clears the choices below it, as any choice does.
            let cascades = matches!(input, Input::Province | Input::Regency);
            if *slot == value && !cascades {
                return After::NOTHING;
            }
            *slot = value;
            if matches!(input, Input::Province | Input::Regency | Input::District) {
                state.location_chosen = true;
            }
            // A choice higher in the cascade clears the choices below it.
            match input {
                Input::Province => {
                    state.fields.regency.clear();
                    state.fields.district.clear();
                }
                Input::Regency => state.fields.district.clear(),
                _ => {}
            }
            state.refresh();
            state.revalidate(&[input.field()]);
        }
        Action::SetAnonymous(on) => return set(&mut state.anonymous, on),
        Action::SetSecret(on) => return set(&mut state.secret, on),
        Action::FilesPicked(files) => {
            state.accept_files(files);
            state.refresh();
            state.revalidate(&[Field::Attachments]);
        }
        Action::FilePrepared {
            id,
            name,
            size,
            head,
        } => {
            if let Some(a) = state.attachments.iter_mut().find(|a| a.id == id) {
                a.name = name;
                a.size = size;
                a.head = head;
                a.ready = true;
            }
            state.refresh();
            state.revalidate(&[Field::Attachments]);
            return submit_if_pending(state);
        }
        Action::FileProgress { id, percent } => {
            let file = state
                .attachments
                .iter_mut()
                .find(|a| a.id == id && !a.ready);
            return match file {
                Some(a) => set(&mut a.progress, percent.min(100)),
                None => After::NOTHING,
            };
        }
        Action::FileFailed { id, why } => {
            if let Some(i) = state.attachments.iter().position(|a| a.id == id) {
                let a = state.attachments.remove(i);
                state.refused.push(Refused {
                    name: a.name,
                    size: a.original_size,
                    why,
                });
            }
            state.refresh();
            state.revalidate(&[Field::Attachments]);
            return submit_if_pending(state);
        }
        Action::RemoveFile(id) => {
            state.attachments.retain(|a| a.id != id);
            state.refresh();
            // Indices of `attachments[i]` errors changed: recompute them from the files left.
            state.errors.retain(|e| !e.field.is_attachment());
            let fresh = state.checked().errors.iter();
            let fresh: Vec<_> = fresh.filter(|e| e.field.is_attachment()).cloned().collect();
            state.errors.extend(fresh);
            sort_in_form_order(&mut state.errors);
        }
        Action::Submit { fresh_key } => return submit(state, fresh_key),
        Action::Progress { loaded, total } => {
            if !state.is_sending() {
                return After::NOTHING;
            }
            return set(&mut state.phase, Phase::Sending { loaded, total });
        }
        Action::Sent { tracking_id } => state.phase = Phase::Done { tracking_id },
        Action::ServerErrors(mut errors) => {
            sort_in_form_order(&mut errors);
            errors.dedup();
            state.errors = errors;
            state.phase = Phase::Editing;
            return After::FOCUS_SUMMARY;
        }
        Action::SendFailed(failure) => state.phase = Phase::Failed(failure),
        waiting @ (Action::Queued | Action::Blocked) => {
            if !state.is_sending() {
                return After::NOTHING;
            }
            state.phase = Phase::Queued;
            state.blocked = matches!(waiting, Action::Blocked);
        }
        Action::Expired => {
            if state.expired {
                return After::NOTHING;
            }
            state.expired = true;
        }
        Action::Retry => {
            let waiting = matches!(state.phase, Phase::Queued | Phase::Failed(_));
            if !waiting || state.outgoing.is_none() {
                return After::NOTHING;
            }
            state.phase = Phase::Sending {
                loaded: 0,
                total: 0,
            };
            return After::SEND;
        }
        Action::Resume { idempotency_key } => {
            if state.phase != Phase::Editing || state.outgoing.is_some() {
                return After::NOTHING;
            }
            // Only the key: the report itself is the outbox's, as it was stored.
            state.outgoing = Some(Outgoing {
                report: None,
                attachment_ids: Vec::new(),
                idempotency_key,
            });
            state.phase = Phase::Sending {
                loaded: 0,
                total: 0,
            };
            return After::SEND;
        }
        Action::Restore(draft, attachments) => {
            if let Some(kind) = lapor_core::Classification::parse(&draft.classification) {
                state.classification = kind;
            }
            state.fields = draft.fields;
            state.anonymous = draft.anonymous;
            state.secret = draft.secret;
            state.attachments = attachments;
            state.restored = true;
            // A draft's location wins over the site's preselection; a draft without one gets
            // it (the citizen had not chosen), unless the citizen had cleared it.
            state.location_chosen = draft.location_chosen || state.fields.has_location();
            state.preselect();
            state.refresh();
            state.revalidate(&[Field::LocationCode]);
        }
        Action::DiscardDraft | Action::Reset => reset(state),
    }
    After::CHANGED
}

/// Sets a value; a no-op if it is the one already there.
fn set<T: PartialEq>(slot: &mut T, value: T) -> After {
    if *slot == value {
        return After::NOTHING;
    }
    *slot = value;
    After::CHANGED
}

/// Submit (or retry): sends a form that passes core's check, shows every error otherwise.
fn submit(state: &mut FormState, fresh_key: String) -> After {
    if state.is_sending() || matches!(state.phase, Phase::Done { .. } | Phase::Queued) {
        // A double click, or a click while the first request runs: never a second send.
        return After::NOTHING;
    }
    if !state.files_ready() {
        // Photos are still being made to fit: the submit waits for them.
        state.submit_pending = Some(fresh_key);
        return After::CHANGED;
    }
    if !state.checked().errors.is_empty() {
        let shown = state.errors == state.checked().errors && state.phase == Phase::Editing;
        if !shown {
            state.errors = state.checked().errors.clone();
            state.phase = Phase::Editing;
        }
        return After {
            changed: !shown,
            ..After::FOCUS_SUMMARY
        };
    }
    state.errors.clear();
    let report = state.report();
    let attachment_ids: Vec<u32> = state.attachments.iter().map(|a| a.id).collect();
    // The same report keeps its key, so a retry after a lost answer is recognised by the
    // gateway (200, the first receipt) instead of filed twice. A changed report is a new
    // report: reusing the key would only earn a 409.
    let idempotency_key = match &state.outgoing {
        Some(o) if o.report.as_ref() == Some(&report) && o.attachment_ids == attachment_ids => {
            o.idempotency_key.clone()
        }
        _ => fresh_key,
    };
    state.outgoing = Some(Outgoing {
        report: Some(report),
        attachment_ids,
        idempotency_key,
    });
    state.phase = Phase::Sending {
        loaded: 0,
        total: 0,
    };
    After::SEND
}

/// The submit made while photos were being prepared, once they all are.
fn submit_if_pending(state: &mut FormState) -> After {
    if state.files_ready() {
        if let Some(fresh_key) = state.submit_pending.take() {
            // The file's own change stands even when the submit adds none (errors already
            // shown).
            return After {
                changed: true,
                ..submit(state, fresh_key)
            };
        }
    }
    After::CHANGED
}

/// An empty form, keeping the configuration, the language and today.
fn reset(state: &mut FormState) {
    let mut fresh = FormState::new(state.lang, state.today);
    fresh.config = std::mem::take(&mut state.config);
    // A new report on the same site starts from the site's region again.
    fresh.preselect();
    fresh.refresh();
    *state = fresh;
}

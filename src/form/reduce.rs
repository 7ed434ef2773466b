//! The transition function: one action applied to the state. Each branch does its own work;
//! none calls the reducer again.

use std::rc::Rc;

use lapor_core::error::sort_in_form_order;
use lapor_core::Field;

use super::action::Action;
use super::state::{FormState, Input, Outgoing, Phase, Refused};

/// What the view must do after a transition besides rendering the state: the error summary
/// takes focus after every submit that found errors and after the gateway's field errors,
/// even when the errors are those already shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Render,
    FocusSummary,
}

/// Applies `action` to the state behind `state`: the same `Rc` when nothing changed (no
/// render), a new one otherwise.
pub fn transition(state: &Rc<FormState>, action: Action) -> (Rc<FormState>, After) {
    let mut next = FormState::clone(state);
    let after = reduce(&mut next, action);
    if next == **state {
        (Rc::clone(state), after)
    } else {
        (Rc::new(next), after)
    }
}

/// Applies one action to the state.
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
            state.refresh();
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
            *slot = value;
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
        Action::SetAnonymous(on) => state.anonymous = on,
        Action::SetSecret(on) => state.secret = on,
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
            if let Some(a) = state
                .attachments
                .iter_mut()
                .find(|a| a.id == id && !a.ready)
            {
                a.progress = percent.min(100);
            }
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
            if state.is_sending() {
                state.phase = Phase::Sending { loaded, total };
            }
        }
        Action::Sent { tracking_id } => state.phase = Phase::Done { tracking_id },
        Action::ServerErrors(mut errors) => {
            sort_in_form_order(&mut errors);
            errors.dedup();
            state.errors = errors;
            state.phase = Phase::Editing;
            return After::FocusSummary;
        }
        Action::SendFailed(failure) => state.phase = Phase::Failed(failure),
        Action::Queued => {
            if state.is_sending() {
                state.phase = Phase::Queued;
            }
        }
        Action::Retry => {
            if matches!(state.phase, Phase::Queued | Phase::Failed(_)) {
                if let Some(outgoing) = state.outgoing.as_mut() {
                    state.sends += 1;
                    outgoing.attempt = state.sends;
                    state.phase = Phase::Sending {
                        loaded: 0,
                        total: 0,
                    };
                }
            }
        }
        Action::Resume { idempotency_key } => {
            if state.phase == Phase::Editing && state.outgoing.is_none() {
                state.sends += 1;
                // Only the key: the report itself is the outbox's, as it was stored.
                state.outgoing = Some(Outgoing {
                    attempt: state.sends,
                    report: None,
                    attachment_ids: Vec::new(),
                    idempotency_key,
                });
                state.phase = Phase::Sending {
                    loaded: 0,
                    total: 0,
                };
            }
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
            state.refresh();
        }
        Action::DiscardDraft | Action::Reset => reset(state),
    }
    After::Render
}

/// Submit (or retry): sends a form that passes core's check, shows every error otherwise.
fn submit(state: &mut FormState, fresh_key: String) -> After {
    if state.is_sending() || matches!(state.phase, Phase::Done { .. } | Phase::Queued) {
        // A double click, or a click while the first request runs: never a second send.
        return After::Render;
    }
    if !state.files_ready() {
        // Photos are still being made to fit: the submit waits for them.
        state.submit_pending = Some(fresh_key);
        return After::Render;
    }
    if !state.checked().errors.is_empty() {
        state.errors = state.checked().errors.clone();
        state.phase = Phase::Editing;
        return After::FocusSummary;
    }
    state.errors.clear();
    let report = state.report();
    let attachment_ids: Vec<u32> = state.attachments.iter().map(|a| a.id).collect();
    state.sends += 1;
    let attempt = state.sends;
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
        attempt,
        report: Some(report),
        attachment_ids,
        idempotency_key,
    });
    state.phase = Phase::Sending {
        loaded: 0,
        total: 0,
    };
    After::Render
}

/// The submit made while photos were being prepared, once they all are.
fn submit_if_pending(state: &mut FormState) -> After {
    if state.files_ready() {
        if let Some(fresh_key) = state.submit_pending.take() {
            return submit(state, fresh_key);
        }
    }
    After::Render
}

/// An empty form, keeping the configuration, the language and today, and the count of sends
/// (so the sending hook sees every new send as new).
fn reset(state: &mut FormState) {
    let mut fresh = FormState::new(state.lang, state.today);
    fresh.config = std::mem::take(&mut state.config);
    fresh.sends = state.sends;
    fresh.refresh();
    *state = fresh;
}

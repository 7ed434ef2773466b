//! The form's state as Yew holds it (`use_reducer::<Form>`): an adapter of `form::transition`.

use std::rc::Rc;

use lapor_core::messages::Lang;
use lapor_core::{Classification, Date};
use yew::prelude::*;

use crate::form::{transition, Action, FormState, Input};

/// The form's state, how often the error summary was asked to take focus, and how many sends
/// of the outgoing report were started (the outbox starts a request for each): requests to
/// the widget's effects, kept out of the form's state.
#[derive(PartialEq)]
pub struct Form {
    pub state: Rc<FormState>,
    pub summary_focus: u32,
    pub sends: u32,
}

impl Reducible for Form {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let (state, after) = transition(&self.state, action);
        if Rc::ptr_eq(&state, &self.state) && !after.focus_summary && !after.send {
            return self;
        }
        Rc::new(Form {
            state,
            summary_focus: self.summary_focus + u32::from(after.focus_summary),
            sends: self.sends + u32::from(after.send),
        })
    }
}

impl Form {
    /// An empty form of this language, checked against `today`.
    pub fn new(lang: Lang, today: Date) -> Form {
        Form {
            state: Rc::new(FormState::new(lang, today)),
            summary_focus: 0,
            sends: 0,
        }
    }
}

/// What the citizen did in the pre-rendered form before the Wasm took over (read from its DOM
/// by `io::takeover`): the form starts from it, as from a draft, so nothing typed is lost. Its
/// `Debug` names the inputs typed into, never what was typed (the NIK, name and phone are).
#[derive(Default, PartialEq)]
pub struct Seed {
    pub classification: Option<Classification>,
    /// Each input's value, those not empty (the NIK too: it never leaves this page's memory).
    pub edits: Vec<(Input, String)>,
    pub anonymous: bool,
    pub secret: bool,
    /// "Kirim Laporan" was pressed: submit once the widget is ready.
    pub submit: bool,
}

impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let typed: Vec<Input> = self.edits.iter().map(|(input, _)| *input).collect();
        f.debug_struct("Seed")
            .field("classification", &self.classification)
            .field("typed", &typed)
            .field("anonymous", &self.anonymous)
            .field("secret", &self.secret)
            .field("submit", &self.submit)
            .finish()
    }
}

impl Seed {
    /// Whether the citizen typed or chose anything.
    pub fn touched(&self) -> bool {
        self.classification.is_some() || !self.edits.is_empty() || self.anonymous || self.secret
    }
}

impl Form {
    /// The form of this language with what the citizen did before the take-over applied
    /// through the reducer, one action at a time, as if typed here.
    pub fn seeded(lang: Lang, today: Date, seed: &Seed) -> Form {
        let mut state = Rc::new(FormState::new(lang, today));
        let actions = seed
            .classification
            .map(Action::Classify)
            .into_iter()
            .chain(seed.edits.iter().map(|(i, v)| Action::Edit(*i, v.clone())))
            .chain(seed.anonymous.then_some(Action::SetAnonymous(true)))
            .chain(seed.secret.then_some(Action::SetSecret(true)));
        for action in actions {
            state = transition(&state, action).0;
        }
        Form {
            state,
            summary_focus: 0,
            sends: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_prints_which_inputs_were_typed_into_never_what() {
        let seed = Seed {
            edits: vec![
                (Input::Nik, "6474015708900003".into()),
                (Input::Name, "Siti Rahma".into()),
                (Input::Phone, "081234567890".into()),
            ],
            ..Seed::default()
        };
        let printed = format!("{seed:?}");
        for secret in ["6474015708900003", "Siti", "081234567890"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("Nik"), "{printed}");
    }
}

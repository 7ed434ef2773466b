//! The form's state as Yew holds it: a three-line adapter of `form::transition`.

use std::rc::Rc;

use lapor_core::messages::Lang;
use lapor_core::Date;
use yew::prelude::*;

use crate::form::{transition, Action, After, FormState};

/// The form's state, and how often the error summary was asked to take focus: a view
/// matter, kept out of the form's state.
#[derive(PartialEq)]
pub struct Form {
    pub state: Rc<FormState>,
    pub summary_focus: u32,
}

impl Reducible for Form {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let (state, after) = transition(&self.state, action);
        let summary_focus = self.summary_focus + u32::from(after == After::FocusSummary);
        if Rc::ptr_eq(&state, &self.state) && summary_focus == self.summary_focus {
            return self;
        }
        Rc::new(Form {
            state,
            summary_focus,
        })
    }
}

/// One form of this language, checked against `today`.
#[hook]
pub fn use_form(lang: Lang, today: Date) -> UseReducerHandle<Form> {
    use_reducer(move || Form {
        state: Rc::new(FormState::new(lang, today)),
        summary_focus: 0,
    })
}

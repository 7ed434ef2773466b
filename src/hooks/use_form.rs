//! The form's state as Yew holds it (`use_reducer::<Form>`): an adapter of `form::transition`.

use std::rc::Rc;

use lapor_core::messages::Lang;
use lapor_core::Date;
use yew::prelude::*;

use crate::form::{transition, Action, FormState};

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
        let summary_focus = self.summary_focus + u32::from(after.focus_summary);
        if Rc::ptr_eq(&state, &self.state) && summary_focus == self.summary_focus {
            return self;
        }
        Rc::new(Form {
            state,
            summary_focus,
        })
    }
}

impl Form {
    /// An empty form of this language, checked against `today`.
    pub fn new(lang: Lang, today: Date) -> Form {
        Form {
            state: Rc::new(FormState::new(lang, today)),
            summary_focus: 0,
        }
    }
}

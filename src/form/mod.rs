//! The form, plain Rust: its state, the actions that change it, the transition function and
//! the view-model step that turns state and texts into what the page shows.
//!
//! Everything the citizen types, every error shown and the sending phase live in
//! [`FormState`]; every change is an [`Action`] applied by [`reduce`]. Nothing here touches
//! the browser or Yew, so the whole behaviour of the form (validation on submit, live
//! re-validation of fields in error, the refusal of attachments, the one-send-at-a-time rule,
//! the reuse of the idempotency key) and every text it shows are unit-tested natively.

mod action;
mod reduce;
mod state;
pub mod view;

pub use action::Action;
pub use reduce::{reduce, transition, After};
pub use state::{
    Attachment, Draft, Failure, Fields, FormState, Input, Outgoing, Phase, Refusal, Refused,
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod view_tests;

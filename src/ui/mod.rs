//! The widget's Yew components, one per file: they render the form's view models
//! (`form::view`) and report what the citizen did. Each is a function component with `Props`
//! and `on<verb>` callbacks; those without hooks that appear once are plain functions taking
//! their props (a component type costs about 0.5 KB gzip of Wasm). They do no request and no
//! storage (that is the hooks' job, through `io/`).

pub mod app;
mod attachments;
mod checkbox;
mod classification;
mod error_summary;
mod field;
mod location;
mod notice;
#[cfg(not(target_arch = "wasm32"))]
pub mod prerender;
mod receipt;
mod report_form;
mod select_field;
mod send_status;
pub mod status_view;
mod text_field;

pub use attachments::{attachments_field, AttachmentsFieldProps, FileRow};
pub use checkbox::{checkbox, CheckboxProps};
pub use classification::{classification_choice, ClassificationChoiceProps};
pub use error_summary::{error_summary, ErrorSummaryProps};
pub use location::{location_fields, LocationFieldsProps};
pub use notice::Notice;
pub use receipt::{receipt, ReceiptProps};
pub use select_field::{select_field, SelectFieldProps};
pub use send_status::{send_status, SendStatusProps};
pub use text_field::{text_field, TextFieldProps};

use yew::AttrValue;

use crate::form::view::Messages;

/// The `aria-describedby` of a control: its hint, its error and its warning, those present.
fn described_by(id: &str, parts: &[(&str, bool)]) -> Option<AttrValue> {
    // Pushed by hand: `join` would add its generic machinery to the Wasm for one line.
    let mut ids = String::new();
    for (suffix, _) in parts.iter().filter(|(_, on)| *on) {
        if !ids.is_empty() {
            ids.push(' ');
        }
        ids.push_str(id);
        ids.push('-');
        ids.push_str(suffix);
    }
    (!ids.is_empty()).then(|| ids.into())
}

/// The inline messages of a field: errors, then warnings, each with its own id for
/// `aria-describedby`.
fn messages(id: &str, messages: &Messages) -> yew::Html {
    use yew::html;
    let (errors, warnings) = (&messages.errors, &messages.warnings);
    html! {
        <>
            if !errors.is_empty() {
                <p id={format!("{id}-error")} class="lapor-error-message">
                    { for errors.iter().map(|e| html! { <span>{ e.clone() }</span> }) }
                </p>
            }
            if !warnings.is_empty() {
                <p id={format!("{id}-warning")} class="lapor-warning">
                    { for warnings.iter().map(|w| html! { <span>{ w.clone() }</span> }) }
                </p>
            }
        </>
    }
}

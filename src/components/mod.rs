//! The widget's components, one per file, each a function component with `Props` and
//! `on<verb>` callbacks. They render and report what the citizen did; they do no request and
//! no storage (that is the hooks' job).

mod attachments;
mod checkbox;
mod classification;
mod error_summary;
mod location;
mod notice;
mod receipt;
mod select_field;
mod send_status;
pub mod status_view;
mod text_field;

pub use attachments::{AttachmentsField, FileRow};
pub use checkbox::Checkbox;
pub use classification::{ClassificationChoice, ClassificationOption};
pub use error_summary::{ErrorSummary, SummaryItem};
pub use location::LocationFields;
pub use notice::Notice;
pub use receipt::Receipt;
pub use select_field::SelectField;
pub use send_status::SendStatus;
pub use text_field::TextField;

use yew::AttrValue;

/// The `aria-describedby` of a control: its hint, its error and its warning, those present.
fn described_by(id: &str, parts: &[(&str, bool)]) -> Option<AttrValue> {
    let ids: Vec<String> = parts
        .iter()
        .filter(|(_, on)| *on)
        .map(|(suffix, _)| format!("{id}-{suffix}"))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" ").into())
}

/// The inline messages of a field: errors, then warnings, each with its own id for
/// `aria-describedby`.
fn messages(id: &str, errors: &[AttrValue], warnings: &[AttrValue]) -> yew::Html {
    use yew::html;
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

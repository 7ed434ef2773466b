use yew::prelude::*;

use super::messages;
use crate::form::view::Messages;

/// What every field shows around its control: the label (with "(opsional)"), the hint and the
/// inline messages, in that order; `control` (the control and anything after it) follows.
/// The one field wrapper of the text, select and attachment fields.
pub fn field(
    id: &AttrValue,
    label: &AttrValue,
    optional: Option<&AttrValue>,
    hint: Option<&AttrValue>,
    messages_of: &Messages,
    control: Html,
) -> Html {
    let invalid = !messages_of.errors.is_empty();
    let class = classes!("lapor-field", invalid.then_some("lapor-field--error"));
    html! {
        <div {class}>
            <label for={id.clone()} class="lapor-label">
                { label.clone() }
                if let Some(optional) = optional {
                    <span class="lapor-optional">{ " " }{ optional.clone() }</span>
                }
            </label>
            if let Some(hint) = hint {
                <p id={format!("{id}-hint")} class="lapor-hint">{ hint.clone() }</p>
            }
            { messages(id, messages_of) }
            { control }
        </div>
    }
}

use yew::prelude::*;

use super::messages;
use crate::form::view::Messages;

/// What every field shows around its control: the label (with "(opsional)"), the hint and the
/// inline messages, in that order; the control and anything after it are the children.
pub struct FieldFrame<'a> {
    pub id: &'a str,
    pub label: AttrValue,
    pub optional: Option<AttrValue>,
    pub hint: Option<AttrValue>,
    pub messages: &'a Messages,
}

/// The one field wrapper of the text, select and attachment fields.
pub fn field(frame: FieldFrame<'_>, children: Html) -> Html {
    let id = frame.id;
    let invalid = !frame.messages.errors.is_empty();
    let class = classes!("lapor-field", invalid.then_some("lapor-field--error"));
    html! {
        <div {class}>
            <label for={id.to_owned()} class="lapor-label">
                { frame.label }
                if let Some(optional) = frame.optional {
                    <span class="lapor-optional">{ " " }{ optional }</span>
                }
            </label>
            if let Some(hint) = frame.hint {
                <p id={format!("{id}-hint")} class="lapor-hint">{ hint }</p>
            }
            { messages(id, frame.messages) }
            { children }
        </div>
    }
}

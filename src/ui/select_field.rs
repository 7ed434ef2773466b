use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::described_by;
use super::field::field;
use crate::form::view::Messages;

pub struct SelectFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub optional: Option<AttrValue>,
    /// The value chosen; empty for none.
    pub value: AttrValue,
    /// The text of the empty first option.
    pub placeholder: AttrValue,
    /// `(value, text)` pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    /// A line under the label (e.g. that the list is loading).
    pub hint: Option<AttrValue>,
    pub messages: Messages,
    pub onchange: Callback<String>,
}

/// A labelled native select: the phone's own picker, usable with the keyboard.
pub fn select_field(props: &SelectFieldProps) -> Html {
    let id = props.id.as_str();
    let invalid = !props.messages.errors.is_empty();
    let describedby = described_by(id, &[("hint", props.hint.is_some()), ("error", invalid)]);
    let onchange = props
        .onchange
        .reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    field(
        &props.id,
        &props.label,
        props.optional.as_ref(),
        props.hint.as_ref(),
        &props.messages,
        html! {
            <select id={props.id.clone()} name={props.id.clone()} {onchange}
                aria-invalid={invalid.then_some(AttrValue::Static("true"))} aria-describedby={describedby}>
                <option value="" selected={props.value.is_empty()}>{ props.placeholder.clone() }</option>
                { for props.options.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={*value == props.value}>{ text.clone() }</option>
                }) }
            </select>
        },
    )
}

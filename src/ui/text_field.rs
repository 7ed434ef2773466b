use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::described_by;
use super::field::field;
use crate::form::view::Messages;

pub struct TextFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    /// The "(opsional)" text, for an optional field.
    pub optional: Option<AttrValue>,
    pub hint: Option<AttrValue>,
    pub value: AttrValue,
    /// `text`, `tel`, `email`, `date`, or `textarea` for a multi-line field.
    pub kind: AttrValue,
    pub max: Option<AttrValue>,
    pub autocomplete: Option<AttrValue>,
    pub inputmode: Option<AttrValue>,
    /// A character counter shown under a multi-line field.
    pub counter: Option<AttrValue>,
    /// Its errors and warnings, worded.
    pub messages: Messages,
    pub oninput: Callback<String>,
}

impl TextFieldProps {
    /// A one-line text field with no hint and nothing optional: set the rest with `..`.
    pub fn new(
        id: &'static str,
        label: &'static str,
        value: AttrValue,
        messages: Messages,
        oninput: Callback<String>,
    ) -> TextFieldProps {
        TextFieldProps {
            id: AttrValue::Static(id),
            label: AttrValue::Static(label),
            optional: None,
            hint: None,
            value,
            kind: AttrValue::Static("text"),
            max: None,
            autocomplete: None,
            inputmode: None,
            counter: None,
            messages,
            oninput,
        }
    }
}

/// A labelled text input or text area with its hint and its messages.
pub fn text_field(props: &TextFieldProps) -> Html {
    let id = props.id.as_str();
    let invalid = !props.messages.errors.is_empty();
    let describedby = described_by(
        id,
        &[
            ("hint", props.hint.is_some()),
            ("counter", props.counter.is_some()),
            ("error", invalid),
            ("warning", !props.messages.warnings.is_empty()),
        ],
    );
    let aria_invalid = invalid.then_some(AttrValue::Static("true"));
    let control = if props.kind == "textarea" {
        let oninput = props
            .oninput
            .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
        html! {
            <textarea id={props.id.clone()} name={props.id.clone()} rows="7" value={props.value.clone()}
                aria-invalid={aria_invalid} aria-describedby={describedby} {oninput} />
        }
    } else {
        let oninput = props
            .oninput
            .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
        html! {
            <input id={props.id.clone()} name={props.id.clone()} type={props.kind.clone()} value={props.value.clone()}
                max={props.max.clone()} autocomplete={props.autocomplete.clone()} inputmode={props.inputmode.clone()}
                aria-invalid={aria_invalid} aria-describedby={describedby} {oninput} />
        }
    };
    field(
        &props.id,
        &props.label,
        props.optional.as_ref(),
        props.hint.as_ref(),
        &props.messages,
        html! {
            <>
                { control }
                if let Some(counter) = &props.counter {
                    <p id={format!("{id}-counter")} class="lapor-counter">{ counter.clone() }</p>
                }
            </>
        },
    )
}

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::described_by;
use super::field::{field, FieldFrame};

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    /// The "(opsional)" text, for an optional field.
    #[prop_or_default]
    pub optional: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    pub value: AttrValue,
    /// `text`, `tel`, `email`, `date`, or `textarea` for a multi-line field.
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub max: Option<AttrValue>,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    /// A character counter shown under a multi-line field.
    #[prop_or_default]
    pub counter: Option<AttrValue>,
    #[prop_or_default]
    pub errors: Vec<AttrValue>,
    #[prop_or_default]
    pub warnings: Vec<AttrValue>,
    pub oninput: Callback<String>,
}

/// A labelled text input or text area with its hint and its messages.
pub fn text_field(props: &TextFieldProps) -> Html {
    let id = props.id.as_str();
    let invalid = !props.errors.is_empty();
    let describedby = described_by(
        id,
        &[
            ("hint", props.hint.is_some()),
            ("counter", props.counter.is_some()),
            ("error", invalid),
            ("warning", !props.warnings.is_empty()),
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
    let frame = FieldFrame {
        id,
        label: props.label.clone(),
        optional: props.optional.clone(),
        hint: props.hint.clone(),
        errors: &props.errors,
        warnings: &props.warnings,
    };
    field(
        frame,
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

use lapor_core::Classification;
use yew::prelude::*;

use super::messages;
use crate::form::view::{Kind, Messages};

pub struct ClassificationChoiceProps {
    pub legend: AttrValue,
    pub options: Vec<Kind>,
    pub selected: Classification,
    pub messages: Messages,
    pub onchange: Callback<Classification>,
}

/// The choice of Pengaduan, Aspirasi or Permintaan Informasi, as radio buttons.
pub fn classification_choice(props: &ClassificationChoiceProps) -> Html {
    html! {
        <fieldset class="lapor-fieldset lapor-kinds">
            <legend class="lapor-legend">{ props.legend.clone() }</legend>
            { messages("lapor-classification", &props.messages) }
            { for props.options.iter().enumerate().map(|(i, option)| {
                // The first radio carries the group's id, where the error summary sends focus.
                let id = if i == 0 { "lapor-classification".to_owned() } else { format!("lapor-classification-{}", option.value.as_str()) };
                let value = option.value;
                let onchange = props.onchange.reform(move |_: Event| value);
                html! {
                    <div class="lapor-choice lapor-kind">
                        <input type="radio" id={id.clone()} name="lapor-classification" value={option.value.as_str()}
                            checked={option.value == props.selected} aria-describedby={format!("{id}-hint")} {onchange} />
                        <label for={id.clone()} class="lapor-choice-label">{ option.label }</label>
                        <p id={format!("{id}-hint")} class="lapor-hint lapor-choice-hint">{ option.hint }</p>
                    </div>
                }
            }) }
        </fieldset>
    }
}

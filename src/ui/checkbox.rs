use web_sys::HtmlInputElement;
use yew::prelude::*;

pub struct CheckboxProps {
    pub id: AttrValue,
    pub label: &'static str,
    /// One line on what ticking it does.
    pub hint: &'static str,
    pub checked: bool,
    pub onchange: Callback<bool>,
}

/// A checkbox with its label and a one-line explanation. A plain function, not a component:
/// it keeps no state, and each component type costs about 1 KB of Wasm.
pub fn checkbox(props: CheckboxProps) -> Html {
    let onchange = props
        .onchange
        .reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().checked());
    html! {
        <div class="lapor-choice">
            <input type="checkbox" id={props.id.clone()} name={props.id.clone()} checked={props.checked}
                aria-describedby={format!("{}-hint", props.id)} {onchange} />
            <label for={props.id.clone()} class="lapor-choice-label">{ props.label }</label>
            <p id={format!("{}-hint", props.id)} class="lapor-hint lapor-choice-hint">{ props.hint }</p>
        </div>
    }
}

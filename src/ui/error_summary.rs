use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, Node, ShadowRoot};
use yew::prelude::*;

use crate::form::view::SummaryLine;

#[derive(Properties, PartialEq)]
pub struct ErrorSummaryProps {
    pub title: AttrValue,
    pub items: Vec<SummaryLine>,
    /// Given so the form can move focus here after a failed submit.
    pub node_ref: NodeRef,
}

/// The GOV.UK error summary: at the top, announced, each problem a link to its field.
pub fn error_summary(props: &ErrorSummaryProps) -> Html {
    html! {
        <div class="lapor-summary" role="alert" tabindex="-1" aria-labelledby="lapor-summary-title" ref={props.node_ref.clone()}>
            <h2 id="lapor-summary-title" class="lapor-summary-title">{ props.title.clone() }</h2>
            <ul class="lapor-summary-list">
                { for props.items.iter().map(|item| {
                    let target = item.target;
                    // A fragment link cannot reach into a shadow root: focus the field by hand.
                    let onclick = Callback::from(move |e: MouseEvent| {
                        e.prevent_default();
                        focus_in_same_root(&e, target);
                    });
                    html! {
                        <li><a href={format!("#{}", item.target)} {onclick}>{ item.message.clone() }</a></li>
                    }
                }) }
            </ul>
        </div>
    }
}

fn focus_in_same_root(e: &MouseEvent, id: &str) {
    let Some(node) = e.target().and_then(|t| t.dyn_into::<Node>().ok()) else {
        return;
    };
    let root = node.get_root_node();
    let element = match root.dyn_ref::<ShadowRoot>() {
        Some(shadow) => shadow.get_element_by_id(id),
        None => root
            .dyn_ref::<web_sys::Document>()
            .and_then(|d| d.get_element_by_id(id)),
    };
    if let Some(element) = element.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

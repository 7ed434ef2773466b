use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub message: AttrValue,
}

/// A message in the widget's place when the form cannot be shown at all.
#[component]
pub fn Notice(props: &NoticeProps) -> Html {
    html! { <p class="lapor-notice" role="alert">{ props.message.clone() }</p> }
}

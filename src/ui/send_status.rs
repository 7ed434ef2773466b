use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SendStatusProps {
    /// `Some((loaded, total))` while sending.
    #[prop_or_default]
    pub progress: Option<(u64, u64)>,
    pub sending_label: AttrValue,
    /// The failure message, when the last send failed.
    #[prop_or_default]
    pub failure: Option<AttrValue>,
    pub kept: AttrValue,
    pub retry: AttrValue,
    pub onretry: Callback<()>,
}

/// Upload progress while sending; after a failure, what went wrong and "Coba lagi".
pub fn send_status(props: &SendStatusProps) -> Html {
    if let Some((loaded, total)) = props.progress {
        // Unknown total: an indeterminate bar (no `value`). Whole numbers only: formatting a
        // float would pull Rust's float printing (about 10 KB gzip) into the Wasm.
        let max = total.max(1).to_string();
        let value = (total > 0).then(|| loaded.min(total).to_string());
        return html! {
            <div class="lapor-progress">
                <label for="lapor-progress" class="lapor-label">{ props.sending_label.clone() }</label>
                <progress id="lapor-progress" {max} {value} />
            </div>
        };
    }
    let Some(failure) = &props.failure else {
        return html! {};
    };
    let onclick = props.onretry.reform(|_: MouseEvent| ());
    html! {
        <div class="lapor-failure" role="alert">
            <p class="lapor-failure-message">{ failure.clone() }</p>
            <p>{ props.kept.clone() }</p>
            <button type="button" class="lapor-button lapor-button--secondary" {onclick}>{ props.retry.clone() }</button>
        </div>
    }
}

use yew::prelude::*;

use crate::hooks::CopyStatus;
use crate::i18n::Texts;

#[derive(Properties, PartialEq)]
pub struct ReceiptProps {
    /// The tracking id exactly as the gateway returned it.
    pub tracking_id: AttrValue,
    pub texts: &'static Texts,
    pub copy_status: CopyStatus,
    pub node_ref: NodeRef,
    pub oncopy: Callback<AttrValue>,
    pub onnew: Callback<()>,
}

/// Shown only after the gateway confirmed: the tracking number and what happens next.
pub fn receipt(props: &ReceiptProps) -> Html {
    let t = props.texts;
    let oncopy = props.oncopy.reform({
        let id = props.tracking_id.clone();
        move |_: MouseEvent| id.clone()
    });
    let onnew = props.onnew.reform(|_: MouseEvent| ());
    let copy_message = match props.copy_status {
        CopyStatus::Idle => None,
        CopyStatus::Copied => Some(t.copied),
        CopyStatus::Failed => Some(t.copy_failed),
    };
    html! {
        <section class="lapor-receipt" role="status" tabindex="-1" aria-labelledby="lapor-receipt-title" ref={props.node_ref.clone()}>
            <h2 id="lapor-receipt-title" class="lapor-receipt-title">{ t.receipt_title }</h2>
            <p>{ t.receipt_intro }</p>
            <p class="lapor-tracking-label" id="lapor-tracking-label">{ t.tracking_label }</p>
            <p class="lapor-tracking" aria-labelledby="lapor-tracking-label">{ props.tracking_id.clone() }</p>
            <button type="button" class="lapor-button lapor-button--secondary" onclick={oncopy}>{ t.copy }</button>
            <p class="lapor-copy-status" aria-live="polite">{ for copy_message }</p>
            <h3 class="lapor-next-title">{ t.next_title }</h3>
            <ol class="lapor-steps">
                <li>{ t.next_verification }</li>
                <li>{ t.next_follow_up }</li>
                <li>{ t.next_response }</li>
                <li>{ t.next_done }</li>
            </ol>
            <button type="button" class="lapor-button" onclick={onnew}>{ t.new_report }</button>
        </section>
    }
}

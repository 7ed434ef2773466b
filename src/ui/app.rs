//! The application of one widget instance: two views, the report form (wired to its state and
//! its hooks) and "Cek Status Laporan" (`ui::status_view`), behind two toggle buttons.

use lapor_core::messages::Lang;
use std::rc::Rc;

use lapor_core::Date;
use yew::prelude::*;

use super::report_form::ReportForm;
use super::status_view::StatusView;
use super::Notice;
use crate::hooks::{use_history, Seed};
use crate::i18n::MISSING_ENDPOINT;
use crate::status_texts::status_texts;

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The gateway's API base (`…/api/v1`), `None` if the host page gave no valid one.
    pub endpoint: Option<AttrValue>,
    pub lang: Lang,
    /// Today in Asia/Jakarta, read from the browser's clock when the widget was mounted.
    pub today: Date,
    /// Called with the tracking id once the gateway confirmed a report.
    pub onsubmitted: Callback<AttrValue>,
    /// Which widget this is, for its draft and its waiting report: the endpoint, the page
    /// and the widget's place on it (see `entry::scope`).
    pub scope: AttrValue,
    /// What the citizen did in the pre-rendered form, when the Wasm takes one over.
    pub takeover: Option<Rc<Seed>>,
}

/// Which view the widget shows, and whether the status view was ever opened.
#[derive(Clone, Copy, PartialEq)]
struct Views {
    status: bool,
    status_opened: bool,
}

/// The widget: two views, the form and "Cek Status Laporan", behind a pair of toggle buttons
/// (`aria-pressed`); or a message in their place when it has no endpoint. A view that is not
/// shown stays mounted, hidden, so switching never loses what the citizen typed; the status
/// view is mounted the first time it is opened.
#[component]
pub fn App(props: &AppProps) -> Html {
    let views = use_state(|| Views {
        status: false,
        status_opened: false,
    });
    // Tracking numbers of reports filed on this device, read again after each new one.
    let filed = use_state(|| 0u32);
    let known_ids = use_history(props.endpoint.clone().unwrap_or_default(), *filed);
    let Some(endpoint) = &props.endpoint else {
        return html! { <Notice message={MISSING_ENDPOINT} /> };
    };
    let onsubmitted = {
        let outer = props.onsubmitted.clone();
        Callback::from(move |tracking_id: AttrValue| {
            outer.emit(tracking_id);
            filed.set(*filed + 1);
        })
    };
    let lang = props.lang;
    let s = status_texts(lang);
    let toggle = |label: &'static str, status: bool| {
        let pressed = views.status == status;
        let views = views.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            views.set(Views {
                status,
                status_opened: views.status_opened || status,
            })
        });
        html! {
            <button type="button" aria-pressed={if pressed { "true" } else { "false" }} {onclick}
                class={if pressed { "lapor-button" } else { "lapor-button lapor-button--secondary" }}>{ label }</button>
        }
    };
    html! {
        <>
            <div class="lapor-widget" lang={lang.as_str()} role="group" aria-label={s.views_label}>
                { toggle(s.view_form, false) }{ " " }{ toggle(s.view_status, true) }
            </div>
            <div hidden={views.status}>
                <ReportForm endpoint={endpoint.clone()} {lang} today={props.today} {onsubmitted} scope={props.scope.clone()} takeover={props.takeover.clone()} />
            </div>
            if views.status_opened {
                <div hidden={!views.status}>
                    <StatusView endpoint={endpoint.clone()} {lang} {known_ids} />
                </div>
            }
        </>
    }
}

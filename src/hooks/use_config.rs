//! `GET {endpoint}/config`: the limits and lists of this gateway.

use lapor_core::Config;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_form::Form;
use crate::form::Action;
use crate::io::http::get_json;

/// Loads the configuration once per endpoint and hands it to the form. Until it arrives, or
/// if it never does, the form runs on the contract's defaults: the gateway validates again
/// anyway, and a citizen must not be kept from writing by a slow request. Returns whether the
/// request has settled (answered or failed): a press of "Kirim Laporan" made before the
/// take-over waits for it, so it is checked against this gateway's rules and site.
#[hook]
pub fn use_config(endpoint: AttrValue, dispatch: UseReducerDispatcher<Form>) -> bool {
    let settled = use_state(|| false);
    {
        let settled = settled.clone();
        use_effect_with(endpoint, move |endpoint| {
            let url = format!("{endpoint}/config");
            spawn_local(async move {
                if let Ok(json) = get_json(&url).await {
                    if let Ok(config) = json.read::<Config>() {
                        dispatch.dispatch(Action::ConfigLoaded(config));
                    }
                }
                settled.set(true);
            });
        });
    }
    *settled
}

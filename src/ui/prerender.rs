//! The form's first paint as HTML, rendered natively with Yew's server-side rendering from the
//! same `App` the Wasm mounts, in the state the Wasm starts from (an empty form on core's
//! defaults, no list loaded). `examples/prerender.rs` writes it at build time; the loader shows
//! it until the Wasm takes over (`takeover` in `lib.rs`). No hydration: the Wasm renders its own
//! DOM and swaps it in.

use lapor_core::messages::Lang;
use lapor_core::Date;
use yew::{AttrValue, Callback, LocalServerRenderer};

use super::app::{App, AppProps};

/// The markup of a freshly mounted widget in `lang`, `today` being the build's day (the
/// incident date's `max`; the Wasm renders its own `today` when it takes over).
pub async fn prerender(lang: Lang, today: Date) -> String {
    let props = AppProps {
        // Never requested: effects do not run on a server. The markup does not contain it.
        endpoint: Some(AttrValue::Static("")),
        lang,
        today,
        onsubmitted: Callback::noop(),
        scope: AttrValue::Static(""),
        takeover: None,
    };
    LocalServerRenderer::<App>::with_props(props)
        .hydratable(false)
        .render()
        .await
}

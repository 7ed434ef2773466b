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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::texts;

    fn render(lang: Lang) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let local = tokio::task::LocalSet::new();
        local.block_on(
            &runtime,
            prerender(lang, Date::new(2026, 12, 3).expect("a date")),
        )
    }

    #[test]
    fn each_language_renders_the_whole_empty_form_in_its_own_words() {
        for lang in [Lang::Id, Lang::En] {
            let t = texts(lang);
            let html = render(lang);
            for label in [
                t.title_label,
                t.content_label,
                t.nik_label,
                t.phone_label,
                t.submit,
            ] {
                assert!(html.contains(label), "{lang:?}: no {label:?}");
            }
            for id in [
                "lapor-title",
                "lapor-content",
                "lapor-nik",
                "lapor-province",
                "lapor-secret",
            ] {
                assert!(html.contains(&format!("id=\"{id}\"")), "{lang:?}: no #{id}");
            }
            // The button says what a press before the take-over does.
            assert!(html.contains(&format!("data-lapor-pending=\"{}\"", t.submit_pending)));
            // The incident date cannot be after the build's day.
            assert!(html.contains("max=\"2026-12-03\""), "{lang:?}");
            // No hydration markers: the Wasm renders its own DOM and swaps it in.
            assert!(
                !html.contains("<!--<[") && !html.contains("data-yew"),
                "{lang:?}"
            );
        }
        assert_ne!(render(Lang::Id), render(Lang::En));
    }
}

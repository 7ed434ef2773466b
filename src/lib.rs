//! The LAPOR! widget: the national public-service complaint form, embedded in any regional
//! government website by one script tag.
//!
//! The browser-independent parts are [`form`] (the form: state, reducer, view models), [`i18n`] and
//! [`status_texts`] (the texts); they build and test natively. Everything else is the Yew
//! application, compiled to WebAssembly only. This file is the boundary with the loader: [`mount`] and
//! [`WidgetHandle`], the only code that reads the host page's options.

pub mod form;
pub mod i18n;
pub mod status_texts;

mod hooks;
mod io;
mod ui;

pub use io::photo;

#[cfg(not(target_arch = "wasm32"))]
pub use ui::prerender::prerender;

#[cfg(target_arch = "wasm32")]
pub use entry::{mount, WidgetHandle};

// Single-threaded: the widget's Wasm has no threads (no shared memory, no atomics feature).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(target_arch = "wasm32")]
mod entry {
    use lapor_core::messages::Lang;
    use serde::Deserialize;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{
        CssStyleSheet, CustomEvent, CustomEventInit, Element, ShadowRoot, ShadowRootInit,
        ShadowRootMode,
    };
    use yew::{AppHandle, AttrValue, Callback, Renderer};

    use crate::ui::app::{App, AppProps};

    /// The widget's stylesheet, embedded so that no second request and no inline style is needed.
    const CSS: &str = include_str!("style.css");

    /// What the loader passes to [`mount`]. Unknown keys are ignored.
    #[derive(Deserialize, Default)]
    struct Options {
        #[serde(default)]
        endpoint: Option<String>,
        #[serde(default)]
        lang: Option<String>,
    }

    /// One mounted widget. [`WidgetHandle::unmount`] removes it; calling it again does nothing.
    #[wasm_bindgen]
    pub struct WidgetHandle {
        app: Option<AppHandle<App>>,
        container: Option<Element>,
    }

    #[wasm_bindgen]
    impl WidgetHandle {
        /// Destroys the widget and removes its element from the shadow root. Idempotent.
        pub fn unmount(&mut self) {
            if let Some(app) = self.app.take() {
                app.destroy();
            }
            if let Some(container) = self.container.take() {
                container.remove();
            }
        }
    }

    /// Mounts a widget into `host`: an open shadow root (created or reused) with the widget's
    /// constructed stylesheet, a `div` in it, and the Yew app in the `div`.
    ///
    /// Never throws. A host that is no element, or cannot have a shadow root, gets an inert
    /// handle; a missing or invalid `endpoint` renders a bilingual message instead of the form.
    #[wasm_bindgen]
    pub fn mount(host: JsValue, options: JsValue) -> WidgetHandle {
        install_panic_hook();
        let inert = WidgetHandle {
            app: None,
            container: None,
        };
        let Ok(host) = host.dyn_into::<Element>() else {
            return inert;
        };
        if let Ok(list) = js_sys::Reflect::get(&options, &"prefetched".into()) {
            crate::io::http::adopt_prefetched(&list);
        }
        let options: Options = serde_wasm_bindgen::from_value(options).unwrap_or_default();
        let lang = options
            .lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default();
        let endpoint = options
            .endpoint
            .as_deref()
            .and_then(valid_endpoint)
            .map(AttrValue::from);

        let Some(root) = shadow_root(&host) else {
            return inert;
        };
        style(&root);
        // The loader's pre-rendered form, if it showed one: the app starts from what was typed
        // into it, renders off screen, and takes its place (`io::takeover`).
        let mut prerendered = crate::io::takeover::find(&root);
        let Some(container) = root
            .owner_document()
            .and_then(|d| d.create_element("div").ok())
        else {
            return inert;
        };
        container.set_class_name("lapor");
        if prerendered.is_none() && root.append_child(&container).is_err() {
            return inert;
        }
        let scope = scope(&host, endpoint.as_deref().unwrap_or_default()).into();
        let onsubmitted =
            Callback::from(move |tracking_id: AttrValue| dispatch_submitted(&host, &tracking_id));
        let props = AppProps {
            endpoint,
            lang,
            today: jakarta_today(),
            onsubmitted,
            scope,
            takeover: prerendered
                .as_mut()
                .map(|p| std::rc::Rc::new(std::mem::take(&mut p.seed))),
        };
        let app = Renderer::<App>::with_root_and_props(container.clone(), props).render();
        if let Some(prerendered) = prerendered {
            // Yew renders in a microtask queued by `render`; this one runs right after it, in
            // the same task: no event and no paint can fall between the two forms.
            let live = container.clone();
            wasm_bindgen_futures::spawn_local(async move { prerendered.swap(&live) });
        }
        WidgetHandle {
            app: Some(app),
            container: Some(container),
        }
    }

    /// Which widget this is, for its draft and its waiting report: the gateway, the page's path
    /// and the widget's place among the widgets of the page (`data-lapor-widget` marks them),
    /// so that two widgets on one page, or the same widget on two pages, keep two drafts.
    fn scope(host: &Element, endpoint: &str) -> String {
        let _ = host.set_attribute("data-lapor-widget", "");
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        let place = host
            .owner_document()
            .and_then(|d| d.query_selector_all("[data-lapor-widget]").ok())
            .and_then(|all| (0..all.length()).find(|&i| all.get(i).is_some_and(|n| n == **host)))
            .unwrap_or(0);
        format!("{endpoint} {path} {place}")
    }

    /// The endpoint without a trailing slash, if it is an absolute `http(s)` URL.
    fn valid_endpoint(text: &str) -> Option<String> {
        let text = text.trim().trim_end_matches('/');
        let url = web_sys::Url::new(text).ok()?;
        matches!(url.protocol().as_str(), "http:" | "https:").then(|| text.to_owned())
    }

    fn shadow_root(host: &Element) -> Option<ShadowRoot> {
        if let Some(root) = host.shadow_root() {
            return Some(root);
        }
        host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .ok()
    }

    /// Adopts the stylesheet: a constructed one, so a host page with a strict CSP needs no
    /// `'unsafe-inline'`. Browsers without constructed stylesheets get a `<style>` element.
    fn style(root: &ShadowRoot) {
        let sheet = CssStyleSheet::new().and_then(|sheet| sheet.replace_sync(CSS).map(|()| sheet));
        match sheet {
            Ok(sheet) => root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet)),
            Err(_) => {
                if let Some(style) = root
                    .owner_document()
                    .and_then(|d| d.create_element("style").ok())
                {
                    style.set_text_content(Some(CSS));
                    let _ = root.append_child(&style);
                }
            }
        }
    }

    /// Today in Asia/Jakarta (UTC+7), the contract's time zone, from the browser's clock.
    fn jakarta_today() -> lapor_core::Date {
        lapor_core::Date::jakarta_from_unix((js_sys::Date::now() / 1000.0) as i64)
    }

    /// `lapor:submitted` on the host, crossing the shadow boundary, for the host page's analytics.
    fn dispatch_submitted(host: &Element, tracking_id: &str) {
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"tracking_id".into(), &tracking_id.into());
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict("lapor:submitted", &init) {
            let _ = host.dispatch_event(&event);
        }
    }

    /// Yew would otherwise install `console_error_panic_hook` for the whole module. Ours logs
    /// only where the panic happened (a message could carry what the citizen typed), then hands
    /// over to the hook that was there before (the test harness's, under test). Set once: a
    /// hook cannot be changed while a panic is being handled.
    fn install_panic_hook() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let previous = std::panic::take_hook();
            yew::set_custom_panic_hook(Box::new(move |info| {
                let place = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                web_sys::console::error_1(
                    &format!("lapor-widget: internal error at {place}").into(),
                );
                previous(info);
            }));
        });
    }
}

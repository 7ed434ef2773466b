//! The take-over of the pre-rendered form: the loader shows the form's HTML (rendered at build
//! time from the same components, `ui::prerender`) before the Wasm has arrived, and the citizen
//! may type into it. When the Wasm starts, [`find`] reads what was typed, ticked and chosen, and
//! where focus and caret were; the app renders its own DOM off screen from that, and
//! [`Prerendered::swap`] puts it in the pre-rendered form's place within the same task, with
//! focus and caret back where they were. No hydration: the pre-rendered DOM is only read.

use lapor_core::Classification;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, ShadowRoot,
};

use crate::form::Input;
use crate::hooks::Seed;

/// The attribute the loader puts on the pre-rendered form's container, and the one it adds
/// when "Kirim Laporan" was pressed there.
const MARK: &str = "data-lapor-prerendered";
const SUBMIT: &str = "data-lapor-submit";

/// The pre-rendered form found in a shadow root, and what the citizen did in it.
pub struct Prerendered {
    container: Element,
    pub seed: Seed,
    /// The focused element's id and, in a text field, its selection.
    focus: Option<(String, Option<(u32, u32)>)>,
}

fn value(el: &Element) -> Option<String> {
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        return Some(i.value());
    }
    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        return Some(t.value());
    }
    el.dyn_ref::<HtmlSelectElement>().map(|s| s.value())
}

fn selection(el: &Element) -> Option<(u32, u32)> {
    // Inputs without a caret (date, checkbox) answer null or throw: no selection.
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        return Some((i.selection_start().ok()??, i.selection_end().ok()??));
    }
    let t = el.dyn_ref::<HtmlTextAreaElement>()?;
    Some((t.selection_start().ok()??, t.selection_end().ok()??))
}

fn checked(container: &Element, selector: &str) -> Option<HtmlInputElement> {
    container
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
}

/// The pre-rendered form in `root`, if the loader put one there.
pub fn find(root: &ShadowRoot) -> Option<Prerendered> {
    let container = root.query_selector(&format!("[{MARK}]")).ok()??;
    let mut seed = Seed {
        submit: container.has_attribute(SUBMIT),
        ..Seed::default()
    };
    for input in Input::ALL {
        let id = input.dom_id();
        let typed = container
            .query_selector(&format!("#{id}"))
            .ok()
            .flatten()
            .and_then(|el| value(&el))
            .filter(|v| !v.is_empty());
        if let Some(v) = typed {
            seed.edits.push((input, v));
        }
    }
    // A radio other than the one pre-rendered as checked: the citizen chose it.
    seed.classification = checked(&container, "input[name=lapor-classification]:checked")
        .filter(|r| !r.default_checked())
        .and_then(|r| Classification::parse(&r.value()));
    let ticked = |id: &str| checked(&container, &format!("#{id}")).is_some_and(|c| c.checked());
    seed.anonymous = ticked("lapor-anonymous");
    seed.secret = ticked("lapor-secret");
    let focus = root
        .active_element()
        .filter(|el| container.contains(Some(el)) && !el.id().is_empty())
        .map(|el| (el.id(), selection(&el)));
    Some(Prerendered {
        container,
        seed,
        focus,
    })
}

impl Prerendered {
    /// Puts `live` (the app's container, rendered) where the pre-rendered form is, and focus and
    /// caret where they were. Nothing happens if the loader removed the form meanwhile.
    pub fn swap(self, live: &Element) {
        if !self.container.is_connected() {
            return;
        }
        if self.container.replace_with_with_node_1(live).is_err() {
            return;
        }
        let Some((id, range)) = self.focus else {
            return;
        };
        let Some(el) = live.query_selector(&format!("#{id}")).ok().flatten() else {
            return;
        };
        if let Some(el) = el.dyn_ref::<HtmlElement>() {
            let _ = el.focus();
        }
        if let Some((start, end)) = range {
            if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
                let _ = i.set_selection_range(start, end);
            } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
                let _ = t.set_selection_range(start, end);
            }
        }
    }
}

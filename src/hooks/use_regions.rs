//! Region lists for the cascading location selects, from the gateway: `GET {endpoint}/regions`
//! (the provinces) and `GET {endpoint}/regions/{code}` (the regencies of a province, the
//! kecamatan of a regency). The names are not in the Wasm, which keeps it small; the gateway
//! sends them with a day's `Cache-Control`, so a browser that has seen a list once has it
//! offline too. Validation needs only the codes, which core carries.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use serde::Deserialize;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::io::http::get_json;

/// A region list as a select shows it.
#[derive(Clone, PartialEq)]
pub enum Regions {
    /// No parent chosen yet: nothing to list.
    None,
    Loading,
    /// `(code, name)` pairs.
    Loaded(Rc<Vec<(AttrValue, AttrValue)>>),
    /// The list could not be loaded; it is asked for again after [`RETRY_MS`].
    Failed,
}

impl Regions {
    /// The `(code, name)` pairs, empty unless loaded.
    pub fn list(&self) -> Vec<(AttrValue, AttrValue)> {
        match self {
            Regions::Loaded(list) => (**list).clone(),
            _ => Vec::new(),
        }
    }
}

/// How long a failed list waits before it is asked for again.
const RETRY_MS: u32 = 8_000;

#[derive(Deserialize)]
struct RegionDoc {
    #[serde(default)]
    children: Vec<Child>,
}

#[derive(Deserialize)]
struct Child {
    code: String,
    name: String,
}

/// Whether `parent` has a list: `""`, or a province's or regency's code.
fn listable(parent: &str) -> bool {
    matches!(parent.len(), 0 | 2 | 4) && parent.bytes().all(|b| b.is_ascii_digit())
}

/// The children of `parent`: `""` for the provinces, a 2-digit province code for its
/// regencies, a 4-digit regency code for its kecamatan. Anything else lists nothing. A late
/// answer for a parent no longer chosen is dropped; a failure is retried while the parent
/// stays chosen.
#[hook]
pub fn use_regions(endpoint: AttrValue, parent: AttrValue) -> Regions {
    // Loading from the first render (the request starts in the effect right after it), so that
    // the pre-rendered first paint, which no effect follows, shows the same note.
    let regions = use_state(|| {
        if listable(&parent) {
            Regions::Loading
        } else {
            Regions::None
        }
    });
    // The parent the latest request is for: a late answer for another one is dropped.
    let current = use_mut_ref(AttrValue::default);
    // Bumped by a retry timer; a new value runs the effect, so the request, again.
    let attempt = use_state(|| 0u32);
    {
        let regions = regions.clone();
        let attempt_handle = attempt.clone();
        use_effect_with((parent, *attempt), move |(parent, _)| {
            *current.borrow_mut() = parent.clone();
            let retry = Rc::new(RefCell::new(None::<Timeout>));
            if listable(parent) {
                regions.set(Regions::Loading);
                let url = if parent.is_empty() {
                    format!("{endpoint}/regions")
                } else {
                    format!("{endpoint}/regions/{parent}")
                };
                let asked = parent.clone();
                let retry = retry.clone();
                spawn_local(async move {
                    let result = match get_json(&url).await {
                        Ok(json) => json
                            .read::<RegionDoc>()
                            .map(|doc| {
                                Regions::Loaded(Rc::new(
                                    doc.children
                                        .into_iter()
                                        .map(|c| (c.code.into(), c.name.into()))
                                        .collect(),
                                ))
                            })
                            .unwrap_or(Regions::Failed),
                        Err(_) => Regions::Failed,
                    };
                    if *current.borrow() != asked {
                        return;
                    }
                    if result == Regions::Failed {
                        let next = *attempt_handle + 1;
                        *retry.borrow_mut() =
                            Some(Timeout::new(RETRY_MS, move || attempt_handle.set(next)));
                    }
                    regions.set(result);
                });
            } else {
                regions.set(Regions::None);
            }
            // The parent changed or the widget went: a pending retry is cancelled.
            move || drop(retry.borrow_mut().take())
        });
    }
    (*regions).clone()
}

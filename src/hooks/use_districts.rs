//! The kecamatan of the chosen regency, from `GET {endpoint}/regions/{code}` (the kecamatan
//! table is left out of the Wasm to keep it small).

use std::rc::Rc;

use serde::Deserialize;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::http::get_json;

/// The kecamatan list as the select shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Districts {
    /// No regency chosen.
    None,
    Loading,
    /// `(code, name)` pairs.
    Loaded(Rc<Vec<(AttrValue, AttrValue)>>),
    /// The list could not be loaded; the kecamatan is optional, so the report can still go.
    Failed,
}

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

/// Loads the kecamatan whenever the regency changes; a late answer for a regency no longer
/// chosen is dropped.
#[hook]
pub fn use_districts(endpoint: AttrValue, regency: AttrValue) -> Districts {
    let districts = use_state(|| Districts::None);
    let current = use_mut_ref(AttrValue::default);
    {
        let districts = districts.clone();
        use_effect_with(regency, move |regency| {
            *current.borrow_mut() = regency.clone();
            if regency.len() != 4 || !regency.bytes().all(|b| b.is_ascii_digit()) {
                districts.set(Districts::None);
                return;
            }
            districts.set(Districts::Loading);
            let url = format!("{endpoint}/regions/{regency}");
            let asked = regency.clone();
            spawn_local(async move {
                let result = match get_json(&url).await {
                    Ok(json) => match serde_wasm_bindgen::from_value::<RegionDoc>(json) {
                        Ok(doc) => Districts::Loaded(Rc::new(
                            doc.children
                                .into_iter()
                                .map(|c| (c.code.into(), c.name.into()))
                                .collect(),
                        )),
                        Err(_) => Districts::Failed,
                    },
                    Err(_) => Districts::Failed,
                };
                if *current.borrow() == asked {
                    districts.set(result);
                }
            });
        });
    }
    (*districts).clone()
}

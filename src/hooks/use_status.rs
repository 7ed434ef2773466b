//! `GET {endpoint}/reports/{tracking_id}`: where a report is, as the gateway knows it.

use std::rc::Rc;

use serde::Deserialize;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::io::http::get_json;
use crate::io::IoError;
use lapor_core::tracking::{TrackingId, TrackingIdError};

/// What the gateway says of a report (never anything of the reporter). Only what the view
/// shows is read: each field is Wasm, and the rest (`tracking_id`, the one asked for;
/// `classification`, `received_at`, LAPOR!'s `complaint_id` and `updated_at`) is not shown.
#[derive(Deserialize)]
pub struct ReportStatus {
    /// `received`, `forwarded` or `failed`.
    pub status: String,
    /// Once forwarded: LAPOR!'s status as last synchronised.
    pub lapor: Option<LaporStatus>,
}

/// LAPOR!'s status of a forwarded report; `None` until the gateway's first synchronisation.
#[derive(Deserialize)]
pub struct LaporStatus {
    pub status_code: Option<String>,
    pub status_name: Option<String>,
}

/// The latest lookup.
pub enum Lookup {
    Idle,
    /// What was typed is no tracking id: nothing was asked.
    Invalid(TrackingIdError),
    Loading,
    Found(TrackingId, ReportStatus),
    /// `404`: the gateway knows no report with this id.
    NotFound(TrackingId),
    /// No usable answer: `true` when none came at all (offline, blocked), `false` when the
    /// gateway answered with an error or something unreadable.
    Failed(TrackingId, bool),
}

/// The latest lookup and a callback that looks up what the citizen typed, once parsed: a
/// [`TrackingId`] is asked for (only a `TrackingId` reaches the URL), an error is kept as
/// [`Lookup::Invalid`]. An answer to an earlier lookup that arrives after a later one was
/// asked for is dropped.
#[hook]
pub fn use_status(
    endpoint: AttrValue,
) -> (Rc<Lookup>, Callback<Result<TrackingId, TrackingIdError>>) {
    let lookup = use_state(|| Rc::new(Lookup::Idle));
    // The number of the latest lookup: a late answer to an earlier one is dropped.
    let latest = use_mut_ref(|| 0u32);
    let check = {
        let lookup = lookup.clone();
        Callback::from(move |parsed: Result<TrackingId, TrackingIdError>| {
            let asked = {
                let mut latest = latest.borrow_mut();
                *latest = latest.wrapping_add(1);
                *latest
            };
            let id = match parsed {
                Ok(id) => id,
                Err(e) => return lookup.set(Rc::new(Lookup::Invalid(e))),
            };
            lookup.set(Rc::new(Lookup::Loading));
            let url = format!("{endpoint}/reports/{}", id.as_str());
            let (lookup, latest) = (lookup.clone(), latest.clone());
            spawn_local(async move {
                let result = match get_json(&url).await {
                    Ok(json) => match json.read::<ReportStatus>() {
                        Ok(report) => Lookup::Found(id, report),
                        Err(_) => Lookup::Failed(id, false),
                    },
                    Err(IoError::Status(404)) => Lookup::NotFound(id),
                    Err(e) => Lookup::Failed(id, e == IoError::Network),
                };
                if *latest.borrow() == asked {
                    lookup.set(Rc::new(result));
                }
            });
        })
    };
    ((*lookup).clone(), check)
}

//! `GET {endpoint}/reports/{tracking_id}`: where a report is, as the gateway knows it.

use std::rc::Rc;

use serde::Deserialize;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::http::{get_json, HttpError};
use crate::status_texts::TrackingId;

/// What the gateway says of a report: its receipt and status, nothing of the reporter.
/// Fields the view does not show (`classification`, LAPOR!'s `updated_at`) are not read.
#[derive(Deserialize, PartialEq)]
pub struct ReportStatus {
    pub tracking_id: String,
    #[serde(default)]
    pub received_at: String,
    /// `received`, `forwarded` or `failed`.
    pub status: String,
    /// Once forwarded: LAPOR!'s complaint and its status as last synchronised.
    pub lapor: Option<LaporStatus>,
}

/// LAPOR!'s side of a forwarded report. The status stays `None` until the gateway's first
/// synchronisation with LAPOR!.
#[derive(Deserialize, PartialEq)]
pub struct LaporStatus {
    pub complaint_id: Option<String>,
    pub status_code: Option<String>,
    pub status_name: Option<String>,
}

/// The latest lookup, for the tracking id it was for.
#[derive(Clone, PartialEq)]
pub enum Lookup {
    Idle,
    Loading(TrackingId),
    Found(Rc<ReportStatus>),
    /// `404`: the gateway knows no report with this id.
    NotFound(TrackingId),
    /// No usable answer; `network` when none came at all (offline, blocked), else the
    /// gateway answered with an error or something unreadable.
    Failed {
        id: TrackingId,
        network: bool,
    },
}

/// The latest lookup and a callback that looks up a tracking id (again). Only a
/// [`TrackingId`] reaches the URL. An answer to an earlier lookup that arrives after a later
/// one was asked for is dropped.
#[hook]
pub fn use_status(endpoint: AttrValue) -> (Lookup, Callback<TrackingId>) {
    let lookup = use_state(|| Lookup::Idle);
    // The number of the latest lookup: a late answer to an earlier one is dropped.
    let latest = use_mut_ref(|| 0u32);
    let check = {
        let lookup = lookup.clone();
        Callback::from(move |id: TrackingId| {
            let asked = {
                let mut latest = latest.borrow_mut();
                *latest = latest.wrapping_add(1);
                *latest
            };
            lookup.set(Lookup::Loading(id.clone()));
            let url = format!("{endpoint}/reports/{}", id.as_str());
            let (lookup, latest) = (lookup.clone(), latest.clone());
            spawn_local(async move {
                let result = match get_json(&url).await {
                    Ok(json) => match serde_wasm_bindgen::from_value::<ReportStatus>(json) {
                        Ok(report) => Lookup::Found(Rc::new(report)),
                        Err(_) => Lookup::Failed { id, network: false },
                    },
                    Err(HttpError::Status(404)) => Lookup::NotFound(id),
                    Err(e) => Lookup::Failed {
                        id,
                        network: e == HttpError::Network,
                    },
                };
                if *latest.borrow() == asked {
                    lookup.set(result);
                }
            });
        })
    };
    ((*lookup).clone(), check)
}

//! `GET /api/v1/regions` and `GET /api/v1/regions/{code}` (an addition to the contract): the
//! child regions for the widget's cascading location selects. The Wasm carries provinces and
//! regencies but not the 7,285 kecamatan; it asks here once a regency is chosen.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lapor_core::region::{self, Region};
use serde::Serialize;

use super::ApiError;

/// A region and its children.
#[derive(Debug, Serialize)]
pub struct RegionList {
    /// The region's code; `""` for the country (the list of provinces).
    pub code: String,
    pub name: String,
    pub children: Vec<RegionEntry>,
}

/// One child region.
#[derive(Debug, Serialize)]
pub struct RegionEntry {
    pub code: &'static str,
    pub name: &'static str,
}

const CACHE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "public, max-age=86400");

/// The provinces.
pub async fn provinces() -> Response {
    let list = RegionList {
        code: String::new(),
        name: "Indonesia".into(),
        children: entries(region::provinces()),
    };
    ([CACHE], Json(list)).into_response()
}

/// The regencies of a province or the kecamatan of a regency; 404 for anything else.
pub async fn children(Path(code): Path<String>) -> Result<Response, ApiError> {
    let (found, kids) = match code.len() {
        2 => (region::province(&code), region::regencies_of(&code)),
        4 => (region::regency(&code), region::districts_of(&code)),
        _ => (None, &[][..]),
    };
    let found = found.ok_or(ApiError::NotFound)?;
    let list = RegionList {
        code: found.code.into(),
        name: found.name.into(),
        children: entries(kids),
    };
    Ok(([CACHE], Json(list)).into_response())
}

fn entries(regions: &'static [Region]) -> Vec<RegionEntry> {
    regions
        .iter()
        .map(|r| RegionEntry {
            code: r.code,
            name: r.name,
        })
        .collect()
}

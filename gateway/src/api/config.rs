//! `GET /api/v1/config`: the limits and lists the widget renders and validates with.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;

use super::Shared;

/// The `/config` document; for a registered site's origin, with `site` (its id, name and region
/// code, which the form preselects).
pub async fn get_config(State(state): State<Shared>, headers: HeaderMap) -> impl IntoResponse {
    let mut document = state.config.clone();
    document.site = state
        .site_of(&headers)
        .map(|site| lapor_core::config::Site {
            id: site.id.clone(),
            name: site.name.clone(),
            region_code: site.region_code.clone(),
        });
    // Short caching: a configuration change reaches every open page within minutes. The
    // answer differs by `Origin` (the CORS layer adds `Vary: Origin`).
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(document),
    )
}

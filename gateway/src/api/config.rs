//! `GET /api/v1/config`: the limits and lists the widget renders and validates with.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::Shared;

/// The `/config` document; for a registered site's origin, with `site` (its id, name and region
/// code, which the form preselects).
pub async fn get_config(State(state): State<Shared>, headers: HeaderMap) -> impl IntoResponse {
    let mut document = serde_json::to_value(&state.config).unwrap_or_else(|_| json!({}));
    if let (Some(site), Some(object)) = (state.site_of(&headers), document.as_object_mut()) {
        object.insert(
            "site".into(),
            json!({"id": site.id, "name": site.name, "region_code": site.region_code}),
        );
    }
    // Short caching: a configuration change reaches every open page within minutes. The
    // answer differs by `Origin` (the CORS layer adds `Vary: Origin`).
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(document),
    )
}

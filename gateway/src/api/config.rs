//! `GET /api/v1/config`: the limits and lists the widget renders and validates with.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

use super::Shared;

/// The `/config` document.
pub async fn get_config(State(state): State<Shared>) -> impl IntoResponse {
    // Short caching: a configuration change reaches every open page within minutes.
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.config.clone()),
    )
}

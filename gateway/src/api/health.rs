//! `/healthz` (the process answers) and `/readyz` (its database does too, and its data
//! directory has room).

use axum::extract::State;
use axum::http::StatusCode;

use super::{blocking, Shared};

/// Liveness: 200 while the process serves HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 200 when the store answers and the data directory is above its free-space
/// floor (`--min-free-disk-mb`), else 503: a load balancer sends reports elsewhere.
pub async fn readyz(State(state): State<Shared>) -> (StatusCode, &'static str) {
    if state.intake.disk_room(&state.data_dir).is_err() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: low on disk space",
        );
    }
    let store = state.store.clone();
    match blocking(move || store.ping()).await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
    }
}

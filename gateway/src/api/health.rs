//! `/healthz` (the process answers) and `/readyz` (and its database does too).

use axum::extract::State;
use axum::http::StatusCode;

use super::{blocking, Shared};

/// Liveness: 200 while the process serves HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 200 when the store answers, else 503.
pub async fn readyz(State(state): State<Shared>) -> (StatusCode, &'static str) {
    let store = state.store.clone();
    match blocking(move || store.ping()).await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
    }
}

//! The HTTP contract (`gateway/openapi.yaml`): one file per endpoint group, plus the CORS and
//! `Origin` layer and the error type every handler answers with.

pub mod config;
pub mod cors;
pub mod health;
pub mod regions;
pub mod reports;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tokio::sync::Notify;

use crate::crypto::Cipher;
use crate::ratelimit::RateLimiter;
use crate::store::Store;

/// Everything a request handler needs; shared by all of them.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub cipher: Arc<Cipher>,
    /// The `/config` document, also the limits validation uses.
    pub config: lapor_core::Config,
    /// Registered origins, normalised.
    pub origins: Vec<String>,
    pub limiter: RateLimiter,
    /// Uploads in progress, stall time, trusted proxies, disk floor.
    pub intake: crate::intake::Intake,
    pub limits: RequestLimits,
    pub data_dir: PathBuf,
    pub widget_dir: Option<PathBuf>,
    /// Woken after each stored report so the forwarder starts at once.
    pub forwarder_wake: Arc<Notify>,
}

/// Shared application state.
pub type Shared = Arc<AppState>;

/// Limits on a `POST /api/v1/reports` body, beyond those of `/config`.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub body_bytes: u64,
    pub report_bytes: u64,
    pub parts: usize,
}

/// An error answer of the contract.
#[derive(Debug)]
pub enum ApiError {
    /// 400 `bad_request` with a detail for the developer integrating the widget.
    BadRequest(String),
    /// 403 `origin_not_allowed`.
    OriginNotAllowed,
    /// 404 `not_found`.
    NotFound,
    /// 409 `idempotency_conflict`.
    IdempotencyConflict,
    /// 413 `too_large`.
    TooLarge,
    /// 422 with every field error.
    Invalid(Vec<lapor_core::FieldError>),
    /// 429 `rate_limited`, with `Retry-After` in seconds.
    RateLimited(u64),
    /// 408 `body_timeout`: the request body sent nothing for the stall time.
    BodyTimeout,
    /// 429 `too_many_uploads`, with `Retry-After`: this address has its share of uploads.
    TooManyUploads(u64),
    /// 503 `busy`, with `Retry-After`: the gateway has as many uploads in progress as allowed.
    Busy(u64),
    /// 503 `storage_low`, with `Retry-After`: the data directory is below its free-space floor.
    StorageLow(u64),
    /// 500: something on our side (disk, database). Logged, never detailed to the client.
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        ApiError::Internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::BadRequest(detail) => (
                StatusCode::BAD_REQUEST,
                json!({"error": "bad_request", "detail": detail}),
            ),
            ApiError::OriginNotAllowed => (
                StatusCode::FORBIDDEN,
                json!({"error": "origin_not_allowed"}),
            ),
            ApiError::NotFound => (StatusCode::NOT_FOUND, json!({"error": "not_found"})),
            ApiError::IdempotencyConflict => (
                StatusCode::CONFLICT,
                json!({"error": "idempotency_conflict"}),
            ),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, json!({"error": "too_large"})),
            ApiError::Invalid(errors) => {
                (StatusCode::UNPROCESSABLE_ENTITY, json!({"errors": errors}))
            }
            ApiError::RateLimited(secs) => {
                return retry_after(StatusCode::TOO_MANY_REQUESTS, "rate_limited", secs)
            }
            ApiError::BodyTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                json!({"error": "body_timeout"}),
            ),
            ApiError::TooManyUploads(secs) => {
                return retry_after(StatusCode::TOO_MANY_REQUESTS, "too_many_uploads", secs)
            }
            ApiError::Busy(secs) => {
                return retry_after(StatusCode::SERVICE_UNAVAILABLE, "busy", secs)
            }
            ApiError::StorageLow(secs) => {
                return retry_after(StatusCode::SERVICE_UNAVAILABLE, "storage_low", secs)
            }
            ApiError::Internal(error) => {
                // The error chain is ours (I/O, SQLite), never the citizen's data.
                tracing::error!(error = format!("{error:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": "internal"}),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}

/// An error answer with `Retry-After` (whole seconds, at least 1).
fn retry_after(status: StatusCode, code: &str, secs: u64) -> Response {
    let mut response = (status, Json(json!({ "error": code }))).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    response
}

/// Runs blocking storage work off the async threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(ApiError::Internal),
        Err(join) => Err(ApiError::Internal(anyhow::anyhow!(
            "blocking task failed: {join}"
        ))),
    }
}

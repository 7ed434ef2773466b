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
    /// The registered sites, by origin.
    pub sites: crate::sites::SharedSites,
    pub limiter: RateLimiter,
    /// Uploads in progress, stall time, trusted proxies, disk floor.
    pub intake: crate::intake::Intake,
    pub limits: RequestLimits,
    pub data_dir: PathBuf,
    /// The built widget, when `--widget-dir` is given.
    pub widget: Option<crate::widget_files::WidgetFiles>,
    /// Woken after each stored report so the forwarder starts at once.
    pub forwarder_wake: Arc<Notify>,
    /// The participation page's figures, asked of the store at most once a minute.
    pub stats: crate::stats::Cache,
}

/// Shared application state.
pub type Shared = Arc<AppState>;

impl AppState {
    /// The registered site a request comes from, by its `Origin` header.
    pub fn site_of(&self, headers: &axum::http::HeaderMap) -> Option<Arc<crate::sites::Site>> {
        let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
        self.sites
            .get()
            .for_origin(&crate::config::normalize_origin(origin))
            .cloned()
    }
}

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
    /// 503 `store_unavailable`, with `Retry-After`: the store's database cannot be reached
    /// now (PostgreSQL away); nothing is stored.
    StoreUnavailable(u64),
    /// 500: something on our side (disk, database). Logged, never detailed to the client.
    Internal(anyhow::Error),
}

/// How long a client is told to wait while the store's database is away.
const STORE_RETRY_AFTER_SECS: u64 = 5;

impl ApiError {
    /// The answer to a storage error: 503 while the database is away, else 500.
    fn of_store(error: anyhow::Error) -> ApiError {
        if crate::store::unavailable(&error) {
            // The error chain is the database client's (connection, server), never the
            // citizen's data.
            tracing::warn!(error = format!("{error:#}"), "store unavailable");
            ApiError::StoreUnavailable(STORE_RETRY_AFTER_SECS)
        } else {
            ApiError::Internal(error)
        }
    }
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
            ApiError::StoreUnavailable(secs) => {
                return retry_after(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", secs)
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
        let codes = match body.get("errors").and_then(|e| e.as_array()) {
            Some(errors) => errors
                .iter()
                .filter_map(|e| e.get("code").and_then(|c| c.as_str()).map(str::to_owned))
                .collect(),
            None => body
                .get("error")
                .and_then(|c| c.as_str())
                .map(|c| vec![c.to_owned()])
                .unwrap_or_default(),
        };
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(ErrorCodes(codes));
        response
    }
}

/// The error codes an answer carries, for the intake's refusal counters (`/metrics`).
#[derive(Debug, Clone)]
pub struct ErrorCodes(pub Vec<String>);

/// Counts every refusal of `POST /api/v1/reports` by its error codes (the `Origin` check's
/// included, so it wraps the CORS layer).
pub async fn count_refusals(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let intake =
        request.method() == axum::http::Method::POST && request.uri().path() == "/api/v1/reports";
    let response = next.run(request).await;
    if !intake {
        return response;
    }
    if let Some(ErrorCodes(codes)) = response.extensions().get::<ErrorCodes>() {
        for code in codes {
            crate::metrics::METRICS.refused(code);
        }
    }
    response
}

/// An error answer with `Retry-After` (whole seconds, at least 1).
fn retry_after(status: StatusCode, code: &str, secs: u64) -> Response {
    let mut response = (status, Json(json!({ "error": code }))).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    response
        .extensions_mut()
        .insert(ErrorCodes(vec![code.to_owned()]));
    response
}

/// Runs blocking storage work off the async threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(ApiError::of_store),
        Err(join) => Err(ApiError::Internal(anyhow::anyhow!(
            "blocking task failed: {join}"
        ))),
    }
}

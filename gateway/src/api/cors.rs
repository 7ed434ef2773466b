//! CORS and the `Origin` check, in front of the API and the widget files.
//!
//! - A registered origin gets `Access-Control-Allow-Origin: <that origin>` (never `*`).
//! - A preflight from any other origin is answered `403 origin_not_allowed`.
//! - A `POST` whose `Origin` is not registered is refused with `403 origin_not_allowed` before
//!   its body is read. A request with no `Origin` at all is not a browser request made by a
//!   foreign page (browsers always send `Origin` on a cross-origin or `POST` request): curl, a
//!   kiosk or a Pemda's own server may post that way.
//! - `GET`s (config, regions, status, widget files) are answered to anyone; only registered
//!   origins get the CORS header that lets a page read them.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, Shared};
use crate::config::normalize_origin;

/// The middleware; see the module documentation.
pub async fn cors(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .map(|value| value.to_str().map(normalize_origin).unwrap_or_default());
    let allowed = origin
        .as_ref()
        .filter(|o| state.sites.get().for_origin(o).is_some())
        .and_then(|o| HeaderValue::from_str(o).ok());

    let mut response = if request.method() == Method::OPTIONS {
        match &allowed {
            Some(_) => {
                let mut response = StatusCode::NO_CONTENT.into_response();
                let headers = response.headers_mut();
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST, OPTIONS"),
                );
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type, idempotency-key"),
                );
                headers.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("600"),
                );
                response
            }
            None => ApiError::OriginNotAllowed.into_response(),
        }
    } else if request.method() == Method::POST && origin.is_some() && allowed.is_none() {
        ApiError::OriginNotAllowed.into_response()
    } else {
        next.run(request).await
    };

    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
    }
    response
}

//! The LAPOR! simulator: a stand-in for the SP4N-LAPOR! integration API, run as the
//! `lapor-simulator` binary, for the tests, the benchmark and the demo only. It is never the
//! real service and never part of the gateway: a crate and a process of its own, with its own
//! store, reached over HTTP exactly as LAPOR! is. The production `lapor-gateway` binary does
//! not contain it.
//!
//! The crate's second binary, `demo-site` (`src/bin/demo-site.rs`), serves the demo's sample
//! regional site on its own origin.
//!
//! Upstream API (as the gateway's forwarder calls it; every call needs the `Authorization` and
//! `token` headers the simulator was started with, else `401`):
//! - `POST /complaints/complaint/file`: multipart `attachments[]` → `{"results":{"docs":[{"id"}]}}`
//! - `POST /complaints/complaint`: JSON complaint → `{"results":{"complaint_id"}}`
//! - `GET /complaints/{id}/complaint` → `{"results":{"complaint_id","status_code",
//!   "status_name","updated_at"}}`
//! - `POST /complaints/followup/add`: multipart `complaint_id`, `content`, `is_secret` (0/1),
//!   optional `institution_to_id` → `{"results":{"followup_id"}}`
//!
//! Simulator-only paths (never subject to faults or credentials):
//! - `GET /healthz`, `GET /_simulator/complaints` (everything received, follow-ups included),
//!   `GET /_simulator/documents/{id}`, `GET|POST /_simulator/faults`,
//!   `POST /_simulator/complaints/{id}/advance`;
//! - `GET /_simulator/public`: what LAPOR! publishes, as its public pages show it: every
//!   complaint that is not secret, with its text and its follow-ups that are not secret.
//!
//! The `X-Request-Id` header of each upstream call is recorded with what it created, so tests
//! can match complaints to the gateway's tracking ids and count duplicates.

mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use store::{NewComplaint, NewDocument, NewFollowup, Store};

/// Flags of `lapor-simulator`: a LAPOR! simulator for tests and the demo.
///
/// The credentials it expects come from the environment only (`LAPOR_AUTHORIZATION` and
/// `LAPOR_TOKEN`, both required), so they never show in a process list.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "lapor-simulator", version)]
pub struct SimArgs {
    /// Address the LAPOR! simulator listens on.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,

    /// Directory for the simulator's own SQLite store; without it the store lives in memory
    /// and is gone when the simulator stops.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,

    /// Share of upstream calls (0.0–1.0) answered `503` before doing anything (fault injection).
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub error_rate: f64,

    /// Delay added to every upstream call, in milliseconds (fault injection).
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Start "down": every upstream call answers `503` until `POST /_simulator/faults`
    /// sets `{"down": false}` (fault injection).
    #[arg(long)]
    pub down: bool,

    /// Seconds between automatic status steps (verifikasi → tindak lanjut → tanggapan →
    /// selesai); 0 = statuses move only by `POST /_simulator/complaints/{id}/advance`.
    #[arg(long, default_value_t = 60)]
    pub status_step_secs: u64,

    /// Answer the create call with `complaint_id` as a JSON number instead of a string, as
    /// some LAPOR! deployments do; the gateway must accept both.
    #[arg(long)]
    pub numeric_complaint_ids: bool,

    /// Keep only each document's metadata (name, type, size, SHA-256), not its bytes; for long
    /// benchmark runs, so the simulator's memory does not grow by every attachment forwarded.
    #[arg(long)]
    pub discard_documents: bool,
}

/// Runs the LAPOR! simulator until Ctrl-C / SIGTERM.
pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let credentials = Credentials::from_env()?;
    let store = Store::open(args.data_dir.as_deref())?;
    let faults = Faults {
        error_rate: args.error_rate,
        latency_ms: args.latency_ms,
        down: args.down,
        ..Faults::default()
    };
    let state = SimState {
        store,
        credentials: Arc::new(credentials),
        faults: Arc::new(RwLock::new(faults.clone())),
        rng: Arc::new(AtomicU64::new(seed())),
        step_ms: i64::try_from(args.status_step_secs.saturating_mul(1000)).unwrap_or(i64::MAX),
        numeric_ids: args.numeric_complaint_ids,
        discard_documents: args.discard_documents,
    };
    let shutdown = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(
        listen = %listener.local_addr()?,
        store = if args.data_dir.is_some() { "sqlite" } else { "memory" },
        error_rate = faults.error_rate,
        latency_ms = faults.latency_ms,
        down = faults.down,
        status_step_secs = args.status_step_secs,
        "LAPOR! simulator listening (a simulator for tests and the demo, not the real service)"
    );
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!("LAPOR! simulator stopped");
    Ok(())
}

/// The simulator's HTTP routes over the given state.
fn router(state: SimState) -> Router {
    let upstream = Router::new()
        .route("/complaints/complaint/file", post(upload))
        .route("/complaints/complaint", post(create))
        .route("/complaints/{id}/complaint", get(status))
        .route("/complaints/followup/add", post(followup))
        .route_layer(middleware::from_fn_with_state(state.clone(), upstream_gate));
    Router::new()
        .merge(upstream)
        .route("/healthz", get(|| async { "ok" }))
        .route("/_simulator/complaints", get(list_complaints))
        .route("/_simulator/public", get(public_complaints))
        .route("/_simulator/complaints/{id}/advance", post(advance))
        .route("/_simulator/documents/{id}", get(document))
        .route("/_simulator/faults", get(get_faults).post(set_faults))
        // Several attachments at LAPOR!'s 2 MB per file must fit; the per-file limit is
        // checked in the upload handler so the answer names the file.
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY))
        .with_state(state)
}

/// LAPOR!'s published limit per attachment.
const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// The most the simulator reads of one upload request.
const MAX_UPLOAD_BODY: usize = 64 * 1024 * 1024;
/// The attachment types LAPOR! accepts.
const ALLOWED_TYPES: [&str; 3] = ["image/jpeg", "image/png", "application/pdf"];

#[derive(Clone)]
struct SimState {
    store: Store,
    credentials: Arc<Credentials>,
    faults: Arc<RwLock<Faults>>,
    rng: Arc<AtomicU64>,
    step_ms: i64,
    numeric_ids: bool,
    discard_documents: bool,
}

struct Credentials {
    authorization: String,
    token: String,
}

impl Credentials {
    fn from_env() -> anyhow::Result<Credentials> {
        let get = |name: &str| -> anyhow::Result<String> {
            match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => Ok(v),
                _ => anyhow::bail!(
                    "the LAPOR! simulator needs the credentials it will expect: set {name} \
                     (and the same value for the gateway)"
                ),
            }
        };
        Ok(Credentials {
            authorization: get("LAPOR_AUTHORIZATION")?,
            token: get("LAPOR_TOKEN")?,
        })
    }

    fn accepts(&self, headers: &HeaderMap) -> bool {
        let matches = |name: &str, expected: &str| {
            headers
                .get(name)
                .map(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()))
                .unwrap_or(false)
        };
        // Both are checked so the time taken says nothing about which one was wrong.
        let authorization = matches("authorization", &self.authorization);
        let token = matches("token", &self.token);
        authorization & token
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Injected faults, changed at run time by `POST /_simulator/faults`. The faults after the
/// first three are shown only while on (a field left out is off, in an update too: see
/// [`set_faults`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Faults {
    error_rate: f64,
    latency_ms: u64,
    down: bool,
    /// Every follow-up call answers `503` (the rest works): a gateway stopped between the
    /// complaint and its identity follow-up.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    followups_down: bool,
    /// The create call answers this status (a WAF's `403`, a moved path's `404`, …) without
    /// creating anything; 0 is off.
    #[serde(skip_serializing_if = "is_zero")]
    create_status: u16,
    /// The create call creates the complaint but answers `200` without its id.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    create_without_id: bool,
    /// The create call creates the complaint, then answers `503`: the answer is lost.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    lose_create_answers: bool,
    /// A create whose `X-Request-Id` already made a complaint answers `409` with that
    /// complaint's id instead of making a second one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dedupe_request_ids: bool,
    /// Every upstream call answers `307` to this base URL plus the call's path; "" is off.
    #[serde(skip_serializing_if = "String::is_empty")]
    redirect_to: String,
}

fn is_zero(n: &u16) -> bool {
    *n == 0
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s.parse().map_err(|_| format!("not a number: {s}"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err("must be between 0.0 and 1.0".to_owned())
    }
}

/// An error answer in the shape LAPOR! uses: `{"error": "…", "message": "…"}`.
fn error(status: StatusCode, error: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": error, "message": message.into() })),
    )
        .into_response()
}

fn internal(err: anyhow::Error) -> Response {
    tracing::error!(error = %err, "LAPOR! simulator store failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "simulator store error",
    )
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}

/// A uniform number in [0, 1) from a shared SplitMix64 sequence. Faults must be random, not a
/// fixed pattern: with a strict alternation a report's upload could always succeed and its
/// create always fail, and nothing would ever arrive.
fn random_unit(rng: &AtomicU64) -> f64 {
    let mut z = rng
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(128).collect())
}

/// Applies the injected faults, then the credentials check, to every upstream call.
/// Faults come first because a LAPOR! that is down cannot check anything; they fail the call
/// before it does anything, so a fault never creates a complaint whose answer is lost.
async fn upstream_gate(State(state): State<SimState>, req: Request, next: Next) -> Response {
    let faults = state
        .faults
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if !faults.redirect_to.is_empty() {
        let location = format!("{}{}", faults.redirect_to, req.uri().path());
        return (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location)],
            "moved (injected fault)",
        )
            .into_response();
    }
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if faults.down {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "LAPOR! simulator is down (injected fault)",
        );
    }
    if faults.error_rate > 0.0 && random_unit(&state.rng) < faults.error_rate {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "LAPOR! simulator failed this call (injected fault)",
        );
    }
    if !state.credentials.accepts(req.headers()) {
        tracing::warn!(path = %req.uri().path(), "LAPOR! simulator refused a call without valid credentials");
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong Authorization/token",
        );
    }
    next.run(req).await
}

/// `POST /complaints/complaint/file`: stores every `attachments[]` part, in order.
async fn upload(
    State(state): State<SimState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("not multipart: {e}"),
            )
        }
    };
    let request_id = request_id(&headers);
    let mut docs = Vec::new();
    let mut index = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return error(
                    e.status(),
                    "bad_request",
                    format!("malformed multipart: {e}"),
                )
            }
        };
        if field.name() != Some("attachments[]") {
            let name = field
                .name()
                .unwrap_or("")
                .chars()
                .take(64)
                .collect::<String>();
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_error",
                format!("unexpected part {name:?}; files go in parts named attachments[]"),
            );
        }
        let Some(filename) = field
            .file_name()
            .map(str::to_owned)
            .filter(|f| !f.is_empty())
        else {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_error",
                format!("attachments[{index}] has no filename"),
            );
        };
        let content_type = field.content_type().unwrap_or("").to_ascii_lowercase();
        if !ALLOWED_TYPES.contains(&content_type.as_str()) {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "file_type",
                format!("attachments[{index}] has type {content_type:?}; allowed: pdf, jpg, png"),
            );
        }
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return error(
                    e.status(),
                    "bad_request",
                    format!("malformed multipart: {e}"),
                )
            }
        };
        if bytes.is_empty() {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "file_empty",
                format!("attachments[{index}] is empty"),
            );
        }
        if bytes.len() > MAX_FILE_BYTES {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "file_too_large",
                format!("attachments[{index}] is over 2 MB"),
            );
        }
        docs.push(NewDocument {
            request_id: request_id.clone(),
            filename: filename.chars().take(255).collect(),
            content_type,
            sha256: hex(&Sha256::digest(&bytes)),
            size: bytes.len(),
            bytes: if state.discard_documents {
                Vec::new()
            } else {
                bytes.to_vec()
            },
        });
        index += 1;
    }
    if docs.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            "no attachments[] part",
        );
    }
    let store = state.store.clone();
    let now = now_ms();
    let ids = tokio::task::spawn_blocking(move || {
        docs.iter()
            .map(|d| store.insert_document(d, now))
            .collect::<anyhow::Result<Vec<_>>>()
    })
    .await;
    match ids {
        Ok(Ok(ids)) => {
            tracing::info!(
                request_id = request_id.as_deref().unwrap_or("-"),
                documents = ids.len(),
                "LAPOR! simulator stored uploaded documents"
            );
            let docs: Vec<Value> = ids.into_iter().map(|id| json!({ "id": id })).collect();
            Json(json!({ "results": { "docs": docs } })).into_response()
        }
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e.into()),
    }
}

/// `POST /complaints/complaint`: checks the shape LAPOR! expects and creates the complaint.
async fn create(State(state): State<SimState>, headers: HeaderMap, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("malformed JSON: {e}"),
            )
        }
    };
    let complaint = match parse_complaint(&value, request_id(&headers)) {
        Ok(c) => c,
        Err(problems) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_error",
                problems.join("; "),
            )
        }
    };
    let faults = state
        .faults
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if faults.create_status != 0 {
        let status =
            StatusCode::from_u16(faults.create_status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return error(status, "injected", "create refused (injected fault)");
    }
    let store = state.store.clone();
    let now = now_ms();
    let dedupe = faults.dedupe_request_ids;
    let result =
        tokio::task::spawn_blocking(move || -> anyhow::Result<Result<Created, Vec<String>>> {
            let unknown = store.unknown_documents(&complaint.attachments)?;
            if !unknown.is_empty() {
                return Ok(Err(unknown));
            }
            if let (true, Some(request_id)) = (dedupe, &complaint.request_id) {
                if let Some(existing) = store.complaint_for_request(request_id)? {
                    return Ok(Ok(Created::Existing(existing)));
                }
            }
            Ok(Ok(Created::New(store.insert_complaint(&complaint, now)?)))
        })
        .await;
    let complaint_id = match result {
        Ok(Ok(Ok(Created::New(id)))) => id,
        Ok(Ok(Ok(Created::Existing(id)))) => {
            return (
                StatusCode::CONFLICT,
                Json(json!({
                    "error": "conflict",
                    "message": "a complaint with this request id exists",
                    "results": { "complaint_id": id },
                })),
            )
                .into_response()
        }
        Ok(Ok(Err(unknown))) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_error",
                format!("attachments: unknown document ids {unknown:?}"),
            )
        }
        Ok(Err(e)) => return internal(e),
        Err(e) => return internal(e.into()),
    };
    tracing::info!(
        request_id = request_id(&headers).as_deref().unwrap_or("-"),
        complaint_id = %complaint_id,
        "LAPOR! simulator created a complaint"
    );
    if faults.lose_create_answers {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "created, but the answer is lost (injected fault)",
        );
    }
    if faults.create_without_id {
        return Json(json!({ "results": {} })).into_response();
    }
    let id_value = match (state.numeric_ids, complaint_id.parse::<u64>()) {
        (true, Ok(n)) => json!(n),
        _ => json!(complaint_id),
    };
    Json(json!({ "results": { "complaint_id": id_value } })).into_response()
}

/// What a create call made.
enum Created {
    New(String),
    /// A complaint made earlier for the same request id (with `dedupe_request_ids`).
    Existing(String),
}

/// Checks a create body field by field and lists every problem, like LAPOR!'s validation.
fn parse_complaint(v: &Value, request_id: Option<String>) -> Result<NewComplaint, Vec<String>> {
    let mut problems = Vec::new();
    let Some(obj) = v.as_object() else {
        return Err(vec!["body must be a JSON object".into()]);
    };
    let mut text = |name: &str| -> String {
        match obj.get(name).and_then(Value::as_str) {
            Some(s) if !s.trim().is_empty() => s.to_owned(),
            _ => {
                problems.push(format!("{name}: required non-empty string"));
                String::new()
            }
        }
    };
    let title = text("title");
    let content = text("content");
    let location_id = text("location_id");
    let classification_id = match obj.get("classification_id").and_then(Value::as_i64) {
        Some(n @ 1..=3) => n,
        _ => {
            problems.push("classification_id: must be 1, 2 or 3".into());
            0
        }
    };
    let mut optional_text = |name: &str| -> Option<String> {
        match obj.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                problems.push(format!("{name}: must be a string or null"));
                None
            }
        }
    };
    let category_id = optional_text("category_id");
    let date_of_incident = optional_text("date_of_incident");
    if let Some(d) = &date_of_incident {
        if !is_iso_date(d) {
            problems.push("date_of_incident: must be YYYY-MM-DD".into());
        }
    }
    let mut flag = |name: &str| -> bool {
        match obj.get(name).and_then(Value::as_bool) {
            Some(b) => b,
            None => {
                problems.push(format!("{name}: required boolean"));
                false
            }
        }
    };
    let is_anonymous = flag("is_anonymous");
    let is_secret = flag("is_secret");
    let attachments = match obj.get("attachments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let ids: Vec<String> = items
                .iter()
                .filter_map(|i| match i {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect();
            if ids.len() != items.len() {
                problems.push("attachments: must be a list of document ids".into());
            }
            ids
        }
        Some(_) => {
            problems.push("attachments: must be a list of document ids".into());
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(NewComplaint {
        request_id,
        title,
        content,
        classification_id,
        category_id,
        location_id,
        date_of_incident,
        is_anonymous,
        is_secret,
        attachments,
    })
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// `GET /complaints/{id}/complaint`.
async fn status(State(state): State<SimState>, Path(id): Path<String>) -> Response {
    let store = state.store.clone();
    let step = state.step_ms;
    match tokio::task::spawn_blocking(move || store.status(&id, now_ms(), step)).await {
        Ok(Ok(Some(s))) => Json(json!({ "results": s })).into_response(),
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, "not_found", "no such complaint"),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e.into()),
    }
}

/// `POST /complaints/followup/add`: adds a follow-up (public or secret) to a complaint.
async fn followup(
    State(state): State<SimState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let followups_down = state
        .faults
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .followups_down;
    if followups_down {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "LAPOR! simulator refuses follow-ups (injected fault)",
        );
    }
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("not multipart: {e}"),
            )
        }
    };
    let mut fields = std::collections::HashMap::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                match field.text().await {
                    Ok(text) => {
                        fields.insert(name, text);
                    }
                    Err(e) => {
                        return error(
                            StatusCode::BAD_REQUEST,
                            "bad_request",
                            format!("{name}: {e}"),
                        )
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("malformed multipart: {e}"),
                )
            }
        }
    }
    let mut problems = Vec::new();
    let mut required = |name: &str| match fields.get(name) {
        Some(v) if !v.trim().is_empty() => v.clone(),
        _ => {
            problems.push(format!("{name}: required"));
            String::new()
        }
    };
    let complaint_id = required("complaint_id");
    let content = required("content");
    let is_secret = match fields.get("is_secret").map(String::as_str) {
        Some("1") => true,
        Some("0") => false,
        _ => {
            problems.push("is_secret: must be 0 or 1".into());
            false
        }
    };
    if !problems.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            problems.join("; "),
        );
    }
    let new = NewFollowup {
        request_id: request_id(&headers),
        complaint_id,
        content,
        is_secret,
        institution_to_id: fields.get("institution_to_id").cloned(),
    };
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.insert_followup(&new, now_ms())).await {
        Ok(Ok(Some(id))) => Json(json!({ "results": { "followup_id": id } })).into_response(),
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, "not_found", "no such complaint"),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e.into()),
    }
}

/// `GET /_simulator/public`: what LAPOR! publishes (see the module's documentation).
async fn public_complaints(State(state): State<SimState>) -> Response {
    let store = state.store.clone();
    let step = state.step_ms;
    match tokio::task::spawn_blocking(move || store.public(now_ms(), step)).await {
        Ok(Ok(list)) => Json(list).into_response(),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e.into()),
    }
}

/// `GET /_simulator/complaints`: everything received, oldest first.
async fn list_complaints(State(state): State<SimState>) -> Response {
    let store = state.store.clone();
    let step = state.step_ms;
    match tokio::task::spawn_blocking(move || store.list(now_ms(), step)).await {
        Ok(Ok(list)) => Json(list).into_response(),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e.into()),
    }
}

/// `POST /_simulator/complaints/{id}/advance`: the next status now; answers the new status.
async fn advance(State(state): State<SimState>, Path(id): Path<String>) -> Response {
    let store = state.store.clone();
    let step = state.step_ms;
    match tokio::task::spawn_blocking(move || store.advance(&id, now_ms(), step)).await {
        Ok(Ok(Some(s))) => Json(json!({ "results": s })).into_response(),
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, "not_found", "no such complaint"),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e.into()),
    }
}

/// `GET /_simulator/documents/{id}`: the bytes exactly as uploaded.
async fn document(State(state): State<SimState>, Path(id): Path<String>) -> Response {
    if state.discard_documents {
        return error(
            StatusCode::GONE,
            "discarded",
            "this simulator runs with --discard-documents and keeps no bytes",
        );
    }
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.document(&id)).await {
        Ok(Ok(Some((content_type, bytes)))) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, "not_found", "no such document"),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e.into()),
    }
}

async fn get_faults(State(state): State<SimState>) -> Response {
    let faults = state
        .faults
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Json(faults).into_response()
}

/// `POST /_simulator/faults`: changes any subset of the injected faults. The update's keys
/// are laid over the faults in force, and the result is read back as [`Faults`], so a key
/// that names no fault or has the wrong type is refused and nothing changes.
async fn set_faults(State(state): State<SimState>, body: Bytes) -> Response {
    let bad = |message: String| error(StatusCode::BAD_REQUEST, "bad_request", message);
    let update: serde_json::Map<String, serde_json::Value> = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => return bad(format!("faults: {e}")),
    };
    let faults = {
        let mut faults = state.faults.write().unwrap_or_else(|p| p.into_inner());
        let mut merged = match serde_json::to_value(&*faults) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        merged.extend(update);
        let next: Faults = match serde_json::from_value(serde_json::Value::Object(merged)) {
            Ok(next) => next,
            Err(e) => return bad(format!("faults: {e}")),
        };
        if !(0.0..=1.0).contains(&next.error_rate) {
            return bad("error_rate must be between 0.0 and 1.0".to_owned());
        }
        *faults = next;
        faults.clone()
    };
    tracing::info!(
        faults = %serde_json::to_string(&faults).unwrap_or_default(),
        "LAPOR! simulator faults changed"
    );
    Json(faults).into_response()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// JSON logs on stderr at `info`, like the gateway's.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .try_init();
}

/// Resolves on Ctrl-C or SIGTERM. The SIGTERM handler is installed here, before the listener
/// opens, so a SIGTERM sent as soon as `/healthz` answers is always a graceful stop and never
/// the default "terminate at once".
pub fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    Ok(async move {
        #[cfg(unix)]
        let term = term.recv();
        #[cfg(not(unix))]
        let term = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term => {},
        }
        tracing::info!("LAPOR! simulator shutting down");
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        assert!(parse_rate("1.5").is_err());
        assert!(parse_rate("-0.1").is_err());
        assert!(parse_rate("abc").is_err());
    }

    #[test]
    fn random_unit_is_in_range_and_roughly_uniform() {
        let rng = AtomicU64::new(42);
        let draws: Vec<f64> = (0..10_000).map(|_| random_unit(&rng)).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        let below_half = draws.iter().filter(|x| **x < 0.5).count();
        assert!((4_500..5_500).contains(&below_half), "{below_half}");
    }

    #[test]
    fn complaint_shape_lists_every_problem() {
        let problems = parse_complaint(&json!({"title": "", "classification_id": 7}), None)
            .err()
            .unwrap_or_default();
        for field in [
            "title",
            "content",
            "location_id",
            "classification_id",
            "is_anonymous",
            "is_secret",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(field)),
                "{field} in {problems:?}"
            );
        }
        let ok = parse_complaint(
            &json!({"title": "Judul", "content": "Isi", "classification_id": 1, "category_id": null,
                    "location_id": "647401", "date_of_incident": "2026-11-20", "is_anonymous": false,
                    "is_secret": true, "attachments": ["simdoc-1"]}),
            Some("T-1".into()),
        );
        let ok = ok.unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(ok.attachments, vec!["simdoc-1"]);
        assert!(ok.is_secret && !ok.is_anonymous);
    }

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2026-11-20"));
        assert!(!is_iso_date("2026-13-20"));
        assert!(!is_iso_date("20-11-2026"));
        assert!(!is_iso_date("2026-1-200"));
    }

    #[test]
    fn credentials_need_both_headers() {
        let creds = Credentials {
            authorization: "Bearer a".into(),
            token: "t".into(),
        };
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer a".parse().unwrap());
        assert!(!creds.accepts(&h));
        h.insert("token", "x".parse().unwrap());
        assert!(!creds.accepts(&h));
        h.insert("token", "t".parse().unwrap());
        assert!(creds.accepts(&h));
    }
}

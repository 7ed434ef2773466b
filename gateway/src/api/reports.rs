//! `POST /api/v1/reports` (intake) and `GET /api/v1/reports/{tracking_id}` (the receipt).
//!
//! Intake order: rate limit → `Idempotency-Key` → free-disk floor → a place among the uploads
//! in progress (global and per address), held until the answer → the multipart body, streamed
//! part by part under the limits (a part never grows past its limit in memory; a body that
//! sends nothing for the stall time is cut off) → the `report` JSON →
//! idempotency replay or conflict → validation of report and attachments together (every error
//! at once) → metadata stripped from images, PDFs cleaned or refused (`crate::pdf`) → files
//! written and synced → their directory synced and the row committed, each once for a group of
//! reports (WAL, `synchronous=FULL`) → `201`. Nothing is stored
//! for a refused request.

use std::net::{IpAddr, SocketAddr};
use std::path::Path as FsPath;
use std::time::Duration;

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{ConnectInfo, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lapor_core::attachment::{sniff, AttachmentInfo, FileKind, SNIFF_LEN};
use lapor_core::tracking::TrackingId;
use lapor_core::validate::validate_submission;
use lapor_core::{Code, Context, Date, Field as ReportField, FieldError, Report};
use serde_json::json;
use xxhash_rust::xxh3::Xxh3Default;

use super::{blocking, ApiError, Shared};
use crate::crypto::Cipher;
use crate::intake::Full;
use crate::pdf::PdfRefusal;
use crate::store::{Identity, Inserted, NewReport, StoredFile};

/// One attachment as received.
struct Incoming {
    name: String,
    size: u64,
    head: Vec<u8>,
    /// The bytes, when the file is within the limits (else only its size is known).
    data: Option<Vec<u8>>,
}

/// `POST /api/v1/reports`.
pub async fn create(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let client = client_ip(&state, peer, &headers);
    if let Err(wait) = state.limiter.check(client) {
        return Err(ApiError::RateLimited(wait.as_secs_f64().ceil() as u64));
    }
    let key = idempotency_key(&headers)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > state.limits.body_bytes) {
        return Err(ApiError::TooLarge);
    }
    // Before a byte of the body is read, so that a full disk leaves nothing half-written.
    if let Err(why) = state.intake.disk_room(&state.data_dir) {
        tracing::warn!(reason = %why, "report refused: data directory low on space");
        return Err(ApiError::StorageLow(crate::intake::RETRY_AFTER_SECS));
    }
    // Held until this handler returns, whichever way: the body read and the storing.
    let _upload = state
        .intake
        .uploads
        .try_start(client)
        .map_err(|full| match full {
            Full::Everyone => ApiError::Busy(crate::intake::RETRY_AFTER_SECS),
            Full::ThisAddress => ApiError::TooManyUploads(crate::intake::RETRY_AFTER_SECS),
        })?;
    let mut multipart = multipart.map_err(|e| ApiError::BadRequest(e.body_text()))?;

    let (report_bytes, files, fingerprint) =
        read_body(&state, &mut multipart, declared.unwrap_or(0)).await?;
    let report_bytes =
        report_bytes.ok_or_else(|| ApiError::BadRequest("no `report` part".into()))?;
    let report: Report = serde_json::from_slice(&report_bytes)
        .map_err(|e| ApiError::BadRequest(json_problem(&e)))?;

    let store = state.store.clone();
    let key_for_lookup = key.clone();
    if let Some(prior) = blocking(move || store.prior(&key_for_lookup)).await? {
        return replay(prior.fingerprint == fingerprint, &prior.tracking_id);
    }

    let now = crate::unix_now();
    let infos: Vec<AttachmentInfo<'_>> = files
        .iter()
        .map(|f| AttachmentInfo {
            name: &f.name,
            size: f.size,
            head: &f.head,
        })
        .collect();
    let context = Context {
        config: &state.config,
        today: Date::jakarta_from_unix(now),
    };
    let valid = validate_submission(&report, &infos, &context)
        .into_result()
        .map_err(|mut errors| {
            // The 422 lists the report part's errors first, then the files part's, as the
            // contract's examples do; core lists them in the order of the form.
            errors.sort_by_key(|e| e.field.is_attachment());
            ApiError::Invalid(errors)
        })?;

    // Strip every image and clean every PDF before anything touches the disk. Check passed, so
    // every file is within the limits and its bytes are here.
    let mut cleaned = Vec::with_capacity(files.len());
    let mut strip_errors = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        let kind = sniff(&file.head);
        let data = file.data.unwrap_or_default();
        let refuse = |code| FieldError::new(ReportField::Attachment(i), code);
        let data = match kind {
            Some(FileKind::Jpeg | FileKind::Png) => {
                match lapor_core::strip::strip_metadata(&data) {
                    Ok(stripped) => stripped,
                    Err(_) => {
                        // Looks like an image but cannot be walked to its end: refuse it rather
                        // than store it with its metadata.
                        strip_errors.push(refuse(Code::FileType));
                        continue;
                    }
                }
            }
            Some(FileKind::Pdf) => match crate::pdf::clean_isolated(data).await? {
                Ok(clean) => clean,
                // Unreadable is refused like an image that cannot be walked: never stored
                // with metadata nobody could remove.
                Err(PdfRefusal::Unreadable) => {
                    strip_errors.push(refuse(Code::FileType));
                    continue;
                }
                Err(PdfRefusal::Unsafe) => {
                    strip_errors.push(refuse(Code::FilePdfUnsafe));
                    continue;
                }
            },
            _ => data,
        };
        let mime = kind
            .map_or("application/octet-stream", FileKind::mime)
            .to_owned();
        cleaned.push((upstream_name(&file.name, i, kind), mime, data));
    }
    if !strip_errors.is_empty() {
        return Err(ApiError::Invalid(strip_errors));
    }

    let tracking_id = new_tracking_id()?;
    let site = state.site_of(&headers);
    let site_id = site.as_ref().map(|s| s.id.clone());
    let classification = valid.body.classification;
    let mut body = valid.body.clone();
    if body.institution_id.is_none() {
        body.institution_id = site.as_ref().and_then(|s| s.institution_id.clone());
    }
    let record = NewReport {
        identity_sealed: Identity::of(&valid).seal(&state.cipher, &tracking_id)?,
        tracking_id: tracking_id.clone(),
        idempotency_key: key,
        fingerprint: fingerprint.clone(),
        received_at: now,
        site_id: site_id.clone(),
        body,
        files: Vec::new(),
        attachments: Vec::new(),
    };
    let store = state.store.clone();
    let data_dir = state.data_dir.clone();
    let cipher = state.cipher.clone();
    let outcome = blocking(move || {
        let mut record = record;
        if store.keeps_attachments() {
            let mut sealed = Vec::new();
            record.files = seal_files(&cipher, &record.tracking_id, cleaned, "", &mut sealed)?;
            record.attachments = sealed;
        } else {
            record.files = write_files(&data_dir, &cipher, &record.tracking_id, cleaned)?;
        }
        let outcome = store.insert(&record);
        let row_absent = match &outcome {
            Ok(Inserted::New) => false,
            // Nothing was stored under this tracking id.
            Ok(Inserted::KeyTaken(_)) => true,
            // The commit may have reached the disk all the same: the files go only when the
            // row is known absent (else the start-up sweep decides later).
            Err(_) => matches!(store.receipt(&record.tracking_id), Ok(None)),
        };
        if row_absent {
            for file in record.files.iter().filter(|f| f.on_disk()) {
                let _ = std::fs::remove_file(data_dir.join(&file.path));
            }
        }
        outcome
    })
    .await?;

    match outcome {
        Inserted::New => {
            tracing::info!(tracking_id = %tracking_id, "report received");
            crate::metrics::METRICS.received(site_id.as_deref(), classification.as_str());
            state.forwarder_wake.notify_one();
            let body = json!({"tracking_id": tracking_id, "status": "received"});
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        Inserted::KeyTaken(prior) => replay(prior.fingerprint == fingerprint, &prior.tracking_id),
    }
}

/// The client's address: the peer, or behind a trusted proxy the right-most address of
/// `X-Forwarded-For` that is not a trusted proxy (see `intake::TrustedProxies`).
fn client_ip(state: &Shared, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    state.intake.proxies.client(peer, headers)
}

/// The file name sent on to LAPOR!: the last path component of what the browser sent (old
/// browsers send `C:\fakepath\foto.jpg`), or `lampiran-<n>.<ext>` when there is none.
fn upstream_name(name: &str, index: usize, kind: Option<FileKind>) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    if base.is_empty() {
        let ext = kind.map_or("bin", |k| k.extensions()[0]);
        format!("lampiran-{}.{ext}", index + 1)
    } else {
        base.chars().take(200).collect()
    }
}

/// The answer to a request whose `Idempotency-Key` was seen before.
fn replay(same_content: bool, tracking_id: &str) -> Result<Response, ApiError> {
    if same_content {
        let body = json!({"tracking_id": tracking_id, "status": "received"});
        Ok((StatusCode::OK, Json(body)).into_response())
    } else {
        Err(ApiError::IdempotencyConflict)
    }
}

/// `Idempotency-Key`: 1–64 characters of `[A-Za-z0-9_-]`.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get("idempotency-key")
        .ok_or_else(|| ApiError::BadRequest("`Idempotency-Key` header missing".into()))?;
    let key = value.to_str().unwrap_or_default();
    let ok = (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !ok {
        return Err(ApiError::BadRequest(
            "`Idempotency-Key` must be 1-64 characters of A-Z a-z 0-9 _ -".into(),
        ));
    }
    Ok(key.to_owned())
}

/// Reads the whole multipart body under the limits. Returns the `report` part, the attachments
/// and a fingerprint (XXH3-128 over every part) telling a replay from a conflict.
///
/// The fingerprint is compared only with the earlier request of the same `Idempotency-Key`,
/// which the same client chose: it needs to tell different content apart, not to resist a
/// forger (a forged match would only hand the forger its own earlier receipt). SHA-256 took a
/// quarter of the gateway's CPU under load (`scripts/bench-gateway.sh`); XXH3 runs at memory
/// speed.
async fn read_body(
    state: &Shared,
    multipart: &mut Multipart,
    size_hint: u64,
) -> Result<(Option<Vec<u8>>, Vec<Incoming>, String), ApiError> {
    let limits = &state.config.attachments;
    let mut report = None;
    let mut files = Vec::new();
    let mut parts = 0usize;
    let mut fingerprint = Xxh3Default::new();
    let stall = state.intake.body_stall;
    while let Some(mut field) = within(stall, multipart.next_field())
        .await?
        .map_err(multipart_error)?
    {
        parts += 1;
        if parts > state.limits.parts {
            return Err(ApiError::TooLarge);
        }
        match field.name() {
            Some("report") => {
                if report.is_some() {
                    return Err(ApiError::BadRequest("more than one `report` part".into()));
                }
                let mut hasher = Xxh3Default::new();
                let (bytes, size) = read_part(
                    &mut field,
                    state.limits.report_bytes,
                    size_hint,
                    &mut hasher,
                    stall,
                )
                .await?;
                if size > state.limits.report_bytes {
                    return Err(ApiError::TooLarge);
                }
                fingerprint.update(b"report\0");
                fingerprint.update(&hasher.digest128().to_le_bytes());
                report = Some(bytes);
            }
            Some("attachment") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                // Past the file count only sizes matter (for `too_many_files` and the total).
                let keep = if files.len() < limits.max_files {
                    limits.max_file_bytes
                } else {
                    0
                };
                let mut hasher = Xxh3Default::new();
                let (bytes, size) = read_part(
                    &mut field,
                    keep.max(SNIFF_LEN as u64),
                    size_hint,
                    &mut hasher,
                    stall,
                )
                .await?;
                fingerprint.update(b"attachment\0");
                fingerprint.update(&(name.len() as u64).to_le_bytes());
                fingerprint.update(name.as_bytes());
                fingerprint.update(&hasher.digest128().to_le_bytes());
                let head = bytes[..bytes.len().min(SNIFF_LEN)].to_vec();
                let data = (size <= keep).then_some(bytes);
                files.push(Incoming {
                    name,
                    size,
                    head,
                    data,
                });
            }
            _ => {
                return Err(ApiError::BadRequest(
                    "unexpected part: only `report` and `attachment` parts are accepted".into(),
                ));
            }
        }
    }
    Ok((report, files, format!("{:032x}", fingerprint.digest128())))
}

/// Streams one part, keeping at most `keep` bytes in memory; returns them and the full size.
async fn read_part(
    field: &mut Field<'_>,
    keep: u64,
    size_hint: u64,
    hasher: &mut Xxh3Default,
    stall: Duration,
) -> Result<(Vec<u8>, u64), ApiError> {
    // Sized once from the body's length (bounded by what is kept), so a 500 KB photo is not
    // copied again at every doubling of the buffer.
    let mut bytes = Vec::with_capacity(keep.min(size_hint) as usize);
    let mut size = 0u64;
    while let Some(chunk) = within(stall, field.chunk())
        .await?
        .map_err(multipart_error)?
    {
        size += chunk.len() as u64;
        hasher.update(&chunk);
        let room = keep.saturating_sub(bytes.len() as u64) as usize;
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok((bytes, size))
}

/// What is wrong with the `report` part, by kind and place only: serde's own message quotes
/// the offending value, which may be a NIK typed into the wrong field.
fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Syntax => "is not well-formed JSON",
        Category::Eof => "ends before its JSON does",
        Category::Data => "has a field of the wrong type, or a field the contract does not have",
        Category::Io => "could not be read",
    };
    format!(
        "`report` part {kind} (line {}, column {})",
        e.line(),
        e.column()
    )
}

/// One step of the body read, which must make progress within `stall`: a client that stops
/// sending would otherwise hold its connection, its buffers and its upload place for ever.
async fn within<T>(
    stall: Duration,
    step: impl std::future::Future<Output = T>,
) -> Result<T, ApiError> {
    tokio::time::timeout(stall, step)
        .await
        .map_err(|_| ApiError::BodyTimeout)
}

fn multipart_error(error: MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge
    } else {
        ApiError::BadRequest(format!("multipart body: {}", error.body_text()))
    }
}

/// A fresh tracking id, `LPR-XXXX-XXXX-XXXX`: 60 random bits from the OS, in an alphabet
/// without I, L, O and U so it can be read out over the phone.
pub fn new_tracking_id() -> anyhow::Result<String> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut random = [0u8; 12];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    let mut id = String::from("LPR");
    for (i, byte) in random.iter().enumerate() {
        if i % 4 == 0 {
            id.push('-');
        }
        id.push(ALPHABET[usize::from(byte & 31)] as char);
    }
    Ok(id)
}

/// Writes the attachments, each sealed, one after the other into a new
/// `attachments/<tracking_id>.bin` (`0600`) and syncs it: one file sync per report. The
/// directory's entry is synced by the store's group commit, once for all the reports of a
/// group, before their rows commit (see `store::sqlite`).
fn write_files(
    data_dir: &FsPath,
    cipher: &Cipher,
    tracking_id: &str,
    files: Vec<(String, String, Vec<u8>)>,
) -> anyhow::Result<Vec<StoredFile>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let dir = data_dir.join("attachments");
    let file_name = format!("{tracking_id}.bin");
    let mut file = crate::files::create_private(&dir.join(&file_name))?;
    let path = format!("attachments/{file_name}");
    let stored = seal_files(cipher, tracking_id, files, &path, &mut file)?;
    file.sync_all()?;
    Ok(stored)
}

/// Seals the attachments one after the other into `out`, each bound to its report and its
/// offset; their records name `path` (empty: the store keeps the bytes).
fn seal_files(
    cipher: &Cipher,
    tracking_id: &str,
    files: Vec<(String, String, Vec<u8>)>,
    path: &str,
    out: &mut impl std::io::Write,
) -> anyhow::Result<Vec<StoredFile>> {
    let mut stored = Vec::with_capacity(files.len());
    let mut offset = 0u64;
    for (name, mime, mut data) in files {
        let (head, tag) = cipher.seal_in_place(&mut data, &StoredFile::aad(tracking_id, offset))?;
        out.write_all(&head)?;
        out.write_all(&data)?;
        out.write_all(&tag)?;
        stored.push(StoredFile {
            path: path.to_owned(),
            offset,
            name,
            mime,
            size: data.len() as u64,
            sealed: true,
        });
        offset += (data.len() + crate::crypto::OVERHEAD) as u64;
    }
    Ok(stored)
}

/// `GET /api/v1/reports/{tracking_id}`: the receipt and status, nothing of the reporter or the
/// content.
pub async fn status(
    State(state): State<Shared>,
    Path(tracking_id): Path<String>,
) -> Result<Response, ApiError> {
    // Core's one rule of what a tracking id can look like; anything else is not ours.
    let tracking_id = TrackingId::parse(&tracking_id).map_err(|_| ApiError::NotFound)?;
    let store = state.store.clone();
    let receipt = blocking(move || store.receipt(tracking_id.as_str()))
        .await?
        .ok_or(ApiError::NotFound)?;
    let lapor = receipt.lapor.map(|l| {
        json!({
            "complaint_id": l.complaint_id,
            "status_code": l.status_code,
            "status_name": l.status_name,
            "updated_at": l.updated_at,
        })
    });
    let body = json!({
        "tracking_id": receipt.tracking_id,
        "classification": receipt.classification.as_str(),
        "received_at": crate::jakarta_rfc3339(receipt.received_at),
        "status": receipt.status.public_str(),
        "lapor": lapor,
    });
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sent_upstream() {
        for (name, i, kind, expected) in [
            ("foto.jpg", 0, Some(FileKind::Jpeg), "foto.jpg"),
            (
                "C:\\fakepath\\foto.jpg",
                0,
                Some(FileKind::Jpeg),
                "foto.jpg",
            ),
            ("dir/surat.pdf", 1, Some(FileKind::Pdf), "surat.pdf"),
            ("", 1, Some(FileKind::Png), "lampiran-2.png"),
        ] {
            assert_eq!(upstream_name(name, i, kind), expected, "{name}");
        }
    }

    #[test]
    fn tracking_ids_are_short_random_and_of_the_contract_alphabet() {
        let ids: std::collections::HashSet<String> =
            (0..1000).map(|_| new_tracking_id().unwrap()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            assert_eq!(id.len(), 18, "{id}");
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'));
        }
    }
}

//! Durable storage of reports and of the outbox, behind one narrow trait: the HTTP handlers and
//! the forwarder only see [`Store`], so a PostgreSQL backend for several gateway instances can
//! follow without touching them. The embedded default is [`sqlite::SqliteStore`]; several
//! instances share one database through [`postgres::PgStore`].
//!
//! Methods are blocking (a commit waits for the disk); async callers run them in
//! `tokio::task::spawn_blocking`.

pub mod pg_connect;
pub mod postgres;
pub mod sqlite;

use lapor_core::messages::Lang;
use lapor_core::{Classification, Date, ValidReport};
use serde::{Deserialize, Serialize};

use crate::crypto::{blob_key_id, Cipher, KeyId};

/// What a store's records say of the key that sealed them (see [`sqlite::SqliteStore::key_state`]).
#[derive(Debug, Default)]
pub struct KeyState {
    /// The key recorded at the last start (or rotation).
    pub recorded: Option<KeyId>,
    /// One sealed identity, to try a key on when none is recorded (a store of an earlier
    /// version): its tracking id and blob.
    pub sample: Option<(String, Vec<u8>)>,
}

impl KeyState {
    /// Whether the store holds records that only the right key opens.
    pub fn has_sealed(&self) -> bool {
        self.recorded.is_some() || self.sample.is_some()
    }

    /// Whether `cipher` opens this store's records; `Err` says which key they expect.
    pub fn check(&self, cipher: &Cipher) -> Result<(), String> {
        let expected = self
            .recorded
            .or_else(|| self.sample.as_ref().and_then(|(_, blob)| blob_key_id(blob)));
        match (expected, &self.sample) {
            (Some(id), _) if id == cipher.key_id() => Ok(()),
            (Some(id), _) => Err(format!(
                "the store's records are sealed with key {}, not with the key given ({})",
                crate::crypto::hex(&id),
                cipher.fingerprint()
            )),
            (None, Some((tracking_id, blob))) => cipher
                .open(blob, tracking_id.as_bytes())
                .map(drop)
                .map_err(|_| {
                    format!(
                        "the store's records do not open with the key given ({})",
                        cipher.fingerprint()
                    )
                }),
            (None, None) => Ok(()),
        }
    }
}

pub(crate) fn parse_key_id(hex: &str) -> Option<KeyId> {
    let bytes = crate::crypto::parse_hex_key(&format!("{hex:0<64}")).ok()?;
    let mut id = KeyId::default();
    let len = id.len();
    id.copy_from_slice(&bytes[..len]);
    (crate::crypto::hex(&id) == hex).then_some(id)
}

/// Whether `error` says the store cannot be reached now (its database server is away, or
/// refuses connections) rather than that something is wrong with a request or a record: the
/// caller may try again in a moment.
pub fn unavailable(error: &anyhow::Error) -> bool {
    postgres::unavailable(error)
}

/// Where a report is in its life, as `GET /api/v1/reports/{id}` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Received,
    Forwarded,
    Failed,
    /// LAPOR! may hold the report without having said so (a `2xx` without a complaint id): it
    /// is never posted again until an operator retries it. The citizen sees `received`.
    Parked,
}

impl Status {
    /// The name stored, and printed by `lapor-gateway outbox list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Forwarded => "forwarded",
            Status::Failed => "failed",
            Status::Parked => "parked",
        }
    }

    /// The status as the contract's receipt tells it.
    pub fn public_str(self) -> &'static str {
        match self {
            Status::Parked => Status::Received.as_str(),
            other => other.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Received,
            Status::Forwarded,
            Status::Failed,
            Status::Parked,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One attachment as stored: already stripped, sealed, written and synced under the data
/// directory. The attachments of one report share one file, each at its own offset: one file
/// to create and sync per report, not one per attachment. A store that keeps attachments
/// itself ([`Store::keeps_attachments`]) holds the same bytes as that file would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// Path relative to the data directory; empty when the store keeps the bytes.
    pub path: String,
    /// Where the attachment's bytes start in that file (0 for files stored one per attachment).
    #[serde(default)]
    pub offset: u64,
    /// The name the citizen's file had (sent on to LAPOR!).
    pub name: String,
    pub mime: String,
    /// The attachment's own size (sealed, it takes [`crate::crypto::OVERHEAD`] bytes more).
    pub size: u64,
    /// Whether the bytes are sealed (every file since encryption of attachments at rest; an
    /// earlier version wrote them plain).
    #[serde(default)]
    pub sealed: bool,
}

impl StoredFile {
    /// How many bytes the attachment takes in its file.
    pub fn stored_len(&self) -> u64 {
        if self.sealed {
            self.size + crate::crypto::OVERHEAD as u64
        } else {
            self.size
        }
    }

    /// What a sealed attachment is bound to: its report and its place in the report's file.
    pub fn aad(tracking_id: &str, offset: u64) -> Vec<u8> {
        format!("{tracking_id}/file@{offset}").into_bytes()
    }

    /// Whether the attachment is a file under the data directory (not kept by the store).
    pub fn on_disk(&self) -> bool {
        !self.path.is_empty()
    }

    /// The attachment's bytes out of its report's sealed attachments (as a store that keeps
    /// them returns them), opened. Blocking, like [`StoredFile::read`]: one copy of the
    /// attachment, decrypted where it lies.
    pub fn open_in(
        &self,
        all: &[u8],
        cipher: &Cipher,
        tracking_id: &str,
    ) -> std::io::Result<Vec<u8>> {
        use crate::crypto::HEAD_LEN;
        let start = usize::try_from(self.offset).unwrap_or(usize::MAX);
        let end = usize::try_from(self.stored_len())
            .ok()
            .and_then(|len| start.checked_add(len));
        let bytes = end
            .and_then(|end| all.get(start..end))
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        if !self.sealed {
            return Ok(bytes.to_vec());
        }
        let (head, rest) = bytes
            .split_first_chunk::<HEAD_LEN>()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        let mut rest = rest.to_vec();
        cipher
            .open_split(head, &mut rest, &StoredFile::aad(tracking_id, self.offset))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(rest)
    }

    /// Reads the attachment's bytes from under `data_dir`, opened when sealed. Blocking: the
    /// forwarder calls it on a blocking thread. The bytes are read once into the buffer they
    /// are returned in and decrypted there (no zeroed buffer first, no second copy).
    pub fn read(
        &self,
        data_dir: &std::path::Path,
        cipher: &Cipher,
        tracking_id: &str,
    ) -> std::io::Result<Vec<u8>> {
        use crate::crypto::HEAD_LEN;
        use std::io::{Read as _, Seek as _};
        let mut file = std::fs::File::open(data_dir.join(&self.path))?;
        file.seek(std::io::SeekFrom::Start(self.offset))?;
        let mut head = [0u8; HEAD_LEN];
        let rest_len = if self.sealed {
            file.read_exact(&mut head)?;
            self.stored_len() - HEAD_LEN as u64
        } else {
            self.size
        };
        let capacity = usize::try_from(rest_len)
            .map_err(|_| std::io::Error::other("attachment larger than memory"))?;
        let mut bytes = Vec::with_capacity(capacity);
        file.take(rest_len).read_to_end(&mut bytes)?;
        if bytes.len() != capacity {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if self.sealed {
            cipher
                .open_split(
                    &head,
                    &mut bytes,
                    &StoredFile::aad(tracking_id, self.offset),
                )
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        }
        Ok(bytes)
    }
}

/// What the gateway keeps of a valid report besides the reporter's identity: core's
/// [`ReportBody`], as stored and forwarded, its parsed types kept (the identity is sealed
/// apart, see [`Identity`]).
pub use lapor_core::ReportBody;

/// A stored row as [`body_from`] reads a [`ReportBody`] out of it: each store's columns and
/// how it opens the citizen's sealed words.
pub(crate) trait BodyRow {
    type Error;
    fn text(&self, index: usize) -> Result<String, Self::Error>;
    fn optional_text(&self, index: usize) -> Result<Option<String>, Self::Error>;
    fn flag(&self, index: usize) -> Result<bool, Self::Error>;
    /// Sealed words, opened (`None`: none stored); `Err` says why they do not open.
    fn words(&self, index: usize, column: &str) -> Result<Option<String>, String>;
    /// The error for a value at `index` that this gateway never writes.
    fn not_stored(&self, index: usize) -> Self::Error;
}

/// Reads the body columns that start at column `first` of a row, in this order:
/// classification, title, content, incident_date, location_code, location_detail,
/// institution_id, category_id, anonymous, secret, lang. The outer error is a value this
/// gateway never writes; the inner one, sealed words that do not open.
pub(crate) fn body_from<R: BodyRow>(
    row: &R,
    first: usize,
) -> Result<Result<ReportBody, String>, R::Error> {
    let classification = row.text(first)?;
    let incident_date = match row.optional_text(first + 3)? {
        Some(d) => Some(Date::parse_iso(&d).ok_or_else(|| row.not_stored(first + 3))?),
        None => None,
    };
    let lang = row.text(first + 10)?;
    let classification =
        Classification::parse(&classification).ok_or_else(|| row.not_stored(first))?;
    let lang = Lang::parse(&lang).ok_or_else(|| row.not_stored(first + 10))?;
    let words = (|| -> Result<_, String> {
        Ok((
            row.words(first + 1, "title")?.unwrap_or_default(),
            row.words(first + 2, "content")?.unwrap_or_default(),
            row.words(first + 5, "location_detail")?,
        ))
    })();
    let (title, content, location_detail) = match words {
        Ok(words) => words,
        Err(reason) => return Ok(Err(reason)),
    };
    Ok(Ok(ReportBody {
        classification,
        title,
        content,
        incident_date,
        location_code: row.text(first + 4)?,
        location_detail,
        institution_id: row.optional_text(first + 6)?,
        category_id: row.optional_text(first + 7)?,
        anonymous: row.flag(first + 8)?,
        secret: row.flag(first + 9)?,
        lang,
    }))
}

/// The reporter's identity as sealed at rest: built only from a validated report (the NIK,
/// phone and email as core parsed and normalised them), opened only by the forwarder to
/// deliver it to the handling agency.
#[derive(Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    pub nik: Option<String>,
    /// E.164.
    pub phone: String,
    pub email: Option<String>,
}

impl Identity {
    /// The identity of a validated report.
    pub fn of(valid: &ValidReport) -> Identity {
        Identity {
            name: valid.name.as_str().to_owned(),
            nik: valid.nik.as_ref().map(|n| n.as_str().to_owned()),
            phone: valid.phone.as_e164().to_owned(),
            email: valid.email.as_ref().map(|e| e.as_str().to_owned()),
        }
    }

    /// Encrypts the identity, bound to its report's tracking id.
    pub fn seal(&self, cipher: &Cipher, tracking_id: &str) -> anyhow::Result<Vec<u8>> {
        let plain = serde_json::to_vec(self)?;
        cipher.seal(&plain, tracking_id.as_bytes())
    }

    /// Decrypts a sealed identity. An error says why without any of its content.
    pub fn open(sealed: &[u8], cipher: &Cipher, tracking_id: &str) -> Result<Identity, String> {
        let plain = cipher
            .open(sealed, tracking_id.as_bytes())
            .map_err(|e| e.to_string())?;
        serde_json::from_slice(&plain).map_err(|_| "stored identity unreadable".to_owned())
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity { .. }")
    }
}

/// A validated report ready to be stored. Identity is already sealed.
#[derive(Clone)]
pub struct NewReport {
    pub tracking_id: String,
    pub idempotency_key: String,
    /// XXH3-128 (hex) of the request's content, to tell a replay from a conflict.
    pub fingerprint: String,
    pub received_at: i64,
    /// The registered site it was filed on (`None`: no `Origin`, e.g. a kiosk or curl).
    pub site_id: Option<String>,
    pub body: ReportBody,
    /// The reporter's identity, encrypted (see [`Identity::seal`]).
    pub identity_sealed: Vec<u8>,
    pub files: Vec<StoredFile>,
    /// For a store that keeps attachments ([`Store::keeps_attachments`]): the sealed bytes of
    /// every file, one after the other at the offsets `files` name. Empty otherwise.
    pub attachments: Vec<u8>,
}

impl std::fmt::Debug for NewReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewReport")
            .field("tracking_id", &self.tracking_id)
            .field("body", &self.body)
            .field("received_at", &self.received_at)
            .field("files", &self.files.len())
            .finish_non_exhaustive()
    }
}

/// What an earlier request with the same `Idempotency-Key` left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    pub tracking_id: String,
    pub fingerprint: String,
}

/// The outcome of [`Store::insert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    New,
    /// The idempotency key was taken meanwhile (a concurrent identical request).
    KeyTaken(Prior),
}

/// The public receipt: what the status endpoint may show.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub tracking_id: String,
    pub classification: Classification,
    pub received_at: i64,
    pub status: Status,
    pub lapor: Option<LaporStatus>,
}

/// What LAPOR! said about the complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaporStatus {
    pub complaint_id: String,
    pub status_code: Option<String>,
    pub status_name: Option<String>,
    pub updated_at: Option<String>,
}

/// A report the forwarder is to deliver, with everything needed to do so.
#[derive(Clone)]
pub struct Outgoing {
    pub tracking_id: String,
    /// Unix seconds.
    pub received_at: i64,
    /// The registered site it was filed on.
    pub site_id: Option<String>,
    /// The body, or why it cannot be opened (a key that is not loaded, a damaged record).
    pub body: Result<ReportBody, String>,
    pub identity_sealed: Option<Vec<u8>>,
    pub files: Vec<StoredFile>,
    /// Document ids LAPOR! returned for the files, if an earlier attempt got that far.
    pub uploaded_docs: Option<Vec<String>>,
    /// The complaint LAPOR! created, if an earlier attempt got that far: then only the
    /// reporter's identity is left to deliver.
    pub complaint_id: Option<String>,
    /// Whether the reporter's identity is still to be delivered as a secret follow-up (every
    /// report that is not anonymous, until LAPOR! has accepted that follow-up).
    pub identity_pending: bool,
    pub attempts: u32,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("tracking_id", &self.tracking_id)
            .field(
                "body",
                &self.body.as_ref().map(|_| "..").map_err(|e| e.as_str()),
            )
            .field("files", &self.files.len())
            .field("complaint_id", &self.complaint_id)
            .field("identity_pending", &self.identity_pending)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// One report as an operator sees it in the outbox: no personal data and none of the
/// citizen's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub tracking_id: String,
    pub status: Status,
    /// `pending`, `delivered`, `failed`, or `None` (anonymous, or forwarded before identity
    /// travelled as a follow-up).
    pub identity: Option<String>,
    pub received_at: i64,
    pub attempts: u32,
    pub next_attempt_at: i64,
    /// Why the last attempt did not deliver (LAPOR!'s status and error, bounded).
    pub last_error: Option<String>,
    pub complaint_id: Option<String>,
    pub purged: bool,
}

/// What the purge removes for one report.
#[derive(Debug, Clone)]
pub struct Purgeable {
    pub tracking_id: String,
    pub files: Vec<StoredFile>,
}

/// The storage interface of the gateway.
pub trait Store: Send + Sync + 'static {
    /// The report stored earlier under this idempotency key, if any.
    fn prior(&self, idempotency_key: &str) -> anyhow::Result<Option<Prior>>;
    /// Stores a report durably (committed and synced when this returns `Ok`). The caller has
    /// written and synced the report's files; their directory entries are made durable here,
    /// before the row that names them commits.
    fn insert(&self, report: &NewReport) -> anyhow::Result<Inserted>;
    /// The public receipt of a report.
    fn receipt(&self, tracking_id: &str) -> anyhow::Result<Option<Receipt>>;
    /// Reports due for (another) forwarding attempt at `now`, oldest first: not yet created at
    /// LAPOR!, or created with the identity follow-up still to deliver.
    fn due(&self, now: i64, limit: usize) -> anyhow::Result<Vec<Outgoing>>;
    /// Remembers LAPOR!'s document ids so a retry does not upload the files again.
    fn record_uploads(&self, tracking_id: &str, doc_ids: &[String]) -> anyhow::Result<()>;
    /// The complaint exists at LAPOR!: the report is `forwarded`. A report whose identity is
    /// still to be delivered stays due (at once) for that step alone; any other is finished.
    fn mark_forwarded(&self, tracking_id: &str, complaint_id: &str, now: i64)
        -> anyhow::Result<()>;
    /// LAPOR! may hold the report without having said so: it is `parked`, never posted again
    /// until an operator retries it. `reason` is kept for operators.
    fn mark_parked(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<()>;
    /// The reports an operator should look at: parked, failed, an identity step that failed,
    /// and (with `all`) every other report not yet delivered; newest first.
    fn outbox(&self, all: bool, limit: usize) -> anyhow::Result<Vec<OutboxEntry>>;
    /// Operator: deliver again now. A parked or failed report is posted again from the steps
    /// it has not recorded; a refused identity follow-up is sent again. `false` when there is
    /// nothing to retry (unknown, delivered, or purged).
    fn retry(&self, tracking_id: &str, now: i64) -> anyhow::Result<bool>;
    /// Operator: stop delivering a report not yet forwarded (`false` when there is none).
    fn park(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<bool>;
    /// LAPOR! accepted the secret follow-up with the reporter's identity: the report is
    /// finished, and its retention starts.
    fn mark_identity_delivered(&self, tracking_id: &str, now: i64) -> anyhow::Result<()>;
    /// LAPOR! refused the identity follow-up for good: the complaint stands without it, the
    /// report is finished, and `reason` is kept for operators.
    fn mark_identity_failed(&self, tracking_id: &str, reason: &str, now: i64)
        -> anyhow::Result<()>;
    /// A transient failure: try again at `next_at`. `reason` is for operators.
    fn schedule_retry(&self, tracking_id: &str, next_at: i64, reason: &str) -> anyhow::Result<()>;
    /// A permanent refusal: the report is `failed`; `reason` is kept for operators.
    fn mark_failed(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<()>;
    /// Forwarded reports whose LAPOR! status was last checked before `checked_before`.
    fn stale_statuses(
        &self,
        checked_before: i64,
        limit: usize,
    ) -> anyhow::Result<Vec<(String, String)>>;
    /// Records LAPOR!'s status of a complaint (`None` fields: only the check time changes).
    fn update_status(
        &self,
        tracking_id: &str,
        status: &LaporStatus,
        now: i64,
    ) -> anyhow::Result<()>;
    /// Reports forwarded (or failed) before `before` whose personal data is still stored.
    fn purgeable(&self, before: i64, limit: usize) -> anyhow::Result<Vec<Purgeable>>;
    /// Deletes identity, content and the file list of a report, keeping receipt and status.
    fn mark_purged(&self, tracking_id: &str, now: i64) -> anyhow::Result<()>;
    /// Whether the store answers (for `/readyz`).
    fn ping(&self) -> anyhow::Result<()>;
    /// The outbox as `/metrics` shows it: reports not yet delivered whole (waiting, parked, or
    /// their identity follow-up pending) and the age of the oldest, at `now`.
    fn outbox_gauges(&self, now: i64) -> anyhow::Result<crate::metrics::OutboxGauges>;
    /// Every attachment file a report still names (paths relative to the data directory).
    fn named_files(&self) -> anyhow::Result<std::collections::HashSet<String>>;
    /// What the participation page counts, per site, month of receipt (Asia/Jakarta) and
    /// classification, in one pass over the reports: nothing of any single report leaves.
    fn participation(&self) -> anyhow::Result<Vec<Tally>>;
    /// Whether the store keeps the attachments' bytes itself (given in
    /// [`NewReport::attachments`], read with [`Store::attachments`]) rather than the data
    /// directory holding them as files: so that instances share no disk.
    fn keeps_attachments(&self) -> bool {
        false
    }
    /// A report's sealed attachments as [`NewReport::attachments`] gave them (`None`: none
    /// kept, or purged).
    fn attachments(&self, _tracking_id: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(None)
    }
}

/// Reports of one site, month and classification, as [`Store::participation`] counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// `None`: filed without a registered site's `Origin`.
    pub site_id: Option<String>,
    /// `YYYY-MM`, in Asia/Jakarta.
    pub month: String,
    pub classification: String,
    pub reports: u64,
    /// Of those, how many LAPOR! holds (`forwarded`).
    pub delivered: u64,
    /// For each that has LAPOR!'s first status: seconds from receipt to that status.
    pub first_status_secs: Vec<u64>,
}

/// One report as a store holds it, sealed records as they are (never opened): what
/// `lapor-gateway migrate-store` reads out of the SQLite store ([`sqlite::SqliteStore::export`])
/// and writes into PostgreSQL ([`postgres::PgStore::import`]).
#[derive(Clone)]
pub struct StoredReport {
    pub tracking_id: String,
    pub idempotency_key: String,
    pub fingerprint: String,
    pub received_at: i64,
    pub site_id: Option<String>,
    pub classification: String,
    /// The citizen's words, sealed under `<tracking_id>/<column>` (`None`: none, or purged).
    pub title: Option<Vec<u8>>,
    pub content: Option<Vec<u8>>,
    pub location_detail: Option<Vec<u8>>,
    pub incident_date: Option<String>,
    pub location_code: String,
    pub institution_id: Option<String>,
    pub category_id: Option<String>,
    pub anonymous: bool,
    pub secret: bool,
    pub lang: String,
    /// The reporter's identity, sealed (`None`: anonymous, or purged).
    pub identity: Option<Vec<u8>>,
    pub files: Vec<StoredFile>,
    /// The report's sealed attachments as one block, when the files are kept by the store
    /// (empty paths); `None` while they are still files under a data directory.
    pub attachments: Option<Vec<u8>>,
    pub status: String,
    pub identity_state: Option<String>,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub uploaded_docs: Option<String>,
    pub complaint_id: Option<String>,
    pub forwarded_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub status_code: Option<String>,
    pub status_name: Option<String>,
    pub status_updated_at: Option<String>,
    pub status_checked_at: Option<i64>,
    pub first_status_at: Option<i64>,
    pub purged_at: Option<i64>,
}

impl std::fmt::Debug for StoredReport {
    // Only what is not personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredReport")
            .field("tracking_id", &self.tracking_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

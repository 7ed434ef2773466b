//! Background work on the outbox (the `reports` table is the queue, so it survives restarts):
//! - the forwarder uploads each report's files to LAPOR!, then creates the complaint with the
//!   public text alone, then (unless the report is anonymous) delivers the reporter's identity
//!   as a secret follow-up, retrying transient failures with exponential backoff and jitter,
//!   and marks a permanent refusal `failed` with LAPOR!'s reason kept for operators;
//! - the status sync asks LAPOR! for the status of forwarded complaints;
//! - the purge deletes identity, content and attachments once forwarded plus the retention.
//!
//! LAPOR! publishes the text of a complaint that is not secret, so the complaint's title and
//! content carry only what the citizen wrote for the public; name, NIK, phone and email go
//! only into the follow-up marked `is_secret=1`, which only the handling agency sees. Each
//! step is recorded in the outbox as it succeeds (documents, complaint, identity), so a crash
//! between two steps neither loses the later one nor repeats the earlier one. A crash between
//! LAPOR!'s answer and the gateway recording it repeats that one step after the restart
//! (at-least-once delivery); every call carries `X-Request-Id: <tracking_id>` so the duplicate
//! can be recognised upstream. Only the complaint's create makes a duplicate anyone sees, so
//! creates go `create_concurrency` at a time (1 by default), each holding its turn until its
//! complaint id is recorded: one kill duplicates at most that many complaints, however many
//! reports are being forwarded.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::{watch, Notify, Semaphore};

use crate::config::Credentials;
use crate::crypto::Cipher;
use crate::metrics::METRICS;
use crate::sites::SharedSites;
use crate::store::{Identity, LaporStatus, Outgoing, ReportBody, Store};

/// How long a step LAPOR! has carried out waits for the store to record it (a database
/// restart takes seconds). Within an attempt's lease, which allows a minute beyond its
/// upstream calls and its wait for a create turn (see [`attempt_bound`]).
const RECORD_PATIENCE: Duration = Duration::from_secs(30);

/// How to reach LAPOR! and how hard to try.
#[derive(Debug, Clone)]
pub struct ForwarderConfig {
    pub base_url: String,
    pub upload_path: String,
    pub create_path: String,
    /// With `{id}` for the complaint id.
    pub status_path: String,
    /// Where the reporter's identity goes, as a secret follow-up of the complaint.
    pub followup_path: String,
    pub credentials: Credentials,
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub status_sync: Duration,
    pub retention: Duration,
    pub purge_every: Duration,
    pub concurrency: usize,
    /// Complaints being created at once, each until its id is recorded: at most this many
    /// reports are between LAPOR!'s answer and its record when the gateway dies, so this bounds
    /// the duplicates one kill can cause.
    pub create_concurrency: usize,
    pub timeout: Duration,
    /// A report still not delivered this long after it was received is marked failed.
    pub max_age: Duration,
}

/// The background tasks' shared parts.
#[derive(Clone)]
pub struct Forwarder {
    pub config: Arc<ForwarderConfig>,
    pub store: Arc<dyn Store>,
    pub cipher: Arc<Cipher>,
    pub data_dir: PathBuf,
    pub wake: Arc<Notify>,
    /// To name the site a report came from in what LAPOR! receives.
    pub sites: SharedSites,
    /// One permit per complaint being created, held from its create call until its complaint
    /// id is recorded.
    creates: Arc<Semaphore>,
    client: reqwest::Client,
}

/// Why one attempt did not deliver.
#[derive(Debug)]
enum Failure {
    /// Try again later, with backoff (network, timeouts, 401, 403, 404, 405, 408, 429, 5xx, a
    /// redirect, an unreadable answer to a call that is safe to repeat).
    Transient(String),
    /// LAPOR! refused the report itself (`400`, `422`), or the report cannot be prepared (its
    /// identity cannot be opened, an attachment file is gone): do not retry.
    Permanent(String),
    /// LAPOR! may hold the complaint, but said nothing this gateway can use (a `2xx` without a
    /// complaint id, a `409` without one): never post it again blindly; an operator decides.
    Park(String),
    /// `409` on create: a complaint for this report exists already (an earlier answer was lost).
    Conflict(Option<String>),
}

/// The longest one forwarding attempt can take, each upstream call at most `timeout`: its
/// own three calls (files, complaint, identity) and its wait for a create turn behind the
/// other reports of its batch (`concurrency` reports, `create_concurrency` creates at once,
/// each turn one call and the wait for its record). The PostgreSQL store leases a report for
/// this and a minute (its own records), so that no other instance takes a report whose
/// attempt is still going on.
pub fn attempt_bound(timeout: Duration, concurrency: usize, create_concurrency: usize) -> Duration {
    let turns_waited = ((concurrency.max(1) - 1) / create_concurrency.max(1)) as u32;
    timeout * 3 + (timeout + RECORD_PATIENCE) * turns_waited
}

impl Forwarder {
    pub fn new(
        config: ForwarderConfig,
        store: Arc<dyn Store>,
        cipher: Arc<Cipher>,
        data_dir: PathBuf,
        wake: Arc<Notify>,
        sites: SharedSites,
    ) -> anyhow::Result<Forwarder> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("lapor-gateway/", env!("CARGO_PKG_VERSION")))
            // A redirect would carry the credentials (and, on 307/308, the identity) to
            // whatever host it names: none is followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let creates = Arc::new(Semaphore::new(config.create_concurrency.max(1)));
        Ok(Forwarder {
            creates,
            config: Arc::new(config),
            store,
            cipher,
            data_dir,
            wake,
            sites,
            client,
        })
    }

    /// Runs the forwarder, the status sync and the purge until `stop` turns true.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let forward = tokio::spawn(self.clone().forward_loop(stop.clone()));
        let sync = tokio::spawn(self.clone().status_loop(stop.clone()));
        let purge = tokio::spawn(self.purge_loop(stop));
        let _ = tokio::join!(forward, sync, purge);
    }

    async fn forward_loop(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let store = self.store.clone();
            let limit = self.config.concurrency.max(1);
            let now = crate::unix_now();
            let due = tokio::task::spawn_blocking(move || store.due(now, limit)).await;
            let batch = match due {
                Ok(Ok(batch)) => batch,
                Ok(Err(e)) => {
                    tracing::error!(error = format!("{e:#}"), "outbox read failed");
                    Vec::new()
                }
                Err(_) => Vec::new(),
            };
            if batch.is_empty() {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            // One batch at a time, so that no report is ever in two attempts at once.
            let mut set = tokio::task::JoinSet::new();
            for report in batch {
                set.spawn(self.clone().deliver(report));
            }
            while set.join_next().await.is_some() {}
        }
    }

    /// One attempt for one report, and its outcome recorded.
    async fn deliver(self, report: Outgoing) {
        let id = report.tracking_id.clone();
        let attempts = report.attempts;
        let received_at = report.received_at;
        let outcome = self.attempt(report).await;
        let now = crate::unix_now();
        let store = self.store.clone();
        let too_old = now.saturating_sub(received_at) > self.config.max_age.as_secs() as i64;
        let record = match outcome {
            Ok(()) => Ok(Ok(())),
            Err(Failure::Permanent(reason)) => {
                METRICS.failed();
                tracing::warn!(tracking_id = %id, reason = %reason, "report failed");
                let id = id.clone();
                tokio::task::spawn_blocking(move || store.mark_failed(&id, &reason, now)).await
            }
            Err(Failure::Park(reason)) => {
                METRICS.parked();
                tracing::warn!(tracking_id = %id, reason = %reason,
                    "report parked for an operator: LAPOR! may hold it without saying so");
                let id = id.clone();
                tokio::task::spawn_blocking(move || store.mark_parked(&id, &reason, now)).await
            }
            Err(Failure::Transient(reason)) if too_old => {
                METRICS.failed();
                let reason = format!(
                    "not delivered within {} days; last: {reason}",
                    self.config.max_age.as_secs() / 86_400
                );
                tracing::warn!(tracking_id = %id, reason = %reason, "report failed");
                let id = id.clone();
                tokio::task::spawn_blocking(move || store.mark_failed(&id, &reason, now)).await
            }
            Err(Failure::Transient(reason)) => {
                let delay = backoff(attempts, self.config.retry_base, self.config.retry_max);
                tracing::info!(tracking_id = %id, reason = %reason, attempts = attempts + 1,
                    retry_in_ms = delay.as_millis() as u64, "forwarding failed, will retry");
                // Whole seconds in the table: round up so a short delay is not zero.
                let next = now + delay.as_millis().div_ceil(1000) as i64;
                let id = id.clone();
                tokio::task::spawn_blocking(move || store.schedule_retry(&id, next, &reason)).await
            }
            Err(Failure::Conflict(_)) => {
                METRICS.parked();
                let reason = "HTTP 409 without a complaint id".to_owned();
                tracing::warn!(tracking_id = %id, reason = %reason, "report parked for an operator");
                let id = id.clone();
                tokio::task::spawn_blocking(move || store.mark_parked(&id, &reason, now)).await
            }
        };
        if let Ok(Err(e)) | Err(e) = record.map_err(anyhow::Error::from) {
            tracing::error!(tracking_id = %id, error = format!("{e:#}"), "outbox update failed");
        }
    }

    /// The steps still to do for one report, each recorded as soon as it has succeeded.
    async fn attempt(&self, report: Outgoing) -> Result<(), Failure> {
        let body = report
            .body
            .as_ref()
            .map_err(|e| Failure::Permanent(format!("report cannot be opened: {e}")))?;
        // The identity is opened first: a report whose identity cannot be read must not
        // create a complaint whose follow-up would then never come.
        let identity = match (&report.identity_sealed, report.identity_pending) {
            (Some(sealed), true) => Some(
                Identity::open(sealed, &self.cipher, &report.tracking_id)
                    .map_err(|e| Failure::Permanent(format!("identity cannot be opened: {e}")))?,
            ),
            _ => None,
        };
        let complaint_id = match &report.complaint_id {
            Some(id) => id.clone(),
            None => {
                let docs = self.uploaded(&report).await?;
                // From the create call until its id is recorded, a kill would have this
                // complaint created again: only `create_concurrency` reports are ever in that
                // window. The semaphore is never closed.
                let _creating = self.creates.acquire().await;
                let id = self.create(&report, body, docs).await?;
                tracing::info!(tracking_id = %report.tracking_id, complaint_id = %id,
                    "report forwarded");
                METRICS.forwarded((crate::unix_now() - report.received_at) as f64);
                self.record(&report.tracking_id, {
                    let id = id.clone();
                    move |store, tracking_id, now| store.mark_forwarded(tracking_id, &id, now)
                })
                .await?;
                id
            }
        };
        let Some(identity) = identity else {
            if !report.identity_pending {
                return Ok(());
            }
            // Cannot happen for a report stored by this gateway; never leave it due forever.
            return self
                .record(&report.tracking_id, |store, tracking_id, now| {
                    store.mark_identity_failed(tracking_id, "no identity stored", now)
                })
                .await;
        };
        let tracking_id = &report.tracking_id;
        match self
            .deliver_identity(&report, body, &complaint_id, &identity)
            .await
        {
            Ok(()) => {
                tracing::info!(tracking_id = %tracking_id, "identity delivered as a secret follow-up");
                self.record(tracking_id, |store, tracking_id, now| {
                    store.mark_identity_delivered(tracking_id, now)
                })
                .await
            }
            // The complaint stands; the identity step alone is over, for an operator to see.
            Err(Failure::Permanent(reason)) => {
                tracing::warn!(tracking_id = %tracking_id, reason = %reason,
                    "identity follow-up refused by LAPOR!; the complaint stands without it");
                self.record(tracking_id, move |store, tracking_id, now| {
                    store.mark_identity_failed(tracking_id, &reason, now)
                })
                .await
            }
            Err(transient) => Err(transient),
        }
    }

    /// Records one step's success in the outbox. While the store cannot be reached (its
    /// database restarting), the record is tried again for up to [`RECORD_PATIENCE`]: giving up
    /// would repeat a step LAPOR! has already carried out, and this attempt's lease outlasts
    /// the wait, so no other instance takes the report meanwhile. If it still fails, the step
    /// will be repeated (at-least-once), so the attempt counts as transient.
    async fn record(
        &self,
        tracking_id: &str,
        step: impl Fn(&dyn Store, &str, i64) -> anyhow::Result<()> + Send + Sync + 'static,
    ) -> Result<(), Failure> {
        let step = Arc::new(step);
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(100);
        loop {
            let (store, id, step) = (self.store.clone(), tracking_id.to_owned(), step.clone());
            let done =
                tokio::task::spawn_blocking(move || step(&*store, &id, crate::unix_now())).await;
            match done {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e))
                    if crate::store::unavailable(&e) && started.elapsed() < RECORD_PATIENCE =>
                {
                    tracing::warn!(tracking_id = %tracking_id, error = format!("{e:#}"),
                        "store unavailable; recording the step again shortly");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
                Ok(Err(e)) => {
                    return Err(Failure::Transient(format!("outbox update failed: {e:#}")))
                }
                Err(e) => return Err(Failure::Transient(format!("outbox update failed: {e}"))),
            }
        }
    }

    /// The report's document ids at LAPOR!, its files uploaded unless an earlier attempt did.
    async fn uploaded(&self, report: &Outgoing) -> Result<Vec<String>, Failure> {
        Ok(match report.uploaded_docs.clone() {
            Some(docs) => docs,
            None if report.files.is_empty() => Vec::new(),
            None => {
                let docs = self.upload(report).await?;
                let store = self.store.clone();
                let (id, saved) = (report.tracking_id.clone(), docs.clone());
                let _ =
                    tokio::task::spawn_blocking(move || store.record_uploads(&id, &saved)).await;
                docs
            }
        })
    }

    /// Creates the complaint from its public text alone, naming the uploaded documents.
    async fn create(
        &self,
        report: &Outgoing,
        report_body: &ReportBody,
        docs: Vec<String>,
    ) -> Result<String, Failure> {
        let body = json!({
            "title": report_body.title,
            "content": public_content(report_body, self.site_name(report).as_deref()),
            "classification_id": report_body.classification.lapor_id(),
            "category_id": report_body.category_id,
            "location_id": report_body.location_code,
            "date_of_incident": report_body.incident_date.map(|d| d.to_string()),
            "is_anonymous": report_body.anonymous,
            "is_secret": report_body.secret,
            "attachments": docs,
        });
        let request = self.request(
            reqwest::Method::POST,
            &self.config.create_path,
            &report.tracking_id,
        );
        match send("create", request.json(&body)).await {
            Ok(answer) => answer
                .json
                .as_ref()
                .and_then(|json| json.pointer("/results/complaint_id"))
                .and_then(id_text)
                .ok_or_else(|| {
                    Failure::Park(format!(
                        "HTTP {}: create answer without a complaint id",
                        answer.status.as_u16()
                    ))
                }),
            // The complaint exists already: take its id when LAPOR! gives it.
            Err(Failure::Conflict(Some(id))) => {
                tracing::info!(tracking_id = %report.tracking_id, complaint_id = %id,
                    "LAPOR! already had this report (409): reconciled");
                Ok(id)
            }
            Err(other) => Err(other),
        }
    }

    /// The name of the site a report was filed on, as the registry has it now (its id if the
    /// site has left the registry since).
    fn site_name(&self, report: &Outgoing) -> Option<String> {
        let id = report.site_id.as_deref()?;
        Some(
            self.sites
                .get()
                .by_id(id)
                .map_or_else(|| id.to_owned(), |site| site.name.clone()),
        )
    }

    /// Sends the reporter's identity to the handling agency as a follow-up marked secret.
    async fn deliver_identity(
        &self,
        report: &Outgoing,
        body: &ReportBody,
        complaint_id: &str,
        identity: &Identity,
    ) -> Result<(), Failure> {
        let mut form = reqwest::multipart::Form::new()
            .text("complaint_id", complaint_id.to_owned())
            .text("content", identity_text(identity))
            .text("is_secret", "1");
        if let Some(institution) = &body.institution_id {
            form = form.text("institution_to_id", institution.clone());
        }
        let request = self.request(
            reqwest::Method::POST,
            &self.config.followup_path,
            &report.tracking_id,
        );
        match send("followup", request.multipart(form)).await {
            // A conflict on a follow-up is the same follow-up delivered before.
            Ok(_) | Err(Failure::Conflict(_)) => Ok(()),
            Err(other) => Err(other),
        }
    }

    async fn upload(&self, report: &Outgoing) -> Result<Vec<String>, Failure> {
        let mut form = reqwest::multipart::Form::new();
        // A store that keeps the attachments gives all of a report's in one read.
        let kept = if self.store.keeps_attachments() {
            let store = self.store.clone();
            let id = report.tracking_id.clone();
            match tokio::task::spawn_blocking(move || store.attachments(&id)).await {
                Ok(Ok(kept)) => Some(Arc::new(kept.unwrap_or_default())),
                Ok(Err(e)) => {
                    return Err(Failure::Transient(format!("reading attachments: {e:#}")))
                }
                Err(e) => return Err(Failure::Transient(format!("reading attachments: {e}"))),
            }
        } else {
            None
        };
        for file in &report.files {
            // Reading and decrypting a megabyte is blocking work: off the async workers, which
            // meanwhile serve intake.
            let (stored, data_dir, cipher, id, kept) = (
                file.clone(),
                self.data_dir.clone(),
                self.cipher.clone(),
                report.tracking_id.clone(),
                kept.clone(),
            );
            let bytes = tokio::task::spawn_blocking(move || match kept.as_deref() {
                Some(all) => stored.open_in(all, &cipher, &id),
                None => stored.read(&data_dir, &cipher, &id),
            })
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::UnexpectedEof => {
                    Failure::Permanent(format!("attachment file missing: {e}"))
                }
                std::io::ErrorKind::InvalidData => {
                    Failure::Permanent(format!("attachment cannot be opened: {e}"))
                }
                _ => Failure::Transient(format!("reading attachment: {e}")),
            })?;
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name(file.name.clone())
                .mime_str(&file.mime)
                .map_err(|e| Failure::Permanent(format!("attachment type: {e}")))?;
            form = form.part("attachments[]", part);
        }
        let request = self.request(
            reqwest::Method::POST,
            &self.config.upload_path,
            &report.tracking_id,
        );
        let answer = match send("upload", request.multipart(form)).await {
            // Uploading again is harmless (documents no complaint names are never published).
            Err(Failure::Conflict(_) | Failure::Park(_)) => {
                return Err(Failure::Transient("upload answered 409".into()))
            }
            other => other?,
        };
        let docs: Option<Vec<String>> = answer
            .json
            .as_ref()
            .and_then(|json| json.pointer("/results/docs"))
            .and_then(Value::as_array)
            .map(|docs| {
                docs.iter()
                    .filter_map(|d| d.get("id").and_then(id_text))
                    .collect()
            });
        match docs {
            Some(docs) if docs.len() == report.files.len() => Ok(docs),
            _ => Err(Failure::Transient(
                "upload answer without one doc id per file".into(),
            )),
        }
    }

    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        tracking_id: &str,
    ) -> reqwest::RequestBuilder {
        let url = format!("{}{}", self.config.base_url.trim_end_matches('/'), path);
        self.client
            .request(method, url)
            .header("Authorization", &self.config.credentials.authorization)
            .header("token", &self.config.credentials.token)
            .header("X-Request-Id", tracking_id)
    }

    async fn status_loop(self, mut stop: watch::Receiver<bool>) {
        let every = self.config.status_sync.max(Duration::from_secs(1));
        let tick = every.min(Duration::from_secs(5));
        loop {
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                return;
            }
            let store = self.store.clone();
            let before = crate::unix_now() - every.as_secs() as i64;
            let stale =
                match tokio::task::spawn_blocking(move || store.stale_statuses(before, 50)).await {
                    Ok(Ok(stale)) => stale,
                    _ => continue,
                };
            for (tracking_id, complaint_id) in stale {
                self.sync_one(&tracking_id, &complaint_id).await;
            }
        }
    }

    async fn sync_one(&self, tracking_id: &str, complaint_id: &str) {
        let path = self.config.status_path.replace("{id}", complaint_id);
        let request = self.request(reqwest::Method::GET, &path, tracking_id);
        let mut status = LaporStatus {
            complaint_id: complaint_id.to_owned(),
            status_code: None,
            status_name: None,
            updated_at: None,
        };
        match send("status", request).await {
            Ok(answer) => {
                let field = |name: &str| {
                    answer
                        .json
                        .as_ref()
                        .and_then(|json| json.pointer(&format!("/results/{name}")))
                        .and_then(id_text)
                };
                status.status_code = field("status_code");
                status.status_name = field("status_name");
                status.updated_at = field("updated_at");
            }
            Err(failure) => {
                tracing::info!(tracking_id = %tracking_id, reason = ?failure, "status sync failed");
            }
        }
        // The check time is recorded either way, so one bad complaint does not starve the rest.
        let store = self.store.clone();
        let (id, now) = (tracking_id.to_owned(), crate::unix_now());
        let _ = tokio::task::spawn_blocking(move || store.update_status(&id, &status, now)).await;
    }

    async fn purge_loop(self, mut stop: watch::Receiver<bool>) {
        loop {
            let store = self.store.clone();
            let data_dir = self.data_dir.clone();
            let before = crate::unix_now() - self.config.retention.as_secs() as i64;
            let purged = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
                let due = store.purgeable(before, 500)?;
                for report in &due {
                    for file in report.files.iter().filter(|f| f.on_disk()) {
                        let _ = std::fs::remove_file(data_dir.join(&file.path));
                    }
                    store.mark_purged(&report.tracking_id, crate::unix_now())?;
                }
                Ok(due.len())
            })
            .await;
            match purged {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(reports = n, "personal data purged after retention"),
                Ok(Err(e)) => tracing::error!(error = format!("{e:#}"), "purge failed"),
                Err(_) => {}
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.purge_every) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                return;
            }
        }
    }
}

/// A `2xx` answer: its status and, when it was JSON, its body.
struct Answer {
    status: StatusCode,
    json: Option<Value>,
}

/// Sends a request and sorts the answer: a `2xx` (with its JSON, if any); `400` and `422`
/// permanent; `409` a conflict (with the complaint id LAPOR! names, if any); everything else,
/// a redirect included, transient. `403`, `404` and `405` usually mean a WAF or a moved path,
/// not a bad report: they are retried, with a warning for the operator.
async fn send(call: &'static str, request: reqwest::RequestBuilder) -> Result<Answer, Failure> {
    let response = request.send().await.map_err(|e| {
        METRICS.upstream(call, "network");
        Failure::Transient(format!("network: {}", without_url(&e)))
    })?;
    let status = response.status();
    METRICS.upstream(call, status.as_str());
    let text = response
        .text()
        .await
        .map_err(|e| Failure::Transient(format!("reading answer: {}", without_url(&e))))?;
    if status.is_success() {
        return Ok(Answer {
            status,
            json: serde_json::from_str(&text).ok(),
        });
    }
    let reason = refusal_reason(status, &text);
    match status {
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            Err(Failure::Permanent(reason))
        }
        StatusCode::CONFLICT => Err(Failure::Conflict(
            serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.pointer("/results/complaint_id").and_then(id_text)),
        )),
        s if s.is_redirection() => {
            tracing::warn!(
                status = s.as_u16(),
                "LAPOR! answered a redirect; not followed (check --upstream-url)"
            );
            Err(Failure::Transient(format!(
                "HTTP {}: redirect not followed",
                s.as_u16()
            )))
        }
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => {
            tracing::warn!(
                status = status.as_u16(),
                "LAPOR! refused the call's path or origin; retrying (check the upstream flags)"
            );
            Err(Failure::Transient(reason))
        }
        _ => Err(Failure::Transient(reason)),
    }
}

fn without_url(e: &reqwest::Error) -> String {
    // The URL holds no personal data, but the error text is shorter without it.
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "");
    }
    text
}

/// `HTTP 422: <error>: <message>`, from LAPOR!'s error body when it has one, bounded in length.
fn refusal_reason(status: StatusCode, body: &str) -> String {
    let detail = serde_json::from_str::<Value>(body)
        .ok()
        .map(|v| {
            let part = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            format!("{}: {}", part("error"), part("message"))
        })
        .unwrap_or_default();
    let mut reason = format!("HTTP {}: {}", status.as_u16(), detail);
    if reason.len() > 500 {
        let mut cut = 500;
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        reason.truncate(cut);
    }
    reason
}

/// An id LAPOR! gives as a string or as a number.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The complaint's text as LAPOR! may publish it: the citizen's content, the location detail
/// and the site it was filed on. Never anything of the reporter's identity (see
/// [`identity_text`]).
fn public_content(report: &ReportBody, site: Option<&str>) -> String {
    let mut content = report.content.clone();
    if let Some(detail) = &report.location_detail {
        content.push_str(&format!("\n\nLokasi / Location: {detail}"));
    }
    if let Some(site) = site {
        content.push_str(&format!("\n\nDikirim melalui / Sent via: {site}"));
    }
    content
}

/// The secret follow-up's text: who the reporter is, for the handling agency only.
fn identity_text(who: &Identity) -> String {
    let mut text = String::from(
        "Identitas pelapor (rahasia, hanya untuk instansi penanganan) / \
         Reporter's identity (secret, for the handling agency only)\n",
    );
    text.push_str(&format!("Nama / Name: {}", who.name));
    if let Some(nik) = &who.nik {
        text.push_str(&format!("\nNIK: {nik}"));
    }
    text.push_str(&format!("\nTelepon / Phone: {}", who.phone));
    if let Some(email) = &who.email {
        text.push_str(&format!("\nEmail: {email}"));
    }
    text
}

/// Exponential backoff with "equal jitter": half the doubled delay fixed, half random, so that
/// reports failing together do not retry together.
pub fn backoff(attempts: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempts.min(20)).min(max);
    let half = exp / 2;
    let mut random = [0u8; 8];
    let fraction = match getrandom::fill(&mut random) {
        Ok(()) => u64::from_le_bytes(random) as f64 / u64::MAX as f64,
        Err(_) => 0.5,
    };
    half + half.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_is_bounded_with_its_wait_for_a_create_turn() {
        let call = Duration::from_secs(30);
        // Alone, or creating with every report of its batch: its own three calls.
        assert_eq!(attempt_bound(call, 1, 1), call * 3);
        assert_eq!(attempt_bound(call, 32, 32), call * 3);
        // The last of 8 reports behind one create at a time waits 7 turns of a call and a
        // record each; the last of 32 behind 8 at a time, 3.
        assert_eq!(
            attempt_bound(call, 8, 1),
            call * 3 + (call + RECORD_PATIENCE) * 7
        );
        assert_eq!(
            attempt_bound(call, 32, 8),
            call * 3 + (call + RECORD_PATIENCE) * 3
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(500);
        let max = Duration::from_secs(300);
        for attempts in 0..40 {
            let d = backoff(attempts, base, max);
            let exp = base.saturating_mul(1u32 << attempts.min(20)).min(max);
            assert!(d >= exp / 2 && d <= exp, "{attempts}: {d:?}");
        }
        assert!(backoff(30, base, max) <= max);
    }

    #[test]
    fn refusal_reason_is_kept_and_bounded() {
        let r = refusal_reason(
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"{"error":"invalid","message":"location_id unknown"}"#,
        );
        assert_eq!(r, "HTTP 422: invalid: location_id unknown");
        assert!(refusal_reason(StatusCode::BAD_REQUEST, &"x".repeat(2000)).len() <= 500);
    }

    #[test]
    fn ids_as_text_or_number() {
        assert_eq!(id_text(&json!("C-1")), Some("C-1".into()));
        assert_eq!(id_text(&json!(42)), Some("42".into()));
        assert_eq!(id_text(&json!(null)), None);
    }
}

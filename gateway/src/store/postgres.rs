//! The PostgreSQL store: several gateway instances on one database, sharing no disk.
//!
//! - Reports, the outbox and the attachments (one row per report in `attachments`, sealed as
//!   the SQLite store's files are) live in the database. A report and its attachments are
//!   one transaction, committed with `synchronous_commit = on` before `insert` returns.
//! - Idempotency across instances rests on the unique `idempotency_key`: of two inserts with
//!   the same key, one wins and the other gets the report stored first.
//! - The forwarder and the status sync take work with leases: `due` and `stale_statuses`
//!   take rows with `FOR UPDATE SKIP LOCKED` and stamp a lease time on them, longer than the
//!   upstream calls of one attempt can take, so no report is in two instances' attempts at
//!   once; the step that ends an attempt releases the lease. An instance that dies leaves its
//!   leases to expire, and another instance takes the work then; restarted on its data
//!   directory (whose lock proves the one before it is gone) it takes its leases back at once. The outbox is a plain table
//!   with leases, not a queue library's: its states (parked, failed, the identity follow-up
//!   still pending) are the gateway's own, and both stores share them.
//! - Versioned migrations (`schema_migrations`) run at start, one instance at a time.
//!
//! The client is rust-postgres' synchronous one behind an r2d2 pool: the [`Store`] methods are
//! blocking and run in `spawn_blocking`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use r2d2_postgres::postgres::{self, Row};
use r2d2_postgres::{r2d2, PostgresConnectionManager};

use lapor_core::Classification;

use crate::crypto::{blob_key_id, Cipher};

use super::pg_connect::{self, MakeRustlsConnect};

use super::{
    parse_key_id, Inserted, KeyState, LaporStatus, NewReport, OutboxEntry, Outgoing, Prior,
    Purgeable, Receipt, ReportBody, Status, Store, StoredFile, StoredReport,
};

/// What [`PgStore::open`] does with the leases held under this instance's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leases {
    /// Releases them: this process is the instance now (`serve`).
    TakeBack,
    /// Leaves them (an operator command beside a running gateway).
    Leave,
}

/// How long the work an instance takes stays its own.
#[derive(Debug, Clone, Copy)]
pub struct LeaseTimes {
    /// One upstream call's timeout: the status sync's lease is one per report it takes.
    pub upstream_call: Duration,
    /// The longest one forwarding attempt can take ([`crate::forwarder::attempt_bound`]):
    /// a report is leased for this and a minute.
    pub attempt: Duration,
}

impl LeaseTimes {
    /// For an operator command, which forwards nothing: `serve`'s default timeout (30 s)
    /// for one call and three for an attempt.
    pub fn for_command() -> LeaseTimes {
        LeaseTimes {
            upstream_call: Duration::from_secs(30),
            attempt: Duration::from_secs(90),
        }
    }
}

type Pool = r2d2::Pool<PostgresConnectionManager<MakeRustlsConnect>>;
type Client = r2d2::PooledConnection<PostgresConnectionManager<MakeRustlsConnect>>;

/// Connections per instance: the forwarder's attempts and the requests being stored.
const POOL_SIZE: u32 = 16;

/// The schema, one step per version, applied in order and recorded in `schema_migrations`.
/// A released step is never edited: a change is a new step.
const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    "CREATE TABLE reports (
        tracking_id         TEXT PRIMARY KEY,
        idempotency_key     TEXT NOT NULL UNIQUE,
        fingerprint         TEXT NOT NULL,
        received_at         BIGINT NOT NULL,
        site_id             TEXT,
        classification      TEXT NOT NULL,
        -- The citizen's words, sealed (NULL once purged).
        title               BYTEA,
        content             BYTEA,
        incident_date       TEXT,
        location_code       TEXT NOT NULL,
        location_detail     BYTEA,
        institution_id      TEXT,
        category_id         TEXT,
        anonymous           BOOLEAN NOT NULL,
        secret              BOOLEAN NOT NULL,
        lang                TEXT NOT NULL,
        -- The reporter's identity, sealed (NULL once purged).
        identity            BYTEA,
        files               TEXT NOT NULL,
        status              TEXT NOT NULL,
        identity_state      TEXT,
        attempts            INTEGER NOT NULL DEFAULT 0,
        next_attempt_at     BIGINT NOT NULL,
        -- Until when an instance's forwarder holds the report (NULL: nobody), and which.
        locked_until        BIGINT,
        locked_by           TEXT,
        last_error          TEXT,
        uploaded_docs       TEXT,
        complaint_id        TEXT,
        forwarded_at        BIGINT,
        finished_at         BIGINT,
        status_code         TEXT,
        status_name         TEXT,
        status_updated_at   TEXT,
        status_checked_at   BIGINT,
        -- Until when an instance's status sync holds the report, and which.
        status_locked_until BIGINT,
        status_locked_by    TEXT,
        first_status_at     BIGINT,
        purged_at           BIGINT
    );
    CREATE INDEX reports_due ON reports (status, next_attempt_at);
    -- The sealed attachments of one report, as the SQLite store's one file per report holds
    -- them. Sealed bytes do not compress: stored out of line without trying.
    CREATE TABLE attachments (
        tracking_id TEXT PRIMARY KEY REFERENCES reports (tracking_id) ON DELETE CASCADE,
        sealed      BYTEA NOT NULL
    );
    ALTER TABLE attachments ALTER COLUMN sealed SET STORAGE EXTERNAL;
    CREATE TABLE meta (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
)];

/// Any number that the gateway's instances agree on: the advisory lock that lets one of them
/// migrate at a time.
const MIGRATION_LOCK: i64 = 0x4c41_504f_5221;

/// The columns of a [`ReportBody`], in the order [`body_from_row`] reads them.
macro_rules! body_columns {
    () => {
        "classification, title, content, incident_date, location_code, location_detail,
         institution_id, category_id, anonymous, secret, lang"
    };
}

/// PostgreSQL implementation of [`Store`].
pub struct PgStore {
    pool: Connections,
    cipher: Arc<Cipher>,
    /// How long (seconds) a forwarding attempt may hold a report.
    lease_secs: i64,
    /// Who holds a lease: this instance's id (see [`PgStore::open`]).
    instance: String,
    /// One upstream call's timeout (seconds): the status sync's lease is one per report taken.
    timeout_secs: i64,
}

/// The pool. Every connection of the synchronous client owns a small runtime, which must not
/// be dropped on an async worker thread: the pool is dropped on a thread of its own.
struct Connections(Option<Pool>);

impl Connections {
    fn get(&self) -> anyhow::Result<Client> {
        let pool = self.0.as_ref().context("store closed")?;
        pool.get().context("no PostgreSQL connection")
    }
}

impl Drop for Connections {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

impl PgStore {
    /// Connects to `url`, brings the schema up to date, reads which key the database's
    /// sealed records expect and asks `cipher` for the key to use (which checks it), then
    /// records that key. `times` bounds one upstream call and one forwarding attempt: the
    /// leases outlast them.
    ///
    /// `instance` names this instance in its leases. `Leases::TakeBack`: the leases of that
    /// name are this process's now (the gateway holds its data directory's lock, so the
    /// process that held them is gone) and are released; an operator command leaves them.
    pub fn open(
        url: &str,
        times: LeaseTimes,
        instance: &str,
        leases: Leases,
        cipher: impl FnOnce(&KeyState) -> anyhow::Result<Arc<Cipher>>,
    ) -> anyhow::Result<PgStore> {
        // The URL is never part of a message: it may hold a password.
        let connect = pg_connect::parse(url)?;
        if !connect.encrypted && !connect.is_local() {
            tracing::warn!(
                "the connection to PostgreSQL is not encrypted: on a network others share, add \
                 sslmode=verify-full (and sslrootcert=/path/ca.pem) to --database-url"
            );
        }
        let mut config = connect.config;
        config.application_name("lapor-gateway");
        // A first connection of its own, so that a refusal (TLS, authentication) is told with
        // its cause: the pool's error keeps only the first line of it.
        config
            .connect(connect.tls.clone())
            .context("connecting to PostgreSQL")?;
        let manager = PostgresConnectionManager::new(config, connect.tls);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            // While the database is away a request waits this long, then is answered 503.
            .connection_timeout(Duration::from_secs(3))
            .build(manager)
            .context("connecting to PostgreSQL")?;
        let pool = Connections(Some(pool));
        let timeout_secs = times.upstream_call.as_secs().max(1) as i64;
        let cipher = {
            let mut client = pool.get()?;
            migrate(&mut client)?;
            let cipher = cipher(&key_state(&mut client)?)?;
            record_key(&mut client, &cipher)?;
            if leases == Leases::TakeBack {
                let mut tx = client.transaction()?;
                let forwarding = tx.execute(
                    "UPDATE reports SET locked_until = NULL, locked_by = NULL
                     WHERE locked_by = $1",
                    &[&instance],
                )?;
                tx.execute(
                    "UPDATE reports SET status_locked_until = NULL, status_locked_by = NULL
                     WHERE status_locked_by = $1",
                    &[&instance],
                )?;
                tx.commit()?;
                if forwarding > 0 {
                    tracing::info!(
                        reports = forwarding,
                        "leases of this instance's earlier run taken back"
                    );
                }
            }
            cipher
        };
        Ok(PgStore {
            pool,
            cipher,
            lease_secs: times.attempt.as_secs() as i64 + 60,
            instance: instance.to_owned(),
            timeout_secs,
        })
    }

    /// Writes reports read out of another store ([`StoredReport`]s whose attachments are
    /// kept, see [`StoredReport::attachments`]) as they are, in one transaction: all of them
    /// or none. A report whose tracking id or idempotency key is already here is left out.
    /// Returns which were written.
    pub fn import(&self, reports: &[StoredReport]) -> anyhow::Result<HashSet<String>> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        tx.batch_execute("SET LOCAL synchronous_commit = on")?;
        let mut written = HashSet::new();
        for r in reports {
            anyhow::ensure!(
                r.files.iter().all(|f| !f.on_disk()),
                "{}: attachments still on disk",
                r.tracking_id
            );
            let files = serde_json::to_string(&r.files)?;
            let attempts = i32::try_from(r.attempts).unwrap_or(i32::MAX);
            let stored = tx.execute(
                "INSERT INTO reports (tracking_id, idempotency_key, fingerprint, received_at,
                    site_id, classification, title, content, location_detail, incident_date,
                    location_code, institution_id, category_id, anonymous, secret, lang,
                    identity, files, status, identity_state, attempts, next_attempt_at,
                    last_error, uploaded_docs, complaint_id, forwarded_at, finished_at,
                    status_code, status_name, status_updated_at, status_checked_at,
                    first_status_at, purged_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31,
                    $32, $33)
                 ON CONFLICT DO NOTHING",
                &[
                    &r.tracking_id,
                    &r.idempotency_key,
                    &r.fingerprint,
                    &r.received_at,
                    &r.site_id,
                    &r.classification,
                    &r.title,
                    &r.content,
                    &r.location_detail,
                    &r.incident_date,
                    &r.location_code,
                    &r.institution_id,
                    &r.category_id,
                    &r.anonymous,
                    &r.secret,
                    &r.lang,
                    &r.identity,
                    &files,
                    &r.status,
                    &r.identity_state,
                    &attempts,
                    &r.next_attempt_at,
                    &r.last_error,
                    &r.uploaded_docs,
                    &r.complaint_id,
                    &r.forwarded_at,
                    &r.finished_at,
                    &r.status_code,
                    &r.status_name,
                    &r.status_updated_at,
                    &r.status_checked_at,
                    &r.first_status_at,
                    &r.purged_at,
                ],
            )?;
            if stored == 0 {
                continue;
            }
            if let Some(sealed) = r.attachments.as_ref().filter(|a| !a.is_empty()) {
                tx.execute(
                    "INSERT INTO attachments (tracking_id, sealed) VALUES ($1, $2)",
                    &[&r.tracking_id, sealed],
                )?;
            }
            written.insert(r.tracking_id.clone());
        }
        tx.commit()?;
        Ok(written)
    }

    /// Re-seals every sealed record (identity, title, content, location detail) and every
    /// report's attachments with `new`, opening them with this store's keys, a transaction
    /// per batch of reports, then records `new` as the database's key. What is already under
    /// `new` is left as it is, so a rotation that stopped half-way can be run again. No
    /// gateway instance may run on the database meanwhile. Returns (reports, attachments)
    /// re-sealed.
    pub fn reseal(&self, new: &Cipher) -> anyhow::Result<(usize, usize)> {
        let new_id = new.key_id();
        let ids: Vec<String> = self
            .client()?
            .query("SELECT tracking_id FROM reports ORDER BY tracking_id", &[])?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let (mut reports, mut files_done) = (0, 0);
        for chunk in ids.chunks(100) {
            let mut client = self.client()?;
            let mut tx = client.transaction()?;
            for tracking_id in chunk {
                let row = tx.query_one(
                    "SELECT r.identity, r.title, r.content, r.location_detail, r.files, a.sealed
                     FROM reports r LEFT JOIN attachments a USING (tracking_id)
                     WHERE r.tracking_id = $1 FOR UPDATE OF r",
                    &[tracking_id],
                )?;
                let stale = |blob: &Vec<u8>| blob_key_id(blob) != Some(new_id);
                let identity: Option<Vec<u8>> = row.get(0);
                if let Some(blob) = identity.filter(stale) {
                    let aad = tracking_id.as_bytes();
                    let plain = self
                        .cipher
                        .open(&blob, aad)
                        .map_err(|e| anyhow::anyhow!("{tracking_id}: identity {e}"))?;
                    tx.execute(
                        "UPDATE reports SET identity = $2 WHERE tracking_id = $1",
                        &[tracking_id, &new.seal(&plain, aad)?],
                    )?;
                }
                for (index, column) in [(1, "title"), (2, "content"), (3, "location_detail")] {
                    let sealed: Option<Vec<u8>> = row.get(index);
                    let Some(blob) = sealed.filter(stale) else {
                        continue;
                    };
                    let aad = words_aad(tracking_id, column);
                    let plain = self
                        .cipher
                        .open(&blob, aad.as_bytes())
                        .map_err(|e| anyhow::anyhow!("{tracking_id}: {column} {e}"))?;
                    tx.execute(
                        &format!("UPDATE reports SET {column} = $2 WHERE tracking_id = $1"),
                        &[tracking_id, &new.seal(&plain, aad.as_bytes())?],
                    )?;
                }
                let files = files_from_json(&row.get::<_, String>(4));
                if let Some(mut all) = row.get::<_, Option<Vec<u8>>>(5) {
                    let done = reseal_kept(tracking_id, &files, &mut all, &self.cipher, new)?;
                    if done > 0 {
                        tx.execute(
                            "UPDATE attachments SET sealed = $2 WHERE tracking_id = $1",
                            &[tracking_id, &all],
                        )?;
                        files_done += done;
                    }
                }
                reports += 1;
            }
            tx.commit()?;
        }
        self.execute(
            "INSERT INTO meta (name, value) VALUES ('key_id', $1)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            &[&crate::crypto::hex(&new_id)],
        )?;
        Ok((reports, files_done))
    }

    /// Which key the database at `url` expects, read without recording any (nothing when it
    /// holds no gateway schema yet).
    pub fn key_state_at(url: &str) -> anyhow::Result<KeyState> {
        let connect = pg_connect::parse(url)?;
        let mut client = connect
            .config
            .connect(connect.tls)
            .context("connecting to PostgreSQL")?;
        let schema: bool = client
            .query_one(
                "SELECT to_regclass('meta') IS NOT NULL AND to_regclass('reports') IS NOT NULL",
                &[],
            )?
            .get(0);
        if !schema {
            return Ok(KeyState::default());
        }
        key_state(&mut client)
    }

    /// Which of `tracking_ids` the database holds.
    pub fn present(&self, tracking_ids: &[String]) -> anyhow::Result<HashSet<String>> {
        Ok(self
            .client()?
            .query(
                "SELECT tracking_id FROM reports WHERE tracking_id = ANY($1)",
                &[&tracking_ids],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect())
    }

    /// The bytes of the attachments the database holds for `tracking_ids`, summed.
    pub fn attachment_bytes(&self, tracking_ids: &[String]) -> anyhow::Result<u64> {
        let n: i64 = self
            .client()?
            .query_one(
                "SELECT COALESCE(sum(octet_length(sealed)), 0)::bigint FROM attachments
                 WHERE tracking_id = ANY($1)",
                &[&tracking_ids],
            )?
            .get(0);
        Ok(n.max(0) as u64)
    }

    fn client(&self) -> anyhow::Result<Client> {
        self.pool.get()
    }

    fn seal_words(
        &self,
        tracking_id: &str,
        column: &str,
        plain: Option<&str>,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        plain
            .map(|text| {
                let aad = words_aad(tracking_id, column);
                self.cipher.seal(text.as_bytes(), aad.as_bytes())
            })
            .transpose()
    }

    /// Runs `sql` with `params` and answers how many rows it changed.
    fn execute(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> anyhow::Result<u64> {
        Ok(self.client()?.execute(sql, params)?)
    }
}

/// Re-seals a report's kept attachments (`all`, laid out as [`StoredFile`]s say) with `new`
/// where they lie: each the same length, so every offset stays. Returns how many were
/// re-sealed: 0 when there are none, or they are under `new` already.
fn reseal_kept(
    tracking_id: &str,
    files: &[StoredFile],
    all: &mut [u8],
    old: &Cipher,
    new: &Cipher,
) -> anyhow::Result<usize> {
    let Some(first) = files.first() else {
        return Ok(0);
    };
    anyhow::ensure!(
        files.iter().all(|f| !f.on_disk() && f.sealed),
        "{tracking_id}: attachments in a layout this version does not re-seal"
    );
    let start = usize::try_from(first.offset)?;
    let head = all
        .get(start..start + 1 + crate::crypto::KEY_ID_LEN)
        .with_context(|| format!("{tracking_id}: attachments cut short"))?;
    if crate::crypto::head_key_id(head) == Some(new.key_id()) {
        // Already re-sealed by a rotation that stopped half-way.
        return Ok(0);
    }
    for file in files {
        let start = usize::try_from(file.offset)?;
        let end = start + usize::try_from(file.stored_len())?;
        let blob = all
            .get(start..end)
            .with_context(|| format!("{tracking_id}: attachments cut short"))?;
        let aad = StoredFile::aad(tracking_id, file.offset);
        let mut plain = old
            .open(blob, &aad)
            .map_err(|e| anyhow::anyhow!("{tracking_id}: attachment {e}"))?;
        // Sealed as intake seals files: the same length.
        let (head, tag) = new.seal_in_place(&mut plain, &aad)?;
        anyhow::ensure!(head.len() + plain.len() + tag.len() == end - start);
        let out = &mut all[start..end];
        out[..head.len()].copy_from_slice(&head);
        out[head.len()..head.len() + plain.len()].copy_from_slice(&plain);
        out[head.len() + plain.len()..].copy_from_slice(&tag);
    }
    Ok(files.len())
}

/// Whether `error` comes from a database that cannot be reached now: no connection to be had
/// from the pool, a connection that broke, or the server refusing connections or shutting
/// down (SQLSTATE class 08, 57P01–57P03, 53300).
pub(crate) fn unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        if cause.downcast_ref::<r2d2::Error>().is_some() {
            return true;
        }
        let Some(e) = cause.downcast_ref::<postgres::Error>() else {
            return false;
        };
        match e.as_db_error() {
            Some(db) => {
                let code = db.code().code();
                code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
            }
            None => {
                e.is_closed()
                    || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
            }
        }
    })
}

/// Which key the database's sealed records expect.
fn key_state(client: &mut postgres::Client) -> anyhow::Result<KeyState> {
    let recorded = client
        .query_opt("SELECT value FROM meta WHERE name = 'key_id'", &[])?
        .map(|row| row.get::<_, String>(0));
    let sample = client
        .query_opt(
            "SELECT tracking_id, identity FROM reports WHERE identity IS NOT NULL LIMIT 1",
            &[],
        )?
        .map(|row| (row.get(0), row.get(1)));
    Ok(KeyState {
        recorded: recorded.and_then(|hex| parse_key_id(&hex)),
        sample,
    })
}

/// Records the key the records are sealed with, unless another instance recorded one first:
/// then that one must be this one (instances starting together on an empty database).
fn record_key(client: &mut postgres::Client, cipher: &Cipher) -> anyhow::Result<()> {
    let ours = crate::crypto::hex(&cipher.key_id());
    client.execute(
        "INSERT INTO meta (name, value) VALUES ('key_id', $1) ON CONFLICT (name) DO NOTHING",
        &[&ours],
    )?;
    let recorded: String = client
        .query_one("SELECT value FROM meta WHERE name = 'key_id'", &[])?
        .get(0);
    anyhow::ensure!(
        recorded == ours,
        "the database's records are sealed with key {recorded}, not with the key given ({}); \
         every instance needs the same key",
        cipher.fingerprint()
    );
    Ok(())
}

/// What sealed words are bound to: their report and their column.
fn words_aad(tracking_id: &str, column: &str) -> String {
    format!("{tracking_id}/{column}")
}

/// Applies the steps of [`MIGRATIONS`] the database has not seen, in one transaction, under
/// an advisory lock so that instances starting together migrate one after the other.
fn migrate(client: &mut postgres::Client) -> anyhow::Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at BIGINT NOT NULL
        )",
    )?;
    let applied: HashSet<i32> = tx
        .query("SELECT version FROM schema_migrations", &[])?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let newest = MIGRATIONS.last().map_or(0, |(version, _)| *version);
    if let Some(unknown) = applied.iter().find(|v| **v > newest) {
        anyhow::bail!(
            "the database has schema version {unknown}, newer than this gateway's ({newest}): \
             run the newer gateway"
        );
    }
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch_execute(sql)
            .with_context(|| format!("schema migration {version}"))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[version, &crate::unix_now()],
        )?;
        tracing::info!(version, "database schema migrated");
    }
    tx.commit()?;
    Ok(())
}

fn find_prior(
    client: &mut impl postgres::GenericClient,
    idempotency_key: &str,
) -> anyhow::Result<Option<Prior>> {
    Ok(client
        .query_opt(
            "SELECT tracking_id, fingerprint FROM reports WHERE idempotency_key = $1",
            &[&idempotency_key],
        )?
        .map(|row| Prior {
            tracking_id: row.get(0),
            fingerprint: row.get(1),
        }))
}

/// Reads the [`body_columns`] that start at column `first` of a row. The outer error is a
/// value this gateway never writes; the inner one, sealed words that do not open.
fn body_from_row(
    row: &Row,
    first: usize,
    cipher: &Cipher,
    tracking_id: &str,
) -> anyhow::Result<Result<ReportBody, String>> {
    super::body_from(
        &SealedRow {
            row,
            cipher,
            tracking_id,
        },
        first,
    )
}

/// A row of `reports` with what opens its sealed words.
struct SealedRow<'a> {
    row: &'a Row,
    cipher: &'a Cipher,
    tracking_id: &'a str,
}

impl super::BodyRow for SealedRow<'_> {
    type Error = anyhow::Error;

    fn text(&self, index: usize) -> anyhow::Result<String> {
        Ok(self.row.try_get(index)?)
    }

    fn optional_text(&self, index: usize) -> anyhow::Result<Option<String>> {
        Ok(self.row.try_get(index)?)
    }

    fn flag(&self, index: usize) -> anyhow::Result<bool> {
        Ok(self.row.try_get(index)?)
    }

    fn words(&self, index: usize, column: &str) -> Result<Option<String>, String> {
        let sealed: Option<Vec<u8>> = self.row.try_get(index).map_err(|e| e.to_string())?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let plain = self
            .cipher
            .open(&sealed, words_aad(self.tracking_id, column).as_bytes())
            .map_err(|e| format!("{column} {e}"))?;
        String::from_utf8(plain)
            .map(Some)
            .map_err(|_| format!("{column} is not text"))
    }

    fn not_stored(&self, index: usize) -> anyhow::Error {
        anyhow::anyhow!("column {index}: not a value this gateway stores")
    }
}

fn files_from_json(text: &str) -> Vec<StoredFile> {
    serde_json::from_str(text).unwrap_or_default()
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

impl Store for PgStore {
    fn prior(&self, idempotency_key: &str) -> anyhow::Result<Option<Prior>> {
        find_prior(&mut *self.client()?, idempotency_key)
    }

    fn insert(&self, r: &NewReport) -> anyhow::Result<Inserted> {
        let b = &r.body;
        let title = self.seal_words(&r.tracking_id, "title", Some(&b.title))?;
        let content = self.seal_words(&r.tracking_id, "content", Some(&b.content))?;
        let detail = self.seal_words(
            &r.tracking_id,
            "location_detail",
            b.location_detail.as_deref(),
        )?;
        let files = serde_json::to_string(&r.files)?;
        let incident_date = b.incident_date.map(|d| d.to_string());
        let identity_state = (!b.anonymous).then_some("pending");
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        // The durability promise: COMMIT returns once the WAL is flushed (and, with a
        // synchronous standby configured, once the standby has it), whatever the server's
        // default says.
        tx.batch_execute("SET LOCAL synchronous_commit = on")?;
        let stored = tx.execute(
            concat!(
                "INSERT INTO reports (tracking_id, idempotency_key, fingerprint, received_at, ",
                "site_id, identity, files, identity_state, status, next_attempt_at, ",
                body_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $4,
                    $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                 ON CONFLICT (idempotency_key) DO NOTHING"
            ),
            &[
                &r.tracking_id,
                &r.idempotency_key,
                &r.fingerprint,
                &r.received_at,
                &r.site_id,
                &r.identity_sealed,
                &files,
                &identity_state,
                &b.classification.as_str(),
                &title,
                &content,
                &incident_date,
                &b.location_code,
                &detail,
                &b.institution_id,
                &b.category_id,
                &b.anonymous,
                &b.secret,
                &b.lang.as_str(),
            ],
        )?;
        if stored == 0 {
            // Another request with this key committed first (it may be on another instance:
            // the insert waited for its transaction, so its row is visible now).
            let prior = find_prior(&mut tx, &r.idempotency_key)?
                .context("idempotency key taken, but no report stored under it")?;
            return Ok(Inserted::KeyTaken(prior));
        }
        if !r.attachments.is_empty() {
            tx.execute(
                "INSERT INTO attachments (tracking_id, sealed) VALUES ($1, $2)",
                &[&r.tracking_id, &r.attachments],
            )?;
        }
        tx.commit()?;
        Ok(Inserted::New)
    }

    fn receipt(&self, tracking_id: &str) -> anyhow::Result<Option<Receipt>> {
        let row = self.client()?.query_opt(
            "SELECT tracking_id, classification, received_at, status, complaint_id,
                    status_code, status_name, status_updated_at
             FROM reports WHERE tracking_id = $1",
            &[&tracking_id],
        )?;
        let Some(row) = row else {
            return Ok(None);
        };
        let classification: String = row.try_get(1)?;
        let status: String = row.try_get(3)?;
        let complaint_id: Option<String> = row.try_get(4)?;
        Ok(Some(Receipt {
            tracking_id: row.try_get(0)?,
            classification: Classification::parse(&classification)
                .context("a classification this gateway does not store")?,
            received_at: row.try_get(2)?,
            status: Status::parse(&status).unwrap_or(Status::Received),
            lapor: match complaint_id {
                Some(complaint_id) => Some(LaporStatus {
                    complaint_id,
                    status_code: row.try_get(5)?,
                    status_name: row.try_get(6)?,
                    updated_at: row.try_get(7)?,
                }),
                None => None,
            },
        }))
    }

    fn due(&self, now: i64, limit: usize) -> anyhow::Result<Vec<Outgoing>> {
        // Taken and leased in one statement (one transaction): another instance skips these
        // rows now, and passes them by until the lease is over.
        let rows = self.client()?.query(
            concat!(
                "UPDATE reports r SET locked_until = $3, locked_by = $4
                 FROM (SELECT tracking_id FROM reports
                       WHERE (status = 'received'
                              OR (status = 'forwarded' AND identity_state = 'pending'))
                         AND next_attempt_at <= $1 AND COALESCE(locked_until, 0) <= $1
                       ORDER BY next_attempt_at LIMIT $2
                       FOR UPDATE SKIP LOCKED) taken
                 WHERE r.tracking_id = taken.tracking_id
                 RETURNING r.tracking_id, identity, files, uploaded_docs, attempts, complaint_id,
                    COALESCE(identity_state = 'pending', false), received_at, site_id,
                    next_attempt_at, ",
                body_columns!()
            ),
            &[
                &now,
                &(limit as i64),
                &(now + self.lease_secs),
                &self.instance,
            ],
        )?;
        let mut due = rows
            .iter()
            .map(|row| {
                let tracking_id: String = row.try_get(0)?;
                let files: String = row.try_get(2)?;
                let docs: Option<String> = row.try_get(3)?;
                let next: i64 = row.try_get(9)?;
                let outgoing = Outgoing {
                    body: body_from_row(row, 10, &self.cipher, &tracking_id)?,
                    identity_sealed: row.try_get(1)?,
                    files: files_from_json(&files),
                    uploaded_docs: docs.and_then(|d| serde_json::from_str(&d).ok()),
                    attempts: count(i64::from(row.try_get::<_, i32>(4)?)),
                    complaint_id: row.try_get(5)?,
                    identity_pending: row.try_get(6)?,
                    received_at: row.try_get(7)?,
                    site_id: row.try_get(8)?,
                    tracking_id,
                };
                Ok((next, outgoing))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        due.sort_by_key(|(next, _)| *next);
        Ok(due.into_iter().map(|(_, outgoing)| outgoing).collect())
    }

    fn record_uploads(&self, tracking_id: &str, doc_ids: &[String]) -> anyhow::Result<()> {
        self.execute(
            "UPDATE reports SET uploaded_docs = $2 WHERE tracking_id = $1",
            &[&tracking_id, &serde_json::to_string(doc_ids)?],
        )?;
        Ok(())
    }

    fn mark_forwarded(
        &self,
        tracking_id: &str,
        complaint_id: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        // The identity step, when there is one, is due at once and counts its own attempts;
        // the attempt goes on to it, so it keeps its lease.
        self.execute(
            "UPDATE reports SET status = 'forwarded', complaint_id = $2, forwarded_at = $3,
                finished_at = CASE WHEN identity_state = 'pending' THEN NULL ELSE $3::bigint END,
                last_error = NULL, next_attempt_at = $3,
                attempts = CASE WHEN identity_state = 'pending' THEN 0 ELSE attempts + 1 END,
                locked_until = CASE WHEN identity_state = 'pending' THEN locked_until END
             WHERE tracking_id = $1",
            &[&tracking_id, &complaint_id, &now],
        )?;
        Ok(())
    }

    fn mark_parked(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<()> {
        self.execute(
            "UPDATE reports SET status = 'parked', attempts = attempts + 1, last_error = $2,
                next_attempt_at = $3, locked_until = NULL
             WHERE tracking_id = $1",
            &[&tracking_id, &reason, &now],
        )?;
        Ok(())
    }

    fn outbox(&self, all: bool, limit: usize) -> anyhow::Result<Vec<OutboxEntry>> {
        let rows = self.client()?.query(
            "SELECT tracking_id, status, identity_state, received_at, attempts, next_attempt_at,
                    last_error, complaint_id, purged_at IS NOT NULL
             FROM reports
             WHERE status IN ('parked', 'failed') OR identity_state = 'failed'
                OR ($1 AND (status = 'received' OR identity_state = 'pending'))
             ORDER BY received_at DESC LIMIT $2",
            &[&all, &(limit as i64)],
        )?;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get(1)?;
                Ok(OutboxEntry {
                    tracking_id: row.try_get(0)?,
                    status: Status::parse(&status)
                        .context("a status this gateway does not store")?,
                    identity: row.try_get(2)?,
                    received_at: row.try_get(3)?,
                    attempts: count(i64::from(row.try_get::<_, i32>(4)?)),
                    next_attempt_at: row.try_get(5)?,
                    last_error: row.try_get(6)?,
                    complaint_id: row.try_get(7)?,
                    purged: row.try_get(8)?,
                })
            })
            .collect()
    }

    fn retry(&self, tracking_id: &str, now: i64) -> anyhow::Result<bool> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let again = tx.execute(
            "UPDATE reports SET status = 'received', attempts = 0, next_attempt_at = $2,
                finished_at = NULL, locked_until = NULL
             WHERE tracking_id = $1 AND status IN ('parked', 'failed') AND purged_at IS NULL",
            &[&tracking_id, &now],
        )?;
        let identity = tx.execute(
            "UPDATE reports SET identity_state = 'pending', attempts = 0, next_attempt_at = $2,
                finished_at = NULL, locked_until = NULL
             WHERE tracking_id = $1 AND status = 'forwarded' AND identity_state = 'failed'
               AND purged_at IS NULL",
            &[&tracking_id, &now],
        )?;
        tx.commit()?;
        Ok(again + identity > 0)
    }

    fn park(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<bool> {
        let parked = self.execute(
            "UPDATE reports SET status = 'parked', last_error = $2, next_attempt_at = $3
             WHERE tracking_id = $1 AND status IN ('received', 'failed')",
            &[&tracking_id, &reason, &now],
        )?;
        Ok(parked > 0)
    }

    fn mark_identity_delivered(&self, tracking_id: &str, now: i64) -> anyhow::Result<()> {
        self.execute(
            "UPDATE reports SET identity_state = 'delivered', finished_at = $2, last_error = NULL,
                attempts = attempts + 1, locked_until = NULL
             WHERE tracking_id = $1",
            &[&tracking_id, &now],
        )?;
        Ok(())
    }

    fn mark_identity_failed(
        &self,
        tracking_id: &str,
        reason: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        self.execute(
            "UPDATE reports SET identity_state = 'failed', finished_at = $3, last_error = $2,
                attempts = attempts + 1, locked_until = NULL
             WHERE tracking_id = $1",
            &[&tracking_id, &reason, &now],
        )?;
        Ok(())
    }

    fn schedule_retry(&self, tracking_id: &str, next_at: i64, reason: &str) -> anyhow::Result<()> {
        self.execute(
            "UPDATE reports SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3,
                locked_until = NULL
             WHERE tracking_id = $1",
            &[&tracking_id, &next_at, &reason],
        )?;
        Ok(())
    }

    fn mark_failed(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<()> {
        self.execute(
            "UPDATE reports SET status = 'failed', attempts = attempts + 1, last_error = $2,
                finished_at = $3, locked_until = NULL
             WHERE tracking_id = $1",
            &[&tracking_id, &reason, &now],
        )?;
        Ok(())
    }

    fn stale_statuses(
        &self,
        checked_before: i64,
        limit: usize,
    ) -> anyhow::Result<Vec<(String, String)>> {
        // Leased like the forwarder's work: the sync checks the reports one after the other,
        // each call bounded by the upstream timeout.
        let now = crate::unix_now();
        let until = now + limit as i64 * self.timeout_secs + 60;
        let rows = self.client()?.query(
            "UPDATE reports r SET status_locked_until = $3, status_locked_by = $5
             FROM (SELECT tracking_id FROM reports
                   WHERE status = 'forwarded' AND complaint_id IS NOT NULL
                     AND COALESCE(status_code, '') <> 'selesai'
                     AND COALESCE(status_checked_at, 0) < $1
                     AND COALESCE(status_locked_until, 0) <= $4
                   ORDER BY COALESCE(status_checked_at, 0) LIMIT $2
                   FOR UPDATE SKIP LOCKED) stale
             WHERE r.tracking_id = stale.tracking_id
             RETURNING r.tracking_id, complaint_id, COALESCE(status_checked_at, 0)",
            &[
                &checked_before,
                &(limit as i64),
                &until,
                &now,
                &self.instance,
            ],
        )?;
        let mut stale = rows
            .iter()
            .map(|row| Ok((row.try_get(2)?, (row.try_get(0)?, row.try_get(1)?))))
            .collect::<anyhow::Result<Vec<(i64, (String, String))>>>()?;
        stale.sort_by_key(|(checked, _)| *checked);
        Ok(stale.into_iter().map(|(_, pair)| pair).collect())
    }

    fn update_status(&self, tracking_id: &str, s: &LaporStatus, now: i64) -> anyhow::Result<()> {
        self.execute(
            "UPDATE reports SET status_code = COALESCE($2, status_code),
                status_name = COALESCE($3, status_name),
                status_updated_at = COALESCE($4, status_updated_at), status_checked_at = $5,
                first_status_at = COALESCE(first_status_at,
                    CASE WHEN $2::text IS NULL THEN NULL ELSE $5::bigint END),
                status_locked_until = NULL
             WHERE tracking_id = $1",
            &[
                &tracking_id,
                &s.status_code,
                &s.status_name,
                &s.updated_at,
                &now,
            ],
        )?;
        Ok(())
    }

    fn purgeable(&self, before: i64, limit: usize) -> anyhow::Result<Vec<Purgeable>> {
        // The attachments are rows of this database: `mark_purged` deletes them, no file to
        // remove.
        let rows = self.client()?.query(
            "SELECT tracking_id FROM reports
             WHERE status IN ('forwarded', 'failed') AND purged_at IS NULL AND finished_at < $1
             LIMIT $2",
            &[&before, &(limit as i64)],
        )?;
        rows.iter()
            .map(|row| {
                Ok(Purgeable {
                    tracking_id: row.try_get(0)?,
                    files: Vec::new(),
                })
            })
            .collect()
    }

    fn mark_purged(&self, tracking_id: &str, now: i64) -> anyhow::Result<()> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        tx.execute(
            "UPDATE reports SET identity = NULL, content = NULL, title = NULL,
                location_detail = NULL, files = '[]', purged_at = $2
             WHERE tracking_id = $1",
            &[&tracking_id, &now],
        )?;
        tx.execute(
            "DELETE FROM attachments WHERE tracking_id = $1",
            &[&tracking_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn ping(&self) -> anyhow::Result<()> {
        self.client()?.simple_query("SELECT 1")?;
        Ok(())
    }

    fn outbox_gauges(&self, now: i64) -> anyhow::Result<crate::metrics::OutboxGauges> {
        let row = self.client()?.query_one(
            "SELECT COUNT(*), MIN(received_at) FROM reports
             WHERE status IN ('received', 'parked')
                OR (status = 'forwarded' AND identity_state = 'pending')",
            &[],
        )?;
        let depth: i64 = row.try_get(0)?;
        let oldest: Option<i64> = row.try_get(1)?;
        Ok(crate::metrics::OutboxGauges {
            depth: depth.max(0) as u64,
            oldest_age_seconds: oldest.map_or(0, |t| (now - t).max(0)),
        })
    }

    fn named_files(&self) -> anyhow::Result<HashSet<String>> {
        // No report names a file under the data directory: the attachments are rows here.
        Ok(HashSet::new())
    }

    fn participation(&self) -> anyhow::Result<Vec<super::Tally>> {
        // One grouped scan; the delays come as one array per group, not one row per report.
        let rows = self.client()?.query(
            "SELECT site_id,
                    to_char(to_timestamp(received_at + 25200) AT TIME ZONE 'UTC', 'YYYY-MM'),
                    classification, COUNT(*), COUNT(*) FILTER (WHERE status = 'forwarded'),
                    array_agg(GREATEST(first_status_at - received_at, 0))
                        FILTER (WHERE first_status_at IS NOT NULL)
             FROM reports GROUP BY 1, 2, 3",
            &[],
        )?;
        rows.iter()
            .map(|row| {
                let delays: Option<Vec<i64>> = row.try_get(5)?;
                Ok(super::Tally {
                    site_id: row.try_get(0)?,
                    month: row.try_get(1)?,
                    classification: row.try_get(2)?,
                    reports: row.try_get::<_, i64>(3)?.max(0) as u64,
                    delivered: row.try_get::<_, i64>(4)?.max(0) as u64,
                    first_status_secs: delays
                        .unwrap_or_default()
                        .into_iter()
                        .map(|d| d.max(0) as u64)
                        .collect(),
                })
            })
            .collect()
    }

    fn keeps_attachments(&self) -> bool {
        true
    }

    fn attachments(&self, tracking_id: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self
            .client()?
            .query_opt(
                "SELECT sealed FROM attachments WHERE tracking_id = $1",
                &[&tracking_id],
            )?
            .map(|row| row.get(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::sqlite::tests::report;

    /// A database of its own on the tests' PostgreSQL (`LAPOR_TEST_DATABASE_URL`), dropped
    /// when this is. `None` (a notice printed) without one; under `CI=true` that fails.
    struct TestDatabase {
        admin: String,
        name: String,
        url: String,
    }

    impl TestDatabase {
        fn new(test: &str) -> Option<TestDatabase> {
            let admin = std::env::var("LAPOR_TEST_DATABASE_URL").unwrap_or_default();
            if admin.is_empty() {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "{test}: LAPOR_TEST_DATABASE_URL is not set (scripts/test.sh sets it)"
                );
                // Past the test harness's capture, so that it shows.
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: {test} (LAPOR_TEST_DATABASE_URL is not set)"
                );
                return None;
            }
            let name = format!("lapor_unit_{test}_{}", std::process::id());
            let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
            client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .unwrap();
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            let authority = admin.find("://").unwrap() + 3;
            let server = match admin[authority..].find('/') {
                Some(slash) => &admin[..authority + slash],
                None => &admin,
            };
            let url = format!("{server}/{name}");
            Some(TestDatabase { admin, name, url })
        }

        fn open(&self, instance: &str, leases: Leases) -> PgStore {
            let cipher = Arc::new(Cipher::new(&[5u8; 32]));
            PgStore::open(
                &self.url,
                LeaseTimes::for_command(),
                instance,
                leases,
                |state| {
                    state.check(&cipher).map_err(anyhow::Error::msg)?;
                    Ok(cipher.clone())
                },
            )
            .unwrap()
        }
    }

    impl Drop for TestDatabase {
        fn drop(&mut self) {
            if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
                let _ = client.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    /// Two instances, one idempotency key at the same moment from many callers: one report,
    /// every other caller gets that one; its attachments come back as stored.
    #[test]
    fn one_key_on_two_instances_is_one_report() {
        let Some(db) = TestDatabase::new("one_key") else {
            return;
        };
        let stores = [
            Arc::new(db.open("a", Leases::TakeBack)),
            Arc::new(db.open("b", Leases::TakeBack)),
        ];
        let barrier = Arc::new(std::sync::Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let store = stores[i % 2].clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let mut r = report(&format!("LPR-SAME-{i}"), "same-key");
                    r.files[0].path.clear();
                    r.attachments = vec![i as u8; 3];
                    barrier.wait();
                    store.insert(&r).unwrap()
                })
            })
            .collect();
        let outcomes: Vec<Inserted> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| **o == Inserted::New).count(), 1);
        let winner = stores[0].prior("same-key").unwrap().unwrap().tracking_id;
        for outcome in &outcomes {
            if let Inserted::KeyTaken(prior) = outcome {
                assert_eq!(prior.tracking_id, winner);
            }
        }
        let i: u8 = winner.trim_start_matches("LPR-SAME-").parse().unwrap();
        assert_eq!(stores[1].attachments(&winner).unwrap(), Some(vec![i; 3]));
        assert_eq!(stores[1].due(i64::MAX - 1000, 10).unwrap().len(), 1);
    }

    /// The forwarders of two instances never take the same report; a lease ends with the
    /// attempt's outcome, or when its time is over, or when its instance starts again.
    #[test]
    fn leases_give_each_report_to_one_instance_at_a_time() {
        let Some(db) = TestDatabase::new("leases") else {
            return;
        };
        let a = Arc::new(db.open("a", Leases::TakeBack));
        let b = Arc::new(db.open("b", Leases::TakeBack));
        for i in 0..40 {
            let mut r = report(&format!("LPR-L-{i}"), &format!("k{i}"));
            r.files.clear();
            a.insert(&r).unwrap();
        }
        let now = 2000;
        let takers: Vec<_> = [a.clone(), b.clone()]
            .into_iter()
            .map(|store| {
                std::thread::spawn(move || {
                    let mut taken = Vec::new();
                    for _ in 0..10 {
                        taken.extend(
                            store
                                .due(now, 3)
                                .unwrap()
                                .into_iter()
                                .map(|o| o.tracking_id),
                        );
                    }
                    taken
                })
            })
            .collect();
        let taken: Vec<Vec<String>> = takers.into_iter().map(|t| t.join().unwrap()).collect();
        let all: Vec<&String> = taken.iter().flatten().collect();
        let distinct: HashSet<&String> = all.iter().copied().collect();
        assert_eq!(all.len(), distinct.len(), "a report taken twice: {all:?}");
        assert_eq!(distinct.len(), 40, "every report taken once");
        assert!(a.due(now, 10).unwrap().is_empty(), "all leased");

        // The outcome releases the lease; the lease's end releases it too.
        let first = &taken[0][0];
        a.schedule_retry(first, now, "HTTP 503").unwrap();
        let again: Vec<String> = b
            .due(now, 10)
            .unwrap()
            .into_iter()
            .map(|o| o.tracking_id)
            .collect();
        assert_eq!(&again, std::slice::from_ref(first));
        let later = now + a.lease_secs + 1;
        assert_eq!(a.due(later, 100).unwrap().len(), 40);

        // Held by "a" now. An operator command leaves them; "a" starting again takes them
        // back at once.
        assert!(b.due(later, 100).unwrap().is_empty(), "leased by a");
        drop(a);
        drop(db.open("a", Leases::Leave));
        assert!(b.due(later, 100).unwrap().is_empty(), "still leased by a");
        let a = db.open("a", Leases::TakeBack);
        assert_eq!(a.due(later, 100).unwrap().len(), 40);
    }
}

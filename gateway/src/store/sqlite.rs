//! The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a commit that
//! returned is on disk. One connection behind a mutex: SQLite serialises writers anyway.
//!
//! New reports are committed in groups: while one commit waits for the disk, the reports that
//! arrive queue up, and the next commit takes them all in one transaction and one sync. Each
//! caller still returns only once its own report is committed; under load a sync is shared by
//! many reports instead of every report waiting for the syncs of all those before it. The
//! directory that holds a group's attachment files is synced once for the group too, before
//! its transaction: no row commits before the name of a file it names is on disk.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use anyhow::Context as _;
use rusqlite::{params, Connection, OptionalExtension};

use lapor_core::Classification;
use rusqlite::types::{Type, Value};

use crate::crypto::{blob_key_id, Cipher, KeyId};

pub use super::KeyState;
use super::{
    parse_key_id, Inserted, LaporStatus, NewReport, OutboxEntry, Outgoing, Prior, Purgeable,
    Receipt, ReportBody, Status, Store, StoredFile, StoredReport,
};

/// The columns of a [`ReportBody`], in the order [`body_params`] and [`body_from_row`] use.
macro_rules! body_columns {
    () => {
        "classification, title, content, incident_date, location_code, location_detail,
         institution_id, category_id, anonymous, secret, lang"
    };
}

/// SQLite implementation of [`Store`].
pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// Where the paths of [`StoredFile`]s start.
    data_dir: std::path::PathBuf,
    /// Seals the citizen's words (title, content, location detail) at rest, and opens them.
    cipher: Arc<Cipher>,
    group: Mutex<Group>,
    /// Signalled whenever a group commit has finished.
    committed: Condvar,
}

/// The inserts waiting for, or answered by, a group commit.
#[derive(Default)]
struct Group {
    next_ticket: u64,
    pending: Vec<(u64, NewReport)>,
    /// Outcomes not yet picked up by their callers (errors as text: one error may answer many).
    done: HashMap<u64, Result<Inserted, String>>,
    /// Whether some caller is committing a group right now.
    committing: bool,
}

/// Held by the caller that commits a group. If it never posts outcomes (a panic inside
/// SQLite), dropping it answers the group with an error and hands the job on, so no other
/// caller waits forever.
struct Committer<'a> {
    store: &'a SqliteStore,
    tickets: Vec<u64>,
}

impl Drop for Committer<'_> {
    fn drop(&mut self) {
        let mut group = lock(&self.store.group);
        for ticket in self.tickets.drain(..) {
            group
                .done
                .entry(ticket)
                .or_insert_with(|| Err("the commit was interrupted".to_owned()));
        }
        group.committing = false;
        drop(group);
        self.store.committed.notify_all();
    }
}

/// A poisoned lock is still usable: a panic while holding one cannot leave SQLite or the
/// group bookkeeping inconsistent (transactions roll back; [`Committer`] answers its group).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The text columns sealed at rest (the citizen's words), with the associated data each is
/// sealed under: `<tracking_id>/<column>`.
const SEALED_TEXT: [&str; 3] = ["title", "content", "location_detail"];

/// A text column's value as stored: `NULL`, sealed (a blob), or plain text (written by a
/// version that did not seal it, or emptied by the purge).
fn open_text(
    cipher: &Cipher,
    value: Value,
    tracking_id: &str,
    column: &str,
) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Text(text) => Ok(Some(text)),
        Value::Blob(blob) => {
            let plain = cipher
                .open(&blob, format!("{tracking_id}/{column}").as_bytes())
                .map_err(|e| format!("{column} {e}"))?;
            String::from_utf8(plain)
                .map(Some)
                .map_err(|_| format!("{column} is not text"))
        }
        Value::Integer(_) | Value::Real(_) => Err(format!("{column} is not text")),
    }
}

fn seal_text(
    cipher: &Cipher,
    plain: Option<&str>,
    tracking_id: &str,
    column: &str,
) -> anyhow::Result<Value> {
    Ok(match plain {
        None => Value::Null,
        // The purge leaves '' in place of the words: nothing to seal.
        Some("") => Value::Text(String::new()),
        Some(text) => Value::Blob(cipher.seal(
            text.as_bytes(),
            format!("{tracking_id}/{column}").as_bytes(),
        )?),
    })
}

/// Re-seals one report's attachment file with `new` into a new file that then replaces it.
fn reseal_files(
    data_dir: &Path,
    tracking_id: &str,
    files: &[StoredFile],
    old: &Cipher,
    new: &Cipher,
) -> anyhow::Result<usize> {
    use std::io::{Read as _, Seek as _, Write as _};
    let Some(first) = files.first() else {
        return Ok(0);
    };
    if files.iter().any(|f| f.path != first.path || !f.sealed) {
        anyhow::bail!("{tracking_id}: attachments in a layout this version does not re-seal");
    }
    let path = data_dir.join(&first.path);
    {
        use std::io::Read as _;
        let mut head = [0u8; 1 + crate::crypto::KEY_ID_LEN];
        let mut source = std::fs::File::open(&path)?;
        source.seek(std::io::SeekFrom::Start(first.offset))?;
        source.read_exact(&mut head)?;
        if crate::crypto::head_key_id(&head) == Some(new.key_id()) {
            // Already re-sealed by a rotation that stopped half-way.
            return Ok(0);
        }
    }
    let temp = path.with_extension("bin.rotate");
    let _ = std::fs::remove_file(&temp);
    let mut source = std::fs::File::open(&path)?;
    let mut out = crate::files::create_private(&temp)?;
    for file in files {
        source.seek(std::io::SeekFrom::Start(file.offset))?;
        let mut blob = vec![0; usize::try_from(file.stored_len())?];
        source.read_exact(&mut blob)?;
        let aad = StoredFile::aad(tracking_id, file.offset);
        let mut plain = old
            .open(&blob, &aad)
            .map_err(|e| anyhow::anyhow!("{tracking_id}: attachment {e}"))?;
        // Sealed as intake seals files, the same length, so every offset stays where it is.
        let (head, tag) = new.seal_in_place(&mut plain, &aad)?;
        out.seek(std::io::SeekFrom::Start(file.offset))?;
        out.write_all(&head)?;
        out.write_all(&plain)?;
        out.write_all(&tag)?;
    }
    out.sync_all()?;
    std::fs::rename(&temp, &path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(files.len())
}

/// Opens the database (created `0600` when new) and brings its schema up to date.
fn connect(data_dir: &Path) -> anyhow::Result<Connection> {
    let path = data_dir.join("gateway.sqlite3");
    if !path.exists() {
        // SQLite gives its -wal and -shm files the mode of the database file.
        match crate::files::create_private(&path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    let conn =
        Connection::open(&path).with_context(|| format!("opening database {}", path.display()))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Purged identity must not linger in free pages of the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(SCHEMA)?;
    migrate(&conn)?;
    Ok(conn)
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS reports (
    tracking_id       TEXT PRIMARY KEY,
    idempotency_key   TEXT NOT NULL UNIQUE,
    fingerprint       TEXT NOT NULL,
    received_at       INTEGER NOT NULL,
    classification    TEXT NOT NULL,
    title             TEXT NOT NULL,
    content           TEXT NOT NULL,
    incident_date     TEXT,
    location_code     TEXT NOT NULL,
    location_detail   TEXT,
    institution_id    TEXT,
    category_id       TEXT,
    anonymous         INTEGER NOT NULL,
    secret            INTEGER NOT NULL,
    lang              TEXT NOT NULL,
    identity          BLOB,
    files             TEXT NOT NULL,
    status            TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    last_error        TEXT,
    uploaded_docs     TEXT,
    complaint_id      TEXT,
    forwarded_at      INTEGER,
    finished_at       INTEGER,
    status_code       TEXT,
    status_name       TEXT,
    status_updated_at TEXT,
    status_checked_at INTEGER,
    purged_at         INTEGER,
    identity_state    TEXT,
    site_id           TEXT,
    first_status_at   INTEGER
);
CREATE INDEX IF NOT EXISTS reports_due ON reports (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

impl SqliteStore {
    /// Opens (creating if needed) `<data_dir>/gateway.sqlite3`, sealing with `cipher`.
    pub fn open(data_dir: &Path, cipher: Arc<Cipher>) -> anyhow::Result<SqliteStore> {
        let conn = connect(data_dir)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            data_dir: data_dir.to_path_buf(),
            cipher,
            group: Mutex::new(Group::default()),
            committed: Condvar::new(),
        })
    }

    /// Which key the store's sealed records expect, read before any key is loaded.
    pub fn key_state(data_dir: &Path) -> anyhow::Result<KeyState> {
        if !data_dir.join("gateway.sqlite3").exists() {
            return Ok(KeyState::default());
        }
        let conn = connect(data_dir)?;
        let recorded: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE name = 'key_id'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let sample = conn
            .query_row(
                "SELECT tracking_id, identity FROM reports WHERE identity IS NOT NULL LIMIT 1",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?;
        Ok(KeyState {
            recorded: recorded.and_then(|hex| parse_key_id(&hex)),
            sample,
        })
    }

    /// Records the key the store's sealed records are sealed with.
    pub fn record_key(&self, id: KeyId) -> anyhow::Result<()> {
        self.conn().execute(
            "INSERT INTO meta (name, value) VALUES ('key_id', ?1)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [crate::crypto::hex(&id)],
        )?;
        Ok(())
    }

    /// Re-seals every sealed record (identity, title, content, location detail) and every
    /// attachment file with `new`, opening them with this store's keys, and records `new` as
    /// the store's key. What is already under `new` is left as it is, so a rotation that
    /// stopped half-way can be run again. The data directory's lock must be held, and no gateway running on it.
    /// Returns (reports, attachment files) re-sealed.
    pub fn reseal(&self, data_dir: &Path, new: &Cipher) -> anyhow::Result<(usize, usize)> {
        let rows: Vec<(String, String)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT tracking_id, files FROM reports")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut reports = 0;
        let mut files_done = 0;
        for (tracking_id, files) in rows {
            let files = files_from_json(&files);
            files_done += reseal_files(data_dir, &tracking_id, &files, &self.cipher, new)?;
            let conn = self.conn();
            let tx = conn.unchecked_transaction()?;
            let identity: Option<Vec<u8>> = tx.query_row(
                "SELECT identity FROM reports WHERE tracking_id = ?1",
                [&tracking_id],
                |r| r.get(0),
            )?;
            if let Some(blob) = identity.filter(|b| blob_key_id(b) != Some(new.key_id())) {
                let aad = tracking_id.as_bytes();
                let plain = self
                    .cipher
                    .open(&blob, aad)
                    .map_err(|e| anyhow::anyhow!("{tracking_id}: identity {e}"))?;
                tx.execute(
                    "UPDATE reports SET identity = ?2 WHERE tracking_id = ?1",
                    params![tracking_id, new.seal(&plain, aad)?],
                )?;
            }
            for column in SEALED_TEXT {
                let value: Value = tx.query_row(
                    &format!("SELECT {column} FROM reports WHERE tracking_id = ?1"),
                    [&tracking_id],
                    |r| r.get(0),
                )?;
                // Already under the new key: a rotation that stopped half-way, run again.
                if matches!(&value, Value::Blob(b) if blob_key_id(b) == Some(new.key_id())) {
                    continue;
                }
                let plain = open_text(&self.cipher, value, &tracking_id, column)
                    .map_err(|e| anyhow::anyhow!("{tracking_id}: {e}"))?;
                let sealed = seal_text(new, plain.as_deref(), &tracking_id, column)?;
                tx.execute(
                    &format!("UPDATE reports SET {column} = ?2 WHERE tracking_id = ?1"),
                    params![tracking_id, sealed],
                )?;
            }
            tx.commit()?;
            reports += 1;
        }
        self.record_key(new.key_id())?;
        Ok((reports, files_done))
    }

    /// Up to `limit` reports with tracking ids after `after`, in tracking id order, as stored:
    /// sealed records as they are (words an earlier version kept plain are sealed now, as
    /// this version writes them), attachments still files under the data directory. Paging
    /// by tracking id lets `migrate-store` go through the store in batches and resume.
    pub fn export(&self, after: &str, limit: usize) -> anyhow::Result<Vec<StoredReport>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT tracking_id, idempotency_key, fingerprint, received_at, site_id,
                classification, title, content, location_detail, incident_date, location_code,
                institution_id, category_id, anonymous, secret, lang, identity, files, status,
                identity_state, attempts, next_attempt_at, last_error, uploaded_docs,
                complaint_id, forwarded_at, finished_at, status_code, status_name,
                status_updated_at, status_checked_at, first_status_at, purged_at
             FROM reports WHERE tracking_id > ?1 ORDER BY tracking_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                [r.get::<_, Value>(6)?, r.get(7)?, r.get(8)?],
                StoredReport {
                    tracking_id: r.get(0)?,
                    idempotency_key: r.get(1)?,
                    fingerprint: r.get(2)?,
                    received_at: r.get(3)?,
                    site_id: r.get(4)?,
                    classification: r.get(5)?,
                    title: None,
                    content: None,
                    location_detail: None,
                    incident_date: r.get(9)?,
                    location_code: r.get(10)?,
                    institution_id: r.get(11)?,
                    category_id: r.get(12)?,
                    anonymous: r.get(13)?,
                    secret: r.get(14)?,
                    lang: r.get(15)?,
                    identity: r.get(16)?,
                    files: files_from_json(&r.get::<_, String>(17)?),
                    attachments: None,
                    status: r.get(18)?,
                    identity_state: r.get(19)?,
                    attempts: r.get(20)?,
                    next_attempt_at: r.get(21)?,
                    last_error: r.get(22)?,
                    uploaded_docs: r.get(23)?,
                    complaint_id: r.get(24)?,
                    forwarded_at: r.get(25)?,
                    finished_at: r.get(26)?,
                    status_code: r.get(27)?,
                    status_name: r.get(28)?,
                    status_updated_at: r.get(29)?,
                    status_checked_at: r.get(30)?,
                    first_status_at: r.get(31)?,
                    purged_at: r.get(32)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (tracking_id, words, mut report) = row?;
            let mut sealed = Vec::with_capacity(SEALED_TEXT.len());
            for (column, value) in SEALED_TEXT.into_iter().zip(words) {
                sealed.push(match value {
                    Value::Blob(blob) => Some(blob),
                    // Emptied by the purge: nothing to keep.
                    Value::Null => None,
                    Value::Text(text) if text.is_empty() => None,
                    // Plain, from a version that did not seal the words.
                    Value::Text(text) => Some(self.cipher.seal(
                        text.as_bytes(),
                        format!("{tracking_id}/{column}").as_bytes(),
                    )?),
                    Value::Integer(_) | Value::Real(_) => {
                        anyhow::bail!("{tracking_id}: {column} is not text")
                    }
                });
            }
            let mut sealed = sealed.into_iter();
            report.title = sealed.next().flatten();
            report.content = sealed.next().flatten();
            report.location_detail = sealed.next().flatten();
            out.push(report);
        }
        Ok(out)
    }

    /// How many reports the store holds.
    pub fn count(&self) -> anyhow::Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// Commits every pending insert in one transaction, then answers each caller.
    fn commit_pending(&self) {
        let batch = std::mem::take(&mut lock(&self.group).pending);
        let mut committer = Committer {
            store: self,
            tickets: batch.iter().map(|(ticket, _)| *ticket).collect(),
        };
        let outcome = sync_file_dirs(&self.data_dir, &batch)
            .and_then(|()| insert_all(&mut self.conn(), &self.cipher, &batch));
        let mut group = lock(&self.group);
        match outcome {
            Ok(results) => {
                for ((ticket, _), result) in batch.iter().zip(results) {
                    group.done.insert(*ticket, result);
                }
            }
            Err(e) => {
                let reason = format!("{e:#}");
                for (ticket, _) in &batch {
                    group.done.insert(*ticket, Err(reason.clone()));
                }
            }
        }
        drop(group);
        committer.tickets.clear();
        // Dropping the committer hands the job on and wakes every waiting caller.
    }
}

/// Brings a database made by an earlier version up to the current schema.
///
/// `identity_state` (`pending`, `delivered`, `failed`, or NULL for an anonymous report or one
/// forwarded before identity travelled as a secret follow-up): a database without it gets it,
/// and its reports not yet forwarded are marked to deliver their identity that way.
fn migrate(conn: &Connection) -> anyhow::Result<()> {
    let has_column = conn
        .prepare("SELECT 1 FROM pragma_table_info('reports') WHERE name = 'identity_state'")?
        .exists([])?;
    if !has_column {
        conn.execute_batch(
            "BEGIN;
             ALTER TABLE reports ADD COLUMN identity_state TEXT;
             UPDATE reports SET identity_state = 'pending'
                 WHERE status = 'received' AND anonymous = 0 AND identity IS NOT NULL;
             COMMIT;",
        )?;
    }
    for (column, kind) in [("site_id", "TEXT"), ("first_status_at", "INTEGER")] {
        let has = conn
            .prepare("SELECT 1 FROM pragma_table_info('reports') WHERE name = ?1")?
            .exists([column])?;
        if !has {
            conn.execute_batch(&format!("ALTER TABLE reports ADD COLUMN {column} {kind}"))?;
        }
    }
    Ok(())
}

/// Inserts the reports in one transaction (a key already stored, or taken by an earlier
/// report of the same group, answers `KeyTaken`) and commits it. A statement that fails
/// leaves nothing behind (SQLite statements are atomic), so it fails only its own report.
fn insert_all(
    conn: &mut Connection,
    cipher: &Cipher,
    batch: &[(u64, NewReport)],
) -> anyhow::Result<Vec<Result<Inserted, String>>> {
    let tx = conn.transaction()?;
    let results = batch
        .iter()
        .map(|(_, r)| insert_one(&tx, cipher, r).map_err(|e| format!("{e:#}")))
        .collect();
    tx.commit()?;
    Ok(results)
}

/// Syncs each directory that holds a file of the batch, once for the whole batch (there is
/// one, `attachments/`): a new file's name is durable only once its directory is synced, and
/// every file of the batch was created before its report joined the batch.
fn sync_file_dirs(data_dir: &Path, batch: &[(u64, NewReport)]) -> anyhow::Result<()> {
    let dirs: HashSet<&Path> = batch
        .iter()
        .flat_map(|(_, r)| &r.files)
        .filter_map(|f| Path::new(&f.path).parent())
        .collect();
    for dir in dirs {
        let dir = data_dir.join(dir);
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("syncing directory {}", dir.display()))?;
    }
    Ok(())
}

/// The report stored earlier under this idempotency key, if any.
fn find_prior(conn: &Connection, idempotency_key: &str) -> anyhow::Result<Option<Prior>> {
    Ok(conn
        .query_row(
            "SELECT tracking_id, fingerprint FROM reports WHERE idempotency_key = ?1",
            [idempotency_key],
            |row| {
                Ok(Prior {
                    tracking_id: row.get(0)?,
                    fingerprint: row.get(1)?,
                })
            },
        )
        .optional()?)
}

fn insert_one(
    tx: &rusqlite::Transaction<'_>,
    cipher: &Cipher,
    r: &NewReport,
) -> anyhow::Result<Inserted> {
    if let Some(prior) = find_prior(tx, &r.idempotency_key)? {
        return Ok(Inserted::KeyTaken(prior));
    }
    let mut stmt = tx.prepare_cached(concat!(
        "INSERT INTO reports (tracking_id, idempotency_key, fingerprint, received_at, ",
        body_columns!(),
        ", identity, files, site_id, status, next_attempt_at, identity_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, 'received', ?4, CASE WHEN ?13 THEN NULL ELSE 'pending' END)"
    ))?;
    let files = serde_json::to_string(&r.files)?;
    let head: [&dyn rusqlite::ToSql; 4] = [
        &r.tracking_id,
        &r.idempotency_key,
        &r.fingerprint,
        &r.received_at,
    ];
    let body = body_params(cipher, &r.tracking_id, &r.body)?;
    let tail: [&dyn rusqlite::ToSql; 3] = [&r.identity_sealed, &files, &r.site_id];
    let all: Vec<&dyn rusqlite::ToSql> = head
        .iter()
        .copied()
        .chain(body.iter().map(|p| p as &dyn rusqlite::ToSql))
        .chain(tail.iter().copied())
        .collect();
    stmt.execute(all.as_slice())?;
    Ok(Inserted::New)
}

/// A [`ReportBody`] as the values of [`body_columns`], in that order, the citizen's words
/// sealed.
fn body_params(cipher: &Cipher, tracking_id: &str, b: &ReportBody) -> anyhow::Result<[Value; 11]> {
    let text = |s: &str| Value::Text(s.to_owned());
    let optional = |s: &Option<String>| s.as_deref().map_or(Value::Null, text);
    let sealed = |s: Option<&str>, column| seal_text(cipher, s, tracking_id, column);
    Ok([
        text(b.classification.as_str()),
        sealed(Some(&b.title), "title")?,
        sealed(Some(&b.content), "content")?,
        b.incident_date
            .map_or(Value::Null, |d| Value::Text(d.to_string())),
        text(&b.location_code),
        sealed(b.location_detail.as_deref(), "location_detail")?,
        optional(&b.institution_id),
        optional(&b.category_id),
        Value::Integer(b.anonymous.into()),
        Value::Integer(b.secret.into()),
        text(b.lang.as_str()),
    ])
}

/// Reads the [`body_columns`] that start at column `first` of a row. The outer error is a
/// value this gateway never writes; the inner one, sealed words that do not open.
fn body_from_row(
    row: &rusqlite::Row<'_>,
    first: usize,
    cipher: &Cipher,
    tracking_id: &str,
) -> rusqlite::Result<Result<ReportBody, String>> {
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
struct SealedRow<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    cipher: &'a Cipher,
    tracking_id: &'a str,
}

impl super::BodyRow for SealedRow<'_, '_> {
    type Error = rusqlite::Error;

    fn text(&self, index: usize) -> rusqlite::Result<String> {
        self.row.get(index)
    }

    fn optional_text(&self, index: usize) -> rusqlite::Result<Option<String>> {
        self.row.get(index)
    }

    fn flag(&self, index: usize) -> rusqlite::Result<bool> {
        self.row.get(index)
    }

    fn words(&self, index: usize, column: &str) -> Result<Option<String>, String> {
        let value: Value = self.row.get(index).map_err(|e| e.to_string())?;
        open_text(self.cipher, value, self.tracking_id, column)
    }

    fn not_stored(&self, index: usize) -> rusqlite::Error {
        stored::<()>(None, index).unwrap_err()
    }
}

/// A value parsed back from a text column; `None` (a value this gateway never writes) is a
/// storage error, not a case for the forwarder to handle.
fn stored<T>(parsed: Option<T>, column: usize) -> rusqlite::Result<T> {
    parsed.ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            Type::Text,
            "not a value this gateway stores".into(),
        )
    })
}

fn files_from_json(text: &str) -> Vec<StoredFile> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Store for SqliteStore {
    fn prior(&self, idempotency_key: &str) -> anyhow::Result<Option<Prior>> {
        find_prior(&self.conn(), idempotency_key)
    }

    fn insert(&self, r: &NewReport) -> anyhow::Result<Inserted> {
        let mut group = lock(&self.group);
        let ticket = group.next_ticket;
        group.next_ticket += 1;
        group.pending.push((ticket, r.clone()));
        loop {
            if let Some(outcome) = group.done.remove(&ticket) {
                return outcome.map_err(anyhow::Error::msg);
            }
            if !group.committing {
                // Nobody is committing: this caller commits everything pending, its own too.
                group.committing = true;
                drop(group);
                self.commit_pending();
                group = lock(&self.group);
                continue;
            }
            group = self
                .committed
                .wait(group)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn receipt(&self, tracking_id: &str) -> anyhow::Result<Option<Receipt>> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT tracking_id, classification, received_at, status, complaint_id,
                        status_code, status_name, status_updated_at
                 FROM reports WHERE tracking_id = ?1",
                [tracking_id],
                |row| {
                    let status: String = row.get(3)?;
                    let complaint_id: Option<String> = row.get(4)?;
                    let classification: String = row.get(1)?;
                    Ok(Receipt {
                        tracking_id: row.get(0)?,
                        classification: stored(Classification::parse(&classification), 1)?,
                        received_at: row.get(2)?,
                        status: Status::parse(&status).unwrap_or(Status::Received),
                        lapor: match complaint_id {
                            Some(complaint_id) => Some(LaporStatus {
                                complaint_id,
                                status_code: row.get(5)?,
                                status_name: row.get(6)?,
                                updated_at: row.get(7)?,
                            }),
                            None => None,
                        },
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    fn due(&self, now: i64, limit: usize) -> anyhow::Result<Vec<Outgoing>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(concat!(
            "SELECT tracking_id, identity, files, uploaded_docs, attempts, complaint_id,
                    COALESCE(identity_state = 'pending', 0), received_at, site_id, ",
            body_columns!(),
            " FROM reports
             WHERE (status = 'received'
                    OR (status = 'forwarded' AND identity_state = 'pending'))
               AND next_attempt_at <= ?1
             ORDER BY next_attempt_at LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![now, limit as i64], |row| {
            let files: String = row.get(2)?;
            let docs: Option<String> = row.get(3)?;
            let tracking_id: String = row.get(0)?;
            Ok(Outgoing {
                body: body_from_row(row, 9, &self.cipher, &tracking_id)?,
                site_id: row.get(8)?,
                tracking_id,
                identity_sealed: row.get(1)?,
                files: files_from_json(&files),
                uploaded_docs: docs.and_then(|d| serde_json::from_str(&d).ok()),
                attempts: row.get(4)?,
                complaint_id: row.get(5)?,
                identity_pending: row.get(6)?,
                received_at: row.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn record_uploads(&self, tracking_id: &str, doc_ids: &[String]) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE reports SET uploaded_docs = ?2 WHERE tracking_id = ?1",
            params![tracking_id, serde_json::to_string(doc_ids)?],
        )?;
        Ok(())
    }

    fn mark_forwarded(
        &self,
        tracking_id: &str,
        complaint_id: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        // The identity step, when there is one, is due at once and counts its own attempts.
        self.conn().execute(
            "UPDATE reports SET status = 'forwarded', complaint_id = ?2, forwarded_at = ?3,
                finished_at = CASE WHEN identity_state = 'pending' THEN NULL ELSE ?3 END,
                last_error = NULL, next_attempt_at = ?3,
                attempts = CASE WHEN identity_state = 'pending' THEN 0 ELSE attempts + 1 END
             WHERE tracking_id = ?1",
            params![tracking_id, complaint_id, now],
        )?;
        Ok(())
    }

    fn mark_parked(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE reports SET status = 'parked', attempts = attempts + 1, last_error = ?2,
                next_attempt_at = ?3
             WHERE tracking_id = ?1",
            params![tracking_id, reason, now],
        )?;
        Ok(())
    }

    fn outbox(&self, all: bool, limit: usize) -> anyhow::Result<Vec<OutboxEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT tracking_id, status, identity_state, received_at, attempts, next_attempt_at,
                    last_error, complaint_id, purged_at IS NOT NULL
             FROM reports
             WHERE status IN ('parked', 'failed') OR identity_state = 'failed'
                OR (?1 AND (status = 'received' OR identity_state = 'pending'))
             ORDER BY received_at DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![all, limit as i64], |row| {
            let status: String = row.get(1)?;
            Ok(OutboxEntry {
                tracking_id: row.get(0)?,
                status: stored(Status::parse(&status), 1)?,
                identity: row.get(2)?,
                received_at: row.get(3)?,
                attempts: row.get(4)?,
                next_attempt_at: row.get(5)?,
                last_error: row.get(6)?,
                complaint_id: row.get(7)?,
                purged: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn retry(&self, tracking_id: &str, now: i64) -> anyhow::Result<bool> {
        let conn = self.conn();
        let again = conn.execute(
            "UPDATE reports SET status = 'received', attempts = 0, next_attempt_at = ?2,
                finished_at = NULL
             WHERE tracking_id = ?1 AND status IN ('parked', 'failed') AND purged_at IS NULL",
            params![tracking_id, now],
        )?;
        let identity = conn.execute(
            "UPDATE reports SET identity_state = 'pending', attempts = 0, next_attempt_at = ?2,
                finished_at = NULL
             WHERE tracking_id = ?1 AND status = 'forwarded' AND identity_state = 'failed'
               AND purged_at IS NULL",
            params![tracking_id, now],
        )?;
        Ok(again + identity > 0)
    }

    fn park(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<bool> {
        let parked = self.conn().execute(
            "UPDATE reports SET status = 'parked', last_error = ?2, next_attempt_at = ?3
             WHERE tracking_id = ?1 AND status IN ('received', 'failed')",
            params![tracking_id, reason, now],
        )?;
        Ok(parked > 0)
    }

    fn mark_identity_delivered(&self, tracking_id: &str, now: i64) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE reports SET identity_state = 'delivered', finished_at = ?2, last_error = NULL,
                attempts = attempts + 1
             WHERE tracking_id = ?1",
            params![tracking_id, now],
        )?;
        Ok(())
    }

    fn mark_identity_failed(
        &self,
        tracking_id: &str,
        reason: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE reports SET identity_state = 'failed', finished_at = ?3, last_error = ?2,
                attempts = attempts + 1
             WHERE tracking_id = ?1",
            params![tracking_id, reason, now],
        )?;
        Ok(())
    }

    fn schedule_retry(&self, tracking_id: &str, next_at: i64, reason: &str) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE reports SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
             WHERE tracking_id = ?1",
            params![tracking_id, next_at, reason],
        )?;
        Ok(())
    }

    fn mark_failed(&self, tracking_id: &str, reason: &str, now: i64) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE reports SET status = 'failed', attempts = attempts + 1, last_error = ?2,
                finished_at = ?3
             WHERE tracking_id = ?1",
            params![tracking_id, reason, now],
        )?;
        Ok(())
    }

    fn stale_statuses(
        &self,
        checked_before: i64,
        limit: usize,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT tracking_id, complaint_id FROM reports
             WHERE status = 'forwarded' AND complaint_id IS NOT NULL
               AND COALESCE(status_code, '') <> 'selesai'
               AND COALESCE(status_checked_at, 0) < ?1
             ORDER BY COALESCE(status_checked_at, 0) LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![checked_before, limit as i64], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn update_status(&self, tracking_id: &str, s: &LaporStatus, now: i64) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE reports SET status_code = COALESCE(?2, status_code),
                status_name = COALESCE(?3, status_name),
                status_updated_at = COALESCE(?4, status_updated_at), status_checked_at = ?5,
                first_status_at = COALESCE(first_status_at, CASE WHEN ?2 IS NULL THEN NULL ELSE ?5 END)
             WHERE tracking_id = ?1",
            params![tracking_id, s.status_code, s.status_name, s.updated_at, now],
        )?;
        Ok(())
    }

    fn purgeable(&self, before: i64, limit: usize) -> anyhow::Result<Vec<Purgeable>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT tracking_id, files FROM reports
             WHERE status IN ('forwarded', 'failed') AND purged_at IS NULL AND finished_at < ?1
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![before, limit as i64], |row| {
            let files: String = row.get(1)?;
            Ok(Purgeable {
                tracking_id: row.get(0)?,
                files: files_from_json(&files),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn mark_purged(&self, tracking_id: &str, now: i64) -> anyhow::Result<()> {
        self.conn().execute(
            "UPDATE reports SET identity = NULL, content = '', title = '', location_detail = NULL,
                files = '[]', purged_at = ?2
             WHERE tracking_id = ?1",
            params![tracking_id, now],
        )?;
        Ok(())
    }

    fn outbox_gauges(&self, now: i64) -> anyhow::Result<crate::metrics::OutboxGauges> {
        let (depth, oldest): (i64, Option<i64>) = self.conn().query_row(
            "SELECT COUNT(*), MIN(received_at) FROM reports
             WHERE status IN ('received', 'parked')
                OR (status = 'forwarded' AND identity_state = 'pending')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(crate::metrics::OutboxGauges {
            depth: depth.max(0) as u64,
            oldest_age_seconds: oldest.map_or(0, |t| (now - t).max(0)),
        })
    }

    fn named_files(&self) -> anyhow::Result<HashSet<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT files FROM reports WHERE files <> '[]'")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut named = HashSet::new();
        for files in rows {
            named.extend(files_from_json(&files?).into_iter().map(|f| f.path));
        }
        Ok(named)
    }

    fn participation(&self) -> anyhow::Result<Vec<super::Tally>> {
        let conn = self.conn();
        // One grouped scan; the delays come as one list per group, not one row per report.
        let mut stmt = conn.prepare_cached(
            "SELECT site_id, strftime('%Y-%m', received_at + 25200, 'unixepoch'), classification,
                    COUNT(*), COALESCE(SUM(status = 'forwarded'), 0),
                    group_concat(MAX(first_status_at - received_at, 0))
             FROM reports GROUP BY 1, 2, 3",
        )?;
        let rows = stmt.query_map([], |row| {
            let delays: Option<String> = row.get(5)?;
            Ok(super::Tally {
                site_id: row.get(0)?,
                month: row.get(1)?,
                classification: row.get(2)?,
                reports: row.get::<_, i64>(3)?.max(0) as u64,
                delivered: row.get::<_, i64>(4)?.max(0) as u64,
                first_status_secs: delays
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .filter_map(|d| d.trim().parse().ok())
                    .collect(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn ping(&self) -> anyhow::Result<()> {
        self.conn().query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use lapor_core::messages::Lang;
    use lapor_core::Date;

    fn temp_store(name: &str) -> (SqliteStore, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("lapor-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // As `files::prepare` leaves a data directory.
        std::fs::create_dir_all(dir.join("attachments")).unwrap();
        (SqliteStore::open(&dir, test_cipher()).unwrap(), dir)
    }

    /// The directory of a report's files is synced before its row commits: when it cannot be
    /// (here it does not exist), the row is not stored, and the other reports of the group
    /// are not stored either (their commit is the same).
    #[test]
    fn no_row_commits_when_its_files_directory_cannot_be_synced() {
        let (store, dir) = temp_store("dirsync");
        let mut lost = report("LPR-LOST", "k-lost");
        lost.files[0].path = "missing-dir/LPR-LOST.bin".into();
        let error = format!("{:#}", store.insert(&lost).unwrap_err());
        assert!(error.contains("syncing directory"), "{error}");
        assert!(store.receipt("LPR-LOST").unwrap().is_none());
        assert!(store.prior("k-lost").unwrap().is_none());
        // A report whose files' directory is there is stored as before.
        assert_eq!(
            store.insert(&report("LPR-KEPT", "k-kept")).unwrap(),
            Inserted::New
        );
        assert!(store.receipt("LPR-KEPT").unwrap().is_some());
        let _ = std::fs::remove_dir_all(dir);
    }

    fn test_cipher() -> Arc<Cipher> {
        Arc::new(Cipher::new(&[5u8; 32]))
    }

    /// Title, content and location detail are sealed in the file, open again for the
    /// forwarder, and re-seal under a new key; the store says which key it expects.
    #[test]
    fn the_citizens_words_are_sealed_at_rest_and_reseal_under_a_new_key() {
        let (store, dir) = temp_store("sealed");
        let mut r = report("LPR-SEALED", "s1");
        r.body.content = "Isi rahasia KANARI-ISI".into();
        r.body.title = "Judul KANARI-JUDUL".into();
        r.body.location_detail = Some("depan KANARI-LOKASI".into());
        r.identity_sealed = test_cipher().seal(b"{}", b"LPR-SEALED").unwrap();
        r.files.clear();
        store.insert(&r).unwrap();
        store.record_key(test_cipher().key_id()).unwrap();
        let due = store.due(i64::MAX, 10).unwrap();
        let body = due[0].body.as_ref().unwrap();
        assert_eq!(body.content, "Isi rahasia KANARI-ISI");
        assert_eq!(body.location_detail.as_deref(), Some("depan KANARI-LOKASI"));
        drop(due);
        store
            .conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let raw = std::fs::read(dir.join("gateway.sqlite3")).unwrap();
        for canary in [&b"KANARI-ISI"[..], b"KANARI-JUDUL", b"KANARI-LOKASI"] {
            assert!(!raw.windows(canary.len()).any(|w| w == canary));
        }

        let new = Cipher::new(&[6u8; 32]);
        assert_eq!(store.reseal(&dir, &new).unwrap(), (1, 0));
        drop(store);
        let state = SqliteStore::key_state(&dir).unwrap();
        assert!(state.has_sealed());
        assert!(state.check(&new).is_ok());
        let refused = state.check(&Cipher::new(&[5u8; 32])).unwrap_err();
        assert!(refused.contains(&new.fingerprint()), "{refused}");
        let store = SqliteStore::open(&dir, Arc::new(new)).unwrap();
        let due = store.due(i64::MAX, 10).unwrap();
        assert_eq!(due[0].body.as_ref().unwrap().title, "Judul KANARI-JUDUL");
        // With the old key alone, the words do not open: the report says so, it does not panic.
        drop(store);
        let old = SqliteStore::open(&dir, test_cipher()).unwrap();
        assert!(old.due(i64::MAX, 10).unwrap()[0].body.is_err());
        drop(old);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A report as the tests of both stores store it.
    pub(in crate::store) fn report(id: &str, key: &str) -> NewReport {
        NewReport {
            tracking_id: id.into(),
            idempotency_key: key.into(),
            fingerprint: "fp".into(),
            received_at: 1000,
            site_id: Some("kota-bontang".into()),
            body: ReportBody {
                classification: Classification::Pengaduan,
                title: "Judul laporan".into(),
                content: "Isi".into(),
                incident_date: Date::new(2026, 11, 1),
                location_code: "647401".into(),
                location_detail: None,
                institution_id: None,
                category_id: None,
                anonymous: false,
                secret: false,
                lang: Lang::Id,
            },
            identity_sealed: vec![1, 2, 3],
            files: vec![StoredFile {
                path: "attachments/x.bin".into(),
                offset: 0,
                name: "a.jpg".into(),
                mime: "image/jpeg".into(),
                size: 3,
                sealed: false,
            }],
            attachments: Vec::new(),
        }
    }

    /// Many callers at once: each returns once its own report is committed, a key used by
    /// several concurrent callers is stored once, and nothing is left waiting.
    #[test]
    fn concurrent_inserts_are_grouped_and_keys_stay_unique() {
        let (store, dir) = temp_store("group");
        let store = std::sync::Arc::new(store);
        let threads: Vec<_> = (0..48)
            .map(|i| {
                let store = store.clone();
                // Every fourth report reuses the key of the one before it.
                let key = format!("k{}", i - usize::from(i % 4 == 3));
                std::thread::spawn(move || store.insert(&report(&format!("LPR-{i}"), &key)))
            })
            .collect();
        let outcomes: Vec<Inserted> = threads
            .into_iter()
            .map(|t| t.join().unwrap().unwrap())
            .collect();
        let new = outcomes.iter().filter(|o| **o == Inserted::New).count();
        assert_eq!(new, 36, "48 reports under 36 distinct keys");
        for i in (0..48).filter(|i| i % 4 != 3) {
            assert!(
                store.prior(&format!("k{i}")).unwrap().is_some(),
                "k{i} stored"
            );
        }
        let group = lock(&store.group);
        assert!(group.pending.is_empty() && group.done.is_empty() && !group.committing);
        drop(group);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A database from before the identity follow-up: its reports not yet forwarded deliver
    /// their identity that way after the upgrade; those forwarded before are left alone.
    #[test]
    fn an_older_database_gets_the_identity_step_for_reports_not_yet_forwarded() {
        let (store, dir) = temp_store("migrate");
        store.insert(&report("LPR-OLD-WAITING", "m1")).unwrap();
        store.insert(&report("LPR-OLD-SENT", "m2")).unwrap();
        store.mark_forwarded("LPR-OLD-SENT", "C-1", 1000).unwrap();
        store
            .conn()
            .execute_batch(
                "UPDATE reports SET identity_state = NULL;
                 ALTER TABLE reports DROP COLUMN identity_state;",
            )
            .unwrap();
        drop(store);

        let store = SqliteStore::open(&dir, test_cipher()).unwrap();
        let due = store.due(i64::MAX, 10).unwrap();
        let ids: Vec<(&str, bool)> = due
            .iter()
            .map(|r| (r.tracking_id.as_str(), r.identity_pending))
            .collect();
        assert_eq!(ids, [("LPR-OLD-WAITING", true)]);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The life of a report through the trait, as the handlers and the forwarder use it.
    #[test]
    fn outbox_lifecycle() {
        let (store, dir) = temp_store("life");
        assert_eq!(store.insert(&report("LPR-A", "k1")).unwrap(), Inserted::New);
        let taken = store.insert(&report("LPR-B", "k1")).unwrap();
        assert_eq!(
            taken,
            Inserted::KeyTaken(Prior {
                tracking_id: "LPR-A".into(),
                fingerprint: "fp".into()
            })
        );
        assert_eq!(store.prior("k1").unwrap().unwrap().tracking_id, "LPR-A");
        assert!(store.prior("k2").unwrap().is_none());

        assert_eq!(
            store.due(999, 10).unwrap().len(),
            0,
            "not due before it was received"
        );
        let due = store.due(1000, 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].files.len(), 1);
        assert_eq!(due[0].uploaded_docs, None);

        store.record_uploads("LPR-A", &["D1".into()]).unwrap();
        store.schedule_retry("LPR-A", 2000, "HTTP 503").unwrap();
        assert!(store.due(1999, 10).unwrap().is_empty());
        let again = store.due(2000, 10).unwrap();
        assert_eq!(
            (again[0].attempts, again[0].uploaded_docs.clone()),
            (1, Some(vec!["D1".to_string()]))
        );

        assert!(again[0].identity_pending && again[0].complaint_id.is_none());
        store.mark_forwarded("LPR-A", "C-9", 2000).unwrap();
        // Created at LAPOR!: the identity follow-up alone is still due, at once.
        let identity = store.due(2000, 10).unwrap();
        assert_eq!(identity.len(), 1);
        assert_eq!(identity[0].complaint_id.as_deref(), Some("C-9"));
        assert!(identity[0].identity_pending);
        assert!(
            store.purgeable(i64::MAX, 10).unwrap().is_empty(),
            "no purge before the identity is delivered"
        );
        store.mark_identity_delivered("LPR-A", 2001).unwrap();
        assert!(store.due(i64::MAX, 10).unwrap().is_empty());
        let receipt = store.receipt("LPR-A").unwrap().unwrap();
        assert_eq!(receipt.status, Status::Forwarded);
        assert_eq!(receipt.lapor.as_ref().unwrap().complaint_id, "C-9");

        assert_eq!(
            store.stale_statuses(3000, 10).unwrap(),
            vec![("LPR-A".to_string(), "C-9".to_string())]
        );
        let status = LaporStatus {
            complaint_id: "C-9".into(),
            status_code: Some("verifikasi".into()),
            status_name: Some("Verifikasi".into()),
            updated_at: None,
        };
        store.update_status("LPR-A", &status, 3000).unwrap();
        assert!(store.stale_statuses(3000, 10).unwrap().is_empty());
        assert_eq!(
            store
                .receipt("LPR-A")
                .unwrap()
                .unwrap()
                .lapor
                .unwrap()
                .status_code
                .as_deref(),
            Some("verifikasi")
        );

        assert!(
            store.purgeable(2001, 10).unwrap().is_empty(),
            "retention not over yet"
        );
        let purge = store.purgeable(2002, 10).unwrap();
        assert_eq!(purge.len(), 1);
        store.mark_purged("LPR-A", 2002).unwrap();
        assert!(store.purgeable(i64::MAX, 10).unwrap().is_empty());
        assert_eq!(
            store.receipt("LPR-A").unwrap().unwrap().status,
            Status::Forwarded
        );

        // An anonymous report has no identity step: forwarded is finished.
        let mut anonymous = report("LPR-N", "k4");
        anonymous.body.anonymous = true;
        assert_eq!(store.insert(&anonymous).unwrap(), Inserted::New);
        assert!(!store.due(i64::MAX, 10).unwrap()[0].identity_pending);
        store.mark_forwarded("LPR-N", "C-10", 2001).unwrap();
        assert!(store.due(i64::MAX, 10).unwrap().is_empty());

        assert_eq!(store.insert(&report("LPR-F", "k3")).unwrap(), Inserted::New);
        store
            .mark_failed("LPR-F", "HTTP 422: invalid", 1500)
            .unwrap();
        assert_eq!(
            store.receipt("LPR-F").unwrap().unwrap().status,
            Status::Failed
        );
        assert!(store.receipt("LPR-NONE").unwrap().is_none());
        store.ping().unwrap();
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}

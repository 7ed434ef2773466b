//! The LAPOR! simulator's own small store: SQLite in its data directory, or an in-memory
//! SQLite database when it has none. It is deliberately separate from the gateway's store, so
//! a test can kill either process and see what really crossed the wire between them.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// The stages a simulated complaint goes through, in order: (code, display name).
pub const STATUSES: [(&str, &str); 4] = [
    ("verifikasi", "Verifikasi"),
    ("tindak_lanjut", "Tindak Lanjut"),
    ("tanggapan", "Tanggapan"),
    ("selesai", "Selesai"),
];

/// Where the simulator keeps what it received. Cloning shares the same database.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// A document received by the upload call.
pub struct NewDocument {
    pub request_id: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub sha256: String,
    /// Size as uploaded (the bytes may have been discarded).
    pub size: usize,
    /// The bytes kept; empty when the simulator discards documents.
    pub bytes: Vec<u8>,
}

/// A complaint received by the create call, already checked for shape.
pub struct NewComplaint {
    pub request_id: Option<String>,
    pub title: String,
    pub content: String,
    pub classification_id: i64,
    pub category_id: Option<String>,
    pub location_id: String,
    pub date_of_incident: Option<String>,
    pub is_anonymous: bool,
    pub is_secret: bool,
    pub attachments: Vec<String>,
}

/// A follow-up received by the follow-up call, already checked for shape.
pub struct NewFollowup {
    pub request_id: Option<String>,
    pub complaint_id: String,
    pub content: String,
    pub is_secret: bool,
    pub institution_to_id: Option<String>,
}

/// One follow-up of a complaint, for the inspection path.
#[derive(Debug, Clone, Serialize)]
pub struct FollowupView {
    pub followup_id: String,
    pub request_id: Option<String>,
    pub received_at: String,
    pub content: String,
    pub is_secret: bool,
    pub institution_to_id: Option<String>,
}

/// What LAPOR! shows the public of one complaint: a complaint that is not secret, with its
/// text, its status and the follow-ups that are not secret. Nothing else (no request id, no
/// secret follow-up, no document bytes) is on this page.
#[derive(Debug, Clone, Serialize)]
pub struct PublicComplaint {
    pub complaint_id: String,
    pub title: String,
    pub content: String,
    pub location_id: String,
    pub status_name: String,
    pub followups: Vec<String>,
}

/// The status of one complaint, as the status call answers it.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub complaint_id: String,
    pub status_code: String,
    pub status_name: String,
    pub updated_at: String,
}

/// Metadata of a stored document, as the inspection path lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentMeta {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// Everything the simulator knows of one complaint, for the inspection path.
#[derive(Debug, Clone, Serialize)]
pub struct ComplaintView {
    pub complaint_id: String,
    pub request_id: Option<String>,
    pub received_at: String,
    pub title: String,
    pub content: String,
    pub classification_id: i64,
    pub location_id: String,
    pub date_of_incident: Option<String>,
    pub is_anonymous: bool,
    pub is_secret: bool,
    pub category_id: Option<String>,
    pub status_code: String,
    pub status_name: String,
    pub attachments: Vec<DocumentMeta>,
    pub followups: Vec<FollowupView>,
}

/// Complaint ids start here so they look like the multi-digit ids of the real service and
/// never like a small count of anything.
const COMPLAINT_ID_BASE: i64 = 4_100_000;

impl Store {
    /// Opens (creating if needed) `simulator.sqlite3` in `dir`, or an in-memory database.
    pub fn open(dir: Option<&Path>) -> anyhow::Result<Store> {
        let conn = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                let conn = Connection::open(dir.join("simulator.sqlite3"))?;
                // WAL with NORMAL sync survives a killed simulator process (only an OS crash
                // could lose the last commits), and keeps the simulator off the disk's
                // critical path while the gateway's own synced writes are being measured.
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS documents (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 id TEXT NOT NULL UNIQUE,
                 request_id TEXT,
                 filename TEXT NOT NULL,
                 content_type TEXT NOT NULL,
                 size INTEGER NOT NULL,
                 sha256 TEXT NOT NULL,
                 bytes BLOB NOT NULL,
                 received_at_ms INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS complaints (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 complaint_id TEXT NOT NULL UNIQUE,
                 request_id TEXT,
                 received_at_ms INTEGER NOT NULL,
                 title TEXT NOT NULL,
                 content TEXT NOT NULL,
                 classification_id INTEGER NOT NULL,
                 category_id TEXT,
                 location_id TEXT NOT NULL,
                 date_of_incident TEXT,
                 is_anonymous INTEGER NOT NULL,
                 is_secret INTEGER NOT NULL,
                 status_index INTEGER NOT NULL,
                 status_changed_at_ms INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS followups (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 complaint_seq INTEGER NOT NULL,
                 request_id TEXT,
                 received_at_ms INTEGER NOT NULL,
                 content TEXT NOT NULL,
                 is_secret INTEGER NOT NULL,
                 institution_to_id TEXT
             );
             CREATE TABLE IF NOT EXISTS complaint_attachments (
                 complaint_seq INTEGER NOT NULL,
                 position INTEGER NOT NULL,
                 document_id TEXT NOT NULL,
                 PRIMARY KEY (complaint_seq, position)
             );",
        )?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (statements are
        // atomic), so a poisoned lock is still safe to use.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores one uploaded document and returns its new id.
    pub fn insert_document(&self, doc: &NewDocument, now_ms: i64) -> anyhow::Result<String> {
        let conn = self.lock();
        let tx = conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO documents (id, request_id, filename, content_type, size, sha256, bytes,
                                    received_at_ms)
             VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                doc.request_id,
                doc.filename,
                doc.content_type,
                i64::try_from(doc.size).unwrap_or(i64::MAX),
                doc.sha256,
                doc.bytes,
                now_ms
            ],
        )?;
        let seq = tx.last_insert_rowid();
        let id = format!("simdoc-{seq}");
        tx.execute(
            "UPDATE documents SET id = ?1 WHERE seq = ?2",
            params![id, seq],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Of the given document ids, those that this simulator never handed out.
    pub fn unknown_documents(&self, ids: &[String]) -> anyhow::Result<Vec<String>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached("SELECT 1 FROM documents WHERE id = ?1")?;
        let mut unknown = Vec::new();
        for id in ids {
            if stmt
                .query_row(params![id], |_| Ok(()))
                .optional()?
                .is_none()
            {
                unknown.push(id.clone());
            }
        }
        Ok(unknown)
    }

    /// The complaint an earlier create call with this request id made, if any.
    pub fn complaint_for_request(&self, request_id: &str) -> anyhow::Result<Option<String>> {
        let conn = self.lock();
        Ok(conn
            .query_row(
                "SELECT complaint_id FROM complaints WHERE request_id = ?1 ORDER BY seq LIMIT 1",
                params![request_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Stores a new complaint in its first status and returns its id.
    pub fn insert_complaint(&self, c: &NewComplaint, now_ms: i64) -> anyhow::Result<String> {
        let conn = self.lock();
        let tx = conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO complaints (complaint_id, request_id, received_at_ms, title, content,
                 classification_id, category_id, location_id, date_of_incident, is_anonymous,
                 is_secret, status_index, status_changed_at_ms)
             VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?2)",
            params![
                c.request_id,
                now_ms,
                c.title,
                c.content,
                c.classification_id,
                c.category_id,
                c.location_id,
                c.date_of_incident,
                c.is_anonymous,
                c.is_secret
            ],
        )?;
        let seq = tx.last_insert_rowid();
        let complaint_id = (COMPLAINT_ID_BASE + seq).to_string();
        tx.execute(
            "UPDATE complaints SET complaint_id = ?1 WHERE seq = ?2",
            params![complaint_id, seq],
        )?;
        for (position, doc) in c.attachments.iter().enumerate() {
            tx.execute(
                "INSERT INTO complaint_attachments (complaint_seq, position, document_id)
                 VALUES (?1, ?2, ?3)",
                params![seq, position as i64, doc],
            )?;
        }
        tx.commit()?;
        Ok(complaint_id)
    }

    /// The current status of a complaint, after applying the automatic steps that are due.
    pub fn status(
        &self,
        complaint_id: &str,
        now_ms: i64,
        step_ms: i64,
    ) -> anyhow::Result<Option<Status>> {
        let conn = self.lock();
        let row = status_row(&conn, complaint_id)?;
        let Some((seq, index, changed)) = row else {
            return Ok(None);
        };
        let (index, changed) = apply_due_steps(&conn, seq, index, changed, now_ms, step_ms)?;
        Ok(Some(status_of(complaint_id, index, changed)))
    }

    /// Moves a complaint to its next status now (the last status stays where it is).
    pub fn advance(
        &self,
        complaint_id: &str,
        now_ms: i64,
        step_ms: i64,
    ) -> anyhow::Result<Option<Status>> {
        let conn = self.lock();
        let row = status_row(&conn, complaint_id)?;
        let Some((seq, index, changed)) = row else {
            return Ok(None);
        };
        let (index, changed) = apply_due_steps(&conn, seq, index, changed, now_ms, step_ms)?;
        let last = STATUSES.len() as i64 - 1;
        let (index, changed) = if index < last {
            (index + 1, now_ms)
        } else {
            (index, changed)
        };
        conn.execute(
            "UPDATE complaints SET status_index = ?1, status_changed_at_ms = ?2 WHERE seq = ?3",
            params![index, changed, seq],
        )?;
        Ok(Some(status_of(complaint_id, index, changed)))
    }

    /// Every complaint received, oldest first, with the metadata of its attachments.
    pub fn list(&self, now_ms: i64, step_ms: i64) -> anyhow::Result<Vec<ComplaintView>> {
        let conn = self.lock();
        let tx = conn.unchecked_transaction()?;
        let mut out = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT seq, complaint_id, request_id, received_at_ms, title, content,
                        classification_id, category_id, location_id, date_of_incident,
                        is_anonymous, is_secret, status_index, status_changed_at_ms
                 FROM complaints ORDER BY seq",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    ComplaintView {
                        complaint_id: r.get(1)?,
                        request_id: r.get(2)?,
                        received_at: rfc3339_wib(r.get(3)?),
                        title: r.get(4)?,
                        content: r.get(5)?,
                        classification_id: r.get(6)?,
                        category_id: r.get(7)?,
                        location_id: r.get(8)?,
                        date_of_incident: r.get(9)?,
                        is_anonymous: r.get(10)?,
                        is_secret: r.get(11)?,
                        status_code: String::new(),
                        status_name: String::new(),
                        attachments: Vec::new(),
                        followups: Vec::new(),
                    },
                    r.get::<_, i64>(12)?,
                    r.get::<_, i64>(13)?,
                ))
            })?;
            let mut attachments = tx.prepare(
                "SELECT d.id, d.filename, d.content_type, d.size, d.sha256
                 FROM complaint_attachments a JOIN documents d ON d.id = a.document_id
                 WHERE a.complaint_seq = ?1 ORDER BY a.position",
            )?;
            let mut followups = tx.prepare(
                "SELECT seq, request_id, received_at_ms, content, is_secret, institution_to_id
                 FROM followups WHERE complaint_seq = ?1 ORDER BY seq",
            )?;
            let rows: Vec<_> = rows.collect::<Result<_, _>>()?;
            for (seq, mut view, index, changed) in rows {
                view.followups = followups
                    .query_map(params![seq], |r| {
                        Ok(FollowupView {
                            followup_id: followup_id(r.get(0)?),
                            request_id: r.get(1)?,
                            received_at: rfc3339_wib(r.get(2)?),
                            content: r.get(3)?,
                            is_secret: r.get(4)?,
                            institution_to_id: r.get(5)?,
                        })
                    })?
                    .collect::<Result<_, _>>()?;
                let (index, _) = apply_due_steps(&tx, seq, index, changed, now_ms, step_ms)?;
                let (code, name) = STATUSES[index as usize];
                view.status_code = code.to_owned();
                view.status_name = name.to_owned();
                view.attachments = attachments
                    .query_map(params![seq], |r| {
                        Ok(DocumentMeta {
                            id: r.get(0)?,
                            filename: r.get(1)?,
                            content_type: r.get(2)?,
                            size: r.get(3)?,
                            sha256: r.get(4)?,
                        })
                    })?
                    .collect::<Result<_, _>>()?;
                out.push(view);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Adds a follow-up to a complaint; `None` when there is no such complaint.
    pub fn insert_followup(&self, f: &NewFollowup, now_ms: i64) -> anyhow::Result<Option<String>> {
        let conn = self.lock();
        let Some((complaint_seq, _, _)) = status_row(&conn, &f.complaint_id)? else {
            return Ok(None);
        };
        conn.execute(
            "INSERT INTO followups (complaint_seq, request_id, received_at_ms, content, is_secret,
                                    institution_to_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                complaint_seq,
                f.request_id,
                now_ms,
                f.content,
                f.is_secret,
                f.institution_to_id
            ],
        )?;
        Ok(Some(followup_id(conn.last_insert_rowid())))
    }

    /// What LAPOR!'s public pages show: every complaint that is not secret, oldest first, with
    /// its public follow-ups.
    pub fn public(&self, now_ms: i64, step_ms: i64) -> anyhow::Result<Vec<PublicComplaint>> {
        Ok(self
            .list(now_ms, step_ms)?
            .into_iter()
            .filter(|c| !c.is_secret)
            .map(|c| PublicComplaint {
                complaint_id: c.complaint_id,
                title: c.title,
                content: c.content,
                location_id: c.location_id,
                status_name: c.status_name,
                followups: c
                    .followups
                    .into_iter()
                    .filter(|f| !f.is_secret)
                    .map(|f| f.content)
                    .collect(),
            })
            .collect())
    }

    /// The bytes of a document as uploaded, with their content type.
    pub fn document(&self, id: &str) -> anyhow::Result<Option<(String, Vec<u8>)>> {
        let conn = self.lock();
        Ok(conn
            .query_row(
                "SELECT content_type, bytes FROM documents WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

fn followup_id(seq: i64) -> String {
    format!("simfu-{seq}")
}

/// A complaint's `(seq, status_index, status_changed_at_ms)`, if it exists.
fn status_row(conn: &Connection, complaint_id: &str) -> anyhow::Result<Option<(i64, i64, i64)>> {
    Ok(conn
        .query_row(
            "SELECT seq, status_index, status_changed_at_ms FROM complaints
             WHERE complaint_id = ?1",
            params![complaint_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Applies the automatic status steps due since the last change and persists them.
/// Statuses are computed lazily on read instead of by a timer, so a simulator that was
/// stopped for a while shows the same statuses as one that kept running.
fn apply_due_steps(
    conn: &Connection,
    seq: i64,
    index: i64,
    changed_ms: i64,
    now_ms: i64,
    step_ms: i64,
) -> rusqlite::Result<(i64, i64)> {
    let last = STATUSES.len() as i64 - 1;
    let index = index.clamp(0, last);
    if step_ms <= 0 || index >= last || now_ms <= changed_ms {
        return Ok((index, changed_ms));
    }
    let due = (now_ms - changed_ms) / step_ms;
    if due == 0 {
        return Ok((index, changed_ms));
    }
    let steps = due.min(last - index);
    let new_index = index + steps;
    let new_changed = changed_ms + steps * step_ms;
    conn.execute(
        "UPDATE complaints SET status_index = ?1, status_changed_at_ms = ?2 WHERE seq = ?3",
        params![new_index, new_changed, seq],
    )?;
    Ok((new_index, new_changed))
}

fn status_of(complaint_id: &str, index: i64, changed_ms: i64) -> Status {
    let (code, name) = STATUSES[index.clamp(0, STATUSES.len() as i64 - 1) as usize];
    Status {
        complaint_id: complaint_id.to_owned(),
        status_code: code.to_owned(),
        status_name: name.to_owned(),
        updated_at: rfc3339_wib(changed_ms),
    }
}

/// Formats a Unix time in milliseconds as RFC 3339 in Western Indonesia Time (UTC+7), the
/// zone LAPOR! itself reports in.
pub fn rfc3339_wib(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000) + 7 * 3600;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+07:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_wib_timestamps() {
        assert_eq!(rfc3339_wib(0), "1970-01-01T07:00:00+07:00");
        // 2026-11-28T03:15:00Z is 10:15 in Jakarta.
        assert_eq!(rfc3339_wib(1_795_835_700_000), "2026-11-28T10:15:00+07:00");
        assert_eq!(
            rfc3339_wib(951_782_400_000 + 17 * 3600 * 1000),
            "2000-03-01T00:00:00+07:00"
        );
    }

    fn complaint() -> NewComplaint {
        NewComplaint {
            request_id: Some("T-1".into()),
            title: "Judul laporan uji".into(),
            content: "Isi laporan uji yang cukup panjang".into(),
            classification_id: 1,
            category_id: None,
            location_id: "647401".into(),
            date_of_incident: Some("2026-11-20".into()),
            is_anonymous: false,
            is_secret: false,
            attachments: vec![],
        }
    }

    #[test]
    fn statuses_advance_lazily_and_stop_at_the_last() {
        let store = Store::open(None).unwrap();
        let id = store.insert_complaint(&complaint(), 1_000).unwrap();
        let at = |now| store.status(&id, now, 10_000).unwrap().unwrap().status_code;
        assert_eq!(at(5_000), "verifikasi");
        assert_eq!(at(11_000), "tindak_lanjut");
        assert_eq!(at(31_000), "selesai");
        assert_eq!(at(99_000), "selesai");
        assert!(store.status("nope", 0, 0).unwrap().is_none());
    }

    #[test]
    fn manual_advance_and_attachments_listing() {
        let store = Store::open(None).unwrap();
        let doc = NewDocument {
            request_id: Some("T-2".into()),
            filename: "a.jpg".into(),
            content_type: "image/jpeg".into(),
            sha256: "00".into(),
            size: 3,
            bytes: vec![1, 2, 3],
        };
        let doc_id = store.insert_document(&doc, 0).unwrap();
        assert_eq!(
            store
                .unknown_documents(&[doc_id.clone(), "x".into()])
                .unwrap(),
            vec!["x"]
        );
        let mut c = complaint();
        c.attachments = vec![doc_id.clone()];
        let id = store.insert_complaint(&c, 0).unwrap();
        assert_eq!(
            store.advance(&id, 1, 0).unwrap().unwrap().status_code,
            "tindak_lanjut"
        );
        let list = store.list(2, 0).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].status_name, "Tindak Lanjut");
        assert_eq!(list[0].attachments[0].id, doc_id);
        assert_eq!(list[0].attachments[0].size, 3);
        assert_eq!(store.document(&doc_id).unwrap().unwrap().1, vec![1, 2, 3]);
    }
}

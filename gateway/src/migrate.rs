//! `lapor-gateway migrate-store`: moves a SQLite gateway's reports into a PostgreSQL
//! database, every state as it is, the sealed records as they are (the same key opens them
//! there), each report's attachment file into the `attachments` table.
//!
//! The data directory's lock is held throughout (no gateway may run on it). Reports go in
//! batches of one transaction each, in tracking id order; a report already in the database
//! (by tracking id) is skipped, so a run that stopped midway is simply run again. Nothing
//! personal is printed: counts and tracking ids only.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context as _;

use crate::config::DatabaseUrl;
use crate::crypto::Cipher;
use crate::store::postgres::LeaseTimes;
use crate::store::StoredReport;

/// Reports per transaction.
const BATCH: usize = 100;

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Reports in the SQLite store.
    pub total: u64,
    pub moved: u64,
    /// Already in the database.
    pub skipped: u64,
    /// Sealed attachment bytes written.
    pub attachment_bytes: u64,
    /// Reports not moved: tracking id and why (never anything of the report's content).
    pub refused: Vec<(String, String)>,
}

/// Moves the reports of `data_dir`'s SQLite store into the database at `url`.
pub fn run(data_dir: &Path, url: &DatabaseUrl, key_file: Option<&Path>) -> anyhow::Result<Summary> {
    anyhow::ensure!(
        data_dir.join("gateway.sqlite3").exists(),
        "no SQLite gateway store in {}",
        data_dir.display()
    );
    let _lock =
        crate::files::lock(data_dir).context("stop the gateway on this data directory first")?;
    let (cipher, sqlite) = crate::server::open_store(data_dir, key_file, false)?;
    // Checks the key against the one the database records (refusing another), and records it.
    let (pg_cipher, pg) =
        crate::server::open_postgres(url, data_dir, key_file, false, LeaseTimes::for_command())?;
    anyhow::ensure!(
        pg_cipher.key_id() == cipher.key_id(),
        "the database's key is not the data directory's"
    );
    let mut summary = Summary {
        total: sqlite.count()?,
        ..Summary::default()
    };
    let mut there: Vec<String> = Vec::new();
    let mut moved_ids: Vec<String> = Vec::new();
    let mut after = String::new();
    loop {
        let batch = sqlite.export(&after, BATCH)?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.tracking_id.clone();
        let ids: Vec<String> = batch.iter().map(|r| r.tracking_id.clone()).collect();
        let present = pg.present(&ids)?;
        let mut moving = Vec::new();
        for mut report in batch {
            if present.contains(&report.tracking_id) {
                summary.skipped += 1;
                there.push(report.tracking_id);
                continue;
            }
            match keep_attachments(data_dir, &cipher, &mut report) {
                Ok(()) => moving.push(report),
                Err(reason) => summary.refused.push((report.tracking_id, reason)),
            }
        }
        let written = pg.import(&moving)?;
        for report in moving {
            if !written.contains(&report.tracking_id) {
                // The lock keeps other writers of this data directory's reports away: its
                // idempotency key belongs to another report of the database.
                let reason = "its idempotency key is another report's in the database";
                summary
                    .refused
                    .push((report.tracking_id, reason.to_owned()));
                continue;
            }
            summary.moved += 1;
            summary.attachment_bytes += report.attachments.as_ref().map_or(0, |a| a.len() as u64);
            there.push(report.tracking_id.clone());
            moved_ids.push(report.tracking_id);
        }
    }
    verify(&pg, &summary, &there, &moved_ids)?;
    Ok(summary)
}

/// Checks that the database holds every report moved or skipped, and the bytes moved.
fn verify(
    pg: &crate::store::postgres::PgStore,
    summary: &Summary,
    there: &[String],
    moved: &[String],
) -> anyhow::Result<()> {
    let accounted = summary.moved + summary.skipped + summary.refused.len() as u64;
    anyhow::ensure!(
        accounted == summary.total,
        "counts do not match: {} report(s) in the SQLite store, {accounted} moved, skipped or \
         refused (did a gateway write meanwhile?)",
        summary.total
    );
    let mut found: HashSet<String> = HashSet::new();
    let mut bytes = 0;
    for chunk in there.chunks(1000) {
        found.extend(pg.present(chunk)?);
    }
    for chunk in moved.chunks(1000) {
        bytes += pg.attachment_bytes(chunk)?;
    }
    anyhow::ensure!(
        found.len() == there.len(),
        "counts do not match: the database holds {} of the {} report(s) moved or skipped",
        found.len(),
        there.len()
    );
    anyhow::ensure!(
        bytes == summary.attachment_bytes,
        "counts do not match: the database holds {bytes} attachment byte(s) of the {} moved",
        summary.attachment_bytes
    );
    Ok(())
}

/// Reads a report's attachment file into the report, its files then pointing into the store
/// (empty paths, the same offsets), each attachment checked to open. `Err` says why not.
fn keep_attachments(
    data_dir: &Path,
    cipher: &Cipher,
    report: &mut StoredReport,
) -> Result<(), String> {
    let Some(first) = report.files.first() else {
        return Ok(());
    };
    let path = first.path.clone();
    if path.is_empty() || report.files.iter().any(|f| f.path != path) {
        return Err("attachments in a layout this version does not move".to_owned());
    }
    let bytes = match std::fs::read(data_dir.join(&path)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("attachment file {path} missing"))
        }
        Err(e) => return Err(format!("attachment file {path}: {e}")),
    };
    for file in &report.files {
        file.open_in(&bytes, cipher, &report.tracking_id)
            .map_err(|e| format!("attachment file {path} does not open: {e}"))?;
    }
    for file in &mut report.files {
        file.path = String::new();
    }
    report.attachments = Some(bytes);
    Ok(())
}

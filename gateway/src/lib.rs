//! `lapor-gateway`: the national endpoint of the LAPOR! widget. It validates a report again
//! with `lapor-core`, stores it durably (SQLite in a data directory, or PostgreSQL shared by
//! several instances), answers the citizen with
//! a receipt, and forwards the report to SP4N-LAPOR! in the background.
//!
//! The binary (`main.rs`) only parses the command line; everything else lives here so that it
//! can be tested. Code map:
//! - [`config`]: flags and environment variables of `serve`.
//! - [`server`]: builds the application, runs the listeners and the background tasks.
//! - [`api`]: the HTTP contract (`/api/v1/…`), CORS and the `Origin` check, health checks.
//! - [`widget_files`]: the built widget under `/widget/`, brotli or gzip as the client accepts.
//! - [`store`]: the storage trait, its SQLite implementation (the default) and its PostgreSQL
//!   one (`--database-url`: attachments in the database, leases for the forwarder, TLS with the
//!   server verified in `store::pg_connect`).
//! - [`migrate`]: `migrate-store`, a stopped SQLite gateway's reports into PostgreSQL.
//! - [`forwarder`]: the outbox worker, the status sync and the retention purge.
//! - [`crypto`]: encryption at rest (identity, the citizen's words, attachments), key ids.
//! - [`files`]: the data directory: private modes, the one-process lock, the orphan sweep.
//! - [`ratelimit`]: per-client token buckets.
//! - [`metrics`]: `/metrics` in Prometheus' text format (no personal data in any label).
//! - [`sites`]: the registry of Pemda sites (origins, name, region), reloaded on `SIGHUP`.
//! - [`stats`]: the participation page, `/stats` (JSON) and `/stats/` (HTML), cached.
//! - [`pdf`]: PDF attachments cleaned of metadata, or refused, in a bounded child process.
//! - [`intake`]: uploads in progress (global and per address), trusted proxies, disk floor.
//!
//! The LAPOR! simulator the tests and the demo forward to is another crate and binary
//! (`simulator/`, `lapor-simulator`): nothing of it is in this one.

pub mod api;
pub mod config;
pub mod crypto;
pub mod files;
pub mod forwarder;
pub mod intake;
pub mod metrics;
pub mod migrate;
pub mod pdf;
pub mod ratelimit;
pub mod server;
pub mod sites;
pub mod stats;
pub mod store;
pub mod widget_files;

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A Unix time as RFC 3339 in Asia/Jakarta (`2026-11-28T10:15:00+07:00`), as the contract shows.
pub fn jakarta_rfc3339(unix_seconds: i64) -> String {
    let local = unix_seconds + 7 * 3600;
    let date = lapor_core::Date::from_days_since_epoch(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        date.year(),
        date.month(),
        date.day(),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn jakarta_time_format() {
        // 2026-11-28T03:15:00Z is 10:15 in Jakarta.
        let morning = super::jakarta_rfc3339(1_795_835_700);
        assert_eq!(morning, "2026-11-28T10:15:00+07:00");
        assert_eq!(super::jakarta_rfc3339(0), "1970-01-01T07:00:00+07:00");
    }
}

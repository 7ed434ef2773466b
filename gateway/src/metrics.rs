//! `GET /metrics` in Prometheus' text format: the signals an operator watches. Labels are sites,
//! classifications, upstream calls, HTTP statuses and error codes: never a tracking id, never
//! anything of a report's content or its reporter.
//!
//! Counters live in this process (a restart starts them at zero, which Prometheus' `rate()`
//! handles); the outbox gauges are read from the store at each scrape.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::api::{blocking, Shared};

/// Upper bounds (seconds) of the receipt-to-LAPOR!-id histogram's buckets.
const DELIVERY_BUCKETS: [f64; 10] = [
    1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0, 604800.0,
];

/// The process's metrics.
pub struct Metrics {
    received: Mutex<BTreeMap<(String, String), u64>>,
    refused: Mutex<BTreeMap<String, u64>>,
    upstream: Mutex<BTreeMap<(&'static str, String), u64>>,
    forwarded: AtomicU64,
    failed: AtomicU64,
    parked: AtomicU64,
    delivery_buckets: [AtomicU64; DELIVERY_BUCKETS.len()],
    delivery_count: AtomicU64,
    /// Milliseconds, summed.
    delivery_sum_ms: AtomicU64,
}

/// The one set of metrics of this process.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics {
    received: Mutex::default(),
    refused: Mutex::default(),
    upstream: Mutex::default(),
    forwarded: AtomicU64::new(0),
    failed: AtomicU64::new(0),
    parked: AtomicU64::new(0),
    delivery_buckets: Default::default(),
    delivery_count: AtomicU64::new(0),
    delivery_sum_ms: AtomicU64::new(0),
});

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    *map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_insert(0) += 1;
}

impl Metrics {
    /// A report stored (`site`: its site id, or `-` without one).
    pub fn received(&self, site: Option<&str>, classification: &str) {
        bump(
            &self.received,
            (site.unwrap_or("-").to_owned(), classification.to_owned()),
        );
    }

    /// An intake answered with an error: one count per error code (each field error's code
    /// for a `422`).
    pub fn refused(&self, code: &str) {
        bump(&self.refused, code.to_owned());
    }

    /// An answer of LAPOR! (`status`: the HTTP status, or `network` when none came).
    pub fn upstream(&self, call: &'static str, status: &str) {
        bump(&self.upstream, (call, status.to_owned()));
    }

    /// LAPOR! gave the complaint's id, `seconds` after the report was received.
    pub fn forwarded(&self, seconds: f64) {
        self.forwarded.fetch_add(1, Ordering::Relaxed);
        for (bucket, bound) in self.delivery_buckets.iter().zip(DELIVERY_BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.delivery_count.fetch_add(1, Ordering::Relaxed);
        self.delivery_sum_ms
            .fetch_add((seconds.max(0.0) * 1000.0) as u64, Ordering::Relaxed);
    }

    pub fn failed(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn parked(&self) {
        self.parked.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition, with the outbox gauges given.
    pub fn render(&self, outbox: &OutboxGauges) -> String {
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: Vec<String>| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for sample in samples {
                let _ = writeln!(out, "{name}{sample}");
            }
        };
        let plain = |n: u64| vec![format!(" {n}")];
        family(
            "lapor_reports_received_total",
            "counter",
            "Reports stored, by site and classification.",
            lock(&self.received)
                .iter()
                .map(|((site, classification), n)| {
                    format!(
                        "{{site=\"{}\",classification=\"{}\"}} {n}",
                        escape(site),
                        escape(classification)
                    )
                })
                .collect(),
        );
        family(
            "lapor_reports_forwarded_total",
            "counter",
            "Reports LAPOR! gave a complaint id for.",
            plain(self.forwarded.load(Ordering::Relaxed)),
        );
        family(
            "lapor_reports_failed_total",
            "counter",
            "Reports marked failed (refused by LAPOR!, unpreparable, or too old).",
            plain(self.failed.load(Ordering::Relaxed)),
        );
        family(
            "lapor_reports_parked_total",
            "counter",
            "Reports parked for an operator (LAPOR! answered without a usable id).",
            plain(self.parked.load(Ordering::Relaxed)),
        );
        family(
            "lapor_outbox_depth",
            "gauge",
            "Reports not yet delivered whole (waiting, or their identity follow-up pending).",
            plain(outbox.depth),
        );
        family(
            "lapor_outbox_oldest_age_seconds",
            "gauge",
            "Age of the oldest report not yet delivered whole (0 when none).",
            vec![format!(" {}", outbox.oldest_age_seconds)],
        );
        family(
            "lapor_upstream_responses_total",
            "counter",
            "Answers of LAPOR!, by call and HTTP status (network: no answer).",
            lock(&self.upstream)
                .iter()
                .map(|((call, status), n)| {
                    format!("{{call=\"{call}\",status=\"{}\"}} {n}", escape(status))
                })
                .collect(),
        );
        family(
            "lapor_intake_refusals_total",
            "counter",
            "POST /api/v1/reports answered with an error, by error code.",
            lock(&self.refused)
                .iter()
                .map(|(code, n)| format!("{{code=\"{}\"}} {n}", escape(code)))
                .collect(),
        );
        let count = self.delivery_count.load(Ordering::Relaxed);
        let mut histogram: Vec<String> = self
            .delivery_buckets
            .iter()
            .zip(DELIVERY_BUCKETS)
            .map(|(n, bound)| format!("_bucket{{le=\"{bound}\"}} {}", n.load(Ordering::Relaxed)))
            .collect();
        histogram.push(format!("_bucket{{le=\"+Inf\"}} {count}"));
        histogram.push(format!(
            "_sum {}",
            self.delivery_sum_ms.load(Ordering::Relaxed) as f64 / 1000.0
        ));
        histogram.push(format!("_count {count}"));
        family(
            "lapor_receipt_to_complaint_seconds",
            "histogram",
            "Time from a report's receipt to LAPOR!'s complaint id.",
            histogram,
        );
        out
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The outbox as the store tells it at a scrape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxGauges {
    pub depth: u64,
    pub oldest_age_seconds: i64,
}

/// `GET /metrics`.
pub async fn serve(State(state): State<Shared>) -> Response {
    let store = state.store.clone();
    let now = crate::unix_now();
    let gauges = match blocking(move || store.outbox_gauges(now)).await {
        Ok(gauges) => gauges,
        Err(e) => return e.into_response(),
    };
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        METRICS.render(&gauges),
    )
        .into_response()
}

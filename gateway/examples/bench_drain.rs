//! Benchmark of the forwarder: how long a backlog takes to reach LAPOR!, drained by one or by
//! several gateway instances on one PostgreSQL database (or by one on SQLite).
//!
//! The LAPOR! simulator is down (every call `503`) while `--backlog N` reports (10,000) are
//! filed over loopback; then it comes back with `--latency-ms` (300) added to every call, and
//! the run measures the time until the outbox is empty: every report created at LAPOR! and its
//! reporter's identity delivered as the secret follow-up (two calls per report; the reports
//! carry no attachment). Duplicates at the simulator (two complaints for one report) are
//! counted.
//!
//! Run it with `scripts/bench-stores.sh` (starts a throwaway PostgreSQL, builds release and
//! runs this with one and with two instances, beside the intake benchmark on both stores).
//!
//! Options: `--database-url URL` (without it: one instance on SQLite), `--instances N` (1),
//! `--backlog N` (10000), `--latency-ms N` (300), `--concurrency N` (each instance's
//! `--forward-concurrency`, 32), `--create-concurrency N` (each instance's
//! `--create-concurrency`: complaints created at once, each until its id is recorded; the
//! gateway's default, 1), `--timeout-secs N` (900).

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{gateway, set_faults, simulator, valid_report_json, TempDir};
use serde_json::json;

struct Options {
    database_url: Option<String>,
    instances: usize,
    backlog: usize,
    latency_ms: u64,
    concurrency: usize,
    create_concurrency: usize,
    timeout: Duration,
}

fn options() -> Options {
    let mut o = Options {
        database_url: None,
        instances: 1,
        backlog: 10_000,
        latency_ms: 300,
        concurrency: 32,
        create_concurrency: 1,
        timeout: Duration::from_secs(900),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let number = |default: usize| value.parse().unwrap_or(default);
        match args[i].as_str() {
            "--database-url" => o.database_url = Some(value.clone()),
            "--instances" => o.instances = number(o.instances).clamp(1, 8),
            "--backlog" => o.backlog = number(o.backlog).clamp(1, 100_000),
            "--latency-ms" => o.latency_ms = value.parse().unwrap_or(o.latency_ms),
            "--concurrency" => o.concurrency = number(o.concurrency).clamp(1, 256),
            "--create-concurrency" => {
                o.create_concurrency = number(o.create_concurrency).clamp(1, 256)
            }
            "--timeout-secs" => o.timeout = Duration::from_secs(number(900) as u64),
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    if o.database_url.is_none() && o.instances > 1 {
        eprintln!(
            "several instances need --database-url (SQLite is one process per data directory)"
        );
        std::process::exit(2);
    }
    o
}

/// The value of an unlabelled sample in a Prometheus text exposition.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

async fn outbox_depth(client: &reqwest::Client, base: &str) -> Option<f64> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    sample(&text, "lapor_outbox_depth")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let client = common::client();
    let store = if o.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "LAPOR! forwarder drain: {} reports, {} instance(s) on {store}, each forwarding {} at a time \
         and creating {} complaint(s) at a time, LAPOR! simulator with {} ms added to every call \
         (create + identity follow-up per report)",
        o.backlog, o.instances, o.concurrency, o.create_concurrency, o.latency_ms
    );

    let sim = simulator().args(["--discard-documents"]).spawn().await;
    set_faults(&client, &sim.base, json!({"down": true})).await;

    let dirs: Vec<TempDir> = (0..o.instances)
        .map(|_| TempDir::new("lapor-drain"))
        .collect();
    let mut gateways = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        let mut spawn = gateway(dir.path(), &sim.base)
            .args(["--forward-concurrency", &o.concurrency.to_string()])
            .args(["--create-concurrency", &o.create_concurrency.to_string()]);
        if let Some(url) = &o.database_url {
            spawn = spawn.args(["--database-url", url]);
        }
        // The first instance made the key (and the database recorded it): the others share it.
        if i > 0 {
            let key_file = dirs[0].join("identity.key").display().to_string();
            spawn = spawn.args(["--encryption-key-file", &key_file]);
        }
        gateways.push(spawn.spawn().await);
    }

    // The backlog, filed over all instances in turn while LAPOR! is down.
    let filing = Instant::now();
    let report = Arc::new(valid_report_json());
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let bases: Arc<Vec<String>> = Arc::new(gateways.iter().map(|g| g.base.clone()).collect());
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (client, report, next, failed, bases) = (
            client.clone(),
            report.clone(),
            next.clone(),
            failed.clone(),
            bases.clone(),
        );
        let backlog = o.backlog;
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= backlog {
                    break;
                }
                let key = format!("drain-{}-{i}", std::process::id());
                let base = &bases[i % bases.len()];
                let posted = common::post_report(&client, base, &key, &report, &[]).await;
                if !matches!(posted, Ok(ref p) if p.status == 201) {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let failed = failed.load(Ordering::Relaxed);
    println!(
        "backlog filed in {:.1} s ({} not accepted)",
        filing.elapsed().as_secs_f64(),
        failed
    );
    let filed = o.backlog - failed;

    // LAPOR! comes back, slow.
    set_faults(
        &client,
        &sim.base,
        json!({"down": false, "error_rate": 0.0, "latency_ms": o.latency_ms}),
    )
    .await;
    let started = Instant::now();
    let mut last_print = Instant::now();
    let drained = loop {
        let depth = outbox_depth(&client, &gateways[0].base).await;
        if depth == Some(0.0) {
            break true;
        }
        if started.elapsed() > o.timeout {
            break false;
        }
        if last_print.elapsed() > Duration::from_secs(30) {
            println!(
                "  {:.0} s: {} reports still in the outbox",
                started.elapsed().as_secs_f64(),
                depth.map_or("?".to_owned(), |d| d.to_string())
            );
            last_print = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let took = started.elapsed();
    if !drained {
        println!(
            "--- the first instance's log ---\n{}",
            gateways[0].log_tail(3000)
        );
    }
    let complaints = common::simulator_complaints(&client, &sim.base).await;
    let counts = common::count_by_request_id(&complaints);
    let duplicates: usize = counts.values().map(|n| n.saturating_sub(1)).sum();
    // Two calls per report, `concurrency` reports at a time; and the creates, each holding
    // its turn for one call (the record after it is not counted).
    let call_ms = o.latency_ms.max(1) as f64;
    let ceiling = (o.concurrency as f64 * 1000.0 / (2.0 * call_ms))
        .min(o.create_concurrency as f64 * 1000.0 / call_ms)
        * o.instances as f64;
    println!(
        "{}: {} reports in {:.1} s = {:.1} reports/s ({} instance(s) x {} at a time, {} create(s) \
         at a time; at most {:.1} reports/s at {} ms per call)",
        if drained { "drained" } else { "NOT drained" },
        filed,
        took.as_secs_f64(),
        filed as f64 / took.as_secs_f64(),
        o.instances,
        o.concurrency,
        o.create_concurrency,
        ceiling,
        o.latency_ms
    );
    println!(
        "at the LAPOR! simulator: {} complaints for {} reports, {} duplicate(s)",
        complaints.len(),
        counts.len(),
        duplicates
    );
    drop(gateways);
    drop(sim);
}

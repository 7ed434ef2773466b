//! Benchmark of the gateway's intake: `POST /api/v1/reports` with two 500 KB JPEG attachments,
//! 32 concurrent clients over loopback, against this machine's own limit measured in the same
//! run and the same directory: the rate of synced 1 MiB writes (a report is answered `201`
//! only once its files are synced, so that rate bounds the gateway).
//!
//! Run it with `scripts/bench-gateway.sh` (builds release and runs this example). It starts
//! the LAPOR! simulator and the gateway from the release binary, prints figures and PASS/MISS
//! against the goal (≥ 0.5× the disk limit, p99 < 250 ms), and never fails on a MISS.
//!
//! Options: `--clients N` (32), `--seconds N` (measured duration, 15), `--dir PATH` (where
//! the data directory goes; default the system temp dir), `--max-reports N` (20000),
//! `--upstream-down` (the simulator answers 503 to everything, so the run measures intake
//! alone; by default the forwarder delivers to the simulator during the run, as in service,
//! and competes with intake for the same CPU and disk), `--database-url URL` (the store in
//! that PostgreSQL database instead of SQLite in the data directory; `scripts/bench-stores.sh`
//! runs both side by side).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "shared/timing.rs"]
mod timing;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{gateway, simulator, valid_report_json, Attachment, TempDir};
use timing::{ms, percentile};

/// Size of the synced writes of the disk-limit probe.
const MIB: usize = 1024 * 1024;
/// How long the disk probe runs.
const DISK_PROBE: Duration = Duration::from_secs(4);
/// Requests before measuring, so connection setup and first-touch costs are not counted.
const WARMUP: Duration = Duration::from_secs(2);

struct Options {
    clients: usize,
    seconds: u64,
    dir: Option<String>,
    max_reports: usize,
    upstream_down: bool,
    database_url: Option<String>,
}

fn options() -> Options {
    let mut o = Options {
        clients: 32,
        seconds: 15,
        dir: None,
        max_reports: 20_000,
        upstream_down: false,
        database_url: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--clients" => o.clients = value.parse().unwrap_or(o.clients).clamp(1, 512),
            // Bounded: the whole run must stay well under a minute.
            "--seconds" => o.seconds = value.parse().unwrap_or(o.seconds).clamp(1, 40),
            "--dir" => o.dir = Some(value),
            "--max-reports" => o.max_reports = value.parse().unwrap_or(o.max_reports),
            "--database-url" => o.database_url = Some(value),
            "--upstream-down" => {
                o.upstream_down = true;
                i += 1;
                continue;
            }
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    o
}

/// Synced 1 MiB writes per second in `dir`: each a new file, written then `fsync`ed, the way
/// the gateway stores an attachment before it answers.
/// The disk's limit: synced 1 MiB writes per second, one after another, and how long the
/// slowest of them took (the disk's own tail, which no report can beat).
fn disk_limit(dir: &Path) -> std::io::Result<(f64, Duration, Duration)> {
    let probe = dir.join("disk-probe");
    std::fs::create_dir_all(&probe)?;
    let block: Vec<u8> = (0..MIB).map(|i| (i * 31 % 251) as u8).collect();
    let started = Instant::now();
    let mut took = Vec::new();
    while started.elapsed() < DISK_PROBE {
        let one = Instant::now();
        let path = probe.join(format!("{}.bin", took.len()));
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&block)?;
        f.sync_all()?;
        took.push(one.elapsed());
    }
    let rate = took.len() as f64 / started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&probe)?;
    took.sort();
    Ok((
        rate,
        percentile(&took, 99.0),
        took.last().copied().unwrap_or_default(),
    ))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let run_started = Instant::now();
    let data = match &o.dir {
        Some(d) => {
            std::fs::create_dir_all(d).expect("--dir");
            TempDir::new_in(Path::new(d), "lapor-bench")
        }
        None => TempDir::new("lapor-bench"),
    };
    println!(
        "LAPOR! gateway benchmark (binary {})",
        common::binary().display()
    );
    println!("data dir: {}", data.path().display());

    let (limit, disk_p99, disk_max) = disk_limit(data.path()).expect("disk probe");
    println!(
        "disk limit: {limit:.1} synced 1 MiB writes/s (measured for {DISK_PROBE:?} in the data dir); \
         one such write: p99 {:.1} ms, max {:.1} ms",
        ms(disk_p99),
        ms(disk_max)
    );

    // The simulator keeps only metadata: thousands of forwarded megabytes would otherwise
    // pile up in its memory.
    let mut sim_args = vec!["--discard-documents"];
    if o.upstream_down {
        sim_args.push("--down");
    }
    let sim = simulator().args(sim_args).spawn().await;
    println!(
        "upstream: LAPOR! simulator {}",
        if o.upstream_down {
            "down (intake measured alone)"
        } else {
            "up (forwarder delivering during the run)"
        }
    );
    let mut spawn = gateway(&data.join("gateway"), &sim.base);
    if let Some(url) = &o.database_url {
        spawn = spawn.args(["--database-url", url]);
    }
    println!(
        "store: {}",
        if o.database_url.is_some() {
            "PostgreSQL (reports and attachments in the database; 201 after COMMIT)"
        } else {
            "SQLite in the data dir (attachments as files beside it)"
        }
    );
    let gw = spawn.spawn().await;

    let photo_a = common::jpeg_about(500 * 1000, 1);
    let photo_b = common::jpeg_about(500 * 1000, 2);
    println!(
        "payload: 2 JPEG attachments of {} and {} bytes; {} clients; {} s measured after {:?} warm-up",
        photo_a.len(),
        photo_b.len(),
        o.clients,
        o.seconds,
        WARMUP
    );
    let attachments = Arc::new(vec![
        Attachment::jpeg("foto-1.jpg", photo_a),
        Attachment::jpeg("foto-2.jpg", photo_b),
    ]);

    let report = Arc::new(valid_report_json());
    let client = common::client();
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::with_capacity(8192)));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for _ in 0..o.clients {
        let (client, report, attachments) = (client.clone(), report.clone(), attachments.clone());
        let (measuring, stop, next, latencies, errors) = (
            measuring.clone(),
            stop.clone(),
            next.clone(),
            latencies.clone(),
            errors.clone(),
        );
        let base = gw.base.clone();
        let max = o.max_reports;
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= max {
                    break;
                }
                let key = format!("bench-{}-{i}", std::process::id());
                let counted = measuring.load(Ordering::Relaxed);
                let started = Instant::now();
                let result = common::post_report(&client, &base, &key, &report, &attachments).await;
                let took = started.elapsed();
                // Only requests that started and ended inside the window count.
                if !counted || stop.load(Ordering::Relaxed) {
                    continue;
                }
                match result {
                    Ok(p) if p.status == 201 => latencies.lock().unwrap().push(took),
                    Ok(p) => errors
                        .lock()
                        .unwrap()
                        .push(format!("{} {}", p.status, p.body)),
                    Err(e) => errors.lock().unwrap().push(e.to_string()),
                }
            }
        }));
    }
    tokio::time::sleep(WARMUP).await;
    measuring.store(true, Ordering::Relaxed);
    let window = Instant::now();
    let upstream_before = common::simulator_complaints(&client, &sim.base).await.len();
    tokio::time::sleep(Duration::from_secs(o.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = window.elapsed();
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
    }
    let upstream_after = common::simulator_complaints(&client, &sim.base).await.len();

    let mut lat = std::mem::take(&mut *latencies.lock().unwrap());
    lat.sort();
    let errors = std::mem::take(&mut *errors.lock().unwrap());
    let rate = lat.len() as f64 / elapsed.as_secs_f64();
    let p50 = percentile(&lat, 50.0);
    let p99 = percentile(&lat, 99.0);
    let ratio = if limit > 0.0 { rate / limit } else { 0.0 };
    println!();
    println!(
        "reports accepted (201): {} in {:.1} s; other answers/errors: {}",
        lat.len(),
        elapsed.as_secs_f64(),
        errors.len()
    );
    for e in errors.iter().take(3) {
        println!("  e.g. {e}");
    }
    println!("throughput: {rate:.1} reports/s");
    println!(
        "latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(p50),
        ms(p99),
        ms(lat.last().copied().unwrap_or_default())
    );
    println!("disk limit: {limit:.1} synced 1 MiB writes/s; ratio {ratio:.2}x");
    println!(
        "forwarded to the LAPOR! simulator meanwhile: {} complaints during the window",
        upstream_after.saturating_sub(upstream_before)
    );
    println!(
        "goal throughput >= 0.5x disk limit: {} ({ratio:.2}x)",
        if ratio >= 0.5 { "PASS" } else { "MISS" }
    );
    println!(
        "goal p99 < 250 ms: {} ({:.1} ms)",
        if p99 < Duration::from_millis(250) && !lat.is_empty() {
            "PASS"
        } else {
            "MISS"
        },
        ms(p99)
    );
    println!(
        "total run time: {:.1} s",
        run_started.elapsed().as_secs_f64()
    );
    drop(gw);
    drop(sim);
}

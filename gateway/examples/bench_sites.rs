//! Scale check of the sites registry: `GET /api/v1/config` and `POST /api/v1/reports` with one
//! registered site and with 550 (every province and regency of core's tables, each its own
//! origin, requests spread over all of them), in the same run on the same machine, printed
//! side by side: requests per second and p99 latency.
//!
//! Run it with `scripts/bench-sites.sh` (builds release and runs this example). Each gateway
//! gets a fresh data directory; the LAPOR! simulator is down, so the run measures the intake
//! alone (one refused forwarding attempt per report, its retry ten minutes later). A report here
//! has no attachment: the registry's cost is per request, and two photos' synced writes would
//! hide it (`scripts/bench-gateway.sh` measures intake with photos). It prints figures and never
//! fails on a missed goal.
//!
//! Options: `--clients N` (32), `--seconds N` (measured per figure, 8), `--sites N` (550).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "shared/timing.rs"]
mod timing;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{simulator, valid_report_json, Role, Spawn, TempDir};
use timing::{ms, percentile};

/// Requests before measuring, so connection setup is not counted.
const WARMUP: Duration = Duration::from_secs(2);

struct Options {
    clients: usize,
    seconds: u64,
    sites: usize,
}

fn options() -> Options {
    let mut o = Options {
        clients: 32,
        seconds: 8,
        sites: 550,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--clients" => o.clients = value.parse().unwrap_or(o.clients).clamp(1, 512),
            "--seconds" => o.seconds = value.parse().unwrap_or(o.seconds).clamp(1, 30),
            "--sites" => o.sites = value.parse().unwrap_or(o.sites).clamp(1, 552),
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    o
}

/// A sites file of `n` sites: the provinces first, then the regencies, each with one origin.
fn sites_file(n: usize) -> (String, Vec<String>) {
    let codes = lapor_core::region::provinces()
        .iter()
        .chain(lapor_core::region::regencies())
        .map(|r| r.code)
        .take(n);
    let mut text = String::new();
    let mut origins = Vec::new();
    for (i, code) in codes.enumerate() {
        let origin = format!("https://pemda-{i:03}.example.go.id");
        text.push_str(&format!(
            "[[site]]\nid = \"pemda-{i:03}\"\nname = \"Pemda uji {i:03}\"\n\
             origins = [\"{origin}\"]\nregion_code = \"{code}\"\n\n"
        ));
        origins.push(origin);
    }
    (text, origins)
}

/// One figure: successful requests per second and their p99, and how many failed.
#[derive(Clone, Copy)]
struct Figure {
    rate: f64,
    p99: Duration,
    failed: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Call {
    Config,
    Report,
}

/// `clients` loops of `call` for the warm-up, then `seconds` measured; origins in turn.
async fn measure(base: &str, origins: Arc<Vec<String>>, call: Call, o: &Options) -> Figure {
    let client = common::client();
    let report = Arc::new(valid_report_json().to_string());
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::with_capacity(65_536)));
    let failed = Arc::new(AtomicUsize::new(0));
    let run = std::process::id();
    let mut tasks = Vec::new();
    for _ in 0..o.clients {
        let (client, report, origins, base) = (
            client.clone(),
            report.clone(),
            origins.clone(),
            base.to_owned(),
        );
        let (measuring, stop, next, latencies, failed) = (
            measuring.clone(),
            stop.clone(),
            next.clone(),
            latencies.clone(),
            failed.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let origin = &origins[i % origins.len()];
                let counted = measuring.load(Ordering::Relaxed);
                let started = Instant::now();
                let ok = match call {
                    Call::Config => client
                        .get(format!("{base}/api/v1/config"))
                        .header("Origin", origin)
                        .send()
                        .await
                        .map(|r| r.status().as_u16() == 200)
                        .unwrap_or(false),
                    Call::Report => {
                        let part = reqwest::multipart::Part::bytes(report.as_bytes().to_vec())
                            .mime_str("application/json")
                            .expect("mime");
                        client
                            .post(format!("{base}/api/v1/reports"))
                            .header("Origin", origin)
                            .header("Idempotency-Key", format!("sites-{run}-{i}"))
                            .multipart(reqwest::multipart::Form::new().part("report", part))
                            .send()
                            .await
                            .map(|r| r.status().as_u16() == 201)
                            .unwrap_or(false)
                    }
                };
                let took = started.elapsed();
                if !counted || stop.load(Ordering::Relaxed) {
                    continue;
                }
                if ok {
                    latencies.lock().unwrap().push(took);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(WARMUP).await;
    measuring.store(true, Ordering::Relaxed);
    let window = Instant::now();
    tokio::time::sleep(Duration::from_secs(o.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = window.elapsed();
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
    }
    let mut lat = std::mem::take(&mut *latencies.lock().unwrap());
    lat.sort();
    Figure {
        rate: lat.len() as f64 / elapsed.as_secs_f64(),
        p99: percentile(&lat, 99.0),
        failed: failed.load(Ordering::Relaxed),
    }
}

/// Both figures for one gateway: with `sites` as its sites file (`None`: the one test origin).
async fn run(
    sim_base: &str,
    sites: Option<&str>,
    origins: Vec<String>,
    o: &Options,
) -> [Figure; 2] {
    let data = TempDir::new("lapor-bench-sites");
    // As the tests' gateway, but a report LAPOR! refused waits ten minutes before its retry:
    // with the simulator down, each report costs one forwarding attempt, not one a second.
    let mut spawn = Spawn::new(Role::Gateway).args([
        "--data-dir",
        &data.join("gateway").display().to_string(),
        "--upstream-url",
        sim_base,
        "--allow-insecure-upstream",
        "--allow-origin",
        common::ORIGIN,
        "--rate-limit-per-minute",
        "0",
        "--max-uploads-per-address",
        "0",
        "--retry-base-ms",
        "600000",
        "--retry-max-ms",
        "600000",
    ]);
    if let Some(text) = sites {
        let file = data.join("sites.toml");
        std::fs::write(&file, text).expect("sites file");
        spawn = spawn.args(["--sites-file", &file.display().to_string()]);
    }
    let gw = spawn.spawn().await;
    let origins = Arc::new(origins);
    let config = measure(&gw.base, origins.clone(), Call::Config, o).await;
    let report = measure(&gw.base, origins, Call::Report, o).await;
    drop(gw);
    [config, report]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let started = Instant::now();
    println!(
        "LAPOR! gateway scale check: 1 site vs {} sites (binary {})",
        o.sites,
        common::binary().display()
    );
    println!(
        "{} clients; each figure {} s measured after {WARMUP:?} warm-up; reports without \
         attachments; LAPOR! simulator down (intake alone)",
        o.clients, o.seconds
    );
    let sim = simulator().args(["--down"]).spawn().await;
    let (text, origins) = sites_file(o.sites);
    let single = run(&sim.base, None, vec![common::ORIGIN.to_owned()], &o).await;
    let many = run(&sim.base, Some(&text), origins, &o).await;

    println!();
    println!(
        "{:<28} {:>16} {:>16} {:>8}",
        "",
        "1 site",
        format!("{} sites", o.sites),
        "ratio"
    );
    for (i, name) in ["GET /api/v1/config", "POST /api/v1/reports"]
        .iter()
        .enumerate()
    {
        let (a, b) = (single[i], many[i]);
        println!(
            "{:<28} {:>16} {:>16} {:>7.2}x",
            format!("{name} req/s"),
            format!("{:.0}", a.rate),
            format!("{:.0}", b.rate),
            if a.rate > 0.0 { b.rate / a.rate } else { 0.0 }
        );
        println!(
            "{:<28} {:>16} {:>16} {:>7.2}x",
            format!("{name} p99 ms"),
            format!("{:.1}", ms(a.p99)),
            format!("{:.1}", ms(b.p99)),
            if a.p99 > Duration::ZERO {
                b.p99.as_secs_f64() / a.p99.as_secs_f64()
            } else {
                0.0
            }
        );
        if a.failed + b.failed > 0 {
            println!(
                "  {name}: {} and {} requests not answered 200/201",
                a.failed, b.failed
            );
        }
    }
    let rate_kept = (0..2).all(|i| many[i].rate >= 0.8 * single[i].rate);
    println!();
    println!(
        "goal {} sites keep >= 0.8x the single-site throughput: {}",
        o.sites,
        if rate_kept { "PASS" } else { "MISS" }
    );
    println!("total run time: {:.1} s", started.elapsed().as_secs_f64());
    drop(sim);
}

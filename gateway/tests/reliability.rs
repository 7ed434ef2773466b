//! The gateway never loses a report it answered `201` for: not when it is killed with
//! SIGKILL in the middle of a burst, and not while LAPOR! (here: the LAPOR! simulator, a
//! separate process) is down or failing half of its calls. Real processes, real HTTP on
//! loopback, real disk; every wait is bounded.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{gateway, simulator, valid_report_json, Attachment, Posted};
use serde_json::{json, Value};

/// One report of a burst: its key, its files, and what the gateway answered (if anything).
struct Sent {
    key: String,
    attachments: Vec<Attachment>,
    answer: Option<Posted>,
}

/// Posts reports `range` with `concurrency` clients; `acked` counts the 201s as they come.
async fn burst(
    base: &str,
    prefix: &str,
    range: std::ops::Range<usize>,
    concurrency: usize,
    acked: Arc<AtomicUsize>,
) -> Vec<Sent> {
    let client = common::client();
    let report = valid_report_json();
    let next = Arc::new(AtomicUsize::new(range.start));
    let out = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, report, next, out, acked) = (
            client.clone(),
            report.clone(),
            next.clone(),
            out.clone(),
            acked.clone(),
        );
        let base = base.to_owned();
        let prefix = prefix.to_owned();
        let end = range.end;
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                let key = format!("{prefix}-{i}-{}", std::process::id());
                let attachments = common::attachments_for(i);
                let answer = common::post_report(&client, &base, &key, &report, &attachments)
                    .await
                    .ok();
                if answer.as_ref().map(|a| a.status) == Some(201) {
                    acked.fetch_add(1, Ordering::Relaxed);
                }
                out.lock().unwrap().push(Sent {
                    key,
                    attachments,
                    answer,
                });
            }
        }));
    }
    for w in workers {
        w.await.expect("client task");
    }
    let mut sent = std::mem::take(&mut *out.lock().unwrap());
    sent.sort_by(|a, b| a.key.cmp(&b.key));
    sent
}

/// Polls the simulator until every tracking id has arrived or `timeout` passes; the last list.
async fn wait_all_upstream(sim_base: &str, ids: &HashSet<String>, timeout: Duration) -> Vec<Value> {
    let client = common::client();
    let deadline = Instant::now() + timeout;
    loop {
        let list = common::simulator_complaints(&client, sim_base).await;
        let arrived: HashSet<String> = common::count_by_request_id(&list).into_keys().collect();
        if ids.is_subset(&arrived) || Instant::now() > deadline {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Polls the gateway until every report reads `forwarded` or `timeout` passes; those that do not.
async fn wait_all_forwarded(
    gw_base: &str,
    ids: &HashSet<String>,
    timeout: Duration,
) -> Vec<(String, u16, Value)> {
    let client = common::client();
    let deadline = Instant::now() + timeout;
    loop {
        let mut pending = Vec::new();
        for id in ids {
            let (status, body) = common::get_report(&client, gw_base, id)
                .await
                .expect("status call");
            if status != 200 || body["status"] != "forwarded" {
                pending.push((id.clone(), status, body));
            }
        }
        if pending.is_empty() || Instant::now() > deadline {
            return pending;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Complaints upstream whose attachment count differs from what the client sent.
fn attachment_mismatches(sent: &[Sent], list: &[Value]) -> Vec<String> {
    let expected: HashMap<String, usize> = sent
        .iter()
        .filter_map(|s| {
            let id = s.answer.as_ref().and_then(Posted::tracking_id)?;
            Some((id, s.attachments.len()))
        })
        .collect();
    list.iter()
        .filter_map(|c| {
            let id = c["request_id"].as_str()?;
            let got = c["attachments"].as_array().map_or(0, Vec::len);
            let want = *expected.get(id)?;
            (got != want).then(|| format!("{id}: {got} attachments upstream, {want} sent"))
        })
        .collect()
}

fn missing_upstream(ids: &HashSet<String>, list: &[Value]) -> Vec<String> {
    let arrived = common::count_by_request_id(list);
    let mut missing: Vec<String> = ids
        .iter()
        .filter(|id| !arrived.contains_key(*id))
        .cloned()
        .collect();
    missing.sort();
    missing
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_loss_under_crash() {
    const REPORTS: usize = 300;
    const KILL_AFTER: usize = 100;
    let started = Instant::now();
    let sim = simulator().spawn().await;
    let data = common::TempDir::new("lapor-gw-crash");
    let mut gw = gateway(data.path(), &sim.base).spawn().await;
    let client = common::client();

    // The burst runs in the background; the gateway is killed once a third has been answered.
    let acked = Arc::new(AtomicUsize::new(0));
    let burst_task = {
        let (base, acked) = (gw.base.clone(), acked.clone());
        tokio::spawn(async move { burst(&base, "crash", 0..REPORTS, 32, acked).await })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.load(Ordering::Relaxed) < KILL_AFTER && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        acked.load(Ordering::Relaxed) >= KILL_AFTER,
        "gateway too slow: {} answers in 60 s",
        acked.load(Ordering::Relaxed)
    );
    gw.kill();
    let killed_at = started.elapsed();
    let mut sent = burst_task.await.expect("burst");

    // What LAPOR! had before the restart: the only reports that may legitimately arrive twice
    // are among these (created upstream, but the kill came before the gateway recorded it).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before_restart: HashSet<String> =
        common::count_by_request_id(&common::simulator_complaints(&client, &sim.base).await)
            .into_keys()
            .collect();

    for s in &sent {
        if let Some(a) = &s.answer {
            assert_eq!(a.status, 201, "{}: unexpected answer {:?}", s.key, a.body);
        }
    }
    let acked_before: Vec<(String, String)> = sent
        .iter()
        .filter_map(|s| {
            s.answer
                .as_ref()
                .and_then(Posted::tracking_id)
                .map(|t| (s.key.clone(), t))
        })
        .collect();

    let gw = gateway(data.path(), &sim.base).spawn().await;

    // Every 201 from before the kill is still known to the restarted gateway.
    for (key, tracking_id) in &acked_before {
        let (status, body) = common::get_report(&client, &gw.base, tracking_id)
            .await
            .expect("status");
        assert_eq!(
            status, 200,
            "{key} ({tracking_id}) got 201 but is gone after the crash: {body}"
        );
        assert_eq!(body["tracking_id"], tracking_id.as_str());
    }

    // The widget re-sends what got no answer, with the same Idempotency-Key: 201 if the
    // gateway never stored it, 200 with the first answer if it had.
    let report = valid_report_json();
    let mut stored_but_unanswered = 0;
    for s in sent.iter_mut().filter(|s| s.answer.is_none()) {
        let again = common::post_report(&client, &gw.base, &s.key, &report, &s.attachments)
            .await
            .expect("re-send");
        assert!(
            again.status == 201 || again.status == 200,
            "{}: re-send answered {} {:?}",
            s.key,
            again.status,
            again.body
        );
        if again.status == 200 {
            stored_but_unanswered += 1;
        }
        s.answer = Some(again);
    }
    let all: HashSet<String> = sent
        .iter()
        .filter_map(|s| s.answer.as_ref().and_then(Posted::tracking_id))
        .collect();
    assert_eq!(
        all.len(),
        REPORTS,
        "every report has exactly one tracking id"
    );

    let list = wait_all_upstream(&sim.base, &all, Duration::from_secs(60)).await;
    let missing = missing_upstream(&all, &list);
    assert!(
        missing.is_empty(),
        "{} reports never reached the simulator, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let pending = wait_all_forwarded(&gw.base, &all, Duration::from_secs(30)).await;
    assert!(
        pending.is_empty(),
        "{} reports not `forwarded`, e.g. {:?}",
        pending.len(),
        pending.first()
    );

    let wrong_files = attachment_mismatches(&sent, &list);
    assert!(
        wrong_files.is_empty(),
        "attachments lost or added: {wrong_files:?}"
    );
    let counts = common::count_by_request_id(&list);
    let unknown: Vec<&String> = counts.keys().filter(|id| !all.contains(*id)).collect();
    assert!(
        unknown.is_empty(),
        "complaints upstream that no client sent: {unknown:?}"
    );
    let duplicated: HashMap<&String, usize> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, n)| (k, *n))
        .collect();
    let duplicates: usize = duplicated.values().map(|n| n - 1).sum();
    println!(
        "crash: {REPORTS} reports, 32 clients; SIGKILL at {killed_at:?} after {} answers ({} 201s before the kill); \
         {} unanswered re-sent ({} of them already stored: 200); {} complaints upstream; \
         duplicates upstream: {duplicates}; total {:?}",
        acked.load(Ordering::Relaxed),
        acked_before.len(),
        REPORTS - acked_before.len(),
        stored_but_unanswered,
        list.len(),
        started.elapsed()
    );
    for (id, n) in &duplicated {
        assert_eq!(
            *n, 2,
            "{id} arrived {n} times: a report may be duplicated by one crash at most once"
        );
        assert!(
            before_restart.contains(*id),
            "{id} was duplicated but had not reached LAPOR! before the kill: a duplicate not caused by the crash"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_loss_under_outage() {
    let started = Instant::now();
    let sim_data = common::TempDir::new("lapor-sim-outage");
    let sim_dir = sim_data.path().display().to_string();
    let mut sim = simulator().args(["--data-dir", &sim_dir]).spawn().await;
    let sim_addr = sim.addr;
    let sim_base = sim.base.clone();
    let data = common::TempDir::new("lapor-gw-outage");
    let gw = gateway(data.path(), &sim_base).spawn().await;
    let client = common::client();
    let acked = Arc::new(AtomicUsize::new(0));
    let mut all = Vec::new();

    // 1. LAPOR! answers 503 to everything: the gateway still takes every report.
    common::set_faults(&client, &sim_base, json!({"down": true})).await;
    all.extend(burst(&gw.base, "down", 0..40, 8, acked.clone()).await);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        common::simulator_complaints(&client, &sim_base)
            .await
            .is_empty(),
        "nothing passes a simulator that is down"
    );

    // 2. LAPOR! is gone altogether (connection refused).
    sim.kill();
    all.extend(burst(&gw.base, "gone", 40..60, 8, acked.clone()).await);

    // 3. LAPOR! is back but fails half of its calls, for a few seconds.
    let sim = simulator()
        .addr(sim_addr)
        .args(["--data-dir", &sim_dir, "--error-rate", "0.5"])
        .spawn()
        .await;
    all.extend(burst(&gw.base, "flaky", 60..100, 8, acked.clone()).await);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let during = common::simulator_complaints(&client, &sim.base).await.len();

    for s in &all {
        let a = s
            .answer
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no answer during the outage", s.key));
        assert_eq!(
            a.status, 201,
            "{}: answered {} {:?} during the outage",
            s.key, a.status, a.body
        );
    }
    let ids: HashSet<String> = all
        .iter()
        .filter_map(|s| s.answer.as_ref().and_then(Posted::tracking_id))
        .collect();
    assert_eq!(ids.len(), 100);

    // 4. Recovery: everything arrives, once.
    common::set_faults(&client, &sim.base, json!({"error_rate": 0.0})).await;
    let list = wait_all_upstream(&sim.base, &ids, Duration::from_secs(60)).await;
    let missing = missing_upstream(&ids, &list);
    assert!(
        missing.is_empty(),
        "{} reports never arrived after recovery, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let pending = wait_all_forwarded(&gw.base, &ids, Duration::from_secs(30)).await;
    assert!(
        pending.is_empty(),
        "{} reports not `forwarded`, e.g. {:?}",
        pending.len(),
        pending.first()
    );
    let wrong_files = attachment_mismatches(&all, &list);
    assert!(
        wrong_files.is_empty(),
        "attachments lost or added: {wrong_files:?}"
    );
    let counts = common::count_by_request_id(&list);
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    println!(
        "outage: 100 reports all answered 201 (40 while down, 20 while gone, 40 at 50% errors); \
         {during} had arrived during the 50% phase; {} complaints after recovery; duplicates upstream: {duplicates}; \
         total {:?}",
        list.len(),
        started.elapsed()
    );
    // Injected faults fail a call before the simulator does anything, so an outage alone
    // can never cause a duplicate.
    assert_eq!(
        duplicates,
        0,
        "duplicates without a crash: {:?}",
        counts.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    assert_eq!(list.len(), 100);
}

common::on_postgres_too!(no_loss_under_crash, no_loss_under_outage,);

//! Two gateways on one PostgreSQL under load from 32 clients: one gateway is killed with
//! SIGKILL and restarted, then the PostgreSQL server itself is restarted, both during the
//! load. Every report a client was told `201` (or `200`, its earlier answer) reaches the
//! LAPOR! simulator with its files; duplicates upstream are counted: no more than the kills
//! (one: a gateway creates one complaint at a time, `--create-concurrency 1`, its default,
//! while it forwards eight reports), none from the database's restart; while the
//! database is away intake answers `503` with `Retry-After`, never `500`, and takes reports
//! again by itself once the database is back.
//!
//! The test restarts its database server, so it runs on a PostgreSQL cluster of its own
//! (`scripts/pg.sh start`), not the shared one of `LAPOR_TEST_DATABASE_URL`; like the other
//! PostgreSQL tests it is skipped with a notice when that variable is unset, and fails then
//! under `CI=true`. Every wait is bounded.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{gateway, pg, simulator, valid_report_json, Cluster, TempDir};
use serde_json::Value;

/// One report: its key, its files, which gateway its client posts to, and the answer that
/// ended its tries (`None`: none came within the client's patience).
struct Sent {
    key: String,
    files: usize,
    gateway: usize,
    answer: Option<(u16, Value)>,
}

/// What the clients saw, as it happens.
#[derive(Default)]
struct Seen {
    /// `201`s per gateway (0 = A, 1 = B), with the instant of each.
    created: [Mutex<Vec<Instant>>; 2],
    /// `503`s with a `Retry-After` header.
    unavailable: AtomicUsize,
    /// `503`s without one.
    unavailable_bare: AtomicUsize,
    /// Requests that got no HTTP answer (the gateway killed, or not yet back).
    no_answer: AtomicUsize,
    /// Any other answer: (key, status, body).
    unexpected: Mutex<Vec<(String, u16, Value)>>,
}

impl Seen {
    fn created(&self) -> usize {
        self.created.iter().map(|c| c.lock().unwrap().len()).sum()
    }

    fn created_since(&self, gateway: usize, since: Instant) -> usize {
        self.created[gateway]
            .lock()
            .unwrap()
            .iter()
            .filter(|t| **t >= since)
            .count()
    }
}

/// One client: takes report numbers until `stop`, posts each to its gateway and tries again
/// with the same `Idempotency-Key` (as the widget does) after no answer or a `503`, for at
/// most 60 s per report.
async fn client_loop(
    base: String,
    gateway: usize,
    next: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    seen: Arc<Seen>,
) -> Vec<Sent> {
    let client = common::client();
    let report = valid_report_json();
    let mut sent = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let key = format!("two-crash-{i}-{}", std::process::id());
        let attachments = common::attachments_for(i);
        let patience = Instant::now() + Duration::from_secs(60);
        let mut answer = None;
        while Instant::now() < patience {
            let resp = client
                .post(format!("{base}/api/v1/reports"))
                .header("Idempotency-Key", &key)
                .header("Origin", common::ORIGIN)
                .multipart(common::report_form(&report, &attachments))
                .timeout(Duration::from_secs(20))
                .send()
                .await;
            let resp = match resp {
                Ok(resp) => resp,
                Err(_) => {
                    seen.no_answer.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let retry_after = resp.headers().contains_key("retry-after");
            let body: Value = match resp.bytes().await {
                Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                Err(_) => {
                    seen.no_answer.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            match status {
                201 | 200 => {
                    if status == 201 {
                        seen.created[gateway].lock().unwrap().push(Instant::now());
                    }
                    answer = Some((status, body));
                    break;
                }
                503 => {
                    if retry_after {
                        seen.unavailable.fetch_add(1, Ordering::Relaxed);
                    } else {
                        seen.unavailable_bare.fetch_add(1, Ordering::Relaxed);
                    }
                    // Shorter than the Retry-After asks, to keep the test brief.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                _ => {
                    seen.unexpected
                        .lock()
                        .unwrap()
                        .push((key.clone(), status, body.clone()));
                    answer = Some((status, body));
                    break;
                }
            }
        }
        sent.push(Sent {
            key,
            files: attachments.len(),
            gateway,
            answer,
        });
    }
    sent
}

/// Waits (at most `timeout`) until `ready` holds.
async fn wait_until(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while !ready() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

#[test]
fn two_instances_one_killed_and_the_database_restarted_lose_nothing() {
    const TEST: &str = "two_instances_one_killed_and_the_database_restarted_lose_nothing";
    if std::env::var(common::DATABASE_URL_VAR)
        .unwrap_or_default()
        .is_empty()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{TEST} on PostgreSQL cannot run: {} is not set (scripts/test.sh starts a \
             throwaway PostgreSQL and sets it)",
            common::DATABASE_URL_VAR
        );
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {TEST} on PostgreSQL ({} is not set; scripts/test.sh starts a \
             throwaway PostgreSQL and sets it)",
            common::DATABASE_URL_VAR
        );
        return;
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(crash_two_instances());
}

async fn upstream_ids(client: &reqwest::Client, sim_base: &str) -> HashSet<String> {
    common::count_by_request_id(&common::simulator_complaints(client, sim_base).await)
        .into_keys()
        .collect()
}

async fn crash_two_instances() {
    const CLIENTS: usize = 32;
    // The gateway's defaults: reports forwarded at the same time (`--forward-concurrency`),
    // and of those, complaints being created until their id is recorded
    // (`--create-concurrency`): as many as that may be between LAPOR!'s answer and its record
    // when an instance is killed.
    const FORWARD_CONCURRENCY: usize = 8;
    const CREATE_CONCURRENCY: usize = 1;
    const KILLS: usize = 1;
    let started = Instant::now();
    let cluster = Cluster::start();
    let sim = simulator().spawn().await;
    let (data_a, data_b) = (TempDir::new("gw-crash2-a"), TempDir::new("gw-crash2-b"));
    // Both on the cluster's one database, with an upstream timeout of 5 s: a call the kill
    // or the database's restart leaves unanswered is over quickly.
    let store = [
        "--database-url",
        &cluster.url,
        "--upstream-timeout-secs",
        "5",
    ];
    let spawn_a = || gateway(data_a.path(), &sim.base).args(store);
    let mut a = spawn_a().spawn().await;
    let key_file = data_a.join("identity.key").display().to_string();
    let b = gateway(data_b.path(), &sim.base)
        .args(store)
        .args(["--encryption-key-file", &key_file])
        .spawn()
        .await;
    let a_addr = a.addr;

    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Seen::default());
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let which = c % 2;
            let base = if which == 0 {
                a.base.clone()
            } else {
                b.base.clone()
            };
            tokio::spawn(client_loop(
                base,
                which,
                next.clone(),
                stop.clone(),
                seen.clone(),
            ))
        })
        .collect();
    let stop_all = |why: &str| {
        stop.store(true, Ordering::Relaxed);
        why.to_owned()
    };

    // 1. A is killed once 60 reports are in, and restarted on its data directory and port.
    let progressed = wait_until(Duration::from_secs(60), || seen.created() >= 60).await;
    assert!(progressed, "{}", stop_all("fewer than 60 201s in 60 s"));
    a.kill();
    let killed_at = started.elapsed();
    let created_at_kill = seen.created();
    let sim_client = common::client();
    // What LAPOR! holds as A dies: a report the kill duplicates is among these.
    let upstream_at_kill = upstream_ids(&sim_client, &sim.base).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let a = spawn_a().addr(a_addr).spawn().await;
    let restarted_at = started.elapsed();

    // 2. Once 60 more are in, the PostgreSQL server is stopped for 5 s and started again.
    let mark = seen.created();
    let progressed = wait_until(Duration::from_secs(60), || seen.created() >= mark + 60).await;
    assert!(
        progressed,
        "{}",
        stop_all("fewer than 60 201s after the restart of A")
    );
    let unavailable_before = seen.unavailable.load(Ordering::Relaxed);
    let db_down_at = started.elapsed();
    let restart = {
        let cluster_dir = cluster.dir.clone();
        // Stopped fast (its connections ended), down 5 s, started on the same port.
        tokio::task::spawn_blocking(move || pg(&["restart", &cluster_dir, "5"]))
    };
    restart.await.expect("database restart");
    // What LAPOR! holds as the database returns: a report the restart duplicates is among
    // these (created while the record of it could not be written).
    let upstream_at_db_up = upstream_ids(&sim_client, &sim.base).await;
    let db_up = Instant::now();
    let db_up_at = started.elapsed();
    let unavailable_during = seen.unavailable.load(Ordering::Relaxed) - unavailable_before;

    // 3. Intake recovers by itself: both gateways (neither restarted) answer 201 again.
    let recovered = wait_until(Duration::from_secs(60), || {
        seen.created_since(0, db_up) >= 10 && seen.created_since(1, db_up) >= 10
    })
    .await;
    let recovered_after = db_up.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut sent = Vec::new();
    for c in clients {
        sent.extend(c.await.expect("client task"));
    }
    let load_ended_at = started.elapsed();
    assert!(
        recovered,
        "intake did not recover by itself within 60 s of the database's return: 201s since \
         then on A {}, on B {}\n--- A ---\n{}\n--- B ---\n{}",
        seen.created_since(0, db_up),
        seen.created_since(1, db_up),
        a.log_tail(3000),
        b.log_tail(3000)
    );
    let unexpected = seen.unexpected.lock().unwrap().clone();
    assert!(
        unexpected.is_empty(),
        "answers other than 201/200/503: {:?}",
        &unexpected[..unexpected.len().min(5)]
    );
    assert_eq!(
        seen.unavailable_bare.load(Ordering::Relaxed),
        0,
        "503 without Retry-After"
    );
    assert!(
        unavailable_during > 0,
        "no 503 with Retry-After while the database was away"
    );
    let unanswered: Vec<&str> = sent
        .iter()
        .filter(|s| s.answer.is_none())
        .map(|s| s.key.as_str())
        .collect();
    assert!(
        unanswered.is_empty(),
        "reports never answered within 60 s of tries: {unanswered:?}"
    );

    // 4. Every report answered 201 or 200 reaches LAPOR!, with its files.
    let expected: HashMap<String, usize> = sent
        .iter()
        .filter_map(|s| {
            let (_, body) = s.answer.as_ref()?;
            let id = body.get("tracking_id")?.as_str()?.to_owned();
            Some((id, s.files))
        })
        .collect();
    assert_eq!(expected.len(), sent.len(), "one tracking id per report");
    let ids: HashSet<String> = expected.keys().cloned().collect();
    let drain_started = Instant::now();
    let deadline = drain_started + Duration::from_secs(120);
    let client = common::client();
    let list = loop {
        let list = common::simulator_complaints(&client, &sim.base).await;
        let arrived: HashSet<String> = common::count_by_request_id(&list).into_keys().collect();
        if ids.is_subset(&arrived) || Instant::now() > deadline {
            break list;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let drained_in = drain_started.elapsed();
    let counts = common::count_by_request_id(&list);
    let mut missing: Vec<&String> = ids.iter().filter(|id| !counts.contains_key(*id)).collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged reports never reached the LAPOR! simulator in 120 s, e.g. {:?}",
        missing.len(),
        ids.len(),
        &missing[..missing.len().min(5)]
    );
    let wrong_files: Vec<String> = list
        .iter()
        .filter_map(|c| {
            let id = c["request_id"].as_str()?;
            let got = c["attachments"].as_array().map_or(0, Vec::len);
            let want = *expected.get(id)?;
            (got != want).then(|| format!("{id}: {got} attachments upstream, {want} sent"))
        })
        .collect();
    assert!(
        wrong_files.is_empty(),
        "attachments lost or added: {wrong_files:?}"
    );
    let unknown: Vec<&String> = counts.keys().filter(|id| !ids.contains(*id)).collect();
    assert!(
        unknown.is_empty(),
        "complaints upstream that no client sent: {unknown:?}"
    );

    // 5. Duplicates: a report created at LAPOR! whose record the kill (or the database's
    // restart) interrupted is created again by the next attempt.
    let duplicated: Vec<(&String, &usize)> = counts.iter().filter(|(_, n)| **n > 1).collect();
    let duplicates: usize = duplicated.iter().map(|(_, n)| **n - 1).sum();
    let by_kill = duplicated
        .iter()
        .filter(|(id, _)| upstream_at_kill.contains(*id))
        .count();
    let created = sent
        .iter()
        .filter(|s| matches!(s.answer, Some((201, _))))
        .count();
    let per_gateway = |g: usize| sent.iter().filter(|s| s.gateway == g).count();
    println!(
        "crash, two instances: {} reports from {CLIENTS} clients (A {}, B {}); {created} answered \
         201, {} answered 200 on a retry; SIGKILL of A at {killed_at:?} after {created_at_kill} \
         201s, A back at {restarted_at:?}; {} requests without an answer; database stopped at \
         {db_down_at:?}, back at {db_up_at:?}: {unavailable_during} 503s with Retry-After \
         ({} in all), 10 201s on each instance {recovered_after:?} after its return; load over \
         at {load_ended_at:?}; {} complaints at the LAPOR! simulator, all acknowledged reports \
         there {drained_in:?} after the load; duplicates upstream: {duplicates} \
         ({by_kill} from the kill of A, {} from the database's restart); total {:?}",
        sent.len(),
        per_gateway(0),
        per_gateway(1),
        sent.len() - created,
        seen.no_answer.load(Ordering::Relaxed),
        seen.unavailable.load(Ordering::Relaxed),
        list.len(),
        duplicates - by_kill,
        started.elapsed()
    );
    // A kill duplicates a report at most once, and only one LAPOR! already held when it
    // came; at most the creates of A then in flight, one, of its eight forwards: no more
    // duplicates than kills. The database's restart duplicates
    // none: a step LAPOR! has carried out waits for the database to record it (the attempt's
    // lease keeps the report from the other instance meanwhile).
    for (id, n) in &duplicated {
        assert_eq!(**n, 2, "{id} arrived {n} times");
        assert!(
            upstream_at_kill.contains(*id) || upstream_at_db_up.contains(*id),
            "{id} was duplicated but was not at LAPOR! at the kill or the database's return"
        );
    }
    assert!(
        by_kill <= KILLS * CREATE_CONCURRENCY,
        "{by_kill} duplicates from {KILLS} kill: more than the kills ({CREATE_CONCURRENCY} \
         create at a time of {FORWARD_CONCURRENCY} forwards)"
    );
    assert_eq!(
        duplicates - by_kill,
        0,
        "the database's restart duplicated reports: a step LAPOR! carried out was not recorded"
    );
    drop((a, b));
}

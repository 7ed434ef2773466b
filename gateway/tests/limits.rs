//! Intake limits over real HTTP against the real binary: stalled bodies are cut off, uploads in
//! progress are capped (globally and per address), `X-Forwarded-For` counts only from trusted
//! proxies, a disk below its floor refuses intake, and a shutdown does not wait for ever.
//!
//! Run: `cargo test -p lapor-gateway --test limits`

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{client, gateway, post_report, report_form, small_jpeg, Attachment, TempDir, ORIGIN};
use serde_json::{json, Value};

const MIB: usize = 1024 * 1024;

fn key(name: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{name}-{}-{n}", std::process::id())
}

/// The start of a multipart report body: the `report` part, then an attachment part whose
/// bytes follow (a PDF, padded to `len` bytes in all).
fn body_start(len: usize) -> Vec<u8> {
    let mut body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n{}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.4\n",
        common::valid_report_json()
    )
    .into_bytes();
    body.resize(len, b'a');
    body
}

/// An upload that declares `declared` bytes of body, sends the first `body.len()` and then
/// stops, its connection left open.
fn stalled_upload(addr: SocketAddr, declared: usize, body: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /api/v1/reports HTTP/1.1\r\nHost: {addr}\r\nIdempotency-Key: {}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: {declared}\r\n\r\n",
        key("stalled")
    );
    stream.write_all(head.as_bytes()).unwrap();
    for chunk in body.chunks(64 * 1024) {
        stream.write_all(chunk).unwrap();
    }
    stream
}

/// Reads until the server closes the connection (or `timeout` passes): what it said, and
/// whether it closed.
fn read_to_close(stream: &mut TcpStream, timeout: Duration) -> (String, bool) {
    stream.set_read_timeout(Some(timeout)).unwrap();
    let mut answer = Vec::new();
    let closed = match stream.read_to_end(&mut answer) {
        Ok(_) => true,
        // A reset after the answer is a close too.
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    };
    (String::from_utf8_lossy(&answer).into_owned(), closed)
}

/// A value of the process's `/proc/<pid>/status` (`VmRSS`, `VmHWM`), in KiB.
fn proc_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

async fn post_small(base: &str) -> (u16, Value) {
    let posted = post_report(
        &client(),
        base,
        &key("fresh"),
        &common::valid_report_json(),
        &[Attachment::jpeg("foto.jpg", small_jpeg(7))],
    )
    .await
    .expect("answer");
    (posted.status, posted.body)
}

/// Posts a small report (with `X-Forwarded-For` when given): status, `Retry-After`, body.
async fn post_raw(base: &str, forwarded_for: Option<&str>) -> (u16, Option<u64>, Value) {
    let mut request = client()
        .post(format!("{base}/api/v1/reports"))
        .header("Origin", ORIGIN)
        .header("Idempotency-Key", key("raw"))
        .multipart(report_form(&common::valid_report_json(), &[]));
    if let Some(xff) = forwarded_for {
        request = request.header("X-Forwarded-For", xff);
    }
    let response = request.send().await.expect("answer");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, retry, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_stalled_uploads_are_cut_off_memory_stays_bounded_and_intake_goes_on() {
    const UPLOADS: usize = 40;
    let data = TempDir::new("gw-limits-stall");
    // 40 uploads from one address: the per-address cap must let them all in for this test.
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--body-stall-secs", "3", "--max-uploads-per-address", "64"])
        .spawn()
        .await;
    let pid = gw.pid().unwrap();
    let rss_before = proc_kib(pid, "VmRSS");

    // 8 MiB sent of a declared 9 MiB, within the body limit (13 MiB by default).
    let body = Arc::new(body_start(8 * MIB));
    let (sent_tx, sent_rx) = std::sync::mpsc::channel();
    let threads: Vec<_> = (0..UPLOADS)
        .map(|_| {
            let body = body.clone();
            let sent_tx = sent_tx.clone();
            let addr = gw.addr;
            std::thread::spawn(move || {
                let mut stream = stalled_upload(addr, 9 * MIB, &body);
                let stopped = Instant::now();
                sent_tx.send(()).unwrap();
                let (answer, closed) = read_to_close(&mut stream, Duration::from_secs(60));
                (stopped.elapsed(), answer, closed)
            })
        })
        .collect();
    for _ in 0..UPLOADS {
        sent_rx.recv_timeout(Duration::from_secs(120)).unwrap();
    }
    let rss_stalled = proc_kib(pid, "VmRSS");

    // Meanwhile, a citizen's report goes through.
    let (status, fresh) = post_small(&gw.base).await;
    assert_eq!(status, 201, "{fresh}");

    let mut closes = Vec::new();
    for thread in threads {
        let (elapsed, answer, closed) = thread.join().unwrap();
        assert!(closed, "still open after {elapsed:?}: {answer:?}");
        assert!(
            elapsed < Duration::from_secs(60),
            "closed after {elapsed:?}"
        );
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
        assert!(answer.contains(r#"{"error":"body_timeout"}"#), "{answer:?}");
        closes.push(elapsed.as_secs_f64());
    }
    let rss_after = proc_kib(pid, "VmRSS");
    let peak = proc_kib(pid, "VmHWM");
    closes.sort_by(f64::total_cmp);
    println!(
        "{UPLOADS} stalled uploads closed {:.1}-{:.1} s after they stopped (stall time 3 s); \
         gateway VmRSS {} MiB before, {} MiB with all stalled, {} MiB after, peak {} MiB",
        closes[0],
        closes[UPLOADS - 1],
        rss_before >> 10,
        rss_stalled >> 10,
        rss_after >> 10,
        peak >> 10
    );
    assert!(
        peak.saturating_sub(rss_before) < 300 * 1024,
        "memory grew by {} MiB",
        (peak - rss_before) >> 10
    );
    // Every place was given back: a report is accepted again.
    let (status, body) = post_small(&gw.base).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn help_shows_the_limits_and_their_defaults() {
    let help = std::process::Command::new(common::binary())
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    // (flag, default)
    for (flag, default) in [
        ("--body-stall-secs", Some("30")),
        ("--max-uploads", Some("64")),
        ("--max-uploads-per-address", Some("8")),
        ("--trusted-proxy", None),
        ("--min-free-disk-mb", Some("512")),
        ("--shutdown-grace-secs", Some("20")),
        ("--trust-forwarded-for", None),
    ] {
        let start = help
            .find(&format!("{flag} "))
            .or_else(|| help.find(&format!("{flag}\n")))
            .unwrap_or_else(|| panic!("--help lacks {flag}"));
        let section = &help[start..];
        let section = &section[..section[2..]
            .find("\n      --")
            .map_or(section.len(), |i| i + 2)];
        if let Some(default) = default {
            assert!(
                section.contains(&format!("[default: {default}]")),
                "{flag}: {section}"
            );
        }
    }
    assert!(
        help.contains("Deprecated"),
        "--trust-forwarded-for is marked deprecated"
    );
}

#[tokio::test]
async fn past_the_global_cap_503_busy_past_the_per_address_cap_429_both_with_retry_after() {
    let data = TempDir::new("gw-limits-caps");
    let partial = body_start(64 * 1024);

    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--max-uploads", "2", "--max-uploads-per-address", "10"])
        .spawn()
        .await;
    let first = stalled_upload(gw.addr, 200_000, &partial);
    let _second = stalled_upload(gw.addr, 200_000, &partial);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, retry, body) = post_raw(&gw.base, None).await;
    assert_eq!((status, &body), (503, &json!({"error": "busy"})));
    assert!(retry.is_some_and(|s| s >= 1), "Retry-After {retry:?}");
    // A client that gives up frees its place at once.
    drop(first);
    let start = Instant::now();
    loop {
        let (status, _, body) = post_raw(&gw.base, None).await;
        if status == 201 {
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(start.elapsed() < Duration::from_secs(5), "place not freed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(gw);

    let data = TempDir::new("gw-limits-per-address");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--max-uploads", "10", "--max-uploads-per-address", "1"])
        .spawn()
        .await;
    let _stalled = stalled_upload(gw.addr, 200_000, &partial);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, retry, body) = post_raw(&gw.base, None).await;
    assert_eq!(
        (status, &body),
        (429, &json!({"error": "too_many_uploads"}))
    );
    assert!(retry.is_some_and(|s| s >= 1), "Retry-After {retry:?}");
}

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy_and_ipv6_by_its_64() {
    let data = TempDir::new("gw-limits-xff");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args([
            "--rate-limit-per-minute",
            "1",
            "--trusted-proxy",
            "127.0.0.0/8",
        ])
        .spawn()
        .await;
    // (X-Forwarded-For, expected status): each client its own bucket, a /64 one bucket.
    for (xff, expected) in [
        ("203.0.113.5", 201),
        ("203.0.113.5", 429),
        ("198.51.100.1, 203.0.113.5", 429),
        ("203.0.113.6", 201),
        ("2001:db8:1:2::1", 201),
        ("2001:db8:1:2::ffff", 429),
        ("2001:db8:1:3::1", 201),
    ] {
        let (status, _, body) = post_raw(&gw.base, Some(xff)).await;
        assert_eq!(status, expected, "{xff}: {body}");
    }
    drop(gw);

    // Without a trusted proxy the header is the client's own say: ignored.
    let data = TempDir::new("gw-limits-no-xff");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--rate-limit-per-minute", "1"])
        .spawn()
        .await;
    for (xff, expected) in [("203.0.113.5", 201), ("203.0.113.6", 429)] {
        let (status, _, body) = post_raw(&gw.base, Some(xff)).await;
        assert_eq!(status, expected, "{xff}: {body}");
    }
}

#[tokio::test]
async fn below_the_disk_floor_readyz_and_intake_answer_503_and_nothing_is_written() {
    let data = TempDir::new("gw-limits-disk");
    // A floor of 1 EiB: more than this disk has free.
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--min-free-disk-mb", "1099511627776"])
        .spawn()
        .await;
    let ready = client().get(gw.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 503);

    let response = client()
        .post(gw.url("/api/v1/reports"))
        .header("Origin", ORIGIN)
        .header("Idempotency-Key", key("disk"))
        .multipart(report_form(
            &common::valid_report_json(),
            &[Attachment::jpeg("foto.jpg", small_jpeg(3))],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "storage_low"})
    );
    let left: Vec<_> = std::fs::read_dir(data.join("attachments"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "files left: {left:?}");
    drop(gw);

    // With room, ready.
    let data = TempDir::new("gw-limits-disk-ok");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--min-free-disk-mb", "1"])
        .spawn()
        .await;
    let ready = client().get(gw.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
}

#[tokio::test]
async fn shutdown_with_a_stalled_upload_open_ends_within_the_grace_period() {
    let data = TempDir::new("gw-limits-shutdown");
    // The default stall time (30 s) is longer than the grace period: the grace must end it.
    let mut gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--shutdown-grace-secs", "2"])
        .spawn()
        .await;
    let mut stalled = stalled_upload(gw.addr, 9 * MIB, &body_start(MIB));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let start = Instant::now();
    let exit = gw.terminate(Duration::from_secs(25));
    let took = start.elapsed();
    println!("SIGTERM with a stalled upload open: exited after {took:.1?} (grace 2 s)");
    let exit = exit.unwrap_or_else(|| panic!("still running {took:?} after SIGTERM"));
    assert!(exit.success(), "{exit:?}\n{}", gw.log_tail(2000));
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(
        gw.log_tail(4000).contains("grace period over"),
        "{}",
        gw.log_tail(2000)
    );
    let (_, closed) = read_to_close(&mut stalled, Duration::from_secs(5));
    assert!(closed);
}

#[tokio::test]
async fn headers_that_never_end_are_cut_off_after_the_stall_time() {
    let data = TempDir::new("gw-limits-headers");
    let gw = gateway(data.path(), "http://127.0.0.1:9")
        .args(["--body-stall-secs", "2"])
        .spawn()
        .await;
    let mut stream = TcpStream::connect(gw.addr).unwrap();
    stream
        .write_all(b"POST /api/v1/reports HTTP/1.1\r\nHost: gateway\r\nContent-Type: multi")
        .unwrap();
    let start = Instant::now();
    let (_, closed) = read_to_close(&mut stream, Duration::from_secs(30));
    let took = start.elapsed();
    println!("headers stalled: connection closed after {took:.1?} (stall time 2 s)");
    assert!(closed, "still open after {took:?}");
    assert!(took < Duration::from_secs(10), "closed after {took:?}");
    // The gateway serves on.
    let (status, body) = post_small(&gw.base).await;
    assert_eq!(status, 201, "{body}");
}

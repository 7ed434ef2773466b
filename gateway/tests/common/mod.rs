//! Shared harness for the gateway's integration tests and benchmark, and the simulator's tests
//! (`simulator/tests` includes this file): runs the real `lapor-gateway` binary and the real
//! `lapor-simulator` binary (the LAPOR! simulator) on free loopback ports,
//! waits until it is healthy, kills it the hard or the gentle way, and builds valid report
//! bodies with real JPEG attachments made in code.
//!
//! Each test binary uses only part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// The `Authorization` value both processes are given in the tests.
pub const AUTHORIZATION: &str = "Bearer simulator-test-authorization";
/// The `token` value both processes are given in the tests.
pub const TOKEN: &str = "simulator-test-token";
/// The origin the tests register with the gateway and send as `Origin`.
pub const ORIGIN: &str = "http://pemda.test";

/// The gateway binary under test, built by Cargo for integration tests, examples and benches.
/// `LAPOR_TEST_BINARY` points the tests at another build of it (e.g. a release build).
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LAPOR_TEST_BINARY") {
        return PathBuf::from(path);
    }
    option_env!("CARGO_BIN_EXE_lapor-gateway")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("lapor-gateway"))
}

/// The LAPOR! simulator's binary (crate `lapor-simulator`). `cargo test --workspace` builds it
/// beside the gateway's; `LAPOR_TEST_SIMULATOR` points at another build of it, and a
/// `LAPOR_TEST_BINARY` in a release directory finds the release simulator next to it.
pub fn simulator_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LAPOR_TEST_SIMULATOR") {
        return PathBuf::from(path);
    }
    if let Some(path) = option_env!("CARGO_BIN_EXE_lapor-simulator") {
        return PathBuf::from(path);
    }
    let beside = binary().with_file_name("lapor-simulator");
    assert!(
        beside.exists(),
        "{} is missing: build it with `cargo build -p lapor-simulator` (or run \
         `cargo test --workspace`)",
        beside.display()
    );
    beside
}

/// Cargo's output directory of this build (`target/debug`): examples and test binaries sit
/// one level below it.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .expect("target dir")
}

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates a fresh, empty directory whose name starts with `prefix`.
    pub fn new(prefix: &str) -> TempDir {
        TempDir::new_in(&std::env::temp_dir(), prefix)
    }

    /// Creates a fresh, empty directory inside `parent`.
    pub fn new_in(parent: &Path, prefix: &str) -> TempDir {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = parent.join(format!(
            "{prefix}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A free loopback address (the port is free now; the OS picks an unused one).
pub fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr")
}

/// Which face of the binary to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `lapor-gateway serve`.
    Gateway,
    /// `lapor-simulator`: the LAPOR! simulator.
    Simulator,
}

/// Builds the command line of one process before it is spawned.
pub struct Spawn {
    role: Role,
    addr: SocketAddr,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    credentials: bool,
}

/// The LAPOR! simulator on a free port, in-memory store; statuses move only by hand unless
/// the caller passes `--status-step-secs` itself.
pub fn simulator() -> Spawn {
    Spawn::new(Role::Simulator)
}

/// The gateway on a free port with the given data dir, forwarding to `upstream` with fast
/// retries, no rate limit and no per-address cap on uploads (every test client is 127.0.0.1),
/// and the test origin registered. In a test run by [`on_postgres`], its store is a database
/// of its own for each data directory (see [`store_args`]).
pub fn gateway(data_dir: &Path, upstream: &str) -> Spawn {
    sqlite_gateway(data_dir, upstream).args(store_args(data_dir))
}

/// [`gateway`] on SQLite in its data directory, also in a test run by [`on_postgres`] (a
/// store to move into PostgreSQL, for example).
pub fn sqlite_gateway(data_dir: &Path, upstream: &str) -> Spawn {
    Spawn::new(Role::Gateway).args([
        "--data-dir",
        &data_dir.display().to_string(),
        "--upstream-url",
        upstream,
        "--allow-insecure-upstream",
        "--allow-origin",
        ORIGIN,
        "--rate-limit-per-minute",
        "0",
        "--max-uploads-per-address",
        "0",
        "--retry-base-ms",
        "50",
        "--retry-max-ms",
        "1000",
    ])
}

impl Spawn {
    /// A process of the given role with the test credentials and a fresh port.
    pub fn new(role: Role) -> Spawn {
        Spawn {
            role,
            addr: free_addr(),
            args: Vec::new(),
            envs: Vec::new(),
            credentials: true,
        }
    }

    /// Adds command-line arguments.
    pub fn args<I, S>(mut self, args: I) -> Spawn
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|s| s.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for the process.
    pub fn env(mut self, key: &str, value: &str) -> Spawn {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Listens on this address instead of a fresh one (to restart on the same port).
    pub fn addr(mut self, addr: SocketAddr) -> Spawn {
        self.addr = addr;
        self
    }

    /// Leaves out `LAPOR_AUTHORIZATION` / `LAPOR_TOKEN`.
    pub fn without_credentials(mut self) -> Spawn {
        self.credentials = false;
        self
    }

    /// Starts the process without waiting for it.
    pub fn start(self) -> Proc {
        let logs = TempDir::new("lapor-log");
        let log_path = logs.join("output.log");
        let log = File::create(&log_path).expect("log file");
        let mut cmd = match self.role {
            Role::Gateway => {
                let mut cmd = Command::new(binary());
                cmd.arg("serve");
                cmd
            }
            Role::Simulator => Command::new(simulator_binary()),
        };
        cmd.arg("--listen").arg(self.addr.to_string());
        cmd.args(&self.args);
        if self.role == Role::Simulator && !self.args.iter().any(|a| a == "--status-step-secs") {
            // Statuses that move by themselves would make assertions on them racy.
            cmd.args(["--status-step-secs", "0"]);
        }
        // Flags double as LAPOR_* environment variables: nothing from the caller's shell
        // may leak into the process under test.
        for (key, _) in std::env::vars() {
            if key.starts_with("LAPOR_") {
                cmd.env_remove(key);
            }
        }
        if self.credentials {
            cmd.env("LAPOR_AUTHORIZATION", AUTHORIZATION)
                .env("LAPOR_TOKEN", TOKEN);
        }
        // An error that ends the process should print its message, not a backtrace long
        // enough to push the message out of `log_tail` (panics still get theirs).
        cmd.env("RUST_LIB_BACKTRACE", "0");
        if std::env::var_os("RUST_LOG").is_none() {
            cmd.env("RUST_LOG", "info");
        }
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone().expect("log clone"))
            .stderr(log);
        let child = cmd.spawn().expect("spawn lapor-gateway");
        Proc {
            child: Some(child),
            role: self.role,
            addr: self.addr,
            base: format!("http://{}", self.addr),
            log_path,
            _logs: logs,
        }
    }

    /// Starts the process and waits (at most 30 s) until `GET /healthz` answers 200.
    pub async fn spawn(self) -> Proc {
        let mut proc = self.start();
        if let Err(e) = proc.wait_healthy(Duration::from_secs(30)).await {
            panic!(
                "{:?} did not become healthy: {e}\n--- log ---\n{}",
                proc.role,
                proc.log_tail(4000)
            );
        }
        proc
    }
}

/// A running `lapor-gateway` process; killed (SIGKILL) when dropped.
pub struct Proc {
    child: Option<Child>,
    /// What it runs as.
    pub role: Role,
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://` + addr, without trailing slash.
    pub base: String,
    log_path: PathBuf,
    _logs: TempDir,
}

impl Proc {
    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Polls `GET /healthz` until 200, the process exits, or the timeout passes.
    pub async fn wait_healthy(&mut self, timeout: Duration) -> Result<(), String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_exit_status() {
                return Err(format!("exited early with {status}"));
            }
            if let Ok(resp) = client.get(self.url("/healthz")).send().await {
                if resp.status() == 200 {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("no 200 from /healthz within {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The exit status if the process has ended.
    pub fn try_exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// Waits (at most `timeout`) for the process to end by itself; its exit status.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.try_exit_status() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits (at most `timeout`) for the process to exit; SIGKILL after that.
    /// Returns the exit status if it exited by itself in time (`success()` = it handled the
    /// signal and shut down cleanly, rather than being ended by it).
    pub fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let child = self.child.as_mut()?;
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let exited = self.wait_exit(timeout);
        self.kill();
        exited
    }

    /// The last `max` bytes of what the process printed (for failure messages).
    pub fn log_tail(&self, max: usize) -> String {
        let text = std::fs::read(&self.log_path).unwrap_or_default();
        let start = text.len().saturating_sub(max);
        String::from_utf8_lossy(&text[start..]).into_owned()
    }

    /// Waits (at most `timeout`) until the last `max` bytes of the log contain `needle`: a
    /// line is written a moment after what it tells of can be seen from outside.
    pub async fn log_shows(&self, needle: &str, max: usize, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if self.log_tail(max).contains(needle) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP client for tests: per-request timeout, no proxy, no pooling surprises.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .expect("client")
}

/// A valid `pengaduan` report per the contract: a woman born 17-08-1990 registered in 6474
/// (Bontang), reporting something that happened in kecamatan 647401.
pub fn valid_report_json() -> Value {
    json!({
        "classification": "pengaduan",
        "title": "Lampu jalan mati di Jl. Ahmad Yani",
        "content": "Sudah dua minggu lampu jalan di depan sekolah mati, jalan gelap dan rawan kecelakaan.",
        "incident_date": "2026-11-01",
        "location_code": "647401",
        "location_detail": "depan SDN 001",
        "institution_id": null,
        "category_id": null,
        "anonymous": false,
        "secret": false,
        "reporter": {
            "name": "Siti Rahma",
            "nik": "6474015708900003",
            "phone": "081234567890",
            "email": null
        },
        "lang": "id"
    })
}

/// One file to attach to a report.
#[derive(Clone)]
pub struct Attachment {
    /// Name sent with the part.
    pub filename: String,
    /// Content type sent with the part.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// A JPEG attachment.
    pub fn jpeg(filename: &str, bytes: Vec<u8>) -> Attachment {
        Attachment {
            filename: filename.to_owned(),
            content_type: "image/jpeg".to_owned(),
            bytes,
        }
    }
}

/// The multipart body of `POST /api/v1/reports`: the `report` JSON part, then the files.
pub fn report_form(report: &Value, attachments: &[Attachment]) -> reqwest::multipart::Form {
    let json_part = reqwest::multipart::Part::bytes(report.to_string().into_bytes())
        .mime_str("application/json")
        .expect("mime");
    let mut form = reqwest::multipart::Form::new().part("report", json_part);
    for a in attachments {
        let part = reqwest::multipart::Part::bytes(a.bytes.clone())
            .file_name(a.filename.clone())
            .mime_str(&a.content_type)
            .expect("mime");
        form = form.part("attachment", part);
    }
    form
}

/// The answer to one `POST /api/v1/reports`.
#[derive(Debug, Clone)]
pub struct Posted {
    /// HTTP status.
    pub status: u16,
    /// The JSON body (Null when it was not JSON).
    pub body: Value,
}

impl Posted {
    /// The tracking id of a 200/201 answer.
    pub fn tracking_id(&self) -> Option<String> {
        self.body
            .get("tracking_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

/// Posts one report with the given `Idempotency-Key`; `Err` only when no HTTP answer came.
pub async fn post_report(
    client: &reqwest::Client,
    gateway_base: &str,
    idempotency_key: &str,
    report: &Value,
    attachments: &[Attachment],
) -> Result<Posted, reqwest::Error> {
    let resp = client
        .post(format!("{gateway_base}/api/v1/reports"))
        .header("Idempotency-Key", idempotency_key)
        .header("Origin", ORIGIN)
        .multipart(report_form(report, attachments))
        .send()
        .await?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await?;
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok(Posted { status, body })
}

/// Files `report` (with `attachments`) and expects `201`: its tracking id.
pub async fn file_report(
    gateway_base: &str,
    idempotency_key: &str,
    report: &Value,
    attachments: &[Attachment],
) -> String {
    let posted = post_report(
        &client(),
        gateway_base,
        idempotency_key,
        report,
        attachments,
    )
    .await
    .expect("answer");
    assert_eq!(posted.status, 201, "{}", posted.body);
    posted.tracking_id().expect("tracking id")
}

/// Runs `lapor-gateway ARGS…` to its end, with no `LAPOR_*` variable of the test's own
/// environment: (success, stdout + stderr).
pub fn run_cli(args: &[&str]) -> (bool, String) {
    let mut cmd = std::process::Command::new(binary());
    for (key, _) in std::env::vars() {
        if key.starts_with("LAPOR_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd.args(args).output().expect("run lapor-gateway");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// `GET /api/v1/reports/{id}`: (status, body).
pub async fn get_report(
    client: &reqwest::Client,
    gateway_base: &str,
    tracking_id: &str,
) -> Result<(u16, Value), reqwest::Error> {
    let resp = client
        .get(format!("{gateway_base}/api/v1/reports/{tracking_id}"))
        .send()
        .await?;
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    Ok((status, body))
}

/// `GET /_simulator/complaints` of a LAPOR! simulator.
pub async fn simulator_complaints(client: &reqwest::Client, sim_base: &str) -> Vec<Value> {
    let resp = client
        .get(format!("{sim_base}/_simulator/complaints"))
        .send()
        .await
        .expect("simulator inspection");
    assert_eq!(resp.status(), 200, "simulator inspection status");
    resp.json().await.expect("simulator inspection JSON")
}

/// `POST /_simulator/faults` with the given JSON; the faults now in force.
pub async fn set_faults(client: &reqwest::Client, sim_base: &str, faults: Value) -> Value {
    let resp = client
        .post(format!("{sim_base}/_simulator/faults"))
        .json(&faults)
        .send()
        .await
        .expect("simulator faults");
    assert_eq!(resp.status(), 200, "simulator faults status");
    resp.json().await.expect("faults JSON")
}

/// Counts complaints per `request_id` (the gateway's tracking id).
pub fn count_by_request_id(complaints: &[Value]) -> std::collections::HashMap<String, usize> {
    let mut counts = std::collections::HashMap::new();
    for c in complaints {
        if let Some(id) = c.get("request_id").and_then(Value::as_str) {
            *counts.entry(id.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// Files for report `i` of a burst: none, one or two small JPEGs in turn, so that a
/// forwarder's upload step is exercised as well as the bare create.
pub fn attachments_for(i: usize) -> Vec<Attachment> {
    match i % 3 {
        0 => vec![],
        1 => vec![Attachment::jpeg("bukti.jpg", small_jpeg(i as u64))],
        _ => vec![
            Attachment::jpeg("depan.jpg", small_jpeg(i as u64)),
            Attachment::jpeg("samping.jpg", small_jpeg(i as u64 + 1_000_000)),
        ],
    }
}

/// A real baseline JPEG of `width`×`height` pixels: a gradient with deterministic noise
/// (`noise` 0–255; more noise compresses worse, so the file grows).
pub fn jpeg(width: u16, height: u16, noise: u8, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64: deterministic, dependency-free noise.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut pixels = Vec::with_capacity(usize::from(width) * usize::from(height) * 3);
    for y in 0..height {
        for x in 0..width {
            let r = next();
            let n = |shift: u32| ((r >> shift) as u8 as u16 * u16::from(noise) / 255) as u8;
            let gx = (u32::from(x) * 255 / u32::from(width.max(1))) as u8;
            let gy = (u32::from(y) * 255 / u32::from(height.max(1))) as u8;
            pixels.push(gx.wrapping_add(n(0)));
            pixels.push(gy.wrapping_add(n(8)));
            pixels.push(128u8.wrapping_add(n(16)));
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encode JPEG");
    out
}

/// A small real JPEG (64×48, a few KB).
pub fn small_jpeg(seed: u64) -> Vec<u8> {
    jpeg(64, 48, 40, seed)
}

/// A real JPEG of about `target` bytes (within a few percent), photo-noise inside.
pub fn jpeg_about(target: usize, seed: u64) -> Vec<u8> {
    // Noisy pixels cost a roughly constant number of bytes each at a fixed quality, so two
    // or three proportional corrections land close to the target.
    let mut side: f64 = 256.0;
    let mut best = jpeg(256, 256, 255, seed);
    for _ in 0..4 {
        let ratio = target as f64 / best.len() as f64;
        if (0.97..=1.03).contains(&ratio) {
            break;
        }
        side = (side * ratio.sqrt()).clamp(16.0, 4000.0);
        best = jpeg(side as u16, side as u16, 255, seed);
    }
    best
}

/// The PostgreSQL server of the tests (`scripts/test.sh` starts one with `scripts/pg.sh`):
/// `postgres://user@host:port/dbname`.
pub const DATABASE_URL_VAR: &str = "LAPOR_TEST_DATABASE_URL";

/// The databases of the test that runs on this thread under [`on_postgres`]: one per data
/// directory, so a gateway restarted on its data directory finds its reports again.
struct Databases {
    /// The server's URL up to the database name.
    server: String,
    /// The database the test's `psql` calls connect to.
    admin: String,
    by_dir: HashMap<PathBuf, String>,
}

thread_local! {
    static DATABASES: RefCell<Option<Databases>> = const { RefCell::new(None) };
}

/// The store flags for a gateway on `data_dir`: none (SQLite in the data directory), or in a
/// test run by [`on_postgres`] `--database-url` of a database created for that data directory.
/// Also for the operator commands a test runs on the gateway's store.
pub fn store_args(data_dir: &Path) -> Vec<String> {
    DATABASES.with(|databases| {
        let mut databases = databases.borrow_mut();
        let Some(databases) = databases.as_mut() else {
            return Vec::new();
        };
        let name = match databases.by_dir.get(data_dir) {
            Some(name) => name.clone(),
            None => {
                static NEXT: AtomicU64 = AtomicU64::new(0);
                let name = format!(
                    "lapor_test_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                psql(&databases.admin, &format!("CREATE DATABASE {name}"));
                databases
                    .by_dir
                    .insert(data_dir.to_path_buf(), name.clone());
                name
            }
        };
        vec![
            "--database-url".to_owned(),
            format!("{}/{name}", databases.server),
        ]
    })
}

/// In a test run by [`on_postgres`]: the gateways on `other` use the database of the gateways
/// on `data_dir` (several instances on one database, each with its own data directory).
pub fn share_store(data_dir: &Path, other: &Path) {
    let args = store_args(data_dir);
    DATABASES.with(|databases| {
        if let (Some(databases), Some(url)) = (databases.borrow_mut().as_mut(), args.get(1)) {
            let name = url.rsplit('/').next().unwrap_or_default().to_owned();
            databases.by_dir.insert(other.to_path_buf(), name);
        }
    });
}

/// In a test run by [`on_postgres`]: runs `sql` on the tests' PostgreSQL server, every `{db}`
/// in it replaced by the name of the database of the gateways on `data_dir`.
pub fn database_sql(data_dir: &Path, sql: &str) {
    let args = store_args(data_dir);
    let name = args
        .get(1)
        .and_then(|url| url.rsplit('/').next())
        .expect("a test run by on_postgres")
        .to_owned();
    let admin = DATABASES.with(|databases| {
        databases
            .borrow()
            .as_ref()
            .map(|databases| databases.admin.clone())
            .expect("a test run by on_postgres")
    });
    psql(&admin, &sql.replace("{db}", &name));
}

/// Runs one SQL statement with `psql` (the client of the PostgreSQL the tests start); panics
/// with its output when it fails.
fn psql(url: &str, sql: &str) {
    psql_value(url, sql);
}

/// `psql -At`: the one value `sql` answers, as text.
pub fn psql_value(url: &str, sql: &str) -> String {
    let out = Command::new(psql_binary())
        .args([
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `psql` on PATH, else in Debian's versioned directory (where scripts/pg.sh finds initdb).
fn psql_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("psql"))
        .find(|p| p.is_file());
    let debian = || {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin/psql"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found.pop()
    };
    on_path
        .or_else(debian)
        .expect("psql not found (scripts/pg.sh installs PostgreSQL)")
}

/// Runs the test `body` (a `#[tokio::test]` function, or any test) with every gateway it
/// starts with [`gateway`] on PostgreSQL, each data directory its own database, dropped at
/// the end. Without [`DATABASE_URL_VAR`] the test is skipped with a notice, and fails under
/// `CI=true`: a variant that cannot run must not pass unseen.
pub fn on_postgres(test: &str, body: impl FnOnce()) {
    let url = std::env::var(DATABASE_URL_VAR).unwrap_or_default();
    if url.is_empty() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test} on PostgreSQL cannot run: {DATABASE_URL_VAR} is not set (scripts/test.sh \
             starts a throwaway PostgreSQL and sets it)"
        );
        // Past the test harness's capture (which `eprintln!` goes to), so that it shows.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {test} on PostgreSQL ({DATABASE_URL_VAR} is not set; scripts/test.sh \
             starts a throwaway PostgreSQL and sets it)"
        );
        return;
    }
    // postgres://user@host:port/dbname?params: the server is everything before the path.
    let authority = url.find("://").map_or(0, |i| i + 3);
    let server = match url[authority..].find('/') {
        Some(slash) => url[..authority + slash].to_owned(),
        None => url.clone(),
    };
    DATABASES.with(|databases| {
        *databases.borrow_mut() = Some(Databases {
            server,
            admin: url.clone(),
            by_dir: HashMap::new(),
        })
    });
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    // The test's processes are gone by now (a `Proc` kills its process when dropped).
    if let Some(databases) = DATABASES.with(|databases| databases.borrow_mut().take()) {
        for name in databases.by_dir.values() {
            psql(
                &databases.admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Runs the named tests of this file once more with the gateways on PostgreSQL, as
/// `on_postgres::<name>` (see [`on_postgres`]): the same bodies, another store.
#[allow(unused_macros)]
macro_rules! on_postgres_too {
    ($($test:ident),* $(,)?) => {
        /// The tests above again, every gateway on PostgreSQL.
        mod on_postgres {
            $(
                #[test]
                fn $test() {
                    crate::common::on_postgres(stringify!($test), super::$test);
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_postgres_too;

/// A throwaway PostgreSQL cluster of `scripts/pg.sh`, stopped and removed when dropped (also
/// when the test panics).
pub struct Cluster {
    pub dir: String,
    pub url: String,
}

/// `scripts/pg.sh` of this repository.
pub fn pg_script() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/pg.sh")
}

/// Runs `scripts/pg.sh ARGS…` and expects it to succeed: what it printed.
pub fn pg(args: &[&str]) -> String {
    pg_with(args, &[])
}

/// [`pg`] with these environment variables for the script.
fn pg_with(args: &[&str], envs: &[(&str, &str)]) -> String {
    let out = std::process::Command::new("bash")
        .arg(pg_script())
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("run scripts/pg.sh");
    assert!(
        out.status.success(),
        "scripts/pg.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl Cluster {
    pub fn start() -> Cluster {
        Cluster::start_with(&[])
    }

    /// A cluster started with these environment variables for `scripts/pg.sh` (its TLS
    /// certificate and key, say).
    pub fn start_with(envs: &[(&str, &str)]) -> Cluster {
        let dir = pg_with(&["start"], envs);
        let url = pg(&["url", &dir]);
        Cluster { dir, url }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(pg_script())
            .args(["stop", &self.dir])
            .output();
    }
}

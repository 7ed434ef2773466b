//! Configuration of `lapor-gateway serve`: every flag has an environment variable
//! `LAPOR_<NAME>`, and `--help` documents them all. Credentials for LAPOR! come from the
//! environment or a file only, never from a flag, so they never show in a process list.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

/// Flags of `lapor-gateway serve` (the default subcommand).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address the API and the widget files are served on.
    #[arg(long, env = "LAPOR_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for the SQLite database, the attachments and a generated encryption key.
    /// With `--database-url` it holds only the lock and a generated key.
    #[arg(long, env = "LAPOR_DATA_DIR", default_value = ".data/gateway")]
    pub data_dir: PathBuf,

    /// Store reports, attachments and the outbox in PostgreSQL instead of SQLite in the data
    /// directory (`postgres://user:password@host:5432/dbname`): several gateways may share
    /// one database. Migrations run at start. Never logged (it may hold a password).
    /// `?sslmode=verify-full&sslrootcert=/path/ca.pem` connects over TLS and verifies the
    /// server's certificate and name (`require` and `verify-ca` verify as much; without
    /// `sslrootcert`, against the system's trust store); without `sslmode` (or `disable`,
    /// `prefer`) the connection is plain, for a local socket or a private network.
    #[arg(long, env = "LAPOR_DATABASE_URL")]
    pub database_url: Option<DatabaseUrl>,

    /// A site origin allowed to post reports and load the widget (`https://pemda.go.id`);
    /// repeat the flag for several. The environment variable takes a comma-separated list.
    /// A request without an `Origin` header (curl, a kiosk app) is not a browser request from a
    /// foreign site and is allowed.
    #[arg(
        long = "allow-origin",
        env = "LAPOR_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,

    /// The registry of Pemda sites (TOML: id, name, origins, region code, default
    /// institution; see `lapor-gateway sites check`). Re-read on `SIGHUP`. Every
    /// `--allow-origin` is a site too, with no region.
    #[arg(long, env = "LAPOR_SITES_FILE")]
    pub sites_file: Option<PathBuf>,

    /// Base URL of the LAPOR! integration API (or of the simulator).
    #[arg(
        long,
        env = "LAPOR_UPSTREAM_URL",
        default_value = "http://127.0.0.1:8090"
    )]
    pub upstream_url: String,

    /// Allow an `http://` upstream URL (the simulator of the tests and the demo). Without it the
    /// gateway refuses to start unless `--upstream-url` is `https://`: the calls carry the
    /// credentials and the reporters' identities.
    #[arg(long, env = "LAPOR_ALLOW_INSECURE_UPSTREAM")]
    pub allow_insecure_upstream: bool,

    /// Upstream path that receives the attachments (multipart `attachments[]`).
    #[arg(
        long,
        env = "LAPOR_UPSTREAM_UPLOAD_PATH",
        default_value = "/complaints/complaint/file"
    )]
    pub upstream_upload_path: String,

    /// Upstream path that creates a complaint (JSON).
    #[arg(
        long,
        env = "LAPOR_UPSTREAM_CREATE_PATH",
        default_value = "/complaints/complaint"
    )]
    pub upstream_create_path: String,

    /// Upstream path of a complaint's status; `{id}` stands for the complaint id.
    #[arg(
        long,
        env = "LAPOR_UPSTREAM_STATUS_PATH",
        default_value = "/complaints/{id}/complaint"
    )]
    pub upstream_status_path: String,

    /// Upstream path that adds a follow-up to a complaint (multipart `complaint_id`, `content`,
    /// `is_secret`). The reporter's identity reaches the handling agency only this way, as a
    /// secret follow-up, never in the complaint's own text, which LAPOR! may publish.
    #[arg(
        long,
        env = "LAPOR_UPSTREAM_FOLLOWUP_PATH",
        default_value = "/complaints/followup/add"
    )]
    pub upstream_followup_path: String,

    /// File with the LAPOR! credentials as `LAPOR_AUTHORIZATION=…` and `LAPOR_TOKEN=…` lines.
    /// Without it they come from the environment variables of those names.
    #[arg(long, env = "LAPOR_CREDENTIALS_FILE")]
    pub credentials_file: Option<PathBuf>,

    /// File holding the 32-byte identity encryption key as 64 hex characters. Alternatively the
    /// key itself in the environment variable LAPOR_ENCRYPTION_KEY. With neither, a key is
    /// generated into the data directory (mode 0600) on first start.
    #[arg(long, env = "LAPOR_ENCRYPTION_KEY_FILE")]
    pub encryption_key_file: Option<PathBuf>,

    /// Reports accepted per client IP address per minute on `POST /api/v1/reports`
    /// (a token bucket of this size); 0 turns rate limiting off.
    #[arg(long, env = "LAPOR_RATE_LIMIT_PER_MINUTE", default_value_t = 30)]
    pub rate_limit_per_minute: u32,

    /// Deprecated: use `--trusted-proxy 127.0.0.0/8 --trusted-proxy ::1`, which this flag now
    /// means (a reverse proxy on the same host). `X-Forwarded-For` is read only from a peer in
    /// a trusted proxy network; a proxy on another host needs `--trusted-proxy` itself.
    #[arg(long, env = "LAPOR_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Limits on intake: stalled bodies, uploads at once, proxies, free disk, shutdown.
    #[command(flatten)]
    pub intake: IntakeArgs,

    /// First retry delay of the forwarder, in milliseconds; doubles per attempt, with jitter.
    #[arg(long, env = "LAPOR_RETRY_BASE_MS", default_value_t = 500)]
    pub retry_base_ms: u64,

    /// Longest retry delay of the forwarder, in milliseconds.
    #[arg(long, env = "LAPOR_RETRY_MAX_MS", default_value_t = 300_000)]
    pub retry_max_ms: u64,

    /// Seconds between two status synchronisations of a forwarded report with LAPOR!.
    #[arg(long, env = "LAPOR_STATUS_SYNC_SECS", default_value_t = 60)]
    pub status_sync_secs: u64,

    /// Days after forwarding when the reporter's identity, the content and the attachments are
    /// deleted; the receipt and the status stay.
    #[arg(long, env = "LAPOR_RETENTION_DAYS", default_value_t = 30)]
    pub retention_days: u64,

    /// Seconds between two runs of the retention purge.
    #[arg(long, env = "LAPOR_PURGE_INTERVAL_SECS", default_value_t = 600)]
    pub purge_interval_secs: u64,

    /// Directory of the built widget (loader, glue, `.wasm`, CSS), served at `/widget/`.
    #[arg(long, env = "LAPOR_WIDGET_DIR")]
    pub widget_dir: Option<PathBuf>,

    /// Largest attachment, in bytes (published in `/config`).
    #[arg(long, env = "LAPOR_MAX_FILE_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_file_bytes: u64,

    /// Most attachments per report (published in `/config`).
    #[arg(long, env = "LAPOR_MAX_FILES", default_value_t = 5)]
    pub max_files: usize,

    /// Largest sum of the attachments of one report, in bytes (published in `/config`).
    #[arg(long, env = "LAPOR_MAX_TOTAL_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_total_bytes: u64,

    /// Largest request body, in bytes; more is `413 too_large`. Default: the attachment total
    /// plus one file plus 1 MiB for the form itself.
    #[arg(long, env = "LAPOR_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<u64>,

    /// Largest `report` JSON part, in bytes; more is `413 too_large`.
    #[arg(long, env = "LAPOR_MAX_REPORT_BYTES", default_value_t = 64 * 1024)]
    pub max_report_bytes: u64,

    /// Most parts of one multipart body (report, attachments, anything else); more is `413`.
    #[arg(long, env = "LAPOR_MAX_PARTS", default_value_t = 32)]
    pub max_parts: usize,

    /// Days after which a report LAPOR! still has not accepted is marked failed (with the last
    /// reason) instead of retried; an operator can retry it (`lapor-gateway outbox retry`).
    #[arg(long, env = "LAPOR_FORWARD_MAX_AGE_DAYS", default_value_t = 7)]
    pub forward_max_age_days: u64,

    /// At start, attachment files that no report names are removed once this old (seconds):
    /// what a crash between a file's sync and its report's commit leaves behind.
    #[arg(long, env = "LAPOR_ORPHAN_GRACE_SECS", default_value_t = 3600)]
    pub orphan_grace_secs: u64,

    /// Reports forwarded to LAPOR! at the same time.
    #[arg(long, env = "LAPOR_FORWARD_CONCURRENCY", default_value_t = 8)]
    pub forward_concurrency: usize,

    /// Complaints created at LAPOR! at the same time, each until its complaint id is recorded
    /// (files and identity follow-ups go `--forward-concurrency` at a time). A gateway killed
    /// while LAPOR! has created a complaint whose id it has not yet recorded creates that
    /// complaint again after its restart: this bounds those duplicates per kill. 1 (the default)
    /// duplicates at most one report per kill; more drains a backlog faster when LAPOR! is slow
    /// (about this many complaints per LAPOR! round trip) at the cost of as many duplicates.
    #[arg(long, env = "LAPOR_CREATE_CONCURRENCY", default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=256))]
    pub create_concurrency: u32,

    /// Timeout of one upstream call, in seconds.
    #[arg(long, env = "LAPOR_UPSTREAM_TIMEOUT_SECS", default_value_t = 30)]
    pub upstream_timeout_secs: u64,

    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `lapor_gateway=debug`.
    #[arg(long, env = "LAPOR_LOG", default_value = "info")]
    pub log: String,
}

/// The flags that bound what intake holds open: time, connections, disk.
#[derive(Debug, Clone, clap::Args)]
pub struct IntakeArgs {
    /// Seconds a request body may go without sending a byte before it is cut off with
    /// `408 body_timeout`; also the time allowed for a request's headers to arrive.
    #[arg(long, env = "LAPOR_BODY_STALL_SECS", default_value_t = 30)]
    pub body_stall_secs: u64,

    /// Uploads (`POST /api/v1/reports`) in progress at once, from everyone; past it
    /// `503 busy` with `Retry-After`. 0 means no limit.
    #[arg(long, env = "LAPOR_MAX_UPLOADS", default_value_t = 64)]
    pub max_uploads: usize,

    /// Uploads in progress at once from one client address (an IPv6 /64 counts as one);
    /// past it `429 too_many_uploads` with `Retry-After`. Offices and mobile carriers put many
    /// citizens behind one address, hence more than one or two. 0 means no limit.
    #[arg(long, env = "LAPOR_MAX_UPLOADS_PER_ADDRESS", default_value_t = 8)]
    pub max_uploads_per_address: usize,

    /// A network (`10.0.0.0/8`, `2001:db8::/32`, or one address) of reverse proxies whose
    /// `X-Forwarded-For` is believed; repeat for several. The client is the right-most address
    /// of that header not in a trusted network. From any other peer the header is ignored.
    /// The environment variable takes a comma-separated list.
    #[arg(
        long = "trusted-proxy",
        env = "LAPOR_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR",
        value_parser = parse_network
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Free space, in MiB, the data directory's file system must keep: below it `/readyz`
    /// answers 503 and intake `503 storage_low` with `Retry-After`, before any file is
    /// written. 0 turns the check off.
    #[arg(long, env = "LAPOR_MIN_FREE_DISK_MB", default_value_t = 512)]
    pub min_free_disk_mb: u64,

    /// Seconds a shutdown (SIGTERM, Ctrl-C) waits for requests in flight; then the gateway
    /// exits with whatever connections are still open.
    #[arg(long, env = "LAPOR_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
}

/// A network in CIDR notation, or one address (a network of one).
pub fn parse_network(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<ipnet::IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<std::net::IpAddr>()
        .map(ipnet::IpNet::from)
        .map_err(|_| format!("{text:?} is neither a network (10.0.0.0/8) nor an address"))
}

impl ServeArgs {
    /// The proxy networks whose `X-Forwarded-For` is believed: `--trusted-proxy`, plus the
    /// loopback networks for the deprecated `--trust-forwarded-for`.
    pub fn trusted_proxies(&self) -> Vec<ipnet::IpNet> {
        let mut nets = self.intake.trusted_proxies.clone();
        if self.trust_forwarded_for {
            nets.extend(["127.0.0.0/8", "::1/128"].map(|n| n.parse::<ipnet::IpNet>().unwrap()));
        }
        nets
    }

    /// The body limit in force.
    pub fn body_limit(&self) -> u64 {
        self.max_body_bytes
            .unwrap_or(self.max_total_bytes + self.max_file_bytes + 1024 * 1024)
    }

    /// The `/config` document these flags describe.
    pub fn public_config(&self) -> lapor_core::Config {
        let mut config = lapor_core::Config::default();
        config.attachments.max_file_bytes = self.max_file_bytes;
        config.attachments.max_files = self.max_files;
        config.attachments.max_total_bytes = self.max_total_bytes;
        config
    }

    /// Registered origins, normalised (no trailing slash, lower-case scheme and host).
    pub fn origins(&self) -> anyhow::Result<Vec<String>> {
        let mut out = Vec::new();
        for origin in self
            .allow_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
        {
            let normal = normalize_origin(origin);
            if !(normal.starts_with("http://") || normal.starts_with("https://")) {
                bail!("--allow-origin {origin:?} is not an http(s) origin");
            }
            out.push(normal);
        }
        Ok(out)
    }
}

/// An origin as browsers send it: `scheme://host[:port]`, no path, no trailing slash.
pub fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The credentials the forwarder sends to LAPOR! (`Authorization` and `token` headers).
#[derive(Clone)]
pub struct Credentials {
    pub authorization: String,
    pub token: String,
}

// Never print credentials, not even in a debug dump of the configuration.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

impl Credentials {
    /// From `--credentials-file`, else from `LAPOR_AUTHORIZATION` / `LAPOR_TOKEN`.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Credentials> {
        let (mut authorization, mut token) = (None, None);
        match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading credentials file {}", path.display()))?;
                for line in text.lines().map(str::trim) {
                    if let Some(v) = line.strip_prefix("LAPOR_AUTHORIZATION=") {
                        authorization = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("LAPOR_TOKEN=") {
                        token = Some(v.trim().to_owned());
                    }
                }
            }
            None => {
                authorization = std::env::var("LAPOR_AUTHORIZATION").ok();
                token = std::env::var("LAPOR_TOKEN").ok();
            }
        }
        match (
            authorization.filter(|a| !a.is_empty()),
            token.filter(|t| !t.is_empty()),
        ) {
            (Some(authorization), Some(token)) => Ok(Credentials {
                authorization,
                token,
            }),
            _ => bail!(
                "LAPOR! credentials missing: set LAPOR_AUTHORIZATION and LAPOR_TOKEN, \
                 or pass --credentials-file"
            ),
        }
    }
}

/// A PostgreSQL connection URL. Its `Debug` shows no part of it: it may hold a password.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL, for the database client alone.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<DatabaseUrl, String> {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(DatabaseUrl(s.to_owned()))
        } else {
            Err("a database URL starts with postgres:// or postgresql://".to_owned())
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseUrl(..)")
    }
}

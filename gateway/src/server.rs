//! `lapor-gateway serve`: opens the store, loads the key, starts the forwarder and the
//! listeners, and shuts down gracefully on SIGTERM or Ctrl-C (in-flight requests finish, then
//! the background tasks stop; the outbox keeps whatever they had not done).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::{watch, Notify};

use crate::api::{self, AppState, RequestLimits, Shared};
use crate::config::{Credentials, IntakeArgs, ServeArgs};
use crate::crypto::{Cipher, KeySource};
use crate::forwarder::{Forwarder, ForwarderConfig};
use crate::intake::{Intake, TrustedProxies, UploadGate};
use crate::ratelimit::RateLimiter;
use crate::sites::SharedSites;
use crate::store::postgres::{LeaseTimes, Leases, PgStore};
use crate::store::sqlite::SqliteStore;
use crate::store::KeyState;
use crate::store::Store;
use crate::widget_files;

/// The router of the main listener.
pub fn router(state: Shared) -> Router {
    let body_limit = usize::try_from(state.limits.body_bytes).unwrap_or(usize::MAX);
    let api = Router::new()
        .route("/api/v1/config", get(api::config::get_config))
        .route(
            "/api/v1/reports",
            post(api::reports::create).layer(DefaultBodyLimit::max(body_limit)),
        )
        .route("/api/v1/reports/{tracking_id}", get(api::reports::status))
        .route("/api/v1/regions", get(api::regions::provinces))
        .route("/api/v1/regions/{code}", get(api::regions::children))
        .route("/widget/{*path}", get(widget_files::serve))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::cors::cors,
        ))
        .layer(axum::middleware::from_fn(api::count_refusals));
    Router::new()
        .route("/healthz", get(api::health::healthz))
        .route("/readyz", get(api::health::readyz))
        .route("/metrics", get(crate::metrics::serve))
        .route("/stats", get(crate::stats::json))
        .route("/stats/", get(crate::stats::page))
        .route("/stats/stats.css", get(crate::stats::stylesheet))
        .merge(api)
        .layer(axum::middleware::from_fn(access_log))
        .with_state(state)
}

/// One structured line per request: method, path, status, duration. Paths carry at most a
/// tracking id; bodies and query strings are never logged.
async fn access_log(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let start = std::time::Instant::now();
    let response = next.run(request).await;
    if path != "/healthz" && path != "/readyz" {
        tracing::info!(method = %method, path = %path, status = response.status().as_u16(),
            ms = start.elapsed().as_millis() as u64, "request");
    }
    response
}

/// Runs the gateway until a shutdown signal.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    // One process per data directory, held until the gateway stops.
    let _lock = crate::files::prepare(&args.data_dir)?;
    let credentials = Credentials::load(args.credentials_file.as_deref())?;
    let upstream_https = args.upstream_url.starts_with("https://");
    anyhow::ensure!(
        upstream_https || args.allow_insecure_upstream,
        "--upstream-url must be https:// (the calls carry LAPOR!'s credentials and the \
         reporters' identities); --allow-insecure-upstream allows http:// for the simulator"
    );
    let sites = SharedSites::load(args.sites_file.clone(), args.origins()?)?;
    let (cipher, store): (Arc<Cipher>, Arc<dyn Store>) = match &args.database_url {
        None => {
            let (cipher, store) =
                open_store(&args.data_dir, args.encryption_key_file.as_deref(), true)?;
            (cipher, Arc::new(store))
        }
        Some(url) => {
            let (url, data_dir) = (url.clone(), args.data_dir.clone());
            let key_file = args.encryption_key_file.clone();
            let upstream_call = Duration::from_secs(args.upstream_timeout_secs.max(1));
            let times = LeaseTimes {
                upstream_call,
                attempt: crate::forwarder::attempt_bound(
                    upstream_call,
                    args.forward_concurrency,
                    args.create_concurrency as usize,
                ),
            };
            // The database client blocks: not on an async worker.
            let (cipher, store) = tokio::task::spawn_blocking(move || {
                open_postgres(&url, &data_dir, key_file.as_deref(), true, times)
            })
            .await??;
            (cipher, Arc::new(store))
        }
    };
    if !store.keeps_attachments() {
        check_files(
            &args.data_dir,
            &*store,
            Duration::from_secs(args.orphan_grace_secs),
        )?;
    }
    let wake = Arc::new(Notify::new());

    let state: Shared = Arc::new(AppState {
        store: store.clone(),
        cipher: cipher.clone(),
        config: args.public_config(),
        sites: sites.clone(),
        limiter: RateLimiter::new(args.rate_limit_per_minute),
        intake: intake_limits(&args),
        limits: RequestLimits {
            body_bytes: args.body_limit(),
            report_bytes: args.max_report_bytes,
            parts: args.max_parts,
        },
        data_dir: args.data_dir.clone(),
        widget: args
            .widget_dir
            .as_deref()
            .map(widget_files::WidgetFiles::new),
        forwarder_wake: wake.clone(),
        stats: Default::default(),
    });

    #[cfg(unix)]
    {
        // `SIGHUP` re-reads the sites file; requests in flight keep the registry they read.
        let sites = sites.clone();
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                match sites.reload() {
                    Ok(count) => tracing::info!(sites = count, "sites file re-read"),
                    Err(e) => tracing::warn!(
                        error = format!("{e:#}"),
                        "sites file not re-read; the registry in force stays"
                    ),
                }
            }
        });
    }

    let forwarder = Forwarder::new(
        ForwarderConfig {
            base_url: args.upstream_url.clone(),
            upload_path: args.upstream_upload_path.clone(),
            create_path: args.upstream_create_path.clone(),
            status_path: args.upstream_status_path.clone(),
            followup_path: args.upstream_followup_path.clone(),
            credentials,
            retry_base: Duration::from_millis(args.retry_base_ms),
            retry_max: Duration::from_millis(args.retry_max_ms.max(args.retry_base_ms)),
            status_sync: Duration::from_secs(args.status_sync_secs),
            retention: Duration::from_secs(args.retention_days.saturating_mul(86_400)),
            purge_every: Duration::from_secs(args.purge_interval_secs.max(1)),
            concurrency: args.forward_concurrency,
            create_concurrency: args.create_concurrency as usize,
            timeout: Duration::from_secs(args.upstream_timeout_secs.max(1)),
            max_age: Duration::from_secs(args.forward_max_age_days.saturating_mul(86_400)),
        },
        store,
        cipher,
        args.data_dir.clone(),
        wake,
        sites.clone(),
    )?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let background = tokio::spawn(forwarder.run(stop_rx));

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    tracing::info!(listen = %listener.local_addr()?, sites = sites.get().all().len(),
        upstream = %args.upstream_url, "gateway listening");

    serve(listener, router(state), &args.intake).await?;
    tracing::info!("HTTP stopped; stopping background tasks");

    let _ = stop_tx.send(true);
    // An attempt in flight is allowed a moment; whatever it did not record is retried on start.
    let _ = tokio::time::timeout(Duration::from_secs(10), background).await;
    tracing::info!("gateway stopped");
    Ok(())
}

/// Loads the key the store expects and opens the store with it. A store that holds sealed
/// records is never given a new key: a missing key file stops the start, naming the key that
/// is needed by its fingerprint.
///
/// `may_generate`: whether a key may be generated into an empty data directory (`serve`), or
/// must exist (the operator commands).
pub fn open_store(
    data_dir: &std::path::Path,
    key_file: Option<&std::path::Path>,
    may_generate: bool,
) -> anyhow::Result<(Arc<Cipher>, SqliteStore)> {
    let cipher = load_key(
        &SqliteStore::key_state(data_dir)?,
        data_dir,
        key_file,
        may_generate,
    )?;
    let store = SqliteStore::open(data_dir, cipher.clone())?;
    store.record_key(cipher.key_id())?;
    tracing::info!("store: SQLite in the data directory");
    Ok((cipher, store))
}

/// [`open_store`] for a PostgreSQL database (`--database-url`): the key is loaded as for
/// SQLite (a generated one goes into the data directory) and checked against the key the
/// database records, which every instance must share. Blocks: not for an async worker.
pub fn open_postgres(
    url: &crate::config::DatabaseUrl,
    data_dir: &std::path::Path,
    key_file: Option<&std::path::Path>,
    may_generate: bool,
    times: LeaseTimes,
) -> anyhow::Result<(Arc<Cipher>, PgStore)> {
    let instance = instance_id(data_dir, may_generate)?;
    let leases = if may_generate {
        Leases::TakeBack
    } else {
        Leases::Leave
    };
    let mut loaded = None;
    let store = PgStore::open(url.expose(), times, &instance, leases, |state| {
        let cipher = load_key(state, data_dir, key_file, may_generate)?;
        loaded = Some(cipher.clone());
        Ok(cipher)
    })?;
    let cipher = loaded.context("no key loaded")?;
    tracing::info!("store: PostgreSQL");
    Ok((cipher, store))
}

/// The name this data directory's gateway goes by in the database's leases: kept in the data
/// directory (`instance.id`), made at its first start.
fn instance_id(data_dir: &std::path::Path, may_create: bool) -> anyhow::Result<String> {
    let path = data_dir.join("instance.id");
    match std::fs::read_to_string(&path) {
        Ok(id) if !id.trim().is_empty() => return Ok(id.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    if !may_create {
        // An operator command takes no lease: any name does.
        return Ok("operator".to_owned());
    }
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random instance id: {e}"))?;
    let id = crate::crypto::hex(&bytes);
    crate::crypto::write_private(&path, id.as_bytes())?;
    Ok(id)
}

/// Loads the key a store's records expect (see [`open_store`]).
fn load_key(
    state: &KeyState,
    data_dir: &std::path::Path,
    key_file: Option<&std::path::Path>,
    may_generate: bool,
) -> anyhow::Result<Arc<Cipher>> {
    let expected = state
        .recorded
        .map(|id| crate::crypto::hex(&id))
        .unwrap_or_else(|| "of an earlier version".to_owned());
    let (cipher, source) = Cipher::load(key_file, data_dir, may_generate && !state.has_sealed())
        .with_context(|| {
            format!(
                "the store holds sealed reports (key {expected}): give that key, never a new one"
            )
        })?;
    state
        .check(&cipher)
        .map_err(|e| anyhow::anyhow!("{e}; refusing to start with the wrong key"))?;
    if source == KeySource::Generated {
        tracing::warn!(path = %data_dir.join("identity.key").display(), key = %cipher.fingerprint(),
            "no encryption key configured: generated one into the data directory (mode 0600); \
             back it up, the reports stored with it cannot be read without it");
    }
    tracing::info!(key = %cipher.fingerprint(), source = ?source, "encryption key loaded");
    Ok(Arc::new(cipher))
}

/// At start: attachment files no report names are removed once older than `grace`, and the
/// files the reports name are checked to be there (a report whose file is gone fails with that
/// reason when the forwarder reaches it).
fn check_files(
    data_dir: &std::path::Path,
    store: &dyn Store,
    grace: Duration,
) -> anyhow::Result<()> {
    let named = store.named_files()?;
    let removed = crate::files::sweep_orphans(data_dir, &named, grace)?;
    if !removed.is_empty() {
        tracing::warn!(
            files = removed.len(),
            "removed attachment files that no report names"
        );
    }
    let missing: Vec<&String> = named
        .iter()
        .filter(|path| !data_dir.join(path).is_file())
        .collect();
    if !missing.is_empty() {
        tracing::warn!(files = missing.len(), paths = ?missing,
            "attachment files named by reports are missing");
    }
    Ok(())
}

/// The intake limits of these flags.
fn intake_limits(args: &ServeArgs) -> Intake {
    if args.trust_forwarded_for {
        tracing::warn!(
            "--trust-forwarded-for is deprecated: it now trusts X-Forwarded-For from \
            loopback peers only; name the proxies with --trusted-proxy CIDR"
        );
    }
    Intake {
        body_stall: Duration::from_secs(args.intake.body_stall_secs.max(1)),
        uploads: UploadGate::new(args.intake.max_uploads, args.intake.max_uploads_per_address),
        proxies: TrustedProxies::new(args.trusted_proxies()),
        min_free_disk: args.intake.min_free_disk_mb.saturating_mul(1024 * 1024),
    }
}

/// Serves HTTP/1.1 until a shutdown signal, then lets requests in flight finish for at most
/// the grace period: past it, connections still open (a stalled upload) are dropped with the
/// process. A request's headers must arrive within the body stall time.
///
/// This is axum::serve's loop, with a timer given to hyper: axum::serve gives it none, and
/// without one hyper's `header_read_timeout` does nothing.
async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &IntakeArgs,
) -> anyhow::Result<()> {
    use tower_service::Service as _;
    let grace = Duration::from_secs(limits.shutdown_grace_secs);
    let header_timeout = Duration::from_secs(limits.body_stall_secs.max(1));
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    // Connections watch `stop` to begin their graceful shutdown, and each holds an `open`
    // receiver: `open_tx.closed()` resolves when the last one has ended.
    let (stop_tx, stop_rx) = watch::channel(());
    let (open_tx, open_rx) = watch::channel(());
    let signal = shutdown_signal();
    tokio::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let mut stop = stop_rx.clone();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout);
            let connection = builder.serve_connection(
                hyper_util::rt::TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(service),
            );
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.as_mut().await;
                }
            }
            drop(open);
        });
    }
    drop(listener);
    let _ = stop_tx.send(());
    drop(open_rx);
    tokio::select! {
        () = open_tx.closed() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(grace_secs = grace.as_secs(),
                "shutdown grace period over: closing the connections still open");
        }
    }
    Ok(())
}

/// After a failed `accept`: a connection that died before it was accepted is nothing; anything
/// else (out of file descriptors) is waited out for a second, as axum::serve does.
async fn accept_error(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %error, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutdown signal received");
}

/// JSON logs on stderr, filtered by `filter` (e.g. `info`).
pub fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .try_init();
}

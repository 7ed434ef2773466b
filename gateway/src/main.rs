//! `lapor-gateway`: the command line. `serve` (the default) runs the gateway. (The LAPOR!
//! simulator of the tests and the demo is the separate `lapor-simulator` binary.)

use std::ffi::OsString;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use lapor_gateway::{config::ServeArgs, server};

/// The LAPOR! widget gateway: receives reports from the widget, stores them durably and
/// forwards them to SP4N-LAPOR!. Every `serve` flag can also be set by an environment variable
/// `LAPOR_<FLAG>`; run `lapor-gateway serve --help` for all of them.
#[derive(Debug, Parser)]
#[command(name = "lapor-gateway", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway (the default when no subcommand is given).
    // A flag given twice takes its last value, so a wrapper script can override a default.
    #[command(args_override_self = true)]
    Serve(Box<ServeArgs>),
    /// Look at and re-drive the outbox: parked and failed reports (no personal data printed).
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// The encryption key: make one, show fingerprints, re-seal the store under a new key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Moves a stopped SQLite gateway's reports (every state, the sealed records as they
    /// are, the attachment files) into the PostgreSQL database of `--database-url`. Run again
    /// after an interruption: reports already there are skipped. Prints counts only.
    MigrateStore {
        #[command(flatten)]
        dir: DataDir,
    },
    /// The sites registry: `sites check FILE` validates a sites file and names each bad line.
    #[command(subcommand)]
    Sites(SitesCommand),
    /// Clean one PDF from standard input to standard output: the child process the gateway
    /// runs for every PDF attachment (see `pdf.rs`), not a command for people.
    #[command(hide = true)]
    CleanPdf,
}

#[derive(Debug, Subcommand)]
enum SitesCommand {
    /// Validates a sites file (`--sites-file`): lists its sites, or each bad line.
    Check { file: std::path::PathBuf },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Prints a new random key (64 hex characters) for `--encryption-key-file`.
    New,
    /// The fingerprint of the key given (as `serve` loads it) and of the key the store expects.
    Fingerprint {
        #[command(flatten)]
        dir: DataDir,
    },
    /// Re-seals every identity, every report's words and every attachment under a new key.
    /// Stop the gateway first (it holds the data directory's lock); with `--database-url`,
    /// every instance on the database. When the old key was the data directory's
    /// `identity.key`, that file is replaced by the new key; otherwise give the gateway (every
    /// instance) the new key file before starting it again.
    Rotate {
        #[command(flatten)]
        dir: DataDir,
        /// The new key (64 hex characters, e.g. from `lapor-gateway keys new`).
        #[arg(long)]
        new_key_file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Parked and failed reports, newest first (`--all`: every report not yet delivered too).
    List {
        #[command(flatten)]
        dir: DataDir,
        /// Also the reports still waiting for delivery.
        #[arg(long)]
        all: bool,
    },
    /// Deliver a parked or failed report again now. A parked report may already be at LAPOR!
    /// (it answered without a complaint id): check there first, or it may arrive twice.
    Retry {
        #[command(flatten)]
        dir: DataDir,
        tracking_id: String,
    },
    /// Stop delivering a report (it stays stored; `retry` resumes it).
    Park {
        #[command(flatten)]
        dir: DataDir,
        tracking_id: String,
    },
}

#[derive(Debug, clap::Args)]
struct DataDir {
    /// The gateway's data directory.
    #[arg(long, env = "LAPOR_DATA_DIR", default_value = ".data/gateway")]
    data_dir: std::path::PathBuf,
    /// The encryption key, as `serve` takes it (else `LAPOR_ENCRYPTION_KEY`, else the data
    /// directory's `identity.key`).
    #[arg(long, env = "LAPOR_ENCRYPTION_KEY_FILE")]
    encryption_key_file: Option<std::path::PathBuf>,
    /// The gateway's PostgreSQL database, as `serve` takes it (instead of the data directory's
    /// SQLite store).
    #[arg(long, env = "LAPOR_DATABASE_URL")]
    database_url: Option<lapor_gateway::config::DatabaseUrl>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse_from(with_default_subcommand(std::env::args_os().collect()));
    if let Command::CleanPdf = cli.command {
        // Before any runtime: the child runs on one thread under its own memory limit.
        std::process::exit(lapor_gateway::pdf::child_main());
    }
    let cli = match cli.command {
        Command::Outbox(command) => return outbox(command),
        Command::Keys(command) => return keys(command),
        Command::Sites(SitesCommand::Check { file }) => return check_sites(&file),
        Command::MigrateStore { dir } => return migrate_store(&dir),
        command => Cli { command },
    };
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        Command::Serve(args) => {
            server::init_logging(&args.log);
            let result = runtime.block_on(server::run(*args));
            if let Err(e) = &result {
                tracing::error!(error = format!("{e:#}"), "gateway failed");
            }
            result
        }
        Command::Outbox(_)
        | Command::Keys(_)
        | Command::Sites(_)
        | Command::MigrateStore { .. }
        | Command::CleanPdf => Ok(()),
    }
}

/// `lapor-gateway migrate-store`: SQLite to PostgreSQL (see `lapor_gateway::migrate`).
fn migrate_store(dir: &DataDir) -> anyhow::Result<()> {
    let url = dir
        .database_url
        .as_ref()
        .context("migrate-store needs --database-url (the PostgreSQL database to fill)")?;
    let summary =
        lapor_gateway::migrate::run(&dir.data_dir, url, dir.encryption_key_file.as_deref())?;
    for (tracking_id, reason) in &summary.refused {
        eprintln!("{tracking_id}: not moved: {reason}");
    }
    println!(
        "reports: {} in the SQLite store, {} moved, {} already in the database, {} not moved; \
         attachments: {} byte(s) moved",
        summary.total,
        summary.moved,
        summary.skipped,
        summary.refused.len(),
        summary.attachment_bytes
    );
    anyhow::ensure!(
        summary.refused.is_empty(),
        "{} report(s) not moved (listed above): fix them and run migrate-store again",
        summary.refused.len()
    );
    println!("counts verified in the database");
    Ok(())
}

/// `lapor-gateway sites check FILE`.
fn check_sites(file: &std::path::Path) -> anyhow::Result<()> {
    let sites = lapor_gateway::sites::Sites::load(file)?;
    for site in sites.all() {
        println!(
            "{}\t{}\t{}\t{}",
            site.id,
            site.region_code.as_deref().unwrap_or("-"),
            site.origins.join(" "),
            site.name
        );
    }
    eprintln!("{}: {} site(s), valid", file.display(), sites.all().len());
    Ok(())
}

/// `lapor-gateway keys …`.
fn keys(command: KeysCommand) -> anyhow::Result<()> {
    use lapor_gateway::crypto::{self, Cipher};
    use lapor_gateway::store::{postgres::PgStore, sqlite::SqliteStore};
    match command {
        KeysCommand::New => {
            println!("{}", crypto::hex(&crypto::new_key()?));
            Ok(())
        }
        KeysCommand::Fingerprint { dir } => {
            let state = match &dir.database_url {
                Some(url) => PgStore::key_state_at(url.expose())?,
                None => SqliteStore::key_state(&dir.data_dir)?,
            };
            let (cipher, source) =
                Cipher::load(dir.encryption_key_file.as_deref(), &dir.data_dir, false)?;
            println!("key given ({source:?}): {}", cipher.fingerprint());
            match state.recorded {
                Some(id) => println!("key the store expects: {}", crypto::hex(&id)),
                None => println!("key the store expects: none recorded"),
            }
            state.check(&cipher).map_err(anyhow::Error::msg)
        }
        KeysCommand::Rotate { dir, new_key_file } => {
            let _lock = lapor_gateway::files::lock(&dir.data_dir)?;
            let new_key = crypto::read_key_file(&new_key_file)?;
            let new = Cipher::new(&new_key);
            let key_file = dir.encryption_key_file.as_deref();
            let same = |old: &Cipher| {
                anyhow::ensure!(
                    new.key_id() != old.key_id(),
                    "the new key is the key in use"
                );
                Ok(())
            };
            let (old, (reports, files)) = match &dir.database_url {
                Some(url) => {
                    let (old, store) = server::open_postgres(
                        url,
                        &dir.data_dir,
                        key_file,
                        false,
                        lapor_gateway::store::postgres::LeaseTimes::for_command(),
                    )?;
                    same(&old)?;
                    let done = store.reseal(&new)?;
                    (old, done)
                }
                None => {
                    let (old, store) = server::open_store(&dir.data_dir, key_file, false)?;
                    same(&old)?;
                    let done = store.reseal(&dir.data_dir, &new)?;
                    (old, done)
                }
            };
            println!(
                "re-sealed {reports} report(s) and {files} attachment(s): key {} -> {}",
                old.fingerprint(),
                new.fingerprint()
            );
            let in_dir = dir.data_dir.join("identity.key");
            if dir.encryption_key_file.is_none()
                && std::env::var_os("LAPOR_ENCRYPTION_KEY").is_none()
                && in_dir.exists()
            {
                let next = dir.data_dir.join("identity.key.new");
                let _ = std::fs::remove_file(&next);
                crypto::write_private(&next, crypto::hex(&new_key).as_bytes())?;
                std::fs::rename(&next, &in_dir)?;
                std::fs::File::open(&dir.data_dir)?.sync_all()?;
                println!("{} now holds the new key", in_dir.display());
            } else {
                println!("start the gateway with the new key (the old one opens nothing now)");
            }
            Ok(())
        }
    }
}

/// `lapor-gateway outbox …`, on the data directory's store (the gateway may be running).
fn outbox(command: OutboxCommand) -> anyhow::Result<()> {
    use lapor_gateway::store::Store;
    let open = |dir: &DataDir| -> anyhow::Result<Box<dyn Store>> {
        let key_file = dir.encryption_key_file.as_deref();
        if let Some(url) = &dir.database_url {
            let (_, store) = server::open_postgres(
                url,
                &dir.data_dir,
                key_file,
                false,
                lapor_gateway::store::postgres::LeaseTimes::for_command(),
            )?;
            return Ok(Box::new(store));
        }
        anyhow::ensure!(
            dir.data_dir.join("gateway.sqlite3").exists(),
            "no gateway store in {}",
            dir.data_dir.display()
        );
        let (_, store) = server::open_store(&dir.data_dir, key_file, false)?;
        Ok(Box::new(store))
    };
    let now = lapor_gateway::unix_now();
    match command {
        OutboxCommand::List { dir, all } => {
            let entries = open(&dir)?.outbox(all, 1000)?;
            println!(
                "tracking_id\tstatus\tidentity\treceived_at\tattempts\tcomplaint_id\tlast_error"
            );
            for e in &entries {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    e.tracking_id,
                    if e.purged {
                        "purged"
                    } else {
                        e.status.as_str()
                    },
                    e.identity.as_deref().unwrap_or("-"),
                    lapor_gateway::jakarta_rfc3339(e.received_at),
                    e.attempts,
                    e.complaint_id.as_deref().unwrap_or("-"),
                    e.last_error
                        .as_deref()
                        .unwrap_or("-")
                        .replace(['\t', '\n'], " "),
                );
            }
            eprintln!("{} report(s)", entries.len());
            Ok(())
        }
        OutboxCommand::Retry { dir, tracking_id } => {
            anyhow::ensure!(
                open(&dir)?.retry(&tracking_id, now)?,
                "{tracking_id}: nothing to retry (unknown, delivered, or purged)"
            );
            println!("{tracking_id}: will be delivered again now");
            Ok(())
        }
        OutboxCommand::Park { dir, tracking_id } => {
            anyhow::ensure!(
                open(&dir)?.park(&tracking_id, "parked by an operator", now)?,
                "{tracking_id}: nothing to park (unknown, or already forwarded)"
            );
            println!("{tracking_id}: parked");
            Ok(())
        }
    }
}

/// `lapor-gateway --listen …` means `lapor-gateway serve --listen …`.
fn with_default_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
    let explicit = matches!(
        first,
        "serve"
            | "outbox"
            | "keys"
            | "sites"
            | "migrate-store"
            | "clean-pdf"
            | "help"
            | "-h"
            | "--help"
            | "-V"
            | "--version"
    );
    if !explicit {
        args.insert(1.min(args.len()), OsString::from("serve"));
    }
    args
}

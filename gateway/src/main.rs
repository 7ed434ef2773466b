//! `lapor-gateway`: the command line. `serve` (the default) runs the gateway. (The LAPOR!
//! simulator of the tests and the demo is the separate `lapor-simulator` binary.)

use std::ffi::OsString;

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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse_from(with_default_subcommand(std::env::args_os().collect()));
    if let Command::Outbox(command) = cli.command {
        return outbox(command);
    }
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
        Command::Outbox(_) => Ok(()),
    }
}

/// `lapor-gateway outbox …`, on the data directory's store (the gateway may be running).
fn outbox(command: OutboxCommand) -> anyhow::Result<()> {
    use lapor_gateway::store::{sqlite::SqliteStore, Store};
    let open = |dir: &DataDir| {
        anyhow::ensure!(
            dir.data_dir.join("gateway.sqlite3").exists(),
            "no gateway store in {}",
            dir.data_dir.display()
        );
        SqliteStore::open(&dir.data_dir)
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
        "serve" | "outbox" | "help" | "-h" | "--help" | "-V" | "--version"
    );
    if !explicit {
        args.insert(1.min(args.len()), OsString::from("serve"));
    }
    args
}

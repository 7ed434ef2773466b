//! `lapor-gateway`: the command line. `serve` (the default) runs the gateway;
//! `simulate-lapor` runs the LAPOR! simulator for tests and the demo.

use std::ffi::OsString;

use clap::{Parser, Subcommand};
use lapor_gateway::{config::ServeArgs, server, simulator};

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
    /// Run the LAPOR! simulator (tests and demo only; never the real service).
    SimulateLapor(simulator::SimArgs),
    /// Clean one PDF from standard input to standard output: the child process the gateway
    /// runs for every PDF attachment (see `pdf.rs`), not a command for people.
    #[command(hide = true)]
    CleanPdf,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse_from(with_default_subcommand(std::env::args_os().collect()));
    if let Command::CleanPdf = cli.command {
        // Before any runtime: the child runs on one thread under its own memory limit.
        std::process::exit(lapor_gateway::pdf::child_main());
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
        Command::SimulateLapor(args) => {
            server::init_logging("info");
            runtime.block_on(simulator::run(args))
        }
        Command::CleanPdf => unreachable!("handled before the runtime starts"),
    }
}

/// `lapor-gateway --listen …` means `lapor-gateway serve --listen …`.
fn with_default_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
    let explicit = matches!(
        first,
        "serve" | "simulate-lapor" | "clean-pdf" | "help" | "-h" | "--help" | "-V" | "--version"
    );
    if !explicit {
        args.insert(1.min(args.len()), OsString::from("serve"));
    }
    args
}

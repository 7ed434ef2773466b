//! `demo-site`: serves a directory of static files (the demo's sample regional site, `www/`) on
//! its own address, so that the page and the gateway are two origins, as a Pemda's site and the
//! national gateway are. For the demo and the end-to-end tests only.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Serves a static site (the demo's sample regional site) for the demo and the tests.
#[derive(Debug, Parser)]
#[command(name = "demo-site", version)]
struct Args {
    /// The directory to serve.
    #[arg(long, default_value = "www")]
    dir: PathBuf,
    /// The address to listen on (another origin than the gateway's).
    #[arg(long, default_value = "127.0.0.1:8000")]
    listen: SocketAddr,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    lapor_simulator::init_logging();
    tokio::runtime::Runtime::new()?.block_on(async move {
        anyhow::ensure!(
            args.dir.is_dir(),
            "{} is not a directory",
            args.dir.display()
        );
        let shutdown = lapor_simulator::shutdown_signal()?;
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        tracing::info!(listen = %listener.local_addr()?, dir = %args.dir.display(),
            "demo site listening");
        let app =
            axum::Router::new().fallback_service(tower_http::services::ServeDir::new(&args.dir));
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    })
}

//! `lapor-simulator`: the LAPOR! simulator for the tests and the demo (never the real service).
//! `lapor-simulator --help` lists its flags; the credentials it expects come from
//! `LAPOR_AUTHORIZATION` and `LAPOR_TOKEN`.

use clap::Parser as _;

fn main() -> anyhow::Result<()> {
    let args = lapor_simulator::SimArgs::parse();
    lapor_simulator::init_logging();
    tokio::runtime::Runtime::new()?.block_on(lapor_simulator::run(args))
}

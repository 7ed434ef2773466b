#!/usr/bin/env bash
# Scale check of the sites registry: GET /api/v1/config and POST /api/v1/reports with 1
# registered site and with 550 (each its own origin, requests spread over all), side by side in
# the same run: requests/s and p99 latency, and the ratio.
#
#   scripts/bench-sites.sh                      # 32 clients, 8 s per figure (about a minute)
#   scripts/bench-sites.sh --seconds 5 --clients 16 --sites 550
#
# Builds the release binaries and the example, starts the LAPOR! simulator (down: intake
# alone) and each gateway in turn on 127.0.0.1 with a fresh data dir. Prints figures and
# PASS/MISS against the goal (550 sites keep >= 0.8x the single-site throughput); a MISS does
# not fail the script.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -p lapor-gateway --bin lapor-gateway --example bench_sites
cargo build --release -p lapor-simulator --bin lapor-simulator
# Examples get no CARGO_BIN_EXE_*; point the harness at the release binaries explicitly (the
# simulator is found next to the gateway).
export LAPOR_TEST_BINARY="$CARGO_TARGET_DIR/release/lapor-gateway"
exec "$CARGO_TARGET_DIR/release/examples/bench_sites" "$@"

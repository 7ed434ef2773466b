#!/usr/bin/env bash
# Gateway benchmark: POST /api/v1/reports with two 500 KB JPEGs, 32 concurrent clients over
# loopback, against this disk's limit (synced 1 MiB writes/s) measured in the same run.
#
#   scripts/bench-gateway.sh                 # defaults: 32 clients, 15 s measured (< 60 s in all)
#   scripts/bench-gateway.sh --seconds 10 --clients 32 --dir /var/tmp
#
# Builds the release binary and the example, starts the LAPOR! simulator and the gateway on
# 127.0.0.1, prints reports/s, p50/p99 latency, the disk limit, the ratio and PASS/MISS
# against the goal (>= 0.5x the limit, p99 < 250 ms). A MISS does not fail the script.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -p lapor-gateway --bin lapor-gateway --example bench
cargo build --release -p lapor-simulator --bin lapor-simulator
# Examples get no CARGO_BIN_EXE_*; point the harness at the release binaries explicitly (the
# simulator is found next to the gateway).
export LAPOR_TEST_BINARY="$CARGO_TARGET_DIR/release/lapor-gateway"
exec "$CARGO_TARGET_DIR/release/examples/bench" "$@"

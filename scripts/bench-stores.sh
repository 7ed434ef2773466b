#!/usr/bin/env bash
# The two stores side by side, in one run on this machine (issue 14's figures):
#   1. intake: scripts/bench-gateway.sh's benchmark (POST /reports with two 500 KB JPEGs,
#      32 clients), alternating SQLite in a data directory and PostgreSQL, round by round,
#      each round on a fresh store; medians and the PostgreSQL / SQLite ratio per round;
#   2. forwarder drain: a backlog of 10,000 reports against the LAPOR! simulator with 300 ms
#      added to every call, drained by one and by two gateways on one PostgreSQL database,
#      and by one on SQLite, each creating up to 32 complaints at a time
#      (--create-concurrency 32, what an operator sets to drain a backlog); then a backlog of
#      1,000 drained by one and two gateways at the default of one create at a time (the
#      setting that bounds a kill's duplicates to one).
# Starts a throwaway PostgreSQL (scripts/pg.sh; synchronous commit and fsync on, as the
# defaults are) in the system temp dir, on the same disk as the SQLite data directories.
#
#   scripts/bench-stores.sh [--rounds N] [--seconds N] [--backlog N] [--default-backlog N]
#                           [--latency-ms N] [--no-drain]
#
# A benchmark, not a test: it prints figures and never fails on them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
rounds=5; seconds=15; backlog=10000; default_backlog=1000; latency=300; drain=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --backlog) backlog="$2"; shift 2 ;;
    --default-backlog) default_backlog="$2"; shift 2 ;;
    --latency-ms) latency="$2"; shift 2 ;;
    --no-drain) drain=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
log() { printf '[bench-stores] %s\n' "$*" >&2; }

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  cargo build --release -p lapor-gateway --bin lapor-gateway --example bench --example bench_drain
  cargo build --release -p lapor-simulator --bin lapor-simulator
fi
export LAPOR_TEST_BINARY="$CARGO_TARGET_DIR/release/lapor-gateway"
BENCH="$CARGO_TARGET_DIR/release/examples/bench"
DRAIN="$CARGO_TARGET_DIR/release/examples/bench_drain"

pg_dir="$(bash scripts/pg.sh start)"
trap 'bash scripts/pg.sh stop "$pg_dir"' EXIT
admin="$(bash scripts/pg.sh url "$pg_dir")"
server="${admin%/*}"
psql_bin="$(cat "$pg_dir/bin")/psql"
new_db() {
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE $1" >/dev/null
  echo "$server/$1"
}

out="$(mktemp -d "${TMPDIR:-/tmp}/lapor-bench-stores.XXXXXX")"
for i in $(seq 1 "$rounds"); do
  "$BENCH" --seconds "$seconds" >"$out/sqlite-$i.txt" 2>&1
  "$BENCH" --seconds "$seconds" --database-url "$(new_db "bench_intake_$i")" >"$out/pg-$i.txt" 2>&1
  for s in sqlite pg; do
    printf 'round %s %-6s %s; load %s\n' "$i" "$s" \
      "$(grep -E '^throughput|^latency' "$out/$s-$i.txt" | tr '\n' ' ')" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
python3 - "$out" "$rounds" <<'EOF'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def figures(path):
    text = open(path).read()
    rate = re.search(r'^throughput: ([\d.]+)', text, re.M)
    p99 = re.search(r'^latency: .*?p99 ([\d.]+) ms', text, re.M)
    return (float(rate.group(1)) if rate else 0.0, float(p99.group(1)) if p99 else 0.0)
sq = [figures(f"{out}/sqlite-{i}.txt") for i in range(1, rounds + 1)]
pg = [figures(f"{out}/pg-{i}.txt") for i in range(1, rounds + 1)]
ratios = [p[0] / s[0] for s, p in zip(sq, pg) if s[0] > 0]
med = statistics.median
print()
print(f"intake, medians of {rounds} alternated rounds (2 x 500 KB JPEG per report, 32 clients):")
print(f"  SQLite      {med(x[0] for x in sq):7.1f} reports/s   p99 {med(x[1] for x in sq):6.1f} ms")
print(f"  PostgreSQL  {med(x[0] for x in pg):7.1f} reports/s   p99 {med(x[1] for x in pg):6.1f} ms")
if ratios:
    print(f"  PostgreSQL / SQLite, round by round: median {med(ratios):.2f}x (" + ", ".join(f"{r:.2f}" for r in ratios) + ")")
EOF
rm -rf "$out"

if [ "$drain" = 1 ]; then
  fast=(--backlog "$backlog" --latency-ms "$latency" --create-concurrency 32)
  echo
  "$DRAIN" "${fast[@]}" --instances 1 --database-url "$(new_db bench_drain_1)"
  echo
  "$DRAIN" "${fast[@]}" --instances 2 --database-url "$(new_db bench_drain_2)"
  echo
  "$DRAIN" "${fast[@]}" --instances 1
  default=(--backlog "$default_backlog" --latency-ms "$latency" --create-concurrency 1)
  echo
  "$DRAIN" "${default[@]}" --instances 1 --database-url "$(new_db bench_drain_d1)"
  echo
  "$DRAIN" "${default[@]}" --instances 2 --database-url "$(new_db bench_drain_d2)"
fi

#!/usr/bin/env bash
# The demo: builds everything, starts the LAPOR! simulator (lapor-simulator) and the gateway
# on 127.0.0.1, serves the sample city site (www/, by demo-site) and prints the URL to open.
# Ctrl-C stops all three.
#
#   simulator  http://127.0.0.1:8090   (stands in for SP4N-LAPOR!; /_simulator/complaints)
#   gateway    http://127.0.0.1:8080   (/api/v1, the widget at /widget/, the participation page
#                                       at /stats/; the demo city from gateway/sites.demo.toml)
#   demo site  http://127.0.0.1:8000   (www/, a different origin than the gateway)
#
# Data lives under .data/ (kept between runs). Demo credentials are exported to both
# processes unless LAPOR_AUTHORIZATION / LAPOR_TOKEN are already set.
# Set GATEWAY_CARGO_TARGET_DIR to build the gateway in another target dir than the widget.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

log() { printf '[demo] %s\n' "$*" >&2; }

if [ -x scripts/setup.sh ] || [ -f scripts/setup.sh ]; then
  bash scripts/setup.sh
fi

log "building the widget"
bash scripts/build-widget.sh

GW_TARGET="${GATEWAY_CARGO_TARGET_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}}"
log "building the gateway and the simulator (release)"
CARGO_TARGET_DIR="$GW_TARGET" cargo build --release -p lapor-gateway -p lapor-simulator
BIN="$GW_TARGET/release/lapor-gateway"
SIM="$GW_TARGET/release/lapor-simulator"
SITE="$GW_TARGET/release/demo-site"

export LAPOR_AUTHORIZATION="${LAPOR_AUTHORIZATION:-Bearer demo-instansi-authorization}"
export LAPOR_TOKEN="${LAPOR_TOKEN:-demo-instansi-token}"

mkdir -p .data/gateway .data/simulator
PIDS=()
stop() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  log "stopped"
}
trap stop INT TERM EXIT

wait_healthy() { # url name pid
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$1"; then return 0; fi
    kill -0 "$3" 2>/dev/null || { log "$2 exited during start-up"; return 1; }
    sleep 0.2
  done
  log "$2 did not answer $1 within 20 s"
  return 1
}

"$SIM" --listen 127.0.0.1:8090 --data-dir .data/simulator &
PIDS+=($!)
wait_healthy http://127.0.0.1:8090/_simulator/complaints simulator "${PIDS[-1]}"

"$BIN" --listen 127.0.0.1:8080 --upstream-url http://127.0.0.1:8090 --allow-insecure-upstream \
  --data-dir .data/gateway --widget-dir dist/widget \
  --sites-file gateway/sites.demo.toml &
PIDS+=($!)
wait_healthy http://127.0.0.1:8080/healthz gateway "${PIDS[-1]}"

"$SITE" --dir www --listen 127.0.0.1:8000 &
PIDS+=($!)
wait_healthy http://127.0.0.1:8000/ "demo site" "${PIDS[-1]}"

cat <<EOF

  LAPOR! widget demo is running.

  Open the sample city site:        http://127.0.0.1:8000/
  Reports received by the simulator: http://127.0.0.1:8090/_simulator/complaints
  Gateway API:                      http://127.0.0.1:8080/api/v1/config
  Participation page (per site):    http://127.0.0.1:8080/stats/  (English: /stats/?lang=en, JSON: /stats)

  Press Ctrl-C to stop.

EOF
# Ends when any process ends (or on Ctrl-C): the demo is useless with one of them down.
wait -n "${PIDS[@]}" || true
log "a process ended; stopping the others"

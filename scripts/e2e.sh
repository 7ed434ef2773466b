#!/usr/bin/env bash
# End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium, driven by npm
# playwright-core): builds the widget and the gateway, starts the LAPOR! simulator and the
# gateway on free 127.0.0.1 ports with throw-away data dirs (the test site registered as the
# demo city in a sites file), serves the demo site (www/ plus
# the test pages in e2e/fixtures/) with the simulator crate's demo-site (another origin than
# the gateway), runs `node --test e2e/`, always stops what it started, and exits with the tests'
# status. Screenshots go to artifacts/e2e/ (not committed).
#
# Extra arguments go to node's test runner, e.g. scripts/e2e.sh --test-name-pattern=keyboard
# Set GATEWAY_CARGO_TARGET_DIR to build the gateway in another target dir than the widget.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

log() { printf '[e2e] %s\n' "$*" >&2; }

if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  log "building the widget"
  bash scripts/build-widget.sh
  log "building the gateway and the simulator"
  CARGO_TARGET_DIR="${GATEWAY_CARGO_TARGET_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}}" \
    cargo build -p lapor-gateway -p lapor-simulator
fi
BIN_DIR="${GATEWAY_CARGO_TARGET_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}}/debug"
BIN="$BIN_DIR/lapor-gateway"; SIM="$BIN_DIR/lapor-simulator"; SITE="$BIN_DIR/demo-site"
for b in "$BIN" "$SIM" "$SITE"; do [ -x "$b" ] || { log "no binary at $b"; exit 1; }; done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lapor-e2e.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${KEEP_E2E_WORK:-}" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
SIM_PORT="$(free_port)"; GW_PORT="$(free_port)"; SITE_PORT="$(free_port)"
while [ "$GW_PORT" = "$SIM_PORT" ]; do GW_PORT="$(free_port)"; done
while [ "$SITE_PORT" = "$SIM_PORT" ] || [ "$SITE_PORT" = "$GW_PORT" ]; do SITE_PORT="$(free_port)"; done

# The demo page names the demo gateway (127.0.0.1:8080) in its snippet and its CSP; the
# copy under test names this run's gateway instead, and nothing else changes.
mkdir -p "$WORK/site/fixtures" "$WORK/gateway" "$WORK/simulator"
cp -r www/. "$WORK/site/"
cp -r e2e/fixtures/. "$WORK/site/fixtures/"
grep -rl '127\.0\.0\.1:8080' "$WORK/site" | xargs -r sed -i "s/127\.0\.0\.1:8080/127.0.0.1:$GW_PORT/g"

# The sites registry: the test site's origins are the demo city's, as gateway/sites.demo.toml
# registers the demo's (the form preselects Kota Bontang there), with this run's port.
sed -e "s/127\.0\.0\.1:8000/127.0.0.1:$SITE_PORT/g" -e "s/localhost:8000/localhost:$SITE_PORT/g" \
  gateway/sites.demo.toml >"$WORK/sites.toml"
grep -q "127.0.0.1:$SITE_PORT" "$WORK/sites.toml" || { log "sites file without the test site"; exit 1; }

export LAPOR_AUTHORIZATION="Bearer e2e-authorization"
export LAPOR_TOKEN="e2e-token"

wait_up() { # url name pid log
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$1"; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then log "$2 exited during start-up:"; tail -n 30 "$4" >&2; return 1; fi
    sleep 0.2
  done
  log "$2 did not answer $1 within 30 s:"; tail -n 30 "$4" >&2
  return 1
}

"$SIM" --listen "127.0.0.1:$SIM_PORT" --data-dir "$WORK/simulator" \
  --status-step-secs 0 >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
wait_up "http://127.0.0.1:$SIM_PORT/_simulator/complaints" simulator "${PIDS[-1]}" "$WORK/simulator.log"

"$BIN" --listen "127.0.0.1:$GW_PORT" --upstream-url "http://127.0.0.1:$SIM_PORT" --allow-insecure-upstream \
  --data-dir "$WORK/gateway" --widget-dir dist/widget \
  --sites-file "$WORK/sites.toml" \
  --rate-limit-per-minute 0 --retry-base-ms 200 --retry-max-ms 2000 --status-sync-secs 1 \
  >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_up "http://127.0.0.1:$GW_PORT/healthz" gateway "${PIDS[-1]}" "$WORK/gateway.log"

"$SITE" --dir "$WORK/site" --listen "127.0.0.1:$SITE_PORT" >"$WORK/site.log" 2>&1 &
PIDS+=($!)
wait_up "http://127.0.0.1:$SITE_PORT/" "demo site" "${PIDS[-1]}" "$WORK/site.log"

export E2E_GATEWAY="http://127.0.0.1:$GW_PORT"
export E2E_SIMULATOR="http://127.0.0.1:$SIM_PORT"
export E2E_SITE="http://127.0.0.1:$SITE_PORT"
export E2E_ARTIFACTS="$ROOT/artifacts/e2e"
mkdir -p "$E2E_ARTIFACTS"
log "simulator $E2E_SIMULATOR, gateway $E2E_GATEWAY, site $E2E_SITE"

status=0
node --test --test-reporter=spec "$@" e2e/ || status=$?
if [ "$status" -ne 0 ]; then
  log "tests failed ($status); last lines of the gateway log:"
  tail -n 40 "$WORK/gateway.log" >&2 || true
fi
log "screenshots in artifacts/e2e/"
exit "$status"

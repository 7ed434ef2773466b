#!/usr/bin/env bash
# The one command that runs every test: `scripts/test.sh`.
# It installs what is missing first (scripts/setup.sh), so it works on a fresh machine, and
# stops at the first failing step. `.ci/run` is this same command.
#
#   1. native tests: core, gateway (over real HTTP against the real binary and the LAPOR!
#      simulator; the gateway's tests against both stores, SQLite and a throwaway PostgreSQL
#      that scripts/pg.sh installs when missing, starts and removes), the widget's state
#      machine and texts
#   2. core for wasm32 without the kecamatan table, and what it weighs
#   3. the widget build and its size budget, as the gateway serves it (loader <= 6 KB brotli,
#      widget <= 150 KB brotli)
#   4. browser tests of the widget (wasm-bindgen-test in headless Chromium)
#   5. end-to-end tests: demo page, gateway and simulator in real Chromium (scripts/e2e.sh)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

started=$SECONDS
step() { printf '\n==> [%ds] %s\n' "$((SECONDS - started))" "$*" >&2; }

step "set-up"
bash scripts/setup.sh

step "throwaway PostgreSQL for the gateway's tests"
pg_dir="$(bash scripts/pg.sh start)"
trap 'bash scripts/pg.sh stop "$pg_dir"' EXIT
LAPOR_TEST_DATABASE_URL="$(bash scripts/pg.sh url "$pg_dir")"
export LAPOR_TEST_DATABASE_URL

step "native tests: core, gateway (SQLite and PostgreSQL), widget state"
cargo test --workspace --all-targets

step "core builds for wasm32 without the kecamatan table, and what it weighs"
bash scripts/core-size.sh

step "widget build and size budget"
bash scripts/build-widget.sh
bash scripts/size-check.sh

step "browser tests of the widget (headless Chromium)"
# wasm-pack finds Debian's /usr/bin/chromedriver; webdriver.json gives Chromium the flags it
# needs as root. The tests need no server (see tests/web.rs).
wasm-pack --log-level warn test --headless --chrome --chromedriver "$(command -v chromedriver)"

step "end-to-end tests (real Chromium, real gateway, LAPOR! simulator)"
bash scripts/e2e.sh

step "all tests passed in $((SECONDS - started)) s"

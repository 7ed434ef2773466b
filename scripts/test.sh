#!/usr/bin/env bash
# The one command that runs every test: `scripts/test.sh`.
# It installs what is missing first (scripts/setup.sh), so it works on a fresh machine.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*" >&2; }

step "set-up"
scripts/setup.sh

step "native tests: core, gateway, widget state"
cargo test --workspace --all-targets

step "core builds for wasm32 without the kecamatan table, and what it weighs"
scripts/core-size.sh

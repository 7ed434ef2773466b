#!/usr/bin/env bash
# Installs every tool the build and the tests need, when it is missing, and is quick when all
# is there. Safe to run again and again. Needs the package registries only (crates.io, npm,
# Debian), never a tool's own download of a prebuilt binary.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

log() { printf '[setup] %s\n' "$*" >&2; }

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"
: "${WASM_BINDGEN_VERSION:?wasm-bindgen not found in Cargo.lock}"

# Chromium (apt) and the npm tools install in the background while cargo builds the Rust
# tools below: on a new machine that takes minutes off the set-up.
# Debian packages: chromium and chromium-driver for the browser tests, brotli for the
# widget's precompressed copies (gzip is part of every Debian system). One apt run for all.
BACKGROUND=()
DEBIAN=()
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  DEBIAN+=(chromium chromium-driver)
fi
if ! command -v brotli >/dev/null; then
  DEBIAN+=(brotli)
fi
if [ "${#DEBIAN[@]}" -gt 0 ]; then
  log "installing Debian ${DEBIAN[*]} (in the background)"
  (
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${DEBIAN[@]}" >/dev/null
  ) &
  BACKGROUND+=($!)
fi
# npm tools: binaryen (wasm-opt; Debian's is too old), terser, playwright-core, axe-core.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/terser ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm tools (in the background)"
  npm ci --no-audit --no-fund --loglevel=error &
  BACKGROUND+=($!)
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! command -v wasm-pack >/dev/null; then
  log "installing wasm-pack (a few minutes)"
  cargo install wasm-pack
fi

if ! command -v twiggy >/dev/null; then
  log "installing twiggy (size profiler)"
  cargo install twiggy
fi

if command -v /usr/bin/wasm-opt >/dev/null && /usr/bin/wasm-opt --version | grep -q 'version 10[0-9]'; then
  log "note: Debian's old wasm-opt is installed; node_modules/.bin is put first on PATH to avoid it"
fi
for pid in "${BACKGROUND[@]}"; do
  wait "$pid" || { log "a background install failed (see above)"; exit 1; }
done
log "all tools present"

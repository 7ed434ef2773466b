#!/usr/bin/env bash
# Builds core for wasm32 (without the kecamatan table, as the widget does) and prints how many
# bytes it adds to a Wasm module: the probe crate (core/size-probe) built without and with its
# `core` feature, each optimised with wasm-opt -Oz and gzipped; the difference is core's weight.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dir="$TARGET_DIR/wasm32-unknown-unknown/release"
for variant in base core; do
  features=()
  [ "$variant" = core ] && features=(--features core)
  cargo build -q -p lapor-core-size-probe --release --target wasm32-unknown-unknown "${features[@]}"
  wasm-opt -Oz --strip-debug --strip-producers "$dir/lapor_core_size_probe.wasm" -o "$out/$variant.wasm"
  gzip -9 -c "$out/$variant.wasm" >"$out/$variant.wasm.gz"
done
size() { stat -c %s "$1"; }
base_raw=$(size "$out/base.wasm"); core_raw=$(size "$out/core.wasm")
base_gz=$(size "$out/base.wasm.gz"); core_gz=$(size "$out/core.wasm.gz")
printf 'core in wasm32 (no kecamatan): %d bytes raw, %d bytes gzip (probe %d/%d, baseline %d/%d)\n' \
  $((core_raw - base_raw)) $((core_gz - base_gz)) "$core_raw" "$core_gz" "$base_raw" "$base_gz"

#!/usr/bin/env bash
# Builds core for wasm32 (without the kecamatan table, as the widget does) and prints how many
# bytes it adds to a Wasm module: two probe modules, one with core and one without, each
# optimised with wasm-opt -Oz and gzipped; the difference is core's weight.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

cargo build -q -p lapor-core --no-default-features --release --target wasm32-unknown-unknown \
  --example size_probe_base --example size_probe_core
dir="$TARGET_DIR/wasm32-unknown-unknown/release/examples"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for name in size_probe_base size_probe_core; do
  wasm-opt -Oz --strip-debug --strip-producers "$dir/$name.wasm" -o "$out/$name.wasm"
  gzip -9 -c "$out/$name.wasm" > "$out/$name.wasm.gz"
done
size() { stat -c %s "$1"; }
base_raw=$(size "$out/size_probe_base.wasm"); core_raw=$(size "$out/size_probe_core.wasm")
base_gz=$(size "$out/size_probe_base.wasm.gz"); core_gz=$(size "$out/size_probe_core.wasm.gz")
printf 'core in wasm32 (no kecamatan): %d bytes raw, %d bytes gzip (probe %d/%d, baseline %d/%d)\n' \
  $((core_raw - base_raw)) $((core_gz - base_gz)) "$core_raw" "$core_gz" "$base_raw" "$base_gz"

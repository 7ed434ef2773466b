#!/usr/bin/env bash
# Measures what a citizen downloads: the bytes the real gateway sends for dist/widget/ (run
# scripts/build-widget.sh first), asked with `Accept-Encoding: br` and with `gzip`, against the
# budget of the first-seconds issue:
#   loader (lapor-widget.js), brotli as served, in one request   <= 6144 bytes, enforced
#     (the launcher's "bytes before intent": a page with data-mode="launcher" downloads only
#     this file until the citizen shows intent; with the launcher it no longer fits the old
#     3 KB gzip, so the budget is the issue's 6 KB brotli; gzip is printed beside it)
#   widget (Wasm + glue + CSS, JS snippets inlined), brotli as served <= 153600 bytes, enforced
#   the same widget with gzip as served: printed beside it (for clients without brotli)
# The gzip figure had the 150 KB budget before brotli was served, and never met it; a
# regression ceiling (last 172,800) held it until the brotli budget had room. It has now (about
# 10 KB to spare when this changed: 143,374 bytes brotli), so, as decided, brotli is the one
# enforced budget and gzip is printed beside it.
#
# The gateway is the debug build of lapor-gateway (built here when missing or stale; set
# GATEWAY_CARGO_TARGET_DIR to use another target dir), on a port the OS picks on 127.0.0.1, with
# a throw-away data dir and stand-in credentials; it is stopped at the end. Each answer must
# carry the asked Content-Encoding and decompress to the file on disk, so a missing or stale
# .br/.gz copy fails here rather than being measured.
# Then lists the largest items of the optimized Wasm with twiggy, when installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

LOADER_MAX=6144
WIDGET_MAX=153600
DIR=dist/widget
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
GATEWAY_TARGET_DIR="${GATEWAY_CARGO_TARGET_DIR:-$TARGET_DIR}"
export PATH="$HOME/.cargo/bin:$PATH"

fail() { echo "size-check: $*" >&2; exit 1; }
raw() { wc -c <"$1" | tr -d ' '; }

[ -f "$DIR/lapor-widget.js" ] || fail "$DIR is empty: run scripts/build-widget.sh"
shopt -s nullglob
wasm=("$DIR"/lapor_widget_bg-*.wasm)
glue=("$DIR"/lapor_widget-*.js)
css=("$DIR"/*.css)
if [ "${#wasm[@]}" -ne 1 ] || [ "${#glue[@]}" -ne 1 ]; then
  fail "expected exactly one hashed .wasm and one glue .js in $DIR"
fi

# --- the gateway ---------------------------------------------------------------------------
CARGO_TARGET_DIR="$GATEWAY_TARGET_DIR" cargo build --quiet -p lapor-gateway
BIN="$GATEWAY_TARGET_DIR/debug/lapor-gateway"
[ -x "$BIN" ] || fail "no gateway binary at $BIN"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lapor-size.XXXXXX")"
GATEWAY_PID=
cleanup() {
  if [ -n "$GATEWAY_PID" ]; then
    kill "$GATEWAY_PID" 2>/dev/null || true
    wait "$GATEWAY_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/data"
LAPOR_AUTHORIZATION=size-check LAPOR_TOKEN=size-check RUST_LOG=info \
  "$BIN" --listen 127.0.0.1:0 --data-dir "$WORK/data" --upstream-url http://127.0.0.1:9 --allow-insecure-upstream \
  --widget-dir "$DIR" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
BASE=
for _ in $(seq 1 150); do
  listen="$(grep -o '"listen":"127\.0\.0\.1:[0-9]*"' "$WORK/gateway.log" | head -n 1 | cut -d'"' -f4 || true)"
  if [ -n "$listen" ] && curl -fsS -o /dev/null "http://$listen/healthz"; then
    BASE="http://$listen"; break
  fi
  kill -0 "$GATEWAY_PID" 2>/dev/null || { tail -n 20 "$WORK/gateway.log" >&2; fail "the gateway exited during start-up"; }
  sleep 0.2
done
[ -n "$BASE" ] || { tail -n 20 "$WORK/gateway.log" >&2; fail "the gateway did not answer within 30 s"; }

# served FILE ENCODING: the bytes the gateway sends for FILE when asked for ENCODING (br, gzip).
served() {
  local name out result
  name="$(basename "$1")"
  out="$WORK/$name.$2"
  result="$(curl -sS -H "Accept-Encoding: $2" -D "$out.headers" -o "$out" \
    -w '%{http_code} %{size_download}' "$BASE/widget/$name")"
  [ "${result%% *}" = 200 ] || fail "GET /widget/$name (Accept-Encoding: $2) answered ${result%% *}"
  local encoding
  encoding="$(sed -n 's/^[Cc]ontent-[Ee]ncoding: *\([^[:space:]]*\).*/\1/p' "$out.headers")"
  [ "$encoding" = "$2" ] ||
    fail "GET /widget/$name (Accept-Encoding: $2) came with Content-Encoding '${encoding:-none}': is $1.${2/gzip/gz} missing? run scripts/build-widget.sh"
  case "$2" in
    br) brotli -d -c "$out" | cmp -s - "$1" ;;
    gzip) gzip -d -c "$out" | cmp -s - "$1" ;;
  esac || fail "the $2 answer for $name is not that file: a stale copy? run scripts/build-widget.sh"
  echo "${result#* }"
}

status=0
printf '%-34s %10s %10s %10s\n' "file (as the gateway sends it)" raw brotli gzip
loader_br="$(served "$DIR/lapor-widget.js" br)"
loader_gz="$(served "$DIR/lapor-widget.js" gzip)"
printf '%-34s %10s %10s %10s\n' lapor-widget.js "$(raw "$DIR/lapor-widget.js")" "$loader_br" "$loader_gz"
widget_raw=0 widget_br=0 widget_gz=0
for f in "${wasm[@]}" "${glue[@]}" "${css[@]}"; do
  b="$(served "$f" br)"
  g="$(served "$f" gzip)"
  r="$(raw "$f")"
  widget_raw=$((widget_raw + r)) widget_br=$((widget_br + b)) widget_gz=$((widget_gz + g))
  printf '%-34s %10s %10s %10s\n' "$(basename "$f")" "$r" "$b" "$g"
done
printf '%-34s %10s %10s %10s\n' "widget (wasm + glue + css)" "$widget_raw" "$widget_br" "$widget_gz"
echo
if [ "$loader_br" -le "$LOADER_MAX" ]; then
  echo "loader: $loader_br bytes brotli, $loader_gz gzip (budget $LOADER_MAX brotli): ok"
else
  echo "loader: $loader_br bytes brotli, OVER the budget of $LOADER_MAX"; status=1
fi
if [ "$widget_br" -le "$WIDGET_MAX" ]; then
  echo "widget: $widget_br bytes brotli (budget $WIDGET_MAX): ok, $((WIDGET_MAX - widget_br)) bytes to spare"
else
  echo "widget: $widget_br bytes brotli, OVER the budget of $WIDGET_MAX by $((widget_br - WIDGET_MAX))"; status=1
fi
echo "widget: $widget_gz bytes gzip, for clients without brotli (printed, not a budget)"

echo
if command -v twiggy >/dev/null; then
  # The build keeps a copy of this optimized code built with its name section (the shipped
  # file has none), so twiggy can say which functions are large; use it when it matches.
  named="$TARGET_DIR/lapor-widget-opt/named.wasm"
  shipped_sha="$(sha256sum "${wasm[0]}" | cut -c1-64)"
  if [ -f "$named" ] && [ "$(sha256sum "$TARGET_DIR/lapor-widget-opt/opt.wasm" 2>/dev/null | cut -c1-64)" = "$shipped_sha" ]; then
    profile="$named"
  else
    profile="${wasm[0]}"
    echo "(no named copy of this build in $TARGET_DIR/lapor-widget-opt: twiggy shows indices only)"
  fi
  echo "largest items (twiggy top -n 15, sizes before compression):"
  twiggy top -n 15 "$profile"
else
  echo "twiggy not installed (cargo install twiggy): largest items not listed"
fi
exit "$status"

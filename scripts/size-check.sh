#!/usr/bin/env bash
# Measures what a citizen downloads, as served from dist/widget/ (run scripts/build-widget.sh
# first), against the budget of the widget issue:
#   loader (lapor-widget.js)              <= 3072 bytes gzip -9
#   widget (Wasm + glue + CSS, JS snippets inlined in the glue) <= 153600 bytes gzip -9
# The loader's budget is met and enforced. The widget is not yet within its budget (the
# widget issue stays open until it is): until then the script prints MISS for the budget and
# fails only when the widget grows past WIDGET_CEILING, the size it has now plus 1 %, so that
# no change makes it worse. When the budget is met, delete WIDGET_CEILING: the budget fails.
# The ceiling was 172,300 (issue 4's form alone). Issue 5 added photo fitting with core's
# metadata stripper (about 8 KB), drafts and the outbox, and the status view (about 9.5 KB),
# while this session's cuts took 30 KB out; it is now the 171,019 measured with all of them,
# plus 1 %. Raising it again needs the same kind of accounting.
# Then lists the largest items of the optimized Wasm with twiggy, when installed.
set -euo pipefail
cd "$(dirname "$0")/.."

LOADER_MAX=3072
WIDGET_MAX=153600
WIDGET_CEILING=172800
DIR=dist/widget
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export PATH="$HOME/.cargo/bin:$PATH"

gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
raw() { wc -c <"$1" | tr -d ' '; }

[ -f "$DIR/lapor-widget.js" ] || { echo "size-check: $DIR is empty: run scripts/build-widget.sh" >&2; exit 1; }
shopt -s nullglob
wasm=("$DIR"/lapor_widget_bg-*.wasm)
glue=("$DIR"/lapor_widget-*.js)
css=("$DIR"/*.css)
if [ "${#wasm[@]}" -ne 1 ] || [ "${#glue[@]}" -ne 1 ]; then
  echo "size-check: expected exactly one hashed .wasm and one glue .js in $DIR" >&2
  exit 1
fi

status=0
printf '%-34s %10s %10s\n' file raw gzip-9
loader_gz="$(gz "$DIR/lapor-widget.js")"
printf '%-34s %10s %10s\n' lapor-widget.js "$(raw "$DIR/lapor-widget.js")" "$loader_gz"
widget_gz=0
for f in "${wasm[@]}" "${glue[@]}" "${css[@]}"; do
  g="$(gz "$f")"
  widget_gz=$((widget_gz + g))
  printf '%-34s %10s %10s\n' "$(basename "$f")" "$(raw "$f")" "$g"
done
echo
if [ "$loader_gz" -le "$LOADER_MAX" ]; then
  echo "loader: $loader_gz bytes gzip (budget $LOADER_MAX): ok"
else
  echo "loader: $loader_gz bytes gzip, OVER the budget of $LOADER_MAX"; status=1
fi
if [ "$widget_gz" -le "$WIDGET_MAX" ]; then
  echo "widget (wasm + glue + css): $widget_gz bytes gzip (budget $WIDGET_MAX): ok"
elif [ -n "${WIDGET_CEILING:-}" ] && [ "$widget_gz" -le "$WIDGET_CEILING" ]; then
  echo "widget (wasm + glue + css): $widget_gz bytes gzip: MISS, $((widget_gz - WIDGET_MAX)) bytes over the budget of $WIDGET_MAX"
  echo "  (not failing: within the regression ceiling of $WIDGET_CEILING while the widget issue is open)"
else
  echo "widget (wasm + glue + css): $widget_gz bytes gzip, OVER the budget of $WIDGET_MAX${WIDGET_CEILING:+ and the regression ceiling of $WIDGET_CEILING}"; status=1
fi

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

#!/usr/bin/env bash
# Builds the widget into dist/widget/, the directory the gateway serves at /widget/:
#   lapor-widget.js              the loader (short cache: it names the current build)
#   lapor_widget-<hash8>.js      the wasm-bindgen glue (immutable: name = content)
#   lapor_widget_bg-<hash8>.wasm the Wasm after wasm-opt -Oz (immutable)
#   form-id-<hash8>.json         the form's first paint, pre-rendered natively from the same Yew
#   form-en-<hash8>.json         components (examples/prerender.rs): markup and stylesheet
#   manifest.json                names, sizes and sha256 of the above
#   <each of them>.br, .gz       brotli (quality 11) and gzip -9 copies, which the gateway sends
#                                as the client's Accept-Encoding asks
# Idempotent; quick when nothing changed (cargo is incremental, wasm-opt is cached by the
# sha256 of its input, and files whose content is unchanged are not rewritten).
# Respects CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

# npm's binaryen first: Debian's old wasm-opt cannot read what current Rust emits.
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$ROOT/dist/widget"
CACHE="$TARGET_DIR/lapor-widget-opt"

log() { printf '[build-widget] %s\n' "$*" >&2; }
sha() { sha256sum "$1" | cut -c1-64; }

for tool in wasm-pack wasm-bindgen wasm-opt terser brotli gzip; do
  command -v "$tool" >/dev/null || { log "$tool not found: run scripts/setup.sh"; exit 1; }
done

# Panic locations name their source file; without the registry's and this checkout's absolute
# prefixes those names are shorter (about 0.7 KB gzip less), and say nothing of the machine.
REGISTRY_SRC="${CARGO_HOME:-$HOME/.cargo}/registry/src"
REMAP=(--remap-path-prefix="$ROOT=")
for index in "$REGISTRY_SRC"/*/; do
  [ -d "$index" ] && REMAP+=(--remap-path-prefix="${index%/}=")
done
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${REMAP[*]}"

log "wasm-pack build (release, --target web)"
wasm-pack --log-level warn build --release --target web --no-typescript --out-dir pkg

# --- wasm-opt, cached by input hash ------------------------------------------------------
# The shipped file has no names. A second pass with -g keeps the name section in a copy only
# twiggy reads (scripts/size-check.sh); -g costs a few hundred bytes, so it is not shipped.
mkdir -p "$CACHE" "$OUT"
# --converge repeats -Oz until it gains nothing; the memory flags hold for a Rust module
# (no code reads memory it did not write, and fresh memory is zeroed). About 1 % smaller.
# --one-caller-inline-max-function-size=0: binaryen otherwise inlines every function that has
# one caller, however large, into it; here that made a few huge functions that compress badly
# (measured: 172,639 bytes gzip with it, 162,650 without, for 1.5 % more raw bytes).
OPT=(-Oz --converge --low-memory-unused --zero-filled-memory --one-caller-inline-max-function-size=0)
# Rust's default wasm32 features; binaryen must know them to keep what it reads valid.
FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
          --enable-mutable-globals --enable-multivalue --enable-reference-types)
# The cache key is the input and the options: changing either runs wasm-opt again.
KEY="$(sha pkg/lapor_widget_bg.wasm) ${OPT[*]}"
if [ "$(cat "$CACHE/input.key" 2>/dev/null)" != "$KEY" ] || [ ! -s "$CACHE/opt.wasm" ]; then
  log "wasm-opt ${OPT[*]} ($(wc -c <pkg/lapor_widget_bg.wasm) bytes in)"
  wasm-opt "${OPT[@]}" --strip-debug --strip-producers "${FEATURES[@]}" pkg/lapor_widget_bg.wasm -o "$CACHE/opt.wasm"
  wasm-opt "${OPT[@]}" -g "${FEATURES[@]}" pkg/lapor_widget_bg.wasm -o "$CACHE/named.wasm"
  echo "$KEY" >"$CACHE/input.key"
else
  log "wasm-opt: input unchanged, cached result reused"
fi

# --- content-hashed names ----------------------------------------------------------------
# The hashes chain: the wasm's name goes into the glue (its default URL), and both names go
# into the loader, so a changed wasm always gives a new glue name and a new loader.
install_if_changed() { # src dst: copy only when the content differs (keeps mtime and caches)
  if ! cmp -s "$1" "$2"; then cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; fi
}

WASM_HASH="$(sha "$CACHE/opt.wasm" | cut -c1-8)"
WASM_NAME="lapor_widget_bg-$WASM_HASH.wasm"
install_if_changed "$CACHE/opt.wasm" "$OUT/$WASM_NAME"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# The JS snippets (src/io/io.js, src/io/photo.js) go into the glue: one file, one request.
node scripts/inline-snippets.mjs pkg/lapor_widget.js pkg >"$TMP/glue.inlined.js"
sed "s/lapor_widget_bg\.wasm/$WASM_NAME/g" "$TMP/glue.inlined.js" >"$TMP/glue.src.js"
# The glue is wasm-bindgen's readable output; minified it is a quarter smaller after gzip.
# Exports keep their names (an ES module), so the loader's imports still match.
terser "$TMP/glue.src.js" --module --compress --mangle --output "$TMP/glue.js"
GLUE_HASH="$(sha "$TMP/glue.js" | cut -c1-8)"
GLUE_NAME="lapor_widget-$GLUE_HASH.js"
install_if_changed "$TMP/glue.js" "$OUT/$GLUE_NAME"

# The form's first paint in both languages, rendered natively by Yew's server-side renderer
# (a debug build of the example: it runs once, and shares the native test build's cache).
log "pre-rendering the form (cargo run --example prerender)"
cargo run --quiet --example prerender -- "$TMP"
FORM_NAMES=()
for l in id en; do
  name="form-$l-$(sha "$TMP/form-$l.json" | cut -c1-8).json"
  install_if_changed "$TMP/form-$l.json" "$OUT/$name"
  FORM_NAMES+=("$name")
done

# The snippets are in the glue now: no snippets directory is served.
rm -rf "$OUT/snippets"

# The loader: hashed names in, comments and indentation out, then terser (a classic script:
# only names local to its function are shortened; the /*! header stays). With the launcher
# it is the one file a visitor who never presses the button downloads: minified it is about a
# seventh smaller after brotli.
sed -e "s/\"lapor_widget\.js\"/\"$GLUE_NAME\"/" \
    -e "s/\"lapor_widget_bg\.wasm\"/\"$WASM_NAME\"/" \
    -e "s/\"form-id\.json\"/\"${FORM_NAMES[0]}\"/" \
    -e "s/\"form-en\.json\"/\"${FORM_NAMES[1]}\"/" loader/lapor-widget.js |
  awk '
    inblock { if ($0 ~ /\*\//) inblock = 0; next }
    /^[ \t]*\/\*[^!]/ { if ($0 !~ /\*\//) inblock = 1; next }
    /^[ \t]*\/\// { next }
    { sub(/^[ \t]+/, ""); if (length($0)) print }
  ' >"$TMP/loader.stripped.js"
terser "$TMP/loader.stripped.js" --compress --mangle --comments '/^!/' --output "$TMP/loader.js"
grep -q "\"$GLUE_NAME\"" "$TMP/loader.js" && grep -q "\"$WASM_NAME\"" "$TMP/loader.js" &&
  grep -q "\"${FORM_NAMES[0]}\"" "$TMP/loader.js" && grep -q "\"${FORM_NAMES[1]}\"" "$TMP/loader.js" ||
  { log "could not substitute the hashed names into the loader"; exit 1; }
if command -v node >/dev/null; then node --check "$TMP/loader.js"; fi
install_if_changed "$TMP/loader.js" "$OUT/lapor-widget.js"

# Old hashed files are removed: dist/widget always holds exactly one build.
for f in "$OUT"/lapor_widget-*.js "$OUT"/lapor_widget_bg-*.wasm "$OUT"/form-*.json; do
  [ -e "$f" ] || continue
  case "$(basename "$f")" in "$GLUE_NAME" | "$WASM_NAME" | "${FORM_NAMES[0]}" | "${FORM_NAMES[1]}") ;; *) rm -f "$f" ;; esac
done

entry() { printf '    "%s": {"file": "%s", "bytes": %s, "sha256": "%s"}' \
  "$1" "$2" "$(wc -c <"$OUT/$2" | tr -d ' ')" "$(sha "$OUT/$2")"; }
{
  echo "{"
  echo '  "files": {'
  entry loader lapor-widget.js; echo ","
  entry glue "$GLUE_NAME"; echo ","
  entry wasm "$WASM_NAME"; echo ","
  entry form_id "${FORM_NAMES[0]}"; echo ","
  entry form_en "${FORM_NAMES[1]}"; echo
  echo "  }"
  echo "}"
} >"$TMP/manifest.json"
install_if_changed "$TMP/manifest.json" "$OUT/manifest.json"

# --- precompressed copies ----------------------------------------------------------------
# The gateway sends <file>.br or <file>.gz as they are (it compresses nothing per request).
# brotli -q 11 takes about a fifth off gzip -9 on the Wasm but is slow, so a copy is made again
# only when its file is newer than it (unchanged files keep their mtime, see above). gzip -n:
# no name and no time stamp inside, so the same file gives the same bytes.
compress_beside() { # file
  if [ ! -s "$1.br" ] || [ "$1" -nt "$1.br" ]; then
    brotli -q 11 -c "$1" >"$1.br.tmp.$$" && mv -f "$1.br.tmp.$$" "$1.br"
  fi
  if [ ! -s "$1.gz" ] || [ "$1" -nt "$1.gz" ]; then
    gzip -9 -n -c "$1" >"$1.gz.tmp.$$" && mv -f "$1.gz.tmp.$$" "$1.gz"
  fi
}
for f in "$OUT"/*; do
  case "$f" in *.br | *.gz) continue ;; esac
  if [ -f "$f" ]; then compress_beside "$f"; fi
done
# A copy whose file is gone (an old build's hashed name) goes too.
for f in "$OUT"/*.br "$OUT"/*.gz; do
  if [ -e "$f" ] && [ ! -e "${f%.*}" ]; then rm -f "$f"; fi
done

log "dist/widget: lapor-widget.js, $GLUE_NAME, $WASM_NAME, ${FORM_NAMES[*]} (each with .br and .gz)"

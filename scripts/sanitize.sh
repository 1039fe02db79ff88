#!/usr/bin/env bash
# sanitize.sh — the native library and its C tests under AddressSanitizer +
# UndefinedBehaviorSanitizer.
#
#   scripts/sanitize.sh            (CC=clang scripts/sanitize.sh to use clang)
#
# Configures build-asan/ with -DNN_SANITIZE=ON (CMakeLists.txt adds
# -fsanitize=address,undefined -fno-sanitize-recover=all), builds it and runs
# every CTest test. gcc is the default compiler: its sanitizer runtimes come
# with gcc itself, and the fuzzers (scripts/fuzz.sh) already give clang's
# view. With CC=clang the runtimes come from libclang-rt-14-dev, installed
# when missing.
#
# Any report — a memory error, a leak, undefined behaviour — fails the run:
# the sanitizers abort the test, so CTest fails it and prints the report. As
# a second net, the runtimes also write their reports to
# build-asan/sanitizer-reports/ (all of clang's; gcc's ASan and LSan), which
# must stay empty; anything there is printed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

export CC=${CC:-gcc}
build="build-asan"
reports=$PWD/$build/sanitizer-reports

case $(basename "$CC") in
clang*)
    if ! nn_have_pkg libclang-rt-14-dev; then
        if ! apt-cache show libclang-rt-14-dev >/dev/null 2>&1 && [ "$NN_APT_UPDATED" != 1 ]; then
            nn_as_root apt-get update
            NN_APT_UPDATED=1
        fi
        nn_log "installing with apt: libclang-rt-14-dev (clang's sanitizer runtimes)"
        nn_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y libclang-rt-14-dev
    fi
    ;;
esac
command -v "$CC" >/dev/null 2>&1 || nn_die "$CC not found"

# A cache made with another compiler cannot be reused.
if [ -f "$build/CMakeCache.txt" ]; then
    cached=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
    if [ "$(readlink -f "$cached")" != "$(readlink -f "$(command -v "$CC")")" ]; then
        nn_log "compiler changed ($cached -> $CC): reconfiguring $build"
        rm -rf "$build"
    fi
fi

nn_log "configuring $build (NN_SANITIZE=ON, CC=$CC)"
# RelWithDebInfo: -O2 keeps the MNIST tests quick, -g gives the reports file:line.
cmake -S . -B "$build" -DNN_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
nn_log "building $build"
cmake --build "$build" -j2

rm -rf "$reports"
mkdir -p "$reports"
# halt_on_error: the first report ends the test. detect_leaks: LeakSanitizer
# runs at exit. log_path: a copy of every report, checked below.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:strict_string_checks=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="log_path=$reports/lsan"

nn_log "ctest under AddressSanitizer + UndefinedBehaviorSanitizer"
rc=0
ctest --test-dir "$build" --output-on-failure -j2 || rc=$?

shopt -s nullglob
found=("$reports"/*)
if [ ${#found[@]} -gt 0 ]; then
    printf '\n%d sanitizer report(s):\n' "${#found[@]}" >&2
    for f in "${found[@]}"; do
        printf -- '--- %s\n' "$f" >&2
        head -n 60 "$f" >&2
    done
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    nn_warn "ctest failed under the sanitizers (exit $rc) without a sanitizer report: see above"
    exit "$rc"
fi
nn_log "sanitizers: clean"

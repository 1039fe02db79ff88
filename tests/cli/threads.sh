#!/usr/bin/env bash
# threads.sh — --threads: out-of-range counts exit 2 with the sentence; an MLP
# and a small CNN trained on 1, 2 and 3 threads save byte-identical model files
# and print the same numbers; eval says the same on any count.
. "$(dirname "$0")/helpers.bash"

expect_exit 2 "--threads: threads must be 1 to 16 \(asked for 0\)" train --threads 0
expect_exit 2 "--threads: threads must be 1 to 16 \(asked for 17\)" train --threads 17
expect_exit 2 "--threads expects a whole number, got 'two'" train --threads two
expect_exit 2 "--threads: threads must be 1 to 16" eval --model x.nnl --threads 99

need_mnist
for layers in "100:relu,10:softmax" "conv2d:8:5:relu,maxpool:2,conv2d:16:5:relu,avgpool:2,flatten,10:softmax"; do
    for n in 1 2 3; do
        run train --layers "$layers" --limit 3000 --epochs 1 --seed 5 --threads "$n" --save "$TMP/m$n.nnl"
        printf '%s\n' "$out" | grep -E "val_loss" >"$TMP/log$n" || true
        [ "$rc" -eq 0 ] || fail "train $layers on $n threads" "$err"
    done
    if cmp -s "$TMP/m1.nnl" "$TMP/m2.nnl" && cmp -s "$TMP/m1.nnl" "$TMP/m3.nnl"; then
        pass "$layers: 1, 2 and 3 threads save the same bytes ($(wc -c <"$TMP/m1.nnl") B)"
    else
        fail "$layers: the model files of 1, 2 and 3 threads differ"
    fi
    # the progress line's metrics (the times before them differ, the loss and accuracy may not)
    strip() { grep -oE 'accuracy: .*' "$1"; }
    if [ -s "$TMP/log1" ] && [ "$(strip "$TMP/log1")" = "$(strip "$TMP/log2")" ] && [ "$(strip "$TMP/log1")" = "$(strip "$TMP/log3")" ]; then
        pass "$layers: the same loss and accuracy printed: $(grep -oE 'val_accuracy: [0-9.]+' "$TMP/log1")"
    else
        fail "$layers: the printed metrics differ" "$(cat "$TMP/log1" "$TMP/log2" "$TMP/log3")"
    fi
    e1=$("$NNLAB" eval --model "$TMP/m1.nnl" --threads 1 2>&1)
    e2=$("$NNLAB" eval --model "$TMP/m1.nnl" --threads 2 2>&1)
    [ -n "$e1" ] && [ "$e1" = "$e2" ] && pass "eval on 1 and 2 threads: $e1" || fail "eval on 1 and 2 threads" "$e1 / $e2"
done
finish

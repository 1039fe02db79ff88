#!/usr/bin/env bash
# train.sh — a tiny training run prints Keras 3 output; save → eval agrees
# with the training's val_accuracy; predict, summary, resume and a diverged
# run behave as documented.
. "$(dirname "$0")/helpers.bash"
need_mnist

model=$TMP/tiny.nnl
# "63/63 ━━━━━━━━━━━━━━━━━━━━ 1s 9ms/step - accuracy: 0.6675 - loss: 1.2394 - val_accuracy: …"
num='[0-9]+\.[0-9]{4}(e[-+][0-9]+)?'
final_re="^63/63 (━){20} [0-9]+s [0-9]+(s|ms|us)/step - accuracy: $num - loss: $num - val_accuracy: $num - val_loss: $num\$"

# --- a tiny run (stdout is a file here, so only the closing line per epoch)
run train --limit 2000 --epochs 2 --batch-size 32 --seed 1 --save "$model"
if [ "$rc" -eq 0 ]; then pass "train --limit 2000 --epochs 2 exits 0"; else fail "train exits 0 (got $rc)" "$err"; fi
grep -qx "Epoch 1/2" <<<"$out" && grep -qx "Epoch 2/2" <<<"$out" &&
    pass "prints Epoch 1/2 and Epoch 2/2" || fail "prints Epoch 1/2 and Epoch 2/2" "$out"
n_final=$(grep -Ec "$final_re" <<<"$out")
[ "$n_final" -eq 2 ] && pass "two closing lines in the Keras 3 format" ||
    fail "two closing lines match /$final_re/ (got $n_final)" "$out"
grep -q "Total params: 79,510" <<<"$out" && pass "prints the model summary first" ||
    fail "prints the model summary" "$out"
if grep -q $'\r' <<<"$out" || grep -q $'\033' <<<"$out"; then
    fail "no carriage returns or colours when stdout is not a terminal" "$(cat -v <<<"$out")"
else
    pass "no carriage returns or colours when stdout is not a terminal"
fi
[ -s "$model" ] && pass "--save wrote $(basename "$model")" || fail "--save wrote the model"
val_acc=$(grep -E "$final_re" <<<"$out" | tail -n1 | sed -E 's/.*val_accuracy: ([0-9.e+-]+).*/\1/')

# --- the same seed gives the same model, byte for byte; --quiet prints nothing
run train --limit 2000 --epochs 2 --batch-size 32 --seed 1 --quiet --save "$TMP/again.nnl"
[ "$rc" -eq 0 ] && [ -z "$out" ] && pass "--quiet prints nothing" || fail "--quiet prints nothing (rc $rc)" "$out$err"
cmp -s "$model" "$TMP/again.nnl" && pass "--seed 1 twice gives identical model files" ||
    fail "--seed 1 twice gives identical model files"

# --- eval on the test set = the last epoch's validation (validation is t10k)
run eval --model "$model"
eval_acc=$(sed -nE 's/^loss: [0-9.e+-]+ - accuracy: ([0-9.e+-]+)$/\1/p' <<<"$out")
if [ "$rc" -eq 0 ] && [ -n "$eval_acc" ] && [ "$eval_acc" = "$val_acc" ]; then
    pass "eval accuracy $eval_acc = the training's val_accuracy"
else
    fail "eval accuracy '$eval_acc' = val_accuracy '$val_acc' (rc $rc)" "$out$err"
fi

# --- predict: one line per image
run predict --model "$model" --index 0 --count 10
n_lines=$(grep -cE '^index [0-9]+: label [0-9], predicted [0-9], probability [01]\.[0-9]{4}' <<<"$out")
[ "$rc" -eq 0 ] && [ "$(wc -l <<<"$out")" -eq 10 ] && [ "$n_lines" -eq 10 ] &&
    pass "predict --count 10 prints 10 lines" || fail "predict --count 10 prints 10 lines (rc $rc)" "$out$err"
grep -q "^index 0: label 7," <<<"$out" && pass "test image 0 is labelled 7" ||
    fail "test image 0 is labelled 7" "$out"
run predict --model "$model" --index 9999 --count 1
[ "$rc" -eq 0 ] && grep -q "^index 9999:" <<<"$out" && pass "predict the last test image" ||
    fail "predict --index 9999 (rc $rc)" "$out$err"
expect_exit 2 "goes past the 10000 test images" predict --model "$model" --index 9995 --count 10

# --- summary of the saved model
run summary --model "$model"
[ "$rc" -eq 0 ] && grep -q "Total params: 79,510" <<<"$out" && pass "summary --model" ||
    fail "summary --model (rc $rc)" "$out$err"

# --- resume: epochs are numbered after the saved ones, the file is updated
cp "$model" "$TMP/resumed.nnl"
before=$(cksum <"$TMP/resumed.nnl")
run train --limit 2000 --epochs 1 --resume "$TMP/resumed.nnl"
[ "$rc" -eq 0 ] && grep -qx "Epoch 3/3" <<<"$out" && pass "resume prints Epoch 3/3" ||
    fail "resume prints Epoch 3/3 (rc $rc)" "$out$err"
[ "$(cksum <"$TMP/resumed.nnl")" != "$before" ] && pass "resume saves back to its file" ||
    fail "resume saves back to its file"

# --- validation split instead of the test set, and no validation at all
run train --limit 2000 --epochs 1 --validation-split 0.2
grep -Eq "^50/50 .* - val_accuracy: $num - val_loss: $num\$" <<<"$out" &&
    pass "--validation-split 0.2 of 2000: 50 steps, with validation" ||
    fail "--validation-split 0.2: 50 steps with validation (rc $rc)" "$out$err"
run train --limit 2000 --epochs 1 --validation-split 0
grep -Eq "^63/63 .* - loss: $num\$" <<<"$out" && pass "--validation-split 0: no val_ metrics" ||
    fail "--validation-split 0: no val_ metrics (rc $rc)" "$out$err"

# --- divergence: exit 1, a hint about the learning rate, the model still saved
run train --limit 2000 --epochs 2 --layers 10 --loss mse --optimizer sgd --lr 100 --save "$TMP/div.nnl"
if [ "$rc" -eq 1 ] && grep -q "^nnlab: error: .*learning rate" <<<"$err"; then
    pass "a diverged run exits 1 and names the learning rate"
else
    fail "a diverged run exits 1 and names the learning rate (rc $rc)" "$err"
fi
run eval --model "$TMP/div.nnl"
[ "$rc" -eq 0 ] && grep -Eq "^loss: $num - accuracy: $num\$" <<<"$out" &&
    pass "the diverged run's saved model is finite and loads" ||
    fail "the diverged run's saved model loads with finite metrics (rc $rc)" "$out$err"

# --- on a terminal: a live line redrawn with \r, in Keras's colours
if command -v script >/dev/null 2>&1; then
    script -qec "'$NNLAB' train --limit 2000 --epochs 1" /dev/null >"$TMP/tty" 2>&1 </dev/null || true
    if grep -q $'\r\033\[1m 1/63' "$TMP/tty" && grep -q $'\033\[32m━' "$TMP/tty" &&
        grep -q 'val_accuracy' "$TMP/tty"; then
        pass "on a terminal the progress line is redrawn in place, in colour"
    else
        fail "on a terminal the progress line is redrawn in place" "$(cat -v "$TMP/tty" | tail -c 600)"
    fi
fi

finish

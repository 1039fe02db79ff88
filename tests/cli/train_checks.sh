#!/usr/bin/env bash
# train_checks.sh — what train refuses or warns about before it trains (an
# output that does not match the classes, an absurd learning rate), the
# chance-level hint after an epoch, and --epochs 0 / --momentum 1.
. "$(dirname "$0")/helpers.bash"
need_mnist

# --- the output width against the 10 classes
expect_exit 2 '^nnlab: error: the model.s output has 100 units but the data has 10 classes; categorical_crossentropy needs one unit per class: end the model with Dense\(10\), e\.g\. --layers "100:relu,10:softmax"$' \
    train --layers 100:relu --limit 100
expect_exit 2 'output has 20 units .* e\.g\. --layers "100:relu,10:softmax"$' train --layers 100:relu,20:softmax --limit 100
expect_exit 2 'output has 784 units .* e\.g\. --layers "tanh,10:softmax"$' train --layers tanh --limit 100
expect_exit 2 'output has 784 units .*mean_squared_error needs one unit per class' \
    train --layers dropout:0.2 --loss mse --limit 100
expect_exit 2 'output has 5 units but the data has 10 classes; sparse_categorical_crossentropy needs a unit for every label \(0 to 9\).* e\.g\. --layers "100:relu,10:softmax"$' \
    train --layers 100:relu,5:softmax --loss sparse_categorical_crossentropy --limit 100
# Wider is allowed for the sparse loss (labels index into it), with a warning.
run train --layers 100:relu,20:softmax --loss sparse_categorical_crossentropy --limit 100 --epochs 0
[ "$rc" -eq 0 ] && grep -q "^warning: the model's output has 20 units but the data has 10 classes: units 10 to 19 are never a label" <<<"$err" &&
    pass "sparse with 20 outputs for 10 classes: a warning, not a refusal" ||
    fail "sparse with 20 outputs: warning and exit 0 (rc $rc)" "$err"
run train --layers dropout:0.2 --loss sparse_categorical_crossentropy --limit 100 --epochs 0
[ "$rc" -eq 0 ] && grep -q "^warning: the model does not have any trainable weights" <<<"$err" &&
    pass "a model without a Dense layer: warned that it has no trainable weights" ||
    fail "no Dense layer: warning (rc $rc)" "$err"

# --- the learning rate: above 100 x Keras's default a warning (sgd 0.01, others 0.001)
lr_warning='^warning: the learning rate [0-9.e+]+ is far above'
for case in "sgd 1 no" "sgd 1.5 yes" "adam 0.1 no" "adam 0.2 yes" "rmsprop 5 yes"; do
    read -r optimizer lr warned <<<"$case"
    run train --optimizer "$optimizer" --lr "$lr" --limit 100 --epochs 0
    got=no
    if grep -Eq "$lr_warning" <<<"$err"; then got=yes; fi
    if [ "$rc" -eq 0 ] && [ "$got" = "$warned" ]; then
        pass "--optimizer $optimizer --lr $lr: warning $warned"
    else
        fail "--optimizer $optimizer --lr $lr: warning $warned (rc $rc)" "$err"
    fi
done
# adam at lr 100 learns nothing: the warning before, the hint after the epoch at chance.
run train --optimizer adam --lr 100 --limit 2000 --epochs 2 --validation-split 0
if grep -q "^warning: the learning rate 100 is far above adam's usual range (Keras's default is 0.001; above 0.1" <<<"$err" &&
    grep -q "^hint: the training accuracy 0\.[0-9]* is at chance level (10 classes): the learning rate 100 is probably too high; try a smaller one, e.g. --lr 10$" <<<"$err" &&
    [ "$(grep -c '^hint:' <<<"$err")" -eq 1 ]; then
    pass "adam --lr 100: the warning, then the chance-level hint once"
else
    fail "adam --lr 100: warning and one chance-level hint (rc $rc)" "$err"
fi
run train --limit 2000 --epochs 1 --validation-split 0
[ "$rc" -eq 0 ] && [ -z "$err" ] && pass "a normal run prints neither" || fail "a normal run prints no warning (rc $rc)" "$err"

# --- --epochs 0 saves the untrained model (Keras's fit(epochs=0) trains nothing)
run train --epochs 0 --seed 4 --save "$TMP/init.nnl"
[ "$rc" -eq 0 ] && [ -s "$TMP/init.nnl" ] && ! grep -q "^Epoch" <<<"$out" && grep -q "Saved model to" <<<"$out" &&
    pass "--epochs 0 --save: no epoch, the model saved" || fail "--epochs 0 --save (rc $rc)" "$out$err"
run train --epochs 0 --seed 4 --save "$TMP/init2.nnl" --quiet
cmp -s "$TMP/init.nnl" "$TMP/init2.nnl" && pass "the same seed saves the same initial model" ||
    fail "--epochs 0 twice with --seed 4 gives identical files"
run eval --model "$TMP/init.nnl" --limit 1000
acc=$(sed -nE 's/^loss: [0-9.e+-]+ - accuracy: ([0-9.e+-]+)$/\1/p' <<<"$out")
awk -v a="$acc" 'BEGIN { exit !(a > 0.02 && a < 0.25) }' && pass "the untrained model is near chance ($acc)" ||
    fail "the untrained model is near chance (got '$acc', rc $rc)" "$out$err"
run train --resume "$TMP/init.nnl" --limit 500 --epochs 1 --validation-split 0
[ "$rc" -eq 0 ] && grep -qx "Epoch 1/1" <<<"$out" && pass "the initial model resumes at epoch 1" ||
    fail "resume the initial model (rc $rc)" "$out$err"

# --- momentum 1 is Keras's upper bound, accepted (and --lr 0 refused before any data)
run train --optimizer sgd --momentum 1 --limit 100 --epochs 1 --validation-split 0 --quiet
[ "$rc" -eq 0 ] && pass "--optimizer sgd --momentum 1 trains" || fail "--momentum 1 (rc $rc)" "$err"
# --resume --lr keeps the optimizer state and is checked as compile checks it.
expect_exit 2 "^nnlab train: --lr: learning rate 0 must be a positive number" train --resume "$TMP/init.nnl" --lr 0

finish

#!/usr/bin/env bash
# cnn.sh — convolutional layers in the CLI: summary of Keras's mnist_convnet,
# the sentence for a Dense layer on an image, and a small CNN trained on
# MNIST's 28x28x1 images (shape from the IDX header), saved, evaluated and
# summarised from its file.
. "$(dirname "$0")/helpers.bash"

convnet="conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax"
run summary --layers "$convnet"
if [ "$rc" -eq 0 ] && grep -q "conv2d_1 (Conv2D)               │ (None, 11, 11, 64)     │        18,496" <<<"$out" &&
    grep -q "Total params: 34,826 (136.04 KB)" <<<"$out"; then
    pass "summary of mnist_convnet: 34,826 params, Keras's shapes"
else
    fail "summary of mnist_convnet" "$out$err"
fi
expect_exit 2 "layer 2: Dense needs a flat input.*add \`flatten\` before it" summary --layers "conv2d:8:3:relu,10:softmax"
expect_exit 2 "layer 1: MaxPooling2D needs an image input" summary --layers "maxpool:2,10:softmax" --input 784
run summary --layers "conv2d:4:3:relu,batchnorm,flatten,10" --input-shape 8x8x3
grep -q "Non-trainable params: 8 (32.00 B)" <<<"$out" && grep -q "(None, 6, 6, 4)" <<<"$out" &&
    pass "summary --input-shape 8x8x3 with BatchNormalization's non-trainable params" ||
    fail "summary --input-shape" "$out$err"

need_mnist
model=$TMP/cnn.nnl
run train --layers "conv2d:4:3:relu,batchnorm,maxpool:2,flatten,10:softmax" --limit 512 --epochs 2 \
    --batch-size 128 --save "$model"
loss1=$(sed -nE 's/^4\/4 .* - loss: ([0-9.]+) - val.*/\1/p' <<<"$out" | sed -n 1p)
loss2=$(sed -nE 's/^4\/4 .* - loss: ([0-9.]+) - val.*/\1/p' <<<"$out" | sed -n 2p)
if [ "$rc" -eq 0 ] && [ -n "$loss2" ] && awk -v a="$loss1" -v b="$loss2" 'BEGIN { exit !(b < a) }'; then
    pass "a small CNN trains on 28x28x1 MNIST: loss $loss1 -> $loss2"
else
    fail "a small CNN trains (rc $rc, loss '$loss1' -> '$loss2')" "$out$err"
fi
run summary --model "$model"
grep -q "(None, 13, 13, 4)" <<<"$out" && grep -q "Non-trainable params: 8 (32.00 B)" <<<"$out" &&
    pass "the saved CNN's summary" || fail "the saved CNN's summary" "$out$err"
run eval --model "$model" --limit 500
[ "$rc" -eq 0 ] && grep -Eq "^loss: [0-9.]+ - accuracy: 0\.[0-9]{4}$" <<<"$out" && pass "eval of the saved CNN: $out" ||
    fail "eval of the saved CNN" "$out$err"
finish

#!/usr/bin/env bash
# make_pretrained.sh — train the models the page ships, with our own CLI, and
# record how they were made.
#
#   scripts/make_pretrained.sh [mlp|cnn]      (default: mlp)
#
#   assets/pretrained-mlp.nnl    the MLP 784-100(relu)-10(softmax), Adam, full MNIST
#   assets/pretrained-cnn.nnl    Keras's mnist_convnet, Adam, batch 128, full MNIST
#   assets/pretrained-*.json     seed, config, epochs, val_accuracy, date and the command
#
# The page loads the .nnl at start, so a student can draw a digit before
# training anything. The run is reproducible: the seed fixes initialisation
# and shuffling, and the native build uses a fixed ISA level (CMakeLists.txt),
# so running this again gives the same file on the same compiler.
# The file keeps Adam's two moment arrays (about 0.95 MB in all): a student
# can continue training the pretrained model exactly where it stopped.
#
# MLP: six epochs: with seed 1, val_accuracy peaks there (0.977) and later
# epochs overfit (0.972 after ten), which also makes hand-drawn digits harder.
# CNN: twelve epochs, as Keras's example trains it (its dropout keeps it from
# overfitting); the same run gives the README's per-epoch table.
#
# NNLAB_BIN=path/to/nnlab uses an already built CLI (default: build/nnlab,
# built here); EPOCHS=N changes the number of epochs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

bin=${NNLAB_BIN:-build/nnlab}
if [ -z "${NNLAB_BIN:-}" ]; then
    nn_log "native build (build/)"
    nn_build_native
fi
[ -x "$bin" ] || nn_die "$bin is missing: build the CLI first"

which=${1:-mlp}
optimizer=adam
loss=categorical_crossentropy
seed=1
case $which in
mlp)
    name="pretrained MLP" layers="100:relu,10:softmax" epochs=${EPOCHS:-6} batch=32 input=784
    ;;
cnn)
    name="pretrained CNN (Keras mnist_convnet)"
    layers="conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax"
    epochs=${EPOCHS:-12} batch=128 input="[28, 28, 1]"
    ;;
*) nn_die "usage: scripts/make_pretrained.sh [mlp|cnn]" ;;
esac
out=assets/pretrained-$which
mkdir -p assets

cmd=(train --layers "$layers" --optimizer "$optimizer" --loss "$loss" --epochs "$epochs"
    --batch-size "$batch" --seed "$seed" --save "$out.nnl")
nn_log "nnlab ${cmd[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Piped, the CLI prints one closing line per epoch; the last one has the
# validation metrics on the t10k test set.
"$bin" "${cmd[@]}" | tee "$log"
last=$(grep 'val_accuracy' "$log" | tail -n 1)
val_accuracy=$(sed -n 's/.*val_accuracy: \([0-9.]*\).*/\1/p' <<<"$last")
val_loss=$(sed -n 's/.*val_loss: \([0-9.]*\).*/\1/p' <<<"$last")
[ -n "$val_accuracy" ] || nn_die "no val_accuracy in the CLI output"
history=$(grep 'val_accuracy' "$log" | sed -n 's/.*val_accuracy: \([0-9.]*\).*/\1/p' | tr '\n' ' ')

bytes=$(wc -c <"$out.nnl")
command="build/nnlab train --layers '$layers' --optimizer $optimizer --loss $loss --epochs $epochs"
command+=" --batch-size $batch --seed $seed --save $out.nnl"
node -e '
    const [file, cmd, name, input, layers, optimizer, loss, epochs, batch, seed, acc, vloss, bytes,
           history] = process.argv.slice(1);
    const info = {
      model: name,
      file: require("path").basename(file).replace(/json$/, "nnl"),
      bytes: Number(bytes),
      seed: Number(seed),
      config: {
        input: JSON.parse(input), layers, optimizer, learning_rate: 0.001, loss,
        batch_size: Number(batch), shuffle: true, validation_data: "t10k (10000 test images)",
      },
      epochs: Number(epochs),
      val_accuracy: Number(acc),
      val_loss: Number(vloss),
      val_accuracy_per_epoch: history.trim().split(/\s+/).map(Number),
      date: new Date().toISOString().slice(0, 10),
      command: cmd.trim(),
    };
    require("fs").writeFileSync(file, JSON.stringify(info, null, 2) + "\n");
' "$out.json" "$command" "$name" "$input" "$layers" "$optimizer" "$loss" "$epochs" "$batch" \
    "$seed" "$val_accuracy" "$val_loss" "$bytes" "$history"
nn_log "wrote $out.nnl ($bytes bytes) and $out.json (val_accuracy $val_accuracy)"

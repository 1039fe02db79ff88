#!/usr/bin/env bash
# badfiles.sh — other IDX data on the command line, and bad files.
#
# The data is made here (tests/browser/idx_fixtures.mjs: 12x12 images, 3
# classes, a bright square whose position is the class), not committed. Good
# files train, evaluate and predict through --train-images/--train-labels/
# --test-images/--test-labels and through --data DIR, raw or gzipped (the
# same model either way); every bad data or model
# file makes the CLI exit 2 with "nnlab: error: <file>: <fault>", and nothing
# is written.
. "$(dirname "$0")/helpers.bash"

D=$TMP/data
mkdir -p "$D"
# Good files, and the bad ones derived from them.
node --input-type=module - "$D" <<'EOF'
import fs from 'node:fs';
import path from 'node:path';
import { gzip, idxHeader, idxImages, idxLabels, toyData } from './tests/browser/idx_fixtures.mjs';

const dir = process.argv[2];
const put = (name, buf) => fs.writeFileSync(path.join(dir, name), buf);
const train = toyData(300, { seed: 1 });
const test = toyData(60, { seed: 2 });
put('train-images', train.images);
put('train-labels', train.labels);
put('test-images', test.images);
put('test-labels', test.labels);

put('truncated-images', train.images.subarray(0, 20000));
put('zip-images', Buffer.concat([Buffer.from('PK\x03\x04'), train.images.subarray(4)]));
const gz = gzip(train.images);
put('train-images.gz', gz);
put('cut-images.gz', gz.subarray(0, gz.length >> 1));
const damaged = Buffer.from(gz);
damaged[gz.length >> 1] ^= 0x55;
put('bad-images.gz', damaged);
put('short-labels', idxLabels(train.labels.subarray(8, 8 + 299)));
const out = Buffer.from(test.labels);
out[8 + 5] = 7;
put('label7-labels', out);
put('empty-images', idxImages(0, 12, 12, []));
put('overflow-images', Buffer.concat([idxHeader([0xffffffff, 0xffff, 0xffff]), Buffer.alloc(64)]));
put('small-images', idxImages(60, 10, 10, new Uint8Array(6000)));

// MNIST-named copies for --data DIR, and a directory holding only .gz files.
fs.mkdirSync(path.join(dir, 'mnist-named'));
fs.mkdirSync(path.join(dir, 'gz-only'));
fs.mkdirSync(path.join(dir, 'gz-cut'));
for (const [name, buf] of [['train-images-idx3-ubyte', train.images], ['train-labels-idx1-ubyte', train.labels],
  ['t10k-images-idx3-ubyte', test.images], ['t10k-labels-idx1-ubyte', test.labels]]) {
  fs.writeFileSync(path.join(dir, 'mnist-named', name), buf);
  fs.writeFileSync(path.join(dir, 'gz-only', `${name}.gz`), gzip(buf));
  const packed = gzip(buf);
  fs.writeFileSync(path.join(dir, 'gz-cut', `${name}.gz`), name.startsWith('train-labels') ? packed.subarray(0, 30) : packed);
}
EOF
[ -s "$D/train-images" ] || { echo "error: could not make the test data" >&2; exit 1; }
TRAIN=(--train-images "$D/train-images" --train-labels "$D/train-labels")
TEST=(--test-images "$D/test-images" --test-labels "$D/test-labels")
num='[0-9]+\.[0-9]{4}(e[-+][0-9]+)?'

# --- good data: train, eval and predict on 12x12 images in 3 classes
model=$TMP/toy.nnl
run train "${TRAIN[@]}" "${TEST[@]}" --layers 16:relu,3:softmax --epochs 5 --seed 3 --save "$model"
if [ "$rc" -eq 0 ] && grep -qx "Epoch 5/5" <<<"$out" && grep -q "(None, 16)" <<<"$out"; then
    pass "train on 12x12 images with 3 classes from four files"
else
    fail "train on 12x12 images with 3 classes (rc $rc)" "$out$err"
fi
grep -q "Total params: 2,371 " <<<"$out" && pass "the model takes 144 inputs (144*16+16 + 16*3+3 = 2,371 parameters)" ||
    fail "the model takes 144 inputs" "$out"
val_acc=$(grep -E "^10/10 .*val_accuracy" <<<"$out" | tail -n1 | sed -E 's/.*val_accuracy: ([0-9.e+-]+).*/\1/')
awk -v a="$val_acc" 'BEGIN { exit !(a >= 0.95) }' && pass "the toy problem is learnt: val_accuracy $val_acc" ||
    fail "val_accuracy >= 0.95 (got '$val_acc')" "$out"
run eval --model "$model" "${TEST[@]}"
eval_acc=$(sed -nE 's/^loss: [0-9.e+-]+ - accuracy: ([0-9.e+-]+)$/\1/p' <<<"$out")
[ "$rc" -eq 0 ] && [ "$eval_acc" = "$val_acc" ] && pass "eval --test-images: accuracy $eval_acc = val_accuracy" ||
    fail "eval --test-images: accuracy '$eval_acc' = '$val_acc' (rc $rc)" "$out$err"
run predict --model "$model" "${TEST[@]}" --index 3 --count 3
[ "$rc" -eq 0 ] && grep -q "^index 3: label 0, predicted 0," <<<"$out" && grep -q "^index 5: label 2, predicted 2," <<<"$out" &&
    pass "predict --test-images: labels and predictions of samples 3 to 5" ||
    fail "predict --test-images (rc $rc)" "$out$err"
run train --data "$D/mnist-named" --layers 16:relu,3:softmax --epochs 1 --quiet
[ "$rc" -eq 0 ] && pass "--data DIR with MNIST-named files of other data" || fail "--data DIR with other data (rc $rc)" "$err"

# --- gzipped files are read as they are: the same model as from the raw files
run train --train-images "$D/train-images.gz" --train-labels "$D/train-labels" "${TEST[@]}" \
    --layers 16:relu,3:softmax --epochs 5 --seed 3 --save "$TMP/toy-gz.nnl" --quiet
[ "$rc" -eq 0 ] && cmp -s "$model" "$TMP/toy-gz.nnl" && pass "--train-images FILE.gz trains the same model as the raw file" ||
    fail "--train-images FILE.gz: the same model as the raw file (rc $rc)" "$err"
run train --data "$D/gz-only" --layers 16:relu,3:softmax --epochs 5 --seed 3 --save "$TMP/toy-gzdir.nnl" --quiet
run train --data "$D/mnist-named" --layers 16:relu,3:softmax --epochs 5 --seed 3 --save "$TMP/toy-rawdir.nnl" --quiet
[ "$rc" -eq 0 ] && cmp -s "$TMP/toy-gzdir.nnl" "$TMP/toy-rawdir.nnl" &&
    pass "--data DIR holding only train-images-idx3-ubyte.gz etc.: the same model as the raw files" ||
    fail "--data DIR of .gz files: the same model as the raw files (rc $rc)" "$err"
run eval --model "$model" --data "$D/gz-only"
gz_acc=$(sed -nE 's/^loss: [0-9.e+-]+ - accuracy: ([0-9.e+-]+)$/\1/p' <<<"$out")
[ "$rc" -eq 0 ] && [ "$gz_acc" = "$val_acc" ] && pass "eval --data DIR of .gz files: accuracy $gz_acc" ||
    fail "eval --data DIR of .gz files: accuracy '$gz_acc' = '$val_acc' (rc $rc)" "$out$err"
run predict --model "$model" --test-images "$D/gz-only/t10k-images-idx3-ubyte.gz" \
    --test-labels "$D/gz-only/t10k-labels-idx1-ubyte.gz" --index 3 --count 1
[ "$rc" -eq 0 ] && grep -q "^index 3: label 0, predicted 0," <<<"$out" && pass "predict --test-images FILE.gz" ||
    fail "predict --test-images FILE.gz (rc $rc)" "$out$err"

# --- misuse of the file options (before any file is read)
expect_exit 2 "--train-images needs --train-labels too" train --train-images "$D/train-images"
expect_exit 2 "--test-labels needs --test-images too" eval --model "$model" --test-labels "$D/test-labels"
expect_exit 2 "cannot be combined with --validation-split" train "${TRAIN[@]}" "${TEST[@]}" --validation-split 0.2

# --- bad data files: exit 2, the file and the fault named, nothing saved
bad_data() { # PATTERN ARGS... — train with these files, --save must not write
    local pattern=$1
    shift
    expect_exit 2 "^nnlab: error: $pattern" train "$@" --layers 16:relu,3:softmax --save "$TMP/never.nnl"
}
bad_data "$D/truncated-images: the file is truncated: its header describes 43216 bytes .* found only 20000" \
    --train-images "$D/truncated-images" --train-labels "$D/train-labels" "${TEST[@]}"
bad_data "$D/zip-images: expected magic 0x00000803, found 0x504b0304 — this is not an IDX file" \
    --train-images "$D/zip-images" --train-labels "$D/train-labels" "${TEST[@]}"
bad_data "$D/cut-images.gz: the gzip data is truncated \\(the file ends inside the compressed stream\\) — download it again" \
    --train-images "$D/cut-images.gz" --train-labels "$D/train-labels" "${TEST[@]}"
bad_data "$D/bad-images.gz: the gzip data is corrupt \\(.*\\) — download it again" \
    --train-images "$D/bad-images.gz" --train-labels "$D/train-labels" "${TEST[@]}"
bad_data "$D/gz-cut/train-labels-idx1-ubyte.gz: the gzip data is truncated" --data "$D/gz-cut"
bad_data "$D/train-images has 300 images but $D/short-labels has 299 labels" \
    --train-images "$D/train-images" --train-labels "$D/short-labels" "${TEST[@]}"
bad_data "$D/label7-labels: label 7 is out of range: the training labels \\($D/train-labels\\) have classes 0 to 2" \
    "${TRAIN[@]}" --test-images "$D/test-images" --test-labels "$D/label7-labels"
bad_data "$D/empty-images: the file contains zero images" \
    --train-images "$D/empty-images" --train-labels "$D/train-labels" "${TEST[@]}"
bad_data "$D/overflow-images: the header declares 4294967295 x 65535 x 65535 pixels, more than this program accepts \\(2147483647\\) — the header is corrupt" \
    --train-images "$D/overflow-images" --train-labels "$D/train-labels" "${TEST[@]}"
bad_data "$D/train-labels: expected images with 3 dimensions \\(count, rows, cols\\), found 1 \\(.*\\) — is it a labels file\\?" \
    --train-images "$D/train-labels" --train-labels "$D/train-images" "${TEST[@]}"
bad_data "$D/small-images: the images are 10x10 but the training images \\($D/train-images\\) are 12x12" \
    "${TRAIN[@]}" --test-images "$D/small-images" --test-labels "$D/test-labels"
bad_data "cannot open $D/missing-images" --train-images "$D/missing-images" --train-labels "$D/train-labels" "${TEST[@]}"
[ ! -e "$TMP/never.nnl" ] && pass "no model file written by a refused run" || fail "a refused run wrote $TMP/never.nnl"
expect_exit 2 "^nnlab: error: the evaluation data has 100 pixels per image \\(10x10\\) but the model's input takes 144" \
    eval --model "$model" --test-images "$D/small-images" --test-labels "$D/test-labels"

# --- bad model files, for eval and for train --resume
node --input-type=module - "$model" "$TMP" <<'EOF'
import fs from 'node:fs';
const [src, dir] = process.argv.slice(2);
const good = fs.readFileSync(src);
const newer = Buffer.from(good);
newer.writeUInt32LE(3, 8); // the version, after the 8-byte magic
const flipped = Buffer.from(good);
flipped[good.length - 40] ^= 0x40;
let seed = 7;
const random = Buffer.from(Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
fs.writeFileSync(`${dir}/newer.nnl`, newer);
fs.writeFileSync(`${dir}/damaged.nnl`, flipped);
fs.writeFileSync(`${dir}/photo.nnl`, random);
fs.writeFileSync(`${dir}/half.nnl`, good.subarray(0, good.length >> 1));
fs.writeFileSync(`${dir}/empty.nnl`, Buffer.alloc(0));
EOF
for case in "newer.nnl:made by a newer nnlab \\(version 3\\); this one reads version 2" \
    "damaged.nnl:checksum mismatch: the file is damaged" \
    "photo.nnl:not an nnlab model file" \
    "half.nnl:the file is truncated" \
    "empty.nnl:the file is empty"; do
    file=$TMP/${case%%:*}
    fault=${case#*:}
    cp "$file" "$TMP/resume.nnl"
    expect_exit 2 "^nnlab: error: $file: $fault" eval --model "$file" "${TEST[@]}"
    expect_exit 2 "^nnlab: error: $TMP/resume.nnl: $fault" train --resume "$TMP/resume.nnl" "${TRAIN[@]}" "${TEST[@]}"
    cmp -s "$file" "$TMP/resume.nnl" && pass "train --resume left the bad ${case%%:*} untouched" ||
        fail "train --resume left the bad ${case%%:*} untouched"
done

finish

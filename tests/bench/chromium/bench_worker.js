// bench_worker.js — times one full-MNIST epoch of the browser module
// (build-wasm/nnlab.js, the one the page ships) inside a Worker, where users
// run it.
//
// The data arrives as the raw IDX files (loading is not what is timed). Each
// mode trains a fresh model (same seed) for one epoch at the model's batch
// size (32; 128 for Keras's mnist_convnet) with Adam and validation on the
// test set; image models get the images' (28, 28, 1) shape from the data:
//   whole   one nn_wasm_fit_run call for the epoch: the engine's speed alone
//   sliced  as web/js/worker.js does: one batch per call plus a poll, 25 ms
//           slices, a MessageChannel yield between slices
// The first steps are timed apart, to see V8's baseline compiler (Liftoff)
// before the optimising tier (TurboFan) takes over. With threads > 1 the
// threads module runs (the page's, when it is cross-origin isolated), else
// the single-thread one.

const SLICE_MS = 25;
const EARLY_STEPS = 50;
const MODELS = {
  logreg: { layers: '10:softmax', batch: 32 },
  mlp: { layers: '100:relu,10:softmax', batch: 32 },
  convnet: {
    layers: 'conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax',
    batch: 128,
  },
  cnn: { layers: 'conv2d:8:5:relu,maxpool:2,conv2d:16:5:relu,maxpool:2,flatten,10:softmax', batch: 32 },
};
const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

const say = (text) => self.postMessage({ type: 'log', text });

async function fetchBytes(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function bind(M) {
  const f = (name, ret, args) => M.cwrap(`nn_wasm_${name}`, ret, args);
  return {
    lastError: f('last_error', 'string', []),
    kernelName: f('kernel_name', 'string', []),
    datasetStage: f('dataset_stage', 'number', ['number', 'number', 'number', 'string', 'number', 'number', 'string']),
    datasetCommit: f('dataset_commit', 'number', []),
    modelCreate: f('model_create', 'number', ['string', 'number', 'number']),
    modelCompile: f('model_compile', 'number', ['string', 'number', 'string']),
    fitBegin: f('fit_begin', 'number', ['number', 'number', 'number', 'number', 'number', 'number']),
    fitRun: f('fit_run', 'number', ['number', 'number']),
    fitPoll: f('fit_poll', 'number', []),
    recordFields: f('record_fields', 'string', ['string']),
    fitEnd: f('fit_end', null, []),
    setThreads: f('set_threads', 'number', ['number']),
    warmUp: f('warm_up', null, []),
  };
}

// ---------------------------------------------------------------------------

let M, api;

function check(rc, what) {
  if (rc < 0) throw new Error(`${what}: ${api.lastError() || `status ${rc}`}`);
  return rc;
}

// Stage one set (0 train, 1 test); the caller commits both.
function stageSet(which, images, labels) {
  const pi = M._malloc(images.length), pl = M._malloc(labels.length);
  M.HEAPU8.set(images, pi);
  M.HEAPU8.set(labels, pl);
  const rc = api.datasetStage(which, pi, images.length, `images ${which}`, pl, labels.length, `labels ${which}`);
  M._free(pi);
  M._free(pl);
  check(rc, `dataset ${which}`);
}

// The "fit" record (src/wasm_api.c): doubles named by nn_wasm_record_fields.
function poll() {
  const names = api.recordFields('fit').split(',');
  const at = (name) => M.HEAPF64[(api.fitPoll() >> 3) + names.indexOf(name)];
  return { steps: at('steps'), valAcc: at('lastValAccuracy'), done: at('done') };
}

function begin(model) {
  check(api.modelCreate(MODELS[model].layers, 784, 1), 'model');
  check(api.modelCompile('adam', 0, 'categorical_crossentropy'), 'compile');
  check(api.fitBegin(1, MODELS[model].batch, 1, 0, 1, 0), 'fit');
  return poll().steps;
}

// Validation runs inside the epoch's last step, so the steps are timed up to
// the one before it and that mean step is added back.
function runWhole(model) {
  const steps = begin(model);
  const t0 = performance.now();
  check(api.fitRun(EARLY_STEPS, 0), 'fit');
  const tEarly = performance.now();
  check(api.fitRun(steps - 1 - EARLY_STEPS, 0), 'fit');
  const tSteps = performance.now();
  check(api.fitRun(1, 1), 'fit');
  const tEnd = performance.now();
  const r = poll();
  api.fitEnd();
  const stepMs = (tSteps - t0) / (steps - 1);
  return {
    steps, seconds: (tEnd - t0) / 1e3, trainSeconds: (tSteps - t0 + stepMs) / 1e3,
    earlyMsStep: (tEarly - t0) / EARLY_STEPS,
    lateMsStep: (tSteps - tEarly) / (steps - 1 - EARLY_STEPS), valAcc: r.valAcc,
  };
}

// One batch per call, as the app does; resolves when the epoch is over.
function runSliced(model) {
  const steps = begin(model);
  const channel = new MessageChannel();
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let done = 0, tEarly = 0, tSteps = 0, busy = 0, slices = 0;
    const slice = () => {
      try {
        const s0 = performance.now();
        while (performance.now() - s0 < SLICE_MS) {
          if (done === steps - 1) tSteps = performance.now();
          check(api.fitRun(1, 1), 'fit');
          done++;
          if (done === EARLY_STEPS) tEarly = performance.now();
          const p = poll(); // the app polls after every batch
          if (p.done || done === steps) {
            busy += performance.now() - s0;
            const tEnd = performance.now();
            api.fitEnd();
            const stepMs = (tSteps - t0) / (steps - 1);
            resolve({
              steps, seconds: (tEnd - t0) / 1e3, trainSeconds: (tSteps - t0 + stepMs) / 1e3,
              earlyMsStep: (tEarly - t0) / EARLY_STEPS,
              lateMsStep: (tSteps - tEarly) / (steps - 1 - EARLY_STEPS), valAcc: p.valAcc,
              busyFraction: busy / (tEnd - t0), slices: slices + 1,
            });
            return;
          }
        }
        busy += performance.now() - s0;
        slices++;
        channel.port2.postMessage(0);
      } catch (e) {
        reject(e);
      }
    };
    channel.port1.onmessage = slice;
    channel.port2.postMessage(0);
  });
}

self.onmessage = async ({ data: { model, modes, threads } }) => {
  try {
    if (!MODELS[model]) throw new Error(`unknown model ${model}`);
    const t0 = performance.now();
    const { default: createNnlab } = await import(threads > 1 ? './wasm/nnlab-threads.js' : './wasm/nnlab.js');
    M = await createNnlab({ locateFile: (p) => new URL(`./wasm/${p}`, import.meta.url).href });
    api = bind(M);
    if (threads > 1) { // as the page's worker does once the threads module is there
      check(api.setThreads(threads), `${threads} threads`);
      api.warmUp();
    }
    const tCompile = performance.now();
    const bytes = await Promise.all([...FILES.train, ...FILES.test].map((f) => fetchBytes(`./data/${f}`)));
    stageSet(0, bytes[0], bytes[1]);
    stageSet(1, bytes[2], bytes[3]);
    check(api.datasetCommit(), 'datasets');
    say(`module ready in ${(tCompile - t0).toFixed(0)} ms, kernel ${api.kernelName()}, ` +
        `data in ${(performance.now() - tCompile).toFixed(0)} ms`);
    const result = { model, kernel: api.kernelName(), userAgent: navigator.userAgent,
                     batch: MODELS[model].batch, threads: threads > 1 ? threads : 1 };
    for (const mode of modes) {
      const r = mode === 'sliced' ? await runSliced(model) : runWhole(model);
      say(`${mode}: epoch ${r.seconds.toFixed(3)} s (steps ${r.trainSeconds.toFixed(3)} s), ` +
          `first ${EARLY_STEPS} steps ${r.earlyMsStep.toFixed(3)} ms/step, ` +
          `then ${r.lateMsStep.toFixed(3)} ms/step, val_acc ${r.valAcc.toFixed(4)}`);
      result[mode] = r;
    }
    result.heapMb = M.HEAPU8.length / (1024 * 1024);
    self.postMessage({ type: 'done', result });
  } catch (e) {
    self.postMessage({ type: 'error', error: String(e && e.message ? e.message : e) });
  }
};

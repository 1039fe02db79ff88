// protocol.js — the one list of requests the page makes of the worker (as
// squoosh's worker bridge makes its methods from one list). bridge.js turns
// each entry into a method whose arguments are the names listed, in order,
// and worker.js refuses to start unless it has exactly one handler per entry,
// which receives those arguments by name. A new request is one line here and
// its handler in worker.js.
//
// An entry is the list of argument names, or { args, transfer } where
// transfer(args) gives the ArrayBuffers that move to the worker instead of
// being copied. Replies are plain objects with named fields.

export const METHODS = {
  // lock: a Web Lock the worker holds for its life (bridge.js watches it);
  // test: the page is the browser tests' (debug requests are taken).
  init: ['lock', 'test'],
  // Train on n threads (the threads module only; the numbers stay the same).
  setThreads: ['n'],
  // sets: { train, test } of { images, labels } IDX bytes; names: the files', for messages.
  loadData: {
    args: ['sets', 'names'],
    transfer: ({ sets }) => [sets.train.images, sets.train.labels, sets.test.images, sets.test.labels],
  },
  // config: app.js wasmConfig(): the layer text, the input image and the compile settings.
  build: ['config'],
  // Each layer's output shape for `layers` (layer text) on images of `shape` [h, w, c].
  layerShapes: ['layers', 'shape'],
  // step: run one batch, then pause; resume: train the current model on.
  start: ['config', 'step', 'resume'],
  ping: [],
  pause: [],
  resume: [],
  step: [],
  stop: [],
  evaluate: ['which'],
  predict: ['start', 'count'],
  save: [],
  describe: [],
  // check: { name, inputSize, classes } names the file and refuses a model that does not fit the data.
  load: { args: ['bytes', 'check'], transfer: ({ bytes }) => [bytes] },
  // The browser tests' hooks (after init with test): 'trap', 'hog', 'release', 'close', 'size'.
  debug: ['action'],
  // x: (n, input size) floats in [0, 1], moved, not copied.
  predictPixels: { args: ['x'], transfer: ({ x }) => [x.buffer] },
  testSet: [],
  predictTest: [],
  firstLayer: [],
  // See inside (inside.js, inside_worker.js): every layer's output for the
  // image x (input size floats, moved) or for test image `test`; the first
  // Conv2D layer's kernels.
  featureMaps: { args: ['x', 'test'], transfer: ({ x }) => (x ? [x.buffer] : []) },
  filters: [],
};

// The entry of `name` as { args, transfer }.
export function method(name) {
  const m = METHODS[name];
  return Array.isArray(m) ? { args: m, transfer: null } : m;
}

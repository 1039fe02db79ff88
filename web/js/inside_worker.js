// inside_worker.js — the worker's side of "see inside": every layer's output
// for one image (the feature maps) and the first Conv2D layer's kernels (the
// filters), read from the wasm heap through the nn_wasm_layer_* glue.
// worker.js merges these handlers into its own; like worker.js, this file
// never touches the DOM.
//
// Between two slices of a fit the model's work block is free (each training
// step runs its own forward first), so these requests may come while a fit
// runs, as the pad's predictions do, without changing what it learns.

// wasm(): { M, ...api }, the Emscripten module and worker.js's cwrapped
// nn_wasm_* functions (the layer_* ones included) once they exist;
// record(name, ptr): worker.js's reader of the glue's named records.
export function insideHandlers(wasm, record) {
  const fail = (a) => { throw new Error(a.lastError() || 'The model could not be read.'); };
  const floatsAt = (a, ptr, n) => a.M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + n);

  // The model's layer count, input size and input shape.
  function model(a) {
    const m = record('model', a.modelInfo());
    if (!m.inputSize) throw new Error('There is no model yet: build one first.');
    return { inputSize: m.inputSize, nLayers: m.nLayers, inputShape: [m.inputH, m.inputW, m.inputC] };
  }

  // What the page needs of layer i (nn_wasm_layer_info's block, named).
  function layer(a, i) {
    const p = a.layerInfo(i);
    if (!p) fail(a);
    // Read before the names are asked for: their text may grow the heap,
    // which detaches every view of the old one.
    const o = record('layer', p);
    return {
      index: i, name: a.layerName(i), className: a.layerClass(i), shape: [o.outH, o.outW, o.outC], params: o.params,
      kernelShape: [o.kernel0, o.kernel1, o.kernel2, o.kernel3].slice(0, o.kernelDims), second: o.second,
    };
  }

  // The input as floats in the heap: x (input size values in [0, 1]), or
  // test image `test` scaled as the core scales pixels (/ 255).
  function input(a, size, { x, test }) {
    const ptr = a.M._malloc(size * 4);
    if (!ptr) throw new Error('Out of memory.');
    const heap = a.M.HEAPF32.subarray(ptr >> 2, (ptr >> 2) + size);
    if (x) {
      if (x.length !== size) {
        a.M._free(ptr);
        throw new Error(`The model takes ${size} values per image, not ${x.length}.`);
      }
      heap.set(x);
    } else {
      const n = a.datasetCount(1);
      const { features } = record('dataset', a.datasetInfo(1));
      const why = !n ? 'The test data is not loaded yet.'
        : !(test >= 0 && test < n) ? `There is no test image ${test} (0 to ${n - 1}).`
          : features !== size ? `The model takes ${size} values per image; the test images have ${features}.` : null;
      if (why) {
        a.M._free(ptr);
        throw new Error(why);
      }
      const img = a.datasetImages(1) + test * size;
      for (let k = 0; k < size; k++) heap[k] = a.M.HEAPU8[img + k] / 255;
    }
    return ptr;
  }

  return {
    // Every layer whose output is an image (Conv2D, pooling, and
    // BatchNormalization, Activation or Dropout before Flatten) with its
    // values (h, w, c) for the image `x` or test image `test` (then with its
    // label); layers is empty for a model of Dense layers only.
    featureMaps({ x, test }) {
      const a = wasm();
      const m = model(a);
      const ptr = input(a, m.inputSize, { x, test });
      try {
        if (a.layerOutputs(ptr) < 0) fail(a);
        const layers = [];
        for (let i = 0; i < m.nLayers; i++) {
          const l = layer(a, i);
          const [h, w, c] = l.shape;
          if (h === 1 && w === 1) continue; // flat: Flatten, Dense and what follows them
          const out = a.layerOutput(i);
          if (!out) fail(a);
          layers.push({ index: i, name: l.name, className: l.className, shape: l.shape, values: floatsAt(a, out, h * w * c) });
        }
        const label = x ? null : a.M.HEAPU8[a.datasetLabels(1) + test];
        return { inputShape: m.inputShape, input: floatsAt(a, ptr, m.inputSize), layers, label };
      } finally {
        a.M._free(ptr);
      }
    },

    // The first Conv2D layer's kernel (kh, kw, c, f), Keras's layout, and its
    // bias (f); layer -1 when the model has no Conv2D layer.
    filters() {
      const a = wasm();
      const m = model(a);
      for (let i = 0; i < m.nLayers; i++) {
        if (a.layerClass(i) !== 'Conv2D') continue;
        const l = layer(a, i);
        const w = a.layerWeights(i);
        if (!w) fail(a);
        const n = l.kernelShape.reduce((p, d) => p * d, 1);
        const all = floatsAt(a, w, l.params);
        return { layer: i, name: l.name, shape: l.kernelShape, kernel: all.subarray(0, n), bias: all.subarray(n) };
      }
      return { layer: -1 };
    },
  };
}

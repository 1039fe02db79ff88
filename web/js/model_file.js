// model_file.js — read an nnlab model file (.nnl) in JavaScript: the
// architecture and the weights, nothing else. The C core writes and reads these
// files (src/model_file.c describes the format); this reader exists so the
// TF.js exporter can run anywhere — in the page and under Node — from the same
// bytes, without the wasm module. Pure: no DOM, no fetch.
//
// Little-endian: magic "NNLAB\x1a\r\n", u32 version, u32 header length.
// Version 2 (written now): i32 input h, w, c at 16, i32 layer count at 28,
// then a 64-byte record per layer (u32 kind, i32 units, u32 activation, u32
// initializer, f32 rate, i32 filters, kernel h, kernel w, stride h, stride w,
// u32 padding, i32 out h, w, c, u32 parameters, u32 non-trainable values),
// the seed, generator and compile settings, u64 parameter count, u64
// non-trainable count; at the header length the parameters layer by layer
// (Dense: kernel (in, out) row-major, then bias (out); Conv2D: kernel (kh, kw,
// in_c, filters), bias; BatchNormalization: gamma, beta), then the
// non-trainable values (BatchNormalization: moving mean, moving variance),
// the optimizer slots and the history; a CRC-32 of everything before it
// closes the file.
// Version 1 (Dense / Activation / Dropout models): i32 input size at 16,
// layer count at 20, 20-byte records (the first five fields) at 24, header
// length 112 + 20 per layer, no non-trainable values.

import { ACTIVATIONS, KINDS, PADDINGS, kindOf } from './layers.js';

export { ACTIVATIONS, PADDINGS };

export const MAGIC = [0x4e, 0x4e, 0x4c, 0x41, 0x42, 0x1a, 0x0d, 0x0a]; // "NNLAB\x1a\r\n"
export const VERSION = 2; // the newest version read; version 1 files are read too

// Enum orders of include/nnlab.h (the kinds, activations and paddings are the
// layer registry's, layers.js).
export const LAYER_KINDS = KINDS.map((k) => k.kind);
export const INITIALIZERS = ['glorot_uniform', 'glorot_normal', 'he_normal', 'he_uniform', 'zeros'];

// Where each version keeps its fields.
const LAYOUT = {
  1: { record: 20, fixed: 112, layersAt: 24, nLayersAt: 20, countsAtEnd: 8 },
  2: { record: 64, fixed: 128, layersAt: 32, nLayersAt: 28, countsAtEnd: 16 },
};

// A fault in the file: `key` and `params` index the i18n table, the message
// is English for Node and logs.
export class ModelFileError extends Error {
  constructor(key, params, message) {
    super(message);
    this.key = key;
    this.params = params;
  }
}

// CRC-32 as zlib computes it (reflected 0xEDB88320), as nn_crc32 does.
let crcTable = null;
export function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Parse the bytes of a .nnl file (ArrayBuffer or a typed array) into
//   { inputSize, inputShape: [h, w, c], layers: [{ kind, units, activation,
//     initializer, rate, filters, kernelSize: [kh, kw], strides: [sh, sw], padding,
//     inShape, outShape: [h, w, c], in, out (values per sample),
//     kernel?, bias? (Dense, Conv2D), gamma?, beta?, movingMean?, movingVariance?
//     (BatchNormalization): Float32Array }], nParams, nState }
export function readModelFile(data) {
  const u8 = data instanceof Uint8Array ? data : new Uint8Array(data.buffer ? data.buffer : data,
    data.byteOffset || 0, data.byteLength);
  const fail = (key, params, message) => { throw new ModelFileError(key, params, message); };
  if (u8.length < LAYOUT[1].fixed + 4 || MAGIC.some((b, i) => u8[i] !== b)) {
    fail('modelfile.errMagic', {}, 'not an nnlab model file (no NNLAB magic at the start)');
  }
  const v = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const version = v.getUint32(8, true);
  const layout = LAYOUT[version];
  if (!layout) {
    fail('modelfile.errVersion', { version }, `model file version ${version}; this reader knows versions 1 and ${VERSION}`);
  }
  const stored = v.getUint32(u8.length - 4, true);
  const actual = crc32(u8.subarray(0, u8.length - 4));
  if (stored !== actual) fail('modelfile.errCrc', {}, 'the model file is damaged (its checksum does not match)');

  const headerLength = v.getUint32(12, true);
  const inputShape = version === 1
    ? [1, 1, v.getInt32(16, true)]
    : [v.getInt32(16, true), v.getInt32(20, true), v.getInt32(24, true)];
  const inputSize = inputShape[0] * inputShape[1] * inputShape[2];
  const nLayers = v.getInt32(layout.nLayersAt, true);
  if (nLayers < 1 || nLayers > 32 || headerLength !== layout.fixed + layout.record * nLayers ||
      headerLength > u8.length || inputShape.some((d) => d < 1)) {
    fail('modelfile.errHeader', {}, 'the model file header is inconsistent');
  }
  const nParams = Number(v.getBigUint64(headerLength - layout.countsAtEnd, true));
  const nState = version === 1 ? 0 : Number(v.getBigUint64(headerLength - 8, true));

  // Reads n floats at *at value by value: the floats need not be 4-byte
  // aligned in the buffer, and DataView reads little-endian whatever the host is.
  const floats = (at, n, i) => {
    if (at + 4 * n > u8.length - 4) fail('modelfile.errHeader', {}, `layer ${i + 1}: the weights do not fit in the file`);
    const f = new Float32Array(n);
    for (let k = 0; k < n; k++) f[k] = v.getFloat32(at + 4 * k, true);
    return f;
  };
  const layers = [];
  let shape = inputShape;
  let off = headerLength;
  let stateOff = headerLength + 4 * nParams;
  let counted = 0;
  let countedState = 0;
  for (let i = 0; i < nLayers; i++) {
    const r = layout.layersAt + layout.record * i;
    const kind = LAYER_KINDS[v.getUint32(r, true)];
    const activation = ACTIVATIONS[v.getUint32(r + 8, true)];
    if (!kind || !activation || (version === 1 && LAYER_KINDS.indexOf(kind) > 2)) {
      fail('modelfile.errHeader', {}, `layer ${i + 1} has an unknown kind or activation`);
    }
    const layer = {
      kind,
      units: v.getInt32(r + 4, true),
      activation,
      initializer: INITIALIZERS[v.getUint32(r + 12, true)] || 'glorot_uniform',
      rate: v.getFloat32(r + 16, true),
      inShape: shape,
    };
    let params;
    let state = 0;
    if (version === 1) {
      layer.outShape = kind === 'dense' ? [1, 1, layer.units] : shape;
      params = kind === 'dense' ? shape[2] * layer.units + layer.units : 0;
    } else {
      layer.filters = v.getInt32(r + 20, true);
      layer.kernelSize = [v.getInt32(r + 24, true), v.getInt32(r + 28, true)];
      layer.strides = [v.getInt32(r + 32, true), v.getInt32(r + 36, true)];
      layer.padding = PADDINGS[v.getUint32(r + 40, true)] || 'valid';
      layer.outShape = [v.getInt32(r + 44, true), v.getInt32(r + 48, true), v.getInt32(r + 52, true)];
      params = v.getUint32(r + 56, true);
      state = v.getUint32(r + 60, true);
    }
    layer.in = shape[0] * shape[1] * shape[2];
    layer.out = layer.outShape[0] * layer.outShape[1] * layer.outShape[2];
    if (layer.out < 1) fail('modelfile.errHeader', {}, `layer ${i + 1} has an impossible output shape`);
    if (params) {
      // The kernel (or gamma), then one value per output channel (bias, or beta),
      // named as the registry names them.
      const all = floats(off, params, i);
      const c = layer.outShape[2];
      const [first, second] = kindOf(kind).weights;
      layer[first] = all.subarray(0, params - c);
      layer[second] = all.subarray(params - c);
      off += 4 * params;
      counted += params;
    }
    if (state) {
      const all = floats(stateOff, state, i);
      layer.movingMean = all.subarray(0, state / 2);
      layer.movingVariance = all.subarray(state / 2);
      stateOff += 4 * state;
      countedState += state;
    }
    shape = layer.outShape;
    layers.push(layer);
  }
  if (counted !== nParams || countedState !== nState) {
    fail('modelfile.errHeader', {}, `the header counts ${nParams} + ${nState} parameters, the layers ${counted} + ${countedState}`);
  }
  return { inputSize, inputShape, layers, nParams, nState };
}

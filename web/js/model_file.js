// model_file.js — read an nnlab model file (.nnl) in JavaScript: the
// architecture and the weights, nothing else. The C core writes and reads these
// files (src/model_file.c describes the format); this reader exists so the
// TF.js exporter can run anywhere — in the page and under Node — from the same
// bytes, without the wasm module. Pure: no DOM, no fetch.
//
// Version 1, little-endian: magic "NNLAB\x1a\r\n", u32 version, u32 header
// length (112 + 20 per layer), i32 input size, i32 layer count, 20 bytes per
// layer (u32 kind, i32 units, u32 activation, u32 initializer, f32 rate), the
// seed, generator and compile settings, u64 parameter count; then at the header
// length the parameters (per Dense layer: kernel (in, out) row-major, then
// bias (out)), the optimizer slots and the history; a CRC-32 of everything
// before it closes the file.

export const MAGIC = [0x4e, 0x4e, 0x4c, 0x41, 0x42, 0x1a, 0x0d, 0x0a]; // "NNLAB\x1a\r\n"
export const VERSION = 1;

// Enum orders of include/nnlab.h.
export const LAYER_KINDS = ['dense', 'activation', 'dropout'];
export const ACTIVATIONS = [
  'linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'swish',
  'leaky_relu', 'softplus', 'softsign', 'hard_sigmoid',
];
export const INITIALIZERS = ['glorot_uniform', 'glorot_normal', 'he_normal', 'he_uniform', 'zeros'];

const LAYER_RECORD = 20;
const HEADER_FIXED = 112;
const N_PARAMS_AT_END = 8; // the u64 n_params closes the header

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
//   { inputSize, layers: [{ kind, units, activation, initializer, rate, in, out,
//     kernel?: Float32Array (in*out), bias?: Float32Array (out) }], nParams }
export function readModelFile(data) {
  const u8 = data instanceof Uint8Array ? data : new Uint8Array(data.buffer ? data.buffer : data,
    data.byteOffset || 0, data.byteLength);
  const fail = (key, params, message) => { throw new ModelFileError(key, params, message); };
  if (u8.length < HEADER_FIXED + 4 || MAGIC.some((b, i) => u8[i] !== b)) {
    fail('modelfile.errMagic', {}, 'not an nnlab model file (no NNLAB magic at the start)');
  }
  const v = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const version = v.getUint32(8, true);
  if (version !== VERSION) {
    fail('modelfile.errVersion', { version }, `model file version ${version}; this reader knows version ${VERSION}`);
  }
  const stored = v.getUint32(u8.length - 4, true);
  const actual = crc32(u8.subarray(0, u8.length - 4));
  if (stored !== actual) fail('modelfile.errCrc', {}, 'the model file is damaged (its checksum does not match)');

  const headerLength = v.getUint32(12, true);
  const inputSize = v.getInt32(16, true);
  const nLayers = v.getInt32(20, true);
  if (nLayers < 1 || nLayers > 32 || headerLength !== HEADER_FIXED + LAYER_RECORD * nLayers ||
      headerLength > u8.length || inputSize < 1) {
    fail('modelfile.errHeader', {}, 'the model file header is inconsistent');
  }
  const nParams = Number(v.getBigUint64(headerLength - N_PARAMS_AT_END, true));

  const layers = [];
  let width = inputSize;
  let off = headerLength;
  let counted = 0;
  for (let i = 0; i < nLayers; i++) {
    const r = 24 + LAYER_RECORD * i;
    const kind = LAYER_KINDS[v.getUint32(r, true)];
    const activation = ACTIVATIONS[v.getUint32(r + 8, true)];
    if (!kind || !activation) fail('modelfile.errHeader', {}, `layer ${i + 1} has an unknown kind or activation`);
    const layer = {
      kind,
      units: v.getInt32(r + 4, true),
      activation,
      initializer: INITIALIZERS[v.getUint32(r + 12, true)] || 'glorot_uniform',
      rate: v.getFloat32(r + 16, true),
      in: width,
      out: width,
    };
    if (kind === 'dense') {
      layer.out = layer.units;
      const n = layer.in * layer.out + layer.out;
      if (layer.units < 1 || off + 4 * n > u8.length - 4) {
        fail('modelfile.errHeader', {}, `layer ${i + 1}: the weights do not fit in the file`);
      }
      // Read value by value: the floats need not be 4-byte aligned in the
      // buffer, and DataView reads little-endian whatever the host is.
      const floats = new Float32Array(n);
      for (let k = 0; k < n; k++) floats[k] = v.getFloat32(off + 4 * k, true);
      layer.kernel = floats.subarray(0, layer.in * layer.out);
      layer.bias = floats.subarray(layer.in * layer.out);
      off += 4 * n;
      counted += n;
    }
    width = layer.out;
    layers.push(layer);
  }
  if (counted !== nParams) fail('modelfile.errHeader', {}, `the header counts ${nParams} parameters, the layers ${counted}`);
  return { inputSize, layers, nParams };
}

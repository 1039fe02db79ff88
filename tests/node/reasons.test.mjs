// reasons.test.mjs — the core's reasons (src/reasons.h) and the page's sentences for them
// (web/js/strings/reasons.js) are one table: the same keys, the English word for word the
// core's template (the CLI prints the one, the page shows the other), and every call of the
// core supplies exactly the {params} of its reason's template. Then the page's side: a
// reason as the core sends it, nested reasons included, reads in English as the core's
// sentence and in 简体中文 without an English sentence. No browser, no wasm: the C sources
// are read as text.
//
// Run: node --test tests/node/reasons.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import REASONS from '../../web/js/strings/reasons.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p) => fs.readFileSync(path.join(root, p), 'utf8');
const placeholders = (s) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

// ---------------------------------------------------------------------------
// Reading the C

// The NN_REASONS(X) lines: [{ id, key, text }], the text's adjacent literals joined.
function cReasons() {
  const src = read('src/reasons.h');
  const lines = src.slice(src.indexOf('#define NN_REASONS(X)')).split('\n');
  const body = [];
  for (const l of lines) {
    body.push(l);
    if (!l.trimEnd().endsWith('\\')) break;
  }
  const text = body.join('\n').replace(/\\\n/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
  const re = /X\(\s*(NN_R_\w+)\s*,\s*"([^"]*)"\s*,((?:\s*"(?:[^"\\]|\\.)*")+)\s*\)/g;
  return [...text.matchAll(re)].map((m) => ({
    id: m[1],
    key: m[2],
    text: [...m[3].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1].replace(/\\(.)/g, '$1')).join(''),
  }));
}

// The library's C files (the CLI's own sentences are not reasons), comments removed.
function librarySources() {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory() && e.name !== 'cli') walk(p);
      else if (e.name.endsWith('.c')) files.push(p);
    }
  };
  walk('src');
  return files.map((file) => ({ file, code: stripComments(read(file)) }));
}

function stripComments(s) {
  return s.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
    (m) => (m[0] === '"' || m[0] === "'" ? m : m.replace(/[^\n]/g, ' ')));
}

// The text between the parenthesis at `open` and its partner, and the arguments split at
// commas of depth 0 (string literals skipped).
function callArgs(code, open) {
  let depth = 0;
  const args = [];
  let start = open + 1;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      for (i++; code[i] !== '"'; i++) if (code[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      args.push(code.slice(start, i).trim());
      return args;
    } else if (c === ',' && depth === 1) {
      args.push(code.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error('unbalanced call');
}

// The params an argument list supplies: each argument's NN_S("name", ...)-like name(s)
// (any call whose first argument is a string literal: NN_S, NN_TERM, expected_magic, ...;
// both branches of a ?:), or a bare identifier (an nn_arg variable named as its param).
function suppliedParams(args) {
  const names = new Set();
  for (const a of args) {
    if (/^\w+$/.test(a)) names.add(a);
    for (const m of a.matchAll(/\b\w+\(\s*"(\w+)"/g)) names.add(m[1]);
  }
  return [...names].sort();
}

// The reasons an expression may be: its NN_R_* names outside NN_TERM(...).
const reasonsIn = (expr) => [...expr.replace(/NN_TERM\([^()]*\)/g, '').matchAll(/\bNN_R_\w+/g)].map((m) => m[0]);

// The function (or macro) whose body holds `at`.
function enclosing(code, at) {
  const before = code.slice(0, at);
  const defs = [...before.matchAll(/^(?:#define\s+(\w+)\(|[A-Za-z_][\w \t*]*?\b(\w+)\([^;{]*\)\s*\{)/gm)];
  const d = defs[defs.length - 1];
  return d ? d[1] || d[2] : null;
}

// Every nn_fail call: { file, reasons, params, fn (the enclosing function), args }.
function failCalls(sources) {
  const calls = [];
  for (const { file, code } of sources) {
    for (const m of code.matchAll(/\bnn_fail\s*\(/g)) {
      const args = callArgs(code, m.index + m[0].length - 1);
      calls.push({ file, line: code.slice(0, m.index).split('\n').length, reasonExpr: args[1], args: args.slice(2),
        fn: enclosing(code, m.index) });
    }
  }
  return calls;
}

const table = cReasons();
const byId = Object.fromEntries(table.map((r) => [r.id, r]));
const sources = librarySources();

// ---------------------------------------------------------------------------
// One table

test('the C table: ids and keys unique, every reason used by the library', () => {
  assert.ok(table.length > 150, `parsed only ${table.length} reasons: the pattern is wrong`);
  assert.equal(new Set(table.map((r) => r.id)).size, table.length, 'ids unique');
  assert.equal(new Set(table.map((r) => r.key)).size, table.length, 'keys unique');
  const all = sources.map((s) => s.code).join('\n');
  assert.deepEqual(table.filter((r) => !new RegExp(`\\b${r.id}\\b`).test(all)).map((r) => r.id), [], 'unused reasons');
});

test('strings/reasons.js has exactly the core\'s keys and the worker\'s, the English word for word', () => {
  const worker = read('web/js/worker.js');
  const workerKeys = [...worker.matchAll(/\bfail\('([\w.]+)'/g)].map((m) => m[1]);
  assert.ok(workerKeys.length > 5, 'found the worker\'s fail() calls');
  const expected = new Set([...table.map((r) => r.key), ...workerKeys].map((k) => `reason.${k}`));
  const have = Object.keys(REASONS.en).filter((k) => k.startsWith('reason.'));
  assert.deepEqual(have.filter((k) => !expected.has(k)).sort(), [], 'sentences of no reason');
  assert.deepEqual([...expected].filter((k) => !(k in REASONS.en)).sort(), [], 'reasons without a sentence');
  for (const r of table) assert.equal(REASONS.en[`reason.${r.key}`], r.text, `${r.key}: the English is the core's`);
  for (const k of expected) assert.ok(k in REASONS.zh, `${k} has Chinese`);
});

test('every nn_fail call supplies exactly its template\'s params', () => {
  const calls = failCalls(sources);
  assert.ok(calls.length > 150, `found only ${calls.length} calls`);
  // A function that takes its reason as an argument (nn_unknown_name, need_idle, wrap_error,
  // the INCONSISTENT macro) is checked at its callers, with the params its body supplies
  // (__VA_ARGS__: the caller's own arguments after the reason).
  const forwarders = {};
  const problems = [];
  const check = (where, ids, params) => {
    if (!ids.length) problems.push(`${where}: no reason`);
    for (const id of ids) {
      if (!byId[id]) problems.push(`${where}: ${id} is not in the table`);
      else if (JSON.stringify(placeholders(byId[id].text)) !== JSON.stringify(params)) {
        problems.push(`${where}: ${id} needs {${placeholders(byId[id].text)}}, gets {${params}}`);
      }
    }
  };
  for (const c of calls) {
    const ids = reasonsIn(c.reasonExpr);
    const where = `${c.file}:${c.line}`;
    if (/^\w+$/.test(c.reasonExpr) && !ids.length) {
      forwarders[c.fn] = c.args.includes('__VA_ARGS__') ? null : suppliedParams(c.args);
    } else {
      check(where, ids, suppliedParams(c.args));
    }
  }
  assert.deepEqual(Object.keys(forwarders).sort(), ['INCONSISTENT', 'need_idle', 'nn_unknown_name', 'wrap_error']);
  let forwarded = 0;
  for (const { file, code } of sources) {
    for (const [fn, params] of Object.entries(forwarders)) {
      for (const m of code.matchAll(new RegExp(`\\b${fn}\\s*\\(`, 'g'))) {
        const line = code.slice(0, m.index).split('\n').pop();
        if (/#define\s*$|\b(?:int|void)\s+$/.test(line.slice(0, line.lastIndexOf(fn)))) continue; // its definition
        const args = callArgs(code, m.index + m[0].length - 1);
        const at = args.findIndex((a) => reasonsIn(a).length);
        if (at < 0) continue; // (inside another forwarder, passing its own reason on)
        check(`${file}:${code.slice(0, m.index).split('\n').length}`, reasonsIn(args[at]),
          params || suppliedParams(args.slice(at + 1)));
        forwarded++;
      }
    }
  }
  assert.ok(forwarded > 20, `checked only ${forwarded} forwarded calls`);
  assert.deepEqual(problems, []);
});

test('the library fails with reasons only (nn_set_error is for programs on top, like the CLI)', () => {
  const bare = sources.filter((s) => s.file !== 'src/error.c' && /\bnn_set_error\s*\(/.test(s.code)).map((s) => s.file);
  assert.deepEqual(bare, []);
});

// ---------------------------------------------------------------------------
// The page's side: a reason as the core sends it, in both languages

// i18n.js switches language through the document; a stand-in is enough for t().
globalThis.document = { documentElement: {}, querySelectorAll: () => [] };
const { setLang, t } = await import('../../web/js/i18n.js');
const { errorString, errorText, reasonText } = await import('../../web/js/reasons.js');

// As the core gives them (tests/c/test_reasons.c checks these same params and sentences).
const SAMPLES = [
  {
    reason: 'layer.at',
    params: '{"layer":"1","why":{"reason":"name.activation","params":{"name":"rel","choices":"linear, relu, sigmoid"}}}',
    english: "layer 1: unknown activation 'rel' (choose from linear, relu, sigmoid)",
  },
  {
    reason: 'file.inconsistent',
    params: '{"name":"m.nnl","detail":{"reason":"bad.layerCount","params":{"n":"40","max":"32"}}}',
    english: 'm.nnl: the file is inconsistent: it declares 40 layers (1 to 32 possible)',
  },
  {
    reason: 'fit.rolledBack',
    params: '{"why":{"reason":"model.divergedLoss","params":{"value":{"reason":"term.nan","params":{}},"step":"2",'
      + '"lr":"1e+30","try":"1e+29"}},"epoch":"1"}',
    english: 'the loss became NaN at step 2: training diverged. Lower the learning rate (now 1e+30; try 1e+29) and '
      + 'train again. The model was rolled back to its weights at the start of epoch 1.',
  },
  {
    reason: 'idx.notIdx',
    params: '{"name":"data.bin","want":{"reason":"term.eitherMagic","params":{}},"got":"0x50000803"}',
    english: 'data.bin: expected magic 0x00000801 (labels) or 0x00000803 (images), found 0x50000803 — this is not an '
      + 'IDX file',
  },
  {
    reason: 'model.tooLarge',
    params: '{"mb":"27502.6","limit":"1024"}',
    english: 'this model would need 27502.6 MB of memory for its weights, gradients, optimizer state and one batch; '
      + 'the limit is 1024 MB. Use fewer units',
  },
];

const ENGLISH_SENTENCE = /[A-Za-z]+(?: [A-Za-z]+){2,}/;

test('a reason reads as the core\'s English in English, and in 简体中文 without an English sentence', () => {
  for (const s of SAMPLES) {
    const e = { message: s.english, reason: s.reason, params: JSON.parse(s.params) };
    const x = errorText(e);
    assert.equal(x.key, `reason.${s.reason}`);
    setLang('en');
    assert.equal(t(x.key, x.params), s.english, `${s.reason} in English`);
    assert.equal(errorString(e), s.english);
    setLang('zh');
    const zh = t(x.key, x.params);
    assert.match(zh, /[\u4e00-\u9fff]/, `${s.reason}: ${zh}`);
    assert.doesNotMatch(zh, ENGLISH_SENTENCE, `${s.reason}: ${zh}`);
    assert.doesNotMatch(zh, /\{\w+\}/, `${s.reason}: a param left out: ${zh}`);
    for (const v of s.params.matchAll(/"(?:name|got|mb|lr)":"([^"]+)"/g)) assert.ok(zh.includes(v[1]), `${zh} names ${v[1]}`);
    assert.equal(errorString(e), zh);
  }
  setLang('en');
});

test('what the page cannot translate shows the English message', () => {
  const message = 'layer 2: something a newer core says';
  assert.equal(reasonText('no.suchReason', {}), null);
  assert.equal(errorText({ message, reason: 'no.suchReason', params: {} }), message);
  // a known reason with an unknown one inside it is not half translated
  assert.equal(errorText({ message, reason: 'layer.at', params: { layer: '2', why: { reason: 'no.such', params: {} } } }),
    message);
  assert.equal(errorText({ message, reason: null, params: {} }), message);
  assert.equal(errorText(new Error(message)), message);
  // the page's own errors keep their keys
  assert.deepEqual(errorText({ key: 'dataset.errNoImages', params: { name: 'x' } }), { key: 'dataset.errNoImages', params: { name: 'x' } });
});

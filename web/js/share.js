// share.js — a setup (the model, compile and fit settings and the seed) as the
// text of a link's hash, and back: "#nn=1&l=100:relu,10:softmax&o=adam&lr=0.001
// &loss=c&e=5&b=32&n=60000&val=test&sh=1&s=42". Short keys and a version key
// (nn), every setting written, so a link means the same setup after the defaults
// change. Read back, each value is checked as the form checks what is typed:
// numbers out of range are clamped, what cannot be read keeps the default and is
// named in the notice. Weights never go in a link (files and IndexedDB keep
// them). The page keeps the same text in localStorage, so the form survives a
// reload. No DOM here: tests/node/share.test.mjs imports it.

import { layerProblems, layerString, parseLayerString } from './layers.js';
import { MAX_LAYERS, OPTIMIZERS, defaultConfig } from './model_config.js';

export const LINK_VERSION = 1;
export const STORE_KEY = 'nnlab.setup.v1';
export const MAX_LINK = 2000; // characters of a whole link that every browser and chat keeps

const int = (s) => (/^\d+$/.test(s) ? Number(s) : NaN);
const num = (s) => (/^[0-9.eE+-]+$/.test(s) ? Number(s) : NaN);

// A whole number clamped to [min, max] (max may depend on the data: a function).
const clampedInt = (min, max) => (s, data) => {
  const v = int(s);
  if (!Number.isSafeInteger(v)) return undefined;
  const hi = typeof max === 'function' ? max(data) : max;
  return { value: Math.min(hi, Math.max(min, v)), min, max: hi };
};

// The settings, in link order: key, the config field(s), its label in the form
// (for the notice), how it is written and read. read(text, data) gives
// undefined (unreadable) or { value, min?, max? } (value clamped to min..max).
const FIELDS = [
  {
    key: 'l', label: 'model.title',
    write: (c) => layerString(c.layers),
    read: (s) => {
      const layers = parseLayerString(s);
      const ok = layers && layers.length >= 1 && layers.length <= MAX_LAYERS && layerProblems(layers).length === 0;
      return ok ? { value: layers } : undefined;
    },
    set: (c, v) => { c.layers = v; },
  },
  {
    key: 'o', label: 'compile.optimizer',
    write: (c) => c.optimizer,
    read: (s) => (Object.hasOwn(OPTIMIZERS, s) ? { value: s } : undefined),
    set: (c, v) => { c.optimizer = v; },
  },
  {
    key: 'lr', label: 'compile.lr',
    write: (c) => String(c.lr),
    read: (s) => {
      const v = num(s);
      return v > 0 && Number.isFinite(v) ? { value: v } : undefined;
    },
    set: (c, v) => { c.lr = v; },
  },
  {
    key: 'loss', label: 'compile.loss',
    write: (c) => (c.loss === 'sparse_categorical_crossentropy' ? 's' : 'c'),
    read: (s) => ({ c: { value: 'categorical_crossentropy' }, s: { value: 'sparse_categorical_crossentropy' } })[s],
    set: (c, v) => { c.loss = v; },
  },
  { key: 'e', label: 'fit.epochs', write: (c) => String(c.epochs), read: clampedInt(1, 1000), set: (c, v) => { c.epochs = v; } },
  {
    key: 'b', label: 'fit.batchSize', write: (c) => String(c.batchSize),
    read: clampedInt(1, (data) => data.nTrain), set: (c, v) => { c.batchSize = v; },
  },
  {
    key: 'n', label: 'fit.trainLimit', write: (c) => String(c.trainLimit),
    read: clampedInt(1, (data) => data.nTrain), set: (c, v) => { c.trainLimit = v; },
  },
  {
    // "test", or the fraction of the training data held out (validation_split)
    key: 'val', label: 'fit.validation',
    write: (c) => (c.validation === 'split' ? String(c.validationSplit) : 'test'),
    read: (s) => {
      if (s === 'test') return { value: { validation: 'test' } };
      const v = num(s);
      return v > 0 && v < 1 ? { value: { validation: 'split', validationSplit: v } } : undefined;
    },
    set: (c, v) => Object.assign(c, v),
  },
  {
    key: 'sh', label: 'fit.shuffle',
    write: (c) => (c.shuffle ? '1' : '0'),
    read: (s) => ({ 1: { value: true }, 0: { value: false } })[s],
    set: (c, v) => { c.shuffle = v; },
  },
  { key: 's', label: 'fit.seed', write: (c) => String(c.seed), read: clampedInt(0, 4294967295), set: (c, v) => { c.seed = v; } },
];

// ":" and "," are allowed in a URL's fragment; keeping them makes the layer text readable.
const escape = (s) => encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',');

// The hash text of setup c (without '#').
export function encodeSetup(c) {
  return [`nn=${LINK_VERSION}`, ...FIELDS.map((f) => `${f.key}=${escape(f.write(c))}`)].join('&');
}

// The setup a hash text describes, on the defaults: { config, ignored, clamped,
// version } where ignored lists the { key, label, text } that could not be read
// (they keep the default), clamped the { key, label, text, value } brought into
// range. null when the hash is empty (no link). A hash of another version, or
// of no version, gives the defaults with version set to what it said.
export function decodeSetup(hash, data, base = defaultConfig()) {
  const text = String(hash || '').replace(/^#/, '');
  if (!text) return null;
  const pairs = new Map();
  for (const part of text.split('&')) {
    const at = part.indexOf('=');
    const [k, v] = at < 0 ? [part, ''] : [part.slice(0, at), part.slice(at + 1)];
    try {
      pairs.set(decodeURIComponent(k), decodeURIComponent(v));
    } catch {
      pairs.set(k, null); // bad %-escapes: unreadable
    }
  }
  const config = { ...base, layers: base.layers.map((l) => ({ ...l })) };
  const version = pairs.get('nn') ?? null;
  if (version !== String(LINK_VERSION)) return { config, ignored: [], clamped: [], version };
  const ignored = [], clamped = [];
  for (const f of FIELDS) {
    if (!pairs.has(f.key)) continue;
    const s = pairs.get(f.key);
    const got = s === null ? undefined : f.read(s, data);
    if (!got) {
      ignored.push({ key: f.key, label: f.label, text: s ?? '' });
      continue;
    }
    if (got.min !== undefined && got.value !== Number(s)) clamped.push({ key: f.key, label: f.label, text: s, value: got.value });
    f.set(config, got.value);
  }
  const known = new Set(['nn', ...FIELDS.map((f) => f.key)]);
  for (const [k, v] of pairs) if (!known.has(k)) ignored.push({ key: k, label: null, text: v ?? '' });
  return { config, ignored, clamped, version };
}

// The words of a notice about a link read by decodeSetup (i18n keys and
// params, for t()), or [] when everything in it was used.
export function setupNotice(got) {
  if (!got) return [];
  if (got.version !== String(LINK_VERSION)) {
    return [{ key: got.version === null ? 'share.notALink' : 'share.otherVersion', params: { version: got.version } }];
  }
  return [
    ...got.clamped.map((c) => ({ key: 'share.clamped', params: { key: c.key, text: c.text, value: c.value }, label: c.label })),
    ...got.ignored.map((c) => ({ key: c.label ? 'share.ignored' : 'share.unknown', params: { key: c.key, text: c.text }, label: c.label })),
  ];
}

// The link to this page with setup c.
export function setupLink(href, c) {
  return `${String(href).split('#')[0]}#${encodeSetup(c)}`;
}

// reasons.js — an error as the page says it, in the page's language.
//
// The C core refuses with a reason: a key and its params (src/reasons.h), which
// the worker passes on beside the English sentence as { message, reason,
// params }; a param is text, or a reason inside this one ({ reason, params }:
// "layer 3: <why>", or a word such as "training data"). Each key has a sentence
// in every language in strings/reasons.js ('reason.<key>'), so the sentence is
// the i18n table's, with the nested reasons as nested sentences — i18n.js's t()
// fills those in, and setI18n() keeps the whole thing following the language
// switch. Errors the page words itself (DataError, ExportError, ModelFileError)
// already carry an i18n key. Only a reason the table does not know (a newer
// core, a sentence the core made without one) shows the English message.
// Pure logic, no DOM.

import REASONS from './strings/reasons.js';
import { t } from './i18n.js';

const known = (key) => Object.prototype.hasOwnProperty.call(REASONS.en, key);

// The core's { reason, params } as the i18n table's { key, params }, nested
// params turned the same way; null when the table does not know a key in it.
export function reasonText(reason, params = {}) {
  const key = `reason.${reason}`;
  if (!reason || !known(key)) return null;
  const out = {};
  for (const [name, v] of Object.entries(params || {})) {
    if (v && typeof v === 'object') {
      const inner = reasonText(v.reason, v.params);
      if (!inner) return null;
      out[name] = inner;
    } else {
      out[name] = String(v);
    }
  }
  return { key, params: out };
}

// An error (an Error from the bridge, a DataError, the worker's 'done' event's
// { message, reason, params }) as { key, params } of the i18n table, or null
// when it has none.
export function translated(e) {
  if (!e || typeof e !== 'object') return null;
  if (e.key) return { key: e.key, params: e.params };
  return reasonText(e.reason, e.params);
}

// What to show for an error: { key, params } (ui/training.js showError and
// setI18n take it, and follow the language switch), else its English message.
export function errorText(e) {
  return translated(e) || (e && e.message) || String(e ?? '');
}

// The same as a string in the current language, for places that take text.
export function errorString(e) {
  const x = translated(e);
  return x ? t(x.key, x.params) : (e && e.message) || String(e ?? '');
}

// ui/dialog.js — an in-page confirm dialog (window.confirm blocks the page and
// cannot be styled or translated with the rest of it).

import { setI18n } from '../i18n.js';

export function confirmDialog(key, params) {
  const root = document.getElementById('dialog');
  const ok = document.getElementById('dialog-ok');
  const cancel = document.getElementById('dialog-cancel');
  setI18n(document.getElementById('dialog-text'), key, params);
  root.hidden = false;
  ok.focus();
  return new Promise((resolve) => {
    const close = (answer) => {
      root.hidden = true;
      ok.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      document.removeEventListener('keydown', keys);
      resolve(answer);
    };
    const yes = () => close(true);
    const no = () => close(false);
    const keys = (e) => {
      if (e.key === 'Escape') no();
    };
    ok.addEventListener('click', yes);
    cancel.addEventListener('click', no);
    document.addEventListener('keydown', keys);
  });
}

// A short message at the bottom of the page.
export function toast(key, params) {
  const el = document.createElement('div');
  el.className = 'toast';
  setI18n(el, key, params);
  document.body.append(el);
  setTimeout(() => el.remove(), 1800);
}

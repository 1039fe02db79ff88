// ui/dialog.js — an in-page dialog (window.confirm blocks the page and cannot
// be styled or translated with the rest of it): a sentence and a row of
// choices, one of them the default (focused, Enter), Escape the first.

import { setI18n } from '../i18n.js';

// choices: [{ value, key }] from the most cautious (Escape picks it) to the
// default (last, focused). Each button is #dialog-<value>. Resolves to the
// value of the button pressed.
export function choiceDialog(key, params, choices) {
  const root = document.getElementById('dialog');
  const actions = document.getElementById('dialog-actions');
  setI18n(document.getElementById('dialog-text'), key, params);
  actions.textContent = '';
  actions.classList.toggle('stacked', choices.length > 2); // long labels: one per row
  const buttons = choices.map(({ value, key: label }, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = `dialog-${value}`;
    b.className = i === choices.length - 1 ? 'btn btn-primary' : 'btn';
    setI18n(b, label);
    actions.append(b);
    return b;
  });
  root.hidden = false;
  buttons[buttons.length - 1].focus();
  return new Promise((resolve) => {
    const close = (answer) => {
      root.hidden = true;
      actions.removeEventListener('click', click);
      document.removeEventListener('keydown', keys);
      resolve(answer);
    };
    const click = (e) => {
      const i = buttons.indexOf(e.target.closest('button'));
      if (i >= 0) close(choices[i].value);
    };
    const keys = (e) => {
      if (e.key === 'Escape') close(choices[0].value);
    };
    actions.addEventListener('click', click);
    document.addEventListener('keydown', keys);
  });
}

// Cancel (#dialog-cancel) or Continue (#dialog-ok): resolves to true for Continue.
export async function confirmDialog(key, params) {
  const answer = await choiceDialog(key, params, [
    { value: 'cancel', key: 'dialog.cancel' }, { value: 'ok', key: 'dialog.ok' },
  ]);
  return answer === 'ok';
}

// A short message at the bottom of the page; with action ({ key, act }) a
// button that does it (Undo), and the message stays longer to leave time for it.
export function toast(key, params, action) {
  const el = document.createElement('div');
  el.className = 'toast';
  el.setAttribute('role', 'status');
  const text = document.createElement('span');
  setI18n(text, key, params);
  el.append(text);
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn btn-small toast-action';
    setI18n(b, action.key);
    b.addEventListener('click', () => {
      el.remove();
      action.act();
    });
    el.append(' ', b);
  }
  document.body.append(el);
  setTimeout(() => el.remove(), action ? 8000 : 1800);
}

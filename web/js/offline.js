// offline.js — the page's side of the service worker (../sw.js): registers it, shows
// "Available offline" in the top bar once every file is kept, asks the browser to keep them
// (persistent storage), and offers a new version of the site when one is waiting.
//
// The worker is registered only after the page's own MNIST download has ended: its install
// fetches every file again, with `no-cache`, and the browser's HTTP cache then answers with
// the copy the page has just received (a 304 from the server) instead of a second 12 MB.

import { onLangChange, setI18n, t } from './i18n.js';

// The browser tests open index.html?test, each in a fresh browser context: with a worker,
// every one of them would first copy 13 MB into Cache Storage, and once controlled the page
// would be served from there instead of the network those tests watch. So ?test registers
// none, and ?test&sw (tests/browser/offline.test.mjs) takes the real path.
const params = new URLSearchParams(location.search);
const ENABLED = !params.has('test') || params.has('sw');

// The pill's tooltip follows the language, as its text does (setI18n).
let tip = null; // { key, params } of the pill's title

// Starts the offline part once `after` (the page's data download, a promise) has settled.
export function initOffline(after) {
  if (!ENABLED) return;
  const pill = document.getElementById('offline-pill');
  onLangChange(() => { if (tip) pill.title = t(tip.key, tip.params); });
  if (!('serviceWorker' in navigator)) {
    // Plain http from another machine (a classroom server by IP address), or a private window.
    showPill(pill, 'offline.failed', false, 'offline.unavailableTip');
    return;
  }
  Promise.resolve(after)
    .then(() => register(pill))
    .catch(() => showPill(pill, 'offline.failed', false, 'offline.failedTip'));
}

function showPill(pill, key, ok, tipKey, tipParams) {
  pill.hidden = false;
  pill.className = ok ? 'pill pill-ok' : 'pill pill-muted';
  setI18n(pill, key);
  tip = tipKey ? { key: tipKey, params: tipParams } : null;
  pill.title = tip ? t(tip.key, tip.params) : '';
}

async function register(pill) {
  const sw = navigator.serviceWorker;
  const hadController = !!sw.controller;
  let reloading = false;
  sw.addEventListener('controllerchange', () => {
    if (reloading) location.reload();
    // Another tab switched to a new version: this page still runs the old files.
    else if (hadController) showPrompt(null);
  });

  const reg = await sw.register(new URL('../sw.js', import.meta.url), { updateViaCache: 'none' });
  watchUpdates(reg, () => { reloading = true; });
  if (!reg.active) {
    showPill(pill, 'offline.saving', false);
    const installing = reg.installing || reg.waiting;
    if (installing) {
      installing.addEventListener('statechange', () => {
        if (installing.state === 'redundant' && !reg.active) showPill(pill, 'offline.failed', false, 'offline.failedTip');
      });
    }
  }
  await sw.ready;
  const status = await ask(reg.active, { type: 'status' });
  if (status.missing !== 0) {
    showPill(pill, 'offline.failed', false, 'offline.failedTip');
    return;
  }
  const mb = (status.bytes / 1e6).toFixed(1);
  showPill(pill, 'offline.ready', true, 'offline.bestEffort', { mb });
  // Without persistent storage the browser may evict the caches when the disk runs low.
  // Chrome decides without asking; Firefox asks the user once and remembers the answer.
  // (Firefox's question may take a while: the pill is there meanwhile.)
  const kept = await persist();
  if (kept) showPill(pill, 'offline.ready', true, 'offline.persisted', { mb });
  pill.dataset.persisted = String(kept);
}

async function persist() {
  try {
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return false; // no StorageManager (an old browser): best effort, as before
  }
}

// Posts a message to the worker and resolves to its answer.
function ask(worker, message) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => resolve(e.data);
    worker.postMessage(message, [channel.port2]);
  });
}

// ---------------------------------------------------------------------------------------------
// Updates: a changed sw.js (any changed file changes it) installs beside the running version
// and waits; the prompt lets it take over (skipWaiting), then the page reloads on the
// 'controllerchange' that follows.

function watchUpdates(reg, onReload) {
  const offer = (w) => {
    if (reg.active && reg.active !== w) showPrompt(w, onReload);
  };
  if (reg.waiting) offer(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const w = reg.installing;
    if (!w) return;
    w.addEventListener('statechange', () => { if (w.state === 'installed') offer(w); });
  });
}

// worker: the waiting worker to activate, or null when only a reload is needed.
function showPrompt(worker, onReload) {
  if (document.getElementById('update-prompt')) return;
  const box = document.createElement('div');
  box.id = 'update-prompt';
  box.className = 'toast';
  box.setAttribute('role', 'status');
  const text = document.createElement('span');
  setI18n(text, 'offline.updateReady');
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'update-reload';
  button.className = 'btn btn-small btn-primary';
  setI18n(button, 'offline.reload');
  button.addEventListener('click', () => {
    button.disabled = true;
    if (worker && worker.state === 'installed') {
      onReload();
      worker.postMessage({ type: 'skipWaiting' });
    } else {
      location.reload();
    }
  });
  // In the page first, then filled: a screen reader announces what enters a live region.
  document.body.append(box);
  box.append(text, ' ', button);
}

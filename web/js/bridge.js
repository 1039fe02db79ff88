// bridge.js — the only place that talks to the worker. Requests return
// promises (matched by id); worker events (progress, state, done) go to
// listeners registered with on(). ArrayBuffers passed in `transfer` move to
// the worker instead of being copied.
//
// A worker can die: terminated, closed, crashed, or its wasm module stopped
// ('fatal'). The bridge notices — an error event, a 'fatal' message, or the
// Web Lock the worker holds for its whole life being granted to the page
// (without Web Locks, in an insecure context: a ping left unanswered) —
// rejects what was pending, emits 'crash' once, and answers every later
// request with an error until restart() starts a fresh worker.
//
// The requests are made from the one list in protocol.js: bridge.predict(start,
// count) posts { type: 'predict', start, count }.

import { METHODS, method } from './protocol.js';

let lockCount = 0;
const PING_MS = 5000;     // heartbeat period, when there are no Web Locks
const SILENCE_MS = 30000; // a ping unanswered this long means the worker is gone

export class Bridge {
  constructor(workerUrl) {
    this.url = workerUrl;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.spawn();
  }

  spawn() {
    const worker = new Worker(this.url, { type: 'module' });
    this.worker = worker;
    this.dead = null; // the reason, once the worker is gone
    this.lock = `nnlab-worker-${Date.now().toString(36)}-${++lockCount}`;
    worker.onmessage = (e) => {
      if (worker === this.worker && !this.dead) this.receive(e.data);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      this.fail(e.message || 'worker error', worker);
    };
    worker.onmessageerror = () => this.fail('a message could not be read', worker);
  }

  // A fresh worker after a death (the caller sends init, data and model again).
  restart() {
    this.worker.terminate();
    this.fail('restarted', this.worker, true);
    this.spawn();
  }

  // Ask for the lock the worker holds: granted only when the worker is gone.
  // False when this page has no Web Locks.
  watch(worker, lock) {
    if (!navigator.locks) return false;
    navigator.locks.request(lock, () => this.fail('the worker stopped', worker)).catch(() => {});
    return true;
  }

  // Fallback: any message answers the last ping; one left unanswered for
  // SILENCE_MS (far longer than any single step the worker takes) is a death.
  // Timed from the ping, so throttled timers in a background tab do not count.
  heartbeat(worker) {
    let sent = 0;
    worker.addEventListener('message', () => { sent = 0; });
    const timer = setInterval(() => {
      if (worker !== this.worker || this.dead) clearInterval(timer);
      else if (sent && performance.now() - sent > SILENCE_MS) this.fail('the worker stopped answering', worker);
      else if (!sent) {
        sent = performance.now();
        worker.postMessage({ id: 0, type: 'ping' });
      }
    }, PING_MS);
  }

  receive(msg) {
    if (msg.event === 'fatal') {
      this.fail(msg.message, this.worker, false, 'wasm');
      return;
    }
    if (msg.event) {
      for (const fn of this.listeners.get(msg.event) || []) fn(msg);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(Object.assign(new Error(msg.error), { reason: msg.reason, params: msg.params })); // reasons.js reads them
  }

  // The worker `worker` is gone (or unusable, kind 'wasm'): once per worker.
  fail(message, worker = this.worker, quiet = false, kind = 'worker') {
    if (worker !== this.worker || this.dead) return;
    this.dead = message;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    if (!quiet) for (const fn of this.listeners.get('crash') || []) fn({ message, kind });
  }

  call(type, args = {}, transfer = []) {
    if (this.dead) return Promise.reject(new Error(this.dead));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...args }, transfer);
    });
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(fn);
  }

  // --- the requests the page makes (the others are made from protocol.js below)

  // The worker's lock is watched once it holds it; without Web Locks, a
  // heartbeat. test: the worker takes debug requests (the browser tests').
  init(test = false) {
    const { worker, lock } = this;
    return this.call('init', { lock, test }).then((r) => {
      if (!(r.lock && this.watch(worker, lock))) this.heartbeat(worker);
      return r;
    });
  }
}

// One method per request of protocol.js, its arguments named in order
// (undefined ones left out, so the worker's defaults apply).
for (const name of Object.keys(METHODS)) {
  if (Object.prototype.hasOwnProperty.call(Bridge.prototype, name)) continue;
  const { args, transfer } = method(name);
  Bridge.prototype[name] = function request(...values) {
    const named = {};
    args.forEach((arg, i) => { if (values[i] !== undefined) named[arg] = values[i]; });
    return this.call(name, named, transfer ? transfer(named) : []);
  };
}

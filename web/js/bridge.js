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
    else p.reject(new Error(msg.error));
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

  // --- the requests the page makes ---------------------------------------
  init() {
    const { worker, lock } = this;
    return this.call('init', { lock }).then((r) => {
      if (!(r.lock && this.watch(worker, lock))) this.heartbeat(worker);
      return r;
    });
  }
  // names: the four files' names for messages (MNIST's when omitted).
  loadData(sets, names) {
    const transfer = [sets.train.images, sets.train.labels, sets.test.images, sets.test.labels];
    return this.call('loadData', { sets, names }, transfer);
  }
  build(config) { return this.call('build', { config }); }
  // resume: train the current model on instead of building a fresh one.
  start(config, step = false, resume = false) { return this.call('start', { config, step, resume }); }
  pause() { return this.call('pause'); }
  resume() { return this.call('resume'); }
  step() { return this.call('step'); }
  stop() { return this.call('stop'); }
  evaluate(which = 'test') { return this.call('evaluate', { which }); }
  predict(start, count) { return this.call('predict', { start, count }); }
  save() { return this.call('save'); }
  describe() { return this.call('describe'); }
  // check: { name, inputSize, classes } to name the file and refuse a model that does not fit the data.
  load(bytes, check = {}) { return this.call('load', { bytes, ...check }, [bytes]); }
  debug(action) { return this.call('debug', { action }); }
  // Drawing and looking inside: x is (n, input size) floats in [0, 1] (moved, not copied).
  predictPixels(x) { return this.call('predictPixels', { x }, [x.buffer]); }
  testSet() { return this.call('testSet'); }
  predictTest() { return this.call('predictTest'); }
  firstLayer() { return this.call('firstLayer'); }
  // See inside (inside.js): every layer's output for the image x (input size
  // floats, moved) or for test image `test`; the first Conv2D layer's kernels.
  featureMaps({ x, test }) { return this.call('featureMaps', { x, test }, x ? [x.buffer] : []); }
  filters() { return this.call('filters'); }
}

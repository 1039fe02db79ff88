// bridge.js — the only place that talks to the worker. Requests return
// promises (matched by id); worker events (progress, state, done) go to
// listeners registered with on(). ArrayBuffers passed in `transfer` move to
// the worker instead of being copied.

export class Bridge {
  constructor(workerUrl) {
    this.worker = new Worker(workerUrl, { type: 'module' });
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => this.fail(e.message || 'worker error');
  }

  receive(msg) {
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

  fail(message) {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    for (const fn of this.listeners.get('crash') || []) fn({ message });
  }

  call(type, args = {}, transfer = []) {
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
  init() { return this.call('init'); }
  loadData(sets) {
    const transfer = [sets.train.images, sets.train.labels, sets.test.images, sets.test.labels];
    return this.call('loadData', { sets }, transfer);
  }
  build(config) { return this.call('build', { config }); }
  start(config, step = false) { return this.call('start', { config, step }); }
  pause() { return this.call('pause'); }
  resume() { return this.call('resume'); }
  step() { return this.call('step'); }
  stop() { return this.call('stop'); }
  evaluate(which = 'test') { return this.call('evaluate', { which }); }
  predict(start, count) { return this.call('predict', { start, count }); }
  save() { return this.call('save'); }
  load(bytes) { return this.call('load', { bytes }, [bytes]); }
}

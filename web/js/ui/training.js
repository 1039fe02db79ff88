// ui/training.js — the training card: Start / Pause·Resume / Stop / One step,
// the state pill, and a console with one Keras-style progress line per epoch:
//   Epoch 2/5
//   1875/1875 ━━━━━━━━━━━━━━━━━━━━ 3.1s 2ms/step - accuracy: 0.9650 - loss: 0.1190 - val_accuracy: …

import { setI18n, t } from '../i18n.js';

const $ = (sel) => document.querySelector(sel);
const BAR = 20;
const MAX_EPOCHS_SHOWN = 200;

export class TrainingView {
  constructor(handlers) {
    this.btn = {
      start: $('#btn-start'), pause: $('#btn-pause'), stop: $('#btn-stop'), step: $('#btn-step'),
      evaluate: $('#btn-evaluate'), save: $('#btn-save'),
    };
    this.console = $('#console');
    this.pill = $('#train-state');
    this.state = 'idle';
    this.epochs = []; // [{title, st, el}] lines shown in the console
    this.btn.start.addEventListener('click', handlers.start);
    this.btn.pause.addEventListener('click', () => (this.state === 'paused' ? handlers.resume() : handlers.pause()));
    this.btn.stop.addEventListener('click', handlers.stop);
    this.btn.step.addEventListener('click', handlers.step);
    this.btn.evaluate.addEventListener('click', handlers.evaluate);
    this.btn.save.addEventListener('click', handlers.save);
    $('#file-load').addEventListener('change', (e) => {
      const file = e.target.files[0];
      e.target.value = '';
      if (file) handlers.load(file);
    });
    this.clearConsole();
  }

  // state: 'idle' | 'running' | 'paused'; ready: data and model are there.
  setState(state, { ready, canStart, hasModel }) {
    this.state = state;
    const idle = state === 'idle';
    this.pill.dataset.state = state;
    setI18n(this.pill, `state.${state}`);
    this.btn.start.disabled = !(idle && ready && canStart);
    this.btn.pause.disabled = idle;
    setI18n(this.btn.pause, state === 'paused' ? 'train.resume' : 'train.pause');
    this.btn.stop.disabled = idle;
    this.btn.step.disabled = !(ready && canStart && (idle || state === 'paused'));
    this.btn.evaluate.disabled = !(idle && ready && hasModel);
    this.btn.save.disabled = !(idle && hasModel);
  }

  // message: the core's sentence, or the page's own as [{ key, params }]
  // sentences (they follow the language switch); titleKey: a headline before
  // it (e.g. 'train.diverged').
  showError(message, titleKey = null) {
    const el = $('#train-error');
    el.hidden = !message;
    el.textContent = '';
    if (!message) return;
    const title = document.createElement('strong');
    setI18n(title, titleKey || 'train.error');
    el.append(title);
    for (const part of Array.isArray(message) ? message : [message]) {
      const text = document.createElement('span');
      if (part.key) setI18n(text, part.key, part.params);
      else text.textContent = part;
      el.append(' ', text);
    }
  }

  showEval(res) {
    const el = $('#eval-line');
    el.hidden = !res;
    if (res) setI18n(el, 'train.evalResult', { loss: res.loss.toFixed(4), acc: res.accuracy.toFixed(4) });
  }

  // --- the console ------------------------------------------------------------

  clearConsole() {
    this.epochs = [];
    this.console.innerHTML = '';
    const p = document.createElement('div');
    p.className = 'placeholder';
    setI18n(p, 'train.placeholder');
    this.console.append(p);
  }

  // A new fit: header line with the sample counts.
  beginRun(info) {
    this.epochs = [];
    this.console.innerHTML = '';
    const head = document.createElement('div');
    head.className = 'dim';
    setI18n(head, info.nVal ? 'train.headVal' : 'train.head', { n: info.nTrain, v: info.nVal });
    this.console.append(head);
  }

  // st: {epoch, epochs, step, steps, elapsed, msPerStep, loss, accuracy, valLoss?, valAccuracy?, done,
  // validating?: {at, n} validation samples done of n, once the epoch's batches are}
  update(st) {
    let e = this.epochs[this.epochs.length - 1];
    if (!e || e.epoch !== st.epoch) {
      const title = document.createElement('div');
      title.className = 'epoch-title';
      title.textContent = `Epoch ${st.epoch + 1}/${st.epochs}`;
      const line = document.createElement('div');
      this.console.append(title, line);
      e = { epoch: st.epoch, line, title };
      this.epochs.push(e);
      if (this.epochs.length > MAX_EPOCHS_SHOWN) {
        const old = this.epochs.shift();
        old.title.remove();
        old.line.remove();
      }
    }
    e.st = st;
    // Progress arrives ~40 times a second; draw it once per frame at most.
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        for (const x of this.epochs) {
          if (x.st && x.shown !== x.st) {
            if (!x.parts) x.parts = makeLine(x.line);
            renderLine(x.parts, x.st);
            x.shown = x.st;
          }
        }
        this.console.scrollTop = this.console.scrollHeight;
      });
    }
  }

  note(key, params) {
    const el = document.createElement('div');
    el.className = 'dim';
    setI18n(el, key, params);
    this.console.append(el);
    this.console.scrollTop = this.console.scrollHeight;
  }

  // Language switch: the words inside progress lines.
  relabel() {
    for (const e of this.epochs) if (e.parts) renderLine(e.parts, e.st);
  }
}

// One progress line is a fixed set of spans whose text changes, so the 60
// updates a second never re-parse HTML.
function makeLine(line) {
  line.textContent = '';
  const span = (cls) => {
    const el = document.createElement('span');
    if (cls) el.className = cls;
    line.append(el);
    return el;
  };
  return {
    count: span(), done: span('bar-done'), todo: span('bar-todo'), elapsedLabel: span('dim'),
    time: span(), etaLabel: span('dim'), eta: span(), perStep: span(), metrics: span(),
  };
}

function renderLine(parts, st) {
  const w = String(st.steps).length;
  const frac = st.steps ? st.step / st.steps : 0;
  const done = Math.floor(frac * BAR);
  parts.count.textContent = `${String(st.step).padStart(w)}/${st.steps} `;
  parts.done.textContent = '━'.repeat(done);
  parts.todo.textContent = '━'.repeat(BAR - done);
  if (st.done) {
    parts.elapsedLabel.textContent = '';
    parts.etaLabel.textContent = '';
    parts.eta.textContent = '';
    parts.time.textContent = ` ${secs(st.elapsed)}`;
  } else {
    const eta = (st.steps - st.step) * st.msPerStep / 1000;
    parts.elapsedLabel.textContent = ` ${t('train.elapsed')} `;
    parts.time.textContent = secs(st.elapsed);
    parts.etaLabel.textContent = ` ${t('train.eta')} `;
    parts.eta.textContent = secs(eta);
  }
  parts.perStep.textContent = ` ${perStep(st.msPerStep)}`;
  const m = [['accuracy', st.accuracy], ['loss', st.loss]];
  if (st.done && st.valLoss != null) m.push(['val_accuracy', st.valAccuracy], ['val_loss', st.valLoss]);
  parts.metrics.textContent = m.map(([k, v]) => ` - ${k}: ${Number.isFinite(v) ? v.toFixed(4) : 'nan'}`).join('')
    + (st.validating ? ` - ${t('train.validating', st.validating)}` : '');
}

function secs(s) {
  if (!Number.isFinite(s)) return '–';
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 120) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

function perStep(ms) {
  if (!(ms > 0)) return '';
  return ms < 1 ? `${Math.round(ms * 1000)}us/step` : `${Math.round(ms)}ms/step`;
}


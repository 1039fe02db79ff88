// ui/draw_view.js — the "Draw a digit" card: the pad, the ten probability
// bars with the top guess, the 28×28 image the network actually sees, and
// which model is answering.

import { setI18n } from '../i18n.js';
import { ProbBars, formatPct } from './bars.js';
import { clearCanvas, drawGrey } from './images.js';
import { Pad } from './pad.js';

const $ = (sel) => document.querySelector(sel);

export class DrawView {
  // onInk(kind): the drawing changed ('draw' | 'end' | 'edit'); usePretrained(): the button.
  constructor({ onInk, usePretrained }) {
    this.pad = new Pad($('#pad'), { undo: $('#pad-undo'), clear: $('#pad-clear'), onChange: onInk });
    this.bars = new ProbBars($('#pad-bars'));
    this.bars.render(null, 10);
    this.seen = $('#pad-seen');
    this.guess = $('#pad-guess');
    this.conf = $('#pad-conf');
    this.source = $('#draw-source');
    this.note = $('#draw-note');
    this.pretrainedBtn = $('#draw-pretrained');
    this.pretrainedBtn.addEventListener('click', usePretrained);
    this.empty = $('#pad-empty');
  }

  // x: the 28×28 floats, or null when the pad is empty.
  showInput(x, w = 28, h = 28) {
    if (x) drawGrey(this.seen, x, w, h, 0, 1);
    else clearCanvas(this.seen);
    this.empty.hidden = !!x;
  }

  // probs: the model's answer, or null.
  showProbs(probs) {
    const best = this.bars.render(probs, probs ? probs.length : 10);
    this.guess.textContent = probs ? String(best) : '–';
    this.conf.textContent = probs ? formatPct(probs[best]) : '';
    this.guess.classList.toggle('sure', !!probs && probs[best] >= 0.8);
  }

  // key/params: the i18n text naming the model; untrained: offer the pretrained one.
  showSource(key, params, { untrained = false, pretrainedAvailable = false, unusable = null } = {}) {
    setI18n(this.source, key, params);
    this.source.dataset.kind = untrained ? 'untrained' : 'ok';
    const noteKey = unusable || (untrained ? 'draw.untrainedNote' : null);
    this.note.hidden = !noteKey;
    if (noteKey) setI18n(this.note.querySelector('span'), noteKey, unusable ? params : undefined);
    this.pretrainedBtn.hidden = !(untrained && pretrainedAvailable);
  }

  isEmpty() {
    return this.pad.isEmpty();
  }

  pixels() {
    return this.pad.pixels();
  }
}

// ui/weights.js — the first Dense layer's weights, one small image per unit:
// the 784 weights into unit j drawn as 28×28 (red pulls the unit up where the
// pixel is ink, blue pushes it down). For logistic regression these are the
// ten class templates. At most MAX_UNITS are drawn, as one mosaic canvas;
// pointing at a tile names its unit. Refreshes come a few times a second at
// most while training.

import { setI18n, t } from '../i18n.js';
import { drawWeightMosaic, tileAt } from './images.js';

export const MAX_UNITS = 100;
const GAP = 2; // grey pixels between tiles (in canvas pixels, scaled up with the tiles)
const $ = (sel) => document.querySelector(sel);

export class WeightsView {
  constructor() {
    this.root = $('#weights');
    this.canvas = $('#weights-canvas');
    this.info = $('#weights-info');
    this.layout = null;
    setI18n(this.info, 'weights.waiting');
    this.canvas.addEventListener('mousemove', (e) => {
      const unit = this.unitAt(e);
      this.canvas.title = unit < 0 ? '' : t('weights.unit', { j: unit });
    });
  }

  // kernel (inputs, units) of the first Dense layer.
  show({ kernel, inputs, units }) {
    const side = Math.round(Math.sqrt(inputs));
    if (side * side !== inputs) {
      // Not a square image (other data): nothing sensible to draw.
      this.root.hidden = true;
      setI18n(this.info, 'weights.notImage', { n: inputs });
      return;
    }
    this.root.hidden = false;
    const n = Math.min(units, MAX_UNITS);
    setI18n(this.info, units > n ? 'weights.infoSome' : 'weights.info', { units, n, side });
    // Ten templates in two rows of five; larger counts in a square-ish grid.
    const cols = n <= 12 ? Math.min(n, 5) : Math.ceil(Math.sqrt(n));
    const { rows } = drawWeightMosaic(this.canvas, kernel, inputs, units, n, side, cols, GAP);
    this.layout = { n, cols, rows, side };
    this.canvas.dataset.units = String(n);
    this.root.classList.toggle('few', n <= 12);
  }

  unitAt(e) {
    if (!this.layout) return -1;
    const { n, cols, side } = this.layout;
    return tileAt(this.canvas, { n, cols, tw: side, th: side, gap: GAP }, e);
  }
}

// ui/filters.js — the "Filters" card: the first Conv2D layer's kernels, one
// tile per filter (and per input channel when there are several, a row per
// filter), in the diverging palette with one scale for all of them, so that
// filters can be compared; a legend gives the scale's ends.
//
// For a CNN the filters are the first layer's weights, and the "First-layer
// weights" card (which draws the first Dense layer as if it read pixels,
// here the one after Flatten) hides; for a Dense model it comes back.

import { setI18n, t } from '../i18n.js';
import { diverging, divergingCss, drawTiles, tileAt, tileScale } from './images.js';

const GAP = 4;      // pixels between tiles
const GAP_RGB = [120, 128, 145]; // darker than the palette's white (a zero weight)
const TILE_PX = 40; // about this many pixels per tile side
const $ = (sel) => document.querySelector(sel);

export class FiltersView {
  constructor() {
    this.root = $('#filters');
    this.canvas = $('#filters-canvas');
    this.info = $('#filters-info');
    this.note = $('#filters-note');
    this.hint = $('#filters-hint'); // how to read the tiles, shown with them
    this.legend = { bar: $('#filters-legend-bar'), lo: $('#filters-lo'), hi: $('#filters-hi') };
    this.legend.bar.style.background = `linear-gradient(to right, ${divergingCss(-1)}, ${divergingCss(0)}, ${divergingCss(1)})`;
    this.weightsCard = $('#card-weights');
    this.layout = null;
    this.canvas.addEventListener('mousemove', (e) => {
      const j = this.layout ? tileAt(this.canvas, this.layout, e) : -1;
      const c = this.layout && this.layout.channels;
      this.canvas.title = j < 0 ? '' : c > 1
        ? t('inside.filterChannel', { j: Math.floor(j / c), k: j % c }) : t('inside.filter', { j });
    });
    this.showNote('inside.mapsNoModel');
  }

  showNote(key) {
    this.weightsCard.hidden = false;
    setI18n(this.note, key);
    this.note.hidden = false;
    this.root.hidden = true;
    this.hint.hidden = true;
    this.info.textContent = '';
    this.canvas.dataset.tiles = '0';
  }

  // f: the worker's filters reply { name, shape: [kh, kw, c, f], kernel (kh, kw, c, f) }.
  show({ name, shape, kernel }) {
    const [kh, kw, c, f] = shape;
    let max = 1e-12;
    for (const v of kernel) max = Math.max(max, Math.abs(v));
    // Tile t is filter t / c, input channel t % c; pixel i is (ky, kx) = (i / kw, i % kw).
    const cols = c > 1 ? c : Math.min(f, 8);
    const layout = { n: f * c, cols, tw: kw, th: kh, gap: GAP, gapRgb: GAP_RGB, scale: tileScale(kh, kw, TILE_PX) };
    drawTiles(this.canvas, layout, (tile, i, rgb) => {
      const j = c > 1 ? Math.floor(tile / c) : tile;
      diverging(kernel[(i * c + (tile % c)) * f + j] / max, rgb);
    });
    this.layout = { ...layout, channels: c };
    Object.assign(this.canvas.dataset, { tiles: f * c, shape: shape.join('x'), cols, scale: layout.scale, gap: GAP });
    setI18n(this.info, c > 1 ? 'inside.filtersInfoChannels' : 'inside.filtersInfo', { name, f, kh, kw, c });
    const m = max.toPrecision(2);
    this.legend.lo.textContent = `−${m}`;
    this.legend.hi.textContent = `+${m}`;
    this.note.hidden = true;
    this.root.hidden = false;
    this.hint.hidden = false;
    this.weightsCard.hidden = true;
  }
}

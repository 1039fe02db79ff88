// ui/feature_maps.js — the "Feature maps" card: for one image (the digit on
// the pad, or a test image clicked in the explorer), the input and every
// layer whose output is an image, each channel one greyscale tile, a layer
// per row of the card with its Keras name and output shape. One canvas per
// layer (see drawTiles), each value a square block of pixels (nearest
// neighbour), drawn at the size it is shown (CSS only shrinks it to fit).
//
// Grey levels are shared by all channels of a layer (black its smallest
// value, white its largest): a channel that hardly responds looks dark, so
// channels can be compared, as the caption says.

import { setI18n, t } from '../i18n.js';
import { drawTiles, tileAt, tileScale } from './images.js';

const GAP = 2;        // pixels between tiles
const TILE_PX = 48;   // about this many pixels per tile side
const $ = (sel) => document.querySelector(sel);

// Keras's way of printing a batch shape.
export const kerasShape = ([h, w, c]) => (h === 1 && w === 1 ? `(None, ${c})` : `(None, ${h}, ${w}, ${c})`);

const MIN_TILE = 28;  // pixels a tile side keeps at least when CSS shrinks a row to fit

// Tiles per row: all of them up to 8, then 8 (up to 32 channels) or 16, but
// halved while a row would shrink tiles below MIN_TILE in `room` pixels (a phone).
function columnsFor(c, room) {
  let cols = c <= 8 ? c : c <= 32 ? 8 : 16;
  while (cols > 4 && cols * (MIN_TILE + GAP) > room) cols /= 2;
  return cols;
}

const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export class FeatureMapsView {
  // onTestImage(i): a test image was clicked in the explorer; onUsePad(): the button.
  constructor({ onTestImage, onUsePad }) {
    this.root = $('#maps');
    this.note = $('#maps-note');
    this.hint = $('#maps-hint'); // how to read the tiles, shown with them
    this.source = $('#maps-source');
    this.padBtn = $('#maps-use-pad');
    this.padBtn.addEventListener('click', onUsePad);
    this.rows = []; // { fig, caption, canvas, layout } reused from one refresh to the next
    $('#explore-grid').addEventListener('click', (e) => {
      const cell = e.target.closest('[data-index]');
      if (cell) onTestImage(Number(cell.dataset.index));
    });
    this.showNote('inside.mapsNoModel');
  }

  // A sentence instead of the maps (no model, nothing to look at, no conv layer).
  showNote(key) {
    setI18n(this.note, key);
    this.note.hidden = false;
    this.root.hidden = true;
    this.hint.hidden = true;
    this.root.dataset.layers = '0';
  }

  // Which image the maps are of: { kind: 'pad' } or { kind: 'test', index, label };
  // canUsePad: the pad has a drawing to go back to.
  showSource(src, canUsePad) {
    if (!src) this.source.textContent = '';
    else if (src.kind === 'pad') setI18n(this.source, 'inside.mapsOfPad');
    else setI18n(this.source, 'inside.mapsOfTest', { i: src.index, y: src.label });
    this.padBtn.hidden = !(src && src.kind === 'test' && canUsePad);
  }

  // maps: the worker's featureMaps reply { inputShape, input, layers: [{ name, shape, values }] }.
  show(maps) {
    this.note.hidden = true;
    this.root.hidden = false;
    this.hint.hidden = false;
    const all = [{ name: 'input', shape: maps.inputShape, values: maps.input, input: true }, ...maps.layers];
    while (this.rows.length < all.length) this.rows.push(this.makeRow());
    this.rows.forEach((row, k) => {
      row.fig.hidden = k >= all.length;
      if (k < all.length) this.drawLayer(row, all[k]);
    });
    this.root.dataset.layers = String(maps.layers.length);
  }

  makeRow() {
    const fig = document.createElement('figure');
    fig.className = 'map-layer';
    const caption = document.createElement('figcaption');
    const name = document.createElement('code');
    name.className = 'map-name';
    const shape = document.createElement('code');
    shape.className = 'map-shape';
    const range = document.createElement('span');
    range.className = 'map-range';
    caption.append(name, ' ', shape, ' ', range);
    const canvas = document.createElement('canvas');
    canvas.className = 'map-canvas';
    fig.append(caption, canvas);
    this.root.append(fig);
    const row = { fig, name, shape, range, canvas, layout: null };
    canvas.addEventListener('mousemove', (e) => {
      const j = row.layout ? tileAt(canvas, row.layout, e) : -1;
      canvas.title = j < 0 ? '' : t('inside.channel', { j });
    });
    return row;
  }

  drawLayer(row, { name, shape, values, input }) {
    const [h, w, c] = shape;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // An input is drawn as MNIST is, 0 black and 1 white, whatever its range.
    if (input) [lo, hi] = [0, 1];
    const k = hi > lo ? 255 / (hi - lo) : 0;
    const room = this.root.clientWidth || Infinity;
    const layout = { n: c, cols: columnsFor(c, room), tw: w, th: h, gap: GAP, scale: tileScale(h, w, TILE_PX) };
    drawTiles(row.canvas, layout, (ch, i, rgb) => {
      const v = (values[i * c + ch] - lo) * k;
      rgb[0] = v;
      rgb[1] = v;
      rgb[2] = v;
    });
    row.layout = layout;
    if (input) setI18n(row.name, 'inside.input');
    else {
      delete row.name.dataset.i18n; // (a row once the input's)
      row.name.textContent = name;
    }
    row.shape.textContent = kerasShape(shape);
    row.range.textContent = input ? '' : `${fmt(lo)} … ${fmt(hi)}`;
    row.fig.dataset.name = input ? 'input' : name;
    row.fig.dataset.shape = shape.join('x');
    Object.assign(row.canvas.dataset, { channels: c, cols: layout.cols, scale: layout.scale, gap: GAP });
  }
}

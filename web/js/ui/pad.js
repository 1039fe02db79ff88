// ui/pad.js — the drawing pad. Pointer Events cover mouse, touch and pen
// alike; strokes are round and of one width whatever the pressure (MNIST
// digits have no pressure either). Strokes are kept as point lists so the
// last one can be undone by redrawing the others.
//
// The ink is drawn opaque on a transparent canvas (the white comes from CSS),
// so the alpha channel is the ink coverage, anti-aliased edges included —
// what preprocess.js turns into a 28×28 digit. The canvas is always redrawn
// from the stroke list (a few hundred points at most, well under a
// millisecond), so the same strokes give the same pixels however they were
// drawn, undone or replayed: predictions are reproducible.

export const PAD_SIZE = 280;         // backing pixels; the CSS size may differ
export const PEN_WIDTH = 20;         // in backing pixels: about MNIST's stroke for a digit filling the pad
const INK = '#111827';

export class Pad {
  // onChange(kind): 'draw' while a stroke grows, 'end' when it ends, 'edit' after undo/clear.
  constructor(canvas, { undo, clear, onChange }) {
    this.canvas = canvas;
    canvas.width = PAD_SIZE;
    canvas.height = PAD_SIZE;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.strokes = [];
    this.active = null; // pointerId of the stroke being drawn
    this.onChange = onChange;
    this.undoBtn = undo;
    this.clearBtn = clear;

    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      canvas.addEventListener(type, (e) => this.up(e));
    }
    undo.addEventListener('click', () => this.undo());
    clear.addEventListener('click', () => this.clear());
    this.refreshButtons();
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (PAD_SIZE / r.width), (e.clientY - r.top) * (PAD_SIZE / r.height)];
  }

  down(e) {
    if (this.active !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.active = e.pointerId;
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // capture is a nicety (strokes leaving the pad); drawing works without it
    }
    this.strokes.push(this.point(e));
    this.redraw();
    this.refreshButtons();
    this.onChange('draw');
  }

  move(e) {
    if (e.pointerId !== this.active) return;
    e.preventDefault();
    const s = this.strokes[this.strokes.length - 1];
    // Coalesced events: every sample the device gave since the last frame, so
    // a fast stroke is not drawn as a polygon.
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) {
      const [x, y] = this.point(ev);
      const n = s.length;
      if (Math.hypot(x - s[n - 2], y - s[n - 1]) < 0.5) continue;
      s.push(x, y);
    }
    this.redraw();
    this.onChange('draw');
  }

  up(e) {
    if (e.pointerId !== this.active) return;
    this.active = null;
    this.onChange('end');
  }

  dot(x, y) {
    const c = this.ctx;
    c.fillStyle = INK;
    c.beginPath();
    c.arc(x, y, PEN_WIDTH / 2, 0, 2 * Math.PI);
    c.fill();
  }

  redraw() {
    this.ctx.clearRect(0, 0, PAD_SIZE, PAD_SIZE);
    for (const s of this.strokes) {
      if (s.length === 2) {
        this.dot(s[0], s[1]);
        continue;
      }
      const c = this.ctx;
      c.strokeStyle = INK;
      c.lineWidth = PEN_WIDTH;
      c.lineCap = 'round';
      c.lineJoin = 'round';
      c.beginPath();
      c.moveTo(s[0], s[1]);
      for (let i = 2; i < s.length; i += 2) c.lineTo(s[i], s[i + 1]);
      c.stroke();
    }
  }

  undo() {
    if (this.active !== null || !this.strokes.length) return;
    this.strokes.pop();
    this.redraw();
    this.refreshButtons();
    this.onChange('edit');
  }

  clear() {
    if (this.active !== null) return;
    this.strokes = [];
    this.redraw();
    this.refreshButtons();
    this.onChange('edit');
  }

  refreshButtons() {
    this.undoBtn.disabled = this.strokes.length === 0;
    this.clearBtn.disabled = this.strokes.length === 0;
  }

  isEmpty() {
    return this.strokes.length === 0;
  }

  // The RGBA pixels of the pad (its alpha is the ink).
  pixels() {
    return this.ctx.getImageData(0, 0, PAD_SIZE, PAD_SIZE).data;
  }
}

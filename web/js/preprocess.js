// preprocess.js — turn a drawing into what the network was trained on: a
// 28×28 MNIST-style image. Pure (no DOM), so it can be tested anywhere.
//
// MNIST digits were made this way (LeCun et al.): the black-and-white NIST
// digit was scaled to fit a 20×20 box keeping its aspect ratio, with
// anti-aliasing giving grey levels, then placed in a 28×28 field so that its
// centre of mass sits at the centre. Doing the same to the drawing matters
// more than anything else for recognition: an MLP has no notion of
// translation or scale, it only ever saw digits framed like this.

export const SIZE = 28; // the field
export const BOX = 20;  // the longer side of the digit inside it

// The ink's bounding box { x0, y0, x1, y1 } (x1, y1 exclusive), or null
// when nothing is above `threshold`. ink is (h, w) row-major, 0..255.
export function inkBounds(ink, w, h, threshold = 0) {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (ink[row + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

// How much of source pixel i (spanning [i*s, (i+1)*s) in destination units)
// falls in each destination pixel: a list of [dest, weight] pairs.
function coverage(n, s, m) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const a = i * s;
    const b = a + s;
    const parts = [];
    for (let d = Math.floor(a); d < Math.min(m, Math.ceil(b)); d++) {
      const w = Math.min(b, d + 1) - Math.max(a, d);
      if (w > 0) parts.push(d, w);
    }
    out.push(parts);
  }
  return out;
}

// Area-average resampling of the (bh, bw) crop starting at (y0, x0) of ink to
// (oh, ow) pixels with scale s: every destination pixel gets the ink that
// falls in it, weighted by the area it covers — the anti-aliased grey levels.
function resample(ink, w, box, s, ow, oh) {
  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  const cx = coverage(bw, s, ow);
  const cy = coverage(bh, s, oh);
  const tmp = new Float32Array(bh * ow); // horizontal pass: (bh, ow)
  for (let y = 0; y < bh; y++) {
    const src = (box.y0 + y) * w + box.x0;
    const dst = y * ow;
    for (let x = 0; x < bw; x++) {
      const v = ink[src + x];
      if (!v) continue;
      const c = cx[x];
      for (let k = 0; k < c.length; k += 2) tmp[dst + c[k]] += v * c[k + 1];
    }
  }
  const out = new Float32Array(oh * ow); // vertical pass: (oh, ow)
  for (let y = 0; y < bh; y++) {
    const c = cy[y];
    for (let k = 0; k < c.length; k += 2) {
      const dst = c[k] * ow;
      const wgt = c[k + 1];
      for (let x = 0; x < ow; x++) out[dst + x] += tmp[y * ow + x] * wgt;
    }
  }
  return out;
}

// ink: (h, w) values 0..255 (e.g. the alpha channel of the pad). Returns a
// Float32Array(784) in [0, 1], white digit on black as in MNIST, or null when
// there is no ink.
export function toMnist(ink, w, h) {
  const box = inkBounds(ink, w, h);
  if (!box) return null;
  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  const s = BOX / Math.max(bw, bh);
  const ow = Math.max(1, Math.ceil(bw * s - 1e-6));
  const oh = Math.max(1, Math.ceil(bh * s - 1e-6));
  const small = resample(ink, w, box, s, ow, oh);

  // Stretch so the darkest pixel is full ink: MNIST strokes reach 255 at
  // their core, a big drawing with a relatively thin pen would otherwise come
  // out grey.
  let max = 0;
  for (const v of small) if (v > max) max = v;
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const v = (small[y * ow + x] /= max);
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  // Whole-pixel shift that brings the centre of mass to the field's centre
  // (as MNIST did; a fractional shift would blur the digit).
  const dx = Math.round(SIZE / 2 - mx / mass);
  const dy = Math.round(SIZE / 2 - my / mass);
  const out = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < oh; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= SIZE) continue;
    for (let x = 0; x < ow; x++) {
      const tx = x + dx;
      if (tx >= 0 && tx < SIZE) out[ty * SIZE + tx] = Math.min(1, small[y * ow + x]);
    }
  }
  return out;
}

// The alpha channel of RGBA pixels (ImageData.data) as ink.
export function alphaOf(rgba) {
  const n = rgba.length >> 2;
  const ink = new Uint8Array(n);
  for (let i = 0; i < n; i++) ink[i] = rgba[4 * i + 3];
  return ink;
}

// ui/images.js — small images on canvases: grey digits (white on black, as
// MNIST stores them), weight maps in a diverging palette (blue negative,
// white zero, red positive), and mosaics of tiles on one canvas (weights,
// feature maps, filters). The canvases are tiny (28×28) and scaled up by
// CSS with image-rendering: pixelated.

// values (w*h): uint8 0..255, or floats 0..1 when `unit` is 1.
export function drawGrey(canvas, values, w, h, offset = 0, unit = 255) {
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const px = img.data;
  const k = 255 / unit;
  for (let p = 0; p < w * h; p++) {
    const v = values[offset + p] * k;
    px[4 * p] = v;
    px[4 * p + 1] = v;
    px[4 * p + 2] = v;
    px[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

export function clearCanvas(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}

// Ends of the diverging palette (ColorBrewer RdBu).
const NEG = [33, 102, 172];
const POS = [178, 24, 43];
const GAP_RGB = [214, 219, 228];

// rgb = the diverging colour of t in [-1, 1]: blue, white at 0, red.
export function diverging(t, rgb) {
  const end = t < 0 ? NEG : POS;
  const a = Math.min(1, Math.abs(t));
  rgb[0] = 255 + (end[0] - 255) * a;
  rgb[1] = 255 + (end[1] - 255) * a;
  rgb[2] = 255 + (end[2] - 255) * a;
}

// CSS colour of t in [-1, 1], for legends.
export function divergingCss(t) {
  const rgb = [0, 0, 0];
  diverging(t, rgb);
  return `rgb(${rgb.map(Math.round).join(', ')})`;
}

// Pixels per value for tiles of h × w values to be about `px` pixels a side.
export const tileScale = (h, w, px) => Math.max(1, Math.round(px / Math.max(h, w)));

// n tiles of tw × th values on one canvas, `cols` tiles per row with `gap`
// grey pixels (gapRgb) between them, each value a scale × scale block of pixels (so
// the gaps stay thin however large the tiles are drawn); colour(tile, i, rgb)
// writes into rgb the colour of value i (row-major) of a tile, tile after
// tile. One canvas for all tiles: a hundred small canvases cost the browser
// far more to paint on every frame of a training run.
export function drawTiles(canvas, { n, tw, th, cols, gap, scale = 1, gapRgb = GAP_RGB }, colour) {
  const rows = Math.ceil(n / cols);
  const pw = tw * scale;
  const ph = th * scale;
  const w = cols * (pw + gap) - gap;
  const h = rows * (ph + gap) - gap;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const px = img.data;
  for (let o = 0; o < px.length; o += 4) {
    px[o] = gapRgb[0];
    px[o + 1] = gapRgb[1];
    px[o + 2] = gapRgb[2];
    px[o + 3] = 255;
  }
  const rgb = [0, 0, 0];
  for (let tile = 0; tile < n; tile++) {
    const x0 = (tile % cols) * (pw + gap);
    const y0 = Math.floor(tile / cols) * (ph + gap);
    for (let i = 0; i < tw * th; i++) {
      colour(tile, i, rgb);
      const top = y0 + Math.floor(i / tw) * scale;
      const left = x0 + (i % tw) * scale;
      for (let dy = 0; dy < scale; dy++) {
        for (let o = 4 * ((top + dy) * w + left), end = o + 4 * scale; o < end; o += 4) {
          px[o] = rgb[0];
          px[o + 1] = rgb[1];
          px[o + 2] = rgb[2];
        }
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  return { w, h, rows };
}

// The tile under a pointer event on a canvas drawn by drawTiles (layout: its
// n, cols, tw, th, gap, scale), or -1 beyond the tiles.
export function tileAt(canvas, { n, cols, tw, th, gap, scale = 1 }, e) {
  const r = canvas.getBoundingClientRect();
  const x = Math.floor(((e.clientX - r.left) / r.width) * canvas.width / (tw * scale + gap));
  const y = Math.floor(((e.clientY - r.top) / r.height) * canvas.height / (th * scale + gap));
  const j = y * cols + x;
  return x >= 0 && y >= 0 && x < cols && j < n ? j : -1;
}

// The first n columns of kernel (inputs, units), each drawn as a side×side
// tile scaled by its own largest |weight| (so every unit uses the whole
// palette). The grey gaps stay apart from a tile's border pixels (never ink
// in MNIST, so near white).
export function drawWeightMosaic(canvas, kernel, inputs, units, n, side, cols, gap) {
  let max = 0;
  return drawTiles(canvas, { n, tw: side, th: side, cols, gap }, (u, i, rgb) => {
    if (i === 0) {
      max = 1e-12;
      for (let k = 0; k < inputs; k++) max = Math.max(max, Math.abs(kernel[k * units + u]));
    }
    diverging(kernel[i * units + u] / max, rgb);
  });
}

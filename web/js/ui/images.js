// ui/images.js — small images on canvases: grey digits (white on black, as
// MNIST stores them) and weight maps in a diverging palette (blue negative,
// white zero, red positive). The canvases are tiny (28×28) and scaled up by
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

// The first n columns of kernel (inputs, units), each drawn as a side×side
// tile scaled by its own largest |weight| (so every unit uses the whole
// palette), in a mosaic of `cols` tiles per row with `gap` grey pixels
// between them. One canvas for all units: a hundred small canvases cost the
// browser far more to paint on every frame of a training run.
export function drawWeightMosaic(canvas, kernel, inputs, units, n, side, cols, gap) {
  const rows = Math.ceil(n / cols);
  const w = cols * (side + gap) - gap;
  const h = rows * (side + gap) - gap;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const px = img.data;
  // Grey gaps: a tile's border pixels (never ink in MNIST) stay near white.
  for (let o = 0; o < px.length; o += 4) {
    px[o] = 214;
    px[o + 1] = 219;
    px[o + 2] = 228;
    px[o + 3] = 255;
  }
  for (let u = 0; u < n; u++) {
    let max = 1e-12;
    for (let i = 0; i < inputs; i++) max = Math.max(max, Math.abs(kernel[i * units + u]));
    const x0 = (u % cols) * (side + gap);
    const y0 = Math.floor(u / cols) * (side + gap);
    for (let i = 0; i < inputs; i++) {
      const t = kernel[i * units + u] / max;
      const end = t < 0 ? NEG : POS;
      const a = Math.min(1, Math.abs(t));
      const o = 4 * ((y0 + Math.floor(i / side)) * w + x0 + (i % side));
      px[o] = 255 + (end[0] - 255) * a;
      px[o + 1] = 255 + (end[1] - 255) * a;
      px[o + 2] = 255 + (end[2] - 255) * a;
    }
  }
  ctx.putImageData(img, 0, 0);
  return { w, h, rows };
}

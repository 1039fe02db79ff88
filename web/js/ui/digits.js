// ui/digits.js — a row of test images with the model's prediction under each
// (green when right, red when wrong) and its probability.

import { setI18n } from '../i18n.js';

// The card's "Other images" button: onMore() asks for other ones; it works
// while enabled.
export function wireOtherImages(onMore) {
  document.getElementById('btn-predict').addEventListener('click', onMore);
}

export function enableOtherImages(on) {
  document.getElementById('btn-predict').disabled = !on;
}

// rows × cols images (28 × 28 for MNIST; the user's data may differ).
export function showDigits({ probs, pixels, labels, rows = 28, cols = 28 }) {
  const root = document.getElementById('digits');
  root.innerHTML = '';
  const n = labels.length;
  const classes = probs.length / n;
  const size = rows * cols;
  for (let i = 0; i < n; i++) {
    const canvas = document.createElement('canvas');
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(cols, rows);
    const px = img.data;
    for (let p = 0; p < size; p++) {
      const v = pixels[i * size + p];
      px[4 * p] = v;
      px[4 * p + 1] = v;
      px[4 * p + 2] = v;
      px[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    const cell = document.createElement('div');
    cell.className = `digit ${best === labels[i] ? 'right' : 'wrong'}`;
    const pred = document.createElement('div');
    pred.className = 'pred';
    pred.textContent = String(best);
    const prob = document.createElement('div');
    prob.className = 'prob';
    prob.textContent = `${(probs[i * classes + best] * 100).toFixed(1)}%`;
    const truth = document.createElement('div');
    truth.className = 'prob';
    setI18n(truth, 'predict.label', { y: labels[i] });
    cell.append(canvas, pred, prob, truth);
    root.append(cell);
  }
}

// ui/bars.js — one horizontal bar per class with its probability; the top
// guess stands out, and the true class (when known) is marked.

export class ProbBars {
  constructor(root) {
    this.root = root;
    this.rows = [];
    this.probs = null;
  }

  ensure(k) {
    if (this.rows.length === k) return;
    this.root.textContent = '';
    this.rows = [];
    for (let c = 0; c < k; c++) {
      const row = document.createElement('div');
      row.className = 'bar-row';
      row.dataset.class = String(c);
      const digit = document.createElement('span');
      digit.className = 'bar-digit';
      digit.textContent = String(c);
      const track = document.createElement('div');
      track.className = 'bar-track';
      const fill = document.createElement('div');
      fill.className = 'bar-fill';
      track.append(fill);
      const pct = document.createElement('span');
      pct.className = 'bar-pct';
      row.append(digit, track, pct);
      this.root.append(row);
      this.rows.push({ row, fill, pct });
    }
  }

  // probs: k probabilities (or null to empty the bars); truth: the true class or -1.
  render(probs, k = 10, truth = -1) {
    this.ensure(probs ? probs.length : k);
    this.probs = probs ? Array.from(probs) : null;
    let best = -1;
    if (probs) for (let c = 0; c < probs.length; c++) if (best < 0 || probs[c] > probs[best]) best = c;
    this.rows.forEach(({ row, fill, pct }, c) => {
      const p = probs ? probs[c] : 0;
      fill.style.width = `${(Math.max(0, Math.min(1, p)) * 100).toFixed(1)}%`;
      pct.textContent = probs ? formatPct(p) : '';
      row.classList.toggle('top', c === best);
      row.classList.toggle('truth', c === truth);
    });
    return best;
  }
}

export function formatPct(p) {
  const v = p * 100;
  if (v >= 99.95) return '100%';
  if (v < 0.05) return v > 0 ? '<0.1%' : '0%';
  return `${v.toFixed(1)}%`;
}

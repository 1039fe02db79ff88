// metrics.js — what the explorer and the confusion matrix show, computed from
// the model's probabilities for the test set. Pure: no DOM.
//
// The predicted class is the first largest probability, as the C core's
// accuracy counts it, so trace / total here equals evaluate()'s accuracy.

// preds(n) = argmax of each row of probs(n, k).
export function argmaxRows(probs, n, k) {
  const preds = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    preds[i] = best;
  }
  return preds;
}

// counts(k, k): row = true class, column = predicted class.
export function confusion(labels, preds, k) {
  const counts = new Int32Array(k * k);
  for (let i = 0; i < labels.length; i++) counts[labels[i] * k + preds[i]]++;
  return counts;
}

// { total, correct, accuracy, perClass: [{ n, correct, accuracy }] } of a confusion matrix.
export function summarize(counts, k) {
  let total = 0, correct = 0;
  const perClass = [];
  for (let r = 0; r < k; r++) {
    let n = 0;
    for (let c = 0; c < k; c++) n += counts[r * k + c];
    const ok = counts[r * k + r];
    perClass.push({ n, correct: ok, accuracy: n ? ok / n : NaN });
    total += n;
    correct += ok;
  }
  return { total, correct, accuracy: total ? correct / total : NaN, perClass };
}

// Indices i with labels[i] / preds[i] matching a filter:
//   { wrongOnly, trueClass (-1 any), predClass (-1 any) }.
export function select(labels, preds, { wrongOnly = false, trueClass = -1, predClass = -1 } = {}) {
  const out = [];
  for (let i = 0; i < labels.length; i++) {
    if (wrongOnly && labels[i] === preds[i]) continue;
    if (trueClass >= 0 && labels[i] !== trueClass) continue;
    if (predClass >= 0 && preds[i] !== predClass) continue;
    out.push(i);
  }
  return out;
}

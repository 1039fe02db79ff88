// notebook.js — the page's setup as a Jupyter notebook (nbformat 4.5), so a
// student takes the same experiment to Python: Keras 3 code for loading MNIST,
// the model, compile, fit (model_config.js's kerasParts, the code the page
// shows) and the history plot, with a short heading in the page's language
// before each step. No DOM: tests/node/notebook.test.mjs imports it.

import { kerasParts } from './model_config.js';
import { runName } from './runs.js';

// The history plot: Keras's History.history has one value per epoch, epoch 1 first.
const PLOT = [
  'import matplotlib.pyplot as plt',
  '',
  'epochs = range(1, len(history.history["loss"]) + 1)',
  'fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))',
  'for ax, metric in ((ax_loss, "loss"), (ax_acc, "accuracy")):',
  '    ax.plot(epochs, history.history[metric], "o-", label=metric)',
  '    if "val_" + metric in history.history:',
  '        ax.plot(epochs, history.history["val_" + metric], "o--", label="val_" + metric)',
  '    ax.set_xlabel("epoch")',
  '    ax.set_title(metric)',
  '    ax.legend()',
  'plt.show()',
];
const EVALUATE = ['test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)', 'print(f"test accuracy: {test_accuracy:.4f}")'];

// nbformat keeps a cell's text as lines that end in "\n" (the last one not).
const source = (lines) => lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));

function cell(type, lines, n) {
  const c = { cell_type: type, id: `nnlab-${n}`, metadata: {}, source: source(lines) };
  return type === 'code' ? { ...c, execution_count: null, outputs: [] } : c;
}

// The notebook (an object) of setup c; t is i18n's t, for the headings.
export function notebook(c, t) {
  const p = kerasParts(c);
  const steps = [
    ['markdown', [`# ${t('nb.title', { name: runName(c, c.epochs, t) })}`, '', t('nb.intro')]],
    ['markdown', [`## ${t('nb.data')}`, '', t('nb.dataText')]],
    ['code', p.data],
    ['markdown', [`## ${t('nb.model')}`]],
    ['code', p.model],
    ['markdown', [`## ${t('nb.train')}`, '', t('nb.trainText')]],
    ['code', [...p.compile, ...p.fit]],
    ['markdown', [`## ${t('nb.history')}`, '', t('nb.historyText')]],
    ['code', [...PLOT, '', ...EVALUATE]],
  ];
  return {
    cells: steps.map(([type, lines], i) => cell(type, lines, i + 1)),
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export const notebookJson = (c, t) => `${JSON.stringify(notebook(c, t), null, 1)}\n`;

// The notebook's Python, all code cells in order (what running it runs).
export const notebookCode = (nb) => nb.cells.filter((x) => x.cell_type === 'code').map((x) => x.source.join('')).join('\n\n');

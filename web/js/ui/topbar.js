// ui/topbar.js — the page's top bar: the language buttons and the pill that
// says which WebAssembly kernel trains.

import { getLang, onLangChange, setI18n, setLang } from '../i18n.js';

export function initLanguageButtons() {
  const buttons = document.querySelectorAll('[data-lang]');
  buttons.forEach((b) => b.addEventListener('click', () => setLang(b.dataset.lang)));
  onLangChange(() => buttons.forEach((b) => b.classList.toggle('active', b.dataset.lang === getLang())));
}

// kernel: the worker's GEMM kernel name ('wasmsimd' or a scalar one).
export function showKernel(kernel) {
  const pill = document.getElementById('kernel-pill');
  pill.hidden = false;
  setI18n(pill, kernel === 'wasmsimd' ? 'app.kernelSimd' : 'app.kernelScalar');
}

// ui/threads_view.js — how many threads train: the selector in the Training
// card (1 … the cores the threads module may use, remembered) and the pill at
// the top that says what runs ("WebAssembly SIMD · 2 threads"). With the
// single-thread module the selector shows 1 and says why.

import { onLangChange, setI18n, t } from '../i18n.js';
import { errorText } from '../reasons.js';

const STORE_KEY = 'nnlab.threads';

export class ThreadsView {
  // onPick(n) → a promise of the worker's thread info
  constructor(onPick) {
    this.select = document.getElementById('threads');
    this.note = document.getElementById('threads-note');
    this.pill = document.getElementById('kernel-pill');
    this.onPick = onPick;
    this.info = null;
    this.select.addEventListener('change', () => this.pick(Number(this.select.value)));
    onLangChange(() => this.info && this.show(this.info, this.kernel));
  }

  // The number remembered from an earlier visit, if this machine allows it.
  remembered(max) {
    let n = NaN;
    try {
      n = Number(localStorage.getItem(STORE_KEY));
    } catch {
      // no storage
    }
    return Number.isInteger(n) && n >= 1 && n <= max ? n : null;
  }

  // info: the worker's { module, count, max, reason }; kernel: its GEMM kernel's name.
  async start(info, kernel) {
    this.kernel = kernel;
    const want = this.remembered(info.max);
    this.show(info, kernel);
    if (want && want !== info.count) await this.pick(want, false);
  }

  async pick(n, remember = true) {
    try {
      this.show(await this.onPick(n), this.kernel);
      if (remember) localStorage.setItem(STORE_KEY, String(n));
    } catch (e) {
      this.note.hidden = false;
      setI18n(this.note, 'threads.failed', { message: errorText(e) });
      if (this.info) this.select.value = String(this.info.count);
    }
  }

  show(info, kernel) {
    this.info = info;
    const n = info.count;
    this.select.replaceChildren(...Array.from({ length: info.max }, (_, i) => new Option(String(i + 1), String(i + 1))));
    this.select.value = String(n);
    this.select.disabled = info.max <= 1;
    this.select.title = t('threads.title', { cores: navigator.hardwareConcurrency || 1 });
    this.note.hidden = !info.reason;
    if (info.reason) setI18n(this.note, `threads.${info.reason}`);
    const simd = kernel === 'wasmsimd';
    this.pill.hidden = false;
    if (n === 1) setI18n(this.pill, simd ? 'threads.pillSimdOne' : 'threads.pillScalarOne');
    else setI18n(this.pill, simd ? 'threads.pillSimd' : 'threads.pillScalar', { n });
    this.pill.dataset.threads = String(n);
  }
}

// ui/pretrained_chooser.js — "Pretrained model: MLP | CNN" in the drawing
// card: which of the shipped models answers the pad. The button of the
// model in use is lit; a model the site does not have has no button, and
// with fewer than two there is nothing to choose, so the group hides.

export class PretrainedChooser {
  // choose(id): load pretrained model `id` as the current model.
  constructor({ choose }) {
    this.root = document.getElementById('pretrained-choice');
    this.buttons = [...this.root.querySelectorAll('[data-pretrained]')];
    for (const b of this.buttons) b.addEventListener('click', () => choose(b.dataset.pretrained));
  }

  // available: id → whether the site has it; active: the id in use or null;
  // enabled: a model may be loaded now (the worker is ready, no fit runs).
  set({ available, active, enabled }) {
    let shown = 0;
    for (const b of this.buttons) {
      const id = b.dataset.pretrained;
      b.hidden = !available[id];
      shown += !b.hidden;
      b.disabled = !enabled;
      b.classList.toggle('active', id === active);
      b.setAttribute('aria-pressed', String(id === active));
    }
    this.root.hidden = shown < 2;
  }
}

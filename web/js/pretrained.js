// pretrained.js — the trained models the site ships in assets/ (made by
// scripts/make_pretrained.sh with our CLI): which exist, their files fetched
// on first use and kept, and the accuracy their .json records. No DOM.

// id → the model file and the record of how it was made.
export const PRETRAINED = {
  mlp: { file: 'pretrained-mlp.nnl', info: 'pretrained-mlp.json' },
  cnn: { file: 'pretrained-cnn.nnl', info: 'pretrained-cnn.json' },
};
export const PRETRAINED_IDS = Object.keys(PRETRAINED);

export class Pretrained {
  // base: the URL of the assets/ folder.
  constructor(base) {
    this.base = base;
    this.found = {}; // id → true (there), false (missing); absent: not asked yet
    this.got = {};   // id → { bytes, info } once fetched
  }

  // Which models the site has: one HEAD request each, so the page knows what
  // to offer without downloading what it may never use.
  async probe() {
    await Promise.all(PRETRAINED_IDS.map(async (id) => {
      try {
        const r = await fetch(new URL(PRETRAINED[id].file, this.base), { method: 'HEAD' });
        this.found[id] = r.ok;
      } catch {
        this.found[id] = false;
      }
    }));
    return { ...this.found };
  }

  has(id) {
    return !!this.found[id];
  }

  // The model's accuracy on the test set as recorded (a fraction), or null.
  accuracy(id) {
    const info = this.got[id] && this.got[id].info;
    return info && Number.isFinite(info.val_accuracy) ? info.val_accuracy : null;
  }

  // { bytes (a copy, free to transfer), info } of model `id`, or null when
  // the site does not have it.
  async get(id) {
    const spec = PRETRAINED[id];
    if (!spec) return null;
    if (!this.got[id]) {
      try {
        const [bin, info] = await Promise.all([fetch(new URL(spec.file, this.base)), fetch(new URL(spec.info, this.base))]);
        this.found[id] = bin.ok;
        if (!bin.ok) return null;
        this.got[id] = { bytes: await bin.arrayBuffer(), info: info.ok ? await info.json().catch(() => ({})) : {} };
      } catch {
        this.found[id] = false;
        return null;
      }
    }
    return { bytes: this.got[id].bytes.slice(0), info: this.got[id].info };
  }

  fileOf(id) {
    return PRETRAINED[id] ? PRETRAINED[id].file : '';
  }
}

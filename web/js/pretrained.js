// pretrained.js — the trained models the site ships in assets/ (made by
// scripts/make_pretrained.sh with our CLI): which exist (assets/manifest.json,
// written by scripts/build_web.sh, lists the files, so the page never asks
// for one that is not there), their files fetched on first use and kept, and
// the accuracy their .json records. No DOM.

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
    this.files = [];  // the files assets/ has
    this.found = {};  // id → whether the site has that model
    this.got = {};    // id → { bytes, info } once fetched
  }

  // Which models the site has, from its list of files: the page knows what
  // to offer without downloading what it may never use.
  // A site without the list (not assembled by build_web.sh) is asked for
  // the MLP's files only, as the page did before there was a choice.
  async probe() {
    let files = null;
    try {
      const r = await fetch(new URL('manifest.json', this.base));
      if (r.ok) files = await r.json();
    } catch {
      // no list
    }
    this.files = Array.isArray(files) ? files : Object.values(PRETRAINED.mlp);
    for (const id of PRETRAINED_IDS) this.found[id] = this.files.includes(PRETRAINED[id].file);
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
    if (!spec || !this.found[id]) return null;
    if (!this.got[id]) {
      try {
        const [bin, info] = await Promise.all([
          fetch(new URL(spec.file, this.base)),
          this.files.includes(spec.info) ? fetch(new URL(spec.info, this.base)) : null,
        ]);
        this.found[id] = bin.ok;
        if (!bin.ok) return null;
        this.got[id] = { bytes: await bin.arrayBuffer(), info: info && info.ok ? await info.json().catch(() => ({})) : {} };
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

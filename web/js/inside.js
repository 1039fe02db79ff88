// inside.js — "see inside" a network: the feature maps of one image (the
// digit on the pad, or a test image clicked in the explorer) and the first
// Conv2D layer's filters. They follow the pad as it is drawn on, a new model
// at once, and the model as it trains about once a second (the last state of
// a burst of steps is always shown). One request to the worker at a time:
// the maps and then, when due, the filters, in one coalesced job.
//
// Like lab.js it holds state and wires things; ui/feature_maps.js and
// ui/filters.js draw, and the bridge is the only way to the worker.

import { coalesced } from './coalesced.js';
import { FeatureMapsView } from './ui/feature_maps.js';
import { FiltersView } from './ui/filters.js';

const LIVE_MS = 1000; // while training, the maps and filters refresh this often

const same = (a, b) => a === b || (!!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]));

export class Inside {
  // app: { state(): the page's state (dataReady, hasModel) }
  constructor({ bridge, app }) {
    this.bridge = bridge;
    this.app = app;
    this.padX = null;      // the pad's 28×28 input, or null when it is empty
    this.usePad = false;   // the maps are of the pad (else of test image this.test)
    this.test = 0;         // the test image shown when the pad is not (0: a 7 in MNIST)
    this.filtersDue = true;
    this.hasConv = null;   // whether the model has a Conv2D layer (null: not known yet)
    this.inputSize = 0;    // values per image the model takes (the pad gives 784)
    this.shown = null;     // what the maps show: { kind: 'pad' } | { kind: 'test', index, label }
    this.counts = { maps: 0, filters: 0 };
    this.lastLive = 0;
    this.liveTimer = 0;

    this.maps = new FeatureMapsView({
      onTestImage: (i) => {
        this.test = i;
        this.usePad = false;
        this.refresh(false);
      },
      onUsePad: () => {
        this.usePad = true;
        this.refresh(false);
      },
    });
    this.filters = new FiltersView();
    this.refreshNow = coalesced(() => this.refreshJob());
    bridge.on('progress', () => this.live());
    bridge.on('done', () => this.refresh(true));
  }

  // A new current model (or the same one after a fit): the worker's description.
  modelShown(model) {
    this.hasConv = null;
    this.inputSize = model.info.inputSize;
    this.refresh(true);
  }

  // The pad's input changed (x: 784 floats, or null when it was cleared).
  padChanged(x) {
    if (same(x, this.padX)) return;
    this.padX = x && Float32Array.from(x);
    this.usePad = !!x;
    this.refresh(false);
  }

  dataLoaded() {
    this.refresh(false);
  }

  // While training: now if the last refresh is a second old, else once that
  // second is over (so the state after a last step is shown too).
  live() {
    if (this.liveTimer) return;
    const wait = Math.max(0, this.lastLive + LIVE_MS - performance.now());
    this.liveTimer = setTimeout(() => {
      this.liveTimer = 0;
      this.lastLive = performance.now();
      this.refresh(true);
    }, wait);
  }

  // withFilters: the weights may have changed, so the filters are drawn again too.
  refresh(withFilters) {
    if (withFilters) this.filtersDue = true;
    this.refreshNow();
  }

  async refreshJob() {
    const s = this.app.state();
    if (!s.hasModel) return;
    try {
      await this.mapsNow(s);
      if (this.filtersDue) {
        this.filtersDue = false;
        await this.filtersNow();
      }
    } catch {
      // The model changed under the request (a rebuild, a load): the next change asks again.
    }
  }

  async mapsNow(s) {
    // (A model for other data than 28×28 images cannot read the pad.)
    const pad = this.usePad && this.padX && this.padX.length === this.inputSize;
    if (!pad && !s.dataReady) {
      this.maps.showNote('inside.mapsDraw');
      this.maps.showSource(null);
      return;
    }
    const r = await (pad ? this.bridge.featureMaps(Float32Array.from(this.padX)) : this.bridge.featureMaps(undefined, this.test));
    this.shown = pad ? { kind: 'pad' } : { kind: 'test', index: this.test, label: r.label };
    this.counts.maps++;
    if (!r.layers.length) {
      this.maps.showNote('inside.mapsNeedConv');
      this.maps.showSource(null);
      return;
    }
    this.maps.show(r);
    this.maps.showSource(this.shown, !!this.padX);
  }

  async filtersNow() {
    const f = await this.bridge.filters();
    this.counts.filters++;
    this.hasConv = f.layer >= 0;
    if (this.hasConv) this.filters.show(f);
    else this.filters.showNote('inside.filtersNeedConv');
  }

  // What the browser tests read (no behaviour of their own).
  snapshot() {
    return {
      counts: { ...this.counts }, busy: this.refreshNow.busy() || !!this.liveTimer, shown: this.shown,
      hasConv: this.hasConv,
    };
  }
}

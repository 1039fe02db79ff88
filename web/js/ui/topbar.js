// ui/topbar.js — the page's top bar: the language buttons, the projector-mode
// toggle, and the skip link before it (the first Tab stop, to the training
// controls). The pill that says what trains is ui/threads_view.js's.

import { getLang, onLangChange, setLang } from '../i18n.js';

const PROJECTOR_KEY = 'nnlab.projector';
// Chart.js draws its labels on a canvas, out of reach of CSS: in projector
// mode their size in pixels and colour, as Chart.defaults has them (ui/charts.js
// sets the normal ones, which are kept to go back to).
const CHART_PROJECTOR = { size: 18, color: '#262c38' };
let chartNormal = null;

export function initLanguageButtons() {
  const buttons = document.querySelectorAll('[data-lang]');
  buttons.forEach((b) => b.addEventListener('click', () => setLang(b.dataset.lang)));
  onLangChange(() => buttons.forEach((b) => {
    const on = b.dataset.lang === getLang();
    b.classList.toggle('active', on);
    b.setAttribute('aria-pressed', String(on));
  }));
}

// Projector mode: html.projector (access.css: 21 px type, high contrast, large
// charts and pad), remembered in localStorage. Call it once the charts exist:
// it enlarges their labels too.
export function initProjector() {
  const button = document.getElementById('projector-toggle');
  const set = (on) => {
    document.documentElement.classList.toggle('projector', on);
    button.setAttribute('aria-pressed', String(on));
    chartFonts(on);
  };
  set(load(PROJECTOR_KEY) === '1');
  button.addEventListener('click', () => {
    const on = !document.documentElement.classList.contains('projector');
    save(PROJECTOR_KEY, on ? '1' : '0');
    set(on);
  });
}

function chartFonts(projector) {
  const Chart = window.Chart;
  if (!Chart) return;
  if (!chartNormal) chartNormal = { size: Chart.defaults.font.size, color: Chart.defaults.color };
  const want = projector ? CHART_PROJECTOR : chartNormal;
  if (Chart.defaults.font.size === want.size && Chart.defaults.color === want.color) return;
  Chart.defaults.font.size = want.size;
  Chart.defaults.color = want.color;
  // update() resolves the options again, defaults included; the canvases follow
  // their boxes' new size by themselves (responsive charts).
  for (const chart of Object.values(Chart.instances)) chart.update('none');
}

// The skip link moves the focus to the training controls: Start, or while a
// run trains Pause (the first button of the bar that works), else the card
// itself. It does not touch location.hash, which holds the shared setup.
export function initSkipLink() {
  const link = document.getElementById('skip-link');
  link.addEventListener('click', (e) => {
    const target = document.getElementById(link.getAttribute('href').slice(1));
    if (!target) return;
    e.preventDefault();
    (target.querySelector('.train-bar button:not(:disabled)') || target).focus();
  });
}

function load(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // no storage: the mode is not remembered
  }
}

function save(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not remembered, still switched
  }
}

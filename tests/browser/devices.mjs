// devices.mjs — for layout.test.mjs and a11y.test.mjs: the page opened as a
// phone or a tablet would open it, strokes drawn with real touch input, the
// horizontal overflow of a page, and axe-core run inside the page.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { appReady, testUrl } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const AXE_PATH = path.join(repo, 'node_modules/axe-core/axe.min.js');

// A phone (isMobile: a layout viewport that grows when the page is too wide,
// as a phone's browser zooms out) and a tablet, both with touch.
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
export const TABLET = { viewport: { width: 768, height: 1024 }, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

// A fresh page (own storage) on `device`, MNIST loaded and a model built, as
// helpers.mjs openApp() opens it.
export async function openOn(browser, url, device, lang = 'en') {
  const context = await browser.newContext({ ...device, locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(testUrl(url));
  await appReady(page);
  return { page, context, errors };
}

// How the page is wider than `width` (the device's): the document's scroll
// width, the layout viewport (which a phone widens to fit the page), and the
// elements that reach past the right edge without a scroll box of their own
// (an ancestor whose overflow-x clips or scrolls) that stays inside it.
export function overflow(page, width) {
  return page.evaluate((w) => {
    const clipped = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return a.getBoundingClientRect().right <= w + 0.5;
      }
      return false;
    };
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right + window.scrollX <= w + 0.5 || clipped(el)) continue;
      wide.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string'
        ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} reaches ${Math.round(r.right + window.scrollX)} px`);
    }
    return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth, wide: wide.slice(0, 10) };
  }, width);
}

// A stroke on the pad with touch input (Chromium turns it into pointer events
// of type 'touch', as a finger's): points in the pad's 28×28 grid.
export async function touchStroke(page, points) {
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#pad').boundingBox();
  const at = ([x, y]) => ({ x: box.x + (x / 28) * box.width, y: box.y + (y / 28) * box.height, id: 1 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(points[0])] });
  for (const p of points.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(p)] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

// axe-core inside the page, under the page's own Content-Security-Policy:
// page.addScriptTag({ path }) inserts the file as an inline script, which the
// policy (script-src 'self') refuses, and bypassCSP would test a page that
// runs under no policy at all. So the script is served from the page's own
// origin: a route answers /__axe.min.js with the npm package's file.
export async function injectAxe(page) {
  if (!fs.existsSync(AXE_PATH)) throw new Error(`${AXE_PATH} is missing: run npm ci (axe-core is a devDependency)`);
  await page.route('**/__axe.min.js', (route) => route.fulfill({ path: AXE_PATH, contentType: 'text/javascript' }));
  await page.addScriptTag({ url: new URL('/__axe.min.js', page.url()).href });
}

// axe's violations of impact serious or critical, as readable lines.
export async function seriousViolations(page) {
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`));
  return violations;
}

// screenshots_lab.mjs — pictures of the drawing pad, the test-set explorer,
// the confusion matrix and the first-layer weights, for people to look at
// (not a test). Writes PNGs to the directory given as the first argument
// (default build/shots), named 5-*.png.
//
// Run: node tests/browser/screenshots_lab.mjs [DIR]   (after scripts/build_web.sh)

import fs from 'node:fs';
import path from 'node:path';

import { drawStrokes, launchBrowser, openApp, padSettled, settle, startServer, waitIdle } from './helpers.mjs';

const dir = path.resolve(process.argv[2] || 'build/shots');
fs.mkdirSync(dir, { recursive: true });

const shot = async (locator, name) => {
  const file = path.join(dir, `5-${name}.png`);
  await locator.scrollIntoViewIfNeeded();
  await locator.page().waitForTimeout(250); // bar transitions, lazy rendering of off-screen cards
  await locator.screenshot({ path: file });
  console.log(file);
};

// A handwritten-looking 3 (two arcs), in the pad's 28×28 grid.
const arc = (cx, cy, r, a0, a1, n = 14) => Array.from({ length: n + 1 }, (_, i) => {
  const a = a0 + ((a1 - a0) * i) / n;
  return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
});
const THREE = [
  arc(13.5, 9, 5.2, -2.6, 1.5),
  arc(13.5, 18.6, 5.8, -1.5, 2.5),
];

const server = await startServer();
const browser = await launchBrowser();
try {
  const { page, context } = await openApp(browser, server.url, { viewport: { width: 1366, height: 900 } });
  await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained' && window.nnlab.lab.counts.inspect > 0);
  await settle(page);
  await drawStrokes(page, THREE);
  await padSettled(page, 0);
  await shot(page.locator('#card-draw'), 'pad');

  // The explorer on the misclassified images, one of them opened.
  await page.check('#explore-wrong');
  const first = page.locator('#explore-grid .ex-cell:not([hidden])').nth(3);
  await first.click();
  await shot(page.locator('#card-explorer'), 'explorer');
  await shot(page.locator('#card-confusion'), 'confusion');
  await shot(page.locator('#card-weights'), 'weights-mlp');

  // Logistic regression, three epochs: its weights are the ten class templates.
  await page.click('[data-preset="logreg"]');
  await page.waitForFunction(() => window.nnlab.lab.source === 'untrained');
  await page.fill('#epochs', '3');
  await page.click('#btn-start');
  await waitIdle(page, 120000);
  await page.waitForFunction(() => !window.nnlab.lab.inspectBusy);
  await shot(page.locator('#card-weights'), 'weights-logreg');
  await page.click('[data-confusion-mode="rows"]');
  await shot(page.locator('#card-confusion'), 'confusion-logreg-rows');

  // The pad answered by the model just trained, in Chinese.
  await page.click('[data-lang="zh"]');
  await shot(page.locator('#card-draw'), 'pad-zh');
  await page.click('[data-lang="en"]');
  await page.waitForFunction(() => !document.body.classList.contains('nn-training'));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, '5-page.png'), fullPage: true });
  console.log(path.join(dir, '5-page.png'));
  await context.close();
} finally {
  await browser.close();
  server.close();
}

// screenshots.mjs — pictures of the page before, during and after training,
// for people to look at (not a test). Writes PNGs to the directory given as
// the first argument (default build/shots).
//
// Run: node tests/browser/screenshots.mjs [DIR]   (after scripts/build_web.sh)

import fs from 'node:fs';
import path from 'node:path';

import { launchBrowser, openApp, settle, startServer, waitIdle } from './helpers.mjs';

const dir = path.resolve(process.argv[2] || 'build/shots');
fs.mkdirSync(dir, { recursive: true });
const shot = async (page, name, fullPage = true) => {
  const file = path.join(dir, `${name}.png`);
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header would cover a scrolled full-page shot
  await page.screenshot({ path: file, fullPage });
  console.log(file);
};

const server = await startServer();
const browser = await launchBrowser();
try {
  const { page, context } = await openApp(browser, server.url);
  await settle(page);
  await shot(page, '1-before');

  // Run 1: logistic regression on all of MNIST, 3 epochs.
  await page.click('[data-preset="logreg"]');
  await page.fill('#epochs', '3');
  await page.waitForFunction(() => document.getElementById('summary').textContent.includes('7,850'));
  await page.click('#btn-start');
  await waitIdle(page, 120000);

  // Run 2: the MLP, watched mid-way and at the end, overlaid on run 1.
  await page.click('[data-preset="mlp"]');
  await page.waitForFunction(() => document.getElementById('summary').textContent.includes('79,510'));
  await page.click('#btn-start');
  await page.waitForFunction(() => (window.nnlab.progress?.totalSteps ?? 0) > 2500, null, { timeout: 120000 });
  await shot(page, '2-during', false);
  await waitIdle(page, 180000);
  await page.click('#btn-evaluate');
  await page.waitForSelector('#eval-line:not([hidden])');
  await page.waitForTimeout(500);
  await shot(page, '3-after');

  // The same page in Chinese, at a laptop size.
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.click('[data-lang="zh"]');
  await page.waitForTimeout(300);
  await shot(page, '4-after-zh-1366', false);

  // An invalid field and the confirm dialog.
  await page.click('[data-lang="en"]');
  await page.fill('#layers [data-index="0"] [name="units"]', '0');
  await page.fill('#lr', '-1');
  await shot(page, '5-invalid', false);
  await context.close();
} finally {
  await browser.close();
  server.close();
}

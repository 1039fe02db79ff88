// screenshots_inside.mjs — pictures of "see inside" for people to look at
// (not a test): the pretrained CNN answering a drawn 7, its feature maps and
// its filters, and what the two cards say for the pretrained MLP, in English
// and Chinese, on a desktop and a phone. Writes PNGs
// to the directory given as the first argument (default build/shots), named
// 6-*.png.
//
// The CNN is assets/pretrained-cnn.nnl when the repository has it, else a
// stand-in: Keras's mnist_convnet trained here by our CLI on 6000 images for
// one epoch (the second argument may name another model file).
//
// Run: node tests/browser/screenshots_inside.mjs [DIR] [CNN.nnl]   (after scripts/build_web.sh and the native CLI)

import fs from 'node:fs';
import path from 'node:path';

import { cannotRun, shippedCnn, siteCopy, trainCnn } from './cnn_site.mjs';
import { drawStrokes, launchBrowser, openApp, startServer } from './helpers.mjs';

const MNIST_CONVNET = 'conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax';
const dir = path.resolve(process.argv[2] || 'build/shots');
fs.mkdirSync(dir, { recursive: true });

const why = cannotRun();
if (why) {
  console.error(`screenshots_inside: ${why}`);
  process.exit(77);
}
const given = process.argv[3];
const standIn = given || (fs.existsSync(shippedCnn) ? null : trainCnn({ layers: MNIST_CONVNET, limit: 6000, epochs: 1 }));
const server = await startServer(siteCopy({ standIn }));
const browser = await launchBrowser();

// A 7 as people write it: a bar, then a long stroke down to the left.
const SEVEN = [[[7.5, 6.5], [20.5, 6], [17, 13], [13, 22]]];

// One picture of the cards `ids` together, clipped from the whole page (an
// element shot scrolls, and the sticky header of a phone would cover it).
async function shot(page, ids, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const all = await Promise.all(ids.map((id) => page.locator(id).boundingBox()));
  const x = Math.max(0, Math.min(...all.map((b) => b.x)) - 8);
  const y = Math.max(0, Math.min(...all.map((b) => b.y)) - 8);
  const right = Math.max(...all.map((b) => b.x + b.width)) + 8;
  const bottom = Math.max(...all.map((b) => b.y + b.height)) + 8;
  const file = path.join(dir, `6-${name}.png`);
  await page.screenshot({ path: file, fullPage: true, clip: { x, y, width: right - x, height: bottom - y } });
  console.log(file);
}

try {
  for (const [device, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const { page, context } = await openApp(browser, server.url, { viewport });
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained' && window.nnlab.lab.inside.hasConv === false);
    // The pretrained MLP first: its sentences instead of maps and filters.
    for (const lang of ['en', 'zh']) {
      await page.click(`[data-lang="${lang}"]`);
      await page.waitForTimeout(300);
      await shot(page, ['#card-maps', '#card-filters'], `dense-${device}-${lang}`);
    }
    await page.click('[data-lang="en"]');
    await page.click('[data-pretrained="cnn"]');
    await page.waitForFunction(() => window.nnlab.lab.pretrained === 'cnn' && window.nnlab.lab.inside.hasConv
      && !window.nnlab.lab.inspectBusy, null, { timeout: 120000 });
    const n = await page.evaluate(() => window.nnlab.lab.inside.counts.maps);
    await drawStrokes(page, SEVEN);
    await page.waitForFunction((k) => {
      const s = window.nnlab.lab;
      return s.inside.counts.maps > k && !s.inside.busy && !s.padBusy && s.inside.shown.kind === 'pad';
    }, n, { timeout: 60000 });
    for (const lang of ['en', 'zh']) {
      await page.click(`[data-lang="${lang}"]`);
      await page.waitForTimeout(300);
      await shot(page, ['#card-draw', '#card-maps', '#card-filters'], `inside-${device}-${lang}`);
      for (const card of ['maps', 'filters']) await shot(page, [`#card-${card}`], `${card}-${device}-${lang}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

// screenshots_classroom.mjs — the page as a class sees it, for people to look
// at (not a test): a desktop, a phone in English and in 简体中文, a tablet, and
// projector mode in both languages, each after a short training so that the
// charts, their numbers and the confusion matrix are filled in. Each shot is
// one screen, as the user sees it (the phone's training bar included), at the
// top of the page and at the cards named below. Writes PNGs to the directory
// given as the first argument (default build/shots/classroom).
//
// Chinese needs a CJK font on the machine (Debian: fonts-noto-cjk), else its
// characters are boxes.
//
// Run: node tests/browser/screenshots_classroom.mjs [DIR]   (after scripts/build_web.sh)

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { launchBrowser, startServer, testUrl, waitIdle } from './helpers.mjs';
import { DESKTOP, PHONE, TABLET, touchStroke } from './devices.mjs';

const dir = path.resolve(process.argv[2] || 'build/shots/classroom');
fs.mkdirSync(dir, { recursive: true });

try {
  if (!execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim()) {
    console.warn('screenshots_classroom: no CJK font (apt-get install fonts-noto-cjk): Chinese will show as boxes');
  }
} catch {
  // no fontconfig: nothing to say
}

const PROJECTOR = { viewport: { width: 1280, height: 720 } }; // a common classroom projector
const SHOTS = [
  { name: 'desktop-en', device: DESKTOP, lang: 'en', cards: ['#card-charts', '#card-confusion'], full: true },
  { name: 'phone-en', device: PHONE, lang: 'en', cards: ['#card-train', '#card-draw', '#card-charts', '#card-summary', '#card-confusion'] },
  { name: 'phone-zh', device: PHONE, lang: 'zh', cards: ['#card-train', '#card-charts', '#card-confusion'] },
  { name: 'tablet-en', device: TABLET, lang: 'en', cards: ['#card-draw', '#card-charts'] },
  { name: 'projector-en', device: PROJECTOR, lang: 'en', projector: true, cards: ['#card-draw', '#card-charts'] },
  { name: 'projector-zh', device: PROJECTOR, lang: 'zh', projector: true, cards: ['#card-charts', '#card-confusion'] },
];

const server = await startServer();
const browser = await launchBrowser();
try {
  for (const s of SHOTS) {
    const context = await browser.newContext({ ...s.device, locale: s.lang === 'zh' ? 'zh-CN' : 'en-US' });
    const page = await context.newPage();
    await page.goto(testUrl(server.url));
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady && window.nnlab.state.hasModel,
      null, { timeout: 60000 });
    if (s.projector) await page.click('#projector-toggle');
    // A small MLP run: 3 epochs of 6000 samples.
    await page.click('[data-preset="mlp"]');
    await page.fill('#trainLimit', '6000');
    await page.fill('#epochs', '3');
    await page.waitForFunction(() => !document.getElementById('btn-start').disabled);
    await page.click('#btn-start');
    await page.waitForFunction(() => window.nnlab.runs.length === 1 && window.nnlab.runs[0].status !== 'running',
      null, { timeout: 120000 });
    await waitIdle(page);
    await page.waitForFunction(() => document.querySelectorAll('#confusion button').length === 100);
    await page.click('.chart-numbers > summary');
    if (s.device.hasTouch) await touchStroke(page, [[9, 7], [19, 7], [19, 12], [11, 21]]); // a 7
    const shot = async (suffix, fullPage = false) => {
      await page.waitForTimeout(300); // the charts follow a resize on their next frame
      const file = path.join(dir, `${s.name}-${suffix}.png`);
      await page.screenshot({ path: file, fullPage });
      console.log(file);
    };
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('top');
    for (const card of s.cards) {
      await page.evaluate((sel) => document.querySelector(sel).scrollIntoView({ block: 'start' }), card);
      await shot(card.slice(6));
    }
    if (s.full) {
      await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header would cover a scrolled full-page shot
      await shot('full', true);
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

// layout.test.mjs — the page on a phone (390×844, touch, a mobile browser's
// viewport), on a tablet (768×1024, touch) and in projector mode: nothing
// scrolls sideways, before and after a training (runs, confusion matrix,
// explorer and summary shown); the header is compact and Start is on the
// first screen and stays there while the page scrolls (the training bar);
// phone text is at least 16 px; a finger's stroke on the pad draws and is
// recognised; projector mode has ≥ 20 px type, larger charts and pad, and is
// remembered after a reload; Chinese pages take a CJK font first.
//
// Run: node --test tests/browser/layout.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browser, padSettled, server, train, useSiteAndBrowser } from './helpers.mjs';
import { DESKTOP, PHONE, TABLET, openOn, overflow, touchStroke } from './devices.mjs';

useSiteAndBrowser();

const argmax = (p) => p.indexOf(Math.max(...p));

async function noSidewaysScroll(page, width, when) {
  const o = await overflow(page, width);
  assert.equal(o.innerWidth, width, `${when}: the layout viewport grew to ${o.innerWidth} px (the page is too wide)`);
  assert.ok(o.scrollWidth <= width, `${when}: the page is ${o.scrollWidth} px wide in ${width}`);
  assert.deepEqual(o.wide, [], `${when}: elements past the right edge`);
}

// Start is on screen, not covered by anything, wherever the page is scrolled to.
async function startReachable(page, when) {
  const r = await page.evaluate(() => {
    const b = document.getElementById('btn-start');
    const box = b.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return { top: box.top, bottom: box.bottom, height: innerHeight, onTop: b === hit || b.contains(hit) };
  });
  assert.ok(r.top >= 0 && r.bottom <= r.height, `${when}: Start is at ${Math.round(r.top)} px of ${r.height}`);
  assert.ok(r.onTop, `${when}: something covers Start`);
}

// A vertical stroke with a finger; the pretrained MLP reads a 1. The page does
// not scroll under the finger (the pad takes every touch).
async function fingerDrawsOne(page) {
  await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
  const n = await page.evaluate(() => window.nnlab.lab.counts.pad);
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const y0 = await page.evaluate(() => window.scrollY);
  await touchStroke(page, [[14, 5], [14, 9], [14, 13], [14, 17], [14, 21], [14, 23]]);
  await padSettled(page, n);
  const lab = await page.evaluate(() => window.nnlab.lab);
  assert.equal(lab.strokes, 1);
  assert.equal(argmax(lab.padProbs), 1, `probabilities ${lab.padProbs}`);
  assert.equal(await page.textContent('#pad-guess'), '1');
  assert.equal(await page.evaluate(() => window.scrollY), y0, 'the page scrolled under the finger');
}

async function trainBriefly(page) {
  await page.fill('#trainLimit', '500');
  await page.fill('#epochs', '1');
  const run = await train(page);
  assert.equal(run.history.loss.length, 1);
  await page.waitForFunction(() => document.querySelectorAll('#confusion button').length === 100);
}

describe('phone, 390×844 with touch', () => {
  test('no sideways scrolling, a compact header, Start on screen, 16 px text, the pad draws', async () => {
    const { page, context, errors } = await openOn(browser, server.url, PHONE);
    await noSidewaysScroll(page, 390, 'loaded');
    const header = await page.evaluate(() => document.querySelector('.topbar').getBoundingClientRect().height);
    assert.ok(header <= 0.12 * 844, `the header is ${header} px tall`); // it was 164 px, a fifth of the screen
    await startReachable(page, 'at the top');
    await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight / 2));
    await startReachable(page, 'half way down');

    // Body text 16 px; nothing visible in the builder or the training card below 14 px.
    const sizes = await page.evaluate(() => {
      const small = [];
      for (const el of document.querySelectorAll('#card-model *, #card-fit *, #card-train *')) {
        const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (text && el.getClientRects().length && parseFloat(getComputedStyle(el).fontSize) < 14) {
          small.push(`${el.tagName} ${el.textContent.trim().slice(0, 20)}: ${getComputedStyle(el).fontSize}`);
        }
      }
      return { body: parseFloat(getComputedStyle(document.body).fontSize), small };
    });
    assert.ok(sizes.body >= 16, `body text ${sizes.body} px`);
    assert.deepEqual(sizes.small, []);

    await fingerDrawsOne(page);
    await trainBriefly(page);
    await page.click('#explore-grid .ex-cell');
    await noSidewaysScroll(page, 390, 'after training');
    // The matrix and the summary scroll inside their own boxes.
    const boxes = await page.evaluate(() => ['.confusion-wrap', '#summary'].map((s) => {
      const el = document.querySelector(s);
      return { s, right: el.getBoundingClientRect().right, scrolls: el.scrollWidth > el.clientWidth };
    }));
    for (const b of boxes) assert.ok(b.right <= 390, `${b.s} reaches ${b.right}`);
    assert.ok(boxes.find((b) => b.s === '#summary').scrolls, 'the summary is wider than its box and scrolls');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('in 简体中文 too: no sideways scrolling, and a CJK font first', async () => {
    const { page, context, errors } = await openOn(browser, server.url, PHONE, 'zh');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await noSidewaysScroll(page, 390, 'zh');
    await startReachable(page, 'zh');
    const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    assert.match(font, /^"PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC"/);
    await page.click('[data-lang="en"]');
    assert.doesNotMatch(await page.evaluate(() => getComputedStyle(document.body).fontFamily), /^"PingFang SC"/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('tablet, 768×1024 with touch', () => {
  test('no sideways scrolling, Start on screen, the pad draws with a finger', async () => {
    const { page, context, errors } = await openOn(browser, server.url, TABLET);
    await noSidewaysScroll(page, 768, 'loaded');
    await startReachable(page, 'at the top');
    await fingerDrawsOne(page);
    await startReachable(page, 'at the pad');
    await noSidewaysScroll(page, 768, 'after drawing');
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('projector mode', () => {
  test('≥ 20 px type, larger charts and pad, remembered after a reload', async () => {
    const { page, context, errors } = await openOn(browser, server.url, DESKTOP);
    const measure = () => page.evaluate(() => ({
      body: parseFloat(getComputedStyle(document.body).fontSize),
      chart: document.getElementById('chart-loss').getBoundingClientRect().height,
      pad: document.getElementById('pad').getBoundingClientRect().width,
      pressed: document.getElementById('projector-toggle').getAttribute('aria-pressed'),
      chartFont: window.Chart.defaults.font.size,
    }));
    const before = await measure();
    assert.equal(before.pressed, 'false');
    assert.ok(before.body < 20);

    await page.click('#projector-toggle');
    await page.waitForFunction((h) => document.getElementById('chart-loss').getBoundingClientRect().height > h,
      before.chart); // Chart.js follows its box on the next frame
    const on = await measure();
    assert.equal(on.pressed, 'true');
    assert.ok(on.body >= 20, `body text ${on.body} px`);
    assert.ok(on.chart >= before.chart * 1.25, `chart ${before.chart} → ${on.chart} px tall`);
    assert.ok(on.pad >= before.pad * 1.25, `pad ${before.pad} → ${on.pad} px wide`);
    assert.ok(on.chartFont > before.chartFont, 'the charts\' labels grow too');

    await page.reload();
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady);
    const again = await measure();
    assert.equal(again.pressed, 'true');
    assert.ok(again.body >= 20, `after a reload: body text ${again.body} px`);
    assert.equal(again.chartFont, on.chartFont);

    await page.click('#projector-toggle');
    await page.reload();
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady);
    const off = await measure();
    assert.equal(off.pressed, 'false');
    assert.equal(off.body, before.body);
    assert.equal(off.chartFont, before.chartFont);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

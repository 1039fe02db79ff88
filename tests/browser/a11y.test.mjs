// a11y.test.mjs — keyboard and screen readers: axe-core (the npm package, run
// inside the page under its own Content-Security-Policy) finds no serious or
// critical violation in English, in 简体中文 and in projector mode, once the
// data is loaded and again after a short training (charts, the table of their
// numbers, the confusion matrix, the explorer); and a run with the keyboard
// alone — Tab, Shift+Tab, Enter, Space, arrows and typing — picks a preset,
// types the fit settings, starts, trains one epoch, reads the charts' numbers,
// moves through the explorer's images and the confusion matrix with the arrows
// (each grid one Tab stop) and opens a cell's images, with Start one Tab and
// Enter from the page's load (the skip link) and a focus ring that shows.
//
// Run: node --test tests/browser/a11y.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browser, server, train, useSiteAndBrowser } from './helpers.mjs';
import { DESKTOP, injectAxe, openOn, seriousViolations } from './devices.mjs';

useSiteAndBrowser();

describe('axe-core', () => {
  test('no serious or critical violation in English, 简体中文 and projector mode, before and after training', async () => {
    const { page, context, errors } = await openOn(browser, server.url, DESKTOP);
    await injectAxe(page);
    const check = async (when) => assert.deepEqual(await seriousViolations(page), [], when);
    await check('loaded, English');
    await page.click('[data-lang="zh"]');
    await check('loaded, 简体中文');

    await page.fill('#trainLimit', '500');
    await page.fill('#epochs', '2');
    await train(page);
    await page.waitForFunction(() => document.querySelectorAll('#confusion button').length === 100);
    await page.click('#explore-grid .ex-cell');           // the explorer's detail pane
    await page.click('.chart-numbers > summary');         // the table of the charts' numbers
    await page.click('[data-confusion-mode="rows"]');
    await check('trained, 简体中文');
    await page.click('[data-lang="en"]');
    await check('trained, English');
    await page.click('#projector-toggle');
    await check('trained, projector mode');
    assert.deepEqual(errors, []);
    await context.close();
  });
});

// The element that has the focus, as a short description.
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` : '';
});

// Press `key` (Tab or Shift+Tab) until the focus is on an element matching
// `selector`; returns the number of presses.
async function tabTo(page, selector, key = 'Tab', max = 150) {
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press(key);
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return n;
  }
  throw new Error(`${max} × ${key} never reached ${selector} (last: ${await focused(page)})`);
}

// WCAG contrast ratio of two rgb()/rgba() colours (opaque ones).
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((x) => {
      const v = x / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('the keyboard alone', () => {
  test('skip link, preset, fit fields, Start, one epoch, the charts\' numbers, the explorer, a confusion cell', async () => {
    const { page, context, errors } = await openOn(browser, server.url, DESKTOP);

    // From the page's load: Tab shows the skip link, Enter follows it to Start.
    const tabs = 1;
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'a#skip-link');
    const skip = await page.locator('#skip-link').boundingBox();
    assert.ok(skip.y >= 0 && skip.height > 0, 'the focused skip link is on screen');
    const hash = await page.evaluate(() => location.hash); // the setup (share.js)
    await page.keyboard.press('Enter');
    assert.equal(await focused(page), 'button#btn-start');
    assert.ok(tabs <= 3, `${tabs} Tabs to Start`);
    assert.equal(await page.evaluate(() => location.hash), hash, 'the skip link leaves the setup in the hash alone');
    const start = await page.locator('#btn-start').boundingBox();
    assert.ok(start.y >= 0 && start.y + start.height <= 900, 'Start is scrolled into view');

    // The focus ring: at least 2 px, opaque, 3:1 against the card.
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { width: parseFloat(s.outlineWidth), style: s.outlineStyle, color: s.outlineColor,
        card: getComputedStyle(document.getElementById('card-train')).backgroundColor };
    });
    assert.ok(ring.width >= 2, `outline ${ring.width} px`);
    assert.notEqual(ring.style, 'none');
    assert.doesNotMatch(ring.color, /rgba\(.*, 0?\.\d+\)/, `the ring is translucent: ${ring.color}`);
    assert.ok(contrast(ring.color, ring.card) >= 3, `ring ${ring.color} on ${ring.card}`);

    // Back to the presets; logistic regression with Enter.
    await tabTo(page, '[data-preset="logreg"]', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('summary').textContent.includes('7,850'));
    // On through the builder to the fit card: 1 epoch of 500 samples, typed.
    await tabTo(page, '#epochs');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1');
    await tabTo(page, '#trainLimit');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('500');
    await page.waitForFunction(() => !document.getElementById('btn-start').disabled);
    await tabTo(page, '#btn-start');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.nnlab.runs.length === 1 && window.nnlab.runs[0].status === 'done'
      && window.nnlab.state.train === 'idle', null, { timeout: 60000 });
    const run = (await page.evaluate(() => window.nnlab.runs))[0];
    assert.equal(run.history.loss.length, 1, 'one epoch');
    assert.equal(run.name.length > 0, true);

    // The charts' numbers: the summary line and the table say the run's history.
    const f = (v) => v.toFixed(4);
    const h = run.history;
    const line = await page.textContent('#chart-live');
    for (const v of [h.loss[0], h.accuracy[0], h.valLoss[0], h.valAccuracy[0]]) {
      assert.ok(line.includes(f(v)), `"${line}" lacks ${f(v)}`);
    }
    assert.match(line, /^Epoch 1\/1 · /);
    assert.equal(await page.getAttribute('#chart-loss', 'aria-describedby'), 'chart-live');
    await tabTo(page, '.chart-numbers > summary');
    await page.keyboard.press('Enter');
    const rows = await page.$$eval('#chart-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows, [['1', f(h.loss[0]), f(h.accuracy[0]), f(h.valLoss[0]), f(h.valAccuracy[0])]]);
    assert.equal(await page.isVisible('#chart-table table'), true);

    // The explorer: one Tab stop, arrows move, Enter shows the image's probabilities.
    await tabTo(page, '#explore-grid .ex-cell');
    const cells = await page.$$eval('#explore-grid .ex-cell:not([hidden])', (els) => els.map((el) => el.dataset.index));
    assert.equal(await page.evaluate(() => document.activeElement.dataset.index), cells[0]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#explore-detail:not([hidden])');
    assert.match(await page.textContent('#explore-detail-text'), new RegExp(`#${cells[1]}\\b`));
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('#explore-grid')), false,
      'Tab leaves the grid in one press');

    // The confusion matrix: one Tab stop, arrows move, Enter shows the cell's images.
    await page.waitForFunction(() => document.querySelectorAll('#confusion button').length === 100);
    await tabTo(page, '#confusion button');
    assert.equal(await page.evaluate(() => document.activeElement.closest('td').dataset.true), '0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const cell = await page.evaluate(() => {
      const td = document.activeElement.closest('td');
      return { y: td.dataset.true, p: td.dataset.pred, name: document.activeElement.getAttribute('aria-label'),
        text: document.activeElement.textContent };
    });
    assert.deepEqual([cell.y, cell.p], ['1', '2']);
    assert.ok(cell.name.startsWith(cell.text || '0'), `"${cell.name}" starts with what the cell shows ("${cell.text}")`);
    assert.match(cell.name, /true 1 predicted as 2/);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#explore-pair:not([hidden])');
    assert.match(await page.textContent('#explore-pair'), /1.*2/);
    // Tab leaves the matrix in one press: its other cells are not Tab stops.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('#confusion')), false);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

// pretrained_cnn.test.mjs — which pretrained model answers the pad: the site
// ships assets/pretrained-cnn.nnl beside the MLP (here a stand-in when the
// repository has none yet, see cnn_site.mjs); the student picks MLP or CNN in
// the drawing card, the pad and the feature maps follow, the choice is kept
// after a reload, and a site without the CNN offers no choice.
//
// Run: node --test tests/browser/pretrained_cnn.test.mjs   (after scripts/build_web.sh and the native CLI)

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { cannotRun, siteCopy, trainCnn } from './cnn_site.mjs';
import { drawStrokes, launchBrowser, openApp, padSettled, startServer } from './helpers.mjs';

const why = cannotRun();
let browser;

const lab = (page) => page.evaluate(() => window.nnlab.lab);
const answering = (page, id) => page.waitForFunction((which) => {
  const s = window.nnlab.lab;
  return s.pretrained === which && !s.inside.busy && s.inside.hasConv !== null;
}, id, { timeout: 90000 });

describe('pretrained chooser', { skip: why || false }, () => {
  let withCnn;
  let withoutCnn;
  before(async () => {
    const standIn = trainCnn();
    withCnn = await startServer(siteCopy({ standIn }));
    withoutCnn = await startServer(siteCopy({ cnn: false }));
    browser = await launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
    for (const s of [withCnn, withoutCnn]) if (s) s.close();
  });

  test('MLP or CNN answers the pad; the choice is kept after a reload', async () => {
    const { page, context, errors } = await openApp(browser, withCnn.url);
    await answering(page, 'mlp');
    assert.equal(await page.isVisible('#pretrained-choice'), true);
    assert.equal(await page.getAttribute('[data-pretrained="mlp"]', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('[data-pretrained="cnn"]', 'aria-pressed'), 'false');
    assert.match(await page.textContent('#draw-source'), /pretrained MLP/);
    let n = (await lab(page)).counts.pad;
    await drawStrokes(page, [[[8, 6], [20, 6], [13, 22]]]);
    await padSettled(page, n);
    const mlp = (await lab(page)).padProbs;

    // The CNN: the pad's answer comes from it, and it has feature maps.
    n = (await lab(page)).counts.pad;
    await page.click('[data-pretrained="cnn"]');
    await answering(page, 'cnn');
    await padSettled(page, n);
    const cnn = await lab(page);
    assert.equal(cnn.source, 'pretrained');
    assert.match(await page.textContent('#draw-source'), /^the pretrained CNN/);
    assert.notDeepEqual(cnn.padProbs, mlp, 'another model answers');
    assert.equal(Math.abs(cnn.padProbs.reduce((a, b) => a + b) - 1) < 1e-4, true);
    assert.equal(await page.getAttribute('[data-pretrained="cnn"]', 'aria-pressed'), 'true');
    assert.equal(cnn.inside.hasConv, true);
    assert.ok(await page.locator('#maps .map-layer[data-name="conv2d"]').isVisible());
    assert.match((await page.evaluate(() => window.nnlab.debug.describe())).layers, /^conv2d:/);
    await page.click('[data-lang="zh"]');
    assert.match(await page.textContent('#draw-source'), /^预训练的 CNN/);
    assert.equal(await page.textContent('#pretrained-choice .muted'), '预训练模型');
    await page.click('[data-lang="en"]');

    // A new untrained model, then the "Pretrained model" button: the chosen CNN comes back.
    await page.click('[data-preset="logreg"]');
    await page.waitForFunction(() => window.nnlab.lab.source === 'untrained');
    assert.equal(await page.textContent('#btn-pretrained'), 'Pretrained model');
    await page.click('#btn-pretrained');
    await answering(page, 'cnn');
    assert.equal((await lab(page)).source, 'pretrained');

    // Reloaded, the page starts with the CNN again; the MLP is one click away.
    await page.reload();
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.hasModel, null, { timeout: 60000 });
    await answering(page, 'cnn');
    await page.click('[data-pretrained="mlp"]');
    await answering(page, 'mlp');
    assert.equal((await lab(page)).inside.hasConv, false);
    assert.match(await page.textContent('#maps-note'), /Feature maps need a convolutional layer/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a site without the pretrained CNN offers no choice and starts with the MLP', async () => {
    const { page, context, errors } = await openApp(browser, withoutCnn.url);
    await answering(page, 'mlp');
    assert.equal(await page.isVisible('#pretrained-choice'), false);
    assert.match(await page.textContent('#draw-source'), /pretrained MLP \(97\.\d% on the test set\)/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

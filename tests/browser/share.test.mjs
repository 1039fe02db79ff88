// share.test.mjs — a setup travels by link and survives a reload; runs keep what
// they are: a shared link opens the page with a non-default model and settings (and
// builds that model, not the pretrained one); a broken or old link falls back to the
// defaults with a notice naming what was ignored, in English and 简体中文; Copy link
// gives a link that opens the same setup; the form comes back after a reload and
// Reset to defaults puts back Keras's; a run is named by its setup, and deleting it
// can be undone with its history intact; Download notebook gives the code view's
// Keras code; the teaching notes open and follow the language.
//
// Run: node --test tests/browser/share.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { appReady, browser, openApp, server, setField, testUrl, train, useSiteAndBrowser } from './helpers.mjs';
import { encodeSetup } from '../../web/js/share.js';
import { PRESETS, defaultConfig, layerString } from '../../web/js/model_config.js';

useSiteAndBrowser();

const setup = (page) => page.evaluate(() => window.nnlab.setup);
const noticeItems = (page) => page.$$eval('#setup-notice-list li', (els) => els.map((e) => e.textContent));
// The model in the worker is the one asked for (a rebuild is debounced).
const modelIs = (page, text) => page.waitForFunction((t) => window.nnlab.setup.model === t, text, { timeout: 30000 });

const CNN = {
  ...defaultConfig(), layers: PRESETS.cnnTfjs.layers, optimizer: 'sgd', lr: 0.05, epochs: 3, batchSize: 64,
  trainLimit: 6000, validation: 'split', validationSplit: 0.2, shuffle: false, seed: 7,
};

describe('a shared link', () => {
  test('opens the page with its model and settings, and the model built is the link\'s', async () => {
    const { page, context, errors } = await openApp(browser, server.url, { hash: `#${encodeSetup(CNN)}` });
    await modelIs(page, layerString(CNN.layers));
    const { form } = await setup(page);
    assert.deepEqual(form, CNN);
    // the form shows it
    assert.equal(await page.inputValue('#epochs'), '3');
    assert.equal(await page.inputValue('#optimizer'), 'sgd');
    assert.equal(await page.inputValue('#validationSplit'), '0.2');
    assert.equal(await page.isChecked('#shuffle'), false);
    assert.match(await page.textContent('#summary'), /conv2d/);
    assert.equal(await page.isVisible('#setup-notice'), false);
    // Copy link: the clipboard gets a link that opens the same setup.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
    await page.fill('#epochs', '4');
    await page.click('#btn-copy-link');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(link.includes('#nn=1&') && link.includes('e=4'), link);
    assert.equal(link, await page.evaluate(() => location.href)); // the address bar has it too
    const other = await context.newPage();
    await other.goto(link);
    await appReady(other);
    await modelIs(other, layerString(CNN.layers));
    assert.deepEqual((await setup(other)).form, { ...CNN, epochs: 4 });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a broken link keeps the defaults for what it could not give and says what, in both languages', async () => {
    const hash = '#nn=1&e=5000&o=adamw&l=conv2d:x&zoom=2&b=16';
    const { page, context } = await openApp(browser, server.url, { hash, lang: 'zh' });
    await page.waitForSelector('#setup-notice:not([hidden])');
    const { form } = await setup(page);
    assert.deepEqual(form, { ...defaultConfig(), epochs: 1000, batchSize: 16 });
    const zh = await noticeItems(page);
    assert.equal(zh.length, 4);
    assert.ok(zh.every((s) => /[\u4e00-\u9fff]/.test(s)), zh.join(' | '));
    assert.ok(zh.some((s) => s.includes('5000') && s.includes('1000')), zh.join(' | '));
    await page.click('[data-lang="en"]');
    const en = await noticeItems(page);
    assert.match(en.join(' | '), /Epochs 5000 is outside what the form accepts: 1000 is used/);
    assert.match(en.join(' | '), /Optimizer “adamw” could not be read/);
    assert.match(en.join(' | '), /“zoom=2” is unknown/);
    // the address bar now holds the setup in use, not the broken text
    assert.match(await page.evaluate(() => location.hash), /^#nn=1&l=100:relu,10:softmax&o=adam&.*e=1000&b=16/);
    await page.click('#setup-notice-ok');
    assert.equal(await page.isVisible('#setup-notice'), false);
    await context.close();
  });

  test('a link of another version gives the defaults with a notice', async () => {
    const { page, context } = await openApp(browser, server.url, { hash: '#nn=9&e=3' });
    await page.waitForSelector('#setup-notice:not([hidden])');
    assert.deepEqual((await setup(page)).form, defaultConfig());
    assert.match((await noticeItems(page)).join(), /another version of nnlab \(version 9\)/);
    await context.close();
  });
});

test('the form comes back after a reload; Reset to defaults puts back Keras\'s', async () => {
  const { page, context } = await openApp(browser, server.url);
  await page.click('[data-preset="deep"]');
  await setField(page, '#epochs', 2);
  await page.selectOption('#optimizer', 'rmsprop');
  await modelIs(page, layerString(PRESETS.deep.layers));
  await page.goto(testUrl(server.url)); // no hash: what the page kept
  await appReady(page);
  await modelIs(page, layerString(PRESETS.deep.layers));
  const { form } = await setup(page);
  assert.equal(form.epochs, 2);
  assert.equal(form.optimizer, 'rmsprop');
  assert.equal(await page.isVisible('#setup-notice'), false);
  await page.click('#btn-reset');
  await modelIs(page, layerString(defaultConfig().layers));
  assert.deepEqual((await setup(page)).form, defaultConfig());
  assert.equal(await page.evaluate(() => location.hash), `#${encodeSetup(defaultConfig())}`);
  await context.close();
});

test('runs are named by their setup; a deleted run comes back with Undo, history and all', async () => {
  const { page, context } = await openApp(browser, server.url);
  await setField(page, '#trainLimit', 2000);
  await setField(page, '#epochs', 1);
  const run = await train(page);
  assert.equal(run.status, 'done');
  assert.equal(run.name, 'MLP 100 relu · adam 0.001 · 1 epoch');
  assert.match(await page.textContent('#runs'), /MLP 100 relu · adam 0\.001 · 1 epoch/);
  await page.click('#runs [data-act="delete"]');
  assert.equal((await page.evaluate(() => window.nnlab.runs)).length, 0);
  assert.deepEqual(await page.evaluate(() => window.nnlab.drawnRuns('loss')), []);
  await page.click('.toast-action');
  const back = await page.evaluate(() => window.nnlab.runs);
  assert.deepEqual(back, [run]);
  assert.equal((await page.evaluate(() => window.nnlab.drawnRuns('loss')))[0].name, run.name);
  // kept as it came back
  await page.reload();
  await appReady(page);
  assert.deepEqual((await page.evaluate(() => window.nnlab.runs)).map((r) => r.history), [run.history]);
  await context.close();
});

test('Download notebook gives the code view\'s Keras code; the notes open and follow the language', async () => {
  const { page, context } = await openApp(browser, server.url, { hash: `#${encodeSetup(CNN)}` });
  await modelIs(page, layerString(CNN.layers));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-notebook')]);
  assert.equal(download.suggestedFilename(), 'nnlab-mnist.ipynb');
  const nb = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join('')).join('\n');
  const shown = (await page.textContent('#code')).split('\n').filter(Boolean);
  for (const line of shown) assert.ok(code.includes(line), `the notebook lacks: ${line}`);
  assert.match(code, /SGD\(learning_rate=0\.05\)/);
  assert.match(code, /plt\.show\(\)/);

  const notes = page.locator('details.note');
  assert.ok((await notes.count()) >= 8);
  const first = notes.first();
  assert.equal(await first.locator('p').isVisible(), false);
  await first.locator('summary').click();
  assert.equal(await first.locator('p').isVisible(), true);
  assert.match(await first.locator('p').textContent(), /255/);
  await page.click('[data-lang="zh"]');
  const titles = await page.$$eval('details.note summary', (els) => els.map((e) => e.textContent));
  assert.ok(titles.every((s) => /[\u4e00-\u9fff]/.test(s)), titles.join(' | '));
  await context.close();
});

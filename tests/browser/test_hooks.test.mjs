// test_hooks.test.mjs — the page as users open it (no ?test) has none of the
// browser tests' hooks: no window.nnlab, and the worker refuses the debug
// requests (a wasm trap, filling the heap) that the tests use.
//
// Run: node --test tests/browser/test_hooks.test.mjs   (after nn_build_site)

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Bridge } from '../../web/js/bridge.js';
import { browser, server, useSiteAndBrowser } from './helpers.mjs';

useSiteAndBrowser();

test('the production page exposes no test hooks', async () => {
  assert.equal(typeof Bridge.prototype.debug, 'function'); // (the request exists: it is refused, below)
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  // Loaded and ready: the data pill counts MNIST, the summary shows a model.
  await page.waitForFunction(() => /60000/.test(document.getElementById('data-pill').textContent)
    && /Total params/.test(document.getElementById('summary').textContent), null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => typeof window.nnlab), 'undefined');
  // A worker of the page's own kind, initialised as the page does, refuses debug requests.
  const refused = await page.evaluate(async () => {
    const { Bridge: B } = await import('./js/bridge.js');
    const b = new B(new URL('./js/worker.js', location.href));
    await b.init();
    try {
      await b.debug('hog');
      return 'taken';
    } catch (e) {
      return e.message;
    }
  });
  assert.match(refused, /^Debug requests are for the browser tests/);
  assert.deepEqual(errors, []);
  await context.close();
});

// epoch_time.mjs — one epoch of full MNIST (60000 samples, batch 32,
// validation on the 10000 test images) for the seed models, timed in the
// page's own worker in headless Chromium. A measurement, not a test.
//
// Run: node tests/browser/epoch_time.mjs   (after scripts/build_web.sh)
// Prints one line per model: seconds for the epoch (training + validation),
// ms/step, and accuracy, as the page's progress line reports them.

import { launchBrowser, openApp, settle, startServer, waitIdle } from './helpers.mjs';

const server = await startServer();
const browser = await launchBrowser();
try {
  const { page, context } = await openApp(browser, server.url);
  await settle(page);
  await page.fill('#epochs', '1');
  await page.fill('#trainLimit', '60000');
  const kernel = await page.textContent('#kernel-pill');
  const heap = await page.evaluate(() => window.nnlab.state.heapBytes);
  console.log(`wasm memory after loading MNIST: ${(heap / 2 ** 20).toFixed(1)} MiB`);
  for (const [preset, label] of [['logreg', 'logistic regression 784-10'], ['mlp', 'MLP 784-100-10']]) {
    for (let rep = 0; rep < 2; rep++) { // the first run also warms up the JIT tiers
      await page.click(`[data-preset="${preset}"]`);
      await page.waitForTimeout(400); // debounced rebuild
      const t0 = await page.evaluate(() => performance.now());
      await page.click('#btn-start');
      await waitIdle(page, 300000);
      const t1 = await page.evaluate(() => performance.now());
      const p = await page.evaluate(() => window.nnlab.progress);
      const run = (await page.evaluate(() => window.nnlab.runs)).at(-1);
      console.log(`${label} (${kernel}, run ${rep + 1}): ${p.elapsed.toFixed(2)} s in the worker, ` +
        `${((t1 - t0) / 1000).toFixed(2)} s click to done, ${p.msPerStep.toFixed(3)} ms/step, ` +
        `accuracy ${run.history.accuracy[0].toFixed(4)}, val_accuracy ${run.history.valAccuracy[0].toFixed(4)}`);
    }
  }
  await context.close();
} finally {
  await browser.close();
  server.close();
}

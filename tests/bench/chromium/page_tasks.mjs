#!/usr/bin/env node
// page_tasks.mjs — how busy the page's main thread is while its worker trains:
// one epoch of full MNIST in the real page (build/web) in headless Chromium,
// for the default MLP or a CNN preset (the small TF.js-tutorial CNN, or
// Keras's mnist_convnet at batch 128), traced, and the longest main-thread
// task and the number of tasks of 50 ms or more (the Long Tasks API's
// threshold, where a click starts to feel slow); also the epoch's time in
// the page, as the student sees it. A measurement for scripts/bench.sh: on a shared
// machine these figures move with the load, so no test asserts them
// (tests/browser/app.test.mjs checks that clicks are handled while training).
//
//   node tests/bench/chromium/page_tasks.mjs [mlp|cnn|convnet]
//        (after scripts/build_web.sh; NNLAB_WEB_DIR for another site)
//
// Prints the figures, then one line
// "BENCH run=page-main-thread model=... seconds=... longest_task_ms=... long_tasks=... tasks=...".

import { launchBrowser, openApp, settle, startServer, train } from '../../browser/helpers.mjs';

const LONG_MS = 50;
// The preset button of each model (mlp is the page's default).
const PRESETS = { mlp: null, cnn: 'cnnTfjs', convnet: 'cnnKeras' };
const NAMES = { mlp: 'MLP 784-100-10', cnn: 'CNN (TF.js tutorial)', convnet: 'CNN (Keras example)' };
const model = process.argv[2] || 'mlp';
if (!(model in PRESETS)) {
  console.error('usage: page_tasks.mjs [mlp|cnn|convnet]');
  process.exit(2);
}

// Durations (ms) of the tasks of the renderer's main thread in a Chrome trace:
// the complete ("X") task events of the threads named CrRendererMain
// (ThreadControllerImpl::RunTask in Chromium 156, RunTask in older ones).
const TASK_EVENTS = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);
function mainThreadTasks(trace) {
  const events = JSON.parse(trace).traceEvents;
  const main = new Set(events
    .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`));
  return events
    .filter((e) => e.ph === 'X' && TASK_EVENTS.has(e.name) && main.has(`${e.pid}:${e.tid}`))
    .map((e) => e.dur / 1000);
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const { page, context, errors } = await openApp(browser, server.url);
  if (PRESETS[model]) await page.click(`[data-preset="${PRESETS[model]}"]`);
  await page.fill('#epochs', '1');
  await page.fill('#trainLimit', '60000');
  await settle(page); // start-up work (Chart.js, gunzip) is not training's
  await browser.startTracing(page, { categories: ['toplevel'] });
  const run = await train(page);
  const tasks = mainThreadTasks(await browser.stopTracing());
  if (run.status !== 'done' || errors.length) throw new Error(`training: ${run.status} ${errors.join('; ')}`);
  if (!tasks.length) throw new Error('the trace has no main-thread tasks (has Chromium renamed its task event?)');

  const p = await page.evaluate(() => window.nnlab.progress);
  const longest = Math.max(...tasks);
  const long = tasks.filter((d) => d >= LONG_MS).length;
  console.log(`  ${await page.textContent('#kernel-pill')}, ${NAMES[model]}, one epoch: ${p.elapsed.toFixed(2)} s ` +
              `in the worker, ${p.msPerStep.toFixed(3)} ms/step`);
  console.log(`  main thread from Start to the end of the epoch: ${tasks.length} tasks, longest ` +
              `${longest.toFixed(1)} ms, ${long} of ${LONG_MS} ms or more`);
  console.log(`BENCH run=page-main-thread model=${model} seconds=${p.elapsed.toFixed(4)} ` +
              `longest_task_ms=${longest.toFixed(1)} long_tasks=${long} tasks=${tasks.length}`);
  await context.close();
} finally {
  await browser.close();
  server.close();
}

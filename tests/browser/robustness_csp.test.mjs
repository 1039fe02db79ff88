// robustness_csp.test.mjs — the page talks to nobody but its own origin and
// runs under a Content-Security-Policy without 'unsafe-eval' (only
// 'wasm-unsafe-eval', for WebAssembly) and without inline scripts or styles:
// the policy is in the page's <meta> tag and, identical, in every header of
// scripts/serve.mjs; it is enforced (eval is refused) and yet nothing the page
// does — the worker, the wasm module, Chart.js, downloads, the user's files —
// trips it. Every request of the page and its worker is recorded.
//
// Run: node --test tests/browser/robustness_csp.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { browser, server, setField, testUrl, useSiteAndBrowser, waitIdle } from './helpers.mjs';
import { toyFiles, writeFiles } from './idx_fixtures.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-csp-'));

useSiteAndBrowser();
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// directive -> [sources]
function parsePolicy(text) {
  return Object.fromEntries(text.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name, sources];
  }));
}

describe('Content-Security-Policy and requests', () => {
  test('the meta tag and the server header carry the same strict policy', async () => {
    const res = await fetch(server.url);
    const html = await res.text();
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
    assert.ok(meta, 'index.html has a CSP meta tag');
    assert.equal(res.headers.get('content-security-policy'), meta[1]);
    for (const file of ['js/worker.js', 'wasm/nnlab.wasm', 'js/app.js']) {
      const r = await fetch(new URL(file, server.url));
      assert.equal(r.headers.get('content-security-policy'), meta[1], file);
    }
    const p = parsePolicy(meta[1]);
    assert.deepEqual(p['default-src'], ["'self'"]);
    assert.deepEqual(p['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(p['style-src'], ["'self'"]);
    assert.deepEqual(p['worker-src'], ["'self'"]);
    assert.deepEqual(p['connect-src'], ["'self'"]);
    assert.deepEqual(p['object-src'], ["'none'"]);
    const all = Object.values(p).flat();
    for (const bad of ["'unsafe-eval'", "'unsafe-inline'", "'unsafe-hashes'", '*', 'http:', 'https:']) {
      assert.ok(!all.includes(bad), `policy allows ${bad}`);
    }
    // No inline script or style in the page itself (they would need hashes).
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i);
    assert.doesNotMatch(html, /<style\b|\sstyle="/i);
  });

  test('loading, training, charts, downloads and own files: same-origin requests only, no violation', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const requests = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    await page.goto(testUrl(server.url));
    await page.waitForFunction(() => window.nnlab && window.nnlab.state.dataReady && window.nnlab.state.hasModel,
      null, { timeout: 60000 });

    // Train an epoch: the worker compiles wasm, Chart.js draws.
    await setField(page, '#trainLimit', 2000);
    await setField(page, '#epochs', 1);
    await page.click('#btn-start');
    await page.waitForFunction(() => window.nnlab.runs.length === 1 && window.nnlab.runs[0].status === 'done');
    await waitIdle(page);
    await page.waitForFunction(() => window.nnlab.points('loss') >= 3);
    // Chart.js drew the run (coloured pixels on the white and grey chart) without eval.
    await page.waitForFunction(() => {
      const c = document.getElementById('chart-loss');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) n++;
      }
      return n > 200;
    }, null, { timeout: 5000 });
    // The runs list's colour swatch (set through the CSSOM, not a style attribute).
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#runs .swatch')).backgroundColor),
      'rgb(0, 114, 178)'); // PALETTE[0] of web/js/runs.js, #0072b2

    // Downloads: history CSV (blob:) and the chart PNG (data:).
    await Promise.all([page.waitForEvent('download'), page.click('#runs [data-act="csv"]')]);
    await Promise.all([page.waitForEvent('download'), page.click('[data-png="loss"]')]);
    // The user's own files.
    await page.setInputFiles('#dataset-files', writeFiles(tmp, toyFiles({ gz: true })));
    await page.click('#dialog-replace'); // the trained model was not downloaded: asked first
    await page.waitForFunction(() => window.nnlab.data.nTrain === 300);
    await page.waitForFunction(() => /14,803/.test(document.getElementById('summary').textContent));

    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    // The policy is in force: a string timer (eval), an inline script and an
    // inline style attribute are refused, and reported.
    const tried = await page.evaluate(async () => {
      setTimeout('window.__evaluated = true', 0);
      const script = document.createElement('script');
      script.textContent = 'window.__inline = true';
      document.head.append(script);
      const div = document.createElement('div');
      div.setAttribute('style', 'color: rgb(255, 0, 0)');
      document.body.append(div);
      await new Promise((r) => setTimeout(r, 100));
      const color = getComputedStyle(div).color;
      div.remove();
      return { evaluated: !!window.__evaluated, inline: !!window.__inline, red: color === 'rgb(255, 0, 0)' };
    });
    assert.deepEqual(tried, { evaluated: false, inline: false, red: false });
    // (The meta and the header policy may each report the same violation.)
    const violations = await page.evaluate(() => [...new Set(window.__violations.map((v) => v.split(' ')[0]))].sort());
    assert.deepEqual(violations, ['script-src', 'script-src-elem', 'style-src-attr']);

    const origin = new URL(server.url).origin;
    const outside = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
    assert.deepEqual(outside, []);
    // The record includes the worker's own fetches (the wasm module: served cross-origin
    // isolated, the threads module and its pool workers' script) and the data.
    const threaded = (await page.evaluate(() => window.nnlab.state.threads.module)) === 'threads';
    const wasm = threaded ? ['/wasm/nnlab-threads.wasm', '/wasm/nnlab-threads.worker.js'] : ['/wasm/nnlab.wasm'];
    for (const want of ['/js/worker.js', ...wasm, '/data/train-images-idx3-ubyte.gz', '/vendor/chart.umd.js']) {
      assert.ok(requests.some((u) => u.startsWith(origin) && new URL(u).pathname === want), `no request for ${want}`);
    }
    assert.deepEqual(errors.filter((e) => !/Content Security Policy|unsafe-eval/.test(e)), []);
    await context.close();
  });
});

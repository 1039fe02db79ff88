// shots.mjs — screenshots of parts of the page for people to look at, taken
// by a browser test on its way when NNLAB_SHOTS names a folder (never
// asserted on): the cards given, on a desktop (1280 px) and a phone (390 px).

import fs from 'node:fs';
import path from 'node:path';

export const SHOTS_DIR = process.env.NNLAB_SHOTS;

// Writes DIR/<name>-<width>.png for each width: the page from the top of the
// first card to the bottom of the last, cut out of a full-page shot taken
// from the top, so the sticky header covers nothing.
export async function shootCards(page, name, cards) {
  if (!SHOTS_DIR) return;
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  const size = page.viewportSize();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300); // the charts follow a resize on their next frame
    const boxes = await Promise.all(cards.map((c) => page.locator(c).boundingBox()));
    const top = Math.min(...boxes.map((b) => b.y));
    const bottom = Math.max(...boxes.map((b) => b.y + b.height));
    await page.screenshot({ path: path.join(SHOTS_DIR, `${name}-${width}.png`), fullPage: true,
      clip: { x: 0, y: top, width, height: bottom - top } });
  }
  await page.setViewportSize(size);
}

#!/usr/bin/env node
// stamp_sw.mjs — write the list of what to keep offline into DIR/sw.js (build_web.sh runs it
// last, on build/web).
//
// The service worker precaches every file of the site but itself: the app files (the page,
// css, every js module, the wasm, Chart.js, the pretrained models) in a cache named after a
// hash of all of them, and the MNIST files (data/) in a cache of their own, each under its own
// content hash, so that a new version of the app keeps the 12 MB it already has. The list
// goes into sw.js itself, replacing its `const BUILD = ...;` line: a browser looks for an
// update by comparing sw.js byte for byte, so any changed file makes a new sw.js and the page
// then offers the new version. A list that is made from the folder, not written by hand,
// cannot forget a module. Running it again on the same folder gives the same sw.js.
//
// Usage: node scripts/stamp_sw.mjs DIR

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/stamp_sw.mjs DIR');
  process.exit(2);
}
const swFile = path.join(dir, 'sw.js');
const LINE = /^const BUILD = .*;$/m;

// Every file under dir, as site paths with '/' ('css/app.css'), sorted.
function walk(sub = '') {
  return fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((e) => {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    return e.isDirectory() ? walk(rel) : [rel];
  }).sort();
}

const sha = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);

const sw = fs.readFileSync(swFile, 'utf8');
if (!LINE.test(sw)) {
  console.error(`stamp_sw: ${swFile} has no line "const BUILD = ...;" to replace`);
  process.exit(1);
}

const app = [];
const data = {};
const whole = crypto.createHash('sha256');
let bytes = 0;
for (const rel of walk()) {
  if (rel === 'sw.js') continue; // the browser fetches it itself, never from a cache
  const content = fs.readFileSync(path.join(dir, rel));
  bytes += content.length;
  if (rel.startsWith('data/')) {
    data[rel] = sha(content);
  } else {
    app.push(rel);
    whole.update(`${rel}\0${content.length}\0`).update(content);
  }
}
const build = { version: whole.digest('hex').slice(0, 16), bytes, app, data };
fs.writeFileSync(swFile, sw.replace(LINE, () => `const BUILD = ${JSON.stringify(build)};`));
console.log(`stamp_sw: version ${build.version}, ${app.length} app files and ${Object.keys(data).length} data files `
  + `(${(bytes / 1e6).toFixed(1)} MB)`);

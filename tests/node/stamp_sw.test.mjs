// stamp_sw.test.mjs — scripts/stamp_sw.mjs, which writes the service worker's list into
// DIR/sw.js: every file but sw.js is listed, data/ apart with content hashes; the version
// changes with any app file and only with them (a new MNIST file changes sw.js, not the app
// cache's name); stamping twice gives the same sw.js. On a temporary copy of web/sw.js.
//
// Run: node --test tests/node/stamp_sw.test.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-stamp-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (rel, content) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
};
const stamp = () => execFileSync(process.execPath, [path.join(repo, 'scripts/stamp_sw.mjs'), dir], { encoding: 'utf8' });
const sw = () => fs.readFileSync(path.join(dir, 'sw.js'), 'utf8');
const build = () => JSON.parse(/^const BUILD = (.*);$/m.exec(sw())[1]);

test('web/sw.js as committed lists nothing', () => {
  assert.match(fs.readFileSync(path.join(repo, 'web/sw.js'), 'utf8'), /^const BUILD = null;$/m);
});

test('the list, the hashes and the version', () => {
  fs.copyFileSync(path.join(repo, 'web/sw.js'), path.join(dir, 'sw.js'));
  write('index.html', '<!doctype html>');
  write('js/app.js', 'export {};');
  write('js/ui/pad.js', 'export {};');
  write('data/a.gz', 'AAAA');
  write('data/b.gz', 'BBBB');
  assert.match(stamp(), /3 app files and 2 data files/);
  const b1 = build();
  assert.deepEqual(b1.app, ['index.html', 'js/app.js', 'js/ui/pad.js']);
  assert.deepEqual(Object.keys(b1.data), ['data/a.gz', 'data/b.gz']);
  assert.notEqual(b1.data['data/a.gz'], b1.data['data/b.gz']);
  assert.equal(b1.bytes, 15 + 10 + 10 + 4 + 4);
  assert.match(b1.version, /^[0-9a-f]{16}$/);
  // The rest of sw.js is untouched.
  assert.equal(sw().replace(/^const BUILD = .*;$/m, ''), fs.readFileSync(path.join(repo, 'web/sw.js'), 'utf8')
    .replace(/^const BUILD = .*;$/m, ''));

  const before = sw();
  stamp();
  assert.equal(sw(), before, 'stamping again changes nothing');

  write('js/ui/pad.js', 'export { };');
  stamp();
  const b2 = build();
  assert.notEqual(b2.version, b1.version, 'a changed module is a new version');
  assert.deepEqual(b2.data, b1.data);

  write('data/b.gz', 'CCCC');
  stamp();
  const b3 = build();
  assert.equal(b3.version, b2.version, 'new data keep the app version');
  assert.notEqual(b3.data['data/b.gz'], b2.data['data/b.gz']);
  assert.equal(b3.data['data/a.gz'], b2.data['data/a.gz']);

  write('js/new.js', 'export {};');
  stamp();
  assert.ok(build().app.includes('js/new.js'), 'a new module is listed without anyone writing it down');
  assert.notEqual(build().version, b3.version);
});

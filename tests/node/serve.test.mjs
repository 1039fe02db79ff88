// serve.test.mjs — scripts/serve.mjs's caching: every file has validators (ETag,
// Last-Modified) and `Cache-Control: no-cache`, a conditional request for an unchanged file is
// a 304 without a body, a changed file is a 200 with a new validator, the page's CSP header is
// sent on both, and sw.js is never cached without asking. Served from a temporary folder.
//
// Run: node --test tests/node/serve.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startServer } from '../browser/helpers.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlab-serve-'));
const POLICY = "default-src 'self'; object-src 'none'";

let server, base;
let log = []; // the server's lines: "status METHOD path body-bytes"

before(async () => {
  fs.writeFileSync(path.join(dir, 'index.html'),
    `<!doctype html><meta http-equiv="Content-Security-Policy" content="${POLICY}"><title>t</title>\n`);
  fs.writeFileSync(path.join(dir, 'sw.js'), '// worker\n');
  fs.writeFileSync(path.join(dir, 'app.js'), 'export const v = 1;\n');
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data/x.gz'), Buffer.alloc(50000, 7));
  server = await startServer(dir, { SERVE_LOG: '1' });
  base = server.url;
  log = server.log;
});

after(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (file, headers = {}) => fetch(new URL(file, base), { headers });

// The server's log lines arrive through a pipe, a little after the responses: the first
// line that starts with `prefix`, once it is there.
async function logLine(prefix) {
  for (;;) {
    const line = log.find((l) => l.startsWith(prefix));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('every file has an ETag, a Last-Modified, no-cache and the page\'s CSP', async () => {
  for (const file of ['', 'index.html', 'app.js', 'sw.js', 'data/x.gz']) {
    const res = await get(file);
    assert.equal(res.status, 200, file);
    await res.arrayBuffer();
    assert.match(res.headers.get('etag') ?? '', /^"[^"]+"$/, `${file}: ETag`);
    assert.ok(!Number.isNaN(Date.parse(res.headers.get('last-modified'))), `${file}: Last-Modified`);
    assert.equal(res.headers.get('cache-control'), 'no-cache', file);
    assert.equal(res.headers.get('content-security-policy'), POLICY, file);
  }
});

test('a conditional GET of an unchanged file is a 304 with no body, and keeps the CSP', async () => {
  const first = await get('data/x.gz');
  assert.equal((await first.arrayBuffer()).byteLength, 50000);
  const etag = first.headers.get('etag');
  const lastModified = first.headers.get('last-modified');

  const byTag = await get('data/x.gz', { 'If-None-Match': etag });
  assert.equal(byTag.status, 304);
  assert.equal((await byTag.arrayBuffer()).byteLength, 0);
  assert.equal(byTag.headers.get('etag'), etag);
  assert.equal(byTag.headers.get('content-security-policy'), POLICY);
  // What the server log says reached the wire (tests/browser/offline.test.mjs counts these).
  assert.equal(await logLine('304 '), '304 GET /data/x.gz 0');

  // One of several tags, and a weak one, match too (RFC 9110's weak comparison).
  assert.equal((await get('data/x.gz', { 'If-None-Match': `"other", W/${etag}` })).status, 304);
  assert.equal((await get('data/x.gz', { 'If-Modified-Since': lastModified })).status, 304);
  // If-None-Match decides when both are there.
  const both = await get('data/x.gz', { 'If-None-Match': '"other"', 'If-Modified-Since': lastModified });
  assert.equal(both.status, 200);
  await both.arrayBuffer();
  const older = await get('data/x.gz', { 'If-Modified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' });
  assert.equal(older.status, 200);
  assert.equal((await older.arrayBuffer()).byteLength, 50000);
});

test('a changed file is a 200 with new validators', async () => {
  const old = await get('app.js');
  await old.text();
  const etag = old.headers.get('etag');
  // Same size, new content, a modification time a minute later.
  fs.writeFileSync(path.join(dir, 'app.js'), 'export const v = 2;\n');
  const later = new Date(Date.parse(old.headers.get('last-modified')) + 60000);
  fs.utimesSync(path.join(dir, 'app.js'), later, later);

  const res = await get('app.js', { 'If-None-Match': etag });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'export const v = 2;\n');
  assert.notEqual(res.headers.get('etag'), etag);
  assert.equal(Date.parse(res.headers.get('last-modified')), later.getTime());
  const again = await get('app.js', { 'If-None-Match': res.headers.get('etag') });
  assert.equal(again.status, 304);
});

test('sw.js is no-cache, so the browser asks for it each time it looks for an update', async () => {
  const res = await get('sw.js');
  await res.text();
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(res.headers.get('content-type'), /^text\/javascript/);
  const etag = res.headers.get('etag');
  fs.writeFileSync(path.join(dir, 'sw.js'), '// worker, version 2\n');
  const changed = await get('sw.js', { 'If-None-Match': etag });
  assert.equal(changed.status, 200);
  assert.equal(await changed.text(), '// worker, version 2\n');
});

test('HEAD answers with the same validators and no body; missing files are 404', async () => {
  const head = await fetch(new URL('data/x.gz', base), { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), '50000');
  assert.ok(head.headers.get('etag'));
  const cond = await fetch(new URL('data/x.gz', base), { method: 'HEAD', headers: { 'If-None-Match': head.headers.get('etag') } });
  assert.equal(cond.status, 304);
  assert.equal((await get('nothing.js')).status, 404);
});

#!/usr/bin/env node
// serve.mjs — a tiny static file server for the built site (build/web).
//
// Node is already needed for the wasm build, so the page does not depend on
// Python. It serves GET/HEAD from one directory with the MIME types browsers
// insist on (application/wasm for streaming compilation, text/javascript for
// modules), never outside that directory (paths are resolved, symlinks
// followed, then checked), and binds to 127.0.0.1 unless HOST says otherwise.
// Every response carries the page's Content-Security-Policy as a header too:
// the policy is read from the <meta> tag of DIR/index.html, so the two are one.
//
// Every file is sent with validators (ETag and Last-Modified, from its size and
// modification time) and `Cache-Control: no-cache`: the browser keeps a copy but
// asks each time, and an unchanged file costs a 304 with no body, so a class
// reloading the page does not download MNIST's 12 MB again. The URLs carry no
// version, so a max-age would keep serving an old file after a rebuild; sw.js
// in particular must be asked for each time, or an update would go unseen.
//
// Every response is also cross-origin isolated (COOP same-origin, COEP
// require-corp; everything is same-origin already), which gives the page
// shared memory and so its threads module; ISOLATE=0 leaves the two headers
// out, as a plain static host would (the page then trains on one thread).
//
// Usage: node scripts/serve.mjs [DIR]     (PORT=8080 HOST=127.0.0.1 ISOLATE=1 by default;
//        SERVE_LOG=1 prints one line per response: status, method, path, body bytes)

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  // The page gunzips the MNIST files itself (DecompressionStream), so they
  // are sent as plain gzip data, not with Content-Encoding.
  '.gz': 'application/gzip',
  '.nnl': 'application/octet-stream',
};

const root = fs.realpathSync(path.resolve(process.argv[2] ?? 'build/web'));

// The policy of <meta http-equiv="Content-Security-Policy" content="..."> in index.html.
function pagePolicy() {
  let html = '';
  try {
    html = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
  } catch {
    return null;
  }
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  return m ? m[1] : null;
}
const csp = pagePolicy();
const port = Number.parseInt(process.env.PORT ?? '8080', 10);
const ISOLATION = process.env.ISOLATE === '0' ? {} : {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
const host = process.env.HOST ?? '127.0.0.1';
const log = process.env.SERVE_LOG === '1';

function send(res, status, text, headOnly) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(headOnly ? undefined : `${status} ${text}\n`);
}

// The file a URL path names, or null when it is outside root or absent.
function resolve(urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  let file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  try {
    file = fs.realpathSync(file);
    if (fs.statSync(file).isDirectory()) file = fs.realpathSync(path.join(file, 'index.html'));
  } catch {
    return null;
  }
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return fs.statSync(file).isFile() ? file : null;
}

// Validators of a file: the ETag changes whenever its size or its modification
// time (in nanoseconds) does; Last-Modified has whole seconds, as HTTP dates do.
function validators(file) {
  const st = fs.statSync(file, { bigint: true });
  return {
    etag: `"${st.size.toString(36)}-${st.mtimeNs.toString(36)}"`,
    lastModified: new Date(Number(st.mtimeMs)).toUTCString(),
    seconds: Number(st.mtimeMs / 1000n),
    size: Number(st.size),
  };
}

// RFC 9110 13.1: If-None-Match (weak comparison) decides when present; only
// without it does If-Modified-Since count.
function notModified(req, v) {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    return inm.trim() === '*' || inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === v.etag);
  }
  const ims = Date.parse(req.headers['if-modified-since'] ?? '');
  return !Number.isNaN(ims) && v.seconds <= Math.floor(ims / 1000);
}

const server = http.createServer((req, res) => {
  if (log) {
    let bytes = 0;
    const write = res.write, end = res.end;
    res.write = function (chunk, ...rest) {
      if (chunk && typeof chunk !== 'function') bytes += Buffer.byteLength(chunk);
      return write.call(this, chunk, ...rest);
    };
    res.end = function (chunk, ...rest) {
      if (chunk && typeof chunk !== 'function') bytes += Buffer.byteLength(chunk);
      return end.call(this, chunk, ...rest);
    };
    res.on('finish', () => console.log(`${res.statusCode} ${req.method} ${req.url} ${bytes}`));
  }
  const headOnly = req.method === 'HEAD';
  if (req.method !== 'GET' && !headOnly) {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'Method Not Allowed', headOnly);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const file = resolve(url.pathname);
  if (!file) return send(res, 404, 'Not Found', headOnly);

  const v = validators(file);
  const headers = {
    'Cache-Control': 'no-cache',
    'ETag': v.etag,
    'Last-Modified': v.lastModified,
    'X-Content-Type-Options': 'nosniff',
    ...(csp ? { 'Content-Security-Policy': csp } : {}),
    ...ISOLATION,
  };
  if (notModified(req, v)) {
    res.writeHead(304, headers);
    return res.end();
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': v.size,
    ...headers,
  });
  if (headOnly) return res.end();
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
});

server.on('error', (err) => {
  if (err.code === 'EADDRINUSE') {
    console.error(`serve: port ${port} is in use; choose another with PORT=${port + 1}`);
  } else {
    console.error(`serve: ${err.message}`);
  }
  process.exit(1);
});

// PORT=0 picks a free port (the browser tests do this); print the real one.
server.listen(port, host, () => {
  const shown = host === '127.0.0.1' || host === '::1' ? 'localhost' : host;
  const actual = server.address().port;
  console.log(`Serving ${path.relative(process.cwd(), root) || root} at http://${shown}:${actual}/ (Ctrl-C to stop)`);
});

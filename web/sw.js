// sw.js — nnlab's service worker: after one visit the page works without a network.
//
// On install it keeps every file of the site in Cache Storage (the list is BUILD below,
// written by scripts/stamp_sw.mjs when the site is built): the app files in a cache named
// after their version, the MNIST files in a cache of their own that outlives app versions,
// each file under its content hash, so a new version of the app does not fetch 12 MB again.
// It answers the page's requests from those caches first and asks the network only for what
// is not there. A new version installs beside the old one and waits; the page offers it
// (web/js/offline.js) and tells it to take over, and on activation it deletes the caches of
// older versions and data files no longer listed. It is a classic script, not a module:
// every browser that has service workers runs those.
//
// It is the page's only service worker, and it makes the page cross-origin isolated: every
// response it gives passes through withHeaders(), which adds COOP and COEP (HEADERS below),
// so that from the second load on, on any static host, the page has shared memory and
// trains on threads, as coi-serviceworker and Godot's web export do.

'use strict';

// { version, bytes, app: [site paths], data: { site path: content hash } }, or null in
// web/sw.js as committed: a worker that was not stamped installs nothing.
const BUILD = null;

const APP_PREFIX = 'nnlab-app-';
const APP_CACHE = BUILD && APP_PREFIX + BUILD.version;
const DATA_CACHE = 'nnlab-data-v1';
const APP_FILES = new Set(BUILD ? BUILD.app : []);
const SCOPE = new URL(self.registration.scope);

// Headers added to every response this worker gives the page: cross-origin isolation
// (everything the page loads is its own, so require-corp blocks nothing).
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// ---------------------------------------------------------------------------------------------
// Which cache holds a site path, and under what key

// [cache name, key] for a path of the site ('index.html', 'data/x.gz'), or null if it is
// not one of the files kept (then the network answers, as without a worker).
function cacheKey(sitePath) {
  if (!BUILD) return null;
  if (APP_FILES.has(sitePath)) return [APP_CACHE, new URL(sitePath, SCOPE).href];
  const hash = BUILD.data[sitePath];
  return hash ? [DATA_CACHE, new URL(`${sitePath}?v=${hash}`, SCOPE).href] : null;
}

// The site path of a URL of this origin ('' and the query dropped: index.html?test is the
// page too), or null outside the worker's scope.
function sitePath(url) {
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return null;
  return url.pathname.slice(SCOPE.pathname.length) || 'index.html';
}

// ---------------------------------------------------------------------------------------------
// Filling the caches

// Puts every listed file that is missing into its cache. The files come with `no-cache`: the
// browser's HTTP cache then revalidates what it has (a 304 from the server, no body), so the
// files the page has just loaded are not downloaded a second time, and nothing stale is kept.
// Returns how many files could not be fetched; a second call fetches only those, so a fill
// cut short by the network goes on from where it stopped.
async function fill() {
  const caches_ = { [APP_CACHE]: await caches.open(APP_CACHE), [DATA_CACHE]: await caches.open(DATA_CACHE) };
  const paths = [...BUILD.app, ...Object.keys(BUILD.data)];
  const results = await Promise.allSettled(paths.map(async (p) => {
    const [name, key] = cacheKey(p);
    const cache = caches_[name];
    if (await cache.match(key)) return;
    const res = await fetch(new URL(p, SCOPE), { cache: 'no-cache' });
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
    await cache.put(key, res);
  }));
  return results.filter((r) => r.status === 'rejected').length;
}

self.addEventListener('install', (event) => {
  // No skipWaiting here: a new version waits until the page says so (the update prompt),
  // so a page never runs half old and half new files.
  event.waitUntil((async () => {
    if (!BUILD) throw new Error('sw.js lists no files: the site was not built by scripts/build_web.sh');
    const failed = await fill();
    if (failed) throw new Error(`${failed} files could not be fetched`);
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(APP_PREFIX) && name !== APP_CACHE) await caches.delete(name);
    }
    const keep = new Set(Object.keys(BUILD.data).map((p) => cacheKey(p)[1]));
    const data = await caches.open(DATA_CACHE);
    for (const req of await data.keys()) {
      if (!keep.has(req.url)) await data.delete(req);
    }
    // The page that installed the first version is served by it from now on, without a reload.
    await self.clients.claim();
  })());
});

// ---------------------------------------------------------------------------------------------
// Answering requests

// Every response the worker gives goes through here: a copy with HEADERS added.
function withHeaders(response) {
  if (response.type === 'opaque' || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

// Cache first; a listed file that is not there (evicted, or the fill is still running)
// comes from the network and is kept.
async function answer(request, url) {
  const p = sitePath(url);
  const where = p === null ? null : cacheKey(p);
  if (!where) return fetch(request);
  const cache = await caches.open(where[0]);
  const hit = await cache.match(where[1]);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok && res.status === 200) await cache.put(where[1], res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== SCOPE.origin) return;
  event.respondWith(answer(request, url).then(withHeaders));
});

// ---------------------------------------------------------------------------------------------
// The page's questions (web/js/offline.js)

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'skipWaiting') {
    self.skipWaiting();
  } else if (type === 'status' && event.ports[0]) {
    // Is everything still there? The browser may have evicted some of it; fill() puts back
    // what it can. { version, bytes, missing: files not kept }.
    event.waitUntil((async () => {
      const missing = BUILD ? await fill() : -1;
      event.ports[0].postMessage({ version: BUILD && BUILD.version, bytes: BUILD && BUILD.bytes, missing });
    })());
  }
});

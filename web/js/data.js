// data.js — fetch the four gzipped MNIST IDX files, decompress them with the
// browser's DecompressionStream and check their headers. Only loading and
// decoding: the bytes go to the worker (through the bridge) untouched, where
// the C core parses them for real.

export const FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
};

// An error whose message the UI translates: key and params index the i18n table.
export class DataError extends Error {
  constructor(key, params) {
    super(`${key} ${JSON.stringify(params)}`);
    this.key = key;
    this.params = params;
  }
}

// ---------------------------------------------------------------------------
// IDX header check (big-endian): magic 0x00000803 + n, rows, cols for images,
// 0x00000801 + n for labels, and a length that matches.

export function checkIdx(buf, kind, name) {
  const v = new DataView(buf);
  const want = kind === 'images' ? 0x803 : 0x801;
  const headerLen = kind === 'images' ? 16 : 8;
  if (buf.byteLength < headerLen) throw new DataError('data.errShort', { name, n: buf.byteLength });
  const magic = v.getUint32(0);
  if (magic !== want) {
    throw new DataError('data.errMagic', { name, want: hex(want), got: hex(magic) });
  }
  const n = v.getUint32(4);
  const per = kind === 'images' ? v.getUint32(8) * v.getUint32(12) : 1;
  const expect = headerLen + n * per;
  if (buf.byteLength !== expect) {
    throw new DataError('data.errLength', { name, want: expect, got: buf.byteLength });
  }
  return kind === 'images' ? { n, rows: v.getUint32(8), cols: v.getUint32(12) } : { n };
}

const hex = (x) => `0x${x.toString(16).padStart(8, '0')}`;

// ---------------------------------------------------------------------------
// Fetching with progress

// Count compressed bytes as they stream past, then gunzip.
async function fetchGz(url, onBytes) {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new DataError('data.errHttp', { name: url, status: res.status });
  const total = Number(res.headers.get('Content-Length')) || 0;
  onBytes(0, total);
  let seen = 0;
  let lastYield = performance.now();
  const counter = new TransformStream({
    async transform(chunk, ctl) {
      seen += chunk.byteLength;
      onBytes(seen, total);
      ctl.enqueue(chunk);
      // Stream pipes run as microtasks, so a fast local download would gunzip
      // tens of MB in one task; give the event loop a turn every few ms.
      if (performance.now() - lastYield > 8) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    },
  });
  const stream = res.body.pipeThrough(counter).pipeThrough(new DecompressionStream('gzip'));
  try {
    return await new Response(stream).arrayBuffer();
  } catch (e) {
    throw new DataError('data.errGzip', { name: url, msg: String(e.message || e) });
  }
}

// Load all four files from `base` (a URL ending in '/'). onProgress(fraction)
// is called as bytes arrive (fraction in [0, 1], or NaN while sizes are unknown).
// Returns { train: {images, labels, n}, test: {images, labels, n} } with
// ArrayBuffers ready to be transferred.
export async function loadMnist(base, onProgress) {
  const parts = [];
  for (const set of ['train', 'test']) {
    for (const kind of ['images', 'labels']) parts.push({ set, kind, seen: 0, total: 0 });
  }
  const report = () => {
    const total = parts.reduce((s, p) => s + p.total, 0);
    const seen = parts.reduce((s, p) => s + p.seen, 0);
    const known = parts.every((p) => p.total > 0);
    onProgress(known ? Math.min(1, seen / total) : NaN, seen);
  };
  const bufs = await Promise.all(parts.map((p) => fetchGz(new URL(FILES[p.set][p.kind], base), (seen, total) => {
    p.seen = seen;
    p.total = total;
    report();
  })));
  const out = { train: {}, test: {} };
  parts.forEach((p, i) => {
    const info = checkIdx(bufs[i], p.kind, FILES[p.set][p.kind].replace('.gz', ''));
    out[p.set][p.kind] = bufs[i];
    out[p.set][`${p.kind}Count`] = info.n;
  });
  for (const set of ['train', 'test']) {
    const s = out[set];
    if (s.imagesCount !== s.labelsCount) {
      throw new DataError('data.errCount', { set, images: s.imagesCount, labels: s.labelsCount });
    }
    s.n = s.imagesCount;
  }
  return out;
}

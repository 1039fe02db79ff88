// gunzip.js — gzip detection and decompression for files the user picks.
//
// A file is gzip when it starts with the gzip magic 1f 8b, whatever its name
// says: a renamed .gz is still unpacked, and a raw file called .gz is not.
// Decompression is the browser's DecompressionStream, which works off the
// main thread and rejects damaged or truncated data.

export function isGzip(buf) {
  if (buf.byteLength < 2) return false;
  const b = new Uint8Array(buf, 0, 2);
  return b[0] === 0x1f && b[1] === 0x8b;
}

// The decompressed bytes of a gzip ArrayBuffer (rejects when it is damaged).
export async function gunzip(buf) {
  const stream = new Blob([buf]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

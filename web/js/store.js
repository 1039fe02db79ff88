// store.js — the last trained model, kept in IndexedDB so that a reload (or
// tomorrow's lesson) can offer it again. One record under one key: the .nnl
// bytes and a few facts to describe it. Storage only, no DOM.
//
// IndexedDB rather than localStorage: a model is up to megabytes of binary,
// which localStorage would have to hold as a (larger) string.

const DB = 'nnlab-models';
const STORE = 'models';
const KEY = 'last';

function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('IndexedDB is not available'));
      return;
    }
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

function run(mode, fn) {
  return open().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => {
      db.close();
      resolve(req.result);
    };
    tx.onerror = () => {
      db.close();
      reject(tx.error);
    };
    tx.onabort = () => {
      db.close();
      reject(tx.error || new Error('IndexedDB transaction aborted'));
    };
  }));
}

// record: { bytes: ArrayBuffer, savedAt: ISO string, layers, epochs, params }
export function putLastModel(record) {
  return run('readwrite', (s) => s.put(record, KEY));
}

// The record, or undefined.
export function getLastModel() {
  return run('readonly', (s) => s.get(KEY));
}

export function deleteLastModel() {
  return run('readwrite', (s) => s.delete(KEY));
}

// ui/download.js — save a Blob or data URL as a file.

export function downloadBlob(name, blob) {
  const url = URL.createObjectURL(blob);
  downloadUrl(name, url);
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadUrl(name, url) {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

// ui/share_view.js — the setup's own buttons (Copy link, Reset to defaults,
// Download notebook) and the notice that says what a shared link could not
// give (a value out of range, a setting that did not read, another version).

import { apply, setI18n, t } from '../i18n.js';
import { MAX_LINK, setupLink, setupNotice } from '../share.js';
import { notebookJson } from '../notebook.js';
import { toast } from './dialog.js';
import { downloadBlob } from './download.js';

export class ShareView {
  // handlers: { config() → the form's setup, reset() }
  constructor(handlers) {
    this.handlers = handlers;
    this.notice = document.getElementById('setup-notice');
    this.list = document.getElementById('setup-notice-list');
    this.linkBox = document.getElementById('setup-link-box');
    document.getElementById('btn-copy-link').addEventListener('click', () => this.copyLink());
    document.getElementById('btn-reset').addEventListener('click', () => handlers.reset());
    document.getElementById('btn-notebook').addEventListener('click', () => this.downloadNotebook());
    document.getElementById('setup-notice-ok').addEventListener('click', () => { this.notice.hidden = true; });
  }

  link() {
    return setupLink(location.href, this.handlers.config());
  }

  // To the clipboard; where the page may not write there (an http:// address
  // that is not localhost, a refused permission), the link is shown to copy by hand.
  async copyLink() {
    const link = this.link();
    if (link.length > MAX_LINK) toast('share.tooLong', { n: link.length });
    try {
      await navigator.clipboard.writeText(link);
      this.linkBox.hidden = true;
      toast('share.copied');
    } catch {
      const input = this.linkBox.querySelector('input');
      input.value = link;
      this.linkBox.hidden = false;
      input.focus();
      input.select();
    }
  }

  downloadNotebook() {
    const c = this.handlers.config();
    downloadBlob('nnlab-mnist.ipynb', new Blob([notebookJson(c, t)], { type: 'application/x-ipynb+json' }));
  }

  // got: decodeSetup()'s answer for the page's link, or null (a reload: nothing to say).
  showNotice(got) {
    this.items = setupNotice(got);
    this.notice.hidden = this.items.length === 0;
    this.list.replaceChildren(...this.items.map(() => document.createElement('li')));
    this.relabel();
    apply(this.notice);
  }

  // The notice in the page's language (on a switch too): the field's name is a word of the form.
  relabel() {
    (this.items || []).forEach((item, i) => {
      setI18n(this.list.children[i], item.key, { ...item.params, field: item.label ? t(item.label) : item.params.key });
    });
  }
}

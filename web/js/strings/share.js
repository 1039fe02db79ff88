// strings/share.js — the sentences of the share link, the remembered form, runs' names and undo, Download notebook.
// i18n.js merges every strings/ table into its own; keys are unique across all of them
// (tests/node/i18n.test.mjs checks that, and that each key has both languages).

export default {
  en: {
  },
  zh: {
  },
};

// strings/access.js — the sentences of layout, phones, projector mode, keyboard and screen readers, the charts' text alternative.
// i18n.js merges every strings/ table into its own; keys are unique across all of them
// (tests/node/i18n.test.mjs checks that, and that each key has both languages).

export default {
  en: {
  },
  zh: {
  },
};

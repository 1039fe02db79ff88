// strings/reasons.js — the sentences of the core's reason codes: every error the C core returns, in both languages.
// i18n.js merges every strings/ table into its own; keys are unique across all of them
// (tests/node/i18n.test.mjs checks that, and that each key has both languages).

export default {
  en: {
  },
  zh: {
  },
};

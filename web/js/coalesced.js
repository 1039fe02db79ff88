// coalesced.js — run an async job so that calls while it runs fold into one
// more run after it: the latest state is always shown, and never two
// requests at once (the pad's predictions, the inspection views, the feature
// maps). No DOM.

export function coalesced(job) {
  let busy = false;
  let again = false;
  const run = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        await job();
      } while (again);
    } finally {
      busy = false;
    }
  };
  run.busy = () => busy;
  return run;
}

// Loads where the command runs and refuses to load in a campaign's worker thread: a campaign on worker threads
// then fails before any seed ran (a harness error), with nothing written into its report folder.
import { workerData } from 'node:worker_threads';

// A campaign worker is started with the implementation's description (src/check/workers.ts).
if (workerData?.implementationSpec !== undefined) throw new Error('this module is broken in worker threads on purpose');

export default {
  name: 'fails-in-workers',
  version: '1',
  createNode() {
    return { step: () => ({ messages: [], records: [], sync: false, applied: [], answers: [] }) };
  },
};

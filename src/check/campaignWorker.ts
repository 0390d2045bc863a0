// One worker thread of a campaign (src/check/workers.ts): loads the implementation from its
// description, then runs each seed it is sent and answers with the seed's outcome. Everything a
// run depends on comes in workerData and the messages, so a seed's outcome here is the one it has
// in the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { seedOutcome } from './campaign.js';
import { loadImplementation } from './implementations.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './workers.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;

function reply(message: WorkerReply): void {
  port.postMessage(message);
}

try {
  // The main thread built or found anything the implementation needs (the etcd adapter) already.
  const implementation = await loadImplementation(setup.implementationSpec, { ...setup.processSettings, buildEtcd: false });
  const base = { implementation, scenario: setup.scenario };
  const checks = { checkDeterminism: setup.checkDeterminism, keepChoices: setup.keepChoices };
  port.on('message', (message: WorkerRequest) => {
    try {
      reply({ kind: 'outcome', index: message.index, outcome: seedOutcome(message.plan, base, checks) });
    } catch (error) {
      reply({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
} catch (error) {
  reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
}

// raft-rs made to misbehave, cheaply: its adapter program unchanged, but every durable record it
// writes is thrown away, so a node restarts with no term, vote or log. The harness must catch it
// (a restarted node's term goes back) and replay the failure from its trace alone.

import { processImplementation } from '../../../../dist/src/adapters/process.js';
import { raftRsAdapterCommand } from '../../../../dist/src/adapters/raftRs.js';

export default function createImplementation() {
  const raftRs = processImplementation({ program: raftRsAdapterCommand({ build: true, log: () => {} }) });
  return {
    ...raftRs,
    name: 'raft-rs-amnesia',
    createNode() {
      const node = raftRs.createNode();
      return { step: (input) => ({ ...node.step(input), records: [] }), dispose: () => node.dispose?.() };
    },
  };
}

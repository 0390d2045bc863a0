// The reference implementation, plugged in through the contract like any other.

import type { Implementation } from '../contract/contract.js';
import { RaftNode } from '../raft/node.js';
import type { RaftBugs } from '../raft/bugs.js';
import { noBugs } from '../raft/bugs.js';

export const referenceVersion = '0.1.0';

export function referenceImplementation(bugs: RaftBugs = noBugs): Implementation {
  const names = [...bugs.enabled].sort();
  return {
    name: names.length === 0 ? 'reference' : `reference+${names.join('+')}`,
    version: referenceVersion,
    createNode: () => new RaftNode(bugs),
  };
}

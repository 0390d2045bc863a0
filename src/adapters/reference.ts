// The reference implementation, plugged in through the contract like any other, with its
// exploration hook (src/raft/exploration.ts) for the explorer's symmetry reduction.

import type { Implementation } from '../contract/contract.js';
import { referenceExploration } from '../raft/exploration.js';
import { referenceLeaseDriftMax } from '../raft/leadership.js';
import { RaftNode } from '../raft/node.js';
import type { RaftMessage } from '../raft/messages.js';
import { referenceMessageView } from '../raft/messages.js';
import type { RaftBugs } from '../raft/bugs.js';
import { noBugs } from '../raft/bugs.js';

export const referenceVersion = '0.1.0';

/** The bugs each reference implementation was made with, so it can be described again (workers, traces). */
const bugNamesOf = new WeakMap<Implementation, readonly string[]>();

export function referenceImplementation(bugs: RaftBugs = noBugs): Implementation {
  const names = [...bugs.enabled].sort();
  const implementation: Implementation = {
    name: names.length === 0 ? 'reference' : `reference+${names.join('+')}`,
    version: referenceVersion,
    createNode: () => new RaftNode(bugs),
    features: ['membership', 'snapshots', 'preVote', 'checkQuorum', 'leadershipTransfer', 'leaseReads'],
    leaseDriftMax: referenceLeaseDriftMax,
    exploration: referenceExploration,
    messageView: (message) => referenceMessageView(message.body as RaftMessage),
  };
  bugNamesOf.set(implementation, names);
  return implementation;
}

/** The bug names of an implementation made by referenceImplementation, sorted; null for any other. */
export function referenceBugNames(implementation: Implementation): readonly string[] | null {
  return bugNamesOf.get(implementation) ?? null;
}

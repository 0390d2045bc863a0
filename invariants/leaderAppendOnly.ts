// Leader append-only (Raft paper, Figure 3): a leader never overwrites or deletes entries in its
// log; it only appends new entries. Checked while a node stays leader of the same term: its log
// after each step must extend the log it had before (one prefix-hash comparison).

import type { NodeId } from '../src/core/ids.js';
import type { InvariantDefinition } from './types.js';
import { becameLeader, violation } from './support.js';

const name = 'leader-append-only';

export const leaderAppendOnly: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'A leader never overwrites or deletes entries of its own log during its term.',
  create() {
    /** For the audit: the log each current leader had when it was elected. */
    const atElection = new Map<NodeId, { term: number; incarnation: number; lastIndex: number; prefixHash: number }>();
    return {
      name,
      afterStep({ change, cluster }) {
        const mirror = cluster.mirror(change.node);
        if (!mirror.hasLog || mirror.role !== 'leader') return null;
        if (becameLeader(mirror, change)) {
          atElection.set(change.node, {
            term: mirror.term,
            incarnation: mirror.incarnation,
            lastIndex: mirror.lastIndex,
            prefixHash: mirror.prefixHashes[mirror.lastIndex],
          });
          return null;
        }
        if (change.logChangedFrom === Number.POSITIVE_INFINITY) return null;
        const kept = change.previousLastIndex <= mirror.lastIndex && mirror.prefixHashes[change.previousLastIndex] === change.previousLastPrefixHash;
        if (kept) return null;
        return violation({
          invariant: name,
          message:
            `leader n${change.node} of term ${mirror.term} rewrote its own log from index ${change.logChangedFrom} ` +
            `(it had ${change.previousLastIndex} entries, now ${mirror.lastIndex})`,
          nodes: [change.node],
          eventNumber: change.eventNumber,
          timeMs: change.timeMs,
          evidence: { term: mirror.term, changedFromIndex: change.logChangedFrom, lastIndexBefore: change.previousLastIndex, lastIndexAfter: mirror.lastIndex },
        });
      },
      audit(cluster, eventNumber, timeMs) {
        for (const [node, elected] of atElection) {
          const mirror = cluster.mirror(node);
          if (!mirror.up || mirror.role !== 'leader' || mirror.term !== elected.term || mirror.incarnation !== elected.incarnation) continue;
          if (elected.lastIndex <= mirror.lastIndex && mirror.prefixHashes[elected.lastIndex] === elected.prefixHash) continue;
          return violation({
            invariant: name,
            message: `audit: leader n${node} of term ${elected.term} no longer holds the log it had when elected`,
            nodes: [node],
            eventNumber,
            timeMs,
            evidence: { term: elected.term, lastIndexAtElection: elected.lastIndex, lastIndexNow: mirror.lastIndex },
          });
        }
        return null;
      },
    };
  },
};

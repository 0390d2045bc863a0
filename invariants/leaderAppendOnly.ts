// Leader append-only (Raft paper, Figure 3): a leader never overwrites or deletes entries in its
// log; it only appends new entries. Checked while a node stays leader of the same term: its log
// after each step must extend the log it had before (one prefix-hash comparison).

import type { NodeId } from '../src/core/ids.js';
import type { ObservedCluster, Violation } from '../src/contract/observation.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import { becameLeader, ForkableState, violation } from './support.js';

const name = 'leader-append-only';

export const leaderAppendOnly: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'A leader never overwrites or deletes entries of its own log during its term.',
  create() {
    return new LeaderAppendOnly(new ForkableState<ElectionLogs>(new Map(), (logs) => new Map(logs)));
  },
};

/** For the audit: the log each current leader had when it was elected. */
type ElectionLogs = Map<NodeId, { term: number; incarnation: number; lastIndex: number; prefixHash: number }>;

/**
 * The checker over one (possibly shared) state. Nothing to digest: a step is judged against the
 * node's log before it (the observation's), and the logs at election serve only the audit.
 */
class LeaderAppendOnly implements InvariantChecker {
  readonly name = name;

  constructor(private readonly state: ForkableState<ElectionLogs>) {}

  fork(): InvariantChecker {
    return new LeaderAppendOnly(this.state.fork());
  }

  get version(): number {
    return this.state.version;
  }

  afterStep({ change, cluster }: CheckContext): Violation | null {
    const mirror = cluster.mirror(change.node);
    if (!mirror.hasLog || mirror.role !== 'leader') return null;
    if (becameLeader(mirror, change)) {
      this.state.write().set(change.node, {
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
  }

  audit(cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | null {
    for (const [node, elected] of this.state.read) {
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
  }
}

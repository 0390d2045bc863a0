// Leader completeness (Raft paper, Figure 3): if an entry is committed in a given term, it is
// present in the logs of the leaders of all higher terms.
//
// "Committed in" is the term of the leader that committed the entry, which may be later than
// the entry's own term (Figure 8: an old entry is committed indirectly with a new one). The
// observation keeps an upper bound on it per index (the observer's term), so this check never
// holds a leader to an entry committed after its term; see ObservedCluster.commitTermRuns.
//
// Incremental: a leader's log is compared with the committed history by one prefix hash at the
// last index committed before its term (one binary search over the commit-term runs). This is
// done when a node becomes leader, when a leader's log changes, and for every current leader
// when the committed history grows: O(nodes) per commit, never O(log length).

import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import type { ObservedCluster, ObservedNode, Violation } from '../src/contract/observation.js';
import { becameLeader, committedEntryLabel, firstDifferenceFromCommitted, mirrorEntryLabel, violation } from './support.js';

const name = 'leader-completeness';

export const leaderCompleteness: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'Every committed entry is in the log of every leader of a later term.',
  create() {
    return new LeaderCompleteness(0);
  },
};

/**
 * The checker, having checked every leader at committed version `checkedVersion`. Nothing to
 * digest: after every step the version checked is the observation's own.
 */
class LeaderCompleteness implements InvariantChecker {
  readonly name = name;

  constructor(private checkedVersion: number) {}

  fork(): InvariantChecker {
    return new LeaderCompleteness(this.checkedVersion);
  }

  afterStep({ change, cluster }: CheckContext): Violation | null {
    const mirror = cluster.mirror(change.node);
    if (mirror.hasLog && mirror.role === 'leader') {
      const rewrote = change.logChangedFrom !== Number.POSITIVE_INFINITY;
      if (becameLeader(mirror, change) || rewrote) {
        const found = checkLeader(cluster, mirror, change.eventNumber, change.timeMs);
        if (found !== null) return found;
      }
    }
    if (cluster.committedVersion !== this.checkedVersion) {
      this.checkedVersion = cluster.committedVersion;
      for (const leader of cluster.nodes.values()) {
        if (!leader.up || !leader.hasLog || leader.role !== 'leader') continue;
        const found = checkLeader(cluster, leader, change.eventNumber, change.timeMs);
        if (found !== null) return found;
      }
    }
    return null;
  }

  audit(cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | null {
    for (const leader of cluster.nodes.values()) {
      if (!leader.up || !leader.hasLog || leader.role !== 'leader') continue;
      // From scratch: every committed index whose commit-term bound is below the leader's term.
      let upTo = 0;
      for (let index = 1; index <= cluster.committedLength; index += 1) {
        if (cluster.commitTermOf(index) < leader.term) upTo = index;
      }
      const differsAt = firstDifferenceFromCommitted(cluster, leader, upTo);
      if (differsAt !== -1) return missing(cluster, leader, differsAt, eventNumber, timeMs, 'audit: ');
    }
    return null;
  }
}

function checkLeader(cluster: ObservedCluster, leader: ObservedNode, eventNumber: number, timeMs: number) {
  const upTo = cluster.lastIndexCommittedBeforeTerm(leader.term);
  if (upTo === 0) return null;
  if (upTo <= leader.lastIndex && cluster.prefixHashesOf(leader)[upTo] === cluster.committedPrefix[upTo]) return null;
  return missing(cluster, leader, firstDifferenceFromCommitted(cluster, leader, upTo), eventNumber, timeMs);
}

function missing(cluster: ObservedCluster, leader: ObservedNode, index: number, eventNumber: number, timeMs: number, prefix = '') {
  const committedBy = cluster.committedBy[index];
  return violation({
    invariant: name,
    message:
      `${prefix}leader n${leader.id} of term ${leader.term} lacks committed entry ${index} ` +
      `(${committedEntryLabel(cluster, index)}, committed by term ${cluster.commitTermOf(index)} via n${committedBy}); ` +
      `its log has ${mirrorEntryLabel(leader, index)}`,
    nodes: [leader.id, committedBy],
    eventNumber,
    timeMs,
    evidence: {
      leader: leader.id,
      leaderTerm: leader.term,
      index,
      committedEntry: committedEntryLabel(cluster, index),
      committedByTerm: cluster.commitTermOf(index),
      leaderEntry: mirrorEntryLabel(leader, index),
      leaderLastIndex: leader.lastIndex,
      committedLength: cluster.committedLength,
    },
  });
}

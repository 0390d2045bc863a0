// Leader completeness (Raft paper, Figure 3): if an entry is committed in a given term, it is
// present in the logs of the leaders of all higher terms.
//
// Incremental: when a node becomes leader of term T, compare the prefix hash of its log at c with
// the committed history's, where c is the last committed index of a term below T (one binary
// search, one comparison). When the committed history grows, check the new entries against each
// current leader of a higher term. A leader that rewrites its committed prefix is caught too.

import type { InvariantDefinition } from '../src/sim/invariant.js';
import type { ClusterObservation, NodeMirror } from '../src/sim/observation.js';
import { becameLeader, committedEntryLabel, firstDifferenceFromCommitted, mirrorEntryLabel, violation } from './support.js';

const name = 'leader-completeness';

export const leaderCompleteness: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'Every committed entry is in the log of every leader of a later term.',
  create() {
    let checkedCommittedLength = 0;
    return {
      name,
      afterStep({ change, cluster }) {
        const mirror = cluster.mirror(change.node);
        if (mirror.hasView && mirror.role === 'leader') {
          const rewrote = change.logChangedFrom !== Number.POSITIVE_INFINITY;
          if (becameLeader(mirror, change) || rewrote) {
            const found = checkLeader(cluster, mirror, cluster.lastCommittedIndexBelowTerm(mirror.term), change.eventNumber, change.timeMs);
            if (found !== null) return found;
          }
        }
        if (cluster.committedLength > checkedCommittedLength) {
          for (let index = checkedCommittedLength + 1; index <= cluster.committedLength; index += 1) {
            const term = cluster.committedTerms[index];
            for (const leader of cluster.nodes.values()) {
              if (!leader.up || !leader.hasView || leader.role !== 'leader' || leader.term <= term) continue;
              if (index > leader.lastIndex || leader.prefixHashes[index] !== cluster.committedPrefix[index]) {
                return missing(cluster, leader, index, change.eventNumber, change.timeMs);
              }
            }
          }
          checkedCommittedLength = cluster.committedLength;
        }
        return null;
      },
      audit(cluster, eventNumber, timeMs) {
        for (const leader of cluster.nodes.values()) {
          if (!leader.up || !leader.hasView || leader.role !== 'leader') continue;
          const upTo = cluster.lastCommittedIndexBelowTerm(leader.term);
          const differsAt = firstDifferenceFromCommitted(cluster, leader, upTo);
          if (differsAt !== -1) return missing(cluster, leader, differsAt, eventNumber, timeMs, 'audit: ');
        }
        return null;
      },
    };
  },
};

function checkLeader(cluster: ClusterObservation, leader: NodeMirror, upTo: number, eventNumber: number, timeMs: number) {
  if (upTo === 0) return null;
  if (upTo <= leader.lastIndex && leader.prefixHashes[upTo] === cluster.committedPrefix[upTo]) return null;
  return missing(cluster, leader, firstDifferenceFromCommitted(cluster, leader, upTo), eventNumber, timeMs);
}

function missing(cluster: ClusterObservation, leader: NodeMirror, index: number, eventNumber: number, timeMs: number, prefix = '') {
  const committedBy = cluster.committedBy[index];
  return violation({
    invariant: name,
    message:
      `${prefix}leader n${leader.id} of term ${leader.term} lacks committed entry ${index} ` +
      `(${committedEntryLabel(cluster, index)}, committed via n${committedBy}); its log has ${mirrorEntryLabel(leader, index)}`,
    nodes: [leader.id, committedBy],
    eventNumber,
    timeMs,
    evidence: {
      leader: leader.id,
      leaderTerm: leader.term,
      index,
      committedEntry: committedEntryLabel(cluster, index),
      leaderEntry: mirrorEntryLabel(leader, index),
      leaderLastIndex: leader.lastIndex,
      committedLength: cluster.committedLength,
    },
  });
}

// State machine safety (Raft paper, Figure 3): if a server has applied a log entry at a given
// index, no other server ever applies a different entry for the same index.
//
// Checked at two levels: what nodes apply (the applied outputs, available from any
// implementation) and what nodes consider committed (commit index over their logs, from the
// white-box view). Both are compared with one cluster-wide committed history, by entry for
// applied entries and by prefix hash for commit indexes, so the cost does not grow with the log.

import type { InvariantDefinition } from './types.js';
import { committedEntryLabel, entryLabel, firstDifferenceFromCommitted, mirrorEntryLabel, stateless, violation } from './support.js';

const name = 'state-machine-safety';

export const stateMachineSafety: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'No two nodes apply (or commit) different entries at the same index.',
  create() {
    return {
      name,
      fork: stateless,
      afterStep({ change, cluster }) {
        for (const entry of change.applied) {
          if (entry.index > cluster.committedLength) continue;
          if (cluster.committedTerms[entry.index] === entry.term && cluster.committedIds[entry.index] === entry.commandId) continue;
          const by = cluster.committedBy[entry.index];
          return violation({
            invariant: name,
            message:
              `n${change.node} applied ${entryLabel(entry.term, entry.commandId)} at index ${entry.index}, ` +
              `but ${committedEntryLabel(cluster, entry.index)} was committed there (via n${by})`,
            nodes: [change.node, by],
            eventNumber: change.eventNumber,
            timeMs: change.timeMs,
            evidence: {
              index: entry.index,
              applied: entryLabel(entry.term, entry.commandId),
              committed: committedEntryLabel(cluster, entry.index),
              committedVia: by,
            },
          });
        }
        const mirror = cluster.mirror(change.node);
        if (!mirror.hasLog || mirror.commitIndex === 0) return null;
        const commitChanged = change.started || mirror.commitIndex !== change.previousCommitIndex;
        const committedPartRewritten = change.logChangedFrom <= mirror.commitIndex;
        if (!commitChanged && !committedPartRewritten) return null;
        const upTo = Math.min(mirror.commitIndex, change.committedLengthBefore);
        if (upTo === 0) return null;
        if (upTo <= mirror.lastIndex && cluster.prefixHashesOf(mirror)[upTo] === cluster.committedPrefix[upTo]) return null;
        const index = firstDifferenceFromCommitted(cluster, mirror, upTo);
        const by = cluster.committedBy[index];
        return violation({
          invariant: name,
          message:
            `n${change.node} has commit index ${mirror.commitIndex} over ${mirrorEntryLabel(mirror, index)} at index ${index}, ` +
            `but ${committedEntryLabel(cluster, index)} was committed there (via n${by})`,
          nodes: [change.node, by],
          eventNumber: change.eventNumber,
          timeMs: change.timeMs,
          evidence: {
            index,
            nodeEntry: mirrorEntryLabel(mirror, index),
            committed: committedEntryLabel(cluster, index),
            committedVia: by,
            nodeCommitIndex: mirror.commitIndex,
          },
        });
      },
      audit(cluster, eventNumber, timeMs) {
        for (const mirror of cluster.nodes.values()) {
          if (!mirror.up || !mirror.hasLog) continue;
          const upTo = Math.min(mirror.commitIndex, cluster.committedLength);
          const index = firstDifferenceFromCommitted(cluster, mirror, upTo);
          if (index === -1) continue;
          return violation({
            invariant: name,
            message: `audit: n${mirror.id} has ${mirrorEntryLabel(mirror, index)} at committed index ${index}, the history has ${committedEntryLabel(cluster, index)}`,
            nodes: [mirror.id],
            eventNumber,
            timeMs,
            evidence: { index, nodeEntry: mirrorEntryLabel(mirror, index), committed: committedEntryLabel(cluster, index) },
          });
        }
        return null;
      },
    };
  },
};

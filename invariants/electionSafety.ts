// Election safety (Raft paper, Figure 3): at most one leader can be elected in a given term.
// Incremental: one map from term to the first leader seen in it.

import type { NodeId } from '../src/core/ids.js';
import type { InvariantDefinition } from './types.js';
import { violation } from './support.js';

const name = 'election-safety';

export const electionSafety: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'At most one leader is elected in any term.',
  create() {
    const leaderOfTerm = new Map<number, { node: NodeId; eventNumber: number }>();
    /** Every distinct (term, node) leadership observed, for the end-of-run audit. */
    const observed: { term: number; node: NodeId }[] = [];
    const observedKeys = new Set<string>();
    const remember = (term: number, node: NodeId) => {
      const key = `${term}:${node}`;
      if (observedKeys.has(key)) return;
      observedKeys.add(key);
      observed.push({ term, node });
    };
    return {
      name,
      afterStep({ change, cluster }) {
        const mirror = cluster.mirror(change.node);
        if (mirror.role !== 'leader') return null;
        const known = leaderOfTerm.get(mirror.term);
        if (change.previousRole !== 'leader' || change.previousTerm !== mirror.term || change.started) remember(mirror.term, change.node);
        if (known === undefined) {
          leaderOfTerm.set(mirror.term, { node: change.node, eventNumber: change.eventNumber });
          return null;
        }
        if (known.node === change.node) return null;
        return violation({
          invariant: name,
          message: `two leaders in term ${mirror.term}: n${known.node} (since event ${known.eventNumber}) and n${change.node}`,
          nodes: [known.node, change.node],
          eventNumber: change.eventNumber,
          timeMs: change.timeMs,
          evidence: { term: mirror.term, firstLeader: known.node, firstLeaderSinceEvent: known.eventNumber, secondLeader: change.node },
        });
      },
      audit(_cluster, eventNumber, timeMs) {
        const seen = new Map<number, NodeId>();
        for (const { term, node } of observed) {
          const other = seen.get(term);
          if (other !== undefined && other !== node) {
            return violation({
              invariant: name,
              message: `audit: two leaders in term ${term}: n${other} and n${node}`,
              nodes: [other, node],
              eventNumber,
              timeMs,
              evidence: { term, leaders: [other, node] },
            });
          }
          seen.set(term, node);
        }
        return null;
      },
    };
  },
};

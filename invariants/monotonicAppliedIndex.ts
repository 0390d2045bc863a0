// A node applies entries in log order, each exactly once per incarnation: the applied outputs
// are consecutive indexes, and the view's applied index never decreases.

import type { NodeId } from '../src/core/ids.js';
import type { InvariantDefinition } from './types.js';
import { monotonicInvariant } from './monotonic.js';
import { harnessError, violation } from './support.js';

const name = 'monotonic-applied-index';

const viewField = monotonicInvariant({
  name,
  description: "A node's applied index never decreases, and it applies entries in order without gaps.",
  noun: 'applied index',
  current: (mirror) => mirror.appliedIndex,
  previous: (change) => change.previousAppliedIndex,
});

export const monotonicAppliedIndex: InvariantDefinition = {
  ...viewField,
  create() {
    const viewChecker = viewField.create();
    /** Last applied index per node in its current incarnation, from the applied outputs. */
    const lastApplied = new Map<NodeId, number>();
    return {
      name,
      afterStep(context) {
        const { change } = context;
        if (change.started) lastApplied.set(change.node, 0);
        let last = lastApplied.get(change.node) ?? 0;
        for (const entry of change.applied) {
          if (entry.index !== last + 1) {
            return violation({
              invariant: name,
              message: `n${change.node} applied index ${entry.index} after ${last} (entries must be applied in order, once)`,
              nodes: [change.node],
              eventNumber: change.eventNumber,
              timeMs: change.timeMs,
              evidence: { previousApplied: last, applied: entry.index },
            });
          }
          last = entry.index;
        }
        lastApplied.set(change.node, last);
        return viewChecker.afterStep(context);
      },
      audit(cluster, eventNumber, timeMs) {
        for (const [node, last] of lastApplied) {
          const mirror = cluster.mirror(node);
          if (mirror.up && mirror.lastAppliedSeen !== last) {
            return harnessError({
              invariant: name,
              message: `audit: n${node} applied up to ${mirror.lastAppliedSeen}, the incremental count says ${last}`,
              nodes: [node],
              eventNumber,
              timeMs,
              evidence: { observed: mirror.lastAppliedSeen, counted: last },
            });
          }
        }
        return viewChecker.audit(cluster, eventNumber, timeMs);
      },
    };
  },
};

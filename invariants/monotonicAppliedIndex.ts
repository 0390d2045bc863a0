// A node applies entries in log order, each exactly once per incarnation: the applied outputs
// are consecutive indexes, and the view's applied index never decreases.

import type { NodeId } from '../src/core/ids.js';
import type { HarnessError, ObservedCluster, Violation } from '../src/contract/observation.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import type { DigestSink } from '../src/contract/contract.js';
import { monotonicInvariant } from './monotonic.js';
import { mix32 } from '../src/core/hash.js';
import { ForkableState, harnessError, violation } from './support.js';

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
    return new MonotonicAppliedIndex(viewField.create(), new ForkableState<number[]>([], (last) => last.slice()));
  },
};

/**
 * The checker, over the view-field checker and the last applied index per node (by id) in its
 * current incarnation, from the applied outputs (one state, possibly shared). The last applied
 * indexes are digested (an order-free sum over renamed ids): a step is judged against them, and
 * two worlds whose counts differ must not be merged.
 */
class MonotonicAppliedIndex implements InvariantChecker {
  readonly name = name;

  constructor(
    private readonly viewChecker: InvariantChecker,
    private readonly lastApplied: ForkableState<number[]>,
  ) {}

  fork(): InvariantChecker {
    return new MonotonicAppliedIndex(this.viewChecker.fork(), this.lastApplied.fork());
  }

  get version(): number {
    return this.lastApplied.version + (this.viewChecker.version ?? 0);
  }

  digest(sink: DigestSink, rename: readonly NodeId[]): void {
    this.viewChecker.digest?.(sink, rename);
    let sum = 0;
    this.lastApplied.read.forEach((last, node) => {
      sum = (sum + mix32(Math.imul(rename[node], 0x9e3779b1) ^ last)) | 0;
    });
    sink.number(sum);
  }

  afterStep(context: CheckContext): Violation | null {
    const { change } = context;
    let last = change.started ? 0 : (this.lastApplied.read[change.node] ?? 0);
    // An installed snapshot's entries are not applied one by one: applying goes on after it.
    if (change.snapshotInstalled !== undefined) last = change.snapshotInstalled.index;
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
    if (this.lastApplied.read[change.node] !== last) this.lastApplied.write()[change.node] = last;
    return this.viewChecker.afterStep(context);
  }

  audit(cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | HarnessError | null {
    const counted = this.lastApplied.read;
    for (const mirror of cluster.nodes) {
      const last = counted[mirror.id];
      if (last === undefined || !mirror.up || mirror.lastAppliedSeen === last) continue;
      return harnessError({
        invariant: name,
        message: `audit: n${mirror.id} applied up to ${mirror.lastAppliedSeen}, the incremental count says ${last}`,
        nodes: [mirror.id],
        eventNumber,
        timeMs,
        evidence: { observed: mirror.lastAppliedSeen, counted: last },
      });
    }
    return this.viewChecker.audit(cluster, eventNumber, timeMs);
  }
}

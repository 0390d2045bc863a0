// Election safety (Raft paper, Figure 3): at most one leader can be elected in a given term.
// Incremental: one map from term to the first leader seen in it.

import type { NodeId } from '../src/core/ids.js';
import type { ObservedCluster, Violation } from '../src/contract/observation.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import type { DigestSink } from '../src/contract/contract.js';
import { ForkableState, violation } from './support.js';

const name = 'election-safety';

interface ElectionState {
  /** The first leader seen in each term. */
  leaderOfTerm: Map<number, { node: NodeId; eventNumber: number }>;
  /** Every distinct (term, node) leadership observed, for the end-of-run audit. */
  observed: { term: number; node: NodeId }[];
  observedKeys: Set<string>;
}

function copyState(state: ElectionState): ElectionState {
  return { leaderOfTerm: new Map(state.leaderOfTerm), observed: state.observed.slice(), observedKeys: new Set(state.observedKeys) };
}

export const electionSafety: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'At most one leader is elected in any term.',
  create() {
    return new ElectionSafety(new ForkableState<ElectionState>({ leaderOfTerm: new Map(), observed: [], observedKeys: new Set() }, copyState));
  },
};

/**
 * The checker over one (possibly shared) state. Its digest is the leader of each term: a later
 * leader of a known term is judged against it. The audit's list is not digested: it only
 * re-checks what was checked step by step.
 */
class ElectionSafety implements InvariantChecker {
  readonly name = name;

  constructor(private readonly state: ForkableState<ElectionState>) {}

  fork(): InvariantChecker {
    return new ElectionSafety(this.state.fork());
  }

  get version(): number {
    return this.state.version;
  }

  get sharedVersion(): number {
    return this.state.read.leaderOfTerm.size;
  }

  digest(sink: DigestSink, rename: readonly NodeId[]): void {
    const leaders = this.state.read.leaderOfTerm;
    // Terms are mostly first led in ascending order: then the map's own order is the sorted one.
    let previous = Number.NEGATIVE_INFINITY;
    let ascending = true;
    for (const term of leaders.keys()) {
      if (term < previous) ascending = false;
      previous = term;
    }
    if (ascending) leaders.forEach((leader, term) => sink.number(term).number(rename[leader.node]));
    else for (const term of [...leaders.keys()].sort((a, b) => a - b)) sink.number(term).number(rename[leaders.get(term)!.node]);
  }

  afterStep({ change, cluster }: CheckContext): Violation | null {
    const mirror = cluster.mirror(change.node);
    if (mirror.role !== 'leader') return null;
    const known = this.state.read.leaderOfTerm.get(mirror.term);
    if (change.previousRole !== 'leader' || change.previousTerm !== mirror.term || change.started) this.remember(mirror.term, change.node);
    if (known === undefined) {
      this.state.write().leaderOfTerm.set(mirror.term, { node: change.node, eventNumber: change.eventNumber });
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
  }

  audit(_cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | null {
    const seen = new Map<number, NodeId>();
    for (const { term, node } of this.state.read.observed) {
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
  }

  private remember(term: number, node: NodeId): void {
    const key = `${term}:${node}`;
    if (this.state.read.observedKeys.has(key)) return;
    const written = this.state.write();
    written.observedKeys.add(key);
    written.observed.push({ term, node });
  }
}

// The shared shape of "a node's counter never goes backward within one incarnation": the
// monotonic term, commit index and applied index invariants differ only in the field and in
// what a restart may do to it.

import type { NodeId } from '../src/core/ids.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import type { DigestSink } from '../src/contract/contract.js';
import type { ObservedCluster, ObservedNode, StepChange, Violation } from '../src/contract/observation.js';
import { ForkableState, renamedSorted, violation } from './support.js';

export interface MonotonicField {
  name: string;
  description: string;
  /** Noun for messages: "term", "commit index". */
  noun: string;
  current(mirror: ObservedNode): number;
  previous(change: StepChange): number;
  /** The least value a freshly started incarnation may show (its durable floor), or null for no floor. */
  floorAfterStart?(mirror: ObservedNode, cluster: ObservedCluster): { floor: number; why: string } | null;
}

export function monotonicInvariant(field: MonotonicField): InvariantDefinition {
  return {
    name: field.name,
    kind: 'safety',
    description: field.description,
    create(): InvariantChecker {
      return new Monotonic(field, new ForkableState<Counters>({ highestIncarnation: [], highestValue: [], awaitingFirstView: [] }, copyCounters));
    },
  };
}

/** Per node id, in arrays (cheap to copy when a fork writes). */
interface Counters {
  /** The incarnation and the highest value seen in it, per node, for the audit (-1: none yet). */
  highestIncarnation: number[];
  highestValue: number[];
  /** 1 for the nodes that started without a view: their first view is the start of the incarnation. */
  awaitingFirstView: number[];
}

function copyCounters(counters: Counters): Counters {
  return { highestIncarnation: counters.highestIncarnation.slice(), highestValue: counters.highestValue.slice(), awaitingFirstView: counters.awaitingFirstView.slice() };
}

/**
 * The checker over one (possibly shared) state. Its digest is the nodes still awaiting their
 * first view. The highest values are not digested: within an incarnation a value that never went
 * back is the mirror's own, and across a restart the floor is read from the observation
 * (termRevealed), so they change no later verdict; the audit alone reads them.
 */
class Monotonic implements InvariantChecker {
  readonly name: string;

  constructor(
    private readonly field: MonotonicField,
    private readonly state: ForkableState<Counters>,
  ) {
    this.name = field.name;
  }

  fork(): InvariantChecker {
    return new Monotonic(this.field, this.state.fork());
  }

  get version(): number {
    return this.state.version;
  }

  digest(sink: DigestSink, rename: readonly NodeId[]): void {
    const flags = this.state.read.awaitingFirstView;
    if (!flags.includes(1)) return;
    const awaiting: NodeId[] = [];
    flags.forEach((flag, node) => {
      if (flag === 1) awaiting.push(node);
    });
    for (const node of renamedSorted(awaiting, rename)) sink.number(node);
  }

  afterStep({ change, cluster }: CheckContext): Violation | null {
    const mirror = cluster.mirror(change.node);
    if (change.started && !change.hasView) {
      this.state.write().awaitingFirstView[change.node] = 1;
      return null;
    }
    if (!mirror.hasView || !change.hasView) return null;
    const value = this.field.current(mirror);
    const awaited = this.state.read.awaitingFirstView[change.node] === 1;
    if (awaited) this.state.write().awaitingFirstView[change.node] = 0;
    if (change.started || awaited) return this.firstView(change, mirror, cluster, value);
    const before = this.field.previous(change);
    if (value < before) {
      return violation({
        invariant: this.field.name,
        message: `n${change.node}'s ${this.field.noun} went back from ${before} to ${value}`,
        nodes: [change.node],
        eventNumber: change.eventNumber,
        timeMs: change.timeMs,
        evidence: { before, after: value },
      });
    }
    const counters = this.state.read;
    if (counters.highestIncarnation[change.node] !== mirror.incarnation || value > counters.highestValue[change.node]) this.setHighest(change.node, mirror.incarnation, value);
    return null;
  }

  audit(cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | null {
    const counters = this.state.read;
    for (const mirror of cluster.nodes) {
      const node = mirror.id;
      if (counters.highestIncarnation[node] === undefined) continue;
      if (!mirror.up || mirror.incarnation !== counters.highestIncarnation[node]) continue;
      const highest = counters.highestValue[node];
      if (this.field.current(mirror) >= highest) continue;
      return violation({
        invariant: this.field.name,
        message: `audit: n${node}'s ${this.field.noun} is ${this.field.current(mirror)}, below the ${highest} it reached`,
        nodes: [node],
        eventNumber,
        timeMs,
        evidence: { highest, now: this.field.current(mirror) },
      });
    }
    return null;
  }

  /** The first view of an incarnation: it starts the highest value over, above the floor if any. */
  private firstView(change: StepChange, mirror: ObservedNode, cluster: ObservedCluster, value: number): Violation | null {
    const floor = this.field.floorAfterStart?.(mirror, cluster) ?? null;
    this.setHighest(change.node, mirror.incarnation, value);
    if (floor === null || value >= floor.floor) return null;
    return violation({
      invariant: this.field.name,
      message: `n${change.node} restarted with ${this.field.noun} ${value}, below ${floor.floor} (${floor.why})`,
      nodes: [change.node],
      eventNumber: change.eventNumber,
      timeMs: change.timeMs,
      evidence: { [this.field.noun]: value, floor: floor.floor, reason: floor.why },
    });
  }

  private setHighest(node: NodeId, incarnation: number, value: number): void {
    const counters = this.state.write();
    counters.highestIncarnation[node] = incarnation;
    counters.highestValue[node] = value;
  }
}

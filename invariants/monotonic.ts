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
      return new Monotonic(field, new ForkableState<number[]>([], copyCounters));
    },
  };
}

/**
 * The counters, three per node id in one array (the explorer keeps one per judgement, so one
 * array rather than three, cheap to copy when a fork writes): at 3 x id the incarnation and at
 * 3 x id + 1 the highest value seen in it, for the audit (undefined: none yet); at 3 x id + 2,
 * 1 for a node that started without a view: its first view is the start of the incarnation.
 */
const incarnationAt = 0;
const highestAt = 1;
const awaitingAt = 2;

function copyCounters(counters: number[]): number[] {
  return counters.slice();
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
    private readonly state: ForkableState<number[]>,
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
    const counters = this.state.read;
    let awaiting: NodeId[] | null = null;
    for (let node = 0; 3 * node < counters.length; node += 1) if (counters[3 * node + awaitingAt] === 1) (awaiting ??= []).push(node);
    if (awaiting === null) return;
    for (const node of renamedSorted(awaiting, rename)) sink.number(node);
  }

  afterStep({ change, cluster }: CheckContext): Violation | null {
    const mirror = cluster.mirror(change.node);
    if (change.started && !change.hasView) {
      this.state.write()[3 * change.node + awaitingAt] = 1;
      return null;
    }
    if (!mirror.hasView || !change.hasView) return null;
    const value = this.field.current(mirror);
    const awaited = this.state.read[3 * change.node + awaitingAt] === 1;
    if (awaited) this.state.write()[3 * change.node + awaitingAt] = 0;
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
    if (counters[3 * change.node + incarnationAt] !== mirror.incarnation || value > counters[3 * change.node + highestAt]) this.setHighest(change.node, mirror.incarnation, value);
    return null;
  }

  audit(cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | null {
    const counters = this.state.read;
    for (const mirror of cluster.nodes) {
      const node = mirror.id;
      if (counters[3 * node + incarnationAt] === undefined) continue;
      if (!mirror.up || mirror.incarnation !== counters[3 * node + incarnationAt]) continue;
      const highest = counters[3 * node + highestAt];
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
    counters[3 * node + incarnationAt] = incarnation;
    counters[3 * node + highestAt] = value;
  }
}

// Durability probes (DESIGN.md, "contract"; issue 22). A node makes promises in its messages: a
// vote granted, entries acknowledged, a term it answers in. Raft's safety rests on each being
// durable before the message leaves; a broken one shows in the Figure-3 properties only if a
// crash, a restart and a particular second election line up, many steps later. A probe checks it
// where it is made: a shadow instance is started from the records that will be durable when the
// message departs (what a crash at that moment would leave), and its state view must still hold
// what was promised. Where the driver's crashes may keep a torn prefix of the unsynced records,
// a shadow is started from each such prefix too: a crash at departure may leave any of them. The
// shadow is a fresh instance that never touches the run (no draw, no event, no storage write):
// the trace and its hash are the same with probes on or off.
//
// One home for every driver (DESIGN.md, "Layers"): the simulator probes each output as its
// messages leave; the explorer's transition system (and so both shrinkers and trace replays)
// probes each node step it computes. The simulator probes every output whose promises rest on
// records not all durable at departure (a message sent before its sync: the classic bug), and
// otherwise the first promise of each kind per node, incarnation and term (a promise never
// written at all). The explorer computes a node step once for all the worlds that hold it, so it
// probes every step that promises, and keeps the shadow of each durable record list it met.
// Needs message views (Message.view or Implementation.messageView) and state views; without them
// nothing is probed.

import type { DurableRecord, Implementation, Input, Message, MessageView, Output, StateView } from '../contract/contract.js';
import type { ObservedNode, Violation } from '../contract/observation.js';
import type { NodeId } from '../core/ids.js';
import { createInstance, messageViewOf } from './step.js';
import { termPromisedBy } from './asyncStorage.js';

export const durabilityInvariant = 'durable-promise';

/**
 * Whether probes are on when neither the scenario nor the command line says: as the
 * implementation says (the wasm host does), else for one that decodes its messages in process
 * (messageView), where a probe costs little.
 */
export function probesByDefault(implementation: Implementation): boolean {
  return implementation.durabilityProbesByDefault ?? implementation.messageView !== undefined;
}

/** Terms below this fit beside an incarnation in one number. */
const termSpan = 2 ** 32;

/** The strongest promises of one output: what a probe checks. */
interface Promises {
  /** The highest term the node answered or asked in (pre-votes aside). */
  term: number;
  /** A vote granted: to whom, in which term. */
  vote: { term: number; candidate: NodeId } | null;
  /** The highest index acknowledged as held. */
  matchIndex: number;
}

/** One output of node `id`, and what a probe needs to restart a shadow of it. */
export interface ProbedOutput {
  id: NodeId;
  incarnation: number;
  output: Output;
  /** The records durable when the output's messages depart. */
  durable: readonly DurableRecord[];
  /** The records written but not durable then, in write order (empty: every record is durable). */
  unsynced: readonly DurableRecord[];
  /** The most of `unsynced` a crash at departure may keep as a torn prefix (0: no torn writes). */
  tornKeptMax: number;
  /** The node's start input over these records (the same as a restart's). */
  start: (records: readonly DurableRecord[]) => Input;
  /** The node as observed after the step (its log's terms, to compare acknowledged entries with). */
  mirror: ObservedNode;
  eventNumber: number;
  timeMs: number;
}

export interface ProbeOptions {
  /**
   * The simulator's economy: an output whose records are all durable is probed only for the
   * first promise of each kind per node, incarnation and term. Off (the explorer's), every
   * output that promises is probed, and a shadow is kept per durable record list and node.
   */
  firstPromisesOnly: boolean;
  /** The nodes run with asynchronous storage writes: some messages promise no term (src/world/asyncStorage.ts). */
  asyncStorageWrites?: boolean;
}

export class DurabilityProbes {
  /** node/incarnation/term/kind of the promises already probed with every record durable. */
  private readonly probed = new Set<string>();
  /** Per node: the incarnation and term of its last output decoded with every record durable. */
  private readonly decodedAt = new Map<NodeId, number>();
  /** The explorer's shadows, by durable record list (shared between node states) and node. */
  private readonly shadows = new WeakMap<readonly DurableRecord[], (StateView | null)[]>();
  /** Shadows started (for statistics). */
  shadowsStarted = 0;

  private readonly viewOf: (message: Message) => MessageView | null;

  constructor(
    private readonly implementation: Implementation,
    private readonly options: ProbeOptions,
  ) {
    this.viewOf = messageViewOf(implementation);
  }

  /** A violation when a promise of this output would not survive a crash as its messages depart. */
  check(probe: ProbedOutput): Violation | null {
    const allDurable = probe.unsynced.length === 0;
    if (this.passesOver(probe.id, probe.incarnation, probe.mirror.term, allDurable)) return null;
    if (this.options.firstPromisesOnly && allDurable) this.decodedAt.set(probe.id, probe.incarnation * termSpan + probe.mirror.term);
    const promises = this.promisesOf(probe);
    if (promises === null || (this.options.firstPromisesOnly && allDurable && !this.firstOfItsKind(probe, promises))) return null;
    const shadow = this.shadowView(probe, probe.durable, !this.options.firstPromisesOnly);
    const problem = shadow === null ? null : brokenPromise(promises, shadow, probe);
    if (problem !== null) return violationOf(probe, problem, shadow!, 0);
    for (let kept = 1; kept <= Math.min(probe.tornKeptMax, probe.unsynced.length); kept += 1) {
      const torn = this.shadowView(probe, [...probe.durable, ...probe.unsynced.slice(0, kept)], false);
      const tornProblem = torn === null ? null : brokenPromise(promises, torn, probe);
      if (tornProblem !== null) return violationOf(probe, tornProblem, torn!, kept);
    }
    return null;
  }

  /**
   * Whether check() would pass over an output of node `id` in this incarnation and term without
   * looking at it (a driver asks first, to build no ProbedOutput for most outputs). Decoding every
   * message of every step would cost as much as the run: with every record durable, only a node's
   * first output in each incarnation and term is looked at.
   */
  passesOver(id: NodeId, incarnation: number, term: number, allDurable: boolean): boolean {
    return this.options.firstPromisesOnly && allDurable && this.decodedAt.get(id) === incarnation * termSpan + term;
  }

  private promisesOf(probe: ProbedOutput): Promises | null {
    const promises: Promises = { term: 0, vote: null, matchIndex: 0 };
    let any = false;
    for (const outbound of probe.output.messages) {
      const view = this.viewOf(outbound.message);
      if (view === null || isPreVote(view)) continue;
      any = true;
      // With asynchronous storage writes, only some messages promise their term (src/world/asyncStorage.ts).
      promises.term = Math.max(promises.term, termPromisedBy(view, view.term, this.options.asyncStorageWrites === true));
      if (view.kind === 'voteResponse' && view.granted && (promises.vote === null || view.term > promises.vote.term)) promises.vote = { term: view.term, candidate: outbound.to };
      if (view.kind === 'appendResponse' && view.success) promises.matchIndex = Math.max(promises.matchIndex, view.matchIndex);
    }
    return any ? promises : null;
  }

  /** Whether a promise of this output is the first of its kind for the node, incarnation and term (and notes it). */
  private firstOfItsKind(probe: ProbedOutput, promises: Promises): boolean {
    const base = `${probe.id}/${probe.incarnation}/${promises.term}/`;
    let fresh = false;
    for (const kind of ['term', promises.vote !== null ? 'vote' : null, promises.matchIndex > 0 ? 'ack' : null]) {
      if (kind === null || this.probed.has(base + kind)) continue;
      this.probed.add(base + kind);
      fresh = true;
    }
    return fresh;
  }

  /** The state view of a fresh instance started over `records`; null when it gives none. Kept per list and node with `keep`. */
  private shadowView(probe: ProbedOutput, records: readonly DurableRecord[], keep: boolean): StateView | null {
    if (!keep) return this.startShadow(probe, records);
    let byNode = this.shadows.get(records);
    if (byNode === undefined) this.shadows.set(records, (byNode = []));
    let view = byNode[probe.id];
    if (view === undefined) byNode[probe.id] = view = this.startShadow(probe, records);
    return view;
  }

  private startShadow(probe: ProbedOutput, records: readonly DurableRecord[]): StateView | null {
    const created = createInstance(this.implementation);
    if (created.instance === null) return null;
    this.shadowsStarted += 1;
    try {
      return created.instance.step(probe.start(records)).state ?? null;
    } catch {
      // A restart that throws is the run's to find when it restarts for real.
      return null;
    } finally {
      created.instance.dispose?.();
    }
  }
}

/** The violation of a broken promise, found by a shadow over the durable records and `tornKept` unsynced ones. */
function violationOf(probe: ProbedOutput, problem: { promise: string; found: string }, shadow: StateView, tornKept: number): Violation {
  const records = tornKept === 0 ? 'its records durable as the message leaves' : `its records durable as the message leaves and a torn ${tornKept} of the ${probe.unsynced.length} unsynced after them`;
  return {
    invariant: durabilityInvariant,
    kind: 'safety',
    message: `n${probe.id} ${problem.promise}, but a restart from ${records} ${problem.found}`,
    nodes: [probe.id],
    eventNumber: probe.eventNumber,
    timeMs: probe.timeMs,
    evidence: {
      promise: problem.promise,
      durableRecords: probe.durable.length,
      allRecordsDurable: probe.unsynced.length === 0,
      ...(tornKept > 0 ? { tornRecordsKept: tornKept } : {}),
      shadow: { term: shadow.term, votedFor: shadow.votedFor, lastIndex: lastIndexOf(shadow) },
    },
  };
}

function isPreVote(view: MessageView): boolean {
  return (view.kind === 'voteRequest' || view.kind === 'voteResponse') && view.preVote === true;
}

function lastIndexOf(view: StateView): number {
  if (view.log === undefined) return view.snapshotIndex ?? 0;
  return Math.max(view.snapshotIndex ?? 0, view.log.from - 1 + view.log.entries.length);
}

/** The term the shadow holds at `index` (-1: unknown, 0: none). */
function termAt(view: StateView, index: number): number {
  if (index === 0) return 0;
  if (index === (view.snapshotIndex ?? 0)) return view.snapshotTerm ?? -1;
  if (view.log === undefined || index < view.log.from) return -1;
  return view.log.entries[index - view.log.from]?.term ?? 0;
}

/** The first promise the shadow does not keep, in words; null when it keeps them all. */
function brokenPromise(promises: Promises, shadow: StateView, probe: ProbedOutput): { promise: string; found: string } | null {
  const vote = promises.vote;
  if (vote !== null && (shadow.term < vote.term || (shadow.term === vote.term && shadow.votedFor !== vote.candidate))) {
    return { promise: `granted its vote in term ${vote.term} to n${vote.candidate}`, found: `has term ${shadow.term} and vote ${shadow.votedFor === null ? 'none' : `n${shadow.votedFor}`}: it could vote again in that term` };
  }
  if (shadow.term < promises.term) {
    return { promise: `sent a message in term ${promises.term}`, found: `has term ${shadow.term}: it could act in the older term again` };
  }
  const match = promises.matchIndex;
  if (match > 0) {
    const held = lastIndexOf(shadow);
    const expected = probe.mirror.termAt(match);
    const found = termAt(shadow, match);
    if (held < match) return { promise: `acknowledged entries up to index ${match}`, found: `holds entries only up to ${held}` };
    if (expected > 0 && found > 0 && found !== expected) return { promise: `acknowledged entries up to index ${match} (term ${expected} there)`, found: `holds an entry of term ${found} at ${match}` };
  }
  return null;
}

// A hand-built history for invariant tests: drives a ClusterObservation with made-up outputs in
// the same order the simulator does (Simulation.stepNode: observe, revealed, extendCommitted,
// then every checker's afterStep; Simulation.crashNode: crashed, then afterCrash), so a test reads
// as a script of what each node did, and the checkers cannot tell it from a real run.
//
// Every call is one event: the event number goes up by one and the virtual time by 10 ms.
// Each node's scalar view (role, term, vote, commit and applied index) carries over between
// steps, so a step only names what changed; log entries are written as [term, commandId].

import type { AppliedEntry, Command, LogEntryView, OutboundMessage, Output, SnapshotView, StateView } from '../../src/contract/contract.js';
import type { NodeId } from '../../src/core/ids.js';
import type { InvariantChecker, InvariantDefinition } from '../../invariants/types.js';
import type { NodeMirror } from '../../src/world/observation.js';
import { ClusterObservation } from '../../src/world/observation.js';
import { allInvariants } from '../../invariants/index.js';
import type { HarnessError, StepChange, Violation } from '../../src/contract/observation.js';

/** A log entry as [term, commandId]; commandId 0 is an entry the node made itself (no-op). */
export type EntrySpec = readonly [term: number, commandId: number];
/** An applied entry as [index, term, commandId]. */
export type AppliedSpec = readonly [index: number, term: number, commandId: number];

export const timeMsPerEvent = 10;

export interface HistoryOptions {
  /** Cluster size; node ids are 1..nodes. */
  nodes?: number;
  /** The checkers to run after every step (all registered invariants unless told otherwise). */
  invariants?: readonly InvariantDefinition[];
}

/** The scalar part of a view (the snapshot index and term included); a step names only the fields that changed. */
export type ScalarView = Omit<StateView, 'log'>;

/** Feature 'snapshots' and commands: what an output reports beyond its view. */
export interface ReportOptions {
  /** The snapshot the node took, or installed (at a start: restored). */
  taken?: SnapshotView;
  installed?: SnapshotView;
  /** The command of the input this step handled (a proposal's), which the world records. */
  command?: Command;
}

export interface StepOptions extends Partial<ScalarView>, ReportOptions {
  /** Entries appended after the node's last entry. */
  append?: readonly EntrySpec[];
  /** Every entry from this index on is replaced by `entries` (everything after is gone). */
  replaceFrom?: number;
  entries?: readonly EntrySpec[];
  /** Entries applied in this step. */
  applied?: readonly AppliedSpec[];
  /** The node sends a message in this step, so it reveals its term to the others. */
  send?: boolean;
  /** The output carries no view at all (an implementation without a white-box view). */
  withoutView?: boolean;
}

export interface StartOptions extends Partial<ScalarView>, ReportOptions {
  /** The durable log the node starts over; by default the log its mirror holds. */
  log?: readonly EntrySpec[];
  /** Where the start view's log begins (after a snapshot); 1 by default. */
  logFrom?: number;
  send?: boolean;
  withoutView?: boolean;
}

export class History {
  readonly observation: ClusterObservation;
  readonly members: readonly NodeId[];
  /** Every violation reported, in order (the simulator would have stopped at the first). */
  readonly violations: Violation[] = [];
  private readonly definitions: readonly InvariantDefinition[];
  private readonly checkers: InvariantChecker[];
  private readonly views = new Map<NodeId, ScalarView>();
  private events = 0;
  /** While positive, steps update the observation but no checker sees them. */
  private hiddenDepth = 0;

  constructor(options: HistoryOptions = {}) {
    const nodes = options.nodes ?? 3;
    this.members = Array.from({ length: nodes }, (_, index) => index + 1);
    this.observation = new ClusterObservation(this.members);
    this.definitions = options.invariants ?? allInvariants;
    this.checkers = this.definitions.map((definition) => definition.create());
  }

  /** The first violation any checker reported, or null. */
  /** One checker's state as the explorer digests it (ids as they are), as text to compare. */
  checkerDigest(name: string): string {
    const numbers: number[] = [];
    const sink = {
      number(value: number) {
        numbers.push(value);
        return sink;
      },
    };
    this.checkers[this.definitions.findIndex((definition) => definition.name === name)].digest?.(sink, [0, ...this.members]);
    return numbers.join(',');
  }

  get violation(): Violation | null {
    return this.violations[0] ?? null;
  }

  /** The first violation a given invariant reported, or null. */
  violationOf(name: string): Violation | null {
    return this.violations.find((violation) => violation.invariant === name) ?? null;
  }

  /** Number of the last event (the one a violation found by the last call names). */
  get eventNumber(): number {
    return this.events;
  }

  get timeMs(): number {
    return this.events * timeMsPerEvent;
  }

  mirror(node: NodeId): NodeMirror {
    return this.observation.mirror(node);
  }

  /** The node starts (or restarts) over a durable log; its view comes with the whole log. */
  start(node: NodeId, options: StartOptions = {}): Violation | null {
    const previous = this.views.get(node);
    const view: ScalarView = {
      role: options.role ?? 'follower',
      // Durable state survives by default; volatile state starts over.
      term: options.term ?? previous?.term ?? 0,
      votedFor: options.votedFor !== undefined ? options.votedFor : (previous?.votedFor ?? null),
      commitIndex: options.commitIndex ?? 0,
      appliedIndex: options.appliedIndex ?? 0,
      leaderHint: options.leaderHint ?? null,
      ...(options.configuration === undefined ? {} : { configuration: options.configuration }),
      ...snapshotFields(options, previous),
    };
    const log = options.log ?? entriesOf(this.mirror(node));
    return this.emit(node, view, { from: options.logFrom ?? 1, entries: log.map(entryView) }, [], options, true);
  }

  /** The node handles one input; `options` says what its output shows. */
  step(node: NodeId, options: StepOptions = {}): Violation | null {
    const previous = this.views.get(node);
    if (previous === undefined) throw new Error(`test bug: n${node} stepped before it started`);
    const view: ScalarView = {
      role: options.role ?? previous.role,
      term: options.term ?? previous.term,
      votedFor: options.votedFor !== undefined ? options.votedFor : previous.votedFor,
      commitIndex: options.commitIndex ?? previous.commitIndex,
      appliedIndex: options.appliedIndex ?? previous.appliedIndex,
      leaderHint: options.leaderHint !== undefined ? options.leaderHint : previous.leaderHint,
      // Sent when it changes, as the contract has it: not carried over from the previous step.
      ...(options.configuration === undefined ? {} : { configuration: options.configuration }),
      ...snapshotFields(options, previous),
    };
    let log: StateView['log'];
    if (options.replaceFrom !== undefined) {
      log = { from: options.replaceFrom, entries: (options.entries ?? []).map(entryView) };
    } else if (options.append !== undefined) {
      log = { from: this.mirror(node).lastIndex + 1, entries: options.append.map(entryView) };
    }
    const applied = (options.applied ?? []).map(([index, term, commandId]): AppliedEntry => ({ index, term, commandId }));
    return this.emit(node, view, log, applied, options, false);
  }

  /** The node wins an election: it leads `term`, and tells the others so. */
  becomeLeader(node: NodeId, term: number, options: StepOptions = {}): Violation | null {
    return this.step(node, { role: 'leader', term, votedFor: node, leaderHint: node, send: true, ...options });
  }

  /** The node hears of a higher term (or a leader) and follows. */
  follow(node: NodeId, term: number, leader: NodeId | null = null, options: StepOptions = {}): Violation | null {
    return this.step(node, { role: 'follower', term, leaderHint: leader, ...options });
  }

  /** The node appends entries to its log (a leader taking proposals, a follower replicating). */
  append(node: NodeId, ...entries: EntrySpec[]): Violation | null {
    return this.step(node, { append: entries });
  }

  /** The node's commit index reaches `index`, and it applies every entry up to it from its log. */
  commit(node: NodeId, index: number, options: StepOptions = {}): Violation | null {
    const mirror = this.mirror(node);
    const applied: AppliedSpec[] = [];
    for (let next = mirror.appliedIndex + 1; next <= index; next += 1) applied.push([next, mirror.terms[next], mirror.commandIds[next]]);
    return this.step(node, { commitIndex: index, appliedIndex: index, applied, ...options });
  }

  /** The node crashes: its instance is dropped (unsynced writes are the caller's business). */
  crash(node: NodeId): Violation | null {
    this.events += 1;
    this.observation.crashed(node);
    const found: Violation[] = [];
    if (this.hiddenDepth === 0) {
      for (const checker of this.checkers) {
        const violation = checker.afterCrash?.(node, this.observation, this.events, this.timeMs) ?? null;
        if (violation !== null) found.push(violation);
      }
    }
    return this.record(found);
  }

  /**
   * Runs `script` with the checkers blindfolded: the observation (mirrors, committed history)
   * moves on, but no afterStep sees it. Used to build a state the incremental path never saw,
   * so that only the end-of-run audit can judge it.
   */
  hidden(script: () => void): void {
    this.hiddenDepth += 1;
    try {
      script();
    } finally {
      this.hiddenDepth -= 1;
    }
  }

  /** The end-of-run audit of every checker, at the current event; the first finding or null. */
  audit(): Violation | HarnessError | null {
    for (const checker of this.checkers) {
      const violation = checker.audit(this.observation, this.events, this.timeMs);
      if (violation !== null) return violation;
    }
    return null;
  }

  /** The end-of-run audit of one invariant only. */
  auditOf(name: string): Violation | HarnessError | null {
    const checker = this.checkers.find((candidate) => candidate.name === name);
    if (checker === undefined) throw new Error(`test bug: no checker ${name} in this history`);
    return checker.audit(this.observation, this.events, this.timeMs);
  }

  /** What one invariant's checker adds to a digest, ids as they are (InvariantChecker.digest). */
  digestOf(name: string): number[] {
    const checker = this.checkers.find((candidate) => candidate.name === name);
    if (checker === undefined) throw new Error(`test bug: no checker ${name} in this history`);
    const numbers: number[] = [];
    const sink = { number: (value: number) => (numbers.push(value), sink) };
    checker.digest?.(sink, [0, ...this.members]);
    return numbers;
  }

  private emit(
    node: NodeId,
    view: ScalarView,
    log: StateView['log'],
    applied: AppliedEntry[],
    options: { send?: boolean; withoutView?: boolean } & ReportOptions,
    started: boolean,
  ): Violation | null {
    this.events += 1;
    const messages: OutboundMessage[] = [];
    if (options.send === true) {
      const peer = this.members.find((member) => member !== node) ?? node;
      messages.push({ to: peer, message: { type: 'Test', term: view.term, body: null } });
    }
    const output: Output = {
      messages,
      records: [],
      sync: false,
      applied,
      answers: [],
      ...(options.withoutView === true ? {} : { state: { ...view, ...(log === undefined ? {} : { log }) } }),
      ...(options.taken === undefined ? {} : { snapshotTaken: options.taken }),
      ...(options.installed === undefined ? {} : { snapshotInstalled: options.installed }),
    };
    if (options.withoutView !== true) this.views.set(node, view);
    else if (!this.views.has(node)) this.views.set(node, view);
    const change: StepChange = this.observation.observe(node, output, started, this.events, this.timeMs, options.command);
    if (messages.length > 0) this.observation.revealed(node, this.observation.mirror(node).term);
    this.observation.extendCommitted(change);
    const found: Violation[] = [];
    if (this.hiddenDepth === 0) {
      for (const checker of this.checkers) {
        const violation = checker.afterStep({ change, cluster: this.observation });
        if (violation !== null) found.push(violation);
      }
    }
    return this.record(found);
  }

  private record(found: Violation[]): Violation | null {
    this.violations.push(...found);
    return found[0] ?? null;
  }
}

/** The view's snapshot index and term: as given, else as before (absent: a node without snapshots). */
function snapshotFields(options: Partial<ScalarView>, previous: ScalarView | undefined): Pick<StateView, 'snapshotIndex' | 'snapshotTerm'> {
  const snapshotIndex = options.snapshotIndex ?? previous?.snapshotIndex;
  const snapshotTerm = options.snapshotTerm ?? previous?.snapshotTerm;
  return snapshotIndex === undefined ? {} : { snapshotIndex, snapshotTerm: snapshotTerm ?? 0 };
}

function entryView([term, commandId]: EntrySpec): LogEntryView {
  return { term, commandId };
}

/** The log a mirror holds, as entry specs (what survives a crash when every write was synced). */
export function entriesOf(mirror: NodeMirror): EntrySpec[] {
  const entries: EntrySpec[] = [];
  for (let index = 1; index <= mirror.lastIndex; index += 1) entries.push([mirror.terms[index], mirror.commandIds[index]]);
  return entries;
}

/** A history where every node has started empty, as a fresh cluster does (events 1..nodes). */
export function freshCluster(options: HistoryOptions = {}): History {
  const history = new History(options);
  for (const node of history.members) history.start(node);
  return history;
}

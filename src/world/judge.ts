// Judging a cluster step by step, for every driver: one ClusterJudge holds the observation and the
// checkers of the invariants a run asked for; each node output goes into the observation
// (ClusterObservation.observe), then every checker is asked about the change (judgeChange). The
// simulator keeps one judge for its run; the explorer forks one per world (both the observation
// and the checkers fork copy-on-write), so both judge a step by the same rules and the same
// invariants. The end-of-run audit tells the harness's own errors from the implementation's
// violations.

import type { DigestSink } from '../contract/contract.js';
import type { HarnessError, Inconclusive, StepChange, Violation } from '../contract/observation.js';
import { isHarnessError } from '../contract/observation.js';
import type { NodeId } from '../core/ids.js';
import type { CheckContext, HistoryCheckContext, InvariantChecker, InvariantDefinition, MessageViewOf } from '../../invariants/types.js';
import type { NodeMirror, SharedObservation } from './observation.js';
import { ClusterObservation } from './observation.js';
import { Lanes } from './lanes.js';

const roleCodes = { follower: 1, candidate: 2, leader: 3 } as const;

export class ClusterJudge {
  constructor(
    readonly observation: ClusterObservation,
    readonly checkers: readonly InvariantChecker[],
    /** How checkers read a message's view (the implementation's messageView, where it has one). */
    readonly messageView?: MessageViewOf,
  ) {}

  static create(members: readonly NodeId[], invariants: readonly InvariantDefinition[], messageView?: MessageViewOf): ClusterJudge {
    return new ClusterJudge(new ClusterObservation(members), invariants.map((definition) => definition.create()), messageView);
  }

  /** The checkers' context, made once and handed each step's change (no checker keeps it past its step). */
  private context: CheckContext | null = null;

  /**
   * Judges a step whose mirror change is already in place: the committed history takes in what
   * it newly committed first, so that checkers see this step's commits (comparisons against what
   * was committed before use change.committedLengthBefore), then every checker.
   */
  judgeChange(change: StepChange): Violation | null {
    this.observation.extendCommitted(change);
    const context = (this.context ??= { change, cluster: this.observation, messageView: this.messageView });
    context.change = change;
    // violationOfStep's loop, without a closure or a verdict per step (this is the explorer's hot path).
    const checkers = this.checkers;
    let verdict: StepVerdict | null = null;
    for (let index = 0; index < checkers.length; index += 1) {
      const violation = checkers[index].afterStep(context);
      if (violation !== null) (verdict ??= new StepVerdict()).add(violation);
    }
    return verdict === null ? null : verdict.result;
  }

  /** Node `id` crashed: its mirror goes down, and the checkers that care judge it. */
  crashed(id: NodeId, eventNumber: number, timeMs: number): Violation | null {
    this.observation.crashed(id);
    return this.judgeCrash(id, eventNumber, timeMs);
  }

  /** Judges a crash whose mirror is already down. */
  judgeCrash(id: NodeId, eventNumber: number, timeMs: number): Violation | null {
    return violationOfStep(this.checkers, (checker) => checker.afterCrash?.(id, this.observation, eventNumber, timeMs) ?? null);
  }

  /** Another node received a message node `id` sent in `term`; whether that raised what it revealed. */
  revealed(id: NodeId, term: number): boolean {
    return this.observation.revealed(id, term);
  }

  /** The end-of-run audit of every checker: a harness error before any violation (judgeAudit). */
  audit(eventNumber: number, timeMs: number): Violation | HarnessError | null {
    return judgeAudit(this.checkers, (checker) => checker.audit(this.observation, eventNumber, timeMs));
  }

  /** Hands a history to the checkers that judge histories (see judgeHistory). */
  judgeHistory(context: HistoryCheckContext, inconclusive: Inconclusive[]): Violation | null {
    return judgeHistory(this.checkers, context, inconclusive);
  }
}

/** What changed between checkers `before` and their forks `after`, in one pass over them (settleCheckers). */
export const checkerStateChanged = 1;
export const checkerSharedChanged = 2;

/**
 * The versions of a judgement's checkers (InvariantChecker.version, -1 where a checker has none,
 * and sharedVersion, 0 where none), read once when the judgement is made: each read is a call
 * through one of many checker classes, which the explorer would otherwise make again at every
 * judging from that judgement.
 */
export interface CheckerVersions {
  readonly versions: readonly number[];
  readonly shared: readonly number[];
}

export function checkerVersionsOf(checkers: readonly InvariantChecker[]): CheckerVersions {
  return { versions: checkers.map((checker) => checker.version ?? -1), shared: checkers.map((checker) => checker.sharedVersion ?? 0) };
}

/** What judging a step left of the checkers (settleCheckers). */
export interface SettledCheckers {
  /** checkerStateChanged and checkerSharedChanged, as bits. */
  readonly changes: number;
  /** The forks, each one whose version did not move replaced by its original (see below). */
  readonly checkers: InvariantChecker[];
  readonly versions: CheckerVersions;
}

/**
 * Whether any checker's state changed between `before` (whose versions are `known`) and their
 * forks `after` (checkerStateChanged: InvariantChecker.version), and whether the sum of their
 * shared versions did (checkerSharedChanged: InvariantChecker.sharedVersion). Each fork's
 * versions are read once. A fork whose version did not move is replaced by its original: a
 * checker with a version keeps all its state under it, so the two are the same checker, and
 * judgements that share it hold one object instead of one per fork. A checker without a version
 * keeps its fork (it may keep what no version counts).
 */
export function settleCheckers(before: readonly InvariantChecker[], known: CheckerVersions, after: readonly InvariantChecker[]): SettledCheckers {
  const checkers = after.slice();
  const versions = known.versions.slice();
  const shared = known.shared.slice();
  let changes = 0;
  let sharedBefore = 0;
  let sharedAfter = 0;
  for (let index = 0; index < after.length; index += 1) {
    const later = after[index];
    if (later === before[index]) continue;
    const version = later.version ?? -1;
    const sharedVersion = later.sharedVersion ?? 0;
    sharedBefore += known.shared[index];
    sharedAfter += sharedVersion;
    shared[index] = sharedVersion;
    if (version !== known.versions[index]) {
      changes = checkerStateChanged;
      versions[index] = version;
    } else if (version !== -1) checkers[index] = before[index];
  }
  return { changes: sharedBefore === sharedAfter ? changes : changes | checkerSharedChanged, checkers, versions: { versions, shared } };
}

/**
 * What of a judgement can change a later verdict beyond the nodes' own states, node ids renamed
 * by `rename`, nodes taken in `order`: the committed history with its commit-term bounds, the
 * terms each node revealed, and the checkers' own digests. Not who committed an index (evidence
 * only) nor the version counters. A node's mirror goes with the node (digestDownMirror).
 */
export function digestJudgement(
  judgement: { shared: SharedObservation; revealed: readonly number[]; checkers: readonly InvariantChecker[] },
  sink: DigestSink,
  rename: readonly NodeId[],
  order: readonly NodeId[],
): void {
  const { shared, revealed, checkers } = judgement;
  const committed = (shared.digest ??= digestCommitted(shared));
  sink.number(committed[0]).number(committed[1]);
  for (const id of order) sink.number(revealed[id]);
  for (const checker of checkers) checker.digest?.(sink, rename);
}

/** The committed history and its commit-term bounds, as two lanes (no node ids in it). */
function digestCommitted(shared: SharedObservation): readonly [number, number] {
  const lanes = new Lanes().reset();
  const length = shared.terms.length - 1;
  lanes.number(length).number(shared.prefix[length]);
  for (const run of shared.termRuns) lanes.number(run.from).number(run.term === Number.POSITIVE_INFINITY ? -1 : run.term);
  const out: number[] = [];
  lanes.digestInto(out, 0);
  return [out[0], out[1]];
}

/**
 * The mirror of a node that is down, for its digest. A running node's mirror is not digested: it
 * is a function of the node's state, which the explorer digests itself; a node that is down keeps
 * the view it had. Nor its incarnation count: checkers compare it only for equality within one
 * node, for the end-of-run audit.
 */
export function digestDownMirror(mirror: NodeMirror, sink: DigestSink): void {
  sink.number(mirror.hasView ? roleCodes[mirror.role] : 0).number(mirror.term).number(mirror.commitIndex).number(mirror.appliedIndex);
  sink.number(mirror.lastIndex).number(mirror.prefixHashes[mirror.lastIndex]).number(mirror.lastAppliedSeen).number(mirror.hasLog ? 1 : 0);
  // Only where there is a snapshot, so that digests without one stay as they were.
  if (mirror.snapshotIndex !== 0 || mirror.anchorIndex !== 0) sink.number(-1).number(mirror.snapshotIndex).number(mirror.snapshotTerm).number(mirror.anchorIndex);
}

/**
 * Asks every checker about one step (a node's output, a crash, the end of the run): the first
 * violation in registry order, carrying the names of the others the same step violated.
 */
export function violationOfStep(checkers: readonly InvariantChecker[], check: (checker: InvariantChecker) => Violation | null): Violation | null {
  const verdict = new StepVerdict();
  for (const checker of checkers) verdict.add(check(checker));
  return verdict.result;
}

/** The first violation of one step, in registry order, with the names of the others it broke. */
class StepVerdict {
  private first: Violation | null = null;
  private others: string[] | null = null;

  add(violation: Violation | null): void {
    if (violation === null) return;
    if (this.first === null) this.first = violation;
    else if (violation.invariant !== this.first.invariant && !(this.others ??= []).includes(violation.invariant)) this.others.push(violation.invariant);
  }

  get result(): Violation | null {
    return this.first === null || this.others === null || this.others.length === 0 ? this.first : { ...this.first, alsoViolated: this.others };
  }
}

/**
 * The end-of-run audit of every checker: a harness error, if any audit found the harness's own
 * incremental state wrong (it outranks any violation: the verdicts rest on that state), else the
 * violations found as violationOfStep judges them, else null.
 */
export function judgeAudit(checkers: readonly InvariantChecker[], audit: (checker: InvariantChecker) => Violation | HarnessError | null): Violation | HarnessError | null {
  let harnessError: HarnessError | null = null;
  const violation = violationOfStep(checkers, (checker) => {
    const finding = audit(checker);
    if (finding === null || !isHarnessError(finding)) return finding;
    harnessError ??= finding;
    return null;
  });
  return harnessError ?? violation;
}

/**
 * Hands a history to every checker that judges histories: the first violation, or null; the
 * checks that could not decide are added to `inconclusive` (never a pass, never a violation).
 */
export function judgeHistory(checkers: readonly InvariantChecker[], context: HistoryCheckContext, inconclusive: Inconclusive[]): Violation | null {
  for (const checker of checkers) {
    const verdict = checker.checkHistory?.(context);
    if (verdict === undefined || verdict.verdict === 'ok') continue;
    if (verdict.verdict === 'violation') return verdict.violation;
    inconclusive.push({ invariant: checker.name, reason: verdict.reason, eventNumber: context.eventNumber, timeMs: context.timeMs });
  }
  return null;
}

// The shape of a checker the simulator runs after every event. Checkers live in invariants/,
// one file each; the simulator only knows this interface, so data flows downward.

import type { NodeId } from '../core/ids.js';
import type { ClientOperation } from './clients.js';
import type { ClusterObservation, StepChange } from './observation.js';

export type InvariantKind = 'safety' | 'liveness';

export interface Violation {
  invariant: string;
  kind: InvariantKind;
  message: string;
  nodes: NodeId[];
  /** 1-based number of the event after which the violation was seen; 0 for the end-of-run audit. */
  eventNumber: number;
  timeMs: number;
  /** The facts that show it: terms, indexes, entries. Plain JSON. */
  evidence: Record<string, unknown>;
  /**
   * Other invariants the same step violated, in registry order (absent: none). One step can break
   * several at once (a node that rolls its term back and, in the same message, takes a deposed
   * leader's entries over committed ones): they are one failure, and shrinking may keep any of them.
   */
  alsoViolated?: string[];
}

/** What a checker is handed with every step. */
export interface CheckContext {
  change: StepChange;
  cluster: ClusterObservation;
}

/** One run's instance of an invariant: it may keep state across the steps of that run. */
export interface InvariantChecker {
  readonly name: string;
  /** After a node handled one input. Returns the violation, or null. */
  afterStep(context: CheckContext): Violation | null;
  /** After a node crashed (its mirror is already marked down). */
  afterCrash?(node: NodeId, cluster: ClusterObservation, eventNumber: number, timeMs: number): Violation | null;
  /** The end-of-run audit: recompute from scratch what was checked incrementally. */
  audit(cluster: ClusterObservation, eventNumber: number, timeMs: number): Violation | null;
  /** Judges the clients' history: at the end of a run with clients, and periodically if asked. */
  checkHistory?(context: HistoryCheckContext): HistoryVerdict;
}

export interface HistoryCheckContext {
  /** Every operation so far; one without completion is indeterminate (given up, or still in flight). */
  history: readonly ClientOperation[];
  /** A deterministic bound on the work of the check (search steps), so runs stay reproducible. */
  stepsMax: number;
  eventNumber: number;
  timeMs: number;
}

/** 'unknown': the check ran out of its budget; neither a pass nor a violation. */
export type HistoryVerdict = { verdict: 'ok' } | { verdict: 'violation'; violation: Violation } | { verdict: 'unknown'; reason: string };

/**
 * Asks every checker about one step (a node's output, a crash, the end of the run): the first
 * violation in registry order, carrying the names of the others the same step violated.
 */
export function violationOfStep(checkers: readonly InvariantChecker[], check: (checker: InvariantChecker) => Violation | null): Violation | null {
  let first: Violation | null = null;
  const others: string[] = [];
  for (const checker of checkers) {
    const violation = check(checker);
    if (violation === null) continue;
    if (first === null) first = violation;
    else if (violation.invariant !== first.invariant && !others.includes(violation.invariant)) others.push(violation.invariant);
  }
  return first === null || others.length === 0 ? first : { ...first, alsoViolated: others };
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

/** A check that could not decide (its budget ran out): the run shows it, and it is no pass. */
export interface Inconclusive {
  invariant: string;
  reason: string;
  eventNumber: number;
  timeMs: number;
}

export interface InvariantDefinition {
  name: string;
  kind: InvariantKind;
  description: string;
  create(): InvariantChecker;
}

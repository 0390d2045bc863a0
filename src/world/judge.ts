// Judging one step with the invariants given: the first violation in registry order, naming the
// others the same step broke, and the clients' history handed to the checkers that judge histories.

import type { Inconclusive, Violation } from '../contract/observation.js';
import type { HistoryCheckContext, InvariantChecker } from '../../invariants/types.js';

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

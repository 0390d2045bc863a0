// Judging one step with the invariants given: the first violation in registry order, naming the
// others the same step broke; the end-of-run audit, which tells the harness's own errors from the
// implementation's violations; and the clients' history handed to the checkers that judge histories.

import type { HarnessError, Inconclusive, Violation } from '../contract/observation.js';
import { isHarnessError } from '../contract/observation.js';
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

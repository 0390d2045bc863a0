// Linearizability of a client history of the key-value service (get, put, append), the black-box
// check that Knossos and Porcupine make: is there one order of the operations, consistent with
// real time (an operation that completed before another was invoked comes first), in which every
// get reads what the puts and appends before it left?
//
// Contract:
// - The history is checked one key at a time (linearizability is compositional), keys in
//   code-unit order; the first key that fails is the one reported.
// - Indeterminate operations (no completion) may have taken effect at any time after their
//   invocation, or never. Equal times: an invocation at the very time another operation
//   completes counts as concurrent with it (the permissive reading; see search.ts).
// - Work is bounded by stepsMax (deterministic: the same history and options always give the same
//   verdict) and, if given, timeBudgetMs (wall clock: may differ between machines). Running out
//   gives 'unknown', never a pass. Explaining a violation gets its own allowance of stepsMax steps
//   (the time budget is shared), so a violation found at the edge of the budget is still explained.
// - A violation names the key, the shortest failing prefix of that key's operations by invocation
//   order (found from the failing search's frontier and proven by two more searches, see
//   linearizability/explain.ts), and why, in text.
// - A malformed history is a harness bug and throws HarnessBug (history.ts).

import { assert } from '../src/core/assert.js';
import type { NodeId } from '../src/core/ids.js';
import type { HistoryCheckContext, HistoryVerdict, InvariantDefinition } from './types.js';
import { explainViolation, keyLabel } from './linearizability/explain.js';
import { partitionByKey } from './linearizability/history.js';
import type { HistoryOperation } from './linearizability/history.js';
import { createBudget, searchKey } from './linearizability/search.js';
import { stateless } from './support.js';

export type { HistoryOperation, OperationKind } from './linearizability/history.js';

export interface LinearizabilityOptions {
  /** Wall-clock budget for the whole check; none by default, which keeps the verdict deterministic. */
  timeBudgetMs?: number;
  /** Most search steps (events visited) over all keys; defaultStepsMax by default. */
  stepsMax?: number;
}

/** Ample for what a run produces: the bench's 10,000 operations (5 clients, 10 keys) take about 11,000 steps. */
export const defaultStepsMax = 10_000_000;

export type LinearizabilityResult =
  | { verdict: 'linearizable' }
  | {
      verdict: 'not-linearizable';
      key: string;
      explanation: string;
      /** The operations of the shortest failing prefix of the key's history. */
      operations: HistoryOperation[];
      /** Its length: the shortest prefix of the key's history, by invocation order, that cannot be linearized. */
      prefixLength: number;
    }
  | { verdict: 'unknown'; reason: string };

export function checkLinearizability(history: readonly HistoryOperation[], options: LinearizabilityOptions = {}): LinearizabilityResult {
  const stepsMax = options.stepsMax ?? defaultStepsMax;
  assert(Number.isInteger(stepsMax) && stepsMax >= 0, `stepsMax must be a whole number of steps, not ${stepsMax}`);
  const timeBudgetMs = options.timeBudgetMs;
  assert(timeBudgetMs === undefined || timeBudgetMs >= 0, `timeBudgetMs must be a duration, not ${timeBudgetMs}`);

  const keyHistories = partitionByKey(history);
  const budget = createBudget({ stepsMax, timeBudgetMs });
  for (let position = 0; position < keyHistories.length; position += 1) {
    const keyHistory = keyHistories[position];
    const outcome = searchKey({ history: keyHistory, completions: keyHistory.completionOrder.length, budget });
    if (outcome.verdict === 'linearizable') continue;
    if (outcome.verdict === 'budget-exhausted') {
      const limit = budget.exhausted === 'time' ? `its time budget of ${timeBudgetMs} ms` : `its budget of ${stepsMax} step${stepsMax === 1 ? '' : 's'}`;
      return {
        verdict: 'unknown',
        reason:
          `the search ran out of ${limit} on key ${keyLabel(keyHistory.key)} (key ${position + 1} of ${keyHistories.length}, ` +
          `${keyHistory.operations.length} operations) before reaching a verdict`,
      };
    }
    const explanationBudget = { stepsMax, stepsUsed: 0, deadlineMs: budget.deadlineMs, exhausted: null };
    const violation = explainViolation({ history: keyHistory, budget: explanationBudget, frontier: outcome.frontier });
    return { verdict: 'not-linearizable', key: keyHistory.key, ...violation };
  }
  return { verdict: 'linearizable' };
}

/** The result as report text: one line for a pass or an unknown, the explanation for a violation. */
export function formatLinearizabilityResult(result: LinearizabilityResult): string {
  switch (result.verdict) {
    case 'linearizable':
      return 'linearizability: ok, every key\'s history is linearizable';
    case 'unknown':
      return `linearizability: unknown (not a pass): ${result.reason}`;
    case 'not-linearizable':
      return `linearizability: violation on key ${keyLabel(result.key)}\n${result.explanation}`;
  }
}

export const linearizabilityInvariant = 'linearizability';

/**
 * The checker as an invariant of runs with clients: nothing to check after each step; the
 * clients' history is judged at the end of the run (and periodically if the scenario asks).
 * Its budget is the scenario's checkStepsMax, a count of search steps and never wall time, so a
 * run's verdict is reproducible; out of budget, the verdict is 'unknown', which the run reports
 * as inconclusive.
 */
export const linearizability: InvariantDefinition = {
  name: linearizabilityInvariant,
  kind: 'safety',
  // A read a lease answered is linearizable only while clocks drift within their bound.
  restsOnClockBound: true,
  description: 'the clients\' history of gets, puts and appends has a linearization (checked at the end of the run)',
  create: () => ({
    name: linearizabilityInvariant,
    // Stateless: the history it judges is handed to it whole.
    fork: stateless,
    afterStep: () => null,
    audit: () => null,
    checkHistory: checkClientHistory,
  }),
};

function checkClientHistory(context: HistoryCheckContext): HistoryVerdict {
  const result = checkLinearizability(context.history, { stepsMax: context.stepsMax });
  if (result.verdict === 'linearizable') return { verdict: 'ok' };
  if (result.verdict === 'unknown') return { verdict: 'unknown', reason: result.reason };
  const byId = new Map(context.history.map((operation) => [operation.id, operation]));
  const nodes = new Set<NodeId>();
  for (const operation of result.operations) {
    const node = byId.get(operation.id)?.node;
    if (node !== undefined) nodes.add(node);
  }
  return {
    verdict: 'violation',
    violation: {
      invariant: linearizabilityInvariant,
      kind: 'safety',
      message: result.explanation,
      nodes: [...nodes].sort((a, b) => a - b),
      eventNumber: context.eventNumber,
      timeMs: context.timeMs,
      evidence: {
        key: result.key,
        prefixLength: result.prefixLength,
        operations: result.operations.map((operation) => {
          const { id, client, kind, key, value, invokeMs, completion } = operation;
          return { id, client, kind, key, ...(value !== undefined ? { value } : {}), invokeMs, ...(completion !== undefined ? { completion } : {}), node: byId.get(id)?.node ?? null };
        }),
        operationsInHistory: context.history.length,
      },
    },
  };
}

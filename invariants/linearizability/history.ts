// Client histories of the key-value service, and their split into one history per key.
//
// Every operation touches exactly one key, and linearizability is compositional (Herlihy and
// Wing's locality, "P-compositionality" in Horn and Kroening): a history is linearizable exactly
// when each key's sub-history is. So the checker only ever searches one key at a time, which is
// what keeps a 10,000-operation history cheap.
//
// A malformed history (duplicate ids, a completion before its invocation, a completed get with no
// result) is a bug in the harness that recorded it, not a property of the system under test, so
// it is an assertion, not a verdict.

import { assert } from '../../src/core/assert.js';

export type OperationKind = 'get' | 'put' | 'append';

export interface HistoryOperation {
  /** Unique over the history. */
  id: number;
  client: number;
  kind: OperationKind;
  key: string;
  /** The value of a put, the suffix of an append; absent for a get. */
  value?: string;
  /** Virtual time of the invocation. */
  invokeMs: number;
  /**
   * Completion time and result; absent for an indeterminate operation (timed out, the node
   * crashed): it may or may not have taken effect, at any time after invokeMs.
   */
  completion?: { completeMs: number; result?: string | null };
}

/** Model operation codes, small integers for the search's hot loop. */
export const operationCode = { get: 0, put: 1, append: 2 } as const;
export type OperationCode = (typeof operationCode)[OperationKind];

/** One operation of one key, with the fields the search needs, normalised. */
export interface KeyOperation {
  operation: HistoryOperation;
  code: OperationCode;
  /** Put value or append suffix; '' for a get. */
  argument: string;
  /** What a completed get read (null: the key was missing); null for everything else. */
  result: string | null;
  invokeMs: number;
  /** +Infinity for an indeterminate operation. */
  completeMs: number;
}

export interface KeyHistory {
  key: string;
  /** Sorted by invocation time, then id: "prefix" always means a prefix of this list. */
  operations: KeyOperation[];
  /**
   * Indexes into operations of the completed ones, by completion time, then index. The search
   * for the shortest failing prefix walks this list: the k-th cut is "the history as it stood
   * once the first k completions had happened".
   */
  completionOrder: number[];
  /** Cache of the search (search.ts): for a write's index, the completed gets that could have seen it. */
  observers: Map<number, number[]>;
}

function describeForAssertion(operation: HistoryOperation): string {
  return `operation ${operation.id} (${operation.kind} ${JSON.stringify(operation.key)} by client ${operation.client})`;
}

function normalise(operation: HistoryOperation): KeyOperation {
  const label = describeForAssertion(operation);
  assert(operation.kind === 'get' || operation.kind === 'put' || operation.kind === 'append', `${label}: unknown kind`);
  assert(typeof operation.key === 'string', `${label}: key is not a string`);
  assert(Number.isFinite(operation.invokeMs), `${label}: invokeMs is not a finite number`);
  if (operation.kind !== 'get') assert(typeof operation.value === 'string', `${label}: a ${operation.kind} needs a string value`);
  const completion = operation.completion;
  let completeMs = Number.POSITIVE_INFINITY;
  let result: string | null = null;
  if (completion !== undefined) {
    assert(Number.isFinite(completion.completeMs), `${label}: completeMs is not a finite number`);
    assert(completion.completeMs >= operation.invokeMs, `${label}: completes at ${completion.completeMs}, before its invocation at ${operation.invokeMs}`);
    completeMs = completion.completeMs;
    if (operation.kind === 'get') {
      // A get that completed read something (a string, or null for a missing key); a missing
      // result would silently make the read unconstrained and hide exactly the bugs we look for.
      assert(completion.result === null || typeof completion.result === 'string', `${label}: a completed get needs a result (a string, or null for a missing key)`);
      result = completion.result;
    }
  }
  return {
    operation,
    code: operationCode[operation.kind],
    argument: operation.kind === 'get' ? '' : (operation.value as string),
    result,
    invokeMs: operation.invokeMs,
    completeMs,
  };
}

function byInvocation(a: KeyOperation, b: KeyOperation): number {
  return a.invokeMs - b.invokeMs || a.operation.id - b.operation.id;
}

/** One history per key, in key order (code-unit order, independent of locale and input order). */
export function partitionByKey(history: readonly HistoryOperation[]): KeyHistory[] {
  const seenIds = new Set<number>();
  const byKey = new Map<string, KeyOperation[]>();
  for (const operation of history) {
    assert(!seenIds.has(operation.id), `operation id ${operation.id} appears twice in the history`);
    seenIds.add(operation.id);
    const normalised = normalise(operation);
    let list = byKey.get(operation.key);
    if (list === undefined) {
      list = [];
      byKey.set(operation.key, list);
    }
    list.push(normalised);
  }
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((key) => {
    const operations = (byKey.get(key) as KeyOperation[]).sort(byInvocation);
    const completionOrder: number[] = [];
    operations.forEach((operation, index) => {
      if (operation.completeMs !== Number.POSITIVE_INFINITY) completionOrder.push(index);
    });
    completionOrder.sort((a, b) => operations[a].completeMs - operations[b].completeMs || a - b);
    return { key, operations, completionOrder, observers: new Map<number, number[]>() };
  });
}

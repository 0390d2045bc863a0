// Properties of the linearizability checker, with fast-check. Values are drawn from a tiny
// alphabet on purpose ('a', 'b', 'ab', ...): reads then match several writes and appends overlap
// as substrings, which is where the search's prunings would go wrong if they were unsound.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../invariants/linearizability.js';
import type { HistoryOperation } from '../../invariants/linearizability.js';

type Kind = HistoryOperation['kind'];
const values = ['a', 'b', 'ab', 'ba', ''] as const;

interface ExecutedOperation {
  kind: Kind;
  key: string;
  value: string;
  client: number;
  /** Time from the previous operation's linearization point to this one's. */
  gapMs: number;
  /** How long before its linearization point the operation was invoked. */
  leadMs: number;
  /** How long after its linearization point it completed. */
  lagMs: number;
  /** Indeterminate operations either took effect at their point or never did. */
  fate: 'completed' | 'indeterminate, took effect' | 'indeterminate, never took effect';
}

const executedOperation = (keys: readonly string[], spreadMsMax: number): fc.Arbitrary<ExecutedOperation> =>
  fc.record({
    kind: fc.constantFrom<Kind>('get', 'put', 'append'),
    key: fc.constantFrom(...keys),
    value: fc.constantFrom(...values),
    client: fc.integer({ min: 1, max: 5 }),
    gapMs: fc.integer({ min: 0, max: 20 }),
    leadMs: fc.integer({ min: 0, max: spreadMsMax }),
    lagMs: fc.integer({ min: 0, max: spreadMsMax }),
    fate: fc.constantFrom<ExecutedOperation['fate']>(
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
      'indeterminate, took effect',
      'indeterminate, never took effect',
    ),
  });

/**
 * The history of a sequential execution with overlap added consistently: operation i takes
 * effect at its linearization point, in order, and its interval is drawn around that point.
 */
function executeSequentially(executed: readonly ExecutedOperation[]): HistoryOperation[] {
  const state = new Map<string, string>();
  let pointMs = 100;
  return executed.map((spec, index) => {
    pointMs += spec.gapMs;
    const operation: HistoryOperation = { id: index + 1, client: spec.client, kind: spec.kind, key: spec.key, invokeMs: pointMs - spec.leadMs };
    if (spec.kind !== 'get') operation.value = spec.value;
    if (spec.fate !== 'indeterminate, never took effect') {
      if (spec.kind === 'put') state.set(spec.key, spec.value);
      if (spec.kind === 'append') state.set(spec.key, (state.get(spec.key) ?? '') + spec.value);
    }
    if (spec.fate === 'completed') {
      operation.completion = { completeMs: pointMs + spec.lagMs };
      if (spec.kind === 'get') operation.completion.result = state.get(spec.key) ?? null;
    }
    return operation;
  });
}

const sequentialHistory = (options: { keys: readonly string[]; lengthMin?: number; lengthMax: number; spreadMsMax: number }) =>
  fc
    .array(executedOperation(options.keys, options.spreadMsMax), { minLength: options.lengthMin ?? 0, maxLength: options.lengthMax, size: 'max' })
    .map(executeSequentially);

const completedGetIndexes = (operations: readonly HistoryOperation[]): number[] =>
  operations.flatMap((operation, index) => (operation.kind === 'get' && operation.completion !== undefined ? [index] : []));

/** The history with one completed get's result replaced; index picks among the completed gets. */
function withReadResult(operations: readonly HistoryOperation[], pick: number, result: string | null): { operations: HistoryOperation[]; read: HistoryOperation } {
  const indexes = completedGetIndexes(operations);
  const index = indexes[pick % indexes.length];
  const read: HistoryOperation = { ...operations[index], completion: { completeMs: operations[index].completion?.completeMs as number, result } };
  return { operations: operations.map((operation, position) => (position === index ? read : operation)), read };
}

type Perturbation =
  | { kind: 'none' }
  | { kind: 'read'; pick: number; result: string | null }
  | { kind: 'shift'; pick: number; shiftMs: number };

/** Small changes that may or may not break linearizability: a read's result, an operation's time. */
const perturbation: fc.Arbitrary<Perturbation> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('read' as const), pick: fc.nat(), result: fc.constantFrom<string | null>(null, 'a', 'b', 'ab', 'ba', 'aa', '') }),
  fc.record({ kind: fc.constant('shift' as const), pick: fc.nat(), shiftMs: fc.integer({ min: -40, max: 40 }) }),
);

function perturb(operations: readonly HistoryOperation[], change: Perturbation): HistoryOperation[] {
  if (change.kind === 'read') {
    return completedGetIndexes(operations).length === 0 ? [...operations] : withReadResult(operations, change.pick, change.result).operations;
  }
  if (change.kind === 'shift' && operations.length > 0) {
    const index = change.pick % operations.length;
    return operations.map((operation, position) => {
      if (position !== index) return operation;
      const shifted: HistoryOperation = { ...operation, invokeMs: operation.invokeMs + change.shiftMs };
      if (operation.completion !== undefined) shifted.completion = { ...operation.completion, completeMs: operation.completion.completeMs + change.shiftMs };
      return shifted;
    });
  }
  return [...operations];
}

/**
 * A key's first m operations by invocation order as they stood just before operation m+1 was
 * invoked: an operation that completed at or after that moment (same millisecond: concurrent,
 * by the tie rule) has no result yet, so it is indeterminate.
 */
function prefixAsItStood(keyOperations: readonly HistoryOperation[], length: number): HistoryOperation[] {
  const sorted = [...keyOperations].sort((a, b) => a.invokeMs - b.invokeMs || a.id - b.id);
  const cutMs = length < sorted.length ? sorted[length].invokeMs : Number.POSITIVE_INFINITY;
  return sorted.slice(0, length).map((operation) => {
    if (operation.completion === undefined || operation.completion.completeMs < cutMs) return operation;
    const { completion: _unknownYet, ...indeterminate } = operation;
    return indeterminate;
  });
}

/** Exhaustive search straight from the definition, for small histories. */
function linearizableByBruteForce(operations: readonly HistoryOperation[]): boolean {
  // An indeterminate get constrains nothing.
  const relevant = operations.filter((operation) => operation.kind !== 'get' || operation.completion !== undefined);
  const search = (remaining: readonly HistoryOperation[], state: ReadonlyMap<string, string>): boolean => {
    // Done once every completed operation is placed; indeterminate ones may never take effect.
    if (remaining.every((operation) => operation.completion === undefined)) return true;
    return remaining.some((operation) => {
      const mustComeFirst = remaining.some(
        (other) => other !== operation && other.completion !== undefined && other.completion.completeMs < operation.invokeMs,
      );
      if (mustComeFirst) return false;
      const current = state.get(operation.key) ?? null;
      const next = new Map(state);
      if (operation.kind === 'get') {
        if (operation.completion !== undefined && operation.completion.result !== current) return false;
      } else if (operation.kind === 'put') {
        next.set(operation.key, operation.value as string);
      } else {
        next.set(operation.key, (current ?? '') + (operation.value as string));
      }
      return search(
        remaining.filter((other) => other !== operation),
        next,
      );
    });
  };
  return search(relevant, new Map());
}

const propertyOptions = { numRuns: 300 } as const;

describe('histories of sequential executions', () => {
  it('are judged linearizable, whatever overlap is drawn around each operation', () => {
    fc.assert(
      fc.property(sequentialHistory({ keys: ['k1', 'k2', 'k3'], lengthMax: 60, spreadMsMax: 40 }), (operations) => {
        expect(checkLinearizability(operations)).toEqual({ verdict: 'linearizable' });
      }),
      propertyOptions,
    );
  });

  it('are judged not linearizable once a completed get reads a value never written, blamed on that get', () => {
    const withGet = sequentialHistory({ keys: ['k1', 'k2', 'k3'], lengthMax: 60, spreadMsMax: 40 }).filter(
      (operations) => completedGetIndexes(operations).length > 0,
    );
    fc.assert(
      fc.property(withGet, fc.nat(), (original, pick) => {
        const { operations, read } = withReadResult(original, pick, 'never written');
        const result = checkLinearizability(operations);
        expect(result.verdict).toBe('not-linearizable');
        if (result.verdict !== 'not-linearizable') return;
        const readCompleteMs = read.completion?.completeMs as number;
        const invokedBy = operations.filter((operation) => operation.key === read.key && operation.invokeMs <= readCompleteMs);
        expect(result.key).toBe(read.key);
        expect(result.prefixLength).toBe(invokedBy.length);
        expect(result.operations).toContain(read);
        expect(result.explanation).toContain(`op ${read.id}: get(${read.key}) by client ${read.client}`);
      }),
      propertyOptions,
    );
  });
});

describe('the verdict', () => {
  it('agrees with a brute-force search on small histories, linearizable or not', () => {
    const perturbed = fc
      .tuple(sequentialHistory({ keys: ['k1', 'k2'], lengthMin: 3, lengthMax: 8, spreadMsMax: 30 }), perturbation)
      .map(([operations, change]) => perturb(operations, change));
    fc.assert(
      fc.property(perturbed, (operations) => {
        const expected = linearizableByBruteForce(operations) ? 'linearizable' : 'not-linearizable';
        expect(checkLinearizability(operations).verdict).toBe(expected);
      }),
      { numRuns: 1_000 },
    );
  });

  it('does not depend on the order the operations are listed in', () => {
    const listedTwice = fc
      .tuple(sequentialHistory({ keys: ['k1', 'k2'], lengthMax: 30, spreadMsMax: 40 }), perturbation)
      .map(([operations, change]) => perturb(operations, change))
      .chain((operations) => fc.tuple(fc.constant(operations), fc.shuffledSubarray(operations, { minLength: operations.length, maxLength: operations.length })));
    fc.assert(
      fc.property(listedTwice, ([operations, reordered]) => {
        expect(checkLinearizability(reordered)).toEqual(checkLinearizability(operations));
      }),
      propertyOptions,
    );
  });
});

describe('the shortest failing prefix', () => {
  it('fails as it stood when the next operation was invoked, and one operation shorter it does not', () => {
    const broken = fc
      .tuple(sequentialHistory({ keys: ['k1', 'k2'], lengthMax: 30, spreadMsMax: 40 }), perturbation, perturbation)
      .map(([operations, first, second]) => perturb(perturb(operations, first), second));
    fc.assert(
      fc.property(broken, (operations) => {
        const result = checkLinearizability(operations);
        if (result.verdict !== 'not-linearizable') return;
        const keyOperations = operations.filter((operation) => operation.key === result.key);
        const byInvocation = [...keyOperations].sort((a, b) => a.invokeMs - b.invokeMs || a.id - b.id);
        expect(result.operations).toEqual(byInvocation.slice(0, result.prefixLength));
        expect(checkLinearizability(prefixAsItStood(keyOperations, result.prefixLength)).verdict).toBe('not-linearizable');
        expect(checkLinearizability(prefixAsItStood(keyOperations, result.prefixLength - 1)).verdict).toBe('linearizable');
      }),
      propertyOptions,
    );
  });
});

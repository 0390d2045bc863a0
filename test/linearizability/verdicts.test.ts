// The linearizability checker on hand-made histories, one behaviour each. Histories are written one
// operation a line, "c<client> <kind> <key> [value] [-> result] [invoke, complete]", with "?" for
// the completion of an indeterminate operation; ids are line numbers, from 1.

import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../invariants/linearizability.js';
import type { HistoryOperation } from '../../invariants/linearizability.js';
import { HarnessBug } from '../../src/core/assert.js';

function history(...lines: string[]): HistoryOperation[] {
  return lines.map((line, index) => {
    const match = /^c(\d+) (get|put|append) (\S+)(?: (?!->)(\S+))?(?: -> (\S+))? \[(\d+), (\d+|\?)\]$/.exec(line);
    if (match === null) throw new Error(`cannot read history line ${JSON.stringify(line)}`);
    const [, client, kind, key, value, result, invokeMs, completeMs] = match;
    const token = (text: string): string => (text === "''" ? '' : text);
    const operation: HistoryOperation = { id: index + 1, client: Number(client), kind: kind as HistoryOperation['kind'], key, invokeMs: Number(invokeMs) };
    if (value !== undefined) operation.value = token(value);
    if (completeMs !== '?') {
      operation.completion = { completeMs: Number(completeMs) };
      if (kind === 'get') operation.completion.result = result === 'null' ? null : token(result as string);
    }
    return operation;
  });
}

const verdictOf = (operations: HistoryOperation[]): string => checkLinearizability(operations).verdict;

describe('sequential histories', () => {
  it('accepts an empty history', () => {
    expect(verdictOf([])).toBe('linearizable');
  });

  it('accepts puts, appends and gets one after another, each read seeing the last write', () => {
    const operations = history(
      'c1 put k1 v1 [0, 10]',
      'c2 get k1 -> v1 [20, 30]',
      'c1 append k1 x [40, 50]',
      'c3 get k1 -> v1x [60, 70]',
      'c2 put k1 v2 [80, 90]',
      'c3 get k1 -> v2 [100, 110]',
    );
    expect(verdictOf(operations)).toBe('linearizable');
  });

  it('reads a missing key as null', () => {
    expect(verdictOf(history('c1 get k1 -> null [0, 10]'))).toBe('linearizable');
    expect(verdictOf(history("c1 get k1 -> '' [0, 10]"))).toBe('not-linearizable');
  });

  it('appends to a missing key as to the empty string', () => {
    expect(verdictOf(history('c1 append k1 x [0, 10]', 'c2 get k1 -> x [20, 30]'))).toBe('linearizable');
  });

  it('rejects a read of null after a completed put', () => {
    expect(verdictOf(history('c1 put k1 v1 [0, 10]', 'c2 get k1 -> null [20, 30]'))).toBe('not-linearizable');
  });
});

describe('overlapping operations', () => {
  it('accepts a get that overlaps a put whichever of the two values it reads', () => {
    const before = history('c1 put k1 v1 [0, 10]', 'c2 put k1 v2 [20, 40]', 'c3 get k1 -> v1 [25, 35]');
    const after = history('c1 put k1 v1 [0, 10]', 'c2 put k1 v2 [20, 40]', 'c3 get k1 -> v2 [25, 35]');
    expect(verdictOf(before)).toBe('linearizable');
    expect(verdictOf(after)).toBe('linearizable');
  });

  it('rejects a stale read after a completed put', () => {
    const operations = history('c1 put k1 v1 [0, 10]', 'c2 put k1 v2 [20, 30]', 'c3 get k1 -> v1 [40, 50]');
    expect(verdictOf(operations)).toBe('not-linearizable');
  });

  it('rejects a read that sees a value before the put of it was invoked', () => {
    const operations = history('c1 get k1 -> v1 [0, 10]', 'c2 put k1 v1 [20, 30]');
    expect(verdictOf(operations)).toBe('not-linearizable');
  });

  it('rejects two reads that see a concurrent put in opposite orders one after the other', () => {
    // Once a read has returned the new value, a later read cannot go back to the old one.
    const operations = history('c1 put k1 v1 [0, 10]', 'c2 put k1 v2 [20, 100]', 'c3 get k1 -> v2 [30, 40]', 'c4 get k1 -> v1 [50, 60]');
    expect(verdictOf(operations)).toBe('not-linearizable');
  });

  it('treats an invocation at the very time another operation completes as concurrent with it', () => {
    expect(verdictOf(history('c1 put k1 v1 [0, 10]', 'c2 get k1 -> null [10, 20]'))).toBe('linearizable');
  });

  it('orders operations whose intervals are apart by a single millisecond', () => {
    expect(verdictOf(history('c1 put k1 v1 [0, 10]', 'c2 get k1 -> null [11, 20]'))).toBe('not-linearizable');
  });
});

describe('appends', () => {
  it('accepts concurrent appends seen in either order', () => {
    const ab = history('c1 append k1 a [0, 20]', 'c2 append k1 b [5, 25]', 'c3 get k1 -> ab [30, 40]');
    const ba = history('c1 append k1 a [0, 20]', 'c2 append k1 b [5, 25]', 'c3 get k1 -> ba [30, 40]');
    expect(verdictOf(ab)).toBe('linearizable');
    expect(verdictOf(ba)).toBe('linearizable');
  });

  it('rejects appends seen in an order that real time forbids', () => {
    const operations = history('c1 append k1 a [0, 10]', 'c2 append k1 b [20, 30]', 'c3 get k1 -> ba [40, 50]');
    expect(verdictOf(operations)).toBe('not-linearizable');
  });

  it('rejects a read that misses a completed append', () => {
    const operations = history('c1 put k1 v [0, 10]', 'c2 append k1 x [20, 30]', 'c3 get k1 -> v [40, 50]');
    expect(verdictOf(operations)).toBe('not-linearizable');
  });

  it('rejects an append applied twice (a retry without deduplication)', () => {
    const operations = history('c1 append k1 x [0, 30]', 'c2 get k1 -> xx [40, 50]');
    expect(verdictOf(operations)).toBe('not-linearizable');
  });
});

describe('indeterminate operations', () => {
  it('accepts an indeterminate put that a later read sees: it took effect', () => {
    const operations = history('c1 put k1 v1 [0, ?]', 'c2 get k1 -> v1 [50, 60]');
    expect(verdictOf(operations)).toBe('linearizable');
  });

  it('accepts an indeterminate put that a later read does not see: it may never have taken effect', () => {
    const operations = history('c1 put k1 v1 [0, 10]', 'c2 put k1 v2 [20, ?]', 'c3 get k1 -> v1 [50, 60]', 'c3 get k1 -> v1 [70, 80]');
    expect(verdictOf(operations)).toBe('linearizable');
  });

  it('accepts an indeterminate put whose effect appears only after a later completed put', () => {
    // v1 was invoked first but took effect after v2 completed, as a delayed retry would.
    const operations = history('c1 put k1 v1 [0, ?]', 'c2 put k1 v2 [10, 20]', 'c3 get k1 -> v2 [25, 28]', 'c3 get k1 -> v1 [30, 40]');
    expect(verdictOf(operations)).toBe('linearizable');
  });

  it('accepts an indeterminate append that a later read sees on top of a later completed append', () => {
    const operations = history('c1 append k1 a [0, ?]', 'c2 append k1 b [10, 20]', 'c3 get k1 -> ba [30, 40]');
    expect(verdictOf(operations)).toBe('linearizable');
  });

  it('rejects an indeterminate put seen before a completed put and again after it: it takes effect once', () => {
    const operations = history('c1 put k1 v1 [0, ?]', 'c2 get k1 -> v1 [5, 8]', 'c3 put k1 v2 [10, 20]', 'c2 get k1 -> v1 [30, 40]');
    expect(verdictOf(operations)).toBe('not-linearizable');
  });

  it('rejects a read that sees an indeterminate put before it was invoked', () => {
    const operations = history('c1 get k1 -> v1 [0, 10]', 'c2 put k1 v1 [20, ?]');
    expect(verdictOf(operations)).toBe('not-linearizable');
  });

  it('ignores an indeterminate get: it observed nothing', () => {
    const operations = history('c1 put k1 v1 [0, 10]', 'c2 get k1 [20, ?]', 'c3 get k1 -> v1 [30, 40]');
    expect(verdictOf(operations)).toBe('linearizable');
  });
});

describe('keys', () => {
  it('checks each key on its own: operations on different keys never constrain each other', () => {
    // Were k1 and k2 one register, the read of k2 would have to see v1.
    const operations = history('c1 put k1 v1 [0, 10]', 'c2 put k2 w1 [20, 30]', 'c3 get k2 -> w1 [40, 50]', 'c3 get k1 -> v1 [60, 70]');
    expect(verdictOf(operations)).toBe('linearizable');
  });

  it('reports a violation on k2 with key k2 when k1 is fine', () => {
    const operations = history(
      'c1 put k1 v1 [0, 10]',
      'c1 get k1 -> v1 [20, 30]',
      'c2 put k2 w1 [0, 10]',
      'c2 put k2 w2 [20, 30]',
      'c3 get k2 -> w1 [40, 50]',
      'c1 put k3 u1 [0, 10]',
    );
    const result = checkLinearizability(operations);
    expect(result).toMatchObject({ verdict: 'not-linearizable', key: 'k2' });
    if (result.verdict !== 'not-linearizable') return;
    expect(result.operations.map((operation) => operation.key)).toEqual(['k2', 'k2', 'k2']);
  });
});

describe('malformed histories', () => {
  it('throws a HarnessBug for a duplicate operation id', () => {
    const operations = history('c1 put k1 v1 [0, 10]', 'c2 put k1 v2 [20, 30]');
    operations[1].id = 1;
    expect(() => checkLinearizability(operations)).toThrow(HarnessBug);
  });

  it('throws a HarnessBug for a completion before its invocation', () => {
    expect(() => checkLinearizability(history('c1 put k1 v1 [20, 10]'))).toThrow(/before its invocation/);
  });

  it('throws a HarnessBug for a completed get without a result', () => {
    const operations = history('c1 get k1 -> null [0, 10]');
    delete operations[0].completion?.result;
    expect(() => checkLinearizability(operations)).toThrow(/needs a result/);
  });
});

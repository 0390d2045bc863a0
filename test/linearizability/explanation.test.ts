// How the linearizability checker reports: the shortest failing prefix, the explanation text
// (golden), the budget's 'unknown', and the report formatting.

import { describe, expect, it } from 'vitest';
import { checkLinearizability, formatLinearizabilityResult } from '../../invariants/linearizability.js';
import type { HistoryOperation, LinearizabilityResult } from '../../invariants/linearizability.js';

function history(...lines: string[]): HistoryOperation[] {
  return lines.map((line, index) => {
    const match = /^c(\d+) (get|put|append) (\S+)(?: (?!->)(\S+))?(?: -> (\S+))? \[(\d+), (\d+|\?)\]$/.exec(line);
    if (match === null) throw new Error(`cannot read history line ${JSON.stringify(line)}`);
    const [, client, kind, key, value, result, invokeMs, completeMs] = match;
    const operation: HistoryOperation = { id: index + 1, client: Number(client), kind: kind as HistoryOperation['kind'], key, invokeMs: Number(invokeMs) };
    if (value !== undefined) operation.value = value;
    if (completeMs !== '?') {
      operation.completion = { completeMs: Number(completeMs) };
      if (kind === 'get') operation.completion.result = result === 'null' ? null : (result as string);
    }
    return operation;
  });
}

function violationOf(operations: HistoryOperation[]): Extract<LinearizabilityResult, { verdict: 'not-linearizable' }> {
  const result = checkLinearizability(operations);
  if (result.verdict !== 'not-linearizable') throw new Error(`expected a violation, got ${JSON.stringify(result)}`);
  return result;
}

/** Many sequential writes and reads on one key: the search needs a step per operation at least. */
function longSequentialHistory(length: number): HistoryOperation[] {
  const lines: string[] = [];
  for (let index = 0; index < length; index += 1) {
    const timeMs = index * 10;
    lines.push(index % 2 === 0 ? `c1 put k1 v${index} [${timeMs}, ${timeMs + 5}]` : `c2 get k1 -> v${index - 1} [${timeMs}, ${timeMs + 5}]`);
  }
  return history(...lines);
}

describe('the shortest failing prefix', () => {
  it('is reported, not the whole history, when later operations fail too', () => {
    const violation = violationOf(
      history(
        'c1 put k1 v1 [0, 10]',
        'c2 put k1 v2 [20, 30]',
        'c3 get k1 -> v1 [40, 50]',
        'c1 put k1 v3 [60, 70]',
        'c2 get k1 -> v1 [80, 90]',
        'c3 get k1 -> v2 [100, 110]',
      ),
    );
    expect(violation.prefixLength).toBe(3);
    expect(violation.operations.map((operation) => operation.id)).toEqual([1, 2, 3]);
  });

  it('counts the operations invoked by the time the failing read returned, in invocation order', () => {
    // The history is listed out of order; op 4 was invoked while the stale read (op 1) ran.
    const violation = violationOf(
      history('c2 get k1 -> v1 [40, 50]', 'c1 put k1 v1 [0, 10]', 'c3 get k1 -> v2 [60, 70]', 'c4 put k1 v2 [45, 55]', 'c1 put k1 v2 [20, 30]'),
    );
    expect(violation.prefixLength).toBe(4);
    expect(violation.operations.map((operation) => operation.id)).toEqual([2, 5, 1, 4]);
  });

  it('starts at the read whose result no order allows, even when an earlier read returned later', () => {
    // Op 3 returned at 100, after the stale read op 4; the violation is certain at 60, when op 4 returned.
    const violation = violationOf(
      history('c1 put k1 v1 [0, 10]', 'c2 put k1 v2 [20, 30]', 'c3 get k1 -> v2 [35, 100]', 'c4 get k1 -> v1 [40, 60]'),
    );
    expect(violation.prefixLength).toBe(4);
    expect(violation.explanation).toContain('as they stood at 60 ms when op 4 returned');
    expect(violation.explanation).toContain('op 3: get(k1) by client 3 at [35, 100] -> \'v2\' (returned after 60 ms: still running then)');
  });
});

describe('the explanation', () => {
  it('names the key, lists the prefix with times and results, and says what the read could have seen', () => {
    const violation = violationOf(
      history(
        'c1 put k1 v1 [0, 10]',
        'c2 put k1 v2 [20, 30]',
        'c3 get k1 -> v1 [40, 50]',
        'c4 put k1 v3 [45, 60]',
        'c2 append k1 x [48, ?]',
        'c4 get k1 -> v3 [70, 80]',
      ),
    );
    expect(violation.key).toBe('k1');
    expect(violation.explanation).toBe(
      [
        'key k1 is not linearizable: the shortest failing prefix is its first 5 of 6 operations by invocation order, as they stood at 50 ms when op 3 returned:',
        "  op 1: put(k1, 'v1') by client 1 at [0, 10]",
        "  op 2: put(k1, 'v2') by client 2 at [20, 30]",
        "  op 3: get(k1) by client 3 at [40, 50] -> 'v1'",
        "  op 4: put(k1, 'v3') by client 4 at [45, 60] (returned after 50 ms: still running then)",
        "  op 5: append(k1, 'x') by client 2 at [48, ?] indeterminate",
        "get(k1) by client 3 at [40, 50] returned 'v1', but every order of these operations consistent with real time has k1 = 'v2', 'v2x', 'v3' or 'v3x' there.",
      ].join('\n'),
    );
  });

  it('says a read of a value never written could only have seen what was', () => {
    const violation = violationOf(history('c1 put k1 v1 [0, 10]', 'c2 get k1 -> v9 [20, 30]'));
    expect(violation.explanation).toContain("get(k1) by client 2 at [20, 30] returned 'v9', but every order of these operations consistent with real time has k1 = 'v1' there.");
  });

  it('shows a missing key as null', () => {
    const violation = violationOf(history('c1 get k1 -> v1 [0, 10]', 'c2 put k1 v1 [20, 30]'));
    expect(violation.explanation).toContain('has k1 = null there');
  });

  it('is formatted for reports under a line naming the key', () => {
    const violation = violationOf(history('c1 put k1 v1 [0, 10]', 'c2 get k1 -> null [20, 30]'));
    expect(formatLinearizabilityResult(violation)).toBe(`linearizability: violation on key k1\n${violation.explanation}`);
  });
});

describe('the budget', () => {
  it("answers 'unknown', never a pass, when stepsMax runs out before a verdict", () => {
    const result = checkLinearizability(longSequentialHistory(20), { stepsMax: 1 });
    expect(result).toEqual({
      verdict: 'unknown',
      reason: 'the search ran out of its budget of 1 step on key k1 (key 1 of 1, 20 operations) before reaching a verdict',
    });
  });

  it('gives the verdict once stepsMax is enough', () => {
    expect(checkLinearizability(longSequentialHistory(20), { stepsMax: 1_000 }).verdict).toBe('linearizable');
  });

  it("answers 'unknown' for a violation that the budget does not reach", () => {
    const operations = [...longSequentialHistory(20), ...history('c9 get k1 -> never [1000, 1010]').map((operation) => ({ ...operation, id: 100 }))];
    expect(checkLinearizability(operations).verdict).toBe('not-linearizable');
    expect(checkLinearizability(operations, { stepsMax: 10 }).verdict).toBe('unknown');
  });

  it("answers 'unknown' when the time budget runs out", () => {
    const result = checkLinearizability(longSequentialHistory(5_000), { timeBudgetMs: 0 });
    expect(result.verdict).toBe('unknown');
    if (result.verdict === 'unknown') expect(result.reason).toContain('its time budget of 0 ms');
  });

  it('is formatted as unknown and not a pass', () => {
    const result = checkLinearizability(longSequentialHistory(20), { stepsMax: 1 });
    expect(formatLinearizabilityResult(result)).toMatch(/^linearizability: unknown \(not a pass\): the search ran out/);
  });
});

describe('a pass', () => {
  it('is formatted as one line', () => {
    expect(formatLinearizabilityResult(checkLinearizability(longSequentialHistory(4)))).toBe("linearizability: ok, every key's history is linearizable");
  });
});

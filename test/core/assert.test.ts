// Harness bugs go through one door: src/core/assert.ts (assert, unreachable, HarnessBug), so a
// bug in raftcheck is always a HarnessBug, told apart from expected failures that are values.
// No module throws a plain Error that calls itself a harness bug.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assert, HarnessBug, unreachable } from '../../src/core/assert.js';
import { root } from '../support/cli.js';

/** A plain Error thrown with "harness bug" in its message: what assert() is for. */
const adHocHarnessBug = /throw\s+new\s+Error\(\s*[`'"][^`'"]*harness bug/i;

describe('assertions', () => {
  it('throw a HarnessBug with the message when the condition fails, and nothing when it holds', () => {
    expect(() => assert(1 + 1 === 3, 'arithmetic broke')).toThrow(new HarnessBug('arithmetic broke'));
    expect(() => assert(true, 'never shown')).not.toThrow();
    expect(() => unreachable('x' as never, 'a switch')).toThrow(HarnessBug);
  });

  it('are the only way src/ and invariants/ report a harness bug', () => {
    const files = execFileSync('git', ['ls-files', 'src', 'invariants'], { cwd: root, encoding: 'utf8' }).split('\n').filter((path) => path.endsWith('.ts'));
    const offenders = files.filter((path) => adHocHarnessBug.test(readFileSync(join(root, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('recognise an ad-hoc harness bug, so the scan above can fail', () => {
    expect(adHocHarnessBug.test("if (x) throw new Error('harness bug: step on a crashed node');")).toBe(true);
    expect(adHocHarnessBug.test('throw new Error(`Harness bug: ${what}`)')).toBe(true);
    expect(adHocHarnessBug.test("throw new Error('the program exited')")).toBe(false);
  });
});

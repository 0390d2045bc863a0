// `raftcheck explore` with bad options, as a user meets it: every bad flag named at once, with
// the option it sets, the reason and the value as typed, exit code 2, and no stack trace.

import { describe, expect, it } from 'vitest';
import { raftcheck } from '../support/cli.js';

describe('raftcheck explore with bad options', () => {
  it('names every bad flag with its field and reason, and exits 2 without a stack trace', () => {
    const { status, stdout, stderr } = raftcheck(['explore', '--nodes', '9', '--depth', '-1', '--max-term', 'abc', '--pct-depth', '0', '--seed', '-2']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('raftcheck: explore: 5 options are not valid:');
    expect(stderr).toContain('  --seed: expected an integer from 0 to 4294967295, got "-2"');
    expect(stderr).toContain('  --nodes: expected an integer from 1 to 7, got "9"');
    expect(stderr).toContain('  --depth (bounds.depthMax): expected an integer from 0 to 1000000000, got "-1"');
    expect(stderr).toContain('  --max-term (bounds.termMax): expected an integer from 0 to 1000000000, got "abc"');
    expect(stderr).toContain('  --pct-depth (pctDepth): expected an integer from 1 to 100, got "0"');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a fractional walk count and a negative state bound, naming both', () => {
    const { status, stderr } = raftcheck(['explore', '--walks', '1.5', '--max-states', '-3']);
    expect(status).toBe(2);
    expect(stderr).toContain('--walks (walksMax): expected an integer from 0 to 1000000000, got "1.5"');
    expect(stderr).toContain('--max-states (bounds.statesMax): expected an integer from 0 to 1000000000, got "-3"');
  });
});

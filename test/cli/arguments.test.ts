// Arguments as users type them, including the ways they go wrong: an option without its value, a
// value that is not a number, widths and folders that mean nothing, seeds past 2^53, a scenario
// saved with a byte-order mark; and counts that read "1 node", not "1 nodes".

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed, traceOf } from '../../src/check/run.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { allInvariants } from '../../invariants/index.js';
import { raftcheck } from '../support/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'raftcheck-arguments-'));
const bug = 'vote-without-log-check';
const run = runSeed({ seed: 1, implementation: referenceImplementation(bugsFromNames([bug])), scenario: defaultScenario(), invariants: allInvariants, recordEvents: true });
const trace = join(folder, 'seed-1.trace.json');
writeFileSync(trace, JSON.stringify(traceOf(run, [bug])));

function emptyFolder(): string {
  return mkdtempSync(join(tmpdir(), 'raftcheck-arguments-out-'));
}

describe('an option given without its value', () => {
  it('is an error for run --seeds, not a campaign of the default 2,000 seeds', () => {
    const out = emptyFolder();
    const result = raftcheck(['run', '--out', out, '--seeds']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Not enough arguments following: seeds');
    expect(readdirSync(out)).toEqual([]);
  });

  it('is an error for any option that takes a value, in every command, with exit code 2', () => {
    for (const args of [['run', '--seeds', '--json'], ['run', '--strategy'], ['show', trace, '--width'], ['replay', trace, '--impl'], ['explore', '--depth']]) {
      const result = raftcheck(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^raftcheck: Not enough arguments following: \w+/);
    }
  });
});

describe('a value that is not what the option takes', () => {
  it('is quoted as typed, not shown as NaN', () => {
    const result = raftcheck(['run', '--seeds', 'abc']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--seeds must be an integer from 1 to 10000000, got "abc"');
    expect(raftcheck(['run', '--shrink-time=soon']).stderr).toContain('--shrink-time must be a positive number, got "soon"');
  });

  it('refuses show --width 0, -5 and abc', () => {
    for (const width of ['0', '-5', 'abc']) {
      const result = raftcheck(['show', trace, '--width', width]);
      expect(result.status, width).toBe(2);
      expect(result.stderr).toContain(`--width must be an integer from 40 to 1000, got "${width}"`);
    }
  });

  it('refuses an empty --out for run, shrink and explore', () => {
    for (const args of [['run', '--seeds', '1'], ['shrink', trace], ['explore']]) {
      const result = raftcheck([...args, '--out', '']);
      expect(result.status, args[0]).toBe(2);
      expect(result.stderr).toContain('--out must not be empty');
    }
  });
});

describe('show --width', () => {
  it('bounds every line it prints to the width', () => {
    const result = raftcheck(['show', trace, '--width', '100']);
    expect(result.status).toBe(0);
    const widest = Math.max(...result.stdout.split('\n').map((line) => line.length));
    expect(widest).toBeLessThanOrEqual(100);
  });
});

describe('seeds', () => {
  it('refuses a range that runs past 2^53 - 1, where seeds stop being distinct numbers', () => {
    const result = raftcheck(['run', '--first-seed', '9007199254740991', '--seeds', '5']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('would run past the largest seed, 9007199254740991 (2^53 - 1): start at 9007199254740987 at most');
  });

  it('runs the largest seed itself', () => {
    const result = raftcheck(['run', '--first-seed', '9007199254740991', '--seeds', '1']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('seeds 9007199254740991');
  });
});

describe('files saved with a UTF-8 byte-order mark', () => {
  it('are read as the JSON after it: a scenario and a trace', () => {
    const scenario = join(folder, 'bom.json');
    writeFileSync(scenario, `\ufeff${JSON.stringify({ nodes: 3, durationMs: 500 })}`);
    const result = raftcheck(['run', '--scenario', scenario, '--seed', '1']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const bomTrace = join(folder, 'bom.trace.json');
    writeFileSync(bomTrace, `\ufeff${JSON.stringify(traceOf(run, [bug]))}`);
    expect(raftcheck(['replay', bomTrace]).status).toBe(1);
  });
});

describe('counts in what is printed', () => {
  it('say "1 node" for a cluster of one', () => {
    const result = raftcheck(['run', '--scenario', 'default', '--nodes', '1', '--seed', '1']);
    expect(result.stdout).toContain('options     1 node, ');
    expect(raftcheck(['explore', '--nodes', '1', '--depth', '1', '--out', emptyFolder()]).stdout).toContain('raftcheck explore: reference, 1 node, ');
  });
});

describe('arguments yargs would take silently', () => {
  it('refuses an option given twice, naming both values, in every command, before any other check', () => {
    const cases = [
      ['run', '--seeds', '2', '--seeds', '3'],
      ['run', '--scenario', 'scenarios/../package.json', '--scenario', ''],
      ['replay', trace, '--impl', 'reference', '--impl', 'process:'],
      ['explore', '--impl', 'process:/no/such/program', '--impl', 'X'],
    ];
    for (const args of cases) {
      const result = raftcheck(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^raftcheck: --\w+ was given 2 times \(.*\): give it once/);
    }
  });

  it('still takes a repeatable option (--bug) as often as it is given', () => {
    const result = raftcheck(['run', '--seeds', '1', '--no-shrink', '--out', emptyFolder(), '--bug', 'figure8', '--bug', 'term-rollback', '--json']);
    expect(JSON.parse(result.stdout).implementation).toBe('reference+figure8+term-rollback');
  });

  it('refuses options written after "--" and stray words, instead of running with the defaults', () => {
    for (const args of [['explore', '--', '--max-states', '3000', '--time', '2'], ['show', trace, 'extra']]) {
      const result = raftcheck(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('unexpected argument');
    }
  });
});

// The bug corpus from the command line: `raftcheck bugs` lists it, `raftcheck run --bug NAME`
// runs the reference with that bug, and a failure's replay command carries the --bug flags, so it
// reproduces the same run.

import { describe, expect, it } from 'vitest';
import { raftcheck } from '../support/cli.js';
import { bugCatalog, bugNames } from '../../src/raft/bugs.js';


describe('raftcheck bugs', () => {
  it('lists every bug on one line with the invariant expected to catch it, and its source on the line below', () => {
    const { status, stdout } = raftcheck(['bugs']);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 * bugCatalog.length);
    for (const [index, bug] of bugCatalog.entries()) {
      expect(lines[2 * index]).toMatch(new RegExp(`^${bug.name}\\s+${bug.invariant}\\s+\\S`));
      expect(lines[2 * index]).toContain(bug.description);
      expect(lines[2 * index + 1]).toMatch(/^\s+source: \S/);
      expect(lines[2 * index + 1]).toContain(bug.source);
    }
  });

  it('prints a JSON list of {name, description, invariant, source} under --json', () => {
    const { status, stdout } = raftcheck(['bugs', '--json']);
    expect(status).toBe(0);
    const list = JSON.parse(stdout);
    expect(list).toEqual(bugCatalog.map(({ name, description, invariant, source }) => ({ name, description, invariant, source })));
    for (const item of list) expect(Object.keys(item)).toEqual(['name', 'description', 'invariant', 'source']);
  });
});

describe('raftcheck run --bug', () => {
  it('exits 1 with a failure whose replay command carries the bug, and the replay reproduces it', () => {
    // From seed 2: seed 1, which draws a partition after a leader's commit, now breaks state-machine-safety first.
    const { status, stdout } = raftcheck(['run', '--bug', 'term-rollback', '--first-seed', '2', '--seeds', '5', '--failures-max', '1', '--no-shrink', '--json']);
    expect(status).toBe(1);
    const summary = JSON.parse(stdout);
    expect(summary.implementation).toBe('reference+term-rollback');
    const [failure] = summary.failures;
    expect(failure.invariant).toBe('monotonic-term');
    expect(failure.replay).toContain('--bug term-rollback');

    const replayArgs = (failure.replay as string).replace(/^npx raftcheck /, '').split(' ');
    const replay = JSON.parse(raftcheck([...replayArgs, '--no-shrink', '--json']).stdout);
    expect(replay.failures).toHaveLength(1);
    expect(replay.failures[0]).toMatchObject({ seed: failure.seed, invariant: failure.invariant, eventNumber: failure.eventNumber, message: failure.message });
  });

  it('takes --bug more than once, and names every bug in the replay command', () => {
    const { status, stdout } = raftcheck(['run', '--bug', 'term-rollback', '--bug', 'figure8', '--seeds', '3', '--failures-max', '1', '--no-shrink', '--json']);
    expect(status).toBe(1);
    const summary = JSON.parse(stdout);
    expect(summary.implementation).toBe('reference+figure8+term-rollback');
    expect(summary.failures[0].replay).toMatch(/ --bug figure8 --bug term-rollback$/);
  });

  it('exits 2 for an unknown bug and lists the known ones', () => {
    const { status, stdout, stderr } = raftcheck(['run', '--bug', 'figure9', '--seeds', '1']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('unknown bug "figure9"');
    expect(stderr).toContain(`known bugs: ${bugNames().join(', ')}`);
  });

  it('runs the correct reference when no --bug is given', () => {
    const { status, stdout } = raftcheck(['run', '--seeds', '2', '--json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout).implementation).toBe('reference');
  });
});

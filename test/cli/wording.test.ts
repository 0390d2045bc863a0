// What `run` and `show` say about a shrunk failure reads true: a swarm seed shrunk into an explore
// path names where it came from and counts steps in a step column, the faults line describes the
// trace shown, the wall time owns up to the shrinking, and a failure before the first event is
// not shrunk at all.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { raftcheck } from '../support/cli.js';

function lineStartingWith(text: string, prefix: string): string {
  const line = text.split('\n').find((candidate) => candidate.trimStart().startsWith(prefix));
  expect(line, `a line starting with "${prefix}" in:\n${text}`).toBeDefined();
  return line!.trimStart().slice(prefix.length).trim();
}

describe('a failure shrunk into an explore path', () => {
  // Seed 1 of the hand-written vote-without-log-check scenario: 10 events, shrunk to an 8-step path.
  const failing = raftcheck(['run', '--scenario', 'scenarios/minimal/vote-without-log-check.json', '--bug', 'vote-without-log-check', '--seed', '1']);
  const trace = lineStartingWith(failing.stdout, 'trace:');
  const reportDirectory = lineStartingWith(failing.stdout, 'report');

  it('describes the faults of the shrunk trace, and labels the seed\'s fault mix as the seed\'s', () => {
    expect(failing.status).toBe(1);
    expect(trace).toMatch(/seed-1\.shrunk\.trace\.json$/);
    expect(lineStartingWith(failing.stdout, 'faults:')).toMatch(/^in the shrunk trace: none; the seed's run drew: delay constant 1 ms/);
  });

  it('counts the time spent on the failure beside the simulations\' wall time', () => {
    expect(lineStartingWith(failing.stdout, 'time')).toMatch(/wall \(.*\), plus \d+\.\d\d s on failures \(shrinking, traces\)$/);
    const summary = JSON.parse(readFileSync(join(reportDirectory, 'summary.json'), 'utf8'));
    expect(summary.failuresWallMs).toBeGreaterThan(0);
  });

  it('is shown as a path shrunk from its seed and scenario, with a step column, never as scenario explore in ms', () => {
    const show = raftcheck(['show', trace, '--width', '200']);
    expect(show.status).toBe(0);
    const lines = show.stdout.split('\n');
    expect(lines[0]).toBe('raftcheck show: reference+vote-without-log-check on an explore path shrunk from seed 1 of scenario minimal-vote-without-log-check');
    expect(show.stdout).not.toContain('on scenario explore');
    const heading = lines.find((line) => /^\s*\S+\s+# \|/.test(line));
    expect(heading).toMatch(/^step\s+# \|/);
    expect(show.stdout).toMatch(/VIOLATION of leader-completeness \(safety\) after event #8, at step 8/);
  });
});

describe('a failure before the first event', () => {
  const failing = raftcheck(['run', '--impl', 'test/adapters/fakes/modules/fails-at-start.mjs', '--seed', '1']);

  it('is not shrunk: nothing is shorter, and no shrink budget is spent on it', () => {
    expect(failing.status).toBe(4);
    expect(failing.stdout).toContain('not shrunk: it fails before the first event');
    expect(failing.stdout).not.toContain('shrunk 0 -> 0');
  });

  it('takes no shrink pass when raftcheck shrink is given its trace', () => {
    const shrunk = raftcheck(['shrink', lineStartingWith(failing.stdout, 'trace:'), '--json']);
    expect(shrunk.status).toBe(4);
    expect(JSON.parse(shrunk.stdout)).toMatchObject({ eventsBefore: 0, eventsAfter: 0, runs: 1, stoppedBy: 'fixpoint', passes: [] });
  });
});

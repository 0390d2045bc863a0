// `raftcheck explore` as a user meets it: --json carries the counts and failures shaped as in
// run --json, the exit code follows run's, and the trace it writes replays and shows.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { raftcheck } from '../support/cli.js';

const out = mkdtempSync(join(tmpdir(), 'raftcheck-explore-'));

describe('raftcheck explore', () => {
  // At the default bounds links are FIFO: vote-without-log-check takes 9 steps (8 with a reorder).
  const failing = raftcheck(['explore', '--bug', 'vote-without-log-check', '--depth', '12', '--max-term', '3', '--json', '--out', out]);
  const summary = JSON.parse(failing.stdout);

  it('exits 1 on a violation and prints the counts and the failure as JSON', () => {
    expect(failing.status).toBe(1);
    expect(summary).toMatchObject({ result: 'safety', exitCode: 1, strategy: 'bfs', depth: 9 });
    for (const field of ['distinctStates', 'transitions', 'statesPerSecond', 'distinctStatesWithoutSymmetry']) expect(typeof summary[field]).toBe('number');
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]).toMatchObject({ invariant: 'leader-completeness', events: 9 });
    expect(summary.failures[0].replay).toMatch(/^npx raftcheck replay .*explore\.trace\.json$/);
  });

  it('writes a trace that replay re-executes to the same violation and show prints', () => {
    const replay = raftcheck(['replay', summary.failures[0].trace, '--json']);
    expect(replay.status).toBe(1);
    expect(JSON.parse(replay.stdout)).toMatchObject({ result: 'safety', traceHashMatches: true, events: 9 });
    const show = raftcheck(['show', summary.failures[0].trace]);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('explore path    9 steps on 3 nodes');
    expect(show.stdout).toContain('<< VIOLATION: leader-completeness');
  });

  it('replays the trace as text without a fault line (an explore path has no fault processes)', () => {
    const replay = raftcheck(['replay', summary.failures[0].trace]);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toContain('leader-completeness');
    expect(replay.stdout).not.toContain('faults:');
  });

  it('refuses a trace with a step of unknown kind, naming the step, with exit code 2', () => {
    const trace = JSON.parse(readFileSync(summary.failures[0].trace, 'utf8'));
    trace.explore.steps[3] = { kind: 'teleport', node: 1 };
    const corrupted = join(out, 'corrupted.trace.json');
    writeFileSync(corrupted, JSON.stringify(trace));
    const replay = raftcheck(['replay', corrupted]);
    expect(replay.status).toBe(2);
    expect(replay.stderr).toContain('explore.steps[3]: expected a step whose kind is one of');
  });

  it('exits 0 when a bounded run of the correct reference finds nothing', () => {
    const ok = raftcheck(['explore', '--depth', '5', '--max-term', '2', '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ result: 'ok', stoppedBy: 'exhausted', complete: true, failures: [] });
  });

  it('refuses an implementation other than the reference with a usage error', () => {
    expect(raftcheck(['explore', '--impl', 'process:./server']).status).toBe(2);
  });
});

// `raftcheck explore` as a user meets it: --json carries the counts and failures shaped as in
// run --json, the exit code follows run's, and the trace it writes replays and shows; a program
// over the process protocol is explored as the reference is.

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

  it('exits 0 when a bounded run of the correct reference finds nothing, and calls it bounded, not complete', () => {
    const ok = raftcheck(['explore', '--depth', '5', '--max-term', '2', '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ result: 'ok', stoppedBy: 'exhausted', complete: false, coverage: 'bounded', failures: [] });
  });

  it('refuses a program that cannot be started with a usage error', () => {
    const refused = raftcheck(['explore', '--impl', 'process:./no-such-server']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('no-such-server');
  });
});

describe('raftcheck explore --impl process:...', () => {
  // The reference as a program: the same bug the search finds in process, over the protocol, with
  // at most 4 processes live for the nodes' states.
  const program = `process:"${process.execPath}" dist/src/adapters/referenceProcess.js --bug leader-votes-for-other --digest`;
  const failing = raftcheck(['explore', '--impl', program, '--depth', '6', '--max-instances', '4', '--json', '--out', out]);
  const summary = JSON.parse(failing.stdout);

  it('finds the violation by its shortest path with a bounded number of live instances', () => {
    expect(failing.status).toBe(1);
    expect(summary).toMatchObject({ result: 'safety', depth: 6, clone: false, instances: { livePeak: 4 } });
    expect(summary.failures[0]).toMatchObject({ invariant: 'election-safety', events: 6 });
  });

  it('writes a trace that names the program, so that replay loads it again', () => {
    const trace = JSON.parse(readFileSync(summary.failures[0].trace, 'utf8'));
    expect(trace.implementation.source).toMatchObject({ kind: 'process', command: process.execPath });
    const replay = raftcheck(['replay', summary.failures[0].trace, '--json']);
    expect(replay.status).toBe(1);
    expect(JSON.parse(replay.stdout)).toMatchObject({ result: 'safety', traceHashMatches: true, events: 6 });
  });

  it('ends with an implementation error and its path, exit code 4, when the program dies', () => {
    const dies = raftcheck(['explore', '--impl', `process:"${process.execPath}" test/adapters/fakes/exits.mjs`, '--depth', '3', '--json', '--out', out]);
    expect(dies.status).toBe(4);
    const result = JSON.parse(dies.stdout);
    expect(result).toMatchObject({ result: 'implementationError', stoppedBy: 'implementationError', depth: 1 });
    expect(result.failures[0].message).toContain('fake: panic: tick handling is broken');
  });
});

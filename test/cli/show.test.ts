// `raftcheck show` prints what a replay of the trace makes, not what the file claims: it says
// whether it replayed the trace and whether the replay agrees, and why when it did not replay.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed, traceOf } from '../../src/check/run.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { allInvariants } from '../../invariants/index.js';
import { raftcheck } from '../support/cli.js';

const bug = 'vote-without-log-check';
const run = runSeed({ seed: 1, implementation: referenceImplementation(bugsFromNames([bug])), scenario: defaultScenario(), invariants: allInvariants, recordEvents: true });
const written = traceOf(run, [bug]);

function traceFile(change: (trace: Record<string, any>) => void = () => {}): string {
  const trace = structuredClone(written) as Record<string, any>;
  change(trace);
  const path = join(mkdtempSync(join(tmpdir(), 'raftcheck-show-')), 'seed-1.trace.json');
  writeFileSync(path, JSON.stringify(trace));
  return path;
}

/** A trace whose file lies: an invented note on its first event and an invented violation message. */
const lying = (trace: Record<string, any>) => {
  trace.events[0].note = 'invented note';
  trace.result.violation.message = 'invented message';
};

describe('raftcheck show', () => {
  it('replays a reference trace and says the replay reproduces its trace hash', () => {
    const show = raftcheck(['show', traceFile()]);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/replayed +yes: the replay reproduces the recorded trace hash/);
    expect(show.stdout).toContain(run.violation!.message.slice(0, 40));
  });

  it('shows the events and verdict of the replay, not what the file invents', () => {
    const show = raftcheck(['show', traceFile(lying), '--all', '--ticks']);
    expect(show.stdout).not.toContain('invented');
    expect(show.stdout).toContain(run.violation!.message.slice(0, 40));
  });

  it('says the replay differs from the file when the recorded trace hash does not match', () => {
    const show = raftcheck(['show', traceFile((trace) => (trace.traceHash = '0123456789abcdef'))]);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/replayed +DIFFERS: the file records trace hash 0123456789abcdef and verdict safety; what follows is the replay/);
    expect(show.stdout).toContain(`trace hash      ${run.traceHash}`);
  });

  it('with --no-replay shows what the file says and says that it is unchecked', () => {
    const show = raftcheck(['show', traceFile(lying), '--no-replay', '--all', '--ticks']);
    expect(show.stdout).toMatch(/replayed +no: --no-replay; what follows is what the file says, unchecked/);
    expect(show.stdout).toContain('invented message');
  });

  it('says why when the trace cannot be replayed', () => {
    const show = raftcheck(['show', traceFile((trace) => (trace.implementation.bugs = ['no-such-bug']))]);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/replayed +no: unknown bug "no-such-bug"/);
    // The reason lists every known bug, wrapped to the width: the words may fall on two lines.
    expect(show.stdout.replace(/\s+/g, ' ')).toContain('what follows is what the file says, unchecked');
  });

  it('refuses a trace with a key its sections do not know, with exit code 2 and the path', () => {
    const show = raftcheck(['show', traceFile((trace) => (trace.result.verdict = 'ok'))]);
    expect(show.status).toBe(2);
    expect(show.stderr).toContain('result.verdict: unknown field');
  });
});

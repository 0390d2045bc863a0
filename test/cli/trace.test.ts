// The trace commands as a user meets them: run shrinks failures and prints the replay command;
// replay, shrink and show take the trace file; a broken trace file is refused with exit code 2.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeed, traceOf } from '../../src/check/run.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { raftcheck } from '../support/cli.js';

const out = mkdtempSync(join(tmpdir(), 'raftcheck-trace-'));
const run = raftcheck(['run', '--scenario', 'default', '--bug', 'vote-without-log-check', '--seeds', '5', '--failures-max', '1', '--shrink-time', '20', '--json', '--out', out]);
const summary = JSON.parse(run.stdout);
const [failure] = summary.failures;
const reportDirectory = join(out, readdirSync(out)[0]);
const shrunkTrace = join(reportDirectory, readdirSync(reportDirectory).find((file) => file.endsWith('.shrunk.trace.json'))!);

function brokenTrace(contents: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'raftcheck-broken-')), 'broken.trace.json');
  writeFileSync(path, contents);
  return path;
}

describe('raftcheck run with a failure', () => {
  it('exits 1 and reports events before and after shrinking, the shrunk trace and its replay command', () => {
    expect(run.status).toBe(1);
    expect(failure.events).toBeGreaterThan(failure.shrunkEvents);
    expect(failure.trace).toMatch(/seed-\d+\.shrunk\.trace\.json$/);
    expect(failure.replay).toMatch(/^npx raftcheck replay .*\.shrunk\.trace\.json$/);
    expect(failure.invariant).toBe('leader-completeness');
  });

  it('carries the fault options the failing run exercised', () => {
    expect(failure.faultOptions).toMatchObject({ swarm: false, network: { dropProbability: 0.02 }, faults: { crash: { perSecond: 0.6 } } });
    expect(failure.faults).toContain('crash 0.6/s');
  });

  it('keeps the unshrunk trace of the failing seed beside the shrunk one', () => {
    expect(readdirSync(reportDirectory).filter((file) => file.endsWith('.trace.json'))).toHaveLength(2);
  });

  it('skips shrinking with --no-shrink', () => {
    const plain = JSON.parse(raftcheck(['run', '--scenario', 'default', '--bug', 'vote-without-log-check', '--seeds', '5', '--failures-max', '1', '--no-shrink', '--json']).stdout);
    expect(plain.failures[0].shrunkEvents).toBeUndefined();
    expect(plain.failures[0].replay).toMatch(/^npx raftcheck run --seed \d+ --scenario default --bug vote-without-log-check$/);
  });
});

describe('raftcheck run with a failing step that broke two invariants', () => {
  // term-rollback's swarm seed 175: a rollback and an overwrite of a committed entry in one step
  // (seed 1 until the swarm drew issue 18's features; its rollback now breaks monotonic-term alone).
  const args = ['run', '--scenario', 'swarm', '--bug', 'term-rollback', '--seed', '175'];

  it('names both, and says which one the shrunk trace kept', () => {
    const json = JSON.parse(raftcheck([...args, '--json']).stdout);
    expect(json.violationsByInvariant).toEqual({ 'state-machine-safety': 1 });
    expect(json.failures[0]).toMatchObject({ invariant: 'monotonic-term', runInvariant: 'state-machine-safety' });
    const text = raftcheck(args);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain("the run's failing step violated state-machine-safety and monotonic-term at once; the shrunk trace shows monotonic-term");
  });
});

describe('raftcheck replay', () => {
  it('re-executes the shrunk trace to the same violation, with the exit code of run', () => {
    const replay = raftcheck(['replay', shrunkTrace]);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toContain('safety violation of leader-completeness');
    expect(replay.stdout).toContain(`replayed ${failure.shrunkEvents} events bit for bit`);
    expect(replay.stdout).toContain('as recorded');
  });

  it('prints the same shape as run under --json', () => {
    const replay = JSON.parse(raftcheck(['replay', shrunkTrace, '--json']).stdout);
    expect(replay).toMatchObject({ result: 'safety', exitCode: 1, seeds: 1, traceHashMatches: true, events: failure.shrunkEvents });
    expect(Object.keys(replay.failures[0])).toEqual(expect.arrayContaining(['seed', 'invariant', 'message', 'events', 'trace', 'replay']));
    expect(replay.failures[0].message).toBe(failure.message);
  });

  it('refuses a missing trace file with exit code 2', () => {
    const result = raftcheck(['replay', join(out, 'nope.trace.json')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('does not exist');
  });

  it('refuses a truncated trace file with exit code 2, naming the file', () => {
    const text = readFileSync(shrunkTrace, 'utf8');
    const path = brokenTrace(text.slice(0, Math.floor(text.length / 2)));
    const result = raftcheck(['replay', path]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('broken.trace.json: not valid JSON (truncated or corrupted?)');
  });

  it('refuses a corrupted trace file with exit code 2, naming the field', () => {
    const trace = JSON.parse(readFileSync(shrunkTrace, 'utf8'));
    trace.choices.network = ['x'];
    const result = raftcheck(['replay', brokenTrace(JSON.stringify(trace))]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('choices: stream "network"[0]: expected an integer');
  });

  it('refuses a trace from a newer format version with exit code 2', () => {
    const trace = JSON.parse(readFileSync(shrunkTrace, 'utf8'));
    trace.formatVersion = 99;
    const result = raftcheck(['replay', brokenTrace(JSON.stringify(trace))]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('trace format version 99 is newer');
  });

  it('judges another implementation (--impl) by its own verdict on the recorded choices, with both hashes as information', () => {
    const seedTrace = join(reportDirectory, `seed-${failure.seed}.trace.json`);
    const result = raftcheck(['replay', seedTrace, '--impl', 'reference']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(': no violation (');
    expect(result.stdout).toMatch(/on reference \S+, trace hash [0-9a-f]+; recorded on reference\+vote-without-log-check \S+, trace hash [0-9a-f]+\)/);
    expect(result.stdout).not.toContain('did not reproduce');
    const json = JSON.parse(raftcheck(['replay', seedTrace, '--impl', 'reference', '--json']).stdout);
    expect(json).toMatchObject({ result: 'ok', exitCode: 0, traceHashMatches: false, recordedOn: { implementation: 'reference+vote-without-log-check', traceHash: JSON.parse(readFileSync(seedTrace, 'utf8')).traceHash } });
    expect(json.diverged).toBeUndefined();
  });

  it('calls an explore path that another implementation does not take inconclusive, and says what to replay instead', () => {
    const exploreOut = mkdtempSync(join(tmpdir(), 'raftcheck-explore-'));
    const found = JSON.parse(raftcheck(['explore', '--bug', 'vote-without-log-check', '--json', '--out', exploreOut]).stdout);
    const result = raftcheck(['replay', join(exploreOut, found.failures[0].trace.split('/').slice(-2).join('/')), '--impl', 'reference']);
    expect(result.status).toBe(6);
    expect(result.stdout).toMatch(/inconclusive, not a pass: the explore path does not replay on reference: step \d+ \(deliver\) is not possible/);
    expect(result.stdout).toContain('search it with raftcheck explore --impl');
  });

  it('escapes the control characters of a recorded implementation name it prints beside another', () => {
    const trace = traceOf(runSeed({ seed: 1, scenario: { ...defaultScenario(), durationMs: 300 }, recordEvents: true }));
    const hostile = { ...trace, implementation: { ...trace.implementation, name: 'evil\u001b]0;pwned\u0007\u001b[2J' } };
    const result = raftcheck(['replay', brokenTrace(JSON.stringify(hostile)), '--impl', 'reference']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('recorded on evil\\x1b]0;pwned\\x07\\x1b[2J ');
    expect(result.stdout).not.toContain('\u001b');
  });

  it('still calls a different hash an implementation error when --impl names the recorded implementation', () => {
    const trace = traceOf(runSeed({ seed: 1, scenario: { ...defaultScenario(), durationMs: 300 }, recordEvents: true }));
    const result = raftcheck(['replay', brokenTrace(JSON.stringify({ ...trace, traceHash: '0123456789abcdef' })), '--impl', 'reference', '--json']);
    expect(result.status).toBe(4);
    expect(JSON.parse(result.stdout)).toMatchObject({ result: 'implementationError', traceHashMatches: false });
  });

  it('says so, with exit code 4, when a trace no longer replays to its recorded hash', () => {
    const trace = JSON.parse(readFileSync(shrunkTrace, 'utf8'));
    trace.traceHash = '0123456789abcdef';
    const result = raftcheck(['replay', brokenTrace(JSON.stringify(trace))]);
    expect(result.status).toBe(4);
    expect(result.stdout).toContain('the replay did not reproduce the recorded run');
    // It did not reproduce the run: nothing may then call the replay bit for bit.
    expect(result.stdout).not.toContain('bit for bit');
    expect(result.stdout).toContain('events, not the recorded run (trace hash');
  });
});

describe('raftcheck shrink', () => {
  it('shrinks an existing trace into a new trace file that still fails the same way', () => {
    const unshrunk = join(reportDirectory, readdirSync(reportDirectory).find((file) => /^seed-\d+\.trace\.json$/.test(file))!);
    const target = join(mkdtempSync(join(tmpdir(), 'raftcheck-shrink-')), 'again.trace.json');
    const result = raftcheck(['shrink', unshrunk, '--shrink-time', '20', '--out', target, '--json']);
    expect(result.status).toBe(1);
    const shrunk = JSON.parse(result.stdout);
    expect(shrunk.eventsAfter).toBeLessThan(shrunk.eventsBefore);
    expect(raftcheck(['replay', target]).stdout).toContain('leader-completeness');
  });
});

describe('raftcheck show', () => {
  it('prints a timeline with a column per node and the violation marked', () => {
    const result = raftcheck(['show', shrunkTrace, '--width', '120']);
    expect(result.status).toBe(0);
    // One column per node of the shrunk trace's cluster (shrinking may have made it smaller).
    const nodes = (JSON.parse(readFileSync(shrunkTrace, 'utf8')) as { scenario: { nodes: number } }).scenario.nodes;
    expect(result.stdout).toMatch(new RegExp(Array.from({ length: nodes }, (_, index) => `\\| n${index + 1}`).join(' +')));
    expect(result.stdout).toContain('VIOLATION');
  });
});

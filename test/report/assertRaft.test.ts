// The test-runner helper: a passing campaign resolves and writes nothing; a failing one is
// shrunk, written to a report folder and thrown as a short error that starts with the seed, what
// failed, the message and a replay command that reproduces it.

import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { implementationSpecOf } from '../../src/check/implementations.js';
import { readTraceFile, replayTrace } from '../../src/check/traces.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { assertRaft, RaftCheckFailure, RaftCheckInconclusive } from '../../src/report/assertRaft.js';
import { loadScenario } from '../../src/check/scenarios.js';

const buggy = () => referenceImplementation(bugsFromNames(['vote-without-log-check']));

async function failureOf(promise: Promise<unknown>): Promise<RaftCheckFailure> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  // By name: the worker-thread test's error comes from the built library's copy of the class.
  expect((error as Error).name).toBe('RaftCheckFailure');
  return error as RaftCheckFailure;
}

describe('assertRaft', () => {
  it('resolves with the campaign when no seed fails, and leaves no report folder', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'raftcheck-assert-')), 'reports');
    const campaign = await assertRaft({ scenario: 'default', seeds: 4, out });
    expect(campaign.failures).toEqual([]);
    expect(campaign.seeds).toBe(4);
    expect(existsSync(out)).toBe(false);
  });

  it('throws a short error whose first lines are the seed and invariant, the message and the replay command', async () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-assert-'));
    const error = await failureOf(assertRaft({ implementation: buggy(), scenario: 'default', seeds: 10, out, shrinkTimeMs: 5_000 }));
    const lines = error.message.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^raftcheck: seed ${error.seed} failed: safety violation of [a-z-]+$`));
    expect(lines[1]).toBe(`  ${error.failures[0].record.message}`);
    expect(lines[2]).toBe(`  replay: npx raftcheck replay ${error.tracePath}`);
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(error.tracePath).toMatch(/seed-\d+\.shrunk\.trace\.json$/);
    expect(error.campaign.result).toBe('safety');
    expect(error).toBeInstanceOf(RaftCheckFailure);
  });

  it('writes a trace that replays to the failure the error names', async () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-assert-'));
    const error = await failureOf(assertRaft({ implementation: buggy(), scenario: 'default', seeds: 10, out, shrink: false }));
    const path = isAbsolute(error.tracePath) ? error.tracePath : join(process.cwd(), error.tracePath);
    const replay = replayTrace(readTraceFile(path));
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe(error.failures[0].record.invariant);
    expect(readdirSync(out)).toHaveLength(1);
  });

  it('rejects a campaign that no seed failed but a bound cut short, naming the seeds and the bound, unless told to allow it', async () => {
    const scenario = { ...loadScenario('default'), eventsMax: 50 };
    const error = await assertRaft({ scenario, seeds: 4 }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(RaftCheckInconclusive);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe('raftcheck: no seed failed, but 4 of 4 seeds were cut short by a bound: not a pass');
    expect(lines[1]).toMatch(/^  seed 1: .*events.* \(50 events, \d+ of \d+ ms simulated\)$/);
    expect(lines).toHaveLength(5);
    expect((await assertRaft({ scenario, seeds: 4, allowInconclusive: true })).result).toBe('inconclusive');
  });

  it.each([[0], [-3], [Number.NaN], [1.5], [[]], [[1, -1]]])('refuses seeds %j rather than pass a campaign that ran nothing', async (seeds) => {
    await expect(assertRaft({ seeds: seeds as number | number[] })).rejects.toThrow(/^assertRaft: seeds must be a count of at least 1 or a non-empty list of seeds/);
  });

  it('refuses a first seed past the safe integers', async () => {
    await expect(assertRaft({ seeds: 2, firstSeed: Number.MAX_SAFE_INTEGER })).rejects.toThrow(/firstSeed 9007199254740991/);
  });

  it('takes what --impl takes: the reference by name', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'raftcheck-assert-')), 'reports');
    const campaign = await assertRaft({ implementation: 'reference', scenario: 'default', seeds: 2, out });
    expect(campaign.result).toBe('ok');
  });

  it('adds --impl to the replay command of an implementation made in code, whose trace cannot say how to load it', async () => {
    const madeInCode = { ...buggy(), name: 'my-raft' };
    expect(implementationSpecOf(madeInCode)).toBeNull();
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-assert-'));
    const error = await failureOf(assertRaft({ implementation: madeInCode, scenario: 'default', seeds: 10, out, shrink: false, jobs: 2 }));
    expect(error.replayCommand).toBe(`npx raftcheck replay ${error.tracePath} --impl <the module that exports my-raft>`);
  });
});

describe('assertRaft in worker threads', () => {
  it('runs the seeds on `jobs` threads and fails as the same campaign in one thread does', async () => {
    // Worker threads load the built library (dist/, built before the tests), so this runs it.
    const specifier = '../../dist/src/index.js';
    const api = (await import(specifier)) as typeof import('../../src/index.js');
    const failing = (jobs: number) =>
      failureOf(
        api.assertRaft({
          implementation: api.referenceImplementation(api.bugsFromNames(['vote-without-log-check'])),
          scenario: 'default',
          seeds: 12,
          failuresMax: 2,
          jobs,
          shrink: false,
          out: mkdtempSync(join(tmpdir(), 'raftcheck-assert-')),
        }),
      );
    const [one, two] = [await failing(1), await failing(2)];
    expect(two.failures.map((failure) => failure.record.seed)).toEqual(one.failures.map((failure) => failure.record.seed));
    expect(two.failures.map((failure) => failure.record.message)).toEqual(one.failures.map((failure) => failure.record.message));
    expect(two.campaign.seeds).toBe(one.campaign.seeds);
  });
});

describe('implementationSpecOf', () => {
  it('describes the reference with its bugs, so worker threads can make it again', () => {
    expect(implementationSpecOf(buggy())).toEqual({ name: 'reference+vote-without-log-check', bugs: ['vote-without-log-check'], source: { kind: 'reference' } });
  });
});

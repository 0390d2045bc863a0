// Sharding: `run --shard I/N` runs a deterministic part of the seed range, and `raftcheck merge`
// joins the shards' reports into what the unsharded campaign writes (wall times aside).

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { raftcheck } from '../support/cli.js';
import { parseShard, shardSeeds } from '../../src/check/shard.js';
import { seedsOfShard } from '../../src/report/campaignSummary.js';

const campaign = ['--bug', 'term-rollback', '--seeds', '12', '--failures-max', '100', '--no-shrink', '--json', '--jobs', '1'];

function runJson(args: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'raftcheck-shard-'));
  const result = raftcheck([...args, '--out', out]);
  return { status: result.status, summary: JSON.parse(result.stdout), stderr: result.stderr };
}

/** A summary without what depends on the wall clock or on where the report folder went. */
function comparable(summary: Record<string, unknown> & { failures: { trace: string | null }[] }) {
  const { wallMs: _wall, failuresWallMs: _failures, eventsPerSecond: _rate, reportDirectory: _directory, ...rest } = summary;
  return { ...rest, failures: summary.failures.map((failure) => ({ ...failure, trace: failure.trace === null ? null : basename(failure.trace) })) };
}

describe('run --shard and merge', () => {
  const whole = runJson(['run', ...campaign]);
  const shards = [1, 2, 3].map((index) => runJson(['run', ...campaign, '--shard', `${index}/3`]));
  const out = mkdtempSync(join(tmpdir(), 'raftcheck-merged-'));
  const merged = raftcheck(['merge', ...shards.map((shard) => shard.summary.reportDirectory), '--json', '--out', out]);

  it('deals the seeds round robin, every seed to exactly one shard', () => {
    const range = Array.from({ length: 10 }, (_, index) => 5 + index);
    const dealt = [1, 2, 3].map((index) => shardSeeds(range, { index, count: 3 }));
    expect(dealt).toEqual([[5, 8, 11, 14], [6, 9, 12], [7, 10, 13]]);
    expect(dealt.map((_, index) => seedsOfShard(10, { index: index + 1, count: 3 }))).toEqual([4, 3, 3]);
  });

  it('runs a third of the seeds in each shard, with failures only of its own seeds', () => {
    expect(shards.map((shard) => shard.summary.seeds)).toEqual([4, 4, 4]);
    expect(shards[1].summary.failures.every((failure: { seed: number }) => failure.seed % 3 === 2)).toBe(true);
    expect(whole.summary.failures.length).toBeGreaterThan(2);
  });

  it('merges into the unsharded summary, exit code and failure traces', () => {
    expect(merged.status).toBe(whole.status);
    const summary = JSON.parse(merged.stdout);
    expect(JSON.stringify(comparable(summary))).toBe(JSON.stringify(comparable(whole.summary)));
    const traces = readdirSync(summary.reportDirectory).filter((name) => name !== 'summary.json').sort();
    expect(traces).toEqual(readdirSync(whole.summary.reportDirectory).filter((name) => name !== 'summary.json').sort());
    expect(traces).toContain('index.html');
    const name = traces.find((file) => file.endsWith('.trace.json'))!;
    expect(readFileSync(join(summary.reportDirectory, name), 'utf8')).toBe(readFileSync(join(whole.summary.reportDirectory, name), 'utf8'));
  });

  it('refuses an incomplete set of shards, naming the missing one', () => {
    const result = raftcheck(['merge', shards[0].summary.reportDirectory, shards[2].summary.reportDirectory, '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('shard 2/3 missing');
  });

  it('refuses shards of different campaigns, naming the field that differs', () => {
    const other = runJson(['run', '--seeds', '12', '--no-shrink', '--json', '--shard', '2/3']);
    const result = raftcheck(['merge', shards[0].summary.reportDirectory, other.summary.reportDirectory, shards[2].summary.reportDirectory, '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/shards of different campaigns: their implementation differ/);
  });

  it('refuses a folder without a campaign summary, naming the file and the field', () => {
    const folder = mkdtempSync(join(tmpdir(), 'raftcheck-not-a-report-'));
    const result = raftcheck(['merge', folder, '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${join(folder, 'summary.json')} does not exist`);
    writeFileSync(join(folder, 'summary.json'), JSON.stringify({ result: 'ok', seeds: 'many' }));
    expect(raftcheck(['merge', folder, '--out', out]).stderr).toMatch(/summary.json is not a campaign summary: \w+: (is required but missing|expected)/);
  });

  it('refuses a shard whose abstract states are not a count of this kind, naming the file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'raftcheck-old-coverage-'));
    for (const name of readdirSync(shards[1].summary.reportDirectory)) writeFileSync(join(folder, name), readFileSync(join(shards[1].summary.reportDirectory, name)));
    const coverage = join(folder, 'coverage.json');
    const data = JSON.parse(readFileSync(coverage, 'utf8'));
    writeFileSync(coverage, JSON.stringify({ ...data, states: { fingerprints: null, registers: 'AAAA' } }));
    const shortSketch = raftcheck(['merge', shards[0].summary.reportDirectory, folder, shards[2].summary.reportDirectory, '--out', out]);
    expect(shortSketch.status).toBe(2);
    expect(shortSketch.stderr).toContain(`${coverage} is not a count of abstract states: registers`);
    // A coverage.json of raftcheck before fingerprints: lists of state names.
    writeFileSync(coverage, JSON.stringify({ states: ['1:3.3.3'], transitions: [], nodeTransitions: [] }));
    const oldForm = raftcheck(['merge', shards[0].summary.reportDirectory, folder, shards[2].summary.reportDirectory, '--out', out]);
    expect(oldForm.status).toBe(2);
    expect(oldForm.stderr).toContain(`${coverage} is not a count of abstract states: states: expected an object`);
  });
});

describe('--shard values', () => {
  it.each([
    ['0/3', 'I must be from 1 to N'],
    ['4/3', 'I must be from 1 to N'],
    ['1/0', 'N must be from 1'],
    ['half', 'expects I/N'],
  ])('refuses %s', (text, message) => {
    const parsed = parseShard(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('refuses --shard with a single --seed, exit 2', () => {
    const result = raftcheck(['run', '--seed', '3', '--shard', '1/2']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--shard splits a range of seeds');
  });
});

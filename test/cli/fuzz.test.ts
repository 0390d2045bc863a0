// A few hundred of `npm run fuzz`'s cases (bench/fuzzCli.ts) in every test run: generated
// arguments, scenario files and damaged trace files thrown at the CLI, in this process and a few
// in a child process. None may show a stack trace, exit 5 or with an undocumented code, or leave a
// stray file. The seed is fixed so the run is the same every time; FUZZ_SEED picks another.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixtures } from '../../bench/fuzzCli.js';
import { cliCases, describeCase, fuzzFolder, judge, makeFixtures, runCase } from '../../bench/fuzzCli.js';

const seed = Number(process.env.FUZZ_SEED ?? 20_261_204);
let folder: string;
let fixtures: Fixtures;

beforeAll(async () => {
  folder = fuzzFolder('raftcheck-fuzz-test-');
  fixtures = await makeFixtures(folder);
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the CLI under generated hostile input', () => {
  it('never shows a stack trace, exits 5 or leaves a stray file, over 300 cases in process', async () => {
    await fc.assert(
      fc.asyncProperty(cliCases(fixtures), async (fuzzCase) => {
        const outcome = await runCase(folder, fuzzCase, false);
        expect(outcome.problems, `${describeCase(fuzzCase)}\n${outcome.output.slice(0, 1500)}`).toEqual([]);
      }),
      { numRuns: 300, seed },
    );
  });

  it('behaves the same through bin/raftcheck.js in a child process, over a sample of cases', async () => {
    for (const fuzzCase of fc.sample(cliCases(fixtures), { numRuns: 6, seed: seed + 1 })) {
      const outcome = await runCase(folder, fuzzCase, true);
      expect(outcome.problems, `${describeCase(fuzzCase)}\n${outcome.output.slice(0, 1500)}`).toEqual([]);
    }
  });
});

describe('inputs the fuzzer found', () => {
  it.each([
    [[], 'explore.implementationOptions: expected an object'],
    [null, 'explore.implementationOptions: expected an object'],
    [{ electionTicksMin: 4, electionTicksMax: 4, heartbeatTicks: 1, entriesPerMessageMax: 1, 'unknown\u001b[2J': 1 }, 'unknown field'],
    [{ electionTicksMin: 4, electionTicksMax: 4, heartbeatTicks: 9, entriesPerMessageMax: 1 }, 'must be below electionTicksMin'],
  ])('refuses an explore trace whose node options are %j with exit code 2, for shrink and replay', async (options, reason) => {
    const explored = fixtures.traces.find((trace) => JSON.parse(trace.text).explore !== undefined);
    expect(explored).toBeDefined();
    const trace = JSON.parse(explored!.text);
    trace.explore.implementationOptions = options;
    for (const command of ['shrink', 'replay']) {
      const outcome = await runCase(folder, { kind: 'trace', argv: [command, 'damaged.trace.json'], files: [{ path: 'damaged.trace.json', contents: JSON.stringify(trace) }] }, false);
      expect(outcome).toMatchObject({ exitCode: 2, problems: [] });
      expect(outcome.output).toContain(reason);
    }
  });
});

describe('the fuzz judge', () => {
  const folderWith = (...paths: string[]) => {
    const made = mkdtempSync(join(tmpdir(), 'raftcheck-judge-'));
    for (const path of paths) {
      mkdirSync(join(made, path.endsWith('/') ? path : join(path, '..')), { recursive: true });
      if (!path.endsWith('/')) writeFileSync(join(made, path), 'x');
    }
    return made;
  };

  it('passes a usage error that printed one line and wrote nothing', () => {
    expect(judge(2, 'raftcheck: --seeds must be an integer from 1 to 10000000, got "abc"\n', [], [], folderWith())).toEqual([]);
  });

  it('names a harness error, an undocumented exit code and a stack trace', () => {
    const output = 'raftcheck: harness error\nError: EISDIR\n    at readFileSync (node:fs:448:20)\n';
    expect(judge(5, output, [], [], folderWith())).toEqual(['exit code 5 (harness error)', 'a stack trace in the output (at readFileSync (node:fs:448:20))']);
    expect(judge(7, '', [], [], folderWith())).toEqual(['exit code 7, not a documented one']);
  });

  it('names a stray temporary file, an empty folder, and anything a usage error left', () => {
    const folder = folderWith('out/x.json.123.tmp', 'reports/empty/');
    expect(judge(0, '', [], ['out/', 'out/x.json.123.tmp', 'reports/', 'reports/empty/'], folder)).toEqual(['stray temporary file out/x.json.123.tmp', 'empty folder reports/empty/']);
    expect(judge(2, '', [], ['out/', 'out/x.json.123.tmp'], folder)).toEqual(['stray temporary file out/x.json.123.tmp', 'a usage error left out/, out/x.json.123.tmp']);
  });
});

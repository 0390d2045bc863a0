// `npm run fuzz`: throws generated arguments, scenario files and damaged trace files at the CLI
// (bench/fuzzCli.ts) and reports every case that showed a stack trace, exited 5 or with an
// undocumented code, or left a stray file. Most cases call main() in this process; every
// --child-every-th runs bin/raftcheck.js in a child process, as users do.
//
//   npm run fuzz -- [--cases 10000] [--seed S] [--child-every 100] [--json FILE]

import { rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { wallClockMs } from '../src/core/wallClock.js';
import { option } from './arguments.js';
import type { FuzzCase } from './fuzzCli.js';
import { cliCases, describeCase, fuzzFolder, makeFixtures, runCase } from './fuzzCli.js';

const cases = Number(option('cases', '10000'));
const seed = Number(option('seed', String(Math.floor(wallClockMs()) % 2 ** 31)));
const childEvery = Number(option('child-every', '100'));
const jsonPath = option('json', '');

const folder = fuzzFolder('raftcheck-fuzz-');
const startedMs = wallClockMs();
const fixtures = await makeFixtures(folder);
process.stderr.write(`fuzz: seed ${seed}, ${cases} cases, every ${childEvery}th in a child process; fixtures in ${folder} (${Math.round(wallClockMs() - startedMs)} ms)\n`);

const counts: Record<string, number> = { arguments: 0, scenario: 0, trace: 0, child: 0 };
const exitCodes: Record<string, number> = {};
const failures: { case: string; inChild: boolean; exitCode: number | string; problems: string[]; output: string }[] = [];
let index = 0;
const runStartedMs = wallClockMs();
await fc.check(
  fc.asyncProperty(cliCases(fixtures), async (fuzzCase: FuzzCase) => {
    const inChild = childEvery > 0 && index % childEvery === childEvery - 1;
    index += 1;
    counts[fuzzCase.kind] += 1;
    if (inChild) counts.child += 1;
    const outcome = await runCase(folder, fuzzCase, inChild);
    exitCodes[String(outcome.exitCode)] = (exitCodes[String(outcome.exitCode)] ?? 0) + 1;
    if (outcome.problems.length > 0) failures.push({ case: describeCase(fuzzCase), inChild, exitCode: outcome.exitCode, problems: outcome.problems, output: outcome.output.slice(0, 2000) });
    if (index % 500 === 0) process.stderr.write(`fuzz: ${index}/${cases} cases, ${failures.length} failing, ${Math.round((wallClockMs() - runStartedMs) / 1000)} s\n`);
    // Never a counterexample: every case runs, and the failures are listed below.
    return true;
  }),
  { numRuns: cases, seed },
);
const wallMs = wallClockMs() - runStartedMs;

const byProblem = new Map<string, string[]>();
for (const failure of failures) {
  for (const problem of failure.problems) {
    const key = problem.replace(/\(.*\)$/, '').replace(/ [^ ]*(\.tmp|\/)$/, ' …').trim();
    byProblem.set(key, [...(byProblem.get(key) ?? []), `${failure.inChild ? '[child] ' : ''}${failure.case}\n      -> exit ${failure.exitCode}: ${problem}`]);
  }
}
const lines = [
  `fuzz: ${index} cases (${counts.arguments} argument lists, ${counts.scenario} scenario files, ${counts.trace} damaged traces; ${counts.child} in a child process) in ${(wallMs / 1000).toFixed(1)} s, seed ${seed}`,
  `  exit codes: ${Object.entries(exitCodes).sort().map(([code, count]) => `${code} x${count}`).join(', ')}`,
  `  failing cases: ${failures.length}`,
];
for (const [problem, examples] of byProblem) {
  lines.push(`  ${problem}: ${examples.length} case(s), e.g.`);
  for (const example of examples.slice(0, 3)) lines.push(`    ${example}`);
}
process.stdout.write(`${lines.join('\n')}\n`);
if (jsonPath !== '') writeFileSync(jsonPath, `${JSON.stringify({ cases: index, seed, wallMs: Math.round(wallMs), counts, exitCodes, failures }, null, 2)}\n`);
rmSync(folder, { recursive: true, force: true });
process.exitCode = failures.length > 0 ? 1 : 0;

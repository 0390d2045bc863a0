// npm run bench:strategies: seeds to the first failure of each corpus bug under each strategy
// (random delays, PCT priorities, coverage-guided search, and the portfolio that draws random or
// PCT per seed: run's default), on one scenario (swarm, run's default, unless told). No
// shrinking: this measures how fast a strategy reaches a bug, nothing else. A coverage-guided
// campaign counts its runs (plain seeds and mutations alike) up to the first failure.
// `--process`: the reference run as a program over the process protocol (one process per node,
// src/adapters/referenceProcess.ts), as an external implementation is driven. Its seed counts must
// equal the in-process ones (the same runs, byte for byte); its times show what the pipes cost.
//
//   npm run bench:strategies -- [--scenario NAME] [--seeds-max N] [--bug NAME ...] [--process] [--json]

import { fileURLToPath } from 'node:url';
import { processImplementation } from '../src/adapters/process.js';
import { closeProcessHost } from '../src/adapters/process/host.js';
import { referenceImplementation } from '../src/adapters/reference.js';
import { withStrategy } from '../src/check/options.js';
import { runSeed } from '../src/check/run.js';
import { runCampaign, seedRange } from '../src/check/campaign.js';
import { loadScenario } from '../src/check/scenarios.js';
import { wallClockMs } from '../src/core/wallClock.js';
import { bugCatalog, bugsFromNames } from '../src/raft/bugs.js';
import type { SchedulingStrategy } from '../src/sim/scenario.js';
import type { Implementation } from '../src/contract/contract.js';
import { flag, option, repeated } from './arguments.js';

const json = flag('json');
const overProcess = flag('process');
const referenceProgram = fileURLToPath(new URL('../src/adapters/referenceProcess.js', import.meta.url));
const seedsMax = Number(option('seeds-max', '300'));
const scenarioName = option('scenario', 'swarm');
const chosen = repeated('bug');
const bugs = bugCatalog.filter((bug) => chosen.length === 0 || chosen.includes(bug.name));
const base = loadScenario(scenarioName);

type Strategy = SchedulingStrategy | 'coverage';
const strategies: readonly Strategy[] = ['random', 'pct', 'coverage', 'portfolio'];

interface Cell {
  strategy: Strategy;
  seedsToFirstFailure: number | null;
  wallMs: number;
  status: string | null;
}

/** Seeds 1, 2, ... of a scheduling strategy until the first failure. */
function seedsCell(implementation: Implementation, strategy: SchedulingStrategy): Cell {
  const scenario = withStrategy(base, strategy);
  const startedMs = wallClockMs();
  for (let seed = 1; seed <= seedsMax; seed += 1) {
    const run = runSeed({ seed, implementation, scenario });
    if (run.status !== 'ok') return { strategy, seedsToFirstFailure: seed, wallMs: Math.round(wallClockMs() - startedMs), status: run.violation?.invariant ?? run.status };
  }
  return { strategy, seedsToFirstFailure: null, wallMs: Math.round(wallClockMs() - startedMs), status: null };
}

/** A coverage-guided campaign over seeds 1 to seedsMax (each run scheduled as the portfolio) until its first failure. */
function guidedCell(implementation: Implementation): Cell {
  const startedMs = wallClockMs();
  const campaign = runCampaign({ seeds: seedRange(1, seedsMax), implementation, scenario: withStrategy(base, 'portfolio'), guided: true, failuresMax: 1 });
  const failure = campaign.failures[0];
  const wallMs = Math.round(wallClockMs() - startedMs);
  if (failure === undefined) return { strategy: 'coverage', seedsToFirstFailure: null, wallMs, status: null };
  return { strategy: 'coverage', seedsToFirstFailure: campaign.seeds, wallMs, status: `${failure.run.violation?.invariant ?? failure.status}${failure.origin !== null ? ` (${failure.origin.kind})` : ''}` };
}

const rows: { bug: string; cells: Cell[] }[] = [];
/** The reference with one bug on: in this process, or (--process) as a program over the process protocol. */
function implementationWith(bug: string): Implementation {
  if (!overProcess) return referenceImplementation(bugsFromNames([bug]));
  return processImplementation({ program: { command: process.execPath, args: [referenceProgram, '--bug', bug] } });
}

for (const bug of bugs) {
  const implementation = implementationWith(bug.name);
  const cells = strategies.map((strategy): Cell => (strategy === 'coverage' ? guidedCell(implementation) : seedsCell(implementation, strategy)));
  rows.push({ bug: bug.name, cells });
  process.stderr.write(`${bug.name}: ${cells.map((cell) => `${cell.strategy} ${cell.seedsToFirstFailure ?? `>${seedsMax}`}`).join(', ')}\n`);
}

if (overProcess) closeProcessHost();
const subject = overProcess ? 'the reference over the process protocol' : 'the reference in process';
if (json) {
  process.stdout.write(`${JSON.stringify({ scenario: scenarioName, seedsMax, process: overProcess, rows })}\n`);
} else {
  const header = ['bug', ...strategies.map((strategy) => `${strategy} seeds`), ...strategies.map((strategy) => `${strategy} s`)];
  const cells = rows.map((row) => [
    row.bug,
    ...row.cells.map((cell) => String(cell.seedsToFirstFailure ?? `>${seedsMax}`)),
    ...row.cells.map((cell) => (cell.wallMs / 1000).toFixed(1)),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)));
  const line = (values: string[]) => values.map((value, column) => value.padEnd(widths[column])).join('  ');
  process.stdout.write(`raftcheck bench:strategies: ${subject}, scenario ${scenarioName} (up to ${seedsMax} seeds per strategy)\n`);
  process.stdout.write(`${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
  const found = (strategy: Strategy) => rows.filter((row) => row.cells.find((cell) => cell.strategy === strategy)?.seedsToFirstFailure !== null).length;
  const median = (strategy: Strategy) => {
    const times = rows.map((row) => row.cells.find((cell) => cell.strategy === strategy)!).filter((cell) => cell.seedsToFirstFailure !== null).map((cell) => cell.wallMs).sort((a, b) => a - b);
    return times.length === 0 ? '-' : `${(times[Math.floor((times.length - 1) / 2)] / 1000).toFixed(2)} s`;
  };
  process.stdout.write(`median wall time to the first failure (bugs found): ${strategies.map((strategy) => `${strategy} ${median(strategy)}`).join(', ')}\n`);
  process.stdout.write(`found: ${strategies.map((strategy) => `${strategy} ${found(strategy)} of ${rows.length}`).join(', ')}\n`);
}

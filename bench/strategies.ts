// npm run bench:strategies: seeds to the first failure of each corpus bug under each scheduling
// strategy (random delays, PCT priorities, the portfolio that draws one per seed), on one
// scenario. No shrinking: this measures how fast a strategy reaches a bug, nothing else.
//
//   npm run bench:strategies -- [--scenario NAME] [--seeds-max N] [--bug NAME ...] [--json]

import { referenceImplementation } from '../src/adapters/reference.js';
import { withStrategy } from '../src/check/options.js';
import { runSeed } from '../src/check/run.js';
import { loadScenario } from '../src/check/scenarios.js';
import { wallClockMs } from '../src/core/wallClock.js';
import { bugCatalog, bugsFromNames } from '../src/raft/bugs.js';
import type { SchedulingStrategy } from '../src/sim/scenario.js';
import { schedulingStrategies } from '../src/sim/scenario.js';
import { flag, option, repeated } from './arguments.js';

const json = flag('json');
const seedsMax = Number(option('seeds-max', '300'));
const scenarioName = option('scenario', 'default');
const chosen = repeated('bug');
const bugs = bugCatalog.filter((bug) => chosen.length === 0 || chosen.includes(bug.name));
const base = loadScenario(scenarioName);

interface Cell {
  strategy: SchedulingStrategy;
  seedsToFirstFailure: number | null;
  wallMs: number;
  status: string | null;
}

const rows: { bug: string; cells: Cell[] }[] = [];
for (const bug of bugs) {
  const implementation = referenceImplementation(bugsFromNames([bug.name]));
  const cells = schedulingStrategies.map((strategy): Cell => {
    const scenario = withStrategy(base, strategy);
    const startedMs = wallClockMs();
    for (let seed = 1; seed <= seedsMax; seed += 1) {
      const run = runSeed({ seed, implementation, scenario });
      if (run.status !== 'ok') return { strategy, seedsToFirstFailure: seed, wallMs: Math.round(wallClockMs() - startedMs), status: run.violation?.invariant ?? run.status };
    }
    return { strategy, seedsToFirstFailure: null, wallMs: Math.round(wallClockMs() - startedMs), status: null };
  });
  rows.push({ bug: bug.name, cells });
  if (!json) process.stderr.write(`${bug.name}: ${cells.map((cell) => `${cell.strategy} ${cell.seedsToFirstFailure ?? `>${seedsMax}`}`).join(', ')}\n`);
}

if (json) {
  process.stdout.write(`${JSON.stringify({ scenario: scenarioName, seedsMax, rows })}\n`);
} else {
  const header = ['bug', ...schedulingStrategies.map((strategy) => `${strategy} seeds`), ...schedulingStrategies.map((strategy) => `${strategy} s`)];
  const cells = rows.map((row) => [
    row.bug,
    ...row.cells.map((cell) => String(cell.seedsToFirstFailure ?? `>${seedsMax}`)),
    ...row.cells.map((cell) => (cell.wallMs / 1000).toFixed(1)),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)));
  const line = (values: string[]) => values.map((value, column) => value.padEnd(widths[column])).join('  ');
  process.stdout.write(`raftcheck bench:strategies on scenario ${scenarioName} (up to ${seedsMax} seeds per strategy)\n`);
  process.stdout.write(`${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
  const found = (strategy: SchedulingStrategy) => rows.filter((row) => row.cells.find((cell) => cell.strategy === strategy)?.seedsToFirstFailure !== null).length;
  process.stdout.write(`found: ${schedulingStrategies.map((strategy) => `${strategy} ${found(strategy)} of ${rows.length}`).join(', ')}\n`);
}

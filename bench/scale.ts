// npm run bench:scale: how a campaign's wall time falls with worker threads. Runs the same swarm
// campaign of the reference (`--seeds=N`, default 2,000) with 1, 2, 4, ... threads up to the cores
// present (and the core count itself), in one process, and prints each wall time, events per
// second and the speed-up over one thread, with how long the main thread was busy (what the books in
// the main thread cost: past 1/N of the work it caps the speed-up). The campaign's result is the
// same for every row (checked): only the wall time may differ. Figures go to docs/BENCHMARKS.md.
// Every worker thread loads the modules and compiles the hot code afresh (about a CPU second each,
// measured), which a few hundred seeds do not amortize: the default is a campaign's size, as long
// as the issue's own 2,000-seed measurement.

import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runCampaignInWorkers } from '../src/check/workers.js';
import { seedRange } from '../src/check/campaign.js';
import { loadScenario } from '../src/check/scenarios.js';
import { referenceImplementation } from '../src/adapters/reference.js';
import { wallClockMs } from '../src/core/wallClock.js';

const json = process.argv.includes('--json');
const seedsArgument = process.argv.find((argument) => argument.startsWith('--seeds='));
const seedCount = seedsArgument === undefined ? 2000 : Number(seedsArgument.split('=')[1]);
const cores = availableParallelism();

function threadCounts(): number[] {
  const counts: number[] = [];
  for (let jobs = 1; jobs <= cores; jobs *= 2) counts.push(jobs);
  if (counts.at(-1) !== cores) counts.push(cores);
  return counts;
}

async function campaign(jobs: number, seedsRun = seedCount) {
  const startedMs = wallClockMs();
  const loopBefore = performance.eventLoopUtilization();
  const result = await runCampaignInWorkers({ jobs, seeds: seedRange(1, seedsRun), implementation: referenceImplementation(), scenario: loadScenario('swarm') });
  const wallMs = wallClockMs() - startedMs;
  // The main thread's busy time (its event loop's active time); with one job the campaign runs in it.
  const mainThreadCpuMs = jobs === 1 ? null : performance.eventLoopUtilization(loopBefore).active;
  return { jobs, wallMs, events: result.events, result: result.result, mainThreadCpuMs };
}

async function main(): Promise<void> {
  await campaign(Math.min(2, cores), 20); // warm-up: module loading in the main thread
  const rows = [];
  for (const jobs of threadCounts()) rows.push(await campaign(jobs));
  const base = rows[0];
  if (rows.some((row) => row.events !== base.events || row.result !== base.result)) throw new Error('the campaign differed between thread counts');
  const table = rows.map((row) => ({ ...row, speedup: base.wallMs / row.wallMs, eventsPerSecond: (row.events / row.wallMs) * 1000 }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ seeds: seedCount, cores, cpu: cpus()[0]?.model, rows: table })}\n`);
    return;
  }
  process.stdout.write(`bench:scale: ${seedCount} swarm seeds of the reference, ${cores} cores (${cpus()[0]?.model ?? 'unknown'}), result ${base.result}, ${base.events} events\n`);
  process.stdout.write('threads  wall s   events/s    speed-up  per thread  main thread busy s\n');
  for (const row of table) {
    process.stdout.write(
      `${String(row.jobs).padStart(7)}  ${(row.wallMs / 1000).toFixed(2).padStart(6)}  ${Math.round(row.eventsPerSecond).toLocaleString('en-US').padStart(10)}  ` +
        `${row.speedup.toFixed(2).padStart(7)}x  ${(row.speedup / row.jobs).toFixed(2).padStart(9)}  ${row.mainThreadCpuMs === null ? '-' : (row.mainThreadCpuMs / 1000).toFixed(2)}\n`,
    );
  }
}

await main();

// npm run bench:scale: how a campaign's wall time falls with worker threads. Runs the same swarm
// campaign of the reference (`--seeds=N`, default 2,000) with 1, 2, 4, ... threads up to the cores
// present (and the core count itself), in one process, and prints each wall time, events per
// second and the speed-up over one thread, with the main thread's own CPU seconds (what the books
// in the main thread cost: past 1/N of the work it caps the speed-up), read from
// /proc/self/task/PID/stat on Linux. Its event loop's active time is printed beside it, but that is
// not CPU: on a loaded machine it also counts the time the thread waited for a core. The campaign's result is the
// same for every row (checked): only the wall time may differ. Figures go to docs/BENCHMARKS.md.
// Every worker thread loads the modules and compiles the hot code afresh (about a CPU second each,
// measured), which a few hundred seeds do not amortize: the default is a campaign's size, as long
// as the issue's own 2,000-seed measurement.

import { existsSync, readFileSync } from 'node:fs';
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

const mainThreadStat = `/proc/${process.pid}/task/${process.pid}/stat`;

/** The main thread's own CPU time in ms (user and system), where Linux tells it; null elsewhere. */
function mainThreadCpuMsNow(): number | null {
  if (!existsSync(mainThreadStat)) return null;
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100 a second).
  const fields = readFileSync(mainThreadStat, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function campaign(jobs: number, seedsRun = seedCount) {
  const startedMs = wallClockMs();
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = mainThreadCpuMsNow();
  const result = await runCampaignInWorkers({ jobs, seeds: seedRange(1, seedsRun), implementation: referenceImplementation(), scenario: loadScenario('swarm') });
  const wallMs = wallClockMs() - startedMs;
  // The main thread's CPU time and its event loop's active time; with one job the campaign runs in it.
  const cpuAfter = mainThreadCpuMsNow();
  const mainThreadCpuMs = jobs === 1 || cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  const mainThreadActiveMs = jobs === 1 ? null : performance.eventLoopUtilization(loopBefore).active;
  return { jobs, wallMs, events: result.events, result: result.result, mainThreadCpuMs, mainThreadActiveMs };
}

const seconds = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(2));

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
  process.stdout.write('threads  wall s   events/s    speed-up  per thread  main thread CPU s  main loop active s\n');
  for (const row of table) {
    process.stdout.write(
      `${String(row.jobs).padStart(7)}  ${(row.wallMs / 1000).toFixed(2).padStart(6)}  ${Math.round(row.eventsPerSecond).toLocaleString('en-US').padStart(10)}  ` +
        `${row.speedup.toFixed(2).padStart(7)}x  ${(row.speedup / row.jobs).toFixed(2).padStart(9)}  ${seconds(row.mainThreadCpuMs).padStart(17)}  ${seconds(row.mainThreadActiveMs).padStart(18)}\n`,
    );
  }
}

await main();

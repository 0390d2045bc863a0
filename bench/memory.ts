// npm run bench:memory: whether a long campaign holds memory flat. Runs one campaign of the
// reference in this thread (`--seeds N`, default 100,000; `--scenario NAME`, default "default")
// and, at checkpoints (a tenth of the seeds and the end, plus 1,000 when the campaign is longer),
// collects garbage and reads the heap in use, with the array buffers that live outside it. A
// campaign keeps only its tallies, its failures, its inconclusive seeds and a fixed-size sketch of
// its abstract coverage (src/core/distinct.ts), so the heap after 10,000 seeds and after 100,000 should agree within a
// few percent; growth with the seed count is a leak (a cache or a log that keeps every seed).
// Progress goes to stderr; the table (or `--json`) to stdout. Figures go to docs/BENCHMARKS.md.

import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runCampaign } from '../src/check/campaign.js';
import { loadScenario } from '../src/check/scenarios.js';
import { referenceImplementation } from '../src/adapters/reference.js';
import { memoryInUseBytes } from '../src/core/memory.js';
import { wallClockMs } from '../src/core/wallClock.js';
import { flag, option } from './arguments.js';

const seedCount = Number(option('seeds', '100000'));
const scenarioName = option('scenario', 'default');
const json = flag('json');
if (!Number.isInteger(seedCount) || seedCount < 1) {
  process.stderr.write(`bench:memory: --seeds ${option('seeds', '')}: expected a whole number >= 1\n`);
  process.exit(2);
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface Checkpoint {
  seeds: number;
  heapUsedBytes: number;
  events: number;
  wallS: number;
}

function checkpointsOf(count: number): Set<number> {
  const points = new Set([Math.max(1, Math.round(count / 10)), count]);
  if (count > 10_000) points.add(1_000);
  return points;
}

/** The heap in use plus the array buffers (kept outside the heap: typed arrays such as the coverage sketch's registers). */
function heapUsedBytes(): number {
  collectGarbage();
  collectGarbage();
  return memoryInUseBytes();
}

function main(): void {
  const points = checkpointsOf(seedCount);
  const checkpoints: Checkpoint[] = [];
  const startedMs = wallClockMs();
  const baseHeap = heapUsedBytes();
  const result = runCampaign({
    seeds: Array.from({ length: seedCount }, (_, index) => index + 1),
    implementation: referenceImplementation(),
    scenario: loadScenario(scenarioName),
    onProgress: (progress) => {
      if (points.has(progress.seedsDone)) {
        checkpoints.push({ seeds: progress.seedsDone, heapUsedBytes: heapUsedBytes(), events: progress.events, wallS: (wallClockMs() - startedMs) / 1000 });
      }
      // Heap at every progress line too: a run cut short still shows its curve.
      if (progress.seedsDone % 5_000 === 0) {
        process.stderr.write(`bench:memory: ${progress.seedsDone}/${seedCount} seeds, ${progress.events} events, heap ${(heapUsedBytes() / 1024 ** 2).toFixed(1)} MB\n`);
      }
    },
  });
  const tenth = checkpoints.find((point) => point.seeds === Math.max(1, Math.round(seedCount / 10)))!;
  const last = checkpoints.at(-1)!;
  const growth = last.heapUsedBytes / tenth.heapUsedBytes - 1;
  if (json) {
    process.stdout.write(`${JSON.stringify({ seeds: seedCount, scenario: scenarioName, result: result.result, baseHeapBytes: baseHeap, checkpoints, growth, cpu: cpus()[0]?.model })}\n`);
    return;
  }
  const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
  process.stdout.write(`bench:memory: ${seedCount} seeds of "${scenarioName}", reference, one thread, result ${result.result}, ${result.events} events\n`);
  process.stdout.write(`heap in use before the campaign: ${mb(baseHeap)} MB\n`);
  process.stdout.write('   seeds   heap MB      events   wall s\n');
  for (const point of checkpoints) {
    process.stdout.write(`${String(point.seeds).padStart(8)}  ${mb(point.heapUsedBytes).padStart(8)}  ${String(point.events).padStart(10)}  ${point.wallS.toFixed(1).padStart(7)}\n`);
  }
  process.stdout.write(`heap growth from ${tenth.seeds} to ${last.seeds} seeds: ${(growth * 100).toFixed(1)}%\n`);
}

main();

// npm run bench:explore: the explorer's throughput and its time to the figure8 bug.
//   1. the correct reference, bfs, 3 nodes, depth 9, term 3, one reorder, 10 in flight:
//      distinct states per second, with and without sleep sets, with clone() and with input
//      replay, with and without symmetry, with and without shared parts and steps computed
//      once (intern, memoize); and depth 11, where the rate is past the warm-up;
//   2. figure8, bfs at the command's default bounds, within --time seconds (default: the command's, 600).
//   npm run bench:explore -- [--time S] [--depth N] [--json]
// Each row also reports the process's CPU seconds: on a shared machine the wall-clock rate
// moves with the load, the CPU time much less.

import { referenceImplementation } from '../src/adapters/reference.js';
import { exploreImplementationOptions } from '../src/cli/exploreCommand.js';
import type { ExploreBounds, ExploreResult } from '../src/explore/search.js';
import { defaultExploreBounds, explore } from '../src/explore/search.js';
import { bugsFromNames } from '../src/raft/bugs.js';
import { flag, option } from './arguments.js';

const timeMs = Number(option('time', String(defaultExploreBounds.timeMs / 1000))) * 1000;
const depth = Number(option('depth', '9'));
const bounds: ExploreBounds = { ...defaultExploreBounds, depthMax: depth, termMax: 3, reordersMax: 1, statesMax: 50_000_000, timeMs, memoryBytesMax: 6 * 1024 ** 3 };
const run = (label: string, bugs: string[], overrides: { symmetry?: boolean; clone?: boolean; reduction?: boolean; intern?: boolean; memoize?: boolean; bounds?: Partial<ExploreBounds> }) => {
  const cpuBefore = process.cpuUsage();
  const result: ExploreResult = explore({
    implementation: referenceImplementation(bugsFromNames(bugs)),
    nodes: 3,
    strategy: 'bfs',
    bounds: { ...bounds, ...overrides.bounds },
    implementationOptions: exploreImplementationOptions,
    symmetry: overrides.symmetry ?? true,
    clone: overrides.clone ?? true,
    reduction: overrides.reduction ?? true,
    intern: overrides.intern ?? true,
    memoize: overrides.memoize ?? true,
    seed: 1,
    walksMax: 0,
    pctDepth: 3,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const { path, violation, reduction, ...counts } = result;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    label,
    ...counts,
    transitionsSkipped: reduction.transitionsSkipped,
    wallMs: Math.round(result.wallMs),
    cpuSeconds: Number(cpuSeconds.toFixed(1)),
    statesPerCpuSecond: Math.round(result.distinctStates / cpuSeconds),
    invariant: violation?.invariant ?? null,
    pathLength: path?.length ?? null,
  };
};
// Warm-up, not reported: the first search otherwise pays the JIT's compilation in its rate.
run('warm-up', [], { bounds: { depthMax: depth - 2 } });
const rows = [
  run(`reference, depth ${depth}, symmetry, clone, sleep sets`, [], {}),
  run(`reference, depth ${depth}, symmetry, clone, no reduction`, [], { reduction: false }),
  run(`reference, depth ${depth}, no symmetry, clone, sleep sets`, [], { symmetry: false }),
  run(`reference, depth ${depth - 1}, symmetry, clone, sleep sets`, [], { bounds: { depthMax: depth - 1 } }),
  run(`reference, depth ${depth - 1}, symmetry, input replay, sleep sets`, [], { clone: false, bounds: { depthMax: depth - 1 } }),
  run(`reference, depth ${depth}, symmetry, clone, sleep sets, nothing shared, no memo`, [], { intern: false, memoize: false }),
  run(`reference, depth ${depth}, symmetry, clone, sleep sets, shared, no memo`, [], { memoize: false }),
  run(`reference, depth ${depth + 2}, symmetry, clone, sleep sets`, [], { bounds: { depthMax: depth + 2 } }),
  run(`figure8, the command's defaults (depth ${defaultExploreBounds.depthMax}, term ${defaultExploreBounds.termMax}, reorders ${defaultExploreBounds.reordersMax}, in flight ${defaultExploreBounds.messagesInFlightMax})`, ['figure8'], {
    bounds: { ...defaultExploreBounds, statesMax: 50_000_000, timeMs, memoryBytesMax: 6 * 1024 ** 3 },
  }),
];
if (flag('json')) process.stdout.write(`${JSON.stringify(rows)}\n`);
else for (const row of rows) process.stdout.write(`${row.label}: ${row.status}, ${row.distinctStates} states (${row.distinctStatesWithoutSymmetry} without symmetry), ${row.transitions} transitions (${row.transitionsSkipped} skipped by sleep sets), depth ${row.depth}, ${row.statesPerSecond} states/s (${row.statesPerCpuSecond} a CPU second), ${(row.wallMs / 1000).toFixed(1)} s (${row.cpuSeconds} s CPU), stopped by ${row.stoppedBy}${row.invariant ? `, ${row.invariant} after ${row.pathLength} steps` : ''}\n`);

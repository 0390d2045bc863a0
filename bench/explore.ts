// npm run bench:explore: the explorer's throughput and its time to the figure8 bug.
//   1. the correct reference, bfs, 3 nodes, depth 9, term 3, one reorder, 10 in flight:
//      distinct states per second, with and without sleep sets, with clone() and with input
//      replay, with and without symmetry; and depth 11, where the rate is past the warm-up;
//   2. figure8, bfs at the command's default bounds, within --time seconds (default 60).
//   npm run bench:explore -- [--time S] [--depth N] [--json]

import { referenceImplementation } from '../src/adapters/reference.js';
import { exploreImplementationOptions } from '../src/cli/exploreCommand.js';
import type { ExploreBounds, ExploreResult } from '../src/explore/search.js';
import { defaultExploreBounds, explore } from '../src/explore/search.js';
import { bugsFromNames } from '../src/raft/bugs.js';
import { flag, option } from './arguments.js';

const timeMs = Number(option('time', '60')) * 1000;
const depth = Number(option('depth', '9'));
const bounds: ExploreBounds = { ...defaultExploreBounds, depthMax: depth, termMax: 3, statesMax: 50_000_000, timeMs, memoryBytesMax: 6 * 1024 ** 3 };
const run = (label: string, bugs: string[], overrides: { symmetry?: boolean; clone?: boolean; reduction?: boolean; bounds?: Partial<ExploreBounds> }) => {
  const result: ExploreResult = explore({
    implementation: referenceImplementation(bugsFromNames(bugs)),
    nodes: 3,
    strategy: 'bfs',
    bounds: { ...bounds, ...overrides.bounds },
    implementationOptions: exploreImplementationOptions,
    symmetry: overrides.symmetry ?? true,
    clone: overrides.clone ?? true,
    reduction: overrides.reduction ?? true,
    seed: 1,
    walksMax: 0,
    pctDepth: 3,
  });
  const { path, violation, reduction, ...counts } = result;
  return { label, ...counts, transitionsSkipped: reduction.transitionsSkipped, wallMs: Math.round(result.wallMs), invariant: violation?.invariant ?? null, pathLength: path?.length ?? null };
};
// Warm-up, not reported: the first search otherwise pays the JIT's compilation in its rate.
run('warm-up', [], { bounds: { depthMax: depth - 2 } });
const rows = [
  run(`reference, depth ${depth}, symmetry, clone, sleep sets`, [], {}),
  run(`reference, depth ${depth}, symmetry, clone, no reduction`, [], { reduction: false }),
  run(`reference, depth ${depth}, no symmetry, clone, sleep sets`, [], { symmetry: false }),
  run(`reference, depth ${depth - 1}, symmetry, clone, sleep sets`, [], { bounds: { depthMax: depth - 1 } }),
  run(`reference, depth ${depth - 1}, symmetry, input replay, sleep sets`, [], { clone: false, bounds: { depthMax: depth - 1 } }),
  run(`reference, depth ${depth + 2}, symmetry, clone, sleep sets`, [], { bounds: { depthMax: depth + 2 } }),
  run('figure8, defaults (depth 24, term 4, reorders 1, in flight 10)', ['figure8'], { bounds: { depthMax: 24, termMax: 4 } }),
];
if (flag('json')) process.stdout.write(`${JSON.stringify(rows)}\n`);
else for (const row of rows) process.stdout.write(`${row.label}: ${row.status}, ${row.distinctStates} states (${row.distinctStatesWithoutSymmetry} without symmetry), ${row.transitions} transitions (${row.transitionsSkipped} skipped by sleep sets), depth ${row.depth}, ${row.statesPerSecond} states/s, ${(row.wallMs / 1000).toFixed(1)} s, stopped by ${row.stoppedBy}${row.invariant ? `, ${row.invariant} after ${row.pathLength} steps` : ''}\n`);

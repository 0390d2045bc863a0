// npm run bench:explore-corpus: for every bug of the corpus that a step path can show (a safety
// bug judged step by step, not on a clients' history or by the liveness phase), the smallest
// bounds at which `raftcheck explore` finds it: the least depth, and at it the smallest fault
// budgets (none, one crash, one request, both), each search bounded in time.
//   npm run bench:explore-corpus -- [--time S] [--depth-max N] [--json]

import { referenceImplementation } from '../src/adapters/reference.js';
import { exploreImplementationOptions } from '../src/cli/exploreCommand.js';
import type { ExploreBounds } from '../src/explore/search.js';
import { defaultExploreBounds, explore } from '../src/explore/search.js';
import { bugCatalog, bugsFromNames } from '../src/raft/bugs.js';
import { flag, option } from './arguments.js';

const timeMs = Number(option('time', '20')) * 1000;
const depthMax = Number(option('depth-max', '14'));
const budgets = [
  { crashesMax: 0, requestsMax: 0 },
  { crashesMax: 1, requestsMax: 0 },
  { crashesMax: 0, requestsMax: 1 },
  { crashesMax: 1, requestsMax: 1 },
];

/** The first (depth, budgets) at which bfs finds the bug, with the search's figures; null if none within the bounds. */
function smallestBounds(bug: string) {
  for (let depth = 2; depth <= depthMax; depth += 1) {
    let allCut = true;
    for (const budget of budgets) {
      const bounds: ExploreBounds = { ...defaultExploreBounds, ...budget, depthMax: depth, timeMs, statesMax: 50_000_000 };
      const result = explore({
        implementation: referenceImplementation(bugsFromNames([bug])),
        nodes: 3,
        strategy: 'bfs',
        bounds,
        implementationOptions: exploreImplementationOptions,
        symmetry: true,
        clone: true,
        seed: 1,
        walksMax: 0,
        pctDepth: 3,
      });
      if (result.violation !== null) {
        return { bug, depth, ...budget, invariant: result.violation.invariant, pathLength: result.path?.length ?? null, states: result.distinctStates, wallMs: Math.round(result.wallMs) };
      }
      if (result.stoppedBy === 'exhausted') allCut = false;
    }
    if (allCut) return { bug, depth, stoppedBy: 'time', note: `every search at depth ${depth} ran out of its ${timeMs / 1000} s` };
  }
  return { bug, depth: depthMax, stoppedBy: 'depth', note: `not found up to depth ${depthMax}` };
}

// figure8 needs 21 steps: its row is the default search's (docs/BENCHMARKS.md), not this scan's.
const subjects = bugCatalog.filter((bug) => bug.kind === 'safety' && bug.invariant !== 'linearizability' && bug.name !== 'figure8').map((bug) => bug.name);
const rows = [];
for (const bug of subjects) {
  const row = smallestBounds(bug);
  rows.push(row);
  if (!flag('json')) process.stdout.write(`${JSON.stringify(row)}\n`);
}
if (flag('json')) process.stdout.write(`${JSON.stringify(rows)}\n`);

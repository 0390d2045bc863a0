// A failing swarm seed of a corpus bug, as `raftcheck run --bug NAME` finds it, and its shrink
// under a deterministic budget (candidate runs, not seconds), so results cannot depend on the machine.

import { referenceImplementation } from '../../src/adapters/reference.js';
import { withStrategy } from '../../src/check/options.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugsFromNames } from '../../src/raft/bugs.js';

/** The swarm scenario with run's default scheduling strategy. */
export const swarm = withStrategy(loadScenario('swarm'), undefined);

export function swarmFailure(bug: BugName, seed: number) {
  const implementation = referenceImplementation(bugsFromNames([bug]));
  const run = runSeed({ seed, implementation, scenario: swarm });
  const shrink = (runsMax: number) => shrinkToTrace({ implementation, scenario: swarm, choices: run.choices, seed, bugs: [bug], runsMax, timeBudgetMs: 600_000 });
  return { implementation, run, shrink };
}

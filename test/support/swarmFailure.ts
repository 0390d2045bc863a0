// A failing swarm seed of a corpus bug, as `raftcheck run --bug NAME` finds it, and its shrink
// under a deterministic budget (candidate runs, not seconds), so results cannot depend on the machine.

import { referenceImplementation } from '../../src/adapters/reference.js';
import { withStrategy } from '../../src/check/options.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import type { Scenario } from '../../src/sim/scenario.js';

/** The swarm scenario with run's default scheduling strategy. */
export const swarm = withStrategy(loadScenario('swarm'), undefined);

/**
 * The swarm as it was before it drew a partition after a leader's commit (swarm.json's
 * faults.partition.afterLeaderCommitProbability, drawn on a stream of its own): 0 draws none.
 */
export const swarmBeforePartitionAfterCommit: Scenario = { ...swarm, faults: { ...swarm.faults, partition: { ...swarm.faults.partition, afterLeaderCommitProbability: 0 } } };

/**
 * The swarm as it was before it drew membership and snapshots: a seed that draws neither runs
 * the same in both, so a failure pinned before then is still this seed's run here.
 */
export const swarmWithoutFeatures = { ...swarmBeforePartitionAfterCommit, swarmFeatures: [] };

/**
 * The swarm as it was before it drew issue 18's features (pre-vote, check-quorum, lease reads,
 * transfers): those are drawn on streams of their own, so every seed draws here exactly what it
 * drew then, and a failure pinned before then is still this seed's run here.
 */
export const swarmBeforeLeadership: Scenario = { ...swarmBeforePartitionAfterCommit, swarmFeatures: ['membership', 'snapshots'] };

export function swarmFailure(bug: BugName, seed: number, scenario = swarm) {
  const implementation = referenceImplementation(bugsFromNames([bug]));
  const run = runSeed({ seed, implementation, scenario });
  const shrink = (runsMax: number) => shrinkToTrace({ implementation, scenario, choices: run.choices, seed, bugs: [bug], runsMax, timeBudgetMs: 600_000 });
  return { implementation, run, shrink };
}

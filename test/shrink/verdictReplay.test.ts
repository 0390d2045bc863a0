// A verdict replay (record: false) of a path with clients reuses the transition system's memos
// and observes only what the steps answered (StepObserver.stepsOnly); a recorded replay computes
// every step afresh. Both must judge a path alike, also across the fresh systems that the memo
// bound (PathReplay.freshWhenFull) makes.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import type { Implementation } from '../../src/contract/contract.js';
import { runSeed } from '../../src/check/run.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { shortenScenario } from '../../src/sim/scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';
import type { Choices } from '../../src/core/random.js';
import { liftRun } from '../../src/shrink/lift.js';
import { PathReplay } from '../../src/shrink/paths.js';
import { possibleSteps } from '../../src/shrink/steps.js';
import { allInvariants } from '../../invariants/index.js';

const scenario = shortenScenario(loadScenario('clients'), 2000);

function liftedPath(implementation: Implementation, run: { scenario: Scenario; choices: Choices }) {
  const lifted = liftRun({ implementation, scenario: run.scenario, invariants: allInvariants, choices: run.choices });
  const cluster = { nodes: lifted.run.scenario.nodes, spares: lifted.spares, implementationOptions: lifted.run.scenario.implementation };
  return { cluster, steps: possibleSteps(implementation, cluster, lifted.steps, allInvariants) };
}

function expectSameVerdicts(implementation: Implementation, path: ReturnType<typeof liftedPath>): string {
  // A bound of a tenth of the path: the memos are dropped every few replays.
  const replay = new PathReplay(implementation, path.cluster, allInvariants, undefined, Math.ceil(path.steps.length / 10));
  let status = '';
  for (let round = 0; round < 3; round += 1) {
    const verdict = replay.replay(path.steps, { record: false });
    const recorded = replay.replay(path.steps, { record: true });
    if ('error' in verdict || 'error' in recorded) throw new Error('a possible path does not replay');
    const summary = (result: typeof verdict.result) => ({
      status: result.status,
      invariant: result.violation?.invariant ?? null,
      events: result.events,
      completed: result.history?.filter((operation) => operation.completion !== undefined).length ?? 0,
    });
    expect(summary(verdict.result)).toEqual(summary(recorded.result));
    expect(summary(verdict.result).completed).toBeGreaterThan(0);
    status = verdict.result.status;
  }
  replay.dispose();
  return status;
}

describe('verdict replays of paths with clients', () => {
  it('judge as the recorded replay does on the correct reference, memos dropped or not', () => {
    const implementation = referenceImplementation();
    for (const seed of [1, 2]) {
      const run = runSeed({ seed, implementation, scenario });
      expect(expectSameVerdicts(implementation, liftedPath(implementation, run))).toBe('ok');
    }
  });

  it('find a client history failure (no-client-dedup) as the recorded replay does', () => {
    const implementation = referenceImplementation(bugsFromNames(['no-client-dedup']));
    const [failure] = runCampaign({ seeds: seedRange(1, 30), implementation, scenario, failuresMax: 1 }).failures;
    expect(failure.run.violation?.invariant).toBe('linearizability');
    const path = liftedPath(implementation, failure.run);
    expect(expectSameVerdicts(implementation, path)).toBe('safety');
  });
});

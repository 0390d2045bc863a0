// The removed-node assumption (Implementation.removedNodeGuards): an implementation that needs
// check-quorum or pre-vote on while a removed node runs on gets one switched on by the swarm,
// without a draw of its own; a fixed scenario that breaks it is refused unless it allows unsafe
// faults; and a violation under unsafe faults is reported as the assumption broken.

import { describe, expect, it } from 'vitest';
import type { Implementation } from '../../src/contract/contract.js';
import { allFeatures } from '../../src/contract/contract.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { checkScenarioFor, loadScenario, ScenarioError } from '../../src/check/scenarios.js';
import { Random, RecordingChoiceSource } from '../../src/core/random.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { failureHeadline } from '../../src/report/console.js';
import type { Scenario } from '../../src/sim/scenario.js';
import type { SwarmImplementation } from '../../src/sim/swarm.js';
import { drawSwarmScenario } from '../../src/sim/swarm.js';

const draw = (seed: number, implementation: SwarmImplementation, name = 'swarm'): { scenario: Scenario; choices: unknown } => {
  const source = new RecordingChoiceSource(seed);
  const scenario = drawSwarmScenario(loadScenario(name), new Random(source), { leaseDriftMax: 0.1, ...implementation });
  return { scenario, choices: source.choices };
};

/** The reference with its guard against removed nodes taken out, declaring check-quorum as the guard it needs (as etcd and raft-rs do). */
function disruptible(): Implementation {
  return { ...referenceImplementation(bugsFromNames(['removed-node-disrupts'])), removedNodeGuards: ['checkQuorum'] };
}

describe('the swarm and an implementation that needs a guard while removed nodes run on', () => {
  const seeds = Array.from({ length: 200 }, (_, index) => index + 1);

  // swarm-membership draws no guard of its own; swarm draws pre-vote and check-quorum too, each a
  // guard, in its leadership block (on about half the seeds): 18 of these seeds keep removed nodes
  // running with a guard drawn.
  it.each([
    ['swarm-membership', 40, 0],
    ['swarm', 5, 10],
  ])('on %s, switches the first declared guard on where a seed keeps removed nodes running and drew none, with the same draws as without the declaration', (name, guardedMin, drawnGuardMin) => {
    let guarded = 0;
    let drawnGuard = 0;
    for (const seed of seeds) {
      const plain = draw(seed, { features: allFeatures }, name);
      const declared = draw(seed, { features: allFeatures, removedNodeGuards: ['checkQuorum', 'preVote'] }, name);
      expect(declared.choices, `seed ${seed}`).toEqual(plain.choices);
      const keeps = plain.scenario.membership?.removed === 'keep';
      const unguarded = keeps && plain.scenario.implementation.checkQuorum !== true && plain.scenario.implementation.preVote !== true;
      if (unguarded) guarded += 1;
      else if (keeps) drawnGuard += 1;
      const expected = unguarded ? { ...plain.scenario, implementation: { ...plain.scenario.implementation, checkQuorum: true } } : plain.scenario;
      expect(declared.scenario, `seed ${seed}`).toEqual(expected);
    }
    expect(guarded).toBeGreaterThanOrEqual(guardedMin);
    expect(drawnGuard).toBeGreaterThanOrEqual(drawnGuardMin);
  });

  it('wipes removed nodes instead where the implementation supports none of the guards it declares', () => {
    const features = ['membership', 'snapshots'] as const;
    for (const seed of seeds) {
      const plain = draw(seed, { features });
      const declared = draw(seed, { features, removedNodeGuards: ['checkQuorum'] });
      const membership = plain.scenario.membership === undefined ? undefined : { ...plain.scenario.membership, removed: 'wipe' };
      expect(declared.scenario, `seed ${seed}`).toEqual({ ...plain.scenario, membership });
    }
  });

  it('leaves a seed that allows unsafe faults as drawn', () => {
    const unsafe = { ...loadScenario('swarm'), unsafeFaults: true };
    for (const seed of seeds.slice(0, 50)) {
      const source = (implementation: SwarmImplementation) => drawSwarmScenario(unsafe, new Random(new RecordingChoiceSource(seed)), implementation);
      expect(source({ features: allFeatures, removedNodeGuards: ['checkQuorum'] })).toEqual(source({ features: allFeatures }));
    }
  });
});

describe('a fixed scenario that keeps removed nodes running', () => {
  const minimal = loadScenario('scenarios/minimal/removed-node-disrupts.json');

  it('is refused without a declared guard on, naming the field, unless it switches one on, wipes, or allows unsafe faults', () => {
    expect(() => checkScenarioFor(minimal, disruptible())).toThrow(ScenarioError);
    expect(() => checkScenarioFor(minimal, disruptible())).toThrow(/membership\.removed: "keep" leaves removed nodes running, [^\n]*checkQuorum on \(its removedNodeGuards\)/);
    expect(() => checkScenarioFor({ ...minimal, implementation: { ...minimal.implementation, checkQuorum: true } }, disruptible())).not.toThrow();
    expect(() => checkScenarioFor({ ...minimal, membership: { ...minimal.membership!, removed: 'wipe' } }, disruptible())).not.toThrow();
    expect(() => checkScenarioFor({ ...minimal, unsafeFaults: true }, disruptible())).not.toThrow();
    expect(() => checkScenarioFor(minimal, referenceImplementation())).not.toThrow();
  });

  it('reports its violation under unsafe faults as the assumption broken', () => {
    // The seed the minimal scenario runs with (test/bugs/minimalScenarios.ts).
    const run = runSeed({ seed: 110, scenario: { ...minimal, unsafeFaults: true }, implementation: disruptible() });
    expect(run.status).toBe('liveness');
    expect(failureHeadline({ run, determinism: null })).toMatch(/^liveness violation of liveness: assumption broken/);
  });
});

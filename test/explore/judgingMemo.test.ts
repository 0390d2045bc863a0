// What the explorer computes once: a node step's judging from a given judgement is kept with the
// (memoized) step and found there by every later world that takes the same step from the same
// judgement, a delivery that reveals its sender's term included, or from a judgement that differs
// only in revealed terms when the judging read none. A checker that counts the steps it is asked
// about shows which were judged afresh.

import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import type { World } from '../../src/world/system.js';
import { TransitionSystem } from '../../src/world/system.js';

/** Every registered invariant, and last a checker that only counts the node steps it judges. */
function countingSystem(memoize: boolean): { system: TransitionSystem; judged: () => number } {
  let count = 0;
  const counter: InvariantDefinition = {
    name: 'step-counter',
    kind: 'safety',
    description: 'Test only: counts the node steps it is asked about; never fires.',
    create: () => ({
      name: 'step-counter',
      fork() {
        return this;
      },
      afterStep: () => {
        count += 1;
        return null;
      },
      audit: () => null,
    }),
  };
  const system = new TransitionSystem({
    implementation: referenceImplementation(),
    invariants: [...allInvariants, counter],
    nodes: 3,
    implementationOptions: exploreImplementationOptions,
    symmetry: true,
    clone: true,
    memoize,
    termMax: 9,
    crashesMax: 1,
    requestsMax: 0,
    dropsMax: 0,
    reordersMax: 0,
    messagesInFlightMax: 99,
  });
  return { system, judged: () => count };
}

/** Node 1's timer fired: its RequestVote of term 1 to node 2 is in flight, not delivered yet. */
function candidacy(system: TransitionSystem): { world: World; toNode2: number } {
  const world = system.apply(system.initial().world, { kind: 'timeout', node: 1 }).world;
  return { world, toNode2: world.messages.findIndex((inFlight) => inFlight.from === 1 && inFlight.to === 2) };
}

describe('judging a node step once per judgement', () => {
  it('judges a delivery that reveals its sender\'s term afresh only the first time it is taken from a judgement', () => {
    const { system, judged } = countingSystem(true);
    const { world, toNode2 } = candidacy(system);
    expect(world.judgement.revealed[1]).toBe(0);
    const first = system.apply(world, { kind: 'deliver', message: toNode2 });
    const judgedFirst = judged();
    const second = system.apply(world, { kind: 'deliver', message: toNode2 });
    expect(judged()).toBe(judgedFirst);
    for (const transition of [first, second]) {
      expect(transition.revealsSender).toBe(true);
      expect(transition.world.judgement.revealed[1]).toBe(1);
    }
    expect(second.world.judgement).toBe(first.world.judgement);
  });

  it('judges the same delivery afresh every time when steps are not memoized, to the same judgement', () => {
    const { system, judged } = countingSystem(false);
    const { world, toNode2 } = candidacy(system);
    const first = system.apply(world, { kind: 'deliver', message: toNode2 });
    const judgedFirst = judged();
    const second = system.apply(world, { kind: 'deliver', message: toNode2 });
    expect(judged()).toBe(judgedFirst + 1);
    expect(second.revealsSender).toBe(true);
    expect(second.world.judgement.revealed).toEqual(first.world.judgement.revealed);
    expect(system.fingerprint(second.world)).toEqual(system.fingerprint(first.world));
  });

  it('finds a step judged from one judgement for a judgement that differs only in revealed terms, with those terms', () => {
    const { system, judged } = countingSystem(true);
    const { world } = candidacy(system);
    const revealing = { ...world, judgement: system.revealedJudgement(world.judgement, 1, 1) };
    const first = system.apply(world, { kind: 'timeout', node: 2 });
    const judgedFirst = judged();
    const second = system.apply(revealing, { kind: 'timeout', node: 2 });
    expect(judged()).toBe(judgedFirst);
    expect(second.world.judgement.revealed).toEqual([0, 1, 0, 0]);
    expect(first.world.judgement.revealed).toEqual([0, 0, 0, 0]);
    expect(second.world.judgement.checkers).toBe(first.world.judgement.checkers);
  });

  it('judges a restart afresh for each revealed terms, since its floor is one of them', () => {
    const { system, judged } = countingSystem(true);
    const crashed = system.apply(candidacy(system).world, { kind: 'crash', node: 2, unsyncedKept: 0 }).world;
    const revealing = { ...crashed, judgement: system.revealedJudgement(crashed.judgement, 2, 1) };
    const first = system.apply(crashed, { kind: 'restart', node: 2 });
    const judgedFirst = judged();
    const second = system.apply(revealing, { kind: 'restart', node: 2 });
    expect(judged()).toBe(judgedFirst + 1);
    expect(first.violation).toBeNull();
    expect(second.violation?.invariant).toBe('monotonic-term');
  });
});

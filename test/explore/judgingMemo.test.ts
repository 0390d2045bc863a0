// What the explorer computes once: a node step's judging from a given judgement is kept with the
// (memoized) step and found there by every later world that takes the same step from the same
// judgement, a delivery that reveals its sender's term included, or from a judgement that differs
// only in revealed terms when the judging read none; a step that commits, from the same judgement
// among the same node states. A checker that counts the steps it is asked about shows which were
// judged afresh.

import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import type { World } from '../../src/world/system.js';
import { TransitionSystem } from '../../src/world/system.js';

/**
 * Every registered invariant, and last a checker that only counts the node steps it judges (and,
 * with `readsOthers`, reads the mirror of a node other than the one that stepped, as
 * configuration-safety reads the term of the node voted for).
 */
function countingSystem(memoize: boolean, readsOthers = false): { system: TransitionSystem; judged: () => number } {
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
      afterStep: ({ change, cluster }) => {
        count += 1;
        if (readsOthers) cluster.mirror(change.node === 3 ? 1 : 3);
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

/** The world after delivering the first message from `from` to `to` of `type` in `world`. */
function delivered(system: TransitionSystem, world: World, from: number, to: number, type: string): World {
  const index = world.messages.findIndex((inFlight) => inFlight.from === from && inFlight.to === to && inFlight.message.type === type);
  expect(index).not.toBe(-1);
  return system.apply(world, { kind: 'deliver', message: index }).world;
}

/** Node 1 leads term 1 with node 2's vote and has its first entry on node 2: the answer that commits it is in flight. */
function commitInFlight(system: TransitionSystem): { world: World; answer: number } {
  let world = system.apply(system.initial().world, { kind: 'timeout', node: 1 }).world;
  world = delivered(system, world, 1, 2, 'RequestVote');
  world = delivered(system, world, 2, 1, 'RequestVoteResponse');
  world = delivered(system, world, 1, 2, 'AppendEntries');
  return { world, answer: world.messages.findIndex((inFlight) => inFlight.from === 2 && inFlight.to === 1 && inFlight.message.type === 'AppendEntriesResponse') };
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

  it('judges a step that commits once per judgement and node states, and afresh among other node states', () => {
    const { system, judged } = countingSystem(true);
    const { world, answer } = commitInFlight(system);
    expect(answer).not.toBe(-1);
    const first = system.apply(world, { kind: 'deliver', message: answer });
    expect(first.changedShared).toBe(true);
    expect(first.world.judgement.shared.terms.length).toBeGreaterThan(world.judgement.shared.terms.length);
    const judgedFirst = judged();
    const second = system.apply(world, { kind: 'deliver', message: answer });
    expect(judged()).toBe(judgedFirst);
    expect(second.world.judgement).toBe(first.world.judgement);
    expect(second.changedShared).toBe(true);
    // Node 3's clock moved: the same judgement, another node state, which a checker may read.
    const ticked = system.apply(world, { kind: 'tick', node: 3, ticks: 1 }).world;
    expect(ticked.judgement).toBe(world.judgement);
    expect(ticked.nodes[2]).not.toBe(world.nodes[2]);
    const judgedTicked = judged();
    const third = system.apply(ticked, { kind: 'deliver', message: answer });
    expect(judged()).toBe(judgedTicked + 1);
    expect(third.world.judgement).toBe(first.world.judgement);
  });

  it('judges a step whose checkers read another node afresh among other node states, and once among the same', () => {
    for (const readsOthers of [false, true]) {
      const { system, judged } = countingSystem(true, readsOthers);
      const { world } = candidacy(system);
      // Node 3's clock moved: the same judgement, another node state, which the checker reads.
      const ticked = system.apply(world, { kind: 'tick', node: 3, ticks: 1 }).world;
      expect(ticked.judgement).toBe(world.judgement);
      expect(ticked.nodes[2]).not.toBe(world.nodes[2]);
      const judgedBefore = judged();
      const first = system.apply(world, { kind: 'timeout', node: 2 });
      expect(first.changedShared).toBe(false);
      const judgedFirst = judged();
      const again = system.apply(world, { kind: 'timeout', node: 2 });
      expect(judged()).toBe(judgedFirst);
      expect(again.world.judgement).toBe(first.world.judgement);
      const other = system.apply(ticked, { kind: 'timeout', node: 2 });
      // Only its own node read: the outcome is the judgement's, whatever node 3's state.
      expect(judged()).toBe(readsOthers ? 2 * judgedFirst - judgedBefore : judgedFirst);
      expect(other.world.judgement.checkers).toBe(first.world.judgement.checkers);
    }
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

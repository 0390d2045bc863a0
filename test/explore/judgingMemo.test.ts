// What the explorer computes once: a node step's judging from a given judgement is kept with the
// (memoized) step and found there by every later world that takes the same step from the same
// judgement, a delivery that reveals its sender's term included, or from a judgement that differs
// only in revealed terms when the judging read none; a step that commits, from the same judgement
// among the same node states; never from a judgement whose checkers differ (a checker that counts
// a node's ticks in one world and not in another). A checker that counts the steps it is asked
// about shows which were judged afresh.

import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from '../../invariants/types.js';
import type { DigestSink } from '../../src/contract/contract.js';
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
  return { system: referenceSystem(counter, memoize, true), judged: () => count };
}

/** The reference on 3 nodes, judged by every registered invariant and last `extra`. */
function referenceSystem(extra: InvariantDefinition, memoize: boolean, symmetry: boolean): TransitionSystem {
  return new TransitionSystem({
    implementation: referenceImplementation(),
    invariants: [...allInvariants, extra],
    nodes: 3,
    implementationOptions: exploreImplementationOptions,
    symmetry,
    clone: true,
    memoize,
    termMax: 9,
    crashesMax: 1,
    requestsMax: 0,
    dropsMax: 0,
    reordersMax: 0,
    messagesInFlightMax: 99,
  });
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
    // Both node tuples are kept now, each with its outcome: either is found again, not judged.
    expect(system.apply(world, { kind: 'deliver', message: answer }).world.judgement).toBe(first.world.judgement);
    expect(system.apply(ticked, { kind: 'deliver', message: answer }).world.judgement).toBe(first.world.judgement);
    expect(judged()).toBe(judgedTicked + 1);
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

/**
 * Every registered invariant and a checker that counts the ticks of node 2 once it is armed, which
 * a tick of node 3 does: its state (and so the judgement's core) differs between worlds whose
 * node 2 is the same, and a timer firing of node 2 judges differently there.
 */
function armedTickSystem(memoize: boolean): { system: TransitionSystem; judged: () => number } {
  let count = 0;
  class ArmedTicks implements InvariantChecker {
    readonly name = 'armed-ticks';
    constructor(
      public armed: boolean,
      public ticks: number,
      public version: number,
    ) {}
    fork(): InvariantChecker {
      return new ArmedTicks(this.armed, this.ticks, this.version);
    }
    afterStep({ change }: CheckContext): null {
      count += 1;
      if (change.node === 3 && !this.armed && change.input?.kind === 'tick') {
        this.armed = true;
        this.version += 1;
      } else if (change.node === 2 && this.armed && change.input?.kind === 'tick') {
        this.ticks += 1;
        this.version += 1;
      }
      return null;
    }
    digest(sink: DigestSink): void {
      sink.number(this.armed ? 1 : 0).number(this.ticks);
    }
    audit(): null {
      return null;
    }
  }
  const definition: InvariantDefinition = { name: 'armed-ticks', kind: 'safety', description: 'Test only: counts node 2\'s ticks once node 3 ticked; never fires.', create: () => new ArmedTicks(false, 0, 0) };
  // No symmetry: the checker's state names nodes 2 and 3.
  return { system: referenceSystem(definition, memoize, false), judged: () => count };
}

function armedTicks(world: World): { armed: boolean; ticks: number } {
  const { armed, ticks } = world.judgement.checkers.at(-1) as unknown as { armed: boolean; ticks: number };
  return { armed, ticks };
}

describe('judging a timer firing\'s ticks once per judgement core', () => {
  it('judges the ticks of a timer firing once per judgement core, and afresh from another core', () => {
    const { system, judged } = armedTickSystem(true);
    const start = system.initial().world;
    const armed = system.apply(start, { kind: 'tick', node: 3, ticks: 1 }).world;
    expect(armedTicks(armed)).toEqual({ armed: true, ticks: 0 });
    expect(armed.nodes[1]).toBe(start.nodes[1]);
    const judgedBefore = judged();
    const first = system.apply(start, { kind: 'timeout', node: 2 });
    const judgedFirst = judged();
    // Node 2's firing is two ticks (the election timeout), each judged the first time.
    expect(judgedFirst - judgedBefore).toBe(2);
    // Other checkers changed (node 2 voted for itself), this one did not: the new judgement holds
    // its original, not a fork (settleCheckers); where it counts ticks below, it holds the fork.
    expect(first.world.judgement).not.toBe(start.judgement);
    expect(first.world.judgement.checkers.at(-1)).toBe(start.judgement.checkers.at(-1));
    const again = system.apply(start, { kind: 'timeout', node: 2 });
    expect(judged()).toBe(judgedFirst);
    expect(again.world.judgement).toBe(first.world.judgement);
    // The same node 2, another core: an outcome kept for the first core would count no tick.
    const fromArmed = system.apply(armed, { kind: 'timeout', node: 2 });
    expect(judged()).toBe(judgedFirst + 2);
    expect(armedTicks(fromArmed.world)).toEqual({ armed: true, ticks: 2 });
    expect(fromArmed.world.judgement.checkers.at(-1)).not.toBe(armed.judgement.checkers.at(-1));
    expect(armedTicks(armed)).toEqual({ armed: true, ticks: 0 });
    expect(armedTicks(first.world)).toEqual({ armed: false, ticks: 0 });
    const fromArmedAgain = system.apply(armed, { kind: 'timeout', node: 2 });
    expect(judged()).toBe(judgedFirst + 2);
    expect(fromArmedAgain.world.judgement).toBe(fromArmed.world.judgement);
  });

  it('leaves every timer firing where judging each tick afresh leaves it', () => {
    const memoized = armedTickSystem(true).system;
    const plain = armedTickSystem(false).system;
    const worlds = [memoized.initial().world, plain.initial().world];
    for (const choice of [{ kind: 'tick', node: 3, ticks: 1 }, { kind: 'timeout', node: 2 }, { kind: 'timeout', node: 1 }, { kind: 'timeout', node: 2 }] as const) {
      const [a, b] = [memoized.apply(worlds[0], choice), plain.apply(worlds[1], choice)];
      // Each memoized firing taken twice: the second finds what the first kept.
      const repeated = memoized.apply(worlds[0], choice);
      expect(repeated.world.judgement).toBe(a.world.judgement);
      expect(memoized.fingerprint(a.world)).toEqual(plain.fingerprint(b.world));
      expect(armedTicks(a.world)).toEqual(armedTicks(b.world));
      expect(a.changedShared).toBe(b.changedShared);
      worlds[0] = a.world;
      worlds[1] = b.world;
    }
    expect(armedTicks(worlds[0]).ticks).toBeGreaterThan(0);
  });
});

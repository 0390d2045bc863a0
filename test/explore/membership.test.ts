// The explorer with membership steps (feature 'membership'): spares that a change may add, a
// bounded number of changes handed to leaders (every change the leader's latest configuration
// allows, from the simulator's administrator's menu), spares that start empty when a change first
// names them, and removed nodes that may be stopped and wiped. Off by default, validated like the
// other options, judged by every invariant as the simulator judges its steps (src/world).

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import { exploreOptionProblems } from '../../src/explore/options.js';
import { allInvariants } from '../../invariants/index.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import type { Choice, World } from '../../src/world/system.js';
import { TransitionSystem } from '../../src/world/system.js';
import { smallExplore, smallExploreOptions, watchingInvariant } from '../support/explore.js';
import { raftcheck } from '../support/cli.js';

/** Counts the steps after which some node's latest configuration names a spare (id above 3); never fires. */
function spareCounter(counted: { withSpare: number }): InvariantDefinition {
  return watchingInvariant('spare-counter', ({ cluster }) => {
    const named = (ids: readonly number[] | undefined) => ids?.some((id) => id > 3) === true;
    if (cluster.nodes.some((node) => named(node.configuration?.latest.voters) || named(node.configuration?.latest.learners))) counted.withSpare += 1;
  });
}

const membershipBounds = { ...smallExplore.bounds, depthMax: 9, termMax: 3, crashesMax: 0, membershipChangesMax: 1 };

describe('exploring with membership steps', () => {
  it('reaches configurations with a spare added, and finds no violation in the correct reference', () => {
    const counted = { withSpare: 0 };
    const result = smallExplore(referenceImplementation(), { spares: 1, bounds: membershipBounds, invariants: [...allInvariants, spareCounter(counted)], symmetry: true });
    expect(result.status).toBe('ok');
    expect(result.stoppedBy).toBe('exhausted');
    expect(counted.withSpare).toBeGreaterThan(0);
  });

  it('finds count-stale-votes breaking configuration safety through a change, which the same bounds without membership steps do not', () => {
    const implementation = referenceImplementation(bugsFromNames(['count-stale-votes']));
    const invariants = allInvariants.filter((definition) => definition.name === 'configuration-safety');
    const bounds = { ...membershipBounds, depthMax: 10 };
    const without = smallExplore(implementation, { invariants, bounds: { ...bounds, membershipChangesMax: 0 }, symmetry: true });
    expect(without.status).toBe('ok');
    const found = smallExplore(implementation, { invariants, bounds, spares: 1, symmetry: true });
    expect(found.violation?.invariant).toBe('configuration-safety');
    expect(found.path?.some((step) => step.kind === 'changeMembership')).toBe(true);
  });

  it('finds the corpus membership bugs concurrent-config-changes (two changes) and learner-votes-counted (a learner added), each through its changes', () => {
    for (const [bug, changes, depth] of [['concurrent-config-changes', 2, 7], ['learner-votes-counted', 1, 10]] as const) {
      const implementation = referenceImplementation(bugsFromNames([bug]));
      const found = smallExplore(implementation, { bounds: { ...membershipBounds, depthMax: depth, membershipChangesMax: changes }, spares: 1, symmetry: true });
      expect(found.violation?.invariant).toBe('configuration-safety');
      expect(found.path?.filter((step) => step.kind === 'changeMembership').length).toBeGreaterThan(0);
    }
  });

  it('counts the same states, transitions and path every time (the new steps are deterministic)', () => {
    const implementation = referenceImplementation(bugsFromNames(['count-stale-votes']));
    const invariants = allInvariants.filter((definition) => definition.name === 'configuration-safety');
    const run = () => smallExplore(implementation, { invariants, bounds: { ...membershipBounds, depthMax: 10 }, spares: 1, symmetry: true });
    const [first, second] = [run(), run()];
    expect([second.distinctStates, second.transitions, second.path]).toEqual([first.distinctStates, first.transitions, first.path]);
  });

  it('counts the same distinct states with sleep sets as without, membership steps included', () => {
    const options = { spares: 1, bounds: { ...membershipBounds, depthMax: 8 }, symmetry: true };
    const reduced = smallExplore(referenceImplementation(), options);
    const full = smallExplore(referenceImplementation(), { ...options, reduction: false });
    expect([reduced.distinctStates, reduced.distinctStatesWithoutSymmetry]).toEqual([full.distinctStates, full.distinctStatesWithoutSymmetry]);
  });

  it('counts the same states without symmetry as the orbits of the states with it, spares permuted among themselves', () => {
    const options = { spares: 2, bounds: { ...membershipBounds, depthMax: 8 } };
    const symmetric = smallExplore(referenceImplementation(), { ...options, symmetry: true });
    const plain = smallExplore(referenceImplementation(), { ...options, symmetry: false });
    expect(symmetric.distinctStatesWithoutSymmetry).toBe(plain.distinctStates);
    expect(symmetric.distinctStates).toBeLessThan(plain.distinctStates);
  });

  it('refuses spares and changes for an implementation that does not list membership, naming the fields', () => {
    const implementation = { ...referenceImplementation(), features: [] };
    const problems = exploreOptionProblems({ ...smallExploreOptions(referenceImplementation()), implementation, spares: 1, bounds: { ...membershipBounds, membershipChangesMax: 2 } });
    expect(problems.map((problem) => problem.field)).toEqual(['spares', 'bounds.membershipChangesMax']);
    expect(problems[0].reason).toContain("does not list the 'membership' feature");
  });

  it('refuses more than 8 spares and a fractional change bound', () => {
    const problems = exploreOptionProblems({ ...smallExploreOptions(referenceImplementation()), spares: 9, bounds: { ...membershipBounds, membershipChangesMax: 1.5 } });
    expect(problems.map((problem) => problem.field).sort()).toEqual(['bounds.membershipChangesMax', 'spares']);
  });

  it('names the flags of bad membership options on the command line', () => {
    const { status, stderr } = raftcheck(['explore', '--spares', '-1', '--membership-changes', 'x']);
    expect(status).toBe(2);
    expect(stderr).toContain('--spares: expected an integer from 0 to 8, got "-1"');
    expect(stderr).toContain('--membership-changes (bounds.membershipChangesMax): expected an integer from 0 to 1000000000, got "x"');
  });
});

describe('membership steps in the transition system', () => {
  it('starts the spare a change names, and offers to wipe a node once every other node holds a configuration without it', () => {
    const system = membershipSystem();
    let world = system.initial().world;
    const take = (wanted: (choice: Choice) => boolean) => {
      const choice = system.choices(world).find(wanted);
      expect(choice).toBeDefined();
      const transition = system.apply(world, choice!);
      expect(transition.violation).toBeNull();
      world = transition.world;
    };
    take((choice) => choice.kind === 'timeout' && choice.node === 1);
    while (world.nodes[0].mirror.role !== 'leader' || world.nodes[0].mirror.commitIndex === 0) take(deliveryAvoiding(world, 3));
    expect(world.nodes[3].instance).toBeNull();
    take((choice) => choice.kind === 'changeMembership' && choice.steps.length === 2 && choice.steps[0].node === 4 && choice.steps[1].node === 3);
    expect(world.nodes[3].instance).not.toBeNull();
    expect(world.membershipChanges).toBe(1);
    for (let step = 0; step < 60 && !system.choices(world).some((choice) => choice.kind === 'wipe'); step += 1) {
      const choices = system.choices(world);
      take(choices.some(deliveryAvoiding(world, 3)) ? deliveryAvoiding(world, 3) : (choice) => choice.kind === 'timeout' && choice.node === 1);
    }
    expect(system.choices(world).filter((choice) => choice.kind === 'wipe')).toEqual([{ kind: 'wipe', node: 3 }]);
    take((choice) => choice.kind === 'wipe');
    expect(world.nodes[2].retired).toBe(true);
    expect(world.messages.some((message) => message.to === 3)).toBe(false);
    expect(system.choices(world).some((choice) => 'node' in choice && choice.node === 3)).toBe(false);
  });
});

/** A delivery to any node but `avoided`. */
function deliveryAvoiding(world: World, avoided: number): (choice: Choice) => boolean {
  return (choice) => choice.kind === 'deliver' && world.messages[choice.message].to !== avoided;
}

function membershipSystem(): TransitionSystem {
  const unbounded = Number.POSITIVE_INFINITY;
  return new TransitionSystem({
    implementation: referenceImplementation(),
    invariants: allInvariants,
    nodes: 3,
    spares: 1,
    implementationOptions: exploreImplementationOptions,
    symmetry: false,
    clone: true,
    termMax: unbounded,
    crashesMax: 0,
    requestsMax: 0,
    dropsMax: 0,
    reordersMax: unbounded,
    messagesInFlightMax: unbounded,
    membershipChangesMax: 1,
  });
}

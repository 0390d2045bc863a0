// What a membership change is, for every driver (feature 'membership'): the changes an
// administrator may ask a leader for, given the latest configuration it reports (the simulator's
// administrator, src/sim/membership.ts, draws one of them; the explorer, src/world/system.ts,
// tries each), how a spare starts (as a brand-new node that knows no configuration), and which
// configuration the cluster has committed (what a removed node is judged against before it is
// stopped and wiped).

import type { Configuration, ConfigurationView, MembershipStep } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { assert } from '../core/assert.js';

/** The spares' ids: after the initial members. */
export function spareIds(initialMembers: number, spares: number): NodeId[] {
  return Array.from({ length: spares }, (_, offset) => initialMembers + 1 + offset);
}

/**
 * The members a node is started with: the bootstrap configuration for an initial member; none
 * for a spare, which joins and learns a configuration from a leader (on every start: a spare
 * that restarts rebuilds what it learned from its records).
 */
export function startMembers(id: NodeId, initialMembers: readonly NodeId[]): readonly NodeId[] {
  return id <= initialMembers.length ? initialMembers : [];
}

/** Changes never take the voters below this: three, or fewer when the cluster started smaller. */
export function votersMinOf(initialMembers: number): number {
  return Math.min(3, initialMembers);
}

/** Every node a configuration names: voters, learners and outgoing voters. */
export function configurationMembers(configuration: Configuration): Set<NodeId> {
  return new Set([...configuration.voters, ...configuration.learners, ...configuration.votersOutgoing]);
}

/**
 * The single-server changes to `latest` with `spare` (a node to add; null: none) and `voter` (a
 * voter to remove; null: none), in a fixed order: add the spare as a learner or a voter, promote
 * each learner, remove the voter while the voters stay above votersMin, remove each learner.
 */
export function singleServerChanges(latest: Configuration, spare: NodeId | null, voter: NodeId | null, votersMin: number): MembershipStep[] {
  const menu: MembershipStep[] = [];
  if (spare !== null) menu.push({ action: 'addLearner', node: spare }, { action: 'addVoter', node: spare });
  for (const learner of latest.learners) menu.push({ action: 'promote', node: learner });
  if (latest.voters.length > votersMin && voter !== null) menu.push({ action: 'remove', node: voter });
  for (const learner of latest.learners) menu.push({ action: 'remove', node: learner });
  return menu;
}

/** A replacement through a joint configuration: the spare in as a voter, the voter out. */
export function jointReplacement(spare: NodeId, voter: NodeId): MembershipStep[] {
  return [
    { action: 'addVoter', node: spare },
    { action: 'remove', node: voter },
  ];
}

/**
 * Every change to `latest` with one of the free spares and one of the voters: each single-server
 * change and each joint replacement, without repeats, in a fixed order. None while a joint
 * configuration is in force (leaving it is the leader's own step).
 */
export function allChanges(latest: Configuration, free: readonly NodeId[], votersMin: number): MembershipStep[][] {
  if (latest.votersOutgoing.length > 0) return [];
  const changes: MembershipStep[][] = [];
  const seen = new Set<string>();
  const add = (steps: MembershipStep[]) => {
    const key = steps.map((step) => `${step.action} ${step.node}`).join(',');
    if (seen.has(key)) return;
    seen.add(key);
    changes.push(steps);
  };
  for (const spare of [...free, null]) {
    for (const voter of latest.voters.length > 0 ? latest.voters : [null]) {
      for (const step of singleServerChanges(latest, spare, voter, votersMin)) add([step]);
    }
  }
  for (const spare of free) for (const voter of latest.voters) add(jointReplacement(spare, voter));
  return changes;
}

/**
 * The latest committed configuration any of these views reports (the one with the highest
 * committed index; the first of them on a tie), and its index; null when none reports one. A
 * committed configuration without voters is none (a joining node's view before one reached it):
 * taken for the cluster's, it would name no member to wait for and every node as removed.
 */
export function latestCommitted(views: Iterable<ConfigurationView | null>): { index: number; configuration: Configuration } | null {
  let best: { index: number; configuration: Configuration } | null = null;
  for (const view of views) {
    if (view === null || (view.committed.voters.length === 0 && view.committed.votersOutgoing.length === 0)) continue;
    if (best === null || view.committedIndex > best.index) best = { index: view.committedIndex, configuration: view.committed };
  }
  return best;
}

const actionCodes: Readonly<Record<MembershipStep['action'], number>> = { addVoter: 0, addLearner: 1, promote: 2, remove: 3 };

/** Codes of changes of at most two steps (what allChanges makes) are below this. */
export const changeCodesMax = 65 * 65;

/** A number that tells apart the changes of at most two steps over at most 15 nodes (the explorer's). */
export function changeCode(steps: readonly MembershipStep[]): number {
  let code = 0;
  for (const step of steps) {
    assert(steps.length <= 2 && step.node < 16, 'a change the explorer numbers has at most two steps over at most 15 nodes');
    code = code * 65 + actionCodes[step.action] * 16 + step.node + 1;
  }
  return code;
}

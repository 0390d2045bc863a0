// Abstract states (src/world/abstractState.ts): drawn from the state views, blind to node ids,
// sensitive to the shapes that matter (a leader without an entry of its own term, a diverged
// log, a lagging commit), the same for the same seed, and counted by a campaign, its summary and
// its console block.

import { describe, expect, it } from 'vitest';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import type { ObservedCluster, ObservedNode, StepChange } from '../../src/contract/observation.js';
import { campaignSummary } from '../../src/report/campaignSummary.js';
import { formatSummary } from '../../src/report/console.js';
import { AbstractStates, CoverageUnion } from '../../src/world/abstractState.js';

/** A node's view as the abstract state reads it; the rest of ObservedNode is not consulted. */
function node(id: number, fields: { role?: ObservedNode['role']; term?: number; terms?: number[]; commitIndex?: number; up?: boolean }): ObservedNode {
  const terms = [0, ...(fields.terms ?? [])];
  return {
    id,
    up: fields.up ?? true,
    hasView: true,
    role: fields.role ?? 'follower',
    term: fields.term ?? 1,
    commitIndex: fields.commitIndex ?? 0,
    configuration: null,
    lastIndex: terms.length - 1,
    snapshotIndex: 0,
    anchorIndex: 0,
    termAt: (index: number) => terms[index] ?? 0,
  } as unknown as ObservedNode;
}

function cluster(nodes: ObservedNode[]): ObservedCluster {
  return { nodes } as unknown as ObservedCluster;
}

function statesOf(...clusters: ObservedCluster[]): number[] {
  const states = new AbstractStates();
  for (const each of clusters) states.stepped(each);
  return states.reached().states;
}

describe('abstract states', () => {
  it('are the same for two clusters that differ only in which node is which', () => {
    const leaderFirst = cluster([node(1, { role: 'leader', term: 2, terms: [1, 2] }), node(2, { term: 2, terms: [1] }), node(3, { term: 1, terms: [1] })]);
    const leaderLast = cluster([node(1, { term: 1, terms: [1] }), node(2, { term: 2, terms: [1] }), node(3, { role: 'leader', term: 2, terms: [1, 2] })]);
    expect(statesOf(leaderFirst)).toEqual(statesOf(leaderLast));
  });

  it('tell a leader with no entry of its own term from one with one (Figure 8)', () => {
    const without = cluster([node(1, { role: 'leader', term: 3, terms: [1, 2] }), node(2, { term: 3, terms: [1, 2] })]);
    const withOwn = cluster([node(1, { role: 'leader', term: 3, terms: [1, 3] }), node(2, { term: 3, terms: [1, 3] })]);
    expect(statesOf(without)).not.toEqual(statesOf(withOwn));
  });

  it('tell a follower whose log diverges from the leader from one that is only behind', () => {
    const leader = node(1, { role: 'leader', term: 3, terms: [1, 3, 3] });
    const diverged = cluster([leader, node(2, { term: 3, terms: [1, 2] })]);
    const behind = cluster([leader, node(2, { term: 3, terms: [1, 3] })]);
    expect(statesOf(diverged)).not.toEqual(statesOf(behind));
  });

  it('count a transition between consecutive different states, and none for a step that changed nothing', () => {
    const before = cluster([node(1, { role: 'candidate', term: 2, terms: [1] }), node(2, { terms: [1] })]);
    const after = cluster([node(1, { role: 'leader', term: 2, terms: [1] }), node(2, { term: 2, terms: [1] })]);
    const states = new AbstractStates();
    for (const each of [before, before, after, after]) states.stepped(each);
    expect(states.reached().states).toHaveLength(2);
    expect(states.reached().transitions).toHaveLength(1);
  });

  it('skip a step that moved nothing they read, yet see a crash that happened between two steps', () => {
    const nodes = [node(1, { role: 'leader', term: 2, terms: [1, 2] }), node(2, { term: 2, terms: [1, 2] }), node(3, { term: 2, terms: [1, 2] })];
    const withMirror = (each: ObservedNode[]) => ({ nodes: each, mirror: (id: number) => each[id - 1] }) as unknown as ObservedCluster;
    const quiet = (of: ObservedNode) =>
      ({ node: of.id, started: false, logChangedFrom: Infinity, previousRole: of.role, previousTerm: of.term, previousCommitIndex: of.commitIndex, previousLastIndex: of.lastIndex, previousConfiguration: of.configuration }) as unknown as StepChange;
    const states = new AbstractStates();
    states.stepped(withMirror(nodes));
    // A heartbeat acknowledged: nothing read moved, and no state or transition is added.
    states.stepped(withMirror(nodes), quiet(nodes[1]));
    expect(states.reached().states).toHaveLength(1);
    // Node 3 crashed between the steps; node 1's quiet step still shows the cluster with it down.
    const crashed = [nodes[0], nodes[1], node(3, { term: 2, terms: [1, 2], up: false })];
    states.stepped(withMirror(crashed), quiet(nodes[0]));
    expect(states.reached().states).toHaveLength(2);
    expect(states.reached().transitions).toHaveLength(1);
  });

  it('recompute only the node a step moved, and reach what recomputing every node reaches', () => {
    // Mutable mirrors, moved in place as the simulator's are, each move reported as its step.
    const mirror = (id: number, role: ObservedNode['role'], terms: number[]) => {
      const log = [0, ...terms];
      return {
        id, up: true, hasView: true, role, term: 2, commitIndex: 0, configuration: null, snapshotIndex: 0, anchorIndex: 0, log,
        get lastIndex() { return log.length - 1; },
        termAt: (index: number) => log[index] ?? -1,
      };
    };
    const nodes = [mirror(1, 'leader', [1, 2]), mirror(2, 'follower', [1]), mirror(3, 'follower', [1])];
    const observed = { nodes, mirror: (id: number) => nodes[id - 1] } as unknown as ObservedCluster;
    const incremental = new AbstractStates();
    const full = new AbstractStates();
    const move = (id: number, edit: (node: (typeof nodes)[number]) => void) => {
      const node = nodes[id - 1];
      const change = { node: id, started: false, logChangedFrom: Infinity, previousRole: node.role, previousTerm: node.term, previousCommitIndex: node.commitIndex, previousLastIndex: node.lastIndex, previousConfiguration: null } as unknown as StepChange;
      const lastBefore = node.lastIndex;
      edit(node);
      if (node.lastIndex !== lastBefore) (change as { logChangedFrom: number }).logChangedFrom = Math.min(lastBefore, node.lastIndex) + 1;
      incremental.stepped(observed, change);
      full.stepped(observed);
    };
    incremental.stepped(observed);
    full.stepped(observed);
    move(2, (node) => node.log.push(2)); // a follower catches up: the leader stays the reference
    move(3, (node) => node.log.push(2));
    move(1, (node) => node.log.push(2)); // the reference itself moves: every code is recomputed
    move(1, (node) => (node.commitIndex = 3)); // the highest commit index moves
    move(2, (node) => (node.commitIndex = 3));
    move(3, (node) => (node.log.length = 2)); // a follower's log shrinks behind the leader's
    move(2, (node) => node.log.push(2));
    move(3, (node) => ((node.role = 'candidate'), (node.term = 3))); // the highest term moves
    expect(incremental.reached()).toEqual(full.reached());
    expect(incremental.reached().states.length).toBeGreaterThan(4);
  });

  it('are the same for the same seed, and a run of the default scenario reaches many', () => {
    const first = runSeed({ seed: 3, scenario: loadScenario('default') });
    const again = runSeed({ seed: 3, scenario: loadScenario('default') });
    expect(first.abstractCoverage).toEqual(again.abstractCoverage);
    expect(first.abstractCoverage!.states.length).toBeGreaterThan(10);
    expect(first.abstractCoverage!.transitions.length).toBeGreaterThan(first.abstractCoverage!.states.length - 1);
  });

  it('are added up by a campaign, whose summary and console block report them', () => {
    const campaign = runCampaign({ seeds: seedRange(1, 3), scenario: loadScenario('default') });
    const union = new CoverageUnion();
    for (const seed of [1, 2, 3]) union.add(runSeed({ seed, scenario: loadScenario('default') }).abstractCoverage);
    expect(campaign.abstractCoverage).toEqual(union.toData());
    expect(campaign.abstractCounts).toEqual(union.counts());
    const counts = union.counts();
    const summary = campaignSummary(campaign, { implementation: 'reference', scenario: 'default', options: {}, seedRange: { first: 1, count: 3 }, shard: null, failuresMax: 3, failures: [], reportDirectory: 'reports/x' });
    expect(summary.abstractStates).toBe(counts.states);
    expect(summary.abstractTransitions).toBe(counts.transitions);
    expect([summary.abstractStatesEstimated, summary.abstractTransitionsEstimated]).toEqual([false, false]);
    const text = formatSummary(summary, { implementation: 'reference', scenario: 'default', reportDirectory: null, options: '' }, { color: false });
    expect(text).toContain(`states      ${counts.states} distinct abstract states, ${counts.transitions} transitions`);
    const estimated = formatSummary({ ...summary, abstractStates: 7072, abstractTransitions: 15302, abstractTransitionsEstimated: true }, { implementation: 'reference', scenario: 'default', reportDirectory: null, options: '' }, { color: false });
    expect(estimated).toContain('states      7,072 distinct abstract states, about 15,302 transitions');
  });
});

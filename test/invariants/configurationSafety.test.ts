// Configuration safety: one voter changed at a time (or through a joint configuration), one change
// at a time, and leaders elected by a quorum of the voters of their configuration, learners not
// counted. Hand-built histories of configuration views.

import { describe, expect, it, vi } from 'vitest';
import { configurationSafety } from '../../invariants/configurationSafety.js';
import type { Configuration, ConfigurationView } from '../../src/contract/contract.js';
import type { NodeId } from '../../src/core/ids.js';
import type { History } from './history.js';
import { freshCluster } from './history.js';

const configuration = (voters: NodeId[], learners: NodeId[] = [], votersOutgoing: NodeId[] = []): Configuration => ({ voters, learners, votersOutgoing });
const view = (latest: Configuration, latestIndex: number, committed: Configuration = latest, committedIndex = latestIndex): ConfigurationView => ({ latest, latestIndex, committed, committedIndex });

/** Nodes 1..n, each reporting `initial` at index 0; n1 then leads term 1 with n2's vote, its no-op (index 1) committed. */
function clusterLedByOne(initial: Configuration, nodes = 4): History {
  const history = freshCluster({ nodes, invariants: [configurationSafety] });
  for (const node of history.members) history.step(node, { configuration: view(initial, 0) });
  history.step(2, { term: 1, votedFor: 1 });
  history.becomeLeader(1, 1, { append: [[1, 0]], commitIndex: 1 });
  return history;
}

/** The leader appends a configuration entry (change id 50 + index) at the next index. */
function appendConfiguration(history: History, leader: NodeId, next: Configuration, committed: Configuration, committedIndex: number, commitIndex?: number) {
  const index = history.mirror(leader).lastIndex + 1;
  return history.step(leader, { append: [[history.mirror(leader).term, 50 + index]], configuration: view(next, index, committed, committedIndex), ...(commitIndex === undefined ? {} : { commitIndex }) });
}

describe('configuration-safety', () => {
  it('fires when a leader changes two voters at once without a joint configuration', () => {
    const history = clusterLedByOne(configuration([1, 2, 3]));
    const found = appendConfiguration(history, 1, configuration([1, 2, 4, 5]), configuration([1, 2, 3]), 0);
    expect(found).toMatchObject({ invariant: 'configuration-safety', nodes: [1], evidence: { previousIndex: 0, nextIndex: 2 } });
    expect(found!.message).toContain('voters n3, n4, n5 changed at once without a joint configuration');
  });

  it('fires when a leader appends a configuration while the previous one is not committed', () => {
    const history = clusterLedByOne(configuration([1, 2, 3]));
    expect(appendConfiguration(history, 1, configuration([1, 2, 3, 4]), configuration([1, 2, 3]), 0)).toBeNull();
    const found = appendConfiguration(history, 1, configuration([1, 2, 3, 4, 5]), configuration([1, 2, 3]), 0);
    expect(found!.message).toContain('while the previous configuration (index 2) was not committed (commit index 1)');
  });

  it('fires when a joint configuration is changed other than by leaving it to its incoming voters', () => {
    const history = clusterLedByOne(configuration([1, 2, 3]));
    expect(appendConfiguration(history, 1, configuration([1, 2, 4], [], [1, 2, 3]), configuration([1, 2, 3]), 0)).toBeNull();
    const found = appendConfiguration(history, 1, configuration([1, 2, 5]), configuration([1, 2, 4], [], [1, 2, 3]), 2, 2);
    expect(found!.message).toContain('a joint configuration may only be left, to its incoming voters');
  });

  it('fires when a joint configuration does not keep the previous voters as its outgoing half', () => {
    const history = clusterLedByOne(configuration([1, 2, 3]));
    const found = appendConfiguration(history, 1, configuration([1, 2, 4], [], [1, 2]), configuration([1, 2, 3]), 0);
    expect(found!.message).toContain('outgoing half');
  });

  it("fires when a leader is elected with a learner's vote counted", () => {
    const history = freshCluster({ nodes: 4, invariants: [configurationSafety] });
    for (const node of [1, 2, 3]) history.step(node, { configuration: view(configuration([1, 2, 3]), 0) });
    for (const node of history.members) history.step(node, { configuration: view(configuration([1, 2, 3], [4]), 5) });
    history.step(4, { term: 2, votedFor: 1 });
    const found = history.becomeLeader(1, 2);
    expect(found).toMatchObject({ invariant: 'configuration-safety', nodes: [1], evidence: { term: 2, leader: 1, votesFrom: [1] } });
  });

  it('fires when a leader of a joint configuration holds a majority of only one half', () => {
    const history = freshCluster({ nodes: 5, invariants: [configurationSafety] });
    const joint = configuration([3, 4, 5], [], [1, 2, 3]);
    history.step(1, { configuration: view(configuration([1, 2, 3]), 0) });
    for (const node of history.members) history.step(node, { configuration: view(joint, 4) });
    history.step(2, { term: 2, votedFor: 1 });
    expect(history.becomeLeader(1, 2)!.message).toContain('without the votes of a quorum');
  });

  it('does not fire on single-server changes one after another, each committed first', () => {
    const history = clusterLedByOne(configuration([1, 2, 3]));
    expect(appendConfiguration(history, 1, configuration([1, 2, 3], [4]), configuration([1, 2, 3]), 0)).toBeNull();
    expect(appendConfiguration(history, 1, configuration([1, 2, 3, 4]), configuration([1, 2, 3], [4]), 2, 2)).toBeNull();
    expect(appendConfiguration(history, 1, configuration([2, 3, 4]), configuration([1, 2, 3, 4]), 3, 3)).toBeNull();
    expect(history.violation).toBeNull();
  });

  it('does not fire on entering a joint configuration and leaving it once committed, in one step with the commit', () => {
    const history = clusterLedByOne(configuration([1, 2, 3]));
    expect(appendConfiguration(history, 1, configuration([2, 3, 4], [], [1, 2, 3]), configuration([1, 2, 3]), 0)).toBeNull();
    expect(appendConfiguration(history, 1, configuration([2, 3, 4]), configuration([2, 3, 4], [], [1, 2, 3]), 2, 2)).toBeNull();
  });

  it('does not fire on a learner that grants a vote, uncounted, to a leader elected by a quorum of voters', () => {
    const history = freshCluster({ nodes: 4, invariants: [configurationSafety] });
    for (const node of history.members) history.step(node, { configuration: view(configuration([1, 2, 3], [4]), 0) });
    history.step(4, { term: 2, votedFor: 1 });
    history.step(3, { term: 2, votedFor: 1 });
    expect(history.becomeLeader(1, 2)).toBeNull();
  });

  it('does not fire on a leader elected by a quorum of its committed configuration, as etcd decides', () => {
    // n1 appended "add n4 as a voter" but decides elections by what it committed: {1, 2, 3}.
    const history = freshCluster({ nodes: 4, invariants: [configurationSafety] });
    for (const node of history.members) history.step(node, { configuration: view(configuration([1, 2, 3, 4]), 7, configuration([1, 2, 3]), 0) });
    history.step(2, { term: 3, votedFor: 1 });
    expect(history.becomeLeader(1, 3)).toBeNull();
  });

  it('judges no election while the membership never changed: the vote-counting bugs are election safety\'s', () => {
    const history = freshCluster({ nodes: 3, invariants: [configurationSafety] });
    for (const node of history.members) history.step(node, { configuration: view(configuration([1, 2, 3]), 0) });
    expect(history.becomeLeader(1, 2)).toBeNull();
  });

  it('forgets votes for a node in terms it is past, so histories that differ only there digest alike', () => {
    const votedFor = (candidate: NodeId) => {
      const history = freshCluster({ nodes: 3, invariants: [configurationSafety] });
      for (const node of history.members) history.step(node, { configuration: view(configuration([1, 2, 3]), 0) });
      history.step(2, { term: 1, votedFor: candidate });
      history.follow(1, 2);
      history.follow(3, 2);
      history.step(2, { term: 2, votedFor: null });
      return history.checkerDigest('configuration-safety');
    };
    expect(votedFor(1)).toBe(votedFor(3));
  });

  it('keeps a vote for a node in a term it has not reached yet: the election of that term reads it', () => {
    const history = freshCluster({ nodes: 3, invariants: [configurationSafety] });
    for (const node of history.members) history.step(node, { configuration: view(configuration([1, 2, 3]), 0) });
    for (const node of history.members) history.step(node, { configuration: view(configuration([1, 2, 3], [4]), 5) });
    history.step(2, { term: 3, votedFor: 1 });
    history.step(1, { role: 'candidate', term: 2, votedFor: 1 });
    history.step(1, { role: 'candidate', term: 3, votedFor: 1 });
    expect(history.becomeLeader(1, 3)).toBeNull();
  });

  it("reads no other node's mirror for a vote it keeps already: the explorer keeps that judging by its judgement alone", () => {
    const history = clusterLedByOne(configuration([1, 2, 3]));
    const nodes = vi.spyOn(history.observation, 'nodes', 'get');
    expect(history.step(2, { commitIndex: 1 })).toBeNull();
    expect(nodes).not.toHaveBeenCalled();
    // A vote not kept yet reads the term of the node voted for (a vote for a node past it is dropped).
    expect(history.step(3, { term: 1, votedFor: 1 })).toBeNull();
    expect(nodes).toHaveBeenCalled();
  });

  it('counts the vote of a node that joined and reports no configuration yet', () => {
    // openraft's swarm seed 164: n5, added as a voter, granted n2 its vote before any entry
    // holding a configuration reached it; n2 won with n5's vote and its own.
    const history = freshCluster({ nodes: 3, invariants: [configurationSafety] });
    for (const node of [1, 2]) history.step(node, { configuration: view(configuration([1, 2]), 0) });
    for (const node of [1, 2]) history.step(node, { configuration: view(configuration([1, 2, 3]), 4) });
    history.step(3, { term: 2, votedFor: 2 });
    history.step(2, { role: 'candidate', term: 2, votedFor: 2 });
    expect(history.becomeLeader(2, 2)).toBeNull();
    // Without it, one vote of three is no quorum.
    expect(history.becomeLeader(1, 3)).toMatchObject({ invariant: 'configuration-safety', evidence: { term: 3, leader: 1, votesFrom: [1] } });
  });

  it('judges nothing of a node that reports no configuration', () => {
    const history = freshCluster({ nodes: 3, invariants: [configurationSafety] });
    expect(history.becomeLeader(1, 2)).toBeNull();
  });
});

// Membership changes in the reference Raft (src/raft/membership.ts and its hooks in node.ts): the
// quorum arithmetic of simple and joint configurations, and each rule of thesis chapter 4 the
// reference keeps, driven node by node with hand-written messages.

import { describe, expect, it } from 'vitest';
import type { Configuration, ImplementationOptions, Input, MembershipStep, Output } from '../../src/contract/contract.js';
import type { NodeId } from '../../src/core/ids.js';
import { changedConfiguration, hasQuorum, quorumValue } from '../../src/raft/membership.js';
import type { AppendEntries, Entry, RaftMessage, RaftRecord } from '../../src/raft/messages.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { RaftNode } from '../../src/raft/node.js';

const options: ImplementationOptions = { electionTicksMin: 10, electionTicksMax: 10, heartbeatTicks: 2, entriesPerMessageMax: 64 };
const simple = (voters: NodeId[], learners: NodeId[] = []): Configuration => ({ voters, learners, votersOutgoing: [] });
const tick: Input = { kind: 'tick' };

function start(id: NodeId, members: readonly NodeId[], records: readonly RaftRecord[] = []): { node: RaftNode; output: Output } {
  const node = new RaftNode();
  const output = node.step({ kind: 'start', id, members, seed: 7, records, options });
  return { node, output };
}

function deliver(node: RaftNode, from: NodeId, body: RaftMessage): Output {
  return node.step({ kind: 'deliver', from, message: { type: body.type, term: body.term, body } });
}

function change(node: RaftNode, id: number, ...steps: MembershipStep[]): Output {
  return node.step({ kind: 'changeMembership', change: { id, steps } });
}

/** Ticks until the node campaigns (or 100 ticks pass); the output of the last tick. */
function tickUntilCandidate(node: RaftNode): Output {
  let output = node.step(tick);
  for (let ticks = 0; ticks < 100 && output.state!.role === 'follower'; ticks += 1) output = node.step(tick);
  return output;
}

/** Node 1, leader of term 1 of voters 1..n, its no-op at index 1 acknowledged by 2 (committed when n <= 3). */
function leader(voters: readonly NodeId[] = [1, 2, 3]): RaftNode {
  const { node } = start(1, voters);
  tickUntilCandidate(node);
  deliver(node, 2, { type: 'RequestVoteResponse', term: 1, voteGranted: true });
  deliver(node, 2, { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex: 1, retryIndex: 0 });
  return node;
}

function acknowledge(node: RaftNode, from: NodeId, matchIndex: number): Output {
  return deliver(node, from, { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex, retryIndex: 0 });
}

const configurationEntry = (term: number, id: number, configuration: Configuration): Entry => ({ term, command: null, change: { id, configuration } });

function append(leaderId: NodeId, previousLogIndex: number, previousLogTerm: number, entries: Entry[], leaderCommit: number, term = 1): AppendEntries {
  return { type: 'AppendEntries', term, leader: leaderId, previousLogIndex, previousLogTerm, entries, leaderCommit };
}

const recipients = (output: Output, type: string): NodeId[] => output.messages.filter((outbound) => outbound.message.type === type).map((outbound) => outbound.to);

describe('quorums of a configuration', () => {
  it('counts a majority of the voters, and never a learner', () => {
    const configuration = simple([1, 2, 3], [4, 5]);
    expect(hasQuorum(configuration, new Set([1, 4, 5]))).toBe(false);
    expect(hasQuorum(configuration, new Set([1, 2]))).toBe(true);
    expect(quorumValue(configuration, (id) => [0, 5, 3, 1, 9, 9][id])).toBe(3);
  });

  it("counts the learners' votes and values towards the voters' majority only for bug learner-votes-counted", () => {
    const configuration = simple([1, 2, 3], [4, 5]);
    expect(hasQuorum(configuration, new Set([1, 4]), true)).toBe(true);
    expect(hasQuorum(configuration, new Set([1, 4]))).toBe(false);
    expect(quorumValue(configuration, (id) => [0, 5, 3, 1, 9, 9][id], true)).toBe(9);
  });

  it('needs a majority of both halves of a joint configuration', () => {
    const joint: Configuration = { voters: [3, 4, 5], learners: [], votersOutgoing: [1, 2, 3] };
    expect(hasQuorum(joint, new Set([1, 2, 3]))).toBe(false);
    expect(hasQuorum(joint, new Set([3, 4, 5]))).toBe(false);
    expect(hasQuorum(joint, new Set([2, 3, 4]))).toBe(true);
    expect(quorumValue(joint, (id) => [0, 1, 1, 5, 7, 7][id])).toBe(1);
  });

  it('makes a single-server change of one step and a joint configuration of several', () => {
    expect(changedConfiguration(simple([1, 2, 3]), [{ action: 'addVoter', node: 4 }])).toEqual(simple([1, 2, 3, 4]));
    expect(changedConfiguration(simple([1, 2, 3], [4]), [{ action: 'promote', node: 4 }])).toEqual(simple([1, 2, 3, 4]));
    expect(
      changedConfiguration(simple([1, 2, 3]), [
        { action: 'addVoter', node: 4 },
        { action: 'remove', node: 1 },
      ]),
    ).toEqual({ voters: [2, 3, 4], learners: [], votersOutgoing: [1, 2, 3] });
  });

  it('refuses a change that names a member wrongly, empties the voters or starts from a joint configuration', () => {
    expect(changedConfiguration(simple([1, 2, 3]), [{ action: 'addLearner', node: 2 }])).toBe('node 2 is already a voter');
    expect(changedConfiguration(simple([1, 2, 3]), [{ action: 'promote', node: 2 }])).toBe('node 2 is not a learner');
    expect(changedConfiguration(simple([1]), [{ action: 'remove', node: 1 }])).toBe('the change would leave no voter');
    expect(changedConfiguration({ voters: [1], learners: [], votersOutgoing: [2] }, [{ action: 'remove', node: 1 }])).toMatch(/joint/);
  });
});

describe("the reference leader's membership changes", () => {
  it('rejects a change until it has committed an entry of its own term (the 2015 fix)', () => {
    const { node } = start(1, [1, 2, 3]);
    tickUntilCandidate(node);
    deliver(node, 2, { type: 'RequestVoteResponse', term: 1, voteGranted: true });
    const output = change(node, 10, { action: 'addVoter', node: 4 });
    expect(output.answers).toEqual([{ commandId: 10, kind: 'rejected', reason: 'no entry of this term is committed yet' }]);
    expect(output.records).toEqual([]);
  });

  it('accepts a change once its no-op is committed, in force at once though not yet committed', () => {
    const node = leader();
    const output = change(node, 10, { action: 'addLearner', node: 4 });
    expect(output.answers).toEqual([{ commandId: 10, kind: 'accepted', index: 2, term: 1 }]);
    expect(output.state!.configuration).toEqual({ latest: simple([1, 2, 3], [4]), latestIndex: 2, committed: simple([1, 2, 3]), committedIndex: 0 });
    expect(output.state!.log!.entries.at(-1)).toEqual({ term: 1, commandId: 10 });
    // The new learner is replicated to from now on.
    expect(recipients(output, 'AppendEntries')).toEqual([2, 3, 4]);
  });

  it('rejects a second change while the first is not committed (one at a time)', () => {
    const node = leader();
    change(node, 10, { action: 'addLearner', node: 4 });
    expect(change(node, 11, { action: 'addLearner', node: 5 }).answers[0]).toEqual({ commandId: 11, kind: 'rejected', reason: 'the previous configuration change is not committed yet' });
    acknowledge(node, 2, 2);
    expect(change(node, 11, { action: 'addLearner', node: 5 }).answers[0].kind).toBe('accepted');
  });

  it('counts the new configuration for commitment as soon as it is appended', () => {
    const node = leader();
    change(node, 10, { action: 'addVoter', node: 4 });
    // Voters 1..4: node 1 and node 2 are no longer a majority.
    expect(acknowledge(node, 2, 2).state!.commitIndex).toBe(1);
    expect(acknowledge(node, 3, 2).state!.commitIndex).toBe(2);
  });

  it('answers a change notLeader, with its hint, where it does not lead', () => {
    const { node } = start(2, [1, 2, 3]);
    deliver(node, 1, append(1, 0, 0, [], 0));
    expect(change(node, 10, { action: 'remove', node: 3 }).answers).toEqual([{ commandId: 10, kind: 'notLeader', leaderHint: 1 }]);
  });

  it('enters a joint configuration for a change of several steps, decides with both majorities, and leaves it once it commits', () => {
    const node = leader();
    const output = change(node, 10, { action: 'addVoter', node: 4 }, { action: 'remove', node: 1 });
    expect(output.state!.configuration!.latest).toEqual({ voters: [2, 3, 4], learners: [], votersOutgoing: [1, 2, 3] });
    // 1 and 2: a majority of the outgoing voters, not of the incoming ones.
    expect(acknowledge(node, 2, 2).state!.commitIndex).toBe(1);
    const committed = acknowledge(node, 4, 2);
    expect(committed.state!.commitIndex).toBe(2);
    // Leaving: the incoming configuration, appended by the leader on its own (change id 0).
    expect(committed.state!.configuration!.latest).toEqual(simple([2, 3, 4]));
    expect(committed.state!.log!.entries.at(-1)).toEqual({ term: 1, commandId: 0 });
    expect(committed.state!.role).toBe('leader');
  });

  it('steps down once the configuration that removes it is committed, and then never campaigns', () => {
    const node = leader();
    change(node, 10, { action: 'remove', node: 1 });
    // Voters 2 and 3: the leader's own copy no longer counts.
    expect(acknowledge(node, 2, 2).state!.role).toBe('leader');
    const output = acknowledge(node, 3, 2);
    expect(output.state!.commitIndex).toBe(2);
    expect(output.state!.role).toBe('follower');
    expect(recipients(output, 'AppendEntries')).toEqual([]);
    for (let ticks = 0; ticks < 50; ticks += 1) expect(node.step(tick).state!.role).toBe('follower');
  });

  it('stops replicating to a removed node and forgets its progress', () => {
    const node = leader();
    change(node, 10, { action: 'remove', node: 3 });
    for (let ticks = 0; ticks < 2; ticks += 1) {
      const output = node.step(tick);
      if (output.messages.length > 0) expect(recipients(output, 'AppendEntries')).toEqual([2]);
    }
    expect(node['tracker'].nextIndex.has(3)).toBe(false);
  });
});

describe('the configuration on followers, learners and joining nodes', () => {
  it('takes effect on a follower when appended, and is dropped with the entry on truncation', () => {
    const { node } = start(2, [1, 2, 3]);
    const appended = deliver(node, 1, append(1, 0, 0, [{ term: 1, command: null }, configurationEntry(1, 10, simple([1, 2]))], 1));
    expect(appended.state!.configuration).toEqual({ latest: simple([1, 2]), latestIndex: 2, committed: simple([1, 2, 3]), committedIndex: 0 });
    const truncated = deliver(node, 3, append(3, 1, 1, [{ term: 2, command: null }], 1, 2));
    expect(truncated.state!.configuration!.latest).toEqual(simple([1, 2, 3]));
    expect(truncated.state!.configuration!.latestIndex).toBe(0);
  });

  it('recovers the configuration from its log on restart', () => {
    const records: RaftRecord[] = [{ kind: 'entries', from: 1, entries: [{ term: 1, command: null }, configurationEntry(1, 10, simple([1, 2, 3], [4]))] }];
    const { output } = start(2, [1, 2, 3], records);
    expect(output.state!.configuration!.latest).toEqual(simple([1, 2, 3], [4]));
  });

  it('reports the configuration at start, and again only when it changes', () => {
    const { node, output } = start(2, [1, 2, 3]);
    expect(output.state!.configuration).toEqual({ latest: simple([1, 2, 3]), latestIndex: 0, committed: simple([1, 2, 3]), committedIndex: 0 });
    expect(node.step(tick).state!.configuration).toBeUndefined();
  });

  it('never lets a joining node campaign, and teaches it the configuration by the leader\'s log', () => {
    const { node, output } = start(4, []);
    expect(output.state!.configuration!.latest).toEqual(simple([]));
    for (let ticks = 0; ticks < 50; ticks += 1) expect(node.step(tick).messages).toEqual([]);
    const learned = deliver(node, 1, append(1, 0, 0, [{ term: 1, command: null }, configurationEntry(1, 10, simple([1, 2, 3], [4]))], 2));
    expect(learned.state!.configuration!.committed).toEqual(simple([1, 2, 3], [4]));
    expect(learned.applied.map((entry) => entry.commandId)).toEqual([0, 10]);
  });

  it('never lets a learner campaign, until it is promoted', () => {
    const { node } = start(4, []);
    deliver(node, 1, append(1, 0, 0, [configurationEntry(1, 10, simple([1, 2, 3], [4]))], 1));
    for (let ticks = 0; ticks < 50; ticks += 1) expect(node.step(tick).state!.role).toBe('follower');
    deliver(node, 1, append(1, 1, 1, [configurationEntry(1, 11, simple([1, 2, 3, 4]))], 2));
    expect(tickUntilCandidate(node).state!.role).toBe('candidate');
  });

  it("does not count a learner's vote", () => {
    const { node } = start(1, [1, 2, 3], [{ kind: 'entries', from: 1, entries: [configurationEntry(0, 10, simple([1, 2, 3], [4, 5]))] }]);
    const campaign = tickUntilCandidate(node);
    expect(recipients(campaign, 'RequestVote')).toEqual([2, 3]);
    deliver(node, 4, { type: 'RequestVoteResponse', term: 1, voteGranted: true });
    expect(deliver(node, 5, { type: 'RequestVoteResponse', term: 1, voteGranted: true }).state!.role).toBe('candidate');
    expect(deliver(node, 2, { type: 'RequestVoteResponse', term: 1, voteGranted: true }).state!.role).toBe('leader');
  });
});

describe('removed servers (thesis 4.2.3)', () => {
  /** Node 2, follower of leader 1 in term 1 after a change that removed node 3 (and made 2 a learner, if asked). */
  function followerAfterRemoval(learner = false): RaftNode {
    const { node } = start(2, [1, 2, 3]);
    deliver(node, 1, append(1, 0, 0, [{ term: 1, command: null }, configurationEntry(1, 10, learner ? simple([1], [2]) : simple([1, 2]))], 2));
    return node;
  }

  it('ignores a RequestVote of a higher term within the minimum election timeout of hearing from its leader', () => {
    const node = followerAfterRemoval();
    const output = deliver(node, 3, { type: 'RequestVote', term: 5, candidate: 3, lastLogIndex: 9, lastLogTerm: 1 });
    expect(output.messages).toEqual([]);
    expect(output.state!.term).toBe(1);
    expect(output.state!.leaderHint).toBe(1);
  });

  it('hears a RequestVote again once the minimum election timeout passed without its leader', () => {
    // A learner, which does not campaign when its timer runs out.
    const node = followerAfterRemoval(true);
    for (let ticks = 0; ticks < options.electionTicksMin - 1; ticks += 1) node.step(tick);
    expect(deliver(node, 3, { type: 'RequestVote', term: 5, candidate: 3, lastLogIndex: 9, lastLogTerm: 1 }).state!.term).toBe(1);
    node.step(tick);
    const output = deliver(node, 3, { type: 'RequestVote', term: 5, candidate: 3, lastLogIndex: 9, lastLogTerm: 1 });
    expect(output.state!.term).toBe(5);
  });

  it('ignores a candidate outside its configuration even before any change of its own (a joining entry truncated away)', () => {
    const { node } = start(2, [1, 2, 3]);
    deliver(node, 1, append(1, 0, 0, [{ term: 1, command: null }], 1));
    const output = deliver(node, 7, { type: 'RequestVote', term: 5, candidate: 7, lastLogIndex: 1, lastLogTerm: 1 });
    expect(output.messages).toEqual([]);
    expect(output.state!.term).toBe(1);
  });

  it('is a rule only once the membership changed: a cluster that never changed it runs as Figure 2', () => {
    const { node } = start(2, [1, 2, 3]);
    deliver(node, 1, append(1, 0, 0, [{ term: 1, command: null }], 1));
    expect(deliver(node, 3, { type: 'RequestVote', term: 5, candidate: 3, lastLogIndex: 9, lastLogTerm: 1 }).state!.term).toBe(5);
  });

  // Swarm seed 702 (2026-12-06): a leader that had left a joint configuration without node 3 was
  // deposed twice by node 3's answers, carrying the term it raised by campaigning alone, to
  // AppendEntries long delayed from before the change.
  const staleAnswer = { type: 'AppendEntriesResponse', term: 5, success: false, matchIndex: 0, retryIndex: 1 } as const;

  it("drops a removed node's answer of a higher term: a leader whose configuration no longer names it stays", () => {
    const node = leader();
    change(node, 10, { action: 'remove', node: 3 });
    const output = deliver(node, 3, staleAnswer);
    expect(output.state!.role).toBe('leader');
    expect(output.state!.term).toBe(1);
  });

  it("still takes a member's answer of a higher term, as Figure 2 has it, and a removed node's under bug removed-node-disrupts", () => {
    const node = leader();
    change(node, 10, { action: 'remove', node: 3 });
    expect(deliver(node, 2, staleAnswer).state!.term).toBe(5);
    const buggy = new RaftNode(bugsFromNames(['removed-node-disrupts']));
    buggy.step({ kind: 'start', id: 1, members: [1, 2, 3], seed: 7, records: [], options });
    tickUntilCandidate(buggy);
    deliver(buggy, 2, { type: 'RequestVoteResponse', term: 1, voteGranted: true });
    acknowledge(buggy, 2, 1);
    change(buggy, 10, { action: 'remove', node: 3 });
    const output = deliver(buggy, 3, staleAnswer);
    expect(output.state!.role).toBe('follower');
    expect(output.state!.term).toBe(5);
  });
});

describe('configurations and snapshots', () => {
  it('puts the configuration in force at its index into a snapshot, and a restart from that snapshot recovers it', () => {
    const { node } = start(1, [1, 2, 3]);
    node['options'] = { ...options, snapshotEntriesThreshold: 2 };
    tickUntilCandidate(node);
    deliver(node, 2, { type: 'RequestVoteResponse', term: 1, voteGranted: true });
    acknowledge(node, 2, 1);
    change(node, 10, { action: 'addLearner', node: 4 });
    const compacted = acknowledge(node, 2, 2);
    expect(compacted.snapshotTaken!.configuration).toEqual(simple([1, 2, 3], [4]));
    const restarted = new RaftNode().step({ kind: 'start', id: 1, members: [1, 2, 3], seed: 7, records: compacted.records, options });
    expect(restarted.state!.configuration).toEqual({ latest: simple([1, 2, 3], [4]), latestIndex: 2, committed: simple([1, 2, 3], [4]), committedIndex: 2 });
  });

  it('lets a joining node compact only past its first configuration entry, whose configuration it knows', () => {
    const node = new RaftNode();
    node.step({ kind: 'start', id: 4, members: [], seed: 7, records: [], options: { ...options, snapshotEntriesThreshold: 1 } });
    const noop = deliver(node, 1, append(1, 0, 0, [{ term: 1, command: null }], 1));
    expect(noop.snapshotTaken).toBeUndefined();
    const joined = deliver(node, 1, append(1, 1, 1, [configurationEntry(1, 10, simple([1, 2, 3], [4]))], 2));
    expect(joined.snapshotTaken).toMatchObject({ index: 2, configuration: simple([1, 2, 3], [4]) });
  });
});

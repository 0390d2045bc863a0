// ReadIndex reads (Raft thesis 6.4) at the level of one reference node, stepped by hand: a leader
// answers a read only once an entry of its own term is committed, a majority of its term has
// acknowledged a round sent after the read arrived, and it has applied up to the read index. The
// bugs stale-read and read-before-noop each skip one of those steps.

import { describe, expect, it } from 'vitest';
import type { Command, Output } from '../../src/contract/contract.js';
import type { NodeId } from '../../src/core/ids.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import type { AppendEntries, AppendEntriesResponse, RaftMessage } from '../../src/raft/messages.js';
import { RaftNode } from '../../src/raft/node.js';

const read: Command = { id: 100, op: 'get', key: 'x0' };

/** n1 of a 3-node cluster, made leader of term 1 by n2's vote; its no-op not yet acknowledged. */
function leader(bugs: readonly BugName[] = []): { node: RaftNode; step: (from: NodeId, body: RaftMessage) => Output } {
  const node = new RaftNode(bugsFromNames(bugs));
  node.step({ kind: 'start', id: 1, members: [1, 2, 3], seed: 7, records: [], options: { electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2, entriesPerMessageMax: 64 } });
  for (let tick = 0; tick < 100 && node.step({ kind: 'tick' }).state?.role !== 'candidate'; tick += 1);
  const step = (from: NodeId, body: RaftMessage) => node.step({ kind: 'deliver', from, message: { type: body.type, term: body.term, body } });
  expect(step(2, { type: 'RequestVoteResponse', term: 1, voteGranted: true }).state?.role).toBe('leader');
  return { node, step };
}

function ack(matchIndex: number, readRound?: number): AppendEntriesResponse {
  return { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex, retryIndex: 0, ...(readRound !== undefined ? { readRound } : {}) };
}

function readRoundOf(output: Output, to: NodeId): number | undefined {
  const outbound = output.messages.find((message) => message.to === to && message.message.type === 'AppendEntries');
  return (outbound?.message.body as AppendEntries | undefined)?.readRound;
}

describe('a ReadIndex read on the reference', () => {
  it('waits for the no-op of the term, then for a round acknowledged by a majority, then answers', () => {
    const { node, step } = leader();
    expect(node.step({ kind: 'read', command: read }).answers).toEqual([]);
    // The no-op commits: the read now starts its round, carried by fresh AppendEntries.
    const committed = step(2, ack(1));
    expect(committed.answers).toEqual([]);
    const round = readRoundOf(committed, 2);
    expect(round).toBeGreaterThan(0);
    // An acknowledgement of an earlier round (or none) does not confirm it.
    expect(step(2, ack(1)).answers).toEqual([]);
    expect(step(2, ack(1, round)).answers).toEqual([{ commandId: read.id, kind: 'read', value: null }]);
  });

  it("is not confirmed by a rejection of an earlier term's request that echoes a higher round (the answer carries the follower's term, which its sender may lead by then)", () => {
    const follower = new RaftNode();
    follower.step({ kind: 'start', id: 2, members: [1, 2, 3], seed: 7, records: [], options: { electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2, entriesPerMessageMax: 64 } });
    const current: AppendEntries = { type: 'AppendEntries', term: 8, leader: 3, previousLogIndex: 0, previousLogTerm: 0, entries: [], leaderCommit: 0 };
    follower.step({ kind: 'deliver', from: 3, message: { type: current.type, term: 8, body: current } });
    // n3's request of term 7, from a leadership before (round 17, tick 40), delivered late.
    const stale: AppendEntries = { ...current, term: 7, readRound: 17, leaderTick: 40 };
    const rejected = follower.step({ kind: 'deliver', from: 3, message: { type: stale.type, term: 7, body: stale } });
    const answer = rejected.messages.find((outbound) => outbound.to === 3)?.message.body as AppendEntriesResponse;
    expect(answer).toMatchObject({ type: 'AppendEntriesResponse', term: 8, success: false });
    expect(answer.readRound).toBeUndefined();
    expect(answer.leaderTick).toBeUndefined();
  });

  it('answers notLeader with the leader it knows on a follower', () => {
    const node = new RaftNode();
    node.step({ kind: 'start', id: 2, members: [1, 2, 3], seed: 7, records: [], options: { electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2, entriesPerMessageMax: 64 } });
    const append: AppendEntries = { type: 'AppendEntries', term: 1, leader: 1, previousLogIndex: 0, previousLogTerm: 0, entries: [], leaderCommit: 0 };
    node.step({ kind: 'deliver', from: 1, message: { type: append.type, term: 1, body: append } });
    expect(node.step({ kind: 'read', command: read }).answers).toEqual([{ commandId: read.id, kind: 'notLeader', leaderHint: 1 }]);
  });

  it('is answered notLeader when its leader steps down before confirming', () => {
    const { node, step } = leader();
    step(2, ack(1));
    expect(node.step({ kind: 'read', command: read }).answers).toEqual([]);
    const newer: AppendEntries = { type: 'AppendEntries', term: 2, leader: 3, previousLogIndex: 1, previousLogTerm: 1, entries: [], leaderCommit: 1 };
    expect(step(3, newer).answers).toEqual([{ commandId: read.id, kind: 'notLeader', leaderHint: 3 }]);
  });

  it('with the bug stale-read, is answered at once from local state, without a round', () => {
    const { node, step } = leader(['stale-read']);
    step(2, ack(1));
    expect(node.step({ kind: 'read', command: read }).answers).toEqual([{ commandId: read.id, kind: 'read', value: null }]);
  });

  it('with the bug read-before-noop, is answered once its round is confirmed, the no-op still uncommitted', () => {
    const { node, step } = leader(['read-before-noop']);
    const started = node.step({ kind: 'read', command: read });
    const round = readRoundOf(started, 3);
    expect(round).toBeGreaterThan(0);
    // n3 rejects the append (its log does not match) but acknowledges the round: no commit.
    const rejection: AppendEntriesResponse = { type: 'AppendEntriesResponse', term: 1, success: false, matchIndex: 0, retryIndex: 0, readRound: round };
    const answered = step(3, rejection);
    expect(answered.state?.commitIndex).toBe(0);
    expect(answered.answers).toEqual([{ commandId: read.id, kind: 'read', value: null }]);
  });
});

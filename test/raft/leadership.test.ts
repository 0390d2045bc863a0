// Pre-vote, check-quorum, leadership transfer and lease reads in the reference Raft (node.ts and
// leadership.ts): each rule driven node by node with hand-written messages, and the 'cannot
// disrupt' property of pre-vote through the simulator, whose world is the one every driver shares.

import { describe, expect, it } from 'vitest';
import type { Configuration, ImplementationOptions, Input, Output } from '../../src/contract/contract.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import type { NodeId } from '../../src/core/ids.js';
import { leaseTicks } from '../../src/raft/leadership.js';
import type { AppendEntries, AppendEntriesResponse, Entry, RaftMessage, RaftRecord } from '../../src/raft/messages.js';
import { RaftNode } from '../../src/raft/node.js';
import { Simulation } from '../../src/sim/simulation.js';
import { allInvariants } from '../../invariants/index.js';
import { scheduled } from '../faults/probes.js';

const base: ImplementationOptions = { electionTicksMin: 10, electionTicksMax: 10, heartbeatTicks: 2, entriesPerMessageMax: 64 };
const tick: Input = { kind: 'tick' };

function start(id: NodeId, extra: Partial<ImplementationOptions> = {}, members: readonly NodeId[] = [1, 2, 3], records: readonly RaftRecord[] = []): RaftNode {
  const node = new RaftNode();
  node.step({ kind: 'start', id, members, seed: 7, records, options: { ...base, ...extra } });
  return node;
}

function deliver(node: RaftNode, from: NodeId, body: RaftMessage): Output {
  return node.step({ kind: 'deliver', from, message: { type: body.type, term: body.term, body } });
}

function ticks(node: RaftNode, count: number): Output[] {
  return Array.from({ length: count }, () => node.step(tick));
}

const sent = (output: Output, type: string): { to: NodeId; body: RaftMessage }[] =>
  output.messages.filter((outbound) => outbound.message.type === type).map((outbound) => ({ to: outbound.to, body: outbound.message.body as RaftMessage }));

const append = (term: number, leader: NodeId, extra: Partial<AppendEntries> = {}): AppendEntries => ({
  type: 'AppendEntries',
  term,
  leader,
  previousLogIndex: 0,
  previousLogTerm: 0,
  entries: [],
  leaderCommit: 0,
  ...extra,
});

const ack = (term: number, matchIndex: number, leaderTick?: number): AppendEntriesResponse => ({
  type: 'AppendEntriesResponse',
  term,
  success: true,
  matchIndex,
  retryIndex: 0,
  ...(leaderTick === undefined ? {} : { leaderTick }),
});

/** Ticks a node until its election timer fires (at most 100 ticks); the output of that tick. */
function tickUntilTimeout(node: RaftNode): Output {
  for (let count = 0; count < 100; count += 1) {
    const output = node.step(tick);
    if (output.messages.length > 0) return output;
  }
  throw new Error('the election timer never fired');
}

/** Node 1, leader of term 1 of voters 1..3, its no-op acknowledged by 2 (and so committed). */
function leader(extra: Partial<ImplementationOptions> = {}): RaftNode {
  const node = start(1, extra);
  tickUntilTimeout(node);
  deliver(node, 2, { type: 'RequestVoteResponse', term: 1, voteGranted: true });
  deliver(node, 2, ack(1, 1, 0));
  return node;
}

describe('pre-vote (thesis 9.6)', () => {
  it('asks for pre-votes at term + 1 when its timer fires, and keeps its own term', () => {
    const node = start(1, { preVote: true });
    const output = tickUntilTimeout(node);
    expect(sent(output, 'PreVote').map((message) => [message.to, message.body.term])).toEqual([
      [2, 1],
      [3, 1],
    ]);
    expect(sent(output, 'RequestVote')).toEqual([]);
    expect(output.state).toMatchObject({ role: 'follower', term: 0, votedFor: null });
    expect(output.records).toEqual([]);
  });

  it('grants a pre-vote to an up-to-date candidate without voting, raising its term or resetting its timer', () => {
    const voter = start(2, { preVote: true });
    ticks(voter, 3);
    const output = deliver(voter, 1, { type: 'PreVote', term: 1, candidate: 1, lastLogIndex: 0, lastLogTerm: 0 });
    expect(sent(output, 'PreVoteResponse')[0].body).toEqual({ type: 'PreVoteResponse', term: 1, voteGranted: true });
    expect(output.state).toMatchObject({ term: 0, votedFor: null });
    expect(output.records).toEqual([]);
  });

  it("refuses a pre-vote to a candidate whose log is behind the voter's", () => {
    const voter = start(2, { preVote: true });
    deliver(voter, 1, append(1, 1, { entries: [{ term: 1, command: null }] }));
    const output = deliver(voter, 3, { type: 'PreVote', term: 2, candidate: 3, lastLogIndex: 0, lastLogTerm: 0 });
    expect(sent(output, 'PreVoteResponse')[0].body).toMatchObject({ term: 1, voteGranted: false });
  });

  it('refuses a pre-vote while it has heard from a leader within the minimum election timeout, and grants it after', () => {
    const voter = start(2, { preVote: true });
    deliver(voter, 1, append(1, 1));
    const request: RaftMessage = { type: 'PreVote', term: 2, candidate: 3, lastLogIndex: 0, lastLogTerm: 0 };
    expect(sent(deliver(voter, 3, request), 'PreVoteResponse')[0].body).toMatchObject({ voteGranted: false });
    ticks(voter, base.electionTicksMin);
    expect(sent(deliver(voter, 3, request), 'PreVoteResponse')[0].body).toMatchObject({ voteGranted: true });
  });

  it('campaigns at term + 1 once a quorum grants pre-votes', () => {
    const node = start(1, { preVote: true });
    tickUntilTimeout(node);
    const output = deliver(node, 2, { type: 'PreVoteResponse', term: 1, voteGranted: true });
    expect(sent(output, 'RequestVote').map((message) => message.body.term)).toEqual([1, 1]);
    expect(output.state).toMatchObject({ role: 'candidate', term: 1, votedFor: 1 });
  });

  it('goes back to following, at the higher term, when a voter refuses it from a later term', () => {
    const node = start(1, { preVote: true });
    tickUntilTimeout(node);
    const output = deliver(node, 2, { type: 'PreVoteResponse', term: 4, voteGranted: false });
    expect(output.state).toMatchObject({ role: 'follower', term: 4 });
    expect(sent(deliver(node, 3, { type: 'PreVoteResponse', term: 1, voteGranted: true }), 'RequestVote')).toEqual([]);
  });

  it('lets a node isolated for many election timeouts rejoin without raising any term (it cannot disrupt)', () => {
    const termsAfterHeal = (preVote: boolean): number[] => {
      const scenario = scheduled(
        [
          { atMs: 1_000, action: 'isolate', node: 3 },
          { atMs: 4_000, action: 'heal' },
        ],
        6_000,
      );
      scenario.nodes = 3;
      scenario.faults.crash.downMax = 1;
      if (preVote) scenario.implementation.preVote = true;
      const result = new Simulation({ implementation: referenceImplementation(), scenario, seed: 5, invariants: allInvariants, recordEvents: true }).run();
      expect(result.status).toBe('ok');
      const terms = (fromMs: number, toMs: number) =>
        result.eventLog!.filter((event) => event.t >= fromMs && event.t < toMs && event.term !== undefined).map((event) => event.term!);
      return [Math.max(...terms(0, 1_000)), Math.max(...terms(0, 6_000))];
    };
    const [before, after] = termsAfterHeal(true);
    expect(after).toBe(before);
    // Without pre-vote the isolated node's campaigns raise its term, and the cluster's after it.
    const [beforeWithout, afterWithout] = termsAfterHeal(false);
    expect(afterWithout).toBeGreaterThan(beforeWithout);
  });
});

describe('check-quorum (thesis 6.2)', () => {
  it('steps a leader down once no quorum has answered it for electionTicksMax ticks', () => {
    const node = leader({ checkQuorum: true });
    const outputs = ticks(node, base.electionTicksMax);
    expect(outputs.at(-2)!.state!.role).toBe('leader');
    expect(outputs.at(-1)!.state).toMatchObject({ role: 'follower', term: 1, leaderHint: null });
  });

  it('keeps a leader whose followers echo its clock', () => {
    const node = leader({ checkQuorum: true });
    for (let count = 0; count < 3 * base.electionTicksMax; count += 1) {
      const output = node.step(tick);
      for (const message of sent(output, 'AppendEntries')) {
        if (message.to === 2) deliver(node, 2, ack(1, 1, (message.body as AppendEntries).leaderTick));
      }
    }
    expect(node.step(tick).state!.role).toBe('leader');
  });

  it('counts both halves of a joint configuration: a majority of the incoming voters alone does not keep it', () => {
    const joint: Configuration = { voters: [1, 4, 5], learners: [], votersOutgoing: [1, 2, 3] };
    const entry: Entry = { term: 1, command: null, change: { id: 9, configuration: joint } };
    const records: RaftRecord[] = [{ kind: 'hardState', term: 1, votedFor: null }, { kind: 'entries', from: 1, entries: [entry] }];
    const node = start(1, { checkQuorum: true }, [1, 2, 3], records);
    tickUntilTimeout(node);
    deliver(node, 2, { type: 'RequestVoteResponse', term: 2, voteGranted: true });
    expect(deliver(node, 4, { type: 'RequestVoteResponse', term: 2, voteGranted: true }).state!.role).toBe('leader');
    let role = 'leader';
    for (let count = 0; count < base.electionTicksMax && role === 'leader'; count += 1) {
      const output = node.step(tick);
      role = output.state!.role;
      for (const message of sent(output, 'AppendEntries')) {
        if (message.to === 4 || message.to === 5) deliver(node, message.to, ack(2, 0, (message.body as AppendEntries).leaderTick));
      }
    }
    expect(role).toBe('follower');
  });

  it('makes a follower that heard from a leader ignore a RequestVote of a higher term within the minimum election timeout', () => {
    const voter = start(2, { checkQuorum: true });
    deliver(voter, 1, append(1, 1));
    const request: RaftMessage = { type: 'RequestVote', term: 2, candidate: 3, lastLogIndex: 0, lastLogTerm: 0 };
    const ignored = deliver(voter, 3, request);
    expect(ignored.messages).toEqual([]);
    expect(ignored.state).toMatchObject({ term: 1, votedFor: null });
    ticks(voter, base.electionTicksMin);
    // Its own timer has fired by now too (a campaign at term 2); a later candidate gets its vote.
    const later: RaftMessage = { ...request, term: 3 };
    expect(sent(deliver(voter, 3, later), 'RequestVoteResponse')[0].body).toMatchObject({ term: 3, voteGranted: true });
  });

  it('makes a node that just started ignore vote requests for its first electionTicksMin ticks', () => {
    const voter = start(2, { leaseReads: true });
    const request: RaftMessage = { type: 'RequestVote', term: 1, candidate: 3, lastLogIndex: 0, lastLogTerm: 0 };
    expect(deliver(voter, 3, request).messages).toEqual([]);
    const without = start(2);
    expect(sent(deliver(without, 3, request), 'RequestVoteResponse')[0].body).toMatchObject({ voteGranted: true });
  });
});

describe('leadership transfer (thesis 3.10)', () => {
  it('catches a lagging target up, then sends it TimeoutNow, and answers transferAccepted with its term', () => {
    const node = leader();
    const started = node.step({ kind: 'transferLeadership', transfer: { id: 40, target: 3 } });
    expect(started.answers).toEqual([{ commandId: 40, kind: 'transferAccepted', term: 1 }]);
    expect(sent(started, 'AppendEntries').map((message) => message.to)).toEqual([3]);
    expect(sent(started, 'TimeoutNow')).toEqual([]);
    const caughtUp = deliver(node, 3, ack(1, 1));
    expect(sent(caughtUp, 'TimeoutNow')).toEqual([{ to: 3, body: { type: 'TimeoutNow', term: 1, leader: 1 } }]);
  });

  it('sends TimeoutNow at once to a target that holds its whole log', () => {
    const node = leader();
    const started = node.step({ kind: 'transferLeadership', transfer: { id: 40, target: 2 } });
    expect(sent(started, 'TimeoutNow').map((message) => message.to)).toEqual([2]);
  });

  it('refuses a transfer to itself, to a node that does not vote, and while another is in progress', () => {
    const node = leader();
    const answer = (id: number, target: NodeId) => node.step({ kind: 'transferLeadership', transfer: { id, target } }).answers[0];
    expect(answer(41, 1)).toEqual({ commandId: 41, kind: 'rejected', reason: 'the target already leads' });
    expect(answer(42, 7)).toEqual({ commandId: 42, kind: 'rejected', reason: 'node 7 is not a voter' });
    expect(answer(43, 3).kind).toBe('transferAccepted');
    expect(answer(44, 2)).toEqual({ commandId: 44, kind: 'rejected', reason: 'a transfer to node 3 is in progress' });
  });

  it('answers a transfer notLeader, with its hint, where it does not lead', () => {
    const follower = start(2);
    deliver(follower, 1, append(1, 1));
    expect(follower.step({ kind: 'transferLeadership', transfer: { id: 45, target: 3 } }).answers).toEqual([{ commandId: 45, kind: 'notLeader', leaderHint: 1 }]);
  });

  it('refuses proposals and membership changes while a transfer is in progress, and takes them again once it is abandoned', () => {
    const node = leader();
    node.step({ kind: 'transferLeadership', transfer: { id: 46, target: 3 } });
    const propose = (id: number) => node.step({ kind: 'propose', command: { id, op: 'set', key: 'k', value: 'v' } }).answers[0];
    expect(propose(47)).toEqual({ commandId: 47, kind: 'notLeader', leaderHint: 3 });
    const change = node.step({ kind: 'changeMembership', change: { id: 48, steps: [{ action: 'addLearner', node: 4 }] } }).answers[0];
    expect(change).toEqual({ commandId: 48, kind: 'rejected', reason: 'a leadership transfer is in progress' });
    ticks(node, base.electionTicksMax);
    expect(propose(49)).toMatchObject({ commandId: 49, kind: 'accepted' });
  });

  it('makes the target campaign at once on TimeoutNow, with a vote request that passes a voter\'s lease guard', () => {
    const target = start(3, { checkQuorum: true });
    deliver(target, 1, append(1, 1));
    const campaign = deliver(target, 1, { type: 'TimeoutNow', term: 1, leader: 1 });
    expect(campaign.state).toMatchObject({ role: 'candidate', term: 2 });
    const request = sent(campaign, 'RequestVote')[0].body;
    expect(request).toMatchObject({ term: 2, transfer: true });
    const voter = start(2, { checkQuorum: true });
    deliver(voter, 1, append(1, 1));
    expect(sent(deliver(voter, 3, request), 'RequestVoteResponse')[0].body).toMatchObject({ term: 2, voteGranted: true });
  });

  it('ignores a TimeoutNow of an older term', () => {
    const target = start(3);
    deliver(target, 1, append(2, 1));
    expect(deliver(target, 1, { type: 'TimeoutNow', term: 1, leader: 1 }).state).toMatchObject({ role: 'follower', term: 2 });
  });
});

describe('lease reads (thesis 6.4.1)', () => {
  const read = (node: RaftNode, id: number) => node.step({ kind: 'read', command: { id, op: 'get', key: 'k' } });

  it('lasts floor((electionTicksMin - 2)(1 - drift) / (1 + drift)) ticks of the leader', () => {
    expect(leaseTicks({ ...base, electionTicksMin: 15 })).toBe(10);
    expect(leaseTicks({ ...base, electionTicksMin: 15 }, 0)).toBe(13);
    expect(leaseTicks({ ...base, electionTicksMin: 2 })).toBe(0);
  });

  it('serves a read at once, without a round of heartbeats, while a quorum echoed a recent clock', () => {
    const node = leader({ leaseReads: true });
    const output = read(node, 50);
    expect(output.answers).toEqual([{ commandId: 50, kind: 'read', value: null }]);
    expect(output.messages).toEqual([]);
  });

  it('goes by ReadIndex once the quorum contact is leaseTicks old', () => {
    const node = leader({ leaseReads: true });
    ticks(node, leaseTicks(base));
    const output = read(node, 51);
    expect(output.answers).toEqual([]);
    expect(sent(output, 'AppendEntries').every((message) => (message.body as AppendEntries).readRound !== undefined)).toBe(true);
  });

  it('serves no lease read in a leadership whose transfer sent TimeoutNow, even once the transfer is abandoned', () => {
    const node = leader({ leaseReads: true });
    node.step({ kind: 'transferLeadership', transfer: { id: 52, target: 2 } });
    ticks(node, base.electionTicksMax);
    for (const message of sent(node.step(tick), 'AppendEntries')) deliver(node, message.to, ack(1, 1, (message.body as AppendEntries).leaderTick));
    expect(read(node, 53).answers).toEqual([]);
  });

  it('without the option, answers a read only after a round', () => {
    expect(read(leader(), 54).answers).toEqual([]);
  });
});

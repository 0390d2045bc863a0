// Each bug of the corpus at the level of one RaftNode, stepped by hand: with its flag on the
// node does the wrong thing the catalog describes, with it off the same inputs get the right
// answer. This pins down what every flag does, including the bugs the default scenario cannot
// reach yet and the liveness bugs, whose harm only shows over a whole run.

import { describe, expect, it } from 'vitest';
import type { Command, Configuration, ImplementationOptions, Input, Output } from '../../src/contract/contract.js';
import type { NodeId } from '../../src/core/ids.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import type { AppendEntries, AppendEntriesResponse, Entry, InstallSnapshot, RaftMessage, RaftRecord, RequestVote, RequestVoteResponse, Snapshot } from '../../src/raft/messages.js';
import { RaftNode } from '../../src/raft/node.js';

const options: ImplementationOptions = { electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2, entriesPerMessageMax: 64 };

/** A node under test, with the outputs of its last step at hand. */
class Driver {
  readonly node: RaftNode;
  last: Output;

  constructor(
    bugs: readonly BugName[],
    start: { id?: NodeId; members?: readonly NodeId[]; seed?: number; records?: readonly RaftRecord[]; options?: Partial<ImplementationOptions> } = {},
  ) {
    this.node = new RaftNode(bugsFromNames(bugs));
    this.last = this.step({
      kind: 'start',
      id: start.id ?? 1,
      members: start.members ?? [1, 2, 3],
      seed: start.seed ?? 7,
      records: start.records ?? [],
      options: { ...options, ...start.options },
    });
  }

  step(input: Input): Output {
    this.last = this.node.step(input);
    return this.last;
  }

  deliver(from: NodeId, body: RaftMessage): Output {
    return this.step({ kind: 'deliver', from, message: { type: body.type, term: body.term, body } });
  }

  /** Ticks until the node sends a RequestVote; returns how many ticks that took. */
  ticksUntilCampaign(): number {
    for (let ticks = 1; ticks <= 1000; ticks += 1) {
      if (this.step({ kind: 'tick' }).messages.some((outbound) => outbound.message.type === 'RequestVote')) return ticks;
    }
    throw new Error('the node never campaigned');
  }

  /** Ticks n times and returns every message sent meanwhile. */
  tick(count: number): Output['messages'] {
    const sent = [];
    for (let index = 0; index < count; index += 1) sent.push(...this.step({ kind: 'tick' }).messages);
    return sent;
  }

  get role() {
    return this.last.state!.role;
  }
}

function command(id: number): Command {
  return { id, op: 'set', key: `k${id}`, value: `v${id}` };
}

function entry(term: number, id: number): Entry {
  return { term, command: command(id) };
}

function hardState(term: number, votedFor: NodeId | null = null): RaftRecord {
  return { kind: 'hardState', term, votedFor };
}

function entries(from: number, list: Entry[]): RaftRecord {
  return { kind: 'entries', from, entries: list };
}

function vote(term: number, voteGranted = true): RequestVoteResponse {
  return { type: 'RequestVoteResponse', term, voteGranted };
}

function requestVote(term: number, candidate: NodeId, lastLogIndex: number, lastLogTerm: number): RequestVote {
  return { type: 'RequestVote', term, candidate, lastLogIndex, lastLogTerm };
}

function append(request: Omit<AppendEntries, 'type'>): AppendEntries {
  return { type: 'AppendEntries', ...request };
}

function appendResponse(term: number, success: boolean, matchIndex: number, retryIndex = 0): AppendEntriesResponse {
  return { type: 'AppendEntriesResponse', term, success, matchIndex, retryIndex };
}

function sentTypes(output: Output | Output['messages']): string[] {
  const messages = 'messages' in output ? output.messages : output;
  return messages.map((outbound) => `${outbound.message.type}>n${outbound.to}`);
}

/** n1 of three wins term 1 with n2's vote, and both followers acknowledge its no-op. */
function idleLeader(bugs: readonly BugName[]): Driver {
  const leader = new Driver(bugs);
  leader.ticksUntilCampaign();
  leader.deliver(2, vote(1));
  expect(leader.role).toBe('leader');
  leader.deliver(2, appendResponse(1, true, 1));
  leader.deliver(3, appendResponse(1, true, 1));
  return leader;
}

describe('figure8', () => {
  /** n1 leads term 3 over a log [t1, t2]; n2 lacked index 2 and has just acknowledged it. */
  function leaderWithOldEntryOnQuorum(bugs: readonly BugName[]): Driver {
    const leader = new Driver(bugs, {
      records: [hardState(2), entries(1, [entry(1, 1), entry(2, 2)])],
      options: { entriesPerMessageMax: 1 },
    });
    leader.ticksUntilCampaign();
    leader.deliver(2, vote(3));
    expect(leader.role).toBe('leader');
    // n2 rejects the no-op at 3 (it lacks 2); the leader backs up and sends entry 2 alone.
    const retry = leader.deliver(2, appendResponse(3, false, 0, 1));
    expect((retry.messages[0].message.body as AppendEntries).entries).toEqual([entry(2, 2)]);
    leader.deliver(2, appendResponse(3, true, 2));
    return leader;
  }

  it('commits an entry of an earlier term once a quorum holds it', () => {
    const leader = leaderWithOldEntryOnQuorum(['figure8']);
    expect(leader.last.state!.commitIndex).toBe(2);
    expect(leader.last.applied.map((applied) => applied.index)).toEqual([1, 2]);
  });

  it('does not, in the correct Raft, until an entry of its own term is on a quorum', () => {
    const leader = leaderWithOldEntryOnQuorum([]);
    expect(leader.last.state!.commitIndex).toBe(0);
    expect(leader.deliver(2, appendResponse(3, true, 3)).state!.commitIndex).toBe(3);
  });
});

describe('vote-without-log-check', () => {
  const run = (bugs: readonly BugName[]) =>
    new Driver(bugs, { id: 2, records: [hardState(1), entries(1, [entry(1, 1), entry(1, 2)])] }).deliver(1, requestVote(2, 1, 0, 0));

  it('grants a vote to a candidate with an empty log', () => {
    expect((run(['vote-without-log-check']).messages[0].message.body as RequestVoteResponse).voteGranted).toBe(true);
  });

  it('refuses it in the correct Raft', () => {
    expect((run([]).messages[0].message.body as RequestVoteResponse).voteGranted).toBe(false);
  });
});

describe('vote-not-persisted', () => {
  const run = (bugs: readonly BugName[]) => new Driver(bugs, { id: 2 }).deliver(1, requestVote(1, 1, 0, 0));

  it('sends the vote without a sync point, so the term and vote written with it are not yet durable', () => {
    const output = run(['vote-not-persisted']);
    expect((output.messages[0].message.body as RequestVoteResponse).voteGranted).toBe(true);
    expect(output.records).toContainEqual(hardState(1, 1));
    expect(output.sync).toBe(false);
  });

  it('syncs them before the vote goes out in the correct Raft', () => {
    expect(run([]).sync).toBe(true);
  });
});

describe('truncate-on-stale-append', () => {
  const run = (bugs: readonly BugName[]) =>
    new Driver(bugs, { id: 2, records: [hardState(1), entries(1, [entry(1, 1), entry(1, 2), entry(1, 3)])] }).deliver(
      1,
      append({ term: 1, leader: 1, previousLogIndex: 0, previousLogTerm: 0, entries: [entry(1, 1)], leaderCommit: 0 }),
    );

  it('drops the entries after a stale append that only repeats what it holds', () => {
    const output = run(['truncate-on-stale-append']);
    expect(output.state!.log).toEqual({ from: 2, entries: [] });
    expect(output.records).toEqual([entries(2, [])]);
  });

  it('keeps them in the correct Raft', () => {
    const output = run([]);
    expect(output.state!.log).toBeUndefined();
    expect(output.records).toEqual([]);
  });
});

describe('commit-beyond-new-entries', () => {
  // n2 holds a stale suffix (2 and 3, from term 1); the leader of term 2 has committed 3 entries
  // of its own and sends only the first.
  const run = (bugs: readonly BugName[]) =>
    new Driver(bugs, { id: 2, records: [hardState(1), entries(1, [entry(1, 1), entry(1, 2), entry(1, 3)])] }).deliver(
      1,
      append({ term: 2, leader: 1, previousLogIndex: 0, previousLogTerm: 0, entries: [entry(1, 1)], leaderCommit: 3 }),
    );

  it("commits and applies its stale suffix on the leader's commit index", () => {
    const output = run(['commit-beyond-new-entries']);
    expect(output.state!.commitIndex).toBe(3);
    expect(output.applied.map((applied) => applied.commandId)).toEqual([1, 2, 3]);
  });

  it('commits only up to the last entry the append covered in the correct Raft', () => {
    const output = run([]);
    expect(output.state!.commitIndex).toBe(1);
    expect(output.applied.map((applied) => applied.commandId)).toEqual([1]);
  });
});

describe('accept-old-term-append', () => {
  const run = (bugs: readonly BugName[]) =>
    new Driver(bugs, { id: 2, records: [hardState(3)] }).deliver(
      1,
      append({ term: 2, leader: 1, previousLogIndex: 0, previousLogTerm: 0, entries: [entry(2, 1)], leaderCommit: 0 }),
    );

  it("appends a deposed leader's entries", () => {
    const output = run(['accept-old-term-append']);
    expect(output.state!.log).toEqual({ from: 1, entries: [{ term: 2, commandId: 1 }] });
    expect((output.messages[0].message.body as AppendEntriesResponse).success).toBe(true);
  });

  it('rejects them with its newer term in the correct Raft', () => {
    const output = run([]);
    expect(output.records).toEqual([]);
    expect(output.messages[0].message.body).toMatchObject({ success: false, term: 3 });
  });
});

describe('count-stale-votes', () => {
  it('counts a duplicated vote twice and leads with two real votes of five', () => {
    const candidate = new Driver(['count-stale-votes'], { members: [1, 2, 3, 4, 5] });
    candidate.ticksUntilCampaign();
    candidate.deliver(2, vote(1));
    expect(candidate.role).toBe('candidate');
    expect(candidate.deliver(2, vote(1)).state!.role).toBe('leader');
  });

  it('counts votes granted in an earlier term', () => {
    const candidate = new Driver(['count-stale-votes'], { members: [1, 2, 3, 4, 5] });
    candidate.ticksUntilCampaign();
    candidate.ticksUntilCampaign();
    expect(candidate.last.state!.term).toBe(2);
    candidate.deliver(2, vote(1));
    expect(candidate.deliver(3, vote(1)).state!.role).toBe('leader');
  });

  it('counts each voter once, and only in its own term, in the correct Raft', () => {
    const candidate = new Driver([], { members: [1, 2, 3, 4, 5] });
    candidate.ticksUntilCampaign();
    candidate.deliver(2, vote(1));
    candidate.deliver(2, vote(1));
    expect(candidate.role).toBe('candidate');
    candidate.ticksUntilCampaign();
    candidate.deliver(3, vote(1));
    candidate.deliver(4, vote(1));
    expect(candidate.role).toBe('candidate');
  });
});

describe('term-rollback', () => {
  const run = (bugs: readonly BugName[]) => new Driver(bugs, { id: 2, records: [hardState(3, 3)] }).deliver(1, vote(2, false));

  it('takes the lower term of a stale message, forgetting its vote', () => {
    const output = run(['term-rollback']);
    expect(output.state).toMatchObject({ term: 2, votedFor: null });
    expect(output.records).toEqual([hardState(2)]);
  });

  it('keeps its term in the correct Raft', () => {
    expect(run([]).state).toMatchObject({ term: 3, votedFor: 3 });
  });
});

describe('log-not-persisted', () => {
  const request = append({ term: 1, leader: 1, previousLogIndex: 0, previousLogTerm: 0, entries: [entry(1, 1)], leaderCommit: 0 });

  it('acknowledges appended entries without a sync point', () => {
    const output = new Driver(['log-not-persisted'], { id: 2, records: [hardState(1)] }).deliver(1, request);
    expect(output.records).toEqual([entries(1, [entry(1, 1)])]);
    expect(output.messages[0].message.body).toMatchObject({ success: true, matchIndex: 1 });
    expect(output.sync).toBe(false);
  });

  it('still syncs a term it adopts in the same step (only the log goes unsynced)', () => {
    expect(new Driver(['log-not-persisted'], { id: 2 }).deliver(1, request).sync).toBe(true);
  });

  it('syncs the entries before acknowledging them in the correct Raft', () => {
    expect(new Driver([], { id: 2, records: [hardState(1)] }).deliver(1, request).sync).toBe(true);
  });
});

describe('leader-votes-for-other', () => {
  const run = (bugs: readonly BugName[]) => {
    const candidate = new Driver(bugs);
    candidate.ticksUntilCampaign();
    return candidate.deliver(3, requestVote(1, 3, 0, 0));
  };

  it('grants a rival candidate of its own term a vote and stays a candidate', () => {
    const output = run(['leader-votes-for-other']);
    expect((output.messages[0].message.body as RequestVoteResponse).voteGranted).toBe(true);
    expect(output.state).toMatchObject({ role: 'candidate', term: 1, votedFor: 3 });
  });

  it('refuses, having voted for itself, in the correct Raft', () => {
    const output = run([]);
    expect((output.messages[0].message.body as RequestVoteResponse).voteGranted).toBe(false);
    expect(output.state).toMatchObject({ role: 'candidate', votedFor: 1 });
  });
});

describe('fixed-election-timeout', () => {
  const firstTimeouts = (bugs: readonly BugName[]) =>
    Array.from({ length: 20 }, (_, index) => new Driver(bugs, { seed: index + 1 }).ticksUntilCampaign());

  it('makes every node wait exactly electionTicksMin, whatever its seed', () => {
    expect(new Set(firstTimeouts(['fixed-election-timeout']))).toEqual(new Set([options.electionTicksMin]));
  });

  it('draws timeouts from the whole range in the correct Raft', () => {
    const timeouts = firstTimeouts([]);
    expect(new Set(timeouts).size).toBeGreaterThan(3);
    for (const ticks of timeouts) {
      expect(ticks).toBeGreaterThanOrEqual(options.electionTicksMin);
      expect(ticks).toBeLessThan(options.electionTicksMax);
    }
  });
});

describe('idle-leader-no-heartbeat', () => {
  it('sends nothing while idle', () => {
    expect(idleLeader(['idle-leader-no-heartbeat']).tick(3 * options.heartbeatTicks)).toEqual([]);
  });

  it('still retransmits entries that are not yet acknowledged', () => {
    const leader = idleLeader(['idle-leader-no-heartbeat']);
    leader.step({ kind: 'propose', command: command(1) });
    leader.deliver(2, appendResponse(1, true, 2));
    expect(sentTypes(leader.tick(options.heartbeatTicks))).toEqual(['AppendEntries>n3']);
  });

  it('sends a heartbeat to every follower each heartbeatTicks in the correct Raft', () => {
    const sent = idleLeader([]).tick(options.heartbeatTicks);
    expect(sentTypes(sent)).toEqual(['AppendEntries>n2', 'AppendEntries>n3']);
  });
});

/** A snapshot of index and term whose contents are those of commands 1..index set by entry(). */
function snapshotOf(index: number, term: number, configuration: Configuration = { voters: [1, 2, 3], learners: [], votersOutgoing: [] }): Snapshot {
  const data = Object.fromEntries(Array.from({ length: index }, (_, offset) => [`k${offset + 1}`, `v${offset + 1}`]));
  return { index, term, configuration, data, sessions: [] };
}

function installSnapshot(term: number, snapshot: Snapshot): InstallSnapshot {
  return { type: 'InstallSnapshot', term, leader: 1, snapshot };
}

/** n2 of term 1 holding entries 1..3 of term 1, none committed. */
function followerOfThree(bugs: readonly BugName[]): Driver {
  return new Driver(bugs, { id: 2, records: [hardState(1), entries(1, [entry(1, 1), entry(1, 2), entry(1, 3)])], options: { snapshotEntriesThreshold: 64 } });
}

function answer(output: Output): AppendEntriesResponse {
  return output.messages[0].message.body as AppendEntriesResponse;
}

describe('snapshot-drops-newer-entries', () => {
  const run = (bugs: readonly BugName[]) => followerOfThree(bugs).deliver(1, installSnapshot(1, snapshotOf(2, 1)));

  it('drops the entry after a snapshot of an entry it holds, though it acknowledged it', () => {
    const output = run(['snapshot-drops-newer-entries']);
    expect(output.state!.log).toEqual({ from: 3, entries: [] });
    expect(output.records.slice(0, 1)).toEqual([entries(3, [])]);
    expect(answer(output)).toMatchObject({ success: true, matchIndex: 2 });
  });

  it('keeps the entries after it in the correct Raft (Figure 13, step 6)', () => {
    const output = run([]);
    expect(output.state!.log).toBeUndefined();
    expect(output.state!.snapshotIndex).toBe(2);
    expect((output.records as RaftRecord[]).map((record) => record.kind)).toEqual(['snapshot']);
  });
});

describe('snapshot-without-configuration', () => {
  const withLearner: Configuration = { voters: [1, 2, 3], learners: [4], votersOutgoing: [] };
  // n2 appends a no-op and the entry that adds learner n4, both committed: it compacts them.
  const run = (bugs: readonly BugName[]) => {
    const follower = new Driver(bugs, { id: 2, options: { snapshotEntriesThreshold: 2 } });
    const change: Entry = { term: 1, command: null, change: { id: 9, configuration: withLearner } };
    return { output: follower.deliver(1, append({ term: 1, leader: 1, previousLogIndex: 0, previousLogTerm: 0, entries: [{ term: 1, command: null }, change], leaderCommit: 2 })) };
  };

  it('takes a snapshot that carries the configuration it started with, and a restart from it forgets the learner', () => {
    const { output } = run(['snapshot-without-configuration']);
    expect(output.snapshotTaken).toMatchObject({ index: 2, configuration: { voters: [1, 2, 3], learners: [] } });
    expect(output.state!.configuration!.latest).toEqual(withLearner);
    // The step's records are all it wrote (it started with none): the entries, then the snapshot.
    const restarted = new Driver(['snapshot-without-configuration'], { id: 2, records: output.records as RaftRecord[], options: { snapshotEntriesThreshold: 2 } });
    expect(restarted.last.state!.configuration!.latest.learners).toEqual([]);
  });

  it('carries the configuration in force at its index in the correct Raft', () => {
    expect(run([]).output.snapshotTaken).toMatchObject({ index: 2, configuration: withLearner });
  });
});

describe('install-snapshot-older-than-commit', () => {
  /** The follower of three entries, told that all three are committed: it applies them. */
  const committedFollower = (bugs: readonly BugName[]) => {
    const follower = followerOfThree(bugs);
    follower.deliver(1, append({ term: 1, leader: 1, previousLogIndex: 3, previousLogTerm: 1, entries: [], leaderCommit: 3 }));
    expect(follower.last.state!.commitIndex).toBe(3);
    return follower;
  };

  it('installs a delayed snapshot of index 2 after committing 3: its commit and applied indexes go back', () => {
    const output = committedFollower(['install-snapshot-older-than-commit']).deliver(1, installSnapshot(1, snapshotOf(2, 1)));
    expect(output.state).toMatchObject({ commitIndex: 2, appliedIndex: 2, snapshotIndex: 2 });
    expect(output.snapshotInstalled).toMatchObject({ index: 2 });
  });

  it('ignores it in the correct Raft, answering with its commit index', () => {
    const output = committedFollower([]).deliver(1, installSnapshot(1, snapshotOf(2, 1)));
    expect(output.state).toMatchObject({ commitIndex: 3, appliedIndex: 3 });
    expect(output.snapshotInstalled).toBeUndefined();
    expect(answer(output)).toMatchObject({ success: true, matchIndex: 3 });
  });
});

describe('prevote-bumps-term', () => {
  /** n1 with pre-vote on, ticked until its timer fires: it asks for pre-votes. */
  const preCandidate = (bugs: readonly BugName[]) => {
    const node = new Driver(bugs, { options: { preVote: true } });
    for (let ticks = 0; ticks < 100 && !sentTypes(node.last).includes('PreVote>n2'); ticks += 1) node.step({ kind: 'tick' });
    expect(sentTypes(node.last)).toEqual(['PreVote>n2', 'PreVote>n3']);
    return node;
  };

  it('raises its term to ask for pre-votes, and writes nothing: a restart comes back at term 0', () => {
    const node = preCandidate(['prevote-bumps-term']);
    expect(node.last.state).toMatchObject({ role: 'follower', term: 1 });
    expect(node.last.records).toEqual([]);
    expect(node.last.messages[0].message.term).toBe(1);
  });

  it('keeps its term in the correct Raft, asking about term 1 from term 0', () => {
    const node = preCandidate([]);
    expect(node.last.state).toMatchObject({ term: 0 });
    expect(node.last.messages.map((outbound) => [outbound.message.term, (outbound.message.body as RaftMessage).term])).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });
});

/** n1 leading term 1 with the options given; both followers echoed its clock at tick 0. */
function contactLeader(bugs: readonly BugName[], extra: Partial<ImplementationOptions>): Driver {
  const leader = new Driver(bugs, { options: extra });
  leader.ticksUntilCampaign();
  leader.deliver(2, vote(1));
  leader.deliver(2, { ...appendResponse(1, true, 1), leaderTick: 0 });
  leader.deliver(3, { ...appendResponse(1, true, 1), leaderTick: 0 });
  return leader;
}

const leaseRead = (leader: Driver, id: number) => leader.step({ kind: 'read', command: { id, op: 'get', key: 'k' } }).answers;

describe('checkquorum-never-steps-down', () => {
  it('keeps leading, and serving lease reads, long after its quorum last answered', () => {
    const leader = contactLeader(['checkquorum-never-steps-down'], { checkQuorum: true, leaseReads: true });
    leader.tick(3 * options.electionTicksMax);
    expect(leader.role).toBe('leader');
    expect(leaseRead(leader, 60)).toEqual([{ commandId: 60, kind: 'read', value: null }]);
  });

  it('steps down after electionTicksMax ticks without an answer in the correct Raft', () => {
    const leader = contactLeader([], { checkQuorum: true, leaseReads: true });
    leader.tick(options.electionTicksMax);
    expect(leader.role).toBe('follower');
  });
});

describe("the vote guard a lease rests on, in the correct Raft", () => {
  /** n2 of three with lease reads, following n3's term 6, just heard from it. */
  function guardedFollower(): Driver {
    const follower = new Driver([], { id: 2, records: [hardState(5)], options: { leaseReads: true } });
    // Its start's guard lapses first (seed 7 draws a first timeout past electionTicksMin).
    follower.tick(options.electionTicksMin);
    expect(follower.last.state).toMatchObject({ role: 'follower', voteGuard: false });
    follower.deliver(3, append({ term: 6, leader: 3, previousLogIndex: 0, previousLogTerm: 0, entries: [], leaderCommit: 0 }));
    return follower;
  }

  it('holds across a newer term learned from a late answer, until the minimum election timeout since the leader has passed', () => {
    const follower = guardedFollower();
    // n1's refusal of n2's old vote request of term 4 carries n1's term 11.
    expect(follower.deliver(1, vote(11, false)).state).toMatchObject({ role: 'follower', term: 11, voteGuard: true });
    expect(follower.deliver(1, requestVote(12, 1, 9, 9)).messages).toEqual([]);
    follower.tick(options.electionTicksMin - 1);
    expect(follower.last.state?.voteGuard).toBe(true);
    follower.tick(1);
    expect(follower.last.state).toMatchObject({ term: 11, voteGuard: false });
  });
});

describe('lease-read-ignores-drift', () => {
  it('serves a lease read electionTicksMin - 1 ticks after the contact', () => {
    const leader = contactLeader(['lease-read-ignores-drift'], { leaseReads: true });
    leader.tick(options.electionTicksMin - 1);
    expect(leaseRead(leader, 61)).toEqual([{ commandId: 61, kind: 'read', value: null }]);
  });

  it('lets its lease lapse after floor((electionTicksMin - 2)(1 - 0.1)/(1 + 0.1)) = 6 ticks in the correct Raft, and goes by ReadIndex', () => {
    const leader = contactLeader([], { leaseReads: true });
    leader.tick(5);
    expect(leaseRead(leader, 62)).toEqual([{ commandId: 62, kind: 'read', value: null }]);
    const lapsed = contactLeader([], { leaseReads: true });
    lapsed.tick(6);
    expect(leaseRead(lapsed, 63)).toEqual([]);
  });
});

describe('prevote-skips-log-check', () => {
  /** n1 at term 1 holding an entry of term 1, no leader heard since its start; n2 asks with an empty log. */
  const preVoteAnswer = (bugs: readonly BugName[]) => {
    const voter = new Driver(bugs, { records: [hardState(1), entries(1, [entry(1, 1)])], options: { preVote: true } });
    const answer = voter.deliver(2, { type: 'PreVote', term: 2, candidate: 2, lastLogIndex: 0, lastLogTerm: 0 });
    return answer.messages[0].message.body as RaftMessage;
  };

  it("grants a pre-vote to a candidate whose log is behind the voter's", () => {
    expect(preVoteAnswer(['prevote-skips-log-check'])).toEqual({ type: 'PreVoteResponse', term: 2, voteGranted: true });
  });

  it('refuses it in the correct Raft, as the real vote would', () => {
    expect(preVoteAnswer([])).toEqual({ type: 'PreVoteResponse', term: 1, voteGranted: false });
  });
});

/** n1 leading term 1 (its no-op at index 1, acknowledged by nobody), asked to hand leadership to n3. */
function transferringLeader(bugs: readonly BugName[]): Driver {
  const leader = new Driver(bugs);
  leader.ticksUntilCampaign();
  leader.deliver(2, vote(1));
  expect(leader.role).toBe('leader');
  leader.step({ kind: 'transferLeadership', transfer: { id: 70, target: 3 } });
  expect(leader.last.answers).toEqual([{ commandId: 70, kind: 'transferAccepted', term: 1 }]);
  return leader;
}

describe('transfer-to-lagging-node', () => {
  it("sends TimeoutNow at once, though n3 has not acknowledged the leader's no-op", () => {
    expect(sentTypes(transferringLeader(['transfer-to-lagging-node']).last)).toEqual(['TimeoutNow>n3']);
  });

  it('catches n3 up first in the correct Raft, and sends TimeoutNow once n3 holds the whole log', () => {
    const leader = transferringLeader([]);
    expect(sentTypes(leader.last)).toEqual(['AppendEntries>n3']);
    expect(sentTypes(leader.deliver(3, appendResponse(1, true, 1)))).toContain('TimeoutNow>n3');
  });
});

describe('transfer-accepts-proposals', () => {
  it('accepts a proposal into its log while the transfer is in progress', () => {
    const answers = transferringLeader(['transfer-accepts-proposals']).step({ kind: 'propose', command: command(71) }).answers;
    expect(answers).toEqual([{ commandId: 71, kind: 'accepted', index: 2, term: 1 }]);
  });

  it('refuses it in the correct Raft, pointing at the target', () => {
    const answers = transferringLeader([]).step({ kind: 'propose', command: command(71) }).answers;
    expect(answers).toEqual([{ commandId: 71, kind: 'notLeader', leaderHint: 3 }]);
  });
});

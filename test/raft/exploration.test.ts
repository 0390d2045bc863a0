// The reference's exploration hook (src/raft/exploration.ts): its fold of durable records rebuilds
// what the records rebuild, and its message and record digests are equal under a renaming of node
// ids exactly when the two are the same up to that renaming, which is what makes merging states
// by these digests sound.

import { describe, expect, it } from 'vitest';
import type { DurableRecord, ImplementationOptions, Message } from '../../src/contract/contract.js';
import type { NodeId } from '../../src/core/ids.js';
import { referenceExploration } from '../../src/raft/exploration.js';
import type { Entry, RaftMessage, RaftRecord, Snapshot } from '../../src/raft/messages.js';
import { RaftNode } from '../../src/raft/node.js';
import { Lanes } from '../../src/world/lanes.js';

const options: ImplementationOptions = { electionTicksMin: 2, electionTicksMax: 2, heartbeatTicks: 1, entriesPerMessageMax: 1 };
const identity: readonly NodeId[] = [0, 1, 2, 3];
/** n1 and n2 trade places. */
const swap: readonly NodeId[] = [0, 2, 1, 3];

const entry = (term: number, id: number): Entry => ({ term, command: { id, op: 'set', key: 'k', value: String(id) } });

function restarted(records: readonly DurableRecord[]): RaftNode {
  const node = new RaftNode();
  node.step({ kind: 'start', id: 1, members: [1, 2, 3], seed: 0, records, options: { ...options, snapshotEntriesThreshold: 8 } });
  return node;
}

const snapshot = (index: number, voters: readonly NodeId[], data: Record<string, string> = { k: String(index) }): Snapshot => ({
  index,
  term: 1,
  configuration: { voters, learners: [], votersOutgoing: [] },
  data,
  sessions: [],
});

/** Both parts of a digest, the id part under `rename`. */
function digest(part: (lanes: Lanes) => void, ids: (lanes: Lanes) => void): string {
  const lanes = new Lanes().reset();
  part(lanes);
  ids(lanes);
  const out: number[] = [];
  lanes.digestInto(out, 0);
  return out.join(':');
}

function messageDigest(body: RaftMessage, rename: readonly NodeId[]): string {
  const message: Message = { type: body.type, term: body.term, body };
  return digest(
    (lanes) => referenceExploration.digestMessage(message, lanes),
    (lanes) => referenceExploration.digestMessageIds(message, rename, lanes),
  );
}

function recordDigest(record: RaftRecord, rename: readonly NodeId[]): string {
  return digest(
    (lanes) => referenceExploration.digestRecord(record, lanes),
    (lanes) => referenceExploration.digestRecordIds(record, rename, lanes),
  );
}

describe("the reference's exploration hook", () => {
  it('compacts records to the last hard state and the log they leave, from which a start rebuilds the same node', () => {
    const records: RaftRecord[] = [
      { kind: 'hardState', term: 1, votedFor: 1 },
      { kind: 'entries', from: 1, entries: [entry(1, 1), entry(1, 2)] },
      { kind: 'hardState', term: 2, votedFor: 2 },
      { kind: 'entries', from: 2, entries: [entry(2, 3)] },
      { kind: 'entries', from: 3, entries: [entry(2, 4)] },
    ];
    const compacted = referenceExploration.compact(records);
    expect(compacted).toEqual([
      { kind: 'hardState', term: 2, votedFor: 2 },
      { kind: 'entries', from: 1, entries: [entry(1, 1), entry(2, 3), entry(2, 4)] },
    ]);
    expect(restarted(compacted).stateDigest()).toBe(restarted(records).stateDigest());
  });

  it('compacts records to the hard state, the latest snapshot and the entries after it, from which a start rebuilds the same node', () => {
    const records: RaftRecord[] = [
      { kind: 'hardState', term: 1, votedFor: 1 },
      { kind: 'entries', from: 1, entries: [entry(1, 1), entry(1, 2), entry(1, 3)] },
      { kind: 'snapshot', snapshot: snapshot(1, [1, 2, 3]) },
      { kind: 'snapshot', snapshot: snapshot(2, [1, 2, 3]) },
      { kind: 'entries', from: 4, entries: [entry(1, 4)] },
    ];
    const compacted = referenceExploration.compact(records);
    expect(compacted).toEqual([
      { kind: 'hardState', term: 1, votedFor: 1 },
      { kind: 'snapshot', snapshot: snapshot(2, [1, 2, 3]) },
      { kind: 'entries', from: 3, entries: [entry(1, 3), entry(1, 4)] },
    ]);
    expect(restarted(compacted).stateDigest()).toBe(restarted(records).stateDigest());
  });

  it('digests snapshots in messages and records apart by contents, and alike under a renaming of their configuration', () => {
    const offer = (leader: NodeId, voters: readonly NodeId[], data?: Record<string, string>): RaftMessage => ({ type: 'InstallSnapshot', term: 1, leader, snapshot: snapshot(2, voters, data) });
    expect(messageDigest(offer(1, [1, 3]), swap)).toBe(messageDigest(offer(2, [2, 3]), identity));
    expect(messageDigest(offer(1, [1, 3]), swap)).not.toBe(messageDigest(offer(2, [1, 3]), identity));
    expect(messageDigest(offer(1, [1, 3]), identity)).not.toBe(messageDigest(offer(1, [1, 3], { k: 'other' }), identity));
    const record = (voters: readonly NodeId[], index = 2): RaftRecord => ({ kind: 'snapshot', snapshot: snapshot(index, voters) });
    expect(recordDigest(record([1, 3]), swap)).toBe(recordDigest(record([2, 3]), identity));
    expect(recordDigest(record([1, 3]), swap)).not.toBe(recordDigest(record([1, 3]), identity));
    expect(recordDigest(record([1, 3], 2), identity)).not.toBe(recordDigest(record([1, 3], 3), identity));
  });

  it('compacts no records to none', () => {
    expect(referenceExploration.compact([])).toEqual([]);
  });

  it('digests a message from n1 renamed to n2 as the same message from n2, and apart from one from n3', () => {
    const append = (leader: NodeId): RaftMessage => ({ type: 'AppendEntries', term: 1, leader, previousLogIndex: 0, previousLogTerm: 0, entries: [entry(1, 1)], leaderCommit: 0 });
    const vote = (candidate: NodeId): RaftMessage => ({ type: 'RequestVote', term: 1, candidate, lastLogIndex: 0, lastLogTerm: 0 });
    for (const message of [append, vote]) {
      expect(messageDigest(message(1), swap)).toBe(messageDigest(message(2), identity));
      expect(messageDigest(message(1), swap)).not.toBe(messageDigest(message(3), identity));
    }
  });

  it('digests messages that differ in a field without ids apart', () => {
    const response = (matchIndex: number): RaftMessage => ({ type: 'AppendEntriesResponse', term: 1, success: true, matchIndex, retryIndex: 0 });
    expect(messageDigest(response(1), identity)).not.toBe(messageDigest(response(2), identity));
  });

  it('digests a vote for n1 renamed to n2 as a vote for n2, and apart from a vote for n3 or none', () => {
    const voted = (votedFor: NodeId | null): RaftRecord => ({ kind: 'hardState', term: 1, votedFor });
    expect(recordDigest(voted(1), swap)).toBe(recordDigest(voted(2), identity));
    expect(recordDigest(voted(1), swap)).not.toBe(recordDigest(voted(3), identity));
    expect(recordDigest(voted(1), swap)).not.toBe(recordDigest(voted(null), identity));
  });

  it('digests configuration entries naming n1 renamed to n2 as entries naming n2, in messages, records and node states alike', () => {
    const change = (voter: NodeId): Entry => ({ term: 1, command: null, change: { id: 5, configuration: { voters: [voter, 3], learners: [], votersOutgoing: [] } } });
    const append = (voter: NodeId): RaftMessage => ({ type: 'AppendEntries', term: 1, leader: 3, previousLogIndex: 0, previousLogTerm: 0, entries: [change(voter)], leaderCommit: 0 });
    expect(messageDigest(append(1), swap)).toBe(messageDigest(append(2), identity));
    expect(messageDigest(append(1), swap)).not.toBe(messageDigest(append(1), identity));
    const written = (voter: NodeId): RaftRecord => ({ kind: 'entries', from: 1, entries: [change(voter)] });
    expect(recordDigest(written(1), swap)).toBe(recordDigest(written(2), identity));
    expect(recordDigest(written(1), swap)).not.toBe(recordDigest(written(1), identity));
    const nodeDigest = (voter: NodeId, rename: readonly NodeId[]): string => {
      const node = restarted([written(voter)]);
      return digest(
        (lanes) => referenceExploration.digestNode(node, lanes),
        (lanes) => referenceExploration.digestNodeIds(node, rename, lanes),
      );
    };
    expect(nodeDigest(1, identity)).not.toBe(nodeDigest(2, identity));
  });
});

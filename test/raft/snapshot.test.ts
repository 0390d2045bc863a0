// Snapshots of the reference Raft (feature 'snapshots'), one node stepped by hand: compaction by
// the threshold, InstallSnapshot sent for a compacted entry, installed when newer than the commit
// index (keeping the log after it where the log holds its last entry), ignored when older, and a
// restart from the latest snapshot record plus the entry records after it.

import { describe, expect, it } from 'vitest';
import type { Command, DurableRecord, ImplementationOptions, Input, Output } from '../../src/contract/contract.js';
import type { NodeId } from '../../src/core/ids.js';
import type { AppendEntries, AppendEntriesResponse, Entry, InstallSnapshot, RaftMessage, RaftRecord, Snapshot } from '../../src/raft/messages.js';
import { RaftNode } from '../../src/raft/node.js';
import { referenceImplementation } from '../../src/adapters/reference.js';

const options: ImplementationOptions = { electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2, entriesPerMessageMax: 64 };

/** A node under test with every record it wrote (all taken as synced) and every output at hand. */
class Driver {
  node = new RaftNode();
  records: DurableRecord[] = [];
  outputs: Output[] = [];

  constructor(
    readonly id: NodeId,
    threshold: number | undefined,
    records: readonly DurableRecord[] = [],
  ) {
    this.records.push(...records);
    this.step({ kind: 'start', id, members: [1, 2, 3], seed: 7, records, options: { ...options, snapshotEntriesThreshold: threshold } });
  }

  step(input: Input): Output {
    const output = this.node.step(input);
    this.records.push(...output.records);
    this.outputs.push(output);
    return output;
  }

  deliver(from: NodeId, body: RaftMessage): Output {
    return this.step({ kind: 'deliver', from, message: { type: body.type, term: body.term, body } });
  }

  get last(): Output {
    return this.outputs[this.outputs.length - 1];
  }

  sent(type: RaftMessage['type']): RaftMessage[] {
    return this.last.messages.map((outbound) => outbound.message.body as RaftMessage).filter((body) => body.type === type);
  }
}

function command(id: number, extra: Partial<Command> = {}): Command {
  return { id, op: 'set', key: `k${id}`, value: `v${id}`, ...extra };
}

function entry(term: number, id: number): Entry {
  return { term, command: command(id) };
}

function append(previousLogIndex: number, previousLogTerm: number, entries: Entry[], leaderCommit: number): AppendEntries {
  return { type: 'AppendEntries', term: 1, leader: 1, previousLogIndex, previousLogTerm, entries, leaderCommit };
}

function snapshotOf(index: number, term: number, data: Record<string, string>): InstallSnapshot {
  const snapshot: Snapshot = { index, term, configuration: { voters: [1, 2, 3], learners: [], votersOutgoing: [] }, data, sessions: [] };
  return { type: 'InstallSnapshot', term: 1, leader: 1, snapshot };
}

function response(output: Output): AppendEntriesResponse {
  return output.messages[0].message.body as AppendEntriesResponse;
}

/** Node 1 elected leader of term 1 with node 2's vote, its no-op at index 1. */
function leader(threshold: number): Driver {
  const driver = new Driver(1, threshold);
  for (let ticks = 0; ticks < 100 && driver.sent('RequestVote').length === 0; ticks += 1) driver.step({ kind: 'tick' });
  driver.deliver(2, { type: 'RequestVoteResponse', term: 1, voteGranted: true });
  expect(driver.last.state!.role).toBe('leader');
  return driver;
}

/** The leader proposes commands 1..count, and node 2 acknowledges them all, committing them. */
function commitCommands(driver: Driver, count: number): void {
  for (let id = 1; id <= count; id += 1) driver.step({ kind: 'propose', command: command(id) });
  driver.deliver(2, { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex: count + 1, retryIndex: 0 });
}

describe('snapshots of the reference Raft', () => {
  it('lists snapshots among the features of the reference implementation', () => {
    expect(referenceImplementation().features).toContain('snapshots');
  });

  it('compacts its applied prefix into a durable snapshot once the threshold of applied entries is reached', () => {
    const driver = leader(3);
    commitCommands(driver, 4);
    const output = driver.last;
    expect(output.applied.map((applied) => applied.index)).toEqual([1, 2, 3, 4, 5]);
    expect(output.snapshotTaken).toEqual({ index: 5, term: 1, configuration: { voters: [1, 2, 3], learners: [], votersOutgoing: [] }, data: { k1: 'v1', k2: 'v2', k3: 'v3', k4: 'v4' } });
    expect(output.records).toContainEqual({ kind: 'snapshot', snapshot: expect.objectContaining({ index: 5, term: 1 }) });
    expect(output.state).toMatchObject({ snapshotIndex: 5, snapshotTerm: 1, commitIndex: 5, appliedIndex: 5 });
  });

  it('never compacts without a threshold, and then leaves the snapshot index out of its view', () => {
    const driver = new Driver(2, undefined);
    driver.deliver(1, append(0, 0, [entry(1, 1), entry(1, 2), entry(1, 3)], 3));
    expect(driver.last.applied).toHaveLength(3);
    expect(driver.last.snapshotTaken).toBeUndefined();
    expect(driver.records.some((record) => (record as RaftRecord).kind === 'snapshot')).toBe(false);
    expect(driver.last.state!.snapshotIndex).toBeUndefined();
  });

  it('sends its snapshot to a follower whose next entry it compacted, and the follower installs it', () => {
    const driver = leader(3);
    commitCommands(driver, 4);
    // Node 3 never answered: the next heartbeat finds its next entry compacted.
    driver.step({ kind: 'tick' });
    driver.step({ kind: 'tick' });
    const [offer] = driver.sent('InstallSnapshot') as InstallSnapshot[];
    expect(driver.last.messages.find((outbound) => outbound.to === 3)!.message.body).toBe(offer);
    expect(offer.snapshot).toMatchObject({ index: 5, term: 1, data: { k1: 'v1', k4: 'v4' } });

    const follower = new Driver(3, 3);
    const installed = follower.deliver(1, offer);
    expect(installed.snapshotInstalled).toMatchObject({ index: 5, term: 1, data: { k1: 'v1', k2: 'v2', k3: 'v3', k4: 'v4' } });
    expect(installed.state).toMatchObject({ snapshotIndex: 5, snapshotTerm: 1, commitIndex: 5, appliedIndex: 5, log: { from: 6, entries: [] } });
    expect(installed.records).toContainEqual({ kind: 'snapshot', snapshot: offer.snapshot });
    expect(installed.sync).toBe(true);
    expect(response(installed)).toMatchObject({ success: true, matchIndex: 5 });

    driver.deliver(3, response(installed));
    expect(driver.sent('AppendEntries')).toEqual([]);
    driver.step({ kind: 'propose', command: command(6) });
    expect(driver.last.messages.find((outbound) => outbound.to === 3)!.message.body).toMatchObject({ type: 'AppendEntries', previousLogIndex: 5, previousLogTerm: 1 });
  });

  it('keeps the entries after the snapshot when it holds the snapshot last entry, and applies on from there', () => {
    const follower = new Driver(2, 10);
    follower.deliver(1, append(0, 0, [entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)], 0));
    const installed = follower.deliver(1, snapshotOf(2, 1, { k1: 'v1', k2: 'v2' }));
    expect(installed.state!.log).toBeUndefined();
    const next = follower.deliver(1, append(4, 1, [], 4));
    expect(response(next)).toMatchObject({ success: true, matchIndex: 4 });
    expect(next.applied.map((applied) => applied.index)).toEqual([3, 4]);
  });

  it('discards its whole log when it does not hold the snapshot last entry', () => {
    const follower = new Driver(2, 10);
    follower.deliver(1, append(0, 0, [entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)], 0));
    const installed = follower.deliver(1, { ...snapshotOf(3, 2, { k1: 'v1' }), term: 2 });
    expect(installed.state).toMatchObject({ snapshotIndex: 3, snapshotTerm: 2, log: { from: 4, entries: [] } });
    expect(response(follower.deliver(1, { ...append(4, 1, [], 4), term: 2 }))).toMatchObject({ success: false });
  });

  it('ignores a snapshot no newer than its commit index, answering with what it committed', () => {
    const follower = new Driver(2, 10);
    follower.deliver(1, append(0, 0, [entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)], 4));
    const ignored = follower.deliver(1, snapshotOf(3, 1, { stale: 'yes' }));
    expect(ignored.snapshotInstalled).toBeUndefined();
    expect(ignored.records).toEqual([]);
    expect(ignored.state).toMatchObject({ commitIndex: 4, appliedIndex: 4, snapshotIndex: 0 });
    expect(response(ignored)).toMatchObject({ success: true, matchIndex: 4 });
  });

  it('answers an append that starts inside its snapshot with its commit index', () => {
    const follower = new Driver(2, 10);
    follower.deliver(1, snapshotOf(5, 1, { k1: 'v1' }));
    const output = follower.deliver(1, append(2, 1, [entry(1, 3)], 5));
    expect(response(output)).toMatchObject({ success: true, matchIndex: 5 });
    expect(output.records).toEqual([]);
  });

  it('restarts from its latest snapshot and the entries after it, with client sessions, so a retried command applies once', () => {
    const follower = new Driver(2, 2);
    const first = command(1, { op: 'append', key: 'k', value: 'x', client: 7, sequence: 1 });
    follower.deliver(1, append(0, 0, [{ term: 1, command: first }, entry(1, 2), entry(1, 3)], 3));
    expect(follower.last.snapshotTaken).toMatchObject({ index: 3, data: { k: 'x' } });
    follower.deliver(1, append(3, 1, [entry(1, 4)], 3));

    const restarted = new Driver(2, 2, follower.records);
    const start = restarted.last;
    expect(start.snapshotInstalled).toMatchObject({ index: 3, term: 1, data: { k: 'x', k2: 'v2', k3: 'v3' } });
    expect(start.state).toMatchObject({ commitIndex: 3, appliedIndex: 3, snapshotIndex: 3, log: { from: 4, entries: [{ term: 1, commandId: 4 }] } });
    const retry = { ...first, id: 9 };
    const read = command(10, { op: 'get', key: 'k', value: undefined });
    const applied = restarted.deliver(1, append(4, 1, [{ term: 1, command: retry }, { term: 1, command: read }], 6)).applied;
    expect(applied.map((entry) => [entry.index, entry.result])).toEqual([
      [4, null],
      [5, null],
      [6, 'x'],
    ]);
  });
});

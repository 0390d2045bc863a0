// Snapshot consistency, and every other invariant across a snapshot boundary: a snapshot is the
// committed prefix folded (term, contents by the key-value semantics, configuration), installing
// one never takes a node's applied state back, and a node that holds its prefix only through an
// installed snapshot is judged as holding the committed history's (its prefix hashes rebased).

import { describe, expect, it } from 'vitest';
import type { Command, Configuration, SnapshotView } from '../../src/contract/contract.js';
import { ViewError } from '../../src/world/observation.js';
import type { History } from './history.js';
import { freshCluster } from './history.js';

const everyone: Configuration = { voters: [1, 2, 3], learners: [], votersOutgoing: [] };

function set(id: number, key: string, value: string): Command {
  return { id, op: 'set', key, value };
}

function snapshot(index: number, term: number, data: Record<string, string>, configuration: Configuration = everyone): SnapshotView {
  return { index, term, configuration, data };
}

/** n1 leads term 1 and commits a=1, b=2, a=3 at indexes 1..3, proposed to it; events 1-8. */
function threeCommitted(): History {
  const history = freshCluster();
  history.becomeLeader(1, 1);
  history.step(1, { append: [[1, 10]], command: set(10, 'a', '1') });
  history.step(1, { append: [[1, 11]], command: set(11, 'b', '2') });
  history.step(1, { append: [[1, 12]], command: set(12, 'a', '3') });
  history.commit(1, 3);
  return history;
}

/** n2, with an empty log, installs n1's snapshot of index 3 and holds nothing after it. */
function installOnEmptyFollower(history: History): void {
  history.follow(2, 1, 1);
  history.step(2, { snapshotIndex: 3, snapshotTerm: 1, commitIndex: 3, appliedIndex: 3, replaceFrom: 4, entries: [], installed: snapshot(3, 1, { a: '3', b: '2' }) });
}

describe('snapshot-consistency', () => {
  it("does not fire on snapshots that hold what the committed commands give, taken or installed, newer or older than one judged before", () => {
    const history = threeCommitted();
    history.step(1, { snapshotIndex: 3, snapshotTerm: 1, taken: snapshot(3, 1, { a: '3', b: '2' }) });
    history.follow(3, 1, 1);
    history.step(3, { snapshotIndex: 2, snapshotTerm: 1, commitIndex: 2, appliedIndex: 2, replaceFrom: 3, entries: [], installed: snapshot(2, 1, { a: '1', b: '2' }) });
    expect(history.violation).toBeNull();
    expect(history.audit()).toBeNull();
  });

  it("fires when a snapshot's contents differ from the committed commands applied up to its index", () => {
    const history = threeCommitted();
    const violation = history.step(1, { snapshotIndex: 3, snapshotTerm: 1, taken: snapshot(3, 1, { a: '1', b: '2' }) });
    expect(violation).toMatchObject({
      invariant: 'snapshot-consistency',
      nodes: [1],
      evidence: { snapshotIndex: 3, keys: [{ key: 'a', snapshot: '1', committed: '3' }] },
    });
  });

  it("fires when a snapshot's term is not the committed entry's at its index", () => {
    const history = threeCommitted();
    expect(history.step(1, { taken: snapshot(3, 2, { a: '3', b: '2' }) })).toMatchObject({ invariant: 'snapshot-consistency', evidence: { snapshotTerm: 2, committedTerm: 1 } });
  });

  it('fires when a snapshot reaches past the committed history', () => {
    const history = threeCommitted();
    history.append(1, [1, 13]);
    expect(history.step(1, { taken: snapshot(4, 1, { a: '3', b: '2' }) })).toMatchObject({ invariant: 'snapshot-consistency', evidence: { committedLength: 3 } });
  });

  it("fires when a snapshot's configuration is not the one in force at its index, as a node's configuration view shows it", () => {
    const history = threeCommitted();
    const pair: Configuration = { voters: [1, 2], learners: [], votersOutgoing: [] };
    // Without a configuration view (an implementation without membership) it is not judged.
    expect(history.step(1, { taken: snapshot(3, 1, { a: '3', b: '2' }, pair) })).toBeNull();
    history.step(1, { configuration: { latest: everyone, latestIndex: 0, committed: everyone, committedIndex: 0 } });
    history.follow(2, 1, 1);
    const violation = history.step(2, { snapshotIndex: 3, snapshotTerm: 1, commitIndex: 3, appliedIndex: 3, replaceFrom: 4, entries: [], installed: snapshot(3, 1, { a: '3', b: '2' }, pair) });
    expect(violation?.message).toContain('has voters [1,2] where the committed configuration has [1,2,3]');
  });

  it("takes no configuration from a view past the node's applied index, where a committed configuration entry may not be applied yet", () => {
    const history = threeCommitted();
    const pair: Configuration = { voters: [1, 2], learners: [], votersOutgoing: [] };
    // n1 has committed through 3 but applied only entry 1, and (as etcd, which learns a
    // configuration when it applies it) still reports the bootstrap configuration as committed.
    history.step(1, { appliedIndex: 1, configuration: { latest: everyone, latestIndex: 0, committed: everyone, committedIndex: 0 } });
    history.follow(2, 1, 1);
    expect(history.step(2, { snapshotIndex: 3, snapshotTerm: 1, commitIndex: 3, appliedIndex: 3, replaceFrom: 4, entries: [], installed: snapshot(3, 1, { a: '3', b: '2' }, pair) })).toBeNull();
    // Up to its applied index, its view is judged.
    expect(history.step(2, { taken: snapshot(1, 1, { a: '1' }, pair) })?.message).toContain('has voters [1,2] where the committed configuration has [1,2,3]');
  });

  it("takes no configuration from a joining node's view that knows none yet, however far its commit index has come", () => {
    const history = threeCommitted();
    const none: Configuration = { voters: [], learners: [], votersOutgoing: [] };
    // n3 joined: it holds the committed entries, none of them a configuration entry.
    history.follow(3, 1, 1, { append: [[1, 10], [1, 11], [1, 12]], configuration: { latest: none, latestIndex: 0, committed: none, committedIndex: 0 } });
    history.commit(3, 3);
    history.follow(2, 1, 1);
    expect(history.step(2, { snapshotIndex: 3, snapshotTerm: 1, commitIndex: 3, appliedIndex: 3, replaceFrom: 4, entries: [], installed: snapshot(3, 1, { a: '3', b: '2' }) })).toBeNull();
  });

  it('fires when a node installs a snapshot older than what it applied, taking its state back', () => {
    const history = threeCommitted();
    history.follow(2, 1, 1, { append: [[1, 10], [1, 11], [1, 12]] });
    history.commit(2, 3);
    history.step(2, { snapshotIndex: 2, snapshotTerm: 1, appliedIndex: 2, installed: snapshot(2, 1, { a: '1', b: '2' }) });
    expect(history.violationOf('snapshot-consistency')).toMatchObject({ nodes: [2], evidence: { snapshotIndex: 2, appliedIndexBefore: 3 } });
  });
});

describe('the invariants across a snapshot boundary', () => {
  it('judge a node that holds its prefix only through an installed snapshot as holding the committed history, through appends, commits and a leadership', () => {
    const history = threeCommitted();
    installOnEmptyFollower(history);
    history.step(1, { append: [[1, 13]], command: set(13, 'c', '4') });
    history.append(2, [1, 13]);
    history.commit(1, 4);
    history.step(2, { commitIndex: 4, appliedIndex: 4, applied: [[4, 1, 13]] });
    history.becomeLeader(2, 2, { append: [[2, 0]] });
    expect(history.violation).toBeNull();
    expect(history.audit()).toBeNull();
    const observation = history.observation;
    expect(observation.prefixHashesOf(history.mirror(2)).slice(0, 5)).toEqual(observation.committedPrefix.slice(0, 5));
  });

  it('rebase the prefix hashes of a node past its snapshot as a fresh rebase would, as its log grows and is cut back', () => {
    const history = threeCommitted();
    installOnEmptyFollower(history);
    const observation = history.observation;
    const fresh = () => {
      const copy = history.mirror(2).copy();
      copy.rebased = null;
      return observation.prefixHashesOf(copy);
    };
    for (const commandId of [13, 14, 15]) {
      history.step(2, { append: [[1, commandId]] });
      expect(observation.prefixHashesOf(history.mirror(2))).toEqual(fresh());
    }
    // A conflicting suffix replaced from index 5: the hashes below it are kept, those after made again.
    history.step(2, { replaceFrom: 5, entries: [[2, 20]] });
    expect(observation.prefixHashesOf(history.mirror(2))).toEqual(fresh());
    expect(observation.prefixHashesOf(history.mirror(2))).toHaveLength(6);
  });

  it('still find a committed entry the node that installed a snapshot holds differently after it', () => {
    const history = threeCommitted();
    installOnEmptyFollower(history);
    history.step(1, { append: [[1, 13]], command: set(13, 'c', '4') });
    history.commit(1, 4);
    expect(history.append(2, [1, 99])).toMatchObject({ invariant: 'log-matching', evidence: { index: 4, term: 1 } });
    expect(history.step(2, { commitIndex: 4 })).toMatchObject({ invariant: 'state-machine-safety', nodes: [2, 1], evidence: { index: 4 } });
  });

  it('keep the entries of a node that compacted its own log, and take a restart whose log starts after its snapshot', () => {
    const history = threeCommitted();
    history.step(1, { snapshotIndex: 3, snapshotTerm: 1, taken: snapshot(3, 1, { a: '3', b: '2' }) });
    expect(history.mirror(1).anchorIndex).toBe(0);
    history.crash(1);
    history.start(1, { snapshotIndex: 3, snapshotTerm: 1, commitIndex: 3, appliedIndex: 3, log: [], logFrom: 4, installed: snapshot(3, 1, { a: '3', b: '2' }) });
    expect(history.mirror(1).lastIndex).toBe(3);
    expect(history.violation).toBeNull();
  });

  it('refuse a log delta that starts past the snapshot index and the end of the log', () => {
    const history = threeCommitted();
    history.follow(2, 1, 1);
    expect(() => history.step(2, { snapshotIndex: 3, snapshotTerm: 1, replaceFrom: 5, entries: [] })).toThrow(ViewError);
  });
});

describe('log-matching across installed snapshots', () => {
  /** n1 leads term `term` and commits a=1 at index 1; n2 installs its snapshot of index 1. */
  function committedAndInstalled(history: History, term: number): void {
    history.becomeLeader(1, term);
    history.step(1, { append: [[term, 10]], command: set(10, 'a', '1') });
    history.commit(1, 1);
    history.follow(2, term, 1);
    history.step(2, { snapshotIndex: 1, snapshotTerm: term, commitIndex: 1, appliedIndex: 1, replaceFrom: 2, entries: [], installed: snapshot(1, term, { a: '1' }) });
  }

  it("forgets an entry lost in a crash whose index only a snapshot covers, the committed entry there being another", () => {
    // openraft's snapshot-catch-up seeds 124, 241 and 290: a leader lost an unsynced entry in a
    // crash, the others went on in a later term and installed snapshots past its index, and it came
    // back as leader of its own term and wrote another entry there.
    const history = freshCluster();
    history.append(3, [1, 30]);
    committedAndInstalled(history, 2);
    history.crash(3);
    history.start(3, { log: [] });
    expect(history.append(3, [1, 31])).toBeNull();
    expect(history.violations).toEqual([]);
  });

  it('keeps an entry lost in a crash that an installed snapshot holds, and fires on another in its place', () => {
    const history = freshCluster();
    committedAndInstalled(history, 1);
    history.crash(1);
    history.start(1, { log: [] });
    expect(history.append(1, [1, 11])).toMatchObject({ invariant: 'log-matching', evidence: { index: 1, term: 1 } });
  });
});

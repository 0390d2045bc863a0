// Leader append-only: while a node leads a term, its log only grows at the end.

import { describe, expect, it } from 'vitest';
import type { History } from './history.js';
import { entriesOf, freshCluster } from './history.js';

/** n1 leads term 1 with (1, t1, c10) and (2, t1, c11), nothing committed; events 1-5. */
function leaderWithTwoEntries(): History {
  const history = freshCluster(); // events 1-3
  history.becomeLeader(1, 1); // 4
  history.append(1, [1, 10], [1, 11]); // 5
  return history;
}

describe('leader-append-only', () => {
  it('fires when a leader deletes entries from the end of its log', () => {
    const history = leaderWithTwoEntries();
    const violation = history.step(1, { replaceFrom: 2, entries: [] }); // event 6

    expect(violation).toMatchObject({
      invariant: 'leader-append-only',
      nodes: [1],
      eventNumber: 6,
      timeMs: 60,
      evidence: { term: 1, changedFromIndex: 2, lastIndexBefore: 2, lastIndexAfter: 1 },
    });
    expect(history.violation).toBe(violation);
  });

  it('fires when a leader overwrites an entry, even if its log keeps its length', () => {
    // Log matching fires too: (2, t1) now names a second entry. Both are right.
    const history = leaderWithTwoEntries();
    history.step(1, { replaceFrom: 2, entries: [[1, 12]] });

    expect(history.violationOf('leader-append-only')).toMatchObject({
      nodes: [1],
      eventNumber: 6,
      evidence: { term: 1, changedFromIndex: 2, lastIndexBefore: 2, lastIndexAfter: 2 },
    });
  });

  it('fires when a leader replaces its tail with more entries than it had', () => {
    // The log grew, but not by appending: the entry at index 2 changed under it.
    const history = leaderWithTwoEntries();
    const violation = history.step(1, { replaceFrom: 2, entries: [[2, 20], [2, 21]] });

    expect(violation).toMatchObject({
      invariant: 'leader-append-only',
      evidence: { changedFromIndex: 2, lastIndexBefore: 2, lastIndexAfter: 3 },
    });
  });

  it('does not fire when a leader appends', () => {
    const history = leaderWithTwoEntries();
    history.append(1, [1, 12]);
    history.append(1, [1, 13], [1, 14]);

    expect(history.violation).toBeNull();
  });

  it('does not fire when a leader re-sends entries it already has', () => {
    // A view delta may start before the end of the log as long as the entries are the same.
    const history = leaderWithTwoEntries();
    history.step(1, { replaceFrom: 1, entries: [[1, 10], [1, 11], [1, 12]] });

    expect(entriesOf(history.mirror(1))).toEqual([[1, 10], [1, 11], [1, 12]]);
    expect(history.violation).toBeNull();
  });

  it('does not fire when a deposed leader truncates its uncommitted entries as a follower', () => {
    const history = leaderWithTwoEntries();
    history.follow(1, 2, 2);
    history.step(1, { replaceFrom: 2, entries: [[2, 20]] });

    expect(entriesOf(history.mirror(1))).toEqual([[1, 10], [2, 20]]);
    expect(history.violation).toBeNull();
  });

  it('does not fire when a node truncates its log in the step that makes it leader', () => {
    // Before the step it was not a leader: the rule starts from the log it was elected with.
    const history = freshCluster();
    history.append(1, [1, 10], [1, 11]);
    history.becomeLeader(1, 2, { replaceFrom: 2, entries: [] });
    history.append(1, [2, 0]);

    expect(history.violation).toBeNull();
  });

  it('passes its end-of-run audit when every leader still holds the log it was elected with', () => {
    const history = leaderWithTwoEntries();
    history.append(1, [1, 12]);
    history.becomeLeader(2, 2);

    expect(history.violation).toBeNull();
    expect(history.auditOf('leader-append-only')).toBeNull();
  });

  it('catches in its audit a leader that no longer holds the log it was elected with', () => {
    // The truncation is hidden from the incremental checker; the audit compares each current
    // leader's log with the prefix hash it recorded at the election.
    const history = freshCluster();
    history.append(1, [1, 10]);
    history.becomeLeader(1, 2); // elected with one entry
    history.hidden(() => history.step(1, { replaceFrom: 1, entries: [] }));

    expect(history.violation).toBeNull();
    expect(history.auditOf('leader-append-only')).toMatchObject({
      invariant: 'leader-append-only',
      nodes: [1],
      eventNumber: 6,
      evidence: { term: 2, lastIndexAtElection: 1, lastIndexNow: 0 },
    });
  });
});

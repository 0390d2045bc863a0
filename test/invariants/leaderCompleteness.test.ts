// Leader completeness: an entry committed in a term is in the log of every leader of a higher term.

import { describe, expect, it } from 'vitest';
import type { History } from './history.js';
import { freshCluster } from './history.js';

/** n1 leads term 1 and commits (1, t1, c10) with n2's help; events 1-7 of a 3-node cluster. */
function entryCommittedInTermOne(): History {
  const history = freshCluster(); // events 1-3
  history.becomeLeader(1, 1); // 4
  history.append(1, [1, 10]); // 5
  history.append(2, [1, 10]); // 6
  history.commit(1, 1); // 7
  return history;
}

describe('leader-completeness', () => {
  it('fires when a node becomes leader without an entry committed in an earlier term', () => {
    const history = entryCommittedInTermOne();
    const violation = history.becomeLeader(3, 2); // event 8: n3's log is empty

    expect(violation).toMatchObject({
      invariant: 'leader-completeness',
      nodes: [3, 1],
      eventNumber: 8,
      timeMs: 80,
      evidence: { leader: 3, leaderTerm: 2, index: 1, committedEntry: 't1:c10', leaderEntry: 'missing', leaderLastIndex: 0 },
    });
    expect(history.violation).toBe(violation);
  });

  it('fires when a new leader holds a different entry where one was committed', () => {
    const history = entryCommittedInTermOne();
    history.append(3, [2, 20]); // n3 holds an entry of a term-2 leader that never committed it
    const violation = history.becomeLeader(3, 3);

    expect(violation).toMatchObject({
      invariant: 'leader-completeness',
      nodes: [3, 1],
      evidence: { leaderTerm: 3, index: 1, committedEntry: 't1:c10', leaderEntry: 't2:c20' },
    });
  });

  it('does not fire when the new leader holds every committed entry', () => {
    const history = entryCommittedInTermOne();
    history.becomeLeader(2, 2);
    history.append(2, [2, 20]);

    expect(history.violation).toBeNull();
  });

  it('does not fire when the new leader lacks only entries that were never committed', () => {
    const history = entryCommittedInTermOne();
    history.append(1, [1, 11]); // index 2 stays on n1 alone
    history.becomeLeader(2, 2);
    history.append(2, [2, 20]);

    expect(history.violation).toBeNull();
  });

  it('fires when an entry is committed after a leader of a higher term was elected without it', () => {
    // n3 won term 2 while (1, t1) was not yet committed, which was legal at that moment; then the
    // stale leader of term 1 commits it. The check runs when the committed history grows.
    const history = freshCluster();
    history.becomeLeader(1, 1); // 4
    history.append(1, [1, 10]); // 5
    history.append(2, [1, 10]); // 6
    expect(history.becomeLeader(3, 2)).toBeNull(); // 7
    const violation = history.commit(1, 1); // 8

    expect(violation).toMatchObject({
      invariant: 'leader-completeness',
      nodes: [3, 1],
      eventNumber: 8,
      evidence: { leader: 3, leaderTerm: 2, index: 1, committedEntry: 't1:c10', leaderEntry: 'missing', committedLength: 1 },
    });
  });

  it('does not fire when an entry is committed while the only leader is of its own term', () => {
    const history = freshCluster();
    history.becomeLeader(1, 1);
    history.append(1, [1, 10]);
    history.append(2, [1, 10]);
    history.commit(1, 1);
    history.commit(2, 1);

    expect(history.violation).toBeNull();
  });

  it('fires when a leader rewrites a committed entry of an earlier term', () => {
    const history = entryCommittedInTermOne();
    history.becomeLeader(2, 2);
    const violation = history.step(2, { replaceFrom: 1, entries: [[2, 20]] });

    expect(violation).toMatchObject({
      invariant: 'leader-completeness',
      nodes: [2, 1],
      evidence: { leader: 2, leaderTerm: 2, index: 1, committedEntry: 't1:c10', leaderEntry: 't2:c20' },
    });
  });

  it('passes its end-of-run audit while every leader holds the committed history', () => {
    const history = entryCommittedInTermOne();
    history.crash(1);
    history.becomeLeader(2, 2);
    history.append(2, [2, 20]);
    history.append(3, [1, 10], [2, 20]);
    history.commit(2, 2);

    expect(history.observation.committedLength).toBe(2);
    expect(history.violation).toBeNull();
    expect(history.auditOf('leader-completeness')).toBeNull();
  });

  it('catches in its audit a current leader that lacks a committed entry', () => {
    // n3's election is hidden from the incremental checker; the audit compares every current
    // leader's log with the committed history from scratch.
    const history = entryCommittedInTermOne();
    history.hidden(() => history.becomeLeader(3, 2));

    expect(history.violation).toBeNull();
    expect(history.auditOf('leader-completeness')).toMatchObject({
      invariant: 'leader-completeness',
      nodes: [3, 1],
      eventNumber: 8,
      evidence: { leader: 3, leaderTerm: 2, index: 1, leaderEntry: 'missing' },
    });
    expect(history.auditOf('leader-completeness')?.message).toMatch(/^audit: /);
  });

  it('does not fire on a stale leader when an older entry is committed later by a leader of a higher term (Raft Figure 8)', () => {
    // (1, t2) is committed in term 4, indirectly, when n1 commits (2, t4). n5 leads term 3, is
    // cut off and never hears of term 4, and legally lacks (1, t2): leader completeness only
    // binds leaders of terms above the term an entry was committed in.
    const history = freshCluster({ nodes: 5 }); // events 1-5
    history.becomeLeader(1, 2); // 6
    history.append(1, [2, 10]); // 7
    history.append(2, [2, 10]); // 8: n1 reaches n2 only
    history.follow(3, 3); // 9: n3 and n4 vote for n5 in term 3
    history.follow(4, 3); // 10
    history.becomeLeader(5, 3); // 11
    history.append(5, [3, 30]); // 12: and then n5 is cut off
    history.becomeLeader(1, 4); // 13: n2 and n3 vote for n1, whose log is as up to date as theirs
    history.append(1, [4, 40]); // 14
    history.append(2, [4, 40]); // 15
    history.follow(3, 4, 1, { append: [[2, 10], [4, 40]] }); // 16
    history.commit(1, 2); // 17: (2, t4) is on n1, n2 and n3, so (1, t2) and (2, t4) are committed in term 4

    expect(history.violation).toBeNull();
  });
});

// Election safety: at most one leader per term, ever.

import { describe, expect, it } from 'vitest';
import { freshCluster } from './history.js';

describe('election-safety', () => {
  it('fires when two nodes lead the same term', () => {
    const history = freshCluster(); // events 1-3: every node starts
    history.becomeLeader(1, 2); // event 4
    const violation = history.becomeLeader(2, 2); // event 5

    expect(violation).toMatchObject({
      invariant: 'election-safety',
      kind: 'safety',
      nodes: [1, 2],
      eventNumber: 5,
      timeMs: 50,
      evidence: { term: 2, firstLeader: 1, firstLeaderSinceEvent: 4, secondLeader: 2 },
    });
    expect(history.violation).toBe(violation);
  });

  it('fires when the second leader of a term appears after the first has stepped down', () => {
    // Leadership of a term is a fact about the term, not about one moment: a node that led term 2
    // and then moved on still used up term 2's one election.
    const history = freshCluster();
    history.becomeLeader(1, 2);
    history.follow(1, 3);
    const violation = history.becomeLeader(2, 2);

    expect(violation).toMatchObject({ invariant: 'election-safety', nodes: [1, 2], evidence: { term: 2 } });
  });

  it('fires when the second leader of a term appears after the first has crashed', () => {
    const history = freshCluster();
    history.becomeLeader(1, 2);
    history.crash(1);
    const violation = history.becomeLeader(3, 2);

    expect(violation).toMatchObject({ invariant: 'election-safety', nodes: [1, 3], eventNumber: 6 });
  });

  it('digests the leader of each term in ascending order of terms, whatever order the terms were first led in', () => {
    // The explorer merges worlds whose digests agree: the order in which a path met the terms must not matter.
    const inOrder = freshCluster();
    inOrder.becomeLeader(1, 2);
    inOrder.becomeLeader(2, 3);
    const outOfOrder = freshCluster();
    outOfOrder.becomeLeader(2, 3);
    outOfOrder.becomeLeader(1, 2);

    expect(inOrder.digestOf('election-safety')).toEqual([2, 1, 3, 2]);
    expect(outOfOrder.digestOf('election-safety')).toEqual([2, 1, 3, 2]);
  });

  it('does not fire on two leaders of different terms at the same time', () => {
    // n1 is a stale leader of term 2 (say, cut off); n2 legitimately leads term 3 meanwhile.
    const history = freshCluster();
    history.becomeLeader(1, 2);
    history.becomeLeader(2, 3);
    history.step(1, { send: true }); // the stale leader keeps sending heartbeats of term 2

    expect(history.violation).toBeNull();
  });

  it('does not fire when one node stays leader of its term over many steps', () => {
    const history = freshCluster();
    history.becomeLeader(1, 2);
    history.append(1, [2, 0]);
    history.step(1, { send: true });
    history.append(1, [2, 10]);

    expect(history.violation).toBeNull();
  });

  it('passes its end-of-run audit on a history with one leader per term', () => {
    const history = freshCluster();
    history.becomeLeader(1, 2);
    history.follow(1, 3, 2);
    history.becomeLeader(2, 3);
    history.becomeLeader(3, 4);

    expect(history.violation).toBeNull();
    expect(history.auditOf('election-safety')).toBeNull();
  });
});

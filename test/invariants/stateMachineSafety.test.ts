// State machine safety: no two nodes apply (or commit) different entries at the same index.
// Checked on applied entries (any implementation) and on commit indexes over logs (with a view).

import { describe, expect, it } from 'vitest';
import { History, entriesOf, freshCluster } from './history.js';

/** n1 commits and applies (1, t1, c10); events 1-6 of a 3-node cluster. */
function entryCommittedByNodeOne(): History {
  const history = freshCluster(); // events 1-3
  history.becomeLeader(1, 1); // 4
  history.append(1, [1, 10]); // 5
  history.commit(1, 1); // 6
  return history;
}

describe('state-machine-safety', () => {
  it('fires when a node commits a different entry at an index already committed', () => {
    const history = entryCommittedByNodeOne();
    history.append(2, [2, 20]); // a different term at index 1, so log matching has nothing to say
    const violation = history.step(2, { commitIndex: 1 }); // event 8; commits, applies nothing yet

    expect(violation).toMatchObject({
      invariant: 'state-machine-safety',
      nodes: [2, 1],
      eventNumber: 8,
      timeMs: 80,
      evidence: { index: 1, nodeEntry: 't2:c20', committed: 't1:c10', committedVia: 1, nodeCommitIndex: 1 },
    });
    expect(history.violation).toBe(violation);
  });

  it('fires when a node applies a different entry at an index already committed', () => {
    const history = entryCommittedByNodeOne();
    history.append(2, [2, 20]);
    const violation = history.commit(2, 1); // applies (1, t2, c20)

    expect(violation).toMatchObject({
      invariant: 'state-machine-safety',
      nodes: [2, 1],
      evidence: { index: 1, applied: 't2:c20', committed: 't1:c10', committedVia: 1 },
    });
  });

  it('fires on applied entries alone when the nodes offer no view', () => {
    // Without a white-box view the applied outputs are all there is: the first node to apply an
    // index establishes the committed history, and every later application is held to it.
    const history = new History({ nodes: 2 });
    history.start(1, { withoutView: true }); // 1
    history.start(2, { withoutView: true }); // 2
    history.step(1, { withoutView: true, applied: [[1, 1, 10], [2, 1, 11]] }); // 3
    const violation = history.step(2, { withoutView: true, applied: [[1, 1, 10], [2, 1, 12]] }); // 4

    expect(history.mirror(2).hasView).toBe(false);
    expect(violation).toMatchObject({
      invariant: 'state-machine-safety',
      nodes: [2, 1],
      eventNumber: 4,
      evidence: { index: 2, applied: 't1:c12', committed: 't1:c11', committedVia: 1 },
    });
  });

  it('does not fire when nodes without a view apply the same entries at different times', () => {
    const history = new History({ nodes: 3 });
    for (const node of [1, 2, 3]) history.start(node, { withoutView: true });
    history.step(1, { withoutView: true, applied: [[1, 1, 10]] });
    history.step(2, { withoutView: true, applied: [[1, 1, 10], [2, 1, 11]] });
    history.step(1, { withoutView: true, applied: [[2, 1, 11], [3, 2, 0]] });
    history.step(3, { withoutView: true, applied: [[1, 1, 10], [2, 1, 11], [3, 2, 0]] });

    expect(history.violation).toBeNull();
    expect(history.observation.committedLength).toBe(3);
    expect(history.audit()).toBeNull();
  });

  it('fires when a node rewrites an entry below its commit index', () => {
    const history = entryCommittedByNodeOne();
    history.follow(2, 1, 1, { append: [[1, 10]] });
    history.commit(2, 1); // n2 has committed and applied (1, t1, c10)
    const violation = history.step(2, { replaceFrom: 1, entries: [[2, 20]] }); // event 9, commit index still 1

    expect(violation).toMatchObject({
      invariant: 'state-machine-safety',
      nodes: [2, 1],
      eventNumber: 9,
      evidence: { index: 1, nodeEntry: 't2:c20', committed: 't1:c10', nodeCommitIndex: 1 },
    });
  });

  it('does not fire when a follower replaces entries above its commit index', () => {
    const history = entryCommittedByNodeOne();
    history.follow(2, 1, 1, { append: [[1, 10], [1, 11]] });
    history.commit(2, 1);
    history.follow(2, 2, 3, { replaceFrom: 2, entries: [[2, 20]] }); // index 2 was never committed

    expect(entriesOf(history.mirror(2))).toEqual([[1, 10], [2, 20]]);
    expect(history.mirror(2).commitIndex).toBe(1);
    expect(history.violation).toBeNull();
  });

  it('does not fire when a restarted node starts over with commit index 0 and commits again', () => {
    const history = entryCommittedByNodeOne();
    history.crash(1);
    history.start(1); // commit index 0, log [(1, t1, c10)]
    history.commit(1, 1); // applies index 1 a second time, in a new incarnation

    expect(history.mirror(1).incarnation).toBe(2);
    expect(history.observation.committedLength).toBe(1);
    expect(history.violation).toBeNull();
  });

  it('passes its end-of-run audit when every node commits a prefix of the committed history', () => {
    const history = entryCommittedByNodeOne();
    history.append(1, [1, 11]);
    history.follow(2, 1, 1, { append: [[1, 10], [1, 11]] });
    history.commit(1, 2);
    history.commit(2, 1);

    expect(history.violation).toBeNull();
    expect(history.auditOf('state-machine-safety')).toBeNull();
  });

  it('catches in its audit a node whose committed prefix differs from the committed history', () => {
    // n2's commit is hidden from the incremental checker; the audit walks each node's committed
    // prefix entry by entry against the committed history.
    const history = entryCommittedByNodeOne();
    history.hidden(() => {
      history.append(2, [2, 20]);
      history.step(2, { commitIndex: 1 });
    });

    expect(history.violation).toBeNull();
    expect(history.auditOf('state-machine-safety')).toMatchObject({
      invariant: 'state-machine-safety',
      nodes: [2],
      eventNumber: 8,
      evidence: { index: 1, nodeEntry: 't2:c20', committed: 't1:c10' },
    });
  });

  it('does not hold nodes whose views never carry a log to an empty log', () => {
    // A view may leave the log out; such a node's commit index says nothing about entries the
    // harness has not seen, so only its applied entries are compared.
    const history = new History({ nodes: 2 });
    history.start(1, { withoutView: true }); // 1
    history.start(2, { withoutView: true }); // 2
    history.step(1, { role: 'leader', term: 1, commitIndex: 1, appliedIndex: 1, applied: [[1, 1, 10]] }); // 3: a view, no log
    history.step(2, { role: 'follower', term: 1, commitIndex: 1, appliedIndex: 1, applied: [[1, 1, 10]] }); // 4

    expect(history.mirror(2).hasLog).toBe(false);
    expect(history.violation).toBeNull();
  });
});

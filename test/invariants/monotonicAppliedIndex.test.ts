// Monotonic applied index: a node applies entries in log order, each once per incarnation, and
// the applied index in its view never goes back.

import { describe, expect, it } from 'vitest';
import { History, freshCluster } from './history.js';

/** n1 leads term 1 with three entries in its log, none committed yet; events 1-5. */
function threeEntries(): History {
  const history = freshCluster(); // events 1-3
  history.becomeLeader(1, 1); // 4
  history.append(1, [1, 10], [1, 11], [1, 12]); // 5
  return history;
}

describe('monotonic-applied-index', () => {
  it('fires when a node skips an index (applies 1, then 3)', () => {
    const history = threeEntries();
    history.step(1, { commitIndex: 1, appliedIndex: 1, applied: [[1, 1, 10]] }); // event 6
    const violation = history.step(1, { commitIndex: 3, appliedIndex: 3, applied: [[3, 1, 12]] }); // event 7

    expect(violation).toMatchObject({
      invariant: 'monotonic-applied-index',
      nodes: [1],
      eventNumber: 7,
      timeMs: 70,
      evidence: { previousApplied: 1, applied: 3 },
    });
    expect(history.violation).toBe(violation);
  });

  it('fires when a node applies the same entry twice in one incarnation', () => {
    const history = threeEntries();
    history.commit(1, 1);
    const violation = history.step(1, { applied: [[1, 1, 10]] });

    expect(violation).toMatchObject({ invariant: 'monotonic-applied-index', evidence: { previousApplied: 1, applied: 1 } });
  });

  it('fires when a node applies entries out of order within one step', () => {
    const history = threeEntries();
    const violation = history.step(1, { commitIndex: 2, appliedIndex: 2, applied: [[2, 1, 11], [1, 1, 10]] });

    expect(violation).toMatchObject({ invariant: 'monotonic-applied-index', evidence: { previousApplied: 0, applied: 2 } });
  });

  it('fires when the applied index in the view goes back', () => {
    const history = threeEntries();
    history.commit(1, 2); // event 6
    const violation = history.step(1, { appliedIndex: 1 }); // event 7

    expect(violation).toMatchObject({
      invariant: 'monotonic-applied-index',
      nodes: [1],
      eventNumber: 7,
      evidence: { before: 2, after: 1 },
    });
  });

  it('does not fire when a restarted node applies its log again from index 1', () => {
    // Without snapshots the state machine is rebuilt from the log: index 1 comes first again.
    const history = threeEntries();
    history.commit(1, 2);
    history.crash(1);
    history.start(1);
    history.commit(1, 3);

    expect(history.violation).toBeNull();
  });

  it('fires when a restarted node resumes applying where its last incarnation stopped', () => {
    const history = threeEntries();
    history.commit(1, 2);
    history.crash(1);
    history.start(1);
    const violation = history.step(1, { commitIndex: 3, appliedIndex: 3, applied: [[3, 1, 12]] });

    expect(violation).toMatchObject({ invariant: 'monotonic-applied-index', evidence: { previousApplied: 0, applied: 3 } });
  });

  it('checks the applied entries of nodes that offer no view', () => {
    const history = new History({ nodes: 2 });
    history.start(1, { withoutView: true });
    history.step(1, { withoutView: true, applied: [[1, 1, 10], [2, 1, 11]] });
    expect(history.violation).toBeNull();

    const violation = history.step(1, { withoutView: true, applied: [[4, 1, 13]] });
    expect(violation).toMatchObject({ invariant: 'monotonic-applied-index', evidence: { previousApplied: 2, applied: 4 } });
  });

  it('passes its end-of-run audit on a history applied in order', () => {
    const history = threeEntries();
    history.commit(1, 1);
    history.commit(1, 3);
    history.follow(2, 1, 1, { append: [[1, 10], [1, 11], [1, 12]] });
    history.commit(2, 2);

    expect(history.violation).toBeNull();
    expect(history.auditOf('monotonic-applied-index')).toBeNull();
  });

  it('reports as a harness error, in its audit, applied entries its incremental count never saw', () => {
    // The count per node is kept by the checker; the mirror keeps its own from the outputs.
    // When they disagree the harness lost a step: raftcheck's bug, not the implementation's.
    const history = threeEntries();
    history.commit(1, 1);
    history.hidden(() => history.commit(1, 2));

    expect(history.violation).toBeNull();
    const finding = history.auditOf('monotonic-applied-index');
    expect(finding).toMatchObject({ harness: true, invariant: 'monotonic-applied-index', nodes: [1], evidence: { observed: 2, counted: 1 } });
    expect(finding).not.toHaveProperty('kind');
  });
});

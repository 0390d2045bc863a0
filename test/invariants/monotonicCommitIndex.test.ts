// Monotonic commit index: within one incarnation a node's commit index never goes back. It is
// volatile state, so a restart may start it over from 0.

import { describe, expect, it } from 'vitest';
import type { History } from './history.js';
import { freshCluster } from './history.js';

/** n1 leads term 1 and has committed two entries; events 1-6. */
function twoEntriesCommitted(): History {
  const history = freshCluster(); // events 1-3
  history.becomeLeader(1, 1); // 4
  history.append(1, [1, 10], [1, 11]); // 5
  history.commit(1, 2); // 6
  return history;
}

describe('monotonic-commit-index', () => {
  it('fires when a running node lowers its commit index', () => {
    const history = twoEntriesCommitted();
    const violation = history.step(1, { commitIndex: 1 }); // event 7

    expect(violation).toMatchObject({
      invariant: 'monotonic-commit-index',
      nodes: [1],
      eventNumber: 7,
      timeMs: 70,
      evidence: { before: 2, after: 1 },
    });
    expect(history.violation).toBe(violation);
  });

  it('does not fire when the commit index resets to 0 after a restart', () => {
    const history = twoEntriesCommitted();
    history.crash(1);
    history.start(1); // commit index 0: the node relearns it from the leader

    expect(history.mirror(1).commitIndex).toBe(0);
    expect(history.violation).toBeNull();
  });

  it('fires when the restarted incarnation then lowers the commit index it reached', () => {
    const history = twoEntriesCommitted();
    history.crash(1);
    history.start(1);
    history.commit(1, 2);
    const violation = history.step(1, { commitIndex: 1 });

    expect(violation).toMatchObject({ invariant: 'monotonic-commit-index', evidence: { before: 2, after: 1 } });
  });

  it('does not fire when the commit index stays the same or grows', () => {
    const history = twoEntriesCommitted();
    history.step(1, { send: true });
    history.append(1, [1, 12]);
    history.commit(1, 3);

    expect(history.violation).toBeNull();
  });

  it('passes its end-of-run audit on commit indexes that only grew', () => {
    const history = twoEntriesCommitted();
    history.crash(1);
    history.start(1);
    history.commit(1, 1);

    expect(history.violation).toBeNull();
    expect(history.auditOf('monotonic-commit-index')).toBeNull();
  });

  it('catches in its audit a commit index below the highest of this incarnation', () => {
    const history = twoEntriesCommitted();
    history.hidden(() => history.step(1, { commitIndex: 1 }));

    expect(history.violation).toBeNull();
    expect(history.auditOf('monotonic-commit-index')).toMatchObject({
      invariant: 'monotonic-commit-index',
      nodes: [1],
      eventNumber: 7,
      evidence: { highest: 2, now: 1 },
    });
  });
});

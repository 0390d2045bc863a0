// Log matching: two logs holding an entry with the same index and term are identical up to it.
// Logs are built as followers' logs (no leaders), so that only this invariant has a say.

import { describe, expect, it } from 'vitest';
import { entriesOf, freshCluster } from './history.js';

describe('log-matching', () => {
  it('fires when two logs hold the same index and term with different commands', () => {
    const history = freshCluster();
    history.append(1, [1, 10]); // event 4
    const violation = history.append(2, [1, 11]); // event 5

    expect(violation).toMatchObject({
      invariant: 'log-matching',
      nodes: [2, 1],
      eventNumber: 5,
      evidence: { index: 1, term: 1, differsAtIndex: 1, n2: ['t1:c11'], n1: ['t1:c10'], firstSeenAtEvent: 4 },
    });
    expect(history.violation).toBe(violation);
  });

  it('still fires, with bounded evidence, when the logs differ long before the shared entry', () => {
    // The first (index, term) the two logs share is index 20; they differ at index 1, outside the
    // window of entries kept as evidence, which stays bounded however long the logs grow.
    const history = freshCluster();
    const ours = Array.from({ length: 19 }, (_, offset) => [1, 100 + offset] as const);
    const theirs = Array.from({ length: 19 }, (_, offset) => [2, 200 + offset] as const);
    history.append(1, ...ours, [3, 30]);
    const violation = history.append(2, ...theirs, [3, 30]);

    // The first difference the kept window shows is at its first entry, index 5: not exact.
    expect(violation).toMatchObject({ invariant: 'log-matching', evidence: { index: 20, term: 3, differsAtIndex: null, entriesFromIndex: 5 } });
    expect(violation?.message).toContain('but their logs differ at or before index 5 (t2:c204 vs t1:c104)');
    expect(violation?.evidence.n2).toHaveLength(16);
  });

  it('fires when two logs agree on an entry but differ at an earlier index', () => {
    const history = freshCluster();
    history.append(1, [1, 10], [3, 30]);
    const violation = history.append(2, [2, 20], [3, 30]);

    expect(violation).toMatchObject({
      invariant: 'log-matching',
      nodes: [2, 1],
      evidence: { index: 2, term: 3, differsAtIndex: 1, n2: ['t2:c20', 't3:c30'], n1: ['t1:c10', 't3:c30'] },
    });
  });

  it('fires across time: a log that no longer exists still binds its (index, term) pairs', () => {
    // n1 once held (index 5, term 2) over one prefix and then lost it; later n2 holds (5, 2) over
    // a different entry at index 4. Only one leader creates entries in term 2, and it never
    // rewrites them, so the two can never both be right, even though they never coexisted.
    const history = freshCluster();
    history.append(1, [1, 1], [1, 2], [1, 3], [2, 4], [2, 5]); // event 4
    history.step(1, { replaceFrom: 4, entries: [] }); // n1 truncates 4..5
    const violation = history.append(2, [1, 1], [1, 2], [1, 3], [1, 7], [2, 5]); // event 6

    expect(violation).toMatchObject({
      invariant: 'log-matching',
      nodes: [2, 1],
      eventNumber: 6,
      evidence: { index: 5, term: 2, differsAtIndex: 4, firstSeenAtEvent: 4 },
    });
    expect(violation?.evidence.n2).toEqual(['t1:c2', 't1:c3', 't1:c7', 't2:c5']);
    expect(violation?.evidence.n1).toEqual(['t1:c2', 't1:c3', 't2:c4', 't2:c5']);
    // The logs as they are now do not show it: the audit compares present logs only.
    expect(history.auditOf('log-matching')).toBeNull();
  });

  it('forgets an entry a node lost in a crash before any other log held it: another may take its place', () => {
    // openraft restarts a leader in its own term; an entry it showed but never made durable (and
    // never sent) was never in its log, so the entry it writes there next is not a second one.
    const history = freshCluster();
    history.append(1, [1, 10], [2, 20]);
    history.crash(1);
    history.start(1, { log: [[1, 10]] });
    expect(history.append(1, [2, 21])).toBeNull();
    // As if the lost entry had never been shown: the same digest.
    const never = freshCluster();
    never.append(1, [1, 10]);
    never.crash(1);
    never.start(1, { log: [[1, 10]] });
    never.append(1, [2, 21]);
    expect(history.digestOf('log-matching')).toEqual(never.digestOf('log-matching'));
  });

  it('keeps a lost entry that another log holds, and judges one still in flight when it lands', () => {
    const held = freshCluster();
    held.append(1, [1, 10], [2, 20]);
    held.append(2, [1, 10], [2, 20]);
    held.crash(1);
    held.start(1, { log: [[1, 10]] });
    expect(held.append(1, [2, 21])).toMatchObject({ invariant: 'log-matching', evidence: { index: 2, term: 2 } });

    const inFlight = freshCluster();
    inFlight.append(1, [1, 10], [2, 20]);
    inFlight.crash(1);
    inFlight.start(1, { log: [[1, 10]] });
    expect(inFlight.append(1, [2, 21])).toBeNull();
    // The lost entry had been sent: it lands on n2, against the one that took its place.
    expect(inFlight.append(2, [1, 10], [2, 20])).toMatchObject({ invariant: 'log-matching', nodes: [2, 1], evidence: { index: 2, term: 2 } });
  });

  it('fires when a node rewrites its own entry under the same term', () => {
    // One log across time is still two logs: (1, t1) cannot name two different entries.
    const history = freshCluster();
    history.append(1, [1, 10]);
    const violation = history.step(1, { replaceFrom: 1, entries: [[1, 11]] });

    expect(violation).toMatchObject({ invariant: 'log-matching', nodes: [1], evidence: { index: 1, term: 1 } });
  });

  it('does not fire when a follower truncates uncommitted conflicting entries', () => {
    const history = freshCluster();
    history.becomeLeader(1, 1);
    history.append(1, [1, 10], [1, 11]);
    history.append(2, [1, 10], [1, 11]); // n2 took both; n3 only the first
    history.append(3, [1, 10]);
    history.commit(1, 1);
    history.crash(1);
    history.becomeLeader(3, 2);
    history.append(3, [2, 20]);
    // n2's uncommitted (2, t1) conflicts with the new leader's (2, t2): n2 replaces it.
    history.follow(2, 2, 3, { replaceFrom: 2, entries: [[2, 20]] });

    expect(entriesOf(history.mirror(2))).toEqual([[1, 10], [2, 20]]);
    expect(history.violation).toBeNull();
    expect(history.auditOf('log-matching')).toBeNull();
  });

  it('does not fire when logs differ only where their terms differ', () => {
    const history = freshCluster();
    history.append(1, [1, 10], [1, 11]);
    history.append(2, [2, 20], [2, 21]);
    history.append(3, [1, 10], [3, 30]);

    expect(history.violation).toBeNull();
  });

  it('does not fire when a restarted node announces the log it already had', () => {
    const history = freshCluster();
    history.append(1, [1, 10], [2, 20]);
    history.append(2, [1, 10], [2, 20]);
    history.crash(1);
    history.start(1); // the whole durable log again, from index 1

    expect(history.violation).toBeNull();
  });

  it('passes its end-of-run audit on logs that share prefixes', () => {
    const history = freshCluster();
    history.append(1, [1, 10], [1, 11], [2, 20]);
    history.append(2, [1, 10], [1, 11]);
    history.append(3, [1, 10], [3, 30]);

    expect(history.violation).toBeNull();
    expect(history.auditOf('log-matching')).toBeNull();
  });

  it('catches in its audit two present logs that agree on a term but differ before it', () => {
    // The incremental checker is blindfolded while the logs are written; the audit compares
    // the logs pair by pair from scratch.
    const history = freshCluster();
    history.hidden(() => {
      history.append(1, [1, 10], [3, 30], [3, 31]);
      history.append(2, [2, 20], [3, 30]);
    });

    expect(history.violation).toBeNull();
    expect(history.auditOf('log-matching')).toMatchObject({
      invariant: 'log-matching',
      nodes: [1, 2],
      eventNumber: 5,
      evidence: { index: 2, differsAtIndex: 1, n1: 't1:c10', n2: 't2:c20' },
    });
  });

  it('reports as a harness error, in its audit, incremental prefix hashes that do not match the entries', () => {
    // A harness bug (a mirror whose hashes went stale) cannot be made through observe(), which
    // always rehashes: the only way to build one is to write the mirror's array directly.
    const history = freshCluster();
    history.append(1, [1, 10], [1, 11]);
    history.mirror(1).commandIds[2] = 12;

    expect(history.auditOf('log-matching')).toMatchObject({
      harness: true,
      invariant: 'log-matching',
      nodes: [1],
      evidence: { index: 2 },
    });
    expect(history.auditOf('log-matching')).not.toHaveProperty('kind');
  });
});

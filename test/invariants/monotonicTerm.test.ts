// Monotonic term: a node's term never goes back while it runs, and a restart may only lose terms
// the node never revealed to anyone (a term is revealed by sending a message in it).

import { describe, expect, it } from 'vitest';
import { History, freshCluster } from './history.js';

describe('monotonic-term', () => {
  it('fires when a running node goes back to a lower term', () => {
    const history = freshCluster();
    history.follow(1, 3); // event 4
    const violation = history.follow(1, 2); // event 5

    expect(violation).toMatchObject({
      invariant: 'monotonic-term',
      nodes: [1],
      eventNumber: 5,
      timeMs: 50,
      evidence: { before: 3, after: 2 },
    });
    expect(history.violation).toBe(violation);
  });

  it('fires when a node restarts below a term it revealed in a message', () => {
    // n1 asked for votes in term 3, so others may have acted on it; currentTerm must be durable.
    const history = freshCluster();
    history.step(1, { role: 'candidate', term: 3, votedFor: 1, send: true }); // event 4
    history.crash(1); // 5
    const violation = history.start(1, { term: 2 }); // 6

    expect(violation).toMatchObject({
      invariant: 'monotonic-term',
      nodes: [1],
      eventNumber: 6,
      evidence: { term: 2, floor: 3 },
    });
    expect(violation?.message).toContain('restarted with term 2, below 3');
  });

  it('does not fire when a restart loses a term the node never revealed', () => {
    // n1 revealed term 2, then heard of term 3 and crashed before it synced or sent anything:
    // losing term 3 is harmless, no one saw n1 in it.
    const history = freshCluster();
    history.step(1, { term: 2, send: true });
    history.follow(1, 3);
    history.crash(1);
    history.start(1, { term: 2 });

    expect(history.violation).toBeNull();
  });

  it('fires when that restart also loses the term the node did reveal', () => {
    const history = freshCluster();
    history.step(1, { term: 2, send: true });
    history.follow(1, 3);
    history.crash(1);
    const violation = history.start(1, { term: 1 });

    expect(violation).toMatchObject({ invariant: 'monotonic-term', evidence: { term: 1, floor: 2 } });
  });

  it('fires when a node that revealed a term restarts twice and comes back below it the second time', () => {
    // The floor survives incarnations: what was revealed stays revealed.
    const history = freshCluster();
    history.step(1, { term: 4, send: true });
    history.crash(1);
    history.start(1, { term: 4 });
    history.crash(1);
    const violation = history.start(1, { term: 3 });

    expect(violation).toMatchObject({ invariant: 'monotonic-term', evidence: { term: 3, floor: 4 } });
  });

  it('does not fire when the term stays equal across a restart', () => {
    const history = freshCluster();
    history.becomeLeader(1, 2);
    history.crash(1);
    history.start(1); // term 2 from durable storage

    expect(history.violation).toBeNull();
    expect(history.mirror(1).term).toBe(2);
  });

  it('does not fire on nodes that offer no view', () => {
    // Without a view there is no term to compare.
    const history = new History();
    history.start(1, { withoutView: true });
    history.step(1, { withoutView: true, send: true });

    expect(history.violation).toBeNull();
  });

  it('passes its end-of-run audit on terms that only grew', () => {
    const history = freshCluster();
    history.follow(1, 2);
    history.becomeLeader(1, 3);
    history.crash(2);
    history.start(2, { term: 0 }); // n2 never revealed a term

    expect(history.violation).toBeNull();
    expect(history.auditOf('monotonic-term')).toBeNull();
  });

  it('catches in its audit a term below the highest it reached in this incarnation', () => {
    const history = freshCluster();
    history.follow(1, 3);
    history.hidden(() => history.follow(1, 2));

    expect(history.violation).toBeNull();
    expect(history.auditOf('monotonic-term')).toMatchObject({
      invariant: 'monotonic-term',
      nodes: [1],
      evidence: { highest: 3, now: 2 },
    });
  });

  it('treats the first view after a start without a view as the start of the incarnation', () => {
    // n1 revealed term 2, reached term 3 silently, crashed, and its start output carried no
    // view: its first view, at term 2, is the restart, and losing the unrevealed term 3 is legal.
    const history = freshCluster();
    history.step(1, { term: 2, send: true });
    history.follow(1, 3);
    history.crash(1);
    history.start(1, { withoutView: true });
    history.step(1, { term: 2 });

    expect(history.violation).toBeNull();
  });
});

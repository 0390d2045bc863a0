// The one client-history recorder (src/world/history.ts), as a driver with client behaviour
// feeds it (the simulator's clients): attempts in flight until they arrive, answers routed only
// to the latest attempt at its node and incarnation, crashes cutting the connections that
// reached the node, and what the clients hear back, in order.

import { describe, expect, it } from 'vitest';
import type { Output } from '../../src/contract/contract.js';
import type { ClientHistoryListener } from '../../src/world/history.js';
import { ClientHistory } from '../../src/world/history.js';

const output = (parts: Partial<Output>): Output => ({ messages: [], records: [], sync: false, applied: [], answers: [], ...parts });
const accepted = (commandId: number) => output({ answers: [{ commandId, kind: 'accepted', index: 1, term: 1 }] });
const applied = (commandId: number) => output({ applied: [{ index: 1, term: 1, commandId }] });

/** A recorder with client 1's append open (invoked at 5 ms) and sent as command 10 to node 1. */
function withOneAttempt(): ClientHistory {
  const history = new ClientHistory();
  history.invoke({ client: 1, sequence: 1, kind: 'append', key: 'x0', value: 'c1.1;' }, 5);
  history.attempt(1, 10, 1);
  return history;
}

/** A listener that writes down what it hears. */
function heard(): { events: string[]; listener: ClientHistoryListener } {
  const events: string[] = [];
  return {
    events,
    listener: {
      accepted: (client, node) => events.push(`accepted c${client} at n${node}`),
      completed: (client, operation) => events.push(`completed c${client} op ${operation.id}`),
      notLeader: (client, node, hint) => events.push(`notLeader c${client} at n${node} hint ${hint}`),
    },
  };
}

describe('the client history recorder', () => {
  it('counts an answer only once the attempt has arrived at its node', () => {
    const history = withOneAttempt();
    expect(history.stepped(1, accepted(10), 6)).toBe(0);
    expect(history.operations()[0].acceptedAttempts).toBe(0);
    expect(history.arrived(1, 10)).toBe(true);
    history.stepped(1, accepted(10), 7);
    expect(history.stepped(1, applied(10), 8)).toBe(1);
    expect(history.operations()).toEqual([
      { id: 1, client: 1, kind: 'append', key: 'x0', value: 'c1.1;', invokeMs: 5, attempts: 1, acceptedAttempts: 1, completion: { completeMs: 8 }, node: 1 },
    ]);
    expect(history.completedCount).toBe(1);
  });

  it('does not complete an applied entry that its node never accepted for this attempt', () => {
    const history = withOneAttempt();
    history.arrived(1, 10);
    expect(history.stepped(1, applied(10), 6)).toBe(0);
  });

  it('routes answers only to the latest attempt: an earlier one is over', () => {
    const history = withOneAttempt();
    history.arrived(1, 10);
    history.attempt(1, 11, 2);
    expect(history.arrived(1, 10)).toBe(false);
    history.stepped(1, accepted(10), 6);
    expect(history.operations()[0]).toMatchObject({ attempts: 2, acceptedAttempts: 0 });
  });

  it('cuts, at a crash, the attempts that reached the node, and not those still in flight to it', () => {
    const history = new ClientHistory();
    for (const client of [2, 1, 3]) history.invoke({ client, sequence: 1, kind: 'get', key: 'x0' }, 0);
    history.attempt(2, 20, 1);
    history.attempt(1, 10, 1);
    history.attempt(3, 30, 1);
    history.arrived(2, 20);
    history.arrived(1, 10);
    expect(history.crashed(1)).toEqual([1, 2]);
    // The one in flight reaches the restarted node and is answered there.
    history.arrived(3, 30);
    expect(history.stepped(1, output({ answers: [{ commandId: 30, kind: 'read', value: null }, { commandId: 10, kind: 'read', value: null }] }), 9)).toBe(1);
    expect(history.operations().map((operation) => operation.completion)).toEqual([undefined, undefined, { completeMs: 9, result: null }]);
  });

  it('records a given-up operation as indeterminate, checked only if some node accepted it', () => {
    const history = withOneAttempt();
    history.arrived(1, 10);
    history.stepped(1, accepted(10), 6);
    expect(history.giveUp(1)?.id).toBe(1);
    history.invoke({ client: 1, sequence: 2, kind: 'put', key: 'x0', value: 'c1.2' }, 7);
    history.attempt(1, 11, 2);
    history.giveUp(1);
    expect(history.openOperation(1)).toBeUndefined();
    expect(history.operations().map((operation) => operation.completion)).toEqual([undefined, undefined]);
    expect(history.checked().map((operation) => operation.id)).toEqual([1]);
    expect(history.latestSequence(1)).toBe(2);
  });

  it('ignores the answers of a withdrawn attempt, leaving the operation open', () => {
    const history = withOneAttempt();
    history.arrived(1, 10);
    history.withdraw(1);
    expect(history.stepped(1, output({ answers: [{ commandId: 10, kind: 'notLeader', leaderHint: 2 }] }), 6)).toBe(0);
    expect(history.openOperation(1)).toMatchObject({ attempt: null, sequence: 1 });
  });

  it('tells the listener what each answer and applied entry meant, in the order of the output', () => {
    const history = new ClientHistory();
    for (const client of [1, 2]) {
      history.invoke({ client, sequence: 1, kind: 'put', key: 'x0', value: `c${client}.1` }, 0);
      history.attempt(client, client * 10, 1);
      history.arrived(client, client * 10);
    }
    const { events, listener } = heard();
    const answers: Output['answers'] = [
      { commandId: 20, kind: 'notLeader', leaderHint: 3 },
      { commandId: 10, kind: 'accepted', index: 1, term: 1 },
    ];
    history.stepped(1, output({ answers, applied: [{ index: 1, term: 1, commandId: 10 }] }), 4, listener);
    expect(events).toEqual(['notLeader c2 at n1 hint 3', 'accepted c1 at n1', 'completed c1 op 1']);
  });
});

// The process protocol's pure parts (src/adapters/process/protocol.ts), version 2: a hello that
// lists the optional features a program supports, version 1 hellos accepted as before with no
// features, and the new output fields carried whole (the rejected answer checked here; the
// configuration in the view and the snapshots by the one check of every driver,
// src/contract/validate.ts).

import { describe, expect, it } from 'vitest';
import { helloLine, parseHello, parseOutput } from '../../src/adapters/process/protocol.js';

const hello = (fields: Record<string, unknown>) => parseHello(JSON.stringify({ name: 'fake', version: '1.0', ...fields }));
const problemOf = (result: { ok: true } | { ok: false; message: string }) => (result.ok ? null : result.message);
const output = (fields: Record<string, unknown>) => parseOutput(JSON.stringify({ messages: [], records: [], sync: false, applied: [], answers: [], ...fields }));
const configuration = { voters: [1, 2, 3], learners: [4], votersOutgoing: [] };
const snapshot = { index: 5, term: 2, configuration, data: { k1: 'v1' } };

describe('the hello of protocol 2', () => {
  it('is what the harness sends first, naming the newest version it speaks', () => {
    expect(JSON.parse(helloLine)).toEqual({ kind: 'hello', protocol: 2 });
  });

  it('takes the features a program lists, in the contract order, once each', () => {
    const parsed = hello({ protocol: 2, features: ['snapshots', 'membership', 'snapshots'] });
    expect(parsed.ok && parsed.hello).toMatchObject({ protocol: 2, features: ['membership', 'snapshots'] });
  });

  it('gives a program of protocol 2 that lists nothing no features', () => {
    const parsed = hello({ protocol: 2 });
    expect(parsed.ok && parsed.hello.features).toEqual([]);
  });

  it('still accepts a protocol 1 answer, with no features', () => {
    const parsed = hello({ protocol: 1, restartable: true });
    expect(parsed.ok && parsed.hello).toEqual({ name: 'fake', version: '1.0', restartable: true, timing: 'ticks', protocol: 1, features: [] });
  });

  it('names an unknown feature and where it is in the list', () => {
    expect(problemOf(hello({ protocol: 2, features: ['membership', 'prevote'] }))).toBe(
      'answered hello with an unknown feature "prevote" (features[1]); known features: membership, snapshots, preVote, checkQuorum, leadershipTransfer, leaseReads, asyncStorageWrites',
    );
  });

  it('refuses features that are not a list', () => {
    expect(problemOf(hello({ protocol: 2, features: 'membership' }))).toContain('answered hello with features string "membership"; expected a list of feature names');
  });

  it('refuses features under protocol 1, which has none', () => {
    expect(problemOf(hello({ protocol: 1, features: ['snapshots'] }))).toContain('features need protocol 2');
  });

  it('takes the drift a program that serves lease reads declares', () => {
    const parsed = hello({ protocol: 2, features: ['leaseReads', 'preVote', 'checkQuorum', 'leadershipTransfer'], leaseDriftMax: 0.05 });
    expect(parsed.ok && parsed.hello).toMatchObject({ features: ['preVote', 'checkQuorum', 'leadershipTransfer', 'leaseReads'], leaseDriftMax: 0.05 });
  });

  it('refuses lease reads without a declared drift, and a drift without lease reads', () => {
    expect(problemOf(hello({ protocol: 2, features: ['leaseReads'] }))).toContain('the leaseReads feature but no leaseDriftMax');
    expect(problemOf(hello({ protocol: 2, features: ['preVote'], leaseDriftMax: 0.1 }))).toBe('answered hello with leaseDriftMax 0.1 but without the leaseReads feature');
    expect(problemOf(hello({ protocol: 2, features: ['leaseReads'], leaseDriftMax: 1.5 }))).toBe('answered hello with leaseDriftMax 1.5; expected a number in [0, 1)');
  });

  it('takes the guards a program declares for removed nodes that run on, in its order', () => {
    const parsed = hello({ protocol: 2, features: ['membership', 'preVote', 'checkQuorum'], removedNodeGuards: ['preVote', 'checkQuorum'] });
    expect(parsed.ok && parsed.hello.removedNodeGuards).toEqual(['preVote', 'checkQuorum']);
    const none = hello({ protocol: 2, features: ['membership'] });
    expect(none.ok && none.hello.removedNodeGuards).toBeUndefined();
  });

  it('refuses removed-node guards that are not options it lists, or without membership', () => {
    const expected = 'expected a list of checkQuorum and preVote, each also a feature it lists';
    expect(problemOf(hello({ protocol: 2, features: ['membership'], removedNodeGuards: ['checkQuorum'] }))).toBe(`answered hello with removedNodeGuards[0] "checkQuorum"; ${expected}`);
    expect(problemOf(hello({ protocol: 2, features: ['membership', 'leaseReads'], leaseDriftMax: 0, removedNodeGuards: ['leaseReads'] }))).toBe(`answered hello with removedNodeGuards[0] "leaseReads"; ${expected}`);
    expect(problemOf(hello({ protocol: 2, features: ['membership', 'checkQuorum'], removedNodeGuards: 'checkQuorum' }))).toBe(`answered hello with removedNodeGuards string "checkQuorum"; ${expected}`);
    expect(problemOf(hello({ protocol: 2, features: ['checkQuorum'], removedNodeGuards: ['checkQuorum'] }))).toBe('answered hello with removedNodeGuards ["checkQuorum"] but without the membership feature');
  });

  it('names the versions it speaks when a program answers with another', () => {
    expect(problemOf(hello({ protocol: 3 }))).toBe('answered hello with protocol 3; this raftcheck speaks protocols 1 and 2 (docs/PROTOCOL.md)');
  });
});

describe('the outputs of protocol 2', () => {
  it('pass through with a rejected answer, the configuration view and snapshots taken and installed', () => {
    const fields = {
      answers: [{ commandId: 41, kind: 'rejected', reason: 'a change is in progress' }],
      state: {
        ...{ role: 'leader', term: 3, votedFor: 1, commitIndex: 7, appliedIndex: 7, leaderHint: 1, snapshotIndex: 5, snapshotTerm: 2 },
        configuration: { latest: configuration, latestIndex: 6, committed: configuration, committedIndex: 6 },
      },
      snapshotTaken: snapshot,
      snapshotInstalled: snapshot,
    };
    const parsed = output(fields);
    expect(parsed.ok && parsed.output).toMatchObject(fields);
  });

  it('pass a transfer answered transferAccepted with its term, and name one without', () => {
    const parsed = output({ answers: [{ commandId: 42, kind: 'transferAccepted', term: 3 }] });
    expect(parsed.ok && parsed.output.answers).toEqual([{ commandId: 42, kind: 'transferAccepted', term: 3 }]);
    expect(problemOf(output({ answers: [{ commandId: 42, kind: 'transferAccepted' }] }))).toContain('output.answers[0].term: expected an integer');
  });

  it('pass a view with its vote guard and lease, and name either when not a boolean', () => {
    const state = { role: 'follower', term: 3, votedFor: 1, commitIndex: 7, appliedIndex: 7, leaderHint: 1 };
    const parsed = output({ state: { ...state, voteGuard: false, leaseHeld: true } });
    expect(parsed.ok && parsed.output.state).toMatchObject({ voteGuard: false, leaseHeld: true });
    expect(problemOf(output({ state: { ...state, voteGuard: 1 } }))).toBe('answered with a wrong shape: output.state.voteGuard: expected true or false, got number 1');
    expect(problemOf(output({ state: { ...state, leaseHeld: 'yes' } }))).toBe('answered with a wrong shape: output.state.leaseHeld: expected true or false, got string "yes"');
  });

  it('name a rejected answer without a reason', () => {
    expect(problemOf(output({ answers: [{ commandId: 41, kind: 'rejected' }] }))).toContain('output.answers[0].reason: expected a string');
  });

  it('name the answer kinds they know when one is unknown', () => {
    expect(problemOf(output({ answers: [{ commandId: 41, kind: 'refused' }] }))).toContain('output.answers[0].kind: expected "accepted", "notLeader", "read", "rejected" or "transferAccepted"');
  });
});

// lease-safety: a read answered at once (from a lease), or a lease held, only while a quorum of
// the node's voters still holds its vote (thesis 6.4.1), judged from the voters' guards as their
// views report them (StateView.voteGuard, leaseHeld): at the read, at the holder's steps, and at
// the step where a voter's guard lapses.

import { describe, expect, it } from 'vitest';
import { leaseSafety } from '../../invariants/index.js';
import type { Configuration, Input, ProposalAnswer } from '../../src/contract/contract.js';
import type { NodeLook } from '../support/judgedSteps.js';
import { JudgedSteps } from '../support/judgedSteps.js';

const leader = (voteGuard: boolean | undefined = true): NodeLook => ({ role: 'leader', term: 2, log: [1, 2], voteGuard });
const follower = (voteGuard: boolean | undefined, term = 2): NodeLook => ({ role: 'follower', term, log: [1, 2], voteGuard });

/** n1 leads term 2; its followers' guards as given. */
function cluster(...followers: NodeLook[]): JudgedSteps {
  return new JudgedSteps(leaseSafety, [leader(), ...followers]);
}

const readInput: Input = { kind: 'read', command: { id: 7, op: 'get', key: 'k' } };
const readAnswer: ProposalAnswer = { commandId: 7, kind: 'read', value: null };

/** n1 takes the read and answers it in the same output (at once), or not. */
function serve(steps: JudgedSteps, look: NodeLook = leader(), answers: readonly ProposalAnswer[] = [readAnswer]) {
  return steps.step(1, readInput, look, [], answers);
}

describe('lease-safety', () => {
  it("fires when a leader answers a read at once after its voters' guards lapsed", () => {
    const violation = serve(cluster(follower(false), follower(false)));
    expect(violation).toMatchObject({ invariant: 'lease-safety', nodes: [1], evidence: { read: 7, term: 2, voters: [1, 2, 3], holding: [1], lapsed: [2, 3] } });
    expect(violation?.message).toContain('answered read 7 at once, from a lease, while only n1 of voters n1, n2, n3');
  });

  it('lets the read go while a quorum holds its vote, the leader counted', () => {
    expect(serve(cluster(follower(true), follower(false)))).toBeNull();
    expect(serve(cluster(follower(false), follower(true)))).toBeNull();
  });

  it('counts a voter of a higher term as lapsed if it voted or heard a leader there (another leader may lead)', () => {
    expect(serve(cluster({ ...follower(true, 3), votedFor: 3 }, follower(false)))?.evidence).toMatchObject({ holding: [1], lapsed: [2, 3] });
    expect(serve(cluster({ ...follower(true, 3), leaderHint: 3 }, follower(false)))?.evidence).toMatchObject({ holding: [1], lapsed: [2, 3] });
    expect(serve(cluster(follower(false, 3), follower(false)))?.evidence).toMatchObject({ holding: [1], lapsed: [2, 3] });
  });

  it('counts a voter of a higher term as holding if it kept its guard there, with no vote and no leader (a term learned from a late answer)', () => {
    expect(serve(cluster(follower(true, 3), follower(false)))).toBeNull();
  });

  it('counts a voter that is down as holding (it votes for no one until it starts again)', () => {
    const steps = cluster(follower(false), follower(false));
    steps.crash(2);
    expect(serve(steps)).toBeNull();
  });

  it('judges only reads answered in the output of their own input (ReadIndex answers after a round)', () => {
    const steps = cluster(follower(false), follower(false));
    expect(serve(steps, leader(), [])).toBeNull();
    expect(steps.step(1, { kind: 'tick' }, leader(), [], [readAnswer])).toBeNull();
  });

  it('does not judge a node whose views do not report the guard', () => {
    const unguarded: NodeLook = { role: 'leader', term: 2, log: [1, 2] };
    expect(serve(new JudgedSteps(leaseSafety, [unguarded, follower(undefined), follower(undefined)]), unguarded)).toBeNull();
  });

  it('fires only where the voters not holding are a quorum of the reader\'s configuration: both halves of a joint one', () => {
    const joint: Configuration = { voters: [1, 2, 3], learners: [], votersOutgoing: [1, 4, 5] };
    const view = { latest: joint, latestIndex: 2, committed: joint, committedIndex: 2 };
    const withJoint = (look: NodeLook): NodeLook => ({ ...look, configuration: view });
    // n1 and n4 hold: {2, 3} are a majority of {1, 2, 3}, but {5} is none of {1, 4, 5}.
    const safe = new JudgedSteps(leaseSafety, [withJoint(leader()), follower(false), follower(false), follower(true), follower(false)]);
    expect(serve(safe, withJoint(leader()))).toBeNull();
    const broken = new JudgedSteps(leaseSafety, [withJoint(leader()), follower(false), follower(false), follower(false), follower(false)]);
    expect(serve(broken, withJoint(leader()))?.evidence).toMatchObject({ voters: [1, 2, 3, 4, 5], holding: [1], lapsed: [2, 3, 4, 5] });
  });

  it('lets a lease stand in a configuration of four with two holders: the other two are no quorum', () => {
    const four: Configuration = { voters: [1, 2, 3, 4], learners: [], votersOutgoing: [] };
    const view = { latest: four, latestIndex: 2, committed: four, committedIndex: 2 };
    const withFour = (look: NodeLook): NodeLook => ({ ...look, configuration: view });
    expect(serve(new JudgedSteps(leaseSafety, [withFour(leader()), follower(true), follower(false), follower(false)]), withFour(leader()))).toBeNull();
    expect(serve(new JudgedSteps(leaseSafety, [withFour(leader()), follower(false), follower(false), follower(false)]), withFour(leader()))?.invariant).toBe('lease-safety');
  });

  it("fires at the step where a voter's guard lapses and the lease held elsewhere loses its quorum", () => {
    // Views that report leaseHeld (a follower: false), as an implementation with lease reads sends them.
    const leasing = (look: NodeLook): NodeLook => ({ ...look, leaseHeld: look.leaseHeld ?? false });
    const steps = cluster(leasing(follower(true)), leasing(follower(true)));
    const holder: NodeLook = { ...leader(), leaseHeld: true };
    expect(steps.step(1, { kind: 'tick' }, holder)).toBeNull();
    expect(steps.step(2, { kind: 'tick' }, leasing(follower(false)))).toBeNull();
    // Without leaseHeld in its view a voter's step judges no lease held elsewhere (no lease reads in its run).
    expect(steps.step(3, { kind: 'tick' }, follower(false))).toBeNull();
    expect(steps.step(3, { kind: 'tick' }, leasing(follower(true)))).toBeNull();
    const violation = steps.step(3, { kind: 'tick' }, leasing(follower(false)));
    expect(violation).toMatchObject({ invariant: 'lease-safety', nodes: [1, 3], evidence: { term: 2, holding: [1], lapsed: [2, 3] } });
    expect(violation?.message).toContain('n1 (leader, term 2) holds a lease');
  });

  it("fires at the holder's own step when it holds a lease its voters no longer guard", () => {
    const steps = cluster(follower(false), follower(false));
    expect(steps.step(1, { kind: 'tick' }, { ...leader(), leaseHeld: true })?.evidence).toMatchObject({ holding: [1], lapsed: [2, 3] });
  });

  it('judges no lease where none is held, nor a term that rose at a voter while the guard of a quorum holds', () => {
    const steps = cluster(follower(true), follower(true));
    expect(steps.step(1, { kind: 'tick' }, { ...leader(), leaseHeld: false })).toBeNull();
    expect(steps.step(3, { kind: 'tick' }, follower(false, 3))).toBeNull();
    expect(steps.step(2, { kind: 'tick' }, follower(false))).toBeNull();
  });
});

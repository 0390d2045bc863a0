// leadership-transfer: TimeoutNow reaches a target of the leader's term only once it holds the
// leader's whole log, and a leader accepts no proposal for electionTicksMin of its ticks after
// accepting a transfer, while it still leads that term (thesis 3.10).

import { describe, expect, it } from 'vitest';
import { leadershipTransfer } from '../../invariants/index.js';
import type { MessageView, ProposalAnswer } from '../../src/contract/contract.js';
import { JudgedSteps, stepOptions } from '../support/judgedSteps.js';

const leader = { role: 'leader', term: 1, log: [1, 1] } as const;
const caughtUp = { role: 'follower', term: 1, log: [1, 1] } as const;
const lagging = { role: 'follower', term: 1, log: [1] } as const;
const timeoutNow: MessageView = { kind: 'timeoutNow', term: 1 };
const campaigning = { role: 'candidate', term: 2, log: [1] } as const;

/** n1 leads term 1 with two entries; n2 holds them, n3 only the first. */
const cluster = () => new JudgedSteps(leadershipTransfer, [leader, caughtUp, lagging]);

const transferAccepted: ProposalAnswer = { commandId: 50, kind: 'transferAccepted', term: 1 };
const proposalAccepted: ProposalAnswer = { commandId: 51, kind: 'accepted', index: 3, term: 1 };
const transfer = { kind: 'transferLeadership', transfer: { id: 50, target: 3 } } as const;
const propose = { kind: 'propose', command: { id: 51, op: 'set', key: 'k', value: 'v' } } as const;

describe('leadership-transfer: TimeoutNow', () => {
  it("fires when TimeoutNow reaches a target of the leader's term that lacks the leader's last entry", () => {
    const steps = cluster();
    expect(steps.step(1, transfer, leader, [{ to: 3, view: timeoutNow }], [transferAccepted])).toBeNull();
    const violation = steps.deliver(3, 1, timeoutNow, campaigning);
    expect(violation).toMatchObject({ invariant: 'leadership-transfer', nodes: [1, 3], evidence: { term: 1, leaderLast: { index: 2, term: 1 }, targetLast: { index: 1, term: 1 } } });
  });

  it('lets TimeoutNow go to a target holding the whole log, and ignores one that reaches a later term', () => {
    const steps = cluster();
    steps.step(1, transfer, leader, [{ to: 2, view: timeoutNow }, { to: 3, view: timeoutNow }], [transferAccepted]);
    expect(steps.deliver(2, 1, timeoutNow, { ...campaigning, log: [1, 1] })).toBeNull();
    // n3 moved on to term 2 before the TimeoutNow of term 1 arrived: it does not campaign on it.
    steps.deliver(3, 2, { kind: 'append', term: 2, prevIndex: 1, prevTerm: 1, entries: 0, commit: 0 }, { role: 'follower', term: 2, log: [1] });
    expect(steps.deliver(3, 1, timeoutNow, { role: 'follower', term: 2, log: [1] })).toBeNull();
  });
});

describe('leadership-transfer: proposals during a transfer', () => {
  it('fires when the leader accepts a proposal after accepting a transfer', () => {
    const steps = cluster();
    steps.step(1, transfer, leader, [], [transferAccepted]);
    steps.step(1, { kind: 'tick' }, leader);
    const violation = steps.step(1, propose, { ...leader, log: [1, 1, 1] }, [], [proposalAccepted]);
    expect(violation).toMatchObject({ invariant: 'leadership-transfer', nodes: [1], evidence: { term: 1, ticksSinceTransferAccepted: 1, electionTicksMin: stepOptions.electionTicksMin, commandId: 51 } });
  });

  it('lets the leader accept proposals again once electionTicksMin ticks passed (the transfer may be abandoned)', () => {
    const steps = cluster();
    steps.step(1, transfer, leader, [], [transferAccepted]);
    for (let tick = 0; tick < stepOptions.electionTicksMin; tick += 1) expect(steps.step(1, { kind: 'tick' }, leader)).toBeNull();
    expect(steps.step(1, propose, { ...leader, log: [1, 1, 1] }, [], [proposalAccepted])).toBeNull();
  });

  it('closes the window when the leader steps down or moves to another term', () => {
    const steps = cluster();
    steps.step(1, transfer, leader, [], [transferAccepted]);
    steps.step(1, { kind: 'tick' }, { ...leader, role: 'follower' });
    expect(steps.step(1, propose, { role: 'leader', term: 1, log: [1, 1, 1] }, [], [proposalAccepted])).toBeNull();
  });

  it("closes the window once the target is no longer a voter of the leader's configuration (etcd aborts such a transfer)", () => {
    const configuration = (voters: number[]) => ({ latest: { voters, learners: [], votersOutgoing: [] }, latestIndex: 2, committed: { voters, learners: [], votersOutgoing: [] }, committedIndex: 2 });
    const withTarget = { ...leader, configuration: configuration([1, 2, 3]) };
    const steps = cluster();
    steps.step(1, transfer, withTarget, [], [transferAccepted]);
    // Still a voter: the window stays open and an accepted proposal is a violation.
    expect(steps.step(1, { kind: 'tick' }, withTarget)).toBeNull();
    expect(steps.step(1, propose, { ...withTarget, log: [1, 1, 1] }, [], [proposalAccepted])).toMatchObject({ invariant: 'leadership-transfer', nodes: [1] });
    const again = cluster();
    again.step(1, transfer, withTarget, [], [transferAccepted]);
    // n3 removed from the configuration the leader applied: the transfer is over.
    expect(again.step(1, { kind: 'tick' }, { ...leader, configuration: configuration([1, 2]) })).toBeNull();
    expect(again.step(1, propose, { ...leader, log: [1, 1, 1], configuration: configuration([1, 2]) }, [], [proposalAccepted])).toBeNull();
  });

  it('lets a refused proposal through: notLeader is what a transfer asks for', () => {
    const steps = cluster();
    steps.step(1, transfer, leader, [], [transferAccepted]);
    expect(steps.step(1, propose, leader, [], [{ commandId: 51, kind: 'notLeader', leaderHint: 3 }])).toBeNull();
  });
});

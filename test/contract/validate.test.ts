// The one check of an output against the contract (src/contract/validate.ts), for the parts
// membership changes add: messages may go to any node of the run's universe (spares included),
// only a membership change or a leadership transfer is ever answered `rejected`, only a transfer
// `transferAccepted`, each in the output of its own input, and the view's configurations have
// their shape.

import { describe, expect, it } from 'vitest';
import type { ConfigurationView, Input, Output } from '../../src/contract/contract.js';
import { emptyOutput } from '../../src/contract/contract.js';
import { validateOutput } from '../../src/contract/validate.js';

const change: Input = { kind: 'changeMembership', change: { id: 7, steps: [{ action: 'addLearner', node: 4 }] } };
const rejected = (commandId: number): Output => ({ ...emptyOutput(), answers: [{ commandId, kind: 'rejected', reason: 'busy' }] });

describe('validateOutput', () => {
  it('accepts a rejection of the membership change of this input', () => {
    expect(validateOutput(rejected(7), 1, [1, 2, 3], change)).toBeNull();
  });

  it('refuses a rejection of anything else', () => {
    expect(validateOutput(rejected(8), 1, [1, 2, 3], change)).toBe('answered rejected to 8, which is not the membership change or leadership transfer of this input');
    expect(validateOutput(rejected(7), 1, [1, 2, 3], { kind: 'tick' })).toContain('not the membership change');
  });

  it('accepts a transfer answered transferAccepted or rejected in the output of its own input', () => {
    const transfer: Input = { kind: 'transferLeadership', transfer: { id: 9, target: 2 } };
    const started: Output = { ...emptyOutput(), answers: [{ commandId: 9, kind: 'transferAccepted', term: 3 }] };
    expect(validateOutput(started, 1, [1, 2, 3], transfer)).toBeNull();
    expect(validateOutput(rejected(9), 1, [1, 2, 3], transfer)).toBeNull();
  });

  it('refuses transferAccepted to anything but the transfer of this input', () => {
    const started: Output = { ...emptyOutput(), answers: [{ commandId: 7, kind: 'transferAccepted', term: 3 }] };
    expect(validateOutput(started, 1, [1, 2, 3], change)).toBe('answered transferAccepted to 7, which is not the leadership transfer of this input');
    const otherTransfer: Input = { kind: 'transferLeadership', transfer: { id: 8, target: 2 } };
    expect(validateOutput(started, 1, [1, 2, 3], otherTransfer)).toContain('not the leadership transfer');
  });

  it('lets a node send to a spare of the universe, and to no one outside it', () => {
    const toFour: Output = { ...emptyOutput(), messages: [{ to: 4, message: { type: 'AppendEntries', body: null } }] };
    expect(validateOutput(toFour, 1, [1, 2, 3, 4], { kind: 'tick' })).toBeNull();
    expect(validateOutput(toFour, 1, [1, 2, 3], { kind: 'tick' })).toBe('sent a AppendEntries message to unknown node 4');
  });

  it('accepts a view with its configurations, and names what is wrong in one', () => {
    const configuration = { voters: [1, 2, 3], learners: [4], votersOutgoing: [] };
    const viewed = (view: unknown): Output => ({
      ...emptyOutput(),
      state: { role: 'leader', term: 2, votedFor: 1, commitIndex: 3, appliedIndex: 3, leaderHint: 1, configuration: view as ConfigurationView },
    });
    const good = { latest: configuration, latestIndex: 3, committed: configuration, committedIndex: 3 };
    expect(validateOutput(viewed(good), 1, [1, 2, 3, 4], { kind: 'tick' })).toBeNull();
    expect(validateOutput(viewed({ ...good, latest: { ...configuration, learners: ['n4'] } }), 1, [1, 2, 3, 4], { kind: 'tick' })).toBe(
      'sent a view whose configuration.latest.learners is not a list of node ids',
    );
    expect(validateOutput(viewed({ ...good, committedIndex: undefined }), 1, [1, 2, 3, 4], { kind: 'tick' })).toBe('sent a view whose configuration.committedIndex is not a whole number >= 0');
    expect(validateOutput(viewed({ ...good, committed: null }), 1, [1, 2, 3, 4], { kind: 'tick' })).toBe('sent a view whose configuration.committed is not an object');
  });
});

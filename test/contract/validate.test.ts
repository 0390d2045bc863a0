// The one check of an output against the contract (src/contract/validate.ts), for the parts
// membership changes add: messages may go to any node of the run's universe (spares included),
// and only a membership change is ever answered `rejected`, in the output of its own input.

import { describe, expect, it } from 'vitest';
import type { Input, Output } from '../../src/contract/contract.js';
import { emptyOutput } from '../../src/contract/contract.js';
import { validateOutput } from '../../src/contract/validate.js';

const change: Input = { kind: 'changeMembership', change: { id: 7, steps: [{ action: 'addLearner', node: 4 }] } };
const rejected = (commandId: number): Output => ({ ...emptyOutput(), answers: [{ commandId, kind: 'rejected', reason: 'busy' }] });

describe('validateOutput', () => {
  it('accepts a rejection of the membership change of this input', () => {
    expect(validateOutput(rejected(7), 1, [1, 2, 3], change)).toBeNull();
  });

  it('refuses a rejection of anything else', () => {
    expect(validateOutput(rejected(8), 1, [1, 2, 3], change)).toBe('answered rejected to 8, which is not the membership change of this input');
    expect(validateOutput(rejected(7), 1, [1, 2, 3], { kind: 'tick' })).toContain('not the membership change');
  });

  it('lets a node send to a spare of the universe, and to no one outside it', () => {
    const toFour: Output = { ...emptyOutput(), messages: [{ to: 4, message: { type: 'AppendEntries', body: null } }] };
    expect(validateOutput(toFour, 1, [1, 2, 3, 4], { kind: 'tick' })).toBeNull();
    expect(validateOutput(toFour, 1, [1, 2, 3], { kind: 'tick' })).toBe('sent a AppendEntries message to unknown node 4');
  });
});

// The contract's output check (src/contract/validate.ts) for feature 'snapshots': a view's
// snapshot index and term, and the snapshots an output reports, have the contract's shapes, or the
// output is the implementation's error with a message that names the field.

import { describe, expect, it } from 'vitest';
import type { Output, SnapshotView } from '../../src/contract/contract.js';
import { emptyOutput } from '../../src/contract/contract.js';
import { validateOutput } from '../../src/contract/validate.js';

const good: SnapshotView = { index: 3, term: 1, configuration: { voters: [1, 2, 3], learners: [], votersOutgoing: [] }, data: { k: 'v' } };

function taken(snapshot: unknown): Output {
  return { ...emptyOutput(), snapshotTaken: snapshot as SnapshotView };
}

describe('the output check of snapshots', () => {
  it('accepts well-formed snapshots and a view with a snapshot index and term', () => {
    const output: Output = { ...taken(good), snapshotInstalled: good, state: { role: 'follower', term: 1, votedFor: null, commitIndex: 3, appliedIndex: 3, leaderHint: null, snapshotIndex: 3, snapshotTerm: 1 } };
    expect(validateOutput(output, 1, [1, 2, 3], { kind: 'tick' })).toBeNull();
  });

  it.each([
    [null, 'not an object'],
    [{ ...good, index: 0 }, 'index is not a whole number >= 1'],
    [{ ...good, term: -1 }, 'term is not a whole number >= 0'],
    [{ ...good, configuration: { voters: [1], learners: 'none', votersOutgoing: [] } }, 'configuration.learners is not a list of node ids'],
    [{ ...good, data: { k: 7 } }, 'data["k"] is not a string'],
    [{ ...good, data: ['v'] }, 'data is not an object of strings'],
  ])('refuses a reported snapshot %j, naming what is wrong', (snapshot, problem) => {
    expect(validateOutput(taken(snapshot), 1, [1, 2, 3], { kind: 'tick' })).toBe(`reported a snapshotTaken that is not a snapshot {index, term, configuration, data}: ${problem}`);
  });

  it('refuses a view whose snapshot index is not a whole number', () => {
    const output: Output = { ...emptyOutput(), state: { role: 'follower', term: 1, votedFor: null, commitIndex: 0, appliedIndex: 0, leaderHint: null, snapshotIndex: 1.5 } };
    expect(validateOutput(output, 1, [1, 2, 3], { kind: 'tick' })).toBe('sent a view whose snapshotIndex is not a whole number >= 0');
  });
});

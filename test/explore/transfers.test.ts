// The explorer with leadership-transfer steps (feature 'leadershipTransfer'): a bounded number of
// transfers handed to a node that claims to lead, one per other voter, as the simulator's
// administrator asks. Off by default (so the state counts stay as they were), validated like
// the other bounds, judged by every invariant as the simulator judges its steps.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { exploreOptionProblems } from '../../src/explore/options.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { smallExplore, smallExploreOptions } from '../support/explore.js';

const transferBounds = { ...smallExplore.bounds, depthMax: 7, termMax: 2, crashesMax: 0, requestsMax: 0, reordersMax: 1, transfersMax: 1 };

describe('exploring with transfer steps', () => {
  it('finds transfer-to-lagging-node through a transfer, which the same bounds without transfers do not', () => {
    const implementation = referenceImplementation(bugsFromNames(['transfer-to-lagging-node']));
    expect(smallExplore(implementation, { bounds: { ...transferBounds, transfersMax: 0 } }).status).toBe('ok');
    const found = smallExplore(implementation, { bounds: transferBounds });
    expect(found.violation?.invariant).toBe('leadership-transfer');
    expect(found.path?.filter((step) => step.kind === 'transferLeadership')).toHaveLength(1);
  });

  it('finds no violation in the correct reference within the same bounds, having taken transfers', () => {
    const result = smallExplore(referenceImplementation(), { bounds: transferBounds });
    expect(result.status).toBe('ok');
    expect(result.stoppedBy).toBe('exhausted');
    const without = smallExplore(referenceImplementation(), { bounds: { ...transferBounds, transfersMax: 0 } });
    expect(result.distinctStates).toBeGreaterThan(without.distinctStates);
  });

  it('counts the same states with no transfer bound as with a bound of 0', () => {
    const { transfersMax: _, ...bounds } = transferBounds;
    const unset = smallExplore(referenceImplementation(), { bounds });
    const zero = smallExplore(referenceImplementation(), { bounds: { ...bounds, transfersMax: 0 } });
    expect([zero.distinctStates, zero.transitions]).toEqual([unset.distinctStates, unset.transitions]);
  });

  it('refuses transfers for an implementation that does not list the feature', () => {
    const implementation = { ...referenceImplementation(), name: 'no-transfers', features: [] };
    const problems = exploreOptionProblems({ ...smallExploreOptions(implementation), bounds: transferBounds });
    expect(problems).toEqual([{ field: 'bounds.transfersMax', reason: "no-transfers does not list the 'leadershipTransfer' feature, so it takes no transfer steps: expected 0, got 1" }]);
  });
});

// The explorer with snapshots (feature 'snapshots'): the threshold passes through its options,
// validated, and with a small one the search reaches a follower installing a leader's snapshot,
// with every invariant judging the steps the same way the simulator does (src/world).

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import { exploreOptionProblems } from '../../src/explore/options.js';
import { allInvariants } from '../../invariants/index.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { smallExplore, smallExploreOptions, watchingInvariant } from '../support/explore.js';

/** Counts the steps in which a node installed a snapshot sent by a leader; never fires. */
function installCounter(counted: { installs: number }): InvariantDefinition {
  return watchingInvariant('install-counter', ({ change }) => {
    if (change.snapshotInstalled !== undefined && !change.started) counted.installs += 1;
  });
}

describe('exploring with snapshots', () => {
  it('refuses a snapshot threshold below 1, naming the field', () => {
    const problems = exploreOptionProblems({ ...smallExploreOptions(referenceImplementation()), implementationOptions: { ...exploreImplementationOptions, snapshotEntriesThreshold: 0 } });
    expect(problems.map((problem) => problem.field)).toEqual(['implementationOptions.snapshotEntriesThreshold']);
  });

  it('reaches, within 10 steps, a follower installing the snapshot of a leader that compacted after its first commit, with no violation', () => {
    const counted = { installs: 0 };
    const result = smallExplore(referenceImplementation(), {
      implementationOptions: { ...exploreImplementationOptions, snapshotEntriesThreshold: 1 },
      invariants: [...allInvariants, installCounter(counted)],
      bounds: { ...smallExplore.bounds, depthMax: 10, crashesMax: 0, requestsMax: 0 },
      symmetry: true,
    });
    expect(result.status).toBe('ok');
    expect(counted.installs).toBeGreaterThan(0);
  });
});

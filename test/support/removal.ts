// The property both step-path suites check: on the correct reference, removing steps from a
// lifted path at random (as the step shrinker removes them) never yields a violation.

import { allInvariants } from '../../invariants/index.js';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Implementation, ImplementationOptions } from '../../src/contract/contract.js';
import { replayExplorePath } from '../../src/shrink/paths.js';
import type { ExploreStep } from '../../src/world/system.js';
import { possibleSteps } from '../../src/shrink/steps.js';

export interface LiftedPath {
  nodes: number;
  implementationOptions: ImplementationOptions;
  steps: readonly ExploreStep[];
}

export function assertNoViolationAfterRandomRemoval(implementation: Implementation, paths: readonly LiftedPath[], options: { numRuns: number; seed: number }): void {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: paths.length - 1 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 5, max: 60 }), (index, mask, percent) => {
      const { steps, ...path } = paths[index];
      // A deterministic pseudo-random choice of the steps to remove, about `percent` of them.
      let state = mask;
      const kept = steps.filter(() => {
        state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
        return state % 100 >= percent;
      });
      const replay = replayExplorePath(implementation, { ...path, steps: possibleSteps(implementation, path, kept, allInvariants) }, allInvariants);
      if ('error' in replay) throw new Error(replay.error);
      expect(replay.violation).toBeNull();
    }),
    options,
  );
}

// A small exhaustive search for tests of what the explorer does with an implementation: 3 nodes,
// breadth first to depth 6, 2 terms and 1 crash, no walks; a test overrides what it is about.

import type { Implementation } from '../../src/contract/contract.js';
import type { CheckContext, InvariantDefinition } from '../../invariants/types.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import type { ExploreOptions, ExploreResult } from '../../src/explore/search.js';
import { defaultExploreBounds, explore } from '../../src/explore/search.js';

const smallBounds = { ...defaultExploreBounds, depthMax: 6, termMax: 2, crashesMax: 1 };

export function smallExplore(implementation: Implementation, overrides: Partial<ExploreOptions> = {}): ExploreResult {
  return explore({ ...smallExploreOptions(implementation), ...overrides });
}

/** The options smallExplore searches with, for a test of the options themselves. */
export function smallExploreOptions(implementation: Implementation): ExploreOptions {
  return {
    implementation,
    nodes: 3,
    strategy: 'bfs',
    bounds: smallBounds,
    implementationOptions: exploreImplementationOptions,
    symmetry: false,
    clone: true,
    seed: 1,
    walksMax: 0,
    pctDepth: 1,
  };
}

/** The bounds smallExplore searches within, for a test that changes one of them. */
smallExplore.bounds = smallBounds;

/** An invariant that never fires and only watches each step (to count what a search reached). */
export function watchingInvariant(name: string, watch: (context: CheckContext) => void): InvariantDefinition {
  return {
    name,
    kind: 'safety',
    description: 'Watches the steps; never fires.',
    create() {
      return {
        name,
        fork() {
          return this;
        },
        afterStep(step) {
          watch(step);
          return null;
        },
        audit: () => null,
      };
    },
  };
}

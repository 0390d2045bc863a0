// A small exhaustive search for tests of what the explorer does with an implementation: 3 nodes,
// breadth first to depth 6, 2 terms and 1 crash, no walks; a test overrides what it is about.

import type { Implementation } from '../../src/contract/contract.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import type { ExploreOptions, ExploreResult } from '../../src/explore/search.js';
import { defaultExploreBounds, explore } from '../../src/explore/search.js';

const smallBounds = { ...defaultExploreBounds, depthMax: 6, termMax: 2, crashesMax: 1 };

export function smallExplore(implementation: Implementation, overrides: Partial<ExploreOptions> = {}): ExploreResult {
  return explore({
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
    ...overrides,
  });
}

/** The bounds smallExplore searches within, for a test that changes one of them. */
smallExplore.bounds = smallBounds;

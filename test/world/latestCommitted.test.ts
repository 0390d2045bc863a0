// The cluster's latest committed configuration, as the simulator's membership administrator (the
// final configuration the liveness phase waits on, removals it retires) and the explorer read it
// from the nodes' views. A view whose committed configuration has no voters is a node's before any
// configuration reached it (hashicorp's bootstrap-less nodes reported one): it is no configuration.

import { describe, expect, it } from 'vitest';
import type { Configuration, ConfigurationView } from '../../src/contract/contract.js';
import { latestCommitted } from '../../src/world/membership.js';

const configuration = (voters: number[]): Configuration => ({ voters, learners: [], votersOutgoing: [] });
const view = (committed: Configuration, committedIndex: number): ConfigurationView => ({ latest: committed, latestIndex: committedIndex, committed, committedIndex });

describe('latestCommitted', () => {
  it('takes the view with the highest committed index, the first on a tie', () => {
    const found = latestCommitted([view(configuration([1, 2, 3]), 0), null, view(configuration([1, 2, 3, 4]), 5), view(configuration([1, 2]), 5)]);
    expect(found).toEqual({ index: 5, configuration: configuration([1, 2, 3, 4]) });
  });

  it('skips a committed configuration without voters, even where it comes first', () => {
    const empty = view(configuration([]), 0);
    expect(latestCommitted([empty, view(configuration([1, 2, 3]), 0)])?.configuration.voters).toEqual([1, 2, 3]);
    expect(latestCommitted([empty, null, empty])).toBeNull();
    // A joint configuration leaving for an empty incoming set still has voters.
    const joint: Configuration = { voters: [], learners: [], votersOutgoing: [1, 2, 3] };
    expect(latestCommitted([view(joint, 2)])?.index).toBe(2);
  });
});

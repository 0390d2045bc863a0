// A node's commit index never decreases while it runs (it is volatile: a restart starts over).

import { monotonicInvariant } from './monotonic.js';

export const monotonicCommitIndex = monotonicInvariant({
  name: 'monotonic-commit-index',
  description: "A node's commit index never decreases within one incarnation.",
  noun: 'commit index',
  current: (mirror) => mirror.commitIndex,
  previous: (change) => change.previousCommitIndex,
});

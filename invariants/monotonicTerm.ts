// A node's current term never decreases: not while it runs, and not across a crash below any
// term it revealed to others in a message (currentTerm is durable state in Raft; a term the node
// never acted on outside may be lost with unsynced writes).

import { monotonicInvariant } from './monotonic.js';

export const monotonicTerm = monotonicInvariant({
  name: 'monotonic-term',
  description: "A node's term never decreases, not even across a restart below a term it revealed.",
  noun: 'term',
  current: (mirror) => mirror.term,
  previous: (change) => change.previousTerm,
  floorAfterStart: (mirror, cluster) => {
    const revealed = cluster.termRevealed(mirror.id);
    return revealed > 0 ? { floor: revealed, why: 'it had sent messages in that term before crashing' } : null;
  },
});

// A checker whose only job is to corrupt the harness's incremental state on purpose, so tests can
// see what raftcheck does when its own bookkeeping is wrong: at the end-of-run audit it changes
// the first prefix hash of a node that holds entries. Registered before log-matching, its
// audit runs first, and log-matching's audit then finds the hash wrong.

import type { InvariantDefinition } from '../../invariants/types.js';
import { logMatching } from '../../invariants/logMatching.js';

const name = 'prefix-hash-corruptor';

export const prefixHashCorruptor: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'Test only: corrupts a prefix hash at the end of the run; never fires itself.',
  create: () => ({
    name,
    fork() {
      return this;
    },
    afterStep: () => null,
    audit(cluster) {
      const mirror = [...cluster.nodes.values()].find((candidate) => candidate.lastIndex > 0);
      if (mirror !== undefined) (mirror.prefixHashes as number[])[1] += 1;
      return null;
    },
  }),
};

/** The corruptor, then the real log-matching checker whose audit catches it. */
export const corruptedInvariants: readonly InvariantDefinition[] = [prefixHashCorruptor, logMatching];

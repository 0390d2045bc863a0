// The invariant registry: every checker by name. A run checks all of them unless told otherwise.

import type { InvariantDefinition } from './types.js';
import { configurationSafety } from './configurationSafety.js';
import { electionSafety } from './electionSafety.js';
import { leaderAppendOnly } from './leaderAppendOnly.js';
import { leaderCompleteness } from './leaderCompleteness.js';
import { linearizability } from './linearizability.js';
import { logMatching } from './logMatching.js';
import { monotonicAppliedIndex } from './monotonicAppliedIndex.js';
import { monotonicCommitIndex } from './monotonicCommitIndex.js';
import { monotonicTerm } from './monotonicTerm.js';
import { snapshotConsistency } from './snapshotConsistency.js';
import { stateMachineSafety } from './stateMachineSafety.js';
import { leadershipTransfer } from './leadershipTransfer.js';
import { preVoteRestriction } from './preVoteRestriction.js';
import { leaseSafety } from './leaseSafety.js';

export const allInvariants: readonly InvariantDefinition[] = [
  electionSafety,
  logMatching,
  leaderCompleteness,
  stateMachineSafety,
  leaderAppendOnly,
  monotonicTerm,
  monotonicCommitIndex,
  monotonicAppliedIndex,
  snapshotConsistency,
  linearizability,
  configurationSafety,
  preVoteRestriction,
  leadershipTransfer,
  leaseSafety,
];

export function invariantByName(name: string): InvariantDefinition | undefined {
  return allInvariants.find((definition) => definition.name === name);
}

export {
  configurationSafety,
  electionSafety,
  leaderAppendOnly,
  leadershipTransfer,
  leaderCompleteness,
  leaseSafety,
  linearizability,
  logMatching,
  monotonicAppliedIndex,
  monotonicCommitIndex,
  monotonicTerm,
  snapshotConsistency,
  preVoteRestriction,
  stateMachineSafety,
};

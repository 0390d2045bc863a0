// Exit codes of every raftcheck command: one per kind of ending, documented in the README and
// in --help. Scripts may rely on them.

import type { CampaignVerdict } from '../check/campaign.js';

export const exitCodes = {
  ok: 0,
  safety: 1,
  usage: 2,
  liveness: 3,
  implementationError: 4,
  harnessError: 5,
  inconclusive: 6,
} as const;

/** How a harness error is named wherever a failure is printed: it is raftcheck's bug, not the implementation's. */
export const harnessErrorHeadline = 'harness error (a bug in raftcheck, please report it with the trace)';

export function exitCodeOf(verdict: CampaignVerdict): number {
  return exitCodes[verdict];
}

export const exitCodeHelp = [
  'Exit codes:',
  '  0  ok: no violation',
  '  1  safety violation',
  '  2  usage or input error (bad arguments, scenario or trace file)',
  '  3  liveness violation',
  '  4  implementation error (the implementation crashed, hung, broke the protocol or was nondeterministic)',
  '  5  harness error (a bug in raftcheck itself)',
  '  6  inconclusive: no failure, but a bound cut a run short before it could decide (eventsMax, a check\'s search budget, an explore stopping bound)',
  '  130, 143  interrupted by SIGINT or SIGTERM: run, shrink and explore stop at their next check, write what they found (summary.json marked interrupted, the best trace so far) and print their summary',
].join('\n');

// Exit codes of every raftcheck command: one per kind of ending, documented in the README and
// in --help. Scripts may rely on them.

import type { RunStatus } from '../sim/simulation.js';

export const exitCodes = {
  ok: 0,
  safety: 1,
  usage: 2,
  liveness: 3,
  implementationError: 4,
  harnessError: 5,
} as const;

export function exitCodeOf(status: RunStatus): number {
  return exitCodes[status];
}

export const exitCodeHelp = [
  'Exit codes:',
  '  0  ok: no violation',
  '  1  safety violation',
  '  2  usage or input error (bad arguments, scenario or trace file)',
  '  3  liveness violation',
  '  4  implementation error (the implementation crashed, hung, broke the protocol or was nondeterministic)',
  '  5  harness error (a bug in raftcheck itself)',
].join('\n');

// Implementations by description: what a trace file records about the implementation it ran
// (name, bugs) turned back into an Implementation, so a trace replays on its own.

import type { Implementation } from '../adapters/contract.js';
import { referenceImplementation } from '../adapters/reference.js';
import { bugsFromNames } from '../raft/bugs.js';

export interface ImplementationSpec {
  /** "reference" (possibly "reference+bug+bug"), or what a later adapter registers. */
  name: string;
  bugs?: readonly string[];
}

export class ImplementationSpecError extends Error {
  override name = 'ImplementationSpecError';
}

export function implementationFromSpec(spec: ImplementationSpec): Implementation {
  if (spec.name === 'reference' || spec.name.startsWith('reference+')) return referenceImplementation(bugsFromNames(spec.bugs ?? []));
  throw new ImplementationSpecError(`the trace was recorded with implementation "${spec.name}", which this raftcheck cannot load`);
}

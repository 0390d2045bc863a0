// The JSON shape of one failure, shared by `run --json` and `replay --json`.

import type { DeterminismMismatch } from '../check/campaign.js';
import { failureName } from '../check/campaign.js';
import { faultOptions, faultSummary } from '../check/options.js';
import type { MutationOrigin } from '../check/coverage.js';
import type { SimulationResult } from '../sim/simulation.js';

export interface FailureRecordExtras {
  seed: number;
  /** The exact command that reproduces the failure. */
  replay: string;
  /** Path of the trace file (the shrunk one when shrinking ran). */
  trace: string | null;
  /** Events of the failing run before shrinking (default: the run's own). */
  events?: number;
  /** Events of the shrunk trace, when shrinking ran. */
  shrunkEvents?: number;
  /**
   * The invariant the run itself reported, when the shrunk trace shows another one that the same
   * step violated (Violation.alsoViolated); `invariant` is then the shrunk trace's.
   */
  runInvariant?: string;
  determinism?: DeterminismMismatch | null;
  /** A mutated run of a guided campaign: how it was made (its trace reproduces it, not its seed). */
  origin?: MutationOrigin | null;
}

export function failureRecord(run: SimulationResult, extras: FailureRecordExtras) {
  const determinism = extras.determinism ?? null;
  const status = determinism !== null ? 'implementationError' : run.status;
  return {
    seed: extras.seed,
    status,
    invariant: failureName(run, determinism),
    message:
      run.violation?.message ??
      (determinism !== null
        ? `nondeterministic: runs differ after event ${determinism.eventNumber}`
        : (run.harnessError?.message ?? run.implementationError?.message ?? '')),
    nodes: run.violation?.nodes ?? run.harnessError?.nodes ?? (run.implementationError ? [run.implementationError.node] : []),
    eventNumber: run.violation?.eventNumber ?? determinism?.eventNumber ?? run.harnessError?.eventNumber ?? run.implementationError?.eventNumber ?? 0,
    timeMs: run.violation?.timeMs ?? run.harnessError?.timeMs ?? run.implementationError?.timeMs ?? 0,
    events: extras.events ?? run.events,
    ...(extras.shrunkEvents !== undefined ? { shrunkEvents: extras.shrunkEvents } : {}),
    ...(extras.runInvariant !== undefined && extras.runInvariant !== run.violation?.invariant ? { runInvariant: extras.runInvariant } : {}),
    trace: extras.trace,
    replay: extras.replay,
    evidence: run.violation?.evidence ?? run.harnessError?.evidence ?? null,
    ...(run.violation?.alsoViolated !== undefined ? { alsoViolated: run.violation.alsoViolated } : {}),
    faults: faultSummary(run.scenario),
    faultOptions: faultOptions(run.scenario),
    ...(determinism !== null ? { determinism } : {}),
    ...(extras.origin !== undefined && extras.origin !== null ? { mutation: extras.origin } : {}),
  };
}

export type FailureRecord = ReturnType<typeof failureRecord>;

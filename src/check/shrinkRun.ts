// Shrinking a failing run into a minimal trace file: shrink its choices, re-run the winner with
// a recorded event log, and describe the shrink in the trace.

import type { Implementation } from '../adapters/contract.js';
import { allInvariants } from '../../invariants/index.js';
import type { Choices } from '../core/random.js';
import type { InvariantDefinition } from '../sim/invariant.js';
import type { Scenario } from '../sim/scenario.js';
import type { TraceFile } from '../sim/trace.js';
import { writeJsonAtomic } from '../core/files.js';
import type { ShrinkOptions, ShrinkResult, ShrinkState } from '../shrink/shrink.js';
import { shrink } from '../shrink/shrink.js';
import { runSeed, traceOf } from './run.js';

export interface ShrinkRunOptions extends ShrinkOptions {
  implementation: Implementation;
  scenario: Scenario;
  choices: Choices;
  seed: number;
  bugs?: readonly string[];
  invariants?: readonly InvariantDefinition[];
  /**
   * Where to keep the best trace so far (atomically, after every improvement), so that an
   * interrupted shrink loses nothing and `raftcheck shrink` can resume from it.
   */
  bestSoFarPath?: string;
}

export interface ShrunkTrace {
  shrink: ShrinkResult;
  trace: TraceFile;
}

export function shrinkToTrace(options: ShrinkRunOptions): ShrunkTrace {
  const invariants = options.invariants ?? allInvariants;
  const bestSoFarPath = options.bestSoFarPath;
  const onImprovement = (best: ShrinkState) => {
    options.onImprovement?.(best);
    // The event log is written when the shrink finishes; until then the choices are what counts.
    if (bestSoFarPath !== undefined) {
      writeJsonAtomic(bestSoFarPath, traceOf({ ...best.result, seed: options.seed, implementation: options.implementation, wallMs: 0, eventLog: [] }, options.bugs ?? []));
    }
  };
  const result = shrink(
    { implementation: options.implementation, scenario: options.scenario, invariants, choices: options.choices },
    { ...options, onImprovement },
  );
  const trace = traceOfChoices({ ...options, scenario: result.scenario }, result.choices, invariants);
  trace.shrink = {
    eventsBefore: result.eventsBefore,
    eventsAfter: result.eventsAfter,
    runs: result.runs,
    stoppedBy: result.stoppedBy,
    passes: result.passes,
    wallMs: Math.round(result.wallMs),
  };
  return { shrink: result, trace };
}

/** The trace of the run given by these choices, with its event log. */
export function traceOfChoices(
  options: { implementation: Implementation; scenario: Scenario; seed: number; bugs?: readonly string[] },
  choices: Choices,
  invariants: readonly InvariantDefinition[] = allInvariants,
): TraceFile {
  const run = runSeed({ seed: options.seed, implementation: options.implementation, scenario: options.scenario, invariants, choices, recordEvents: true });
  return traceOf(run, options.bugs ?? []);
}

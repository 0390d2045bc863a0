// One run: (implementation, scenario, seed) -> result. The programmatic entry point that a
// user's own test suite calls; the CLI's campaigns are loops over it.

import type { Implementation } from '../contract/contract.js';
import { referenceImplementation } from '../adapters/reference.js';
import { sourceOf } from './implementations.js';
import type { ChoiceMutation } from '../core/random.js';
import { sortedChoices } from '../core/random.js';
import { wallClockMs } from '../core/wallClock.js';
import { allInvariants } from '../../invariants/index.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import type { Scenario } from '../sim/scenario.js';
import { defaultScenario } from '../sim/scenario.js';
import type { BoundReached, SimulationResult } from '../sim/simulation.js';
import { Simulation } from '../sim/simulation.js';
import type { TraceFile } from '../sim/trace.js';
import { traceFormat, traceFormatVersion } from '../sim/trace.js';

export interface RunSeedOptions {
  seed: number;
  implementation?: Implementation;
  scenario?: Scenario;
  invariants?: readonly InvariantDefinition[];
  /** Replay these choice sequences instead of drawing from the seed. */
  choices?: Readonly<Record<string, readonly number[]>>;
  /** Run a mutation of a kept run instead (coverage-guided search, src/check/coverage.ts). */
  mutation?: ChoiceMutation;
  /** Keep the readable event log (needed for a trace file). */
  recordEvents?: boolean;
  recordEventDigests?: boolean;
}

export interface SeedResult extends SimulationResult {
  seed: number;
  implementation: Implementation;
  /** Wall time of the run, for reporting only. */
  wallMs: number;
}

export function runSeed(options: RunSeedOptions): SeedResult {
  const implementation = options.implementation ?? referenceImplementation();
  const scenario = options.scenario ?? defaultScenario();
  const startedMs = wallClockMs();
  const simulation = new Simulation({
    implementation,
    scenario,
    seed: options.seed,
    invariants: options.invariants ?? allInvariants,
    choices: options.choices,
    mutation: options.mutation,
    recordEvents: options.recordEvents,
    recordEventDigests: options.recordEventDigests,
  });
  const result = simulation.run();
  return { ...result, seed: options.seed, implementation, wallMs: wallClockMs() - startedMs };
}

/** The trace file of a run; the run must have recorded its events. */
export function traceOf(result: SeedResult, bugs: readonly string[] = []): TraceFile {
  return {
    format: traceFormat,
    formatVersion: traceFormatVersion,
    implementation: implementationRecord(result.implementation, bugs),
    // The scenario as run: for a swarm scenario, with its drawn options, so a trace replays alone.
    scenario: result.scenario,
    seed: result.seed,
    choices: sortedChoices(result.choices),
    traceHash: result.traceHash,
    result: {
      status: result.status,
      events: result.events,
      simulatedMs: result.simulatedMs,
      violation: result.violation,
      implementationError: result.implementationError,
      harnessError: result.harnessError,
    },
    events: [...(result.eventLog ?? [])],
  };
}

/** The implementation as a trace file records it: with how to load it again, so that replay and shrink work from the trace alone. */
export function implementationRecord(implementation: Implementation, bugs: readonly string[]): TraceFile['implementation'] {
  const source = sourceOf(implementation);
  return {
    name: implementation.name,
    version: implementation.version,
    ...(bugs.length > 0 ? { bugs: [...bugs] } : {}),
    ...(source !== undefined && source.kind !== 'reference' ? { source } : {}),
  };
}

/**
 * What cut a run short before it could decide: the scenario's event bound or the event queue's
 * capacity (the run never reached its end, perhaps not even its liveness phase), or a check's
 * search budget. Such a run is inconclusive: not a failure, and never a pass.
 */
export type InconclusiveBound = BoundReached | 'check-budget';

export interface InconclusiveRun {
  bound: InconclusiveBound;
  /** What the bound withheld, in words. */
  reason: string;
  /** How far the run got: events, and virtual ms of the scenario's fault phase (durationMs). */
  events: number;
  simulatedMs: number;
  durationMs: number;
  /** Whether the run got past its fault phase into the liveness phase (false without one). */
  livenessPhaseReached: boolean;
}

/** Why a run with no failure did not decide, or null when it ran to its end and every check decided. */
export function inconclusiveOf(result: SimulationResult): InconclusiveRun | null {
  if (result.status !== 'ok') return null;
  const scenario = result.scenario;
  const livenessPhaseReached = scenario.liveness.enabled && result.simulatedMs >= scenario.durationMs;
  const reached = { events: result.events, simulatedMs: result.simulatedMs, durationMs: scenario.durationMs, livenessPhaseReached };
  if (result.boundReached !== null) {
    const where = livenessPhaseReached
      ? `${result.simulatedMs} ms of virtual time: past the ${scenario.durationMs} ms fault phase, before the end of the liveness phase`
      : `${result.simulatedMs} ms of the ${scenario.durationMs} ms fault phase${scenario.liveness.enabled ? '; the liveness phase was never reached' : ''}`;
    const bound = result.boundReached === 'events' ? `the scenario's event bound (eventsMax ${scenario.eventsMax})` : 'a full event queue';
    return {
      bound: result.boundReached,
      reason: `stopped at ${bound} after ${result.events} events and ${where}`,
      ...reached,
    };
  }
  const undecided = result.inconclusive?.[0];
  if (undecided !== undefined) return { bound: 'check-budget', reason: `${undecided.invariant}: ${undecided.reason}`, ...reached };
  return null;
}

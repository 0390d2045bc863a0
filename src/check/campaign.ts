// A campaign: many seeds of one (implementation, scenario), with progress, failure collection
// and, on request, a determinism check that runs each seed twice and names the first event
// where the two runs part.

import type { Implementation } from '../adapters/contract.js';
import { referenceImplementation } from '../adapters/reference.js';
import { wallClockMs } from '../core/wallClock.js';
import type { InvariantDefinition } from '../sim/invariant.js';
import type { Scenario } from '../sim/scenario.js';
import { defaultScenario } from '../sim/scenario.js';
import type { RunStatus, TraceEvent } from '../sim/simulation.js';
import type { SeedResult } from './run.js';
import { runSeed } from './run.js';

export interface CampaignOptions {
  seeds: readonly number[];
  implementation?: Implementation;
  scenario?: Scenario;
  invariants?: readonly InvariantDefinition[];
  /** Run every seed twice and compare the traces event by event. */
  checkDeterminism?: boolean;
  /** Stop after this many failing seeds (default: run every seed). */
  failuresMax?: number;
  /** Called after every seed. */
  onProgress?: (progress: CampaignProgress) => void;
  /** Called with each failing seed, its event log recorded (to write a trace). */
  onFailure?: (failure: CampaignFailure) => void;
}

export interface CampaignProgress {
  seedsDone: number;
  seedsTotal: number;
  events: number;
  simulatedMs: number;
  wallMs: number;
  failures: number;
}

export interface DeterminismMismatch {
  /** The first event (1-based) after which the two runs' trace hashes differ. */
  eventNumber: number;
  first: TraceEvent | null;
  second: TraceEvent | null;
  firstTraceHash: string;
  secondTraceHash: string;
}

export interface CampaignFailure {
  seed: number;
  status: Exclude<RunStatus, 'ok'>;
  /** The run, with its event log recorded. */
  run: SeedResult;
  /** Set when the failure is that the same seed gave two different runs. */
  determinism: DeterminismMismatch | null;
}

export interface CampaignResult {
  result: RunStatus;
  seeds: number;
  events: number;
  simulatedMs: number;
  /** Wall time of the simulations, not counting the failure callbacks (shrinking). */
  wallMs: number;
  eventsPerSecond: number;
  failures: CampaignFailure[];
  violationsByInvariant: Record<string, number>;
  /** True when failuresMax stopped the campaign early. */
  stoppedEarly: boolean;
  /**
   * Seeds with no violation where a check could not decide (the linearizability search ran out
   * of its step budget): not failures, and not passes either.
   */
  inconclusiveSeeds: number[];
}

/** Severity order for the campaign's overall result: the worst seed decides. */
const severity: Record<RunStatus, number> = { ok: 0, implementationError: 1, liveness: 2, safety: 3 };

export function runCampaign(options: CampaignOptions): CampaignResult {
  const implementation = options.implementation ?? referenceImplementation();
  const scenario = options.scenario ?? defaultScenario();
  const startedMs = wallClockMs();
  const failures: CampaignFailure[] = [];
  const violationsByInvariant: Record<string, number> = {};
  let result: RunStatus = 'ok';
  let events = 0;
  let simulatedMs = 0;
  let seedsDone = 0;
  let stoppedEarly = false;
  let callbackMs = 0;
  const inconclusiveSeeds: number[] = [];

  for (const seed of options.seeds) {
    const base = { seed, implementation, scenario, invariants: options.invariants };
    const run = runSeed({ ...base, recordEventDigests: options.checkDeterminism });
    events += run.events;
    simulatedMs += run.simulatedMs;
    seedsDone += 1;
    if (run.status === 'ok' && (run.inconclusive?.length ?? 0) > 0) inconclusiveSeeds.push(seed);

    let failure: CampaignFailure | null = null;
    if (options.checkDeterminism) {
      const again = runSeed({ ...base, recordEventDigests: true });
      if (again.traceHash !== run.traceHash) {
        failure = {
          seed,
          status: 'implementationError',
          run: runSeed({ ...base, recordEvents: true }),
          determinism: findMismatch(run, again, base),
        };
      }
    }
    if (failure === null && run.status !== 'ok') {
      failure = { seed, status: run.status, run: runSeed({ ...base, recordEvents: true }), determinism: null };
    }
    if (failure !== null) {
      failures.push(failure);
      if (severity[failure.status] > severity[result]) result = failure.status;
      const invariant = failure.run.violation?.invariant ?? (failure.determinism !== null ? 'determinism' : 'implementation-error');
      violationsByInvariant[invariant] = (violationsByInvariant[invariant] ?? 0) + 1;
      // Time spent in the callback (shrinking, writing traces) is not simulation time.
      const callbackStartedMs = wallClockMs();
      options.onFailure?.(failure);
      callbackMs += wallClockMs() - callbackStartedMs;
    }
    options.onProgress?.({
      seedsDone,
      seedsTotal: options.seeds.length,
      events,
      simulatedMs,
      wallMs: wallClockMs() - startedMs - callbackMs,
      failures: failures.length,
    });
    if (options.failuresMax !== undefined && failures.length >= options.failuresMax && seedsDone < options.seeds.length) {
      stoppedEarly = true;
      break;
    }
  }
  const wallMs = wallClockMs() - startedMs - callbackMs;
  return {
    result,
    seeds: seedsDone,
    events,
    simulatedMs,
    wallMs,
    eventsPerSecond: wallMs > 0 ? Math.round((events / wallMs) * 1000) : 0,
    failures,
    violationsByInvariant,
    stoppedEarly,
    inconclusiveSeeds,
  };
}

function findMismatch(
  first: SeedResult,
  second: SeedResult,
  base: { seed: number; implementation: Implementation; scenario: Scenario; invariants?: readonly InvariantDefinition[] },
): DeterminismMismatch {
  const a = first.eventDigests ?? [];
  const b = second.eventDigests ?? [];
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index += 1;
  // Re-run both with readable logs to show the events themselves; a nondeterministic
  // implementation may of course part at a different place again, so take what they show.
  const firstLog = runSeed({ ...base, recordEvents: true }).eventLog ?? [];
  const secondLog = runSeed({ ...base, recordEvents: true }).eventLog ?? [];
  return {
    eventNumber: index + 1,
    first: firstLog[index] ?? null,
    second: secondLog[index] ?? null,
    firstTraceHash: first.traceHash,
    secondTraceHash: second.traceHash,
  };
}

/** Seeds first, first + 1, ..., first + count - 1. */
export function seedRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => first + index);
}

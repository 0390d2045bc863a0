// A campaign: many seeds of one (implementation, scenario), with progress, failure collection
// and, on request, a determinism check that runs each seed twice and names the first event
// where the two runs part.

import type { Implementation } from '../contract/contract.js';
import { referenceImplementation } from '../adapters/reference.js';
import { wallClockMs } from '../core/wallClock.js';
import type { InterruptSignal } from '../core/interrupt.js';
import { interruptRequested } from '../core/interrupt.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import type { Scenario } from '../sim/scenario.js';
import { defaultScenario } from '../sim/scenario.js';
import type { RunStatus, SimulationResult, TraceEvent } from '../sim/simulation.js';
import type { MarkCounts } from '../world/marks.js';
import type { AbstractCoverage, CoverageCounts, CoverageUnionData } from '../world/abstractState.js';
import { CoverageUnion } from '../world/abstractState.js';
import type { InconclusiveBound, InconclusiveRun, SeedResult } from './run.js';
import { inconclusiveOf, runSeed } from './run.js';
import type { MutationOrigin, RunPlan } from './coverage.js';
import { CoverageGuide, plainPlan } from './coverage.js';
import type { Choices } from '../core/random.js';

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
  /** Coverage-guided search (--strategy coverage, src/check/coverage.ts): some runs mutate kept ones. */
  guided?: boolean;
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
  /**
   * Low 32 bits of each run's trace hash just after that event: they differ by construction, so
   * two events that read the same (same input, different outputs) still print differently.
   */
  firstDigest: number | null;
  secondDigest: number | null;
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
  /** Set when the run was a mutation of kept runs (coverage-guided): it replays from its trace, not its seed. */
  origin: MutationOrigin | null;
}

/**
 * A campaign's verdict: the worst failure, else inconclusive when a bound kept some seed from
 * deciding (a failure still wins), else ok.
 */
export type CampaignVerdict = RunStatus | 'inconclusive';

/** An inconclusive seed, with what cut it short and how far it got. */
export interface InconclusiveSeed extends InconclusiveRun {
  seed: number;
}

export interface CampaignResult {
  result: CampaignVerdict;
  seeds: number;
  events: number;
  simulatedMs: number;
  /** Wall time of the simulations, not counting the failure callbacks (shrinking). */
  wallMs: number;
  /** Wall time of the failure callbacks (shrinking, writing traces), which wallMs leaves out. */
  failuresWallMs: number;
  eventsPerSecond: number;
  failures: CampaignFailure[];
  violationsByInvariant: Record<string, number>;
  /** True when failuresMax stopped the campaign early. */
  stoppedEarly: boolean;
  /** The signal that interrupted the campaign before its last seed (src/core/interrupt.ts), or null. */
  interrupted: InterruptSignal | null;
  /**
   * Seeds with no violation that a bound kept from deciding (the scenario's event bound, or a
   * check's search budget): not failures, and not passes either.
   */
  inconclusiveSeeds: number[];
  /** The first inconclusive seeds (up to inconclusiveListedMax) with the bound and how far each got. */
  inconclusive: InconclusiveSeed[];
  /** Inconclusive seeds by the bound that cut them short. */
  inconclusiveByBound: Partial<Record<InconclusiveBound, number>>;
  /** Coverage marks hit (src/world/marks.ts): times hit and seeds that hit each, by name; marks never hit are absent. */
  marks: CampaignMarks;
  /** How many distinct abstract cluster states and transitions the campaign's runs reached (src/world/abstractState.ts). */
  abstractCounts: CoverageCounts;
  /** The same as data, which a report folder keeps (coverage.json) for merge to join. */
  abstractCoverage: CoverageUnionData;
  /** Coverage-guided search: runs that were mutations, and runs kept for their new states; null when not guided. */
  guided: { runsMutated: number; runsKept: number } | null;
}

/** A campaign's coverage marks: each hit one's count and how many seeds reached it. */
export type CampaignMarks = Record<string, { hits: number; seeds: number }>;

/** Adds one seed's (or one shard's) marks into a campaign's. */
export function addMarks(into: CampaignMarks, marks: MarkCounts | CampaignMarks | undefined): void {
  for (const [name, value] of Object.entries(marks ?? {})) {
    const hit = typeof value === 'number' ? { hits: value, seeds: 1 } : value;
    const total = (into[name] ??= { hits: 0, seeds: 0 });
    total.hits += hit.hits;
    total.seeds += hit.seeds;
  }
}

/** Inconclusive seeds listed in full in a campaign's result; the rest are counted. */
export const inconclusiveListedMax = 100;

/**
 * Severity order for the campaign's overall result: the worst seed decides. A harness error
 * outranks everything: every other verdict of the campaign rests on the harness being right.
 */
const severity: Record<RunStatus, number> = { ok: 0, implementationError: 1, liveness: 2, safety: 3, harnessError: 4 };

/** The verdict of campaigns (or shards of one) taken together: the worst failure, else inconclusive if any was. */
export function combinedVerdict(verdicts: readonly CampaignVerdict[]): CampaignVerdict {
  let worst: RunStatus = 'ok';
  for (const verdict of verdicts) if (verdict !== 'inconclusive' && severity[verdict] > severity[worst]) worst = verdict;
  return worst === 'ok' && verdicts.includes('inconclusive') ? 'inconclusive' : worst;
}

/**
 * The name a failure is counted and reported under: the invariant violated, else what failed
 * instead (the same seed ran two ways, raftcheck's own state, or the implementation).
 */
export function failureName(run: Pick<SimulationResult, 'violation' | 'harnessError'>, determinism: DeterminismMismatch | null): string {
  if (run.violation !== null) return run.violation.invariant;
  if (determinism !== null) return 'determinism';
  return run.harnessError !== null ? 'harness-error' : 'implementation-error';
}

/**
 * What a campaign needs of one seed's run: its counts and verdict, and for the determinism
 * check the second run's hash. A worker thread sends this much back (src/check/workers.ts).
 */
export interface SeedOutcome {
  seed: number;
  status: RunStatus;
  events: number;
  simulatedMs: number;
  /** What kept the seed from deciding, or null. */
  inconclusive: InconclusiveRun | null;
  traceHash: string;
  eventDigests: readonly number[] | null;
  /** The second run, with checkDeterminism. */
  again: { traceHash: string; eventDigests: readonly number[] | null } | null;
  /** Coverage marks the run hit. */
  marks: MarkCounts;
  /** Abstract states and transitions the run reached. */
  abstractCoverage: AbstractCoverage;
  /** A mutated run's origin (null: the seed's plain run). */
  origin: MutationOrigin | null;
  /** The run's choices, in a guided campaign (to keep it, or to replay a mutated run). */
  choices?: Choices;
}

/** Runs one seed (or a mutated run) as a campaign does: twice with checkDeterminism, keeping the event digests. */
export function seedOutcome(plan: RunPlan, base: { implementation: Implementation; scenario: Scenario; invariants?: readonly InvariantDefinition[] }, checks: { checkDeterminism: boolean; keepChoices: boolean }): SeedOutcome {
  const { checkDeterminism } = checks;
  const runBase = { ...base, seed: plan.seed, ...(plan.mutation !== null ? { mutation: plan.mutation } : {}) };
  const run = runSeed({ ...runBase, recordEventDigests: checkDeterminism });
  const again = checkDeterminism ? runSeed({ ...runBase, recordEventDigests: true }) : null;
  const mismatch = again !== null && again.traceHash !== run.traceHash;
  // The digests travel only where they are read: to place a determinism mismatch.
  return {
    seed: plan.seed,
    status: run.status,
    events: run.events,
    simulatedMs: run.simulatedMs,
    inconclusive: inconclusiveOf(run),
    traceHash: run.traceHash,
    eventDigests: mismatch ? (run.eventDigests ?? null) : null,
    again: again === null ? null : { traceHash: again.traceHash, eventDigests: mismatch ? (again.eventDigests ?? null) : null },
    marks: run.marks ?? {},
    abstractCoverage: run.abstractCoverage ?? { states: [], transitions: [], nodeTransitions: [] },
    origin: plan.origin,
    ...(checks.keepChoices ? { choices: run.choices } : {}),
  };
}

/** The seed ran twice and its two runs parted: the implementation is not deterministic. */
function determinismBroke(outcome: SeedOutcome): outcome is SeedOutcome & { again: NonNullable<SeedOutcome['again']> } {
  return outcome.again !== null && outcome.again.traceHash !== outcome.traceHash;
}

/**
 * The campaign's books: takes each seed's outcome in seed order (whoever ran it), re-runs a
 * failing seed with its event log for the trace, and calls the callbacks. One place for this, so
 * a campaign in worker threads reports exactly what the same campaign in one thread does.
 */
export class CampaignTally {
  private readonly startedMs = wallClockMs();
  private readonly failures: CampaignFailure[] = [];
  private readonly violationsByInvariant: Record<string, number> = {};
  private readonly inconclusiveSeeds: number[] = [];
  private readonly inconclusive: InconclusiveSeed[] = [];
  private readonly inconclusiveByBound: CampaignResult['inconclusiveByBound'] = {};
  private readonly marks: CampaignMarks = {};
  private readonly abstractCoverage = new CoverageUnion();
  private readonly guide: CoverageGuide | null;
  private result: RunStatus = 'ok';
  private events = 0;
  private simulatedMs = 0;
  private seedsDone = 0;
  private stoppedEarly = false;
  private interrupted: InterruptSignal | null = null;
  private callbackMs = 0;
  readonly implementation: Implementation;
  readonly scenario: Scenario;

  constructor(private readonly options: CampaignOptions) {
    this.implementation = options.implementation ?? referenceImplementation();
    this.scenario = options.scenario ?? defaultScenario();
    this.guide = options.guided === true ? new CoverageGuide(options.seeds) : null;
  }

  /** Whether runs keep their choices (a guided campaign keeps some, and replays its mutated ones from them). */
  get guided(): boolean {
    return this.guide !== null;
  }

  /** Whether run `index` can be planned once `taken` outcomes are taken (a guided batch waits for the earlier ones). */
  plannable(index: number, taken: number): boolean {
    return this.guide === null || this.guide.plannable(index, taken);
  }

  /** What run `index` of the seeds runs: the seed's plain run, or in a guided campaign perhaps a mutation. */
  planOf(index: number): RunPlan {
    return this.guide === null ? plainPlan(this.options.seeds[index]) : this.guide.plan(index);
  }

  /** Whether taking this outcome ends the campaign (a failure that reaches failuresMax). */
  endsWith(outcome: SeedOutcome): boolean {
    const failing = outcome.status !== 'ok' || determinismBroke(outcome);
    return failing && this.options.failuresMax !== undefined && this.failures.length + 1 >= this.options.failuresMax;
  }

  /** Takes the next seed's outcome; false when the campaign stops here (failuresMax reached). */
  take(outcome: SeedOutcome): boolean {
    const options = this.options;
    // A mutated run is re-run from its choices: the replay its trace will make.
    const replay = outcome.origin !== null && outcome.choices !== undefined ? { choices: outcome.choices } : {};
    const base = { seed: outcome.seed, implementation: this.implementation, scenario: this.scenario, invariants: options.invariants, ...replay };
    this.events += outcome.events;
    this.simulatedMs += outcome.simulatedMs;
    this.seedsDone += 1;
    addMarks(this.marks, outcome.marks);
    const added = this.abstractCoverage.add(outcome.abstractCoverage);
    // Kept for node transitions no run had: the cluster's states are too many to be rare.
    this.guide?.taken(outcome.seed, outcome.choices, added);
    if (outcome.status === 'ok' && outcome.inconclusive !== null) this.countInconclusive(outcome.seed, outcome.inconclusive);

    let failure: CampaignFailure | null = null;
    if (determinismBroke(outcome)) {
      failure = { seed: outcome.seed, status: 'implementationError', run: runSeed({ ...base, recordEvents: true }), determinism: findMismatch(outcome, outcome.again, base), origin: outcome.origin };
    }
    if (failure === null && outcome.status !== 'ok') {
      failure = { seed: outcome.seed, status: outcome.status, run: runSeed({ ...base, recordEvents: true }), determinism: null, origin: outcome.origin };
    }
    if (failure !== null) {
      this.failures.push(failure);
      if (severity[failure.status] > severity[this.result]) this.result = failure.status;
      const invariant = failureName(failure.run, failure.determinism);
      this.violationsByInvariant[invariant] = (this.violationsByInvariant[invariant] ?? 0) + 1;
      // Time spent in the callback (shrinking, writing traces) is not simulation time.
      const callbackStartedMs = wallClockMs();
      options.onFailure?.(failure);
      this.callbackMs += wallClockMs() - callbackStartedMs;
    }
    options.onProgress?.({
      seedsDone: this.seedsDone,
      seedsTotal: options.seeds.length,
      events: this.events,
      simulatedMs: this.simulatedMs,
      wallMs: wallClockMs() - this.startedMs - this.callbackMs,
      failures: this.failures.length,
    });
    if (options.failuresMax !== undefined && this.failures.length >= options.failuresMax && this.seedsDone < options.seeds.length) {
      this.stoppedEarly = true;
      return false;
    }
    // An interrupt keeps the seeds done: the campaign ends here as if they were all it had.
    this.interrupted = this.seedsDone < options.seeds.length ? interruptRequested() : null;
    return this.interrupted === null;
  }

  private countInconclusive(seed: number, inconclusive: InconclusiveRun): void {
    this.inconclusiveSeeds.push(seed);
    if (this.inconclusive.length < inconclusiveListedMax) this.inconclusive.push({ seed, ...inconclusive });
    this.inconclusiveByBound[inconclusive.bound] = (this.inconclusiveByBound[inconclusive.bound] ?? 0) + 1;
  }

  finish(): CampaignResult {
    const wallMs = wallClockMs() - this.startedMs - this.callbackMs;
    return {
      result: this.result === 'ok' && this.inconclusiveSeeds.length > 0 ? 'inconclusive' : this.result,
      seeds: this.seedsDone,
      events: this.events,
      simulatedMs: this.simulatedMs,
      wallMs,
      failuresWallMs: this.callbackMs,
      eventsPerSecond: wallMs > 0 ? Math.round((this.events / wallMs) * 1000) : 0,
      failures: this.failures,
      violationsByInvariant: this.violationsByInvariant,
      stoppedEarly: this.stoppedEarly,
      interrupted: this.interrupted,
      inconclusiveSeeds: this.inconclusiveSeeds,
      inconclusive: this.inconclusive,
      inconclusiveByBound: this.inconclusiveByBound,
      marks: this.marks,
      abstractCounts: this.abstractCoverage.counts(),
      abstractCoverage: this.abstractCoverage.toData(),
      guided: this.guide?.counts() ?? null,
    };
  }
}

/** A campaign in this thread (src/check/workers.ts runs one over worker threads). */
export function runCampaign(options: CampaignOptions): CampaignResult {
  const tally = new CampaignTally(options);
  const base = { implementation: tally.implementation, scenario: tally.scenario, invariants: options.invariants };
  const checks = { checkDeterminism: options.checkDeterminism === true, keepChoices: tally.guided };
  for (let index = 0; index < options.seeds.length; index += 1) {
    if (!tally.take(seedOutcome(tally.planOf(index), base, checks))) break;
  }
  return tally.finish();
}

function findMismatch(
  first: Pick<SeedOutcome, 'traceHash' | 'eventDigests'>,
  second: Pick<SeedOutcome, 'traceHash' | 'eventDigests'>,
  base: { seed: number; implementation: Implementation; scenario: Scenario; invariants?: readonly InvariantDefinition[]; choices?: Choices },
): DeterminismMismatch {
  // Re-run both with readable logs to show the events themselves. A nondeterministic
  // implementation may part at another place this time: then the re-runs' own first difference
  // is shown, so that the events and digests printed belong to the same two runs.
  const firstRerun = runSeed({ ...base, recordEvents: true, recordEventDigests: true });
  const secondRerun = runSeed({ ...base, recordEvents: true, recordEventDigests: true });
  const rerunsPart = firstRerun.traceHash !== secondRerun.traceHash;
  const [a, b] = rerunsPart ? [firstRerun.eventDigests ?? [], secondRerun.eventDigests ?? []] : [first.eventDigests ?? [], second.eventDigests ?? []];
  const index = firstDifference(a, b);
  return {
    eventNumber: index + 1,
    first: firstRerun.eventLog?.[index] ?? null,
    second: secondRerun.eventLog?.[index] ?? null,
    firstDigest: a[index] ?? null,
    secondDigest: b[index] ?? null,
    firstTraceHash: rerunsPart ? firstRerun.traceHash : first.traceHash,
    secondTraceHash: rerunsPart ? secondRerun.traceHash : second.traceHash,
  };
}

function firstDifference(a: readonly number[], b: readonly number[]): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index += 1;
  return index;
}

/** Seeds first, first + 1, ..., first + count - 1. */
export function seedRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => first + index);
}

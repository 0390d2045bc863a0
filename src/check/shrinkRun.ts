// Shrinking a failing run into a minimal trace file, in two stages:
//   1. choices: shrink the run's choice sequences (src/shrink/shrink.ts);
//   2. steps: lift the winner into explicit explorer steps (src/shrink/lift.ts: every delivery,
//      timer firing, crash, restart and proposal a step; silent ticks vanish), ddmin them and
//      search for a shorter path (src/shrink/steps.ts). If that path has fewer events than the
//      choice-shrunk run, the trace written is an explore trace (format version 2), which
//      `replay` and `show` take like any other; else the choice-shrunk run's, with its event log.
// Failures the explorer's replay cannot see (liveness, which needs time) skip stage 2 and keep
// the whole budget for stage 1, as before stage 2 existed; so does a failure whose lifted path
// diverges too far to fail the same way. A client history that is not linearizable is seen: the
// lifted steps carry the clients' commands, and the replay rebuilds and checks their history.
// So is a broken durability promise (durable-promise): the step stage's replays then run the
// probes too (src/world/probes.ts), and the explore trace written says so.

import type { Implementation } from '../contract/contract.js';
import { allInvariants } from '../../invariants/index.js';
import type { Choices } from '../core/random.js';
import { wallClockMs } from '../core/wallClock.js';
import { assert } from '../core/assert.js';
import { exploreInfoOf, exploreTraceOf } from '../shrink/paths.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import type { Scenario } from '../sim/scenario.js';
import type { SimulationResult } from '../sim/simulation.js';
import type { TraceFile, TraceShrinkInfo } from '../sim/trace.js';
import { writeJsonAtomic } from '../core/files.js';
import { interruptRequested } from '../core/interrupt.js';
import { liftRun } from '../shrink/lift.js';
import type { PassReport, ShrinkOptions, ShrinkResult, ShrinkState } from '../shrink/shrink.js';
import { failureSignature, failureSignatures, runLivenessBound, shrink, ShrinkError } from '../shrink/shrink.js';
import type { StepShrinkResult } from '../shrink/steps.js';
import { shrinkSteps } from '../shrink/steps.js';
import { referenceImplementation } from '../adapters/reference.js';
import { durabilityInvariant } from '../world/probes.js';
import { runSeed, traceOf } from './run.js';

export interface ShrinkRunOptions extends ShrinkOptions {
  implementation: Implementation;
  scenario: Scenario;
  choices: Choices;
  seed: number;
  bugs?: readonly string[];
  invariants?: readonly InvariantDefinition[];
  /**
   * Where to keep the best trace so far (atomically, after every improvement of the choice
   * stage), so that an interrupted shrink loses little and `raftcheck shrink` can resume from
   * it. The step stage's path is written by the caller when the shrink ends.
   */
  bestSoFarPath?: string;
  /** See ShrinkSubject.runLivenessElectionTimeouts (a trace's shrink.livenessElectionTimeouts). */
  runLivenessElectionTimeouts?: number;
}

export interface ShrunkTrace {
  shrink: ShrinkResult;
  trace: TraceFile;
}

/**
 * The share of the budget (time and runs) the choice stage gets when the step stage follows.
 * On the bug corpus the choice stage turns runs of 10,000+ events into a few thousand or fewer
 * within it, which the step stage then lifts and ddmins; from the original run the step stage
 * spends most of its budget on the first, longest candidates.
 */
const choiceShareOfBudget = 0.5;

export function shrinkToTrace(options: ShrinkRunOptions): ShrunkTrace {
  const startedMs = wallClockMs();
  const invariants = options.invariants ?? allInvariants;
  const timeBudgetMs = options.timeBudgetMs ?? 30_000;
  const runsMax = options.runsMax ?? 20_000;
  const bugs = options.bugs ?? [];
  /** The trace of a choice-stage state, without its event log (written when the shrink ends). */
  const choicesOnly = (best: ShrinkState) => traceOf({ ...best.result, seed: options.seed, implementation: options.implementation, wallMs: 0, eventLog: [] }, bugs);
  /** Candidate runs of the stages before the current one: the best-so-far trace counts them too. */
  let runsOfEarlierStages = 0;
  /**
   * The best state so far as a trace that a later `raftcheck shrink` resumes from: it says so
   * ("interrupted": the finished shrink writes its own trace over it), how many events the run
   * had, and the liveness bound to confirm against.
   */
  const bestSoFar = (best: ShrinkState, runsSoFar: number): TraceFile => ({
    ...choicesOnly(best),
    shrink: {
      eventsBefore: original.events,
      eventsAfter: best.result.events,
      runs: runsSoFar,
      stoppedBy: 'interrupted',
      passes: [],
      wallMs: Math.round(wallClockMs() - startedMs),
      ...livenessBoundOf(original, runLivenessBound(options)),
    },
  });
  /** The choice stage's last four states, newest last: the step stage may lift them. */
  const recent: { scenario: Scenario; choices: Choices }[] = [];
  const onImprovement = (best: ShrinkState, runs: number) => {
    recent.push({ scenario: best.scenario, choices: best.choices });
    if (recent.length > 4) recent.shift();
    options.onImprovement?.(best, runs);
    if (options.bestSoFarPath !== undefined) writeJsonAtomic(options.bestSoFarPath, bestSoFar(best, runsOfEarlierStages + runs));
  };
  const remaining = () => ({ timeBudgetMs: timeBudgetMs - (wallClockMs() - startedMs), runsMax: Math.max(0, runsMax - runs) });
  const subject = {
    implementation: options.implementation,
    scenario: options.scenario,
    invariants,
    choices: options.choices,
    livenessControl: referenceImplementation(),
    runLivenessElectionTimeouts: options.runLivenessElectionTimeouts,
  };
  const original = runSeed({ ...subject, seed: options.seed });
  const lifting = original.events > 0 && stepStageApplies(original, invariants);
  const share = lifting ? choiceShareOfBudget : 1;
  let choices = shrink({ ...subject, original }, { ...options, timeBudgetMs: timeBudgetMs * share, runsMax: Math.ceil(runsMax * share), onImprovement });
  let runs = choices.runs;
  const choiceResult = () => {
    const result = { ...choices, runs, wallMs: wallClockMs() - startedMs };
    const trace = traceOfChoices({ ...options, scenario: choices.scenario }, choices.choices, invariants);
    return { shrink: result, trace: { ...trace, shrink: shrinkInfoOf(result) } };
  };
  if (!lifting) return choiceResult();

  // The choice-shrunk run first (short, so quick to ddmin). How far a lifted path diverges from
  // its run depends on the run (records lost with a sync in flight, reads), so if it no longer
  // fails the same way, the 2nd and 4th latest states of the choice stage (longer, slower to
  // ddmin), and last the original run.
  const runsToLift = [recent.at(-1), recent.at(-2), recent.at(-4), { scenario: options.scenario, choices: options.choices }].filter((run) => run !== undefined);
  let steps: StepShrinkResult | null = null;
  for (const run of runsToLift) {
    if (steps !== null || remaining().timeBudgetMs <= 0 || remaining().runsMax <= 0 || interruptRequested() !== null) break;
    const lifted = liftRun({ implementation: options.implementation, scenario: run.scenario, invariants, choices: run.choices });
    runs += 1;
    const runsBefore = runs;
    steps = shrinkSteps(
      options.implementation,
      { nodes: lifted.run.scenario.nodes, spares: lifted.spares, implementationOptions: lifted.run.scenario.implementation, ...probesFor(choices.signatures), steps: lifted.steps },
      {
        ...{ signatures: choices.signatures, invariants },
        ...remaining(),
        onProgress: (progress) =>
          options.onProgress?.({ pass: 'steps', runs: runsBefore + progress.runs, eventsBefore: choices.eventsBefore, eventsNow: progress.eventsNow, wallMs: wallClockMs() - startedMs }),
      },
    );
    // The path's replays (one, when it did not fail the same way).
    runs += steps?.runs ?? 1;
  }
  if (steps === null) {
    // No lifted path failed the same way: the rest of the budget goes back to the choice stage.
    const before = choices;
    runsOfEarlierStages = runs;
    const more = shrink({ ...subject, scenario: before.scenario, choices: before.choices, original: before.result }, { ...options, ...remaining(), onImprovement });
    runs += more.runs;
    choices = { ...more, eventsBefore: before.eventsBefore, rounds: before.rounds + more.rounds, passes: mergedPasses([...before.passes, ...more.passes]) };
  }
  if (steps === null || steps.steps.length >= choices.eventsAfter) return choiceResult();

  const explored = stepTraceOf({ ...options, invariants, ...probesFor(choices.signatures) }, steps);
  const result = stepStageResult(explored.replay, steps, startedMs, {
    ...{ signature: choices.signature, signatures: choices.signatures, livenessElectionTimeouts: choices.livenessElectionTimeouts },
    ...{ eventsBefore: choices.eventsBefore, runs, rounds: choices.rounds },
    passes: [...choices.passes, { pass: 'steps', improvements: steps.improvements + 1, eventsSaved: choices.eventsAfter - explored.replay.events }],
  });
  // The implementation as traceOf records it (with how to load it again), and the seed of the run
  // the path came from: replay does not need it, the reader may.
  const trace = {
    ...explored.trace,
    implementation: choicesOnly(choices).implementation,
    seed: options.seed,
    // The path's own scenario is the explorer's: the one the seed ran says where it came from.
    shrink: { ...shrinkInfoOf(result), fromScenario: options.scenario.name },
  };
  return { shrink: result, trace };
}

/** A shrink's result where the step stage's path won: its replay, with what the caller knows of the shrink. */
function stepStageResult(
  replay: SimulationResult,
  steps: StepShrinkResult,
  startedMs: number,
  known: Pick<ShrinkResult, 'signature' | 'signatures' | 'livenessElectionTimeouts' | 'eventsBefore' | 'runs' | 'rounds' | 'passes'>,
): ShrinkResult {
  return {
    ...{ choices: {}, scenario: replay.scenario, result: replay, ...known, eventsAfter: replay.events },
    ...{ stoppedBy: steps.stoppedBy, wallMs: wallClockMs() - startedMs },
    ...(steps.start !== undefined ? { cutAfterSteps: steps.start.cutAfterSteps } : {}),
  };
}

/** One report per pass, in the order the passes first ran. */
function mergedPasses(passes: readonly PassReport[]): PassReport[] {
  const merged = new Map<string, PassReport>();
  for (const pass of passes) {
    const known = merged.get(pass.pass);
    merged.set(pass.pass, known === undefined ? { ...pass } : { pass: pass.pass, improvements: known.improvements + pass.improvements, eventsSaved: known.eventsSaved + pass.eventsSaved });
  }
  return [...merged.values()];
}

/**
 * Shrinks an explore trace (a path of `raftcheck explore`, or one this shrink wrote) by the
 * step stage alone: its steps are explicit already.
 */
export function shrinkExploreTrace(trace: TraceFile, options: ShrinkOptions & { implementation: Implementation; invariants?: readonly InvariantDefinition[] }): ShrunkTrace {
  const startedMs = wallClockMs();
  const info = exploreInfoOf(trace);
  if (typeof info === 'string') throw new ShrinkError(`not an explore trace: ${info}`);
  const signature = failureSignature(trace.result);
  if (signature === null) throw new ShrinkError('the trace does not fail: nothing to shrink');
  const signatures = failureSignatures(trace.result);
  const invariants = options.invariants ?? allInvariants;
  const steps = shrinkSteps(options.implementation, info, {
    signatures,
    invariants,
    timeBudgetMs: options.timeBudgetMs ?? 30_000,
    runsMax: options.runsMax ?? 20_000,
    onProgress: (progress) => options.onProgress?.({ pass: 'steps', runs: progress.runs, eventsBefore: trace.result.events, eventsNow: progress.eventsNow, wallMs: wallClockMs() - startedMs }),
  });
  if (steps === null) throw new ShrinkError(`the trace's path no longer fails as recorded (${signature})`);
  const explored = stepTraceOf({ implementation: options.implementation, invariants, bugs: trace.implementation.bugs, durabilityProbes: info.durabilityProbes }, steps);
  const result = stepStageResult(explored.replay, steps, startedMs, {
    ...{ signature, signatures, livenessElectionTimeouts: trace.scenario.liveness.electionTimeouts },
    ...{ eventsBefore: trace.result.events, runs: steps.runs, rounds: 1 },
    passes: [{ pass: 'steps', improvements: steps.improvements, eventsSaved: trace.result.events - explored.replay.events }],
  });
  const fromScenario = trace.shrink?.fromScenario;
  return {
    shrink: result,
    trace: { ...explored.trace, implementation: trace.implementation, seed: trace.seed, shrink: { ...shrinkInfoOf(result), ...(fromScenario !== undefined ? { fromScenario } : {}) } },
  };
}

/** The explore trace of a shrunk step path, and its replay. */
function stepTraceOf(
  options: { implementation: Implementation; invariants: readonly InvariantDefinition[]; bugs?: readonly string[]; durabilityProbes?: boolean },
  steps: StepShrinkResult,
): { trace: TraceFile; replay: SimulationResult } {
  const explored = exploreTraceOf(
    // Not a search: the path is this shrink's, and no states were counted.
    { path: steps.steps, strategy: 'shrink', distinctStates: 0 },
    {
      implementation: options.implementation,
      invariants: options.invariants,
      bugs: options.bugs ?? [],
      nodes: steps.replay.scenario.nodes,
      spares: steps.replay.scenario.membership?.spares ?? 0,
      implementationOptions: steps.replay.scenario.implementation,
      durabilityProbes: options.durabilityProbes,
      ...(steps.start !== undefined ? { start: steps.start } : {}),
      bounds: {},
    },
  );
  assert(explored !== null, 'a shrunk step path without steps');
  return explored;
}

function shrinkInfoOf(result: ShrinkResult): TraceShrinkInfo {
  return {
    eventsBefore: result.eventsBefore,
    eventsAfter: result.eventsAfter,
    runs: result.runs,
    stoppedBy: result.stoppedBy,
    passes: result.passes,
    wallMs: Math.round(result.wallMs),
    ...livenessBoundOf(result.result, result.livenessElectionTimeouts),
  };
}

/** The liveness bound a trace records, for a liveness failure only (other traces stay as they were). */
function livenessBoundOf(run: Pick<SimulationResult, 'status'>, electionTimeouts: number): { livenessElectionTimeouts?: number } {
  return run.status === 'liveness' ? { livenessElectionTimeouts: electionTimeouts } : {};
}

/**
 * Whether the step stage applies: the explorer's replay can show the failure (a safety violation,
 * after a step, a crash or of the clients' history; or an implementation error; liveness needs
 * time, which explore steps do not have). Any implementation: one without clone() (a program
 * over the process protocol) replays a candidate with one input per step and a bounded number
 * of live instances (src/world/instancePool.ts), as fast as its round trips allow.
 */
function stepStageApplies(run: SimulationResult, invariants: readonly InvariantDefinition[]): boolean {
  if (run.status === 'implementationError') return true;
  if (run.status !== 'safety' || run.violation === null) return false;
  if (run.violation.invariant === durabilityInvariant) return true;
  const violated = invariants.find((candidate) => candidate.name === run.violation!.invariant);
  if (violated === undefined) return false;
  // A step path fires timers with no clock behind them, as though drift had no bound: a failure
  // of an invariant that rests on that bound (a read a lease answered) shrinks by its choices
  // only in a run with lease reads. Any other failure holds in every order of timers.
  return !(run.scenario.implementation.leaseReads === true && violated.restsOnClockBound === true);
}

/**
 * Durability probes in the step stage's replays when the failure is one a probe finds, and only
 * then: a path of another failure is judged as the explorer judges it.
 */
function probesFor(signatures: readonly string[]): { durabilityProbes?: true } {
  return signatures.includes(`safety:${durabilityInvariant}`) ? { durabilityProbes: true } : {};
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

export interface TraceFileShrinkOptions {
  implementation: Implementation;
  /** Where the shrunk trace goes; the best so far is written there while the shrink runs. */
  out: string;
  timeBudgetMs: number;
  onProgress?: ShrinkOptions['onProgress'];
}

/**
 * Shrinks a failing trace file further (`raftcheck shrink`): an explore trace by its steps, any
 * other by its choices and then its steps. Writes the shrunk trace to options.out, keeping the
 * event count of the trace's first, unshrunk run. Throws ShrinkError when the trace does not fail.
 */
export function shrinkTraceFile(trace: TraceFile, options: TraceFileShrinkOptions): { shrink: ShrinkResult; eventsBefore: number } {
  const { implementation, timeBudgetMs, onProgress } = options;
  const shrunk =
    trace.explore !== undefined
      ? // An explore trace (from explore, or a shrink that ended in explore steps): its steps are shrunk directly.
        shrinkExploreTrace(trace, { implementation, timeBudgetMs, onProgress })
      : shrinkToTrace({
          implementation,
          scenario: trace.scenario,
          choices: trace.choices,
          seed: trace.seed,
          bugs: trace.implementation.bugs,
          timeBudgetMs,
          onProgress,
          // Resumable: the best trace so far is always on disk.
          bestSoFarPath: options.out,
          runLivenessElectionTimeouts: trace.shrink?.livenessElectionTimeouts,
        });
  const eventsBefore = trace.shrink?.eventsBefore ?? trace.result.events;
  writeJsonAtomic(options.out, { ...shrunk.trace, shrink: { ...shrunk.trace.shrink!, eventsBefore } });
  return { shrink: shrunk.shrink, eventsBefore };
}

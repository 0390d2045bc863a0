// Shrinking a failing run to a minimal one. A failing run is (implementation, scenario, choice
// sequences); every candidate is an edit of the choices, re-run from scratch, and accepted only if
// it fails the same way (the same invariant) with fewer events (then fewer, then smaller choices).
//
// The passes, run round after round until none helps or a budget runs out:
//   1. zero: set spans of choices to 0, halving the span size (ddmin over choices). A 0 turns a
//      fault's strike off, ends the workload, picks the shortest delay: it removes external
//      events (faults, client requests) and simplifies internal ones (deliveries, timers).
//   2. delete: remove spans of choices, halving the span size. Each fault decision and each
//      message takes a fixed number of choices, so deleting idle fault decisions moves every
//      later fault earlier in virtual time, and the run, mostly ticks, gets shorter.
//   3. lower: binary-search each remaining non-zero choice toward 0 (Hypothesis's "minimize");
//      for a liveness failure a lowered choice that does not help is tried again with the fault
//      phase halved (a change brought earlier lets the faults end sooner).
// Replaying edited choices always gives a valid run (missing draws are 0, out-of-range values
// clamp), so divergence is tolerated by construction, as DEMi tolerates it by skipping messages
// that no longer exist.
//
// Deterministic: the same failure and the same run budget give the same shrunk trace. The wall
// clock bounds the work too (--shrink-time); when it is what stopped a shrink, the result says so.

import type { Implementation } from '../contract/contract.js';
import { ProcessExitError, ProcessProtocolError, ProcessTimeoutError } from '../adapters/process.js';
import { WasmExitError, WasmFuelError, WasmProtocolError } from '../adapters/wasm/host.js';
import type { Choices } from '../core/random.js';
import { choiceCount } from '../core/random.js';
import { wallClockMs } from '../core/wallClock.js';
import { interruptRequested } from '../core/interrupt.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import type { Scenario } from '../sim/scenario.js';
import { defaultClientOptions, resizeScenario, shortenScenario } from '../sim/scenario.js';
import type { SimulationResult } from '../sim/simulation.js';
import { Simulation } from '../sim/simulation.js';
import { stableLeaderElectionTimeouts } from '../sim/liveness.js';

export interface ShrinkSubject {
  implementation: Implementation;
  /** The scenario as given (for a swarm scenario, the base: its options replay from the choices). */
  scenario: Scenario;
  invariants: readonly InvariantDefinition[];
  choices: Choices;
  /** The run these choices give, when the caller has it already: then it is not run again. */
  original?: SimulationResult;
  /**
   * A correct Raft (the built-in reference) that must get through every liveness candidate the
   * shrink accepts. Shrinking picks the worst of everything: zeroed node seeds make every node
   * draw the same election timeouts, and a tighter bound or shorter timers leave less room. A
   * trace a correct Raft also fails shows its inputs, not the bug. Absent: no such check.
   */
  livenessControl?: Implementation;
  /**
   * The liveness bound, in election timeouts, of the run this failure was first found in, when
   * the scenario given carries a tighter one (a shrunk trace shrunk again). Default: the scenario's.
   */
  runLivenessElectionTimeouts?: number;
}

export interface ShrinkOptions {
  /** Wall-clock bound in milliseconds (default 30 s). */
  timeBudgetMs?: number;
  /** Deterministic bound on candidate runs (default 20,000). */
  runsMax?: number;
  onProgress?: (progress: ShrinkProgress) => void;
  /** Called with every improvement and the runs so far: write it out, so an interrupted shrink can resume from it. */
  onImprovement?: (best: ShrinkState, runs: number) => void;
}

export interface ShrinkProgress {
  pass: string;
  runs: number;
  eventsBefore: number;
  eventsNow: number;
  wallMs: number;
}

export interface ShrinkState {
  choices: Choices;
  /** The scenario of the best run: the scenario pass may have shrunk the cluster or the fault phase. */
  scenario: Scenario;
  result: SimulationResult;
}

export interface PassReport {
  pass: string;
  improvements: number;
  eventsSaved: number;
}

export interface ShrinkResult extends ShrinkState {
  /** The failure being preserved: "safety:election-safety", "implementationError:exited", ... */
  signature: string;
  /** Every failure a candidate may end with to count as the same (failureSignatures). */
  signatures: string[];
  /** The liveness bound, in election timeouts, that liveness candidates were confirmed against. */
  livenessElectionTimeouts: number;
  eventsBefore: number;
  eventsAfter: number;
  runs: number;
  rounds: number;
  passes: PassReport[];
  /** What ended the shrink: no pass helps any more, a budget, or an interrupt (SIGINT, SIGTERM). */
  stoppedBy: 'fixpoint' | 'time' | 'runs' | 'interrupted';
  wallMs: number;
  /** The step stage cut the path (src/shrink/paths.ts PathStart): its events begin after this many steps of it. */
  cutAfterSteps?: number;
}

/** What a signature reads of a run (the result of a simulation, of an explore replay, or of a trace file). */
export type RunFailure = Pick<SimulationResult, 'status' | 'violation'> & Partial<Pick<SimulationResult, 'implementationError'>>;

/**
 * The failure a run ends with: "safety:election-safety", "liveness:liveness", for an
 * implementation error its kind, "implementationError:exited" (see implementationErrorKind), and
 * "harnessError".
 */
export function failureSignature(result: RunFailure): string | null {
  if (result.status === 'ok') return null;
  if (result.status === 'implementationError') return `implementationError:${implementationErrorKind(result.implementationError?.message ?? '')}`;
  if (result.status === 'harnessError') return 'harnessError';
  return `${result.status}:${result.violation?.invariant ?? '?'}`;
}

/**
 * How an implementation failed: exited (or closed its pipes; a wasm guest called proc_exit),
 * timedOut (a wasm guest: out of fuel), protocol (a program's or a guest's malformed or oversized
 * answer, a wrong hello), threw (an in-process exception, a guest's trap), badOutput (an output
 * that breaks the contract). Read from the message, which the simulation and the explorer
 * both begin with `threw NAME:` for what a node threw and with their own words otherwise, so that
 * traces written before the kinds existed classify the same.
 */
export type ImplementationErrorKind = 'exited' | 'timedOut' | 'protocol' | 'threw' | 'badOutput';

export function implementationErrorKind(message: string): ImplementationErrorKind {
  if (!message.startsWith('threw ')) return 'badOutput';
  const name = /^threw (\w+): /.exec(message)?.[1];
  if (name === ProcessExitError.name || name === WasmExitError.name) return 'exited';
  if (name === ProcessTimeoutError.name || name === WasmFuelError.name) return 'timedOut';
  if (name === ProcessProtocolError.name || name === WasmProtocolError.name) return 'protocol';
  return 'threw';
}

/**
 * What a candidate must fail with to count as the same failure: the run's failure, or another
 * invariant the same step violated (Violation.alsoViolated). A step that breaks two invariants at
 * once is one failure; which of them the registry names first is an accident of its order, and
 * the smaller reproduction may show only the other.
 */
export function failureSignatures(result: RunFailure): string[] {
  const primary = failureSignature(result);
  if (primary === null) return [];
  return [primary, ...(result.violation?.alsoViolated ?? []).map((invariant) => `${result.status}:${invariant}`)];
}

/** Whether a candidate run fails as one of these signatures (failureSignatures of the original). */
export function failsAs(result: RunFailure, signatures: readonly string[]): boolean {
  const signature = failureSignature(result);
  return signature !== null && signatures.includes(signature);
}

/**
 * A sentence for a shrink that ended on another invariant of the failing step than the run's
 * first (see failureSignatures), so that a reader is not surprised by the shrunk trace; null if
 * it kept the run's own.
 */
export function keptFailureNote(result: Pick<ShrinkResult, 'signature' | 'result'>): string | null {
  const kept = failureSignature(result.result);
  if (kept === null || kept === result.signature) return null;
  const name = (signature: string) => signature.slice(signature.indexOf(':') + 1);
  return `the run's failing step violated ${name(result.signature)} and ${name(kept)} at once; the shrunk trace shows ${name(kept)}`;
}

/** The liveness bound, in election timeouts, that a shrink confirms liveness candidates against. */
export function runLivenessBound(subject: Pick<ShrinkSubject, 'scenario' | 'runLivenessElectionTimeouts'>): number {
  return subject.runLivenessElectionTimeouts ?? subject.scenario.liveness.electionTimeouts;
}

/** Whether the failure is a verdict on the clients' history (linearizability), not on a step. */
export function judgedOnHistory(result: Pick<SimulationResult, 'violation'>, invariants: readonly InvariantDefinition[]): boolean {
  const invariant = result.violation?.invariant;
  return invariant !== undefined && invariants.some((definition) => definition.name === invariant && definition.create().checkHistory !== undefined);
}

/**
 * The scenario with the clients' history checked at every completion: a run then stops at the
 * first completion that leaves the history without a linearization, not at the end of the run.
 * That point always exists when the end-of-run check fails (operations invoked after the last
 * completion may all be left out of a linearization, so the history at the last completion fails
 * too), so the candidate fails the same way, usually far sooner. On a swarm base without clients
 * the drawn clients take the setting from these (a seed that draws none runs these defaults).
 */
function historyCheckedAtEveryCompletion(scenario: Scenario): Scenario {
  return { ...scenario, clients: { ...(scenario.clients ?? defaultClientOptions()), checkEveryOperations: 1 } };
}

/** Streams in the order their edits tend to pay off: faults and requests first, timers last. */
function streamOrder(choices: Choices): string[] {
  const rank = (stream: string) => {
    const order = ['swarm', 'faults', 'workload', 'targets', 'storage', 'network'];
    const index = order.indexOf(stream);
    return index === -1 ? order.length : index;
  };
  return Object.keys(choices).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function shrink(subject: ShrinkSubject, options: ShrinkOptions = {}): ShrinkResult {
  return new ChoiceShrinker(subject, options).run();
}

/** One shrink of a choice sequence: its budgets, the best failing candidate so far, its passes. */
class ChoiceShrinker {
  private readonly startedMs = wallClockMs();
  private readonly timeBudgetMs: number;
  private readonly runsMax: number;
  private runs = 0;
  private stoppedBy: ShrinkResult['stoppedBy'] = 'fixpoint';
  private readonly passes = new Map<string, PassReport>();
  private scenario: Scenario;
  private readonly signature: string;
  private readonly signatures: string[];
  private best: ShrinkState;
  private readonly historyJudged: boolean;
  private readonly eventsBefore: number;
  private readonly livenessBound: number;

  constructor(
    private readonly subject: ShrinkSubject,
    private readonly options: ShrinkOptions,
  ) {
    this.timeBudgetMs = options.timeBudgetMs ?? 30_000;
    this.runsMax = options.runsMax ?? 20_000;
    this.scenario = subject.scenario;
    // A run handed in still counts as the run it stands for, so budgets end where they did.
    const original = subject.original ?? this.execute(subject.choices, Number.POSITIVE_INFINITY);
    if (subject.original !== undefined) this.runs += 1;
    const signature = failureSignature(original);
    if (signature === null) throw new ShrinkError('the run to shrink does not fail: nothing to shrink');
    this.signature = signature;
    this.signatures = failureSignatures(original);
    this.best = { choices: copyChoices(original.choices), scenario: this.scenario, result: original };
    this.historyJudged = judgedOnHistory(original, subject.invariants);
    this.eventsBefore = original.events;
    this.livenessBound = runLivenessBound(subject);
  }

  run(): ShrinkResult {
    let rounds = 0;
    // A failure before the first event (a handshake that failed) is as short as it gets.
    while (this.eventsBefore > 0) {
      rounds += 1;
      let improved = false;
      // Zero first (it removes strikes and requests outright), then delete (it compresses time),
      // then lower what is left. Measured on the bug corpus, this order beat the others tried
      // (deleting first, or the network stream last): see docs/BENCHMARKS.md.
      const all = () => true;
      // The scenario pass is cheap (a few runs) and pays off more as the choices shrink: between every pass.
      const schedule = [
        () => this.scenarioPass(),
        () => this.allZero(),
        () => this.zeroSpans(all),
        () => this.scenarioPass(),
        () => this.deleteSpans(all),
        () => this.scenarioPass(),
        () => this.lowerPass(),
      ];
      for (const pass of schedule) {
        if (this.outOfBudget()) break;
        if (pass()) improved = true;
      }
      if (!improved || this.stoppedBy !== 'fixpoint') break;
    }
    return {
      ...this.best,
      signature: this.signature,
      signatures: this.signatures,
      livenessElectionTimeouts: this.livenessBound,
      eventsBefore: this.eventsBefore,
      eventsAfter: this.best.result.events,
      runs: this.runs,
      rounds,
      passes: [...this.passes.values()],
      stoppedBy: this.stoppedBy,
      wallMs: wallClockMs() - this.startedMs,
    };
  }

  private execute(choices: Choices, eventsMax: number, candidateScenario: Scenario = this.scenario, implementation = this.subject.implementation): SimulationResult {
    this.runs += 1;
    return new Simulation({
      implementation,
      scenario: candidateScenario,
      seed: 0,
      invariants: this.subject.invariants,
      choices,
      stopAfterEvent: eventsMax,
    }).run();
  }

  private outOfBudget(): boolean {
    this.stoppedBy = budgetStop(this.runs, this.runsMax, wallClockMs() - this.startedMs, this.timeBudgetMs) ?? this.stoppedBy;
    return this.stoppedBy !== 'fixpoint';
  }

  /**
   * A liveness failure found under a tighter bound than the run's (the scenario pass tightens it)
   * counts only if the same candidate still fails with the run's own bound: then the trace is the
   * start of a run that fails the real check, not a cluster that merely needed a little longer.
   */
  private failsUnderRunBound(result: SimulationResult, candidateScenario: Scenario): boolean {
    if (result.status !== 'liveness' || candidateScenario.liveness.electionTimeouts >= this.livenessBound) return true;
    const full = { ...candidateScenario, liveness: { ...candidateScenario.liveness, electionTimeouts: this.livenessBound } };
    return failsAs(this.execute(result.choices, Number.POSITIVE_INFINITY, full), this.signatures);
  }

  /** The liveness control (ShrinkSubject.livenessControl) passes the candidate's inputs. */
  private correctRaftRecovers(result: SimulationResult, candidateScenario: Scenario): boolean {
    const control = this.subject.livenessControl;
    if (result.status !== 'liveness' || control === undefined) return true;
    return this.execute(result.choices, Number.POSITIVE_INFINITY, candidateScenario, control).status === 'ok';
  }

  /** Tries a candidate; on success it becomes the best (trimmed to the choices it consumed). */
  private attempt(candidate: Choices, pass: string, candidateScenario: Scenario = this.scenario): boolean {
    const result = this.execute(candidate, this.best.result.events, candidateScenario);
    if (!failsAs(result, this.signatures) || !smaller(result, this.best.result)) return false;
    if (!this.failsUnderRunBound(result, candidateScenario) || !this.correctRaftRecovers(result, candidateScenario)) return false;
    this.scenario = candidateScenario;
    const report = this.passes.get(pass) ?? { pass, improvements: 0, eventsSaved: 0 };
    report.improvements += 1;
    report.eventsSaved += this.best.result.events - result.events;
    this.passes.set(pass, report);
    this.best = { choices: copyChoices(result.choices), scenario: this.scenario, result };
    this.options.onImprovement?.(this.best, this.runs);
    return true;
  }

  private progress(pass: string): void {
    this.options.onProgress?.({ pass, runs: this.runs, eventsBefore: this.eventsBefore, eventsNow: this.best.result.events, wallMs: wallClockMs() - this.startedMs });
  }

  /** ddmin-style: for span sizes from the whole stream down by halves, try the edit on each span. */
  private spans(pass: string, streams: (stream: string) => boolean, edit: (sequence: number[], start: number, size: number) => number[] | null): boolean {
    let improved = false;
    for (const stream of streamOrder(this.best.choices).filter(streams)) {
      // From the whole stream down by halves to single choices: coarse edits first.
      const length = this.best.choices[stream]?.length ?? 0;
      const sizeMin = Math.max(1, Math.floor(length / spanGranularity));
      let size = Math.max(1, length);
      while (size >= sizeMin) {
        for (let start = 0; start < (this.best.choices[stream]?.length ?? 0); start += size) {
          if (this.outOfBudget()) return improved;
          const edited = edit(this.best.choices[stream], start, size);
          if (edited === null) continue;
          if (this.attempt({ ...this.best.choices, [stream]: edited }, pass)) {
            improved = true;
            start -= size; // the same position holds new choices now: try it again
          }
        }
        this.progress(pass);
        if (size === 1) break;
        size = Math.max(1, Math.floor(size / 2));
      }
    }
    return improved;
  }

  private zeroSpans(streams: (stream: string) => boolean): boolean {
    return this.spans('zero', streams, (sequence, start, size) => {
      const end = Math.min(sequence.length, start + size);
      let nonZero = false;
      for (let index = start; index < end; index += 1) if (sequence[index] !== 0) nonZero = true;
      if (!nonZero) return null;
      const edited = [...sequence];
      edited.fill(0, start, end);
      return edited;
    });
  }

  /**
   * Every choice 0 at once, across the streams (no draw left: missing draws are 0): the simplest
   * run of the scenario, which Hypothesis also tries first. Span by span, the zero pass reaches
   * it only if every stream's zeros fail on their own, and a failure that needs little but calm
   * (a liveness bug) may not; the scenario pass can then cut the cluster and the fault phase.
   */
  private allZero(): boolean {
    if (Object.values(this.best.choices).every((sequence) => sequence.every((choice) => choice === 0)) || this.outOfBudget()) return false;
    const improved = this.attempt({}, 'zero');
    this.progress('zero');
    return improved;
  }

  private deleteSpans(streams: (stream: string) => boolean): boolean {
    return this.spans('delete', streams, (sequence, start, size) => {
      if (start >= sequence.length) return null;
      return [...sequence.slice(0, start), ...sequence.slice(start + size)];
    });
  }

  private lowerPass(): boolean {
    let improved = false;
    for (const stream of streamOrder(this.best.choices)) {
      for (let index = 0; index < (this.best.choices[stream]?.length ?? 0); index += 1) {
        let high = this.best.choices[stream][index];
        let low = 0;
        // Binary search for the smallest value that still fails, assuming rough monotonicity.
        while (low < high) {
          if (this.outOfBudget()) return improved;
          const middle = Math.floor((low + high) / 2);
          const edited = [...this.best.choices[stream]];
          edited[index] = middle;
          if (this.attemptLower({ ...this.best.choices, [stream]: edited })) {
            improved = true;
            high = this.best.choices[stream]?.[index] ?? 0;
          } else {
            low = middle + 1;
          }
        }
      }
      this.progress('lower');
    }
    return improved;
  }

  /**
   * A lowered choice; for a liveness failure, where it does not help as it stands, again with the
   * fault phase halved. A lower choice that brings an event earlier (a membership change: its
   * wait grows with its choice) leaves the run as long while the fault phase stays; the failure
   * may now need only half of it, which the scenario pass, trying the choices it has, cannot see.
   */
  private attemptLower(candidate: Choices): boolean {
    if (this.attempt(candidate, 'lower')) return true;
    if (this.best.result.status !== 'liveness' || this.scenario.durationMs <= faultPhaseMsMin || this.outOfBudget()) return false;
    return this.attempt(candidate, 'lower', shortenScenario(this.scenario, Math.floor(this.scenario.durationMs / 2)));
  }

  /**
   * The inputs beside the choices: a smaller cluster (down to 3 nodes), a shorter fault phase
   * (which brings a liveness phase, and its verdict, earlier), shorter election timeouts and, for
   * a liveness failure, a shorter liveness bound. A hand-written reproduction would choose these
   * too; the shrunk trace records the scenario it ended with.
   */
  private scenarioPass(): boolean {
    let improved = false;
    if (this.historyJudged && this.scenario.clients?.checkEveryOperations !== 1 && !this.outOfBudget()) {
      if (this.attempt(this.best.choices, 'scenario', historyCheckedAtEveryCompletion(this.scenario))) improved = true;
    }
    for (let nodes = 3; nodes < this.scenario.nodes; nodes += 1) {
      if (this.outOfBudget()) return improved;
      if (this.attempt(this.best.choices, 'scenario', resizeScenario(this.scenario, nodes))) {
        improved = true;
        break;
      }
    }
    if (this.shortenFaultPhase()) improved = true;
    if (this.shortenElectionTimeouts()) improved = true;
    if (this.shortenLivenessBound()) improved = true;
    this.progress('scenario');
    return improved;
  }

  /**
   * A shorter fault phase (which brings a liveness phase, and its verdict, earlier): halved while
   * the run still fails, then, where half is too short, a binary search between that half and the
   * phase now, down to a sixteenth of it. Halving alone stops at twice what the failure needs at
   * worst, and a liveness trace's events are mostly ticks all along its phases.
   */
  private shortenFaultPhase(): boolean {
    let improved = false;
    while (this.scenario.durationMs > faultPhaseMsMin && !this.outOfBudget()) {
      if (this.attempt(this.best.choices, 'scenario', shortenScenario(this.scenario, Math.floor(this.scenario.durationMs / 2)))) {
        improved = true;
        continue;
      }
      let tooShortMs = Math.floor(this.scenario.durationMs / 2);
      while (this.scenario.durationMs - tooShortMs > Math.max(faultPhaseMsMin / 2, this.scenario.durationMs / 16) && !this.outOfBudget()) {
        const middleMs = Math.floor((tooShortMs + this.scenario.durationMs) / 2);
        if (this.attempt(this.best.choices, 'scenario', shortenScenario(this.scenario, middleMs))) improved = true;
        else tooShortMs = middleMs;
      }
      break;
    }
    return improved;
  }

  /** Shorter election timeouts: fewer ticks between elections, the bulk of a trace's events. */
  private shortenElectionTimeouts(): boolean {
    let improved = false;
    while (!this.outOfBudget()) {
      const timing = this.scenario.implementation;
      const electionTicksMin = Math.max(timing.heartbeatTicks + 1, Math.floor(timing.electionTicksMin / 2));
      const electionTicksMax = Math.max(electionTicksMin + 1, Math.floor(timing.electionTicksMax / 2));
      if (electionTicksMin === timing.electionTicksMin && electionTicksMax === timing.electionTicksMax) break;
      const faster = { ...this.scenario, implementation: { ...timing, electionTicksMin, electionTicksMax } };
      if (!this.attempt(this.best.choices, 'scenario', faster)) break;
      improved = true;
    }
    return improved;
  }

  /**
   * A shorter liveness bound: the liveness phase, mostly ticks, is most of a liveness failure's
   * events. Not below the time a leader must hold its term to count as stable, which no
   * implementation could meet; attempt confirms each candidate under the run's own bound.
   */
  private shortenLivenessBound(): boolean {
    let improved = false;
    while (this.best.result.status === 'liveness' && !this.outOfBudget()) {
      const electionTimeouts = Math.max(stableLeaderElectionTimeouts, Math.floor(this.scenario.liveness.electionTimeouts / 2));
      if (electionTimeouts >= this.scenario.liveness.electionTimeouts) break;
      if (!this.attempt(this.best.choices, 'scenario', { ...this.scenario, liveness: { ...this.scenario.liveness, electionTimeouts } })) break;
      improved = true;
    }
    return improved;
  }
}

/** The fault phase the scenario pass shortens no further by halving (ms). */
const faultPhaseMsMin = 100;

/** How finely the span passes cut a stream (see ChoiceShrinker.spans): down to single choices. */
const spanGranularity = Number.POSITIVE_INFINITY;

/** What ends a shrink at one of its checks: an interrupt, then the runs budget, then the time budget; null: go on. */
export function budgetStop(runs: number, runsMax: number, elapsedMs: number, timeBudgetMs: number): 'interrupted' | 'runs' | 'time' | null {
  return interruptRequested() !== null ? 'interrupted' : runs >= runsMax ? 'runs' : elapsedMs >= timeBudgetMs ? 'time' : null;
}

/** The order shrinking minimizes: fewer events, then fewer choices, then smaller ones (shortlex). */
function smaller(candidate: SimulationResult, best: SimulationResult): boolean {
  if (candidate.events !== best.events) return candidate.events < best.events;
  const candidateCount = choiceCount(candidate.choices);
  const bestCount = choiceCount(best.choices);
  if (candidateCount !== bestCount) return candidateCount < bestCount;
  return compareChoices(candidate.choices, best.choices) < 0;
}

function compareChoices(a: Choices, b: Choices): number {
  for (const stream of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const left = a[stream] ?? [];
    const right = b[stream] ?? [];
    for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
      const difference = (left[index] ?? 0) - (right[index] ?? 0);
      if (difference !== 0) return difference;
    }
  }
  return 0;
}

function copyChoices(choices: Choices): Choices {
  const copy: Choices = {};
  for (const stream of Object.keys(choices).sort()) copy[stream] = [...choices[stream]];
  return copy;
}

export class ShrinkError extends Error {
  override name = 'ShrinkError';
}

// The second shrinking stage: ddmin over an explicit step path (src/shrink/lift.ts lifts a
// failing run into one). A candidate is the path with some steps removed or edited, replayed in
// the explorer's transition system and judged by the real invariants through the very replay
// `raftcheck replay` uses for explore traces (replayExplorePath), so an accepted path is exactly
// what the written trace reproduces.
//
// Removing a step changes what later steps find: a message may never have been sent, or was sent
// with other contents (an entry fewer, another term). As DEMi does, a step that is no longer
// possible is skipped; a delivery whose exact message is not in flight takes the message on the
// same link, of the same type, that differs from it in the fewest fields (the "same" message
// sent from a slightly different state), and the path is rewritten with what was delivered.
// A candidate counts only if it fails the same way (status and invariant) with fewer steps;
// every replay stops at the first violation, so a candidate may also get shorter at its end.
//
// The passes, round after round until none helps: remove chunks of the external steps (timer
// firings, proposals, crashes, restarts: few, and each takes the deliveries it caused with it),
// then chunks of all steps (ddmin's halving, down to single steps), then crash edits. Last, a
// bounded breadth-first search for a shorter path of another shape (src/shrink/shortest.ts).
//
// Deterministic: the same path and run budget give the same result; the wall clock bounds the
// work too, and when it is what stopped the shrink, the result says so.

import type { Implementation, ImplementationOptions } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { wallClockMs } from '../core/wallClock.js';
import { DeliveredMessages, replayExplorePath, replaySystem } from './paths.js';
import type { Choice, ExploreStep, InFlight, World } from '../world/system.js';
import type { TransitionSystem } from '../world/system.js';
import type { SimulationResult } from '../sim/simulation.js';
import { shortestFailingPath } from './shortest.js';
import { budgetStop, failsAs, judgedOnHistory } from './shrink.js';

/**
 * States the closing search may visit: measured, 50,000 states are a few seconds on a loaded
 * core and reach depth 7 to 9 on three nodes (count-stale-votes' 7-step form is at 6,642).
 */
const searchStatesMax = 50_000;

export interface StepPath {
  nodes: number;
  implementationOptions: ImplementationOptions;
  steps: readonly ExploreStep[];
}

export interface StepShrinkOptions {
  /** The failures to keep: failureSignatures of the run the path was lifted from. */
  signatures: readonly string[];
  /** The invariants a candidate is judged by (the run's). */
  invariants: readonly InvariantDefinition[];
  timeBudgetMs: number;
  /** Deterministic bound on candidate replays. */
  runsMax: number;
  onProgress?: (progress: { runs: number; eventsNow: number }) => void;
}

export interface StepShrinkResult {
  /** The shrunk path, every step possible where it stands (it replays without skipping). */
  steps: ExploreStep[];
  /** Its replay through the real invariants (replayExplorePath's result). */
  replay: SimulationResult;
  /** Steps of the lifted path up to its violation, before any shrinking. */
  eventsBefore: number;
  runs: number;
  improvements: number;
  stoppedBy: 'fixpoint' | 'time' | 'runs' | 'interrupted';
}

interface Candidate {
  steps: ExploreStep[];
  replay: SimulationResult;
}

/** Null when the lifted path does not fail the same way (the divergence was too large). */
export function shrinkSteps(implementation: Implementation, path: StepPath, options: StepShrinkOptions): StepShrinkResult | null {
  const shrinker = new StepShrinker(implementation, path, options);
  const lifted = shrinker.evaluate(path.steps);
  if (lifted === null) {
    shrinker.dispose();
    return null;
  }
  return shrinker.run(lifted);
}

/** One shrink of a step path: its budgets, the cluster it runs on, the best failing path so far. */
class StepShrinker {
  private readonly startedMs = wallClockMs();
  /** The cluster the path runs on: the drop-nodes pass makes it smaller. */
  private nodes: number;
  private replayer: TolerantReplay;
  private runs = 0;
  private improvements = 0;
  private stoppedBy: StepShrinkResult['stoppedBy'] = 'fixpoint';
  /**
   * Whether the explorer's own checks see this failure where the real invariants do. Then a
   * candidate is cut at the explorer's first violation and replayed through the invariants only
   * if that is the same invariant: most candidates fail to fail, and this halves their cost.
   */
  private explorerAgrees = false;
  private readonly invariants: string[];
  /** The best failing path so far: the lifted path until a pass improves on it (set by run). */
  private best!: Candidate;

  constructor(
    private readonly implementation: Implementation,
    private readonly path: StepPath,
    private readonly options: StepShrinkOptions,
  ) {
    this.nodes = path.nodes;
    this.replayer = new TolerantReplay(implementation, path, options.invariants);
    this.invariants = options.signatures.filter((signature) => signature.startsWith('safety:')).map((signature) => signature.slice('safety:'.length));
  }

  run(lifted: Candidate): StepShrinkResult {
    this.best = lifted;
    for (;;) {
      // As DEMi does: the external events first (timers, proposals, crashes and restarts: few, and
      // each one carries the deliveries it causes away with it), then every step.
      const dropped = !this.outOfBudget() && this.dropNodes();
      const externals = !this.outOfBudget() && this.removeChunks((step) => step.kind !== 'deliver');
      const improved = this.removeChunks(() => true) || externals;
      const edited = !this.outOfBudget() && this.editCrashes();
      if ((!improved && !edited && !dropped) || this.outOfBudget()) break;
    }
    // The search proposes the explorer's own commands only, which no client history records: it
    // cannot reproduce a failure judged on one.
    if (!this.outOfBudget() && !judgedOnHistory(this.best.replay, this.options.invariants)) this.searchShorter();
    this.dispose();
    const { best, runs, improvements, stoppedBy } = this;
    return { steps: best.steps, replay: best.replay, eventsBefore: lifted.steps.length, runs, improvements, stoppedBy };
  }

  dispose(): void {
    this.replayer.dispose();
  }

  /** Replays possible steps through the real invariants, as `raftcheck replay` does. */
  private replayed(steps: ExploreStep[]) {
    this.runs += 1;
    return replayExplorePath(this.implementation, { nodes: this.nodes, implementationOptions: this.path.implementationOptions, steps }, this.options.invariants);
  }

  evaluate(steps: readonly ExploreStep[]): Candidate | null {
    const resolved = this.replayer.concrete(steps, this.explorerAgrees);
    if (this.explorerAgrees && !this.invariants.includes(resolved.violation?.invariant ?? '')) {
      this.runs += 1;
      return null;
    }
    const replay = this.replayed(resolved.steps);
    // A concrete path is possible step by step by construction; an error would be a harness bug
    // in the tolerant replay, and rejecting the candidate keeps the best path valid regardless.
    if ('error' in replay || !failsAs(replay, this.options.signatures)) return null;
    const agrees = resolved.violation !== null && resolved.violation.invariant === replay.violation?.invariant && resolved.violation.steps === replay.events;
    if (this.runs === 1) this.explorerAgrees = agrees;
    // Under agreement every accepted path keeps it, so that the cut above stays right.
    else if (this.explorerAgrees && !agrees) return null;
    return { steps: resolved.steps.slice(0, replay.events), replay };
  }

  private outOfBudget(): boolean {
    this.stoppedBy = budgetStop(this.runs, this.options.runsMax, wallClockMs() - this.startedMs, this.options.timeBudgetMs) ?? this.stoppedBy;
    return this.stoppedBy !== 'fixpoint';
  }

  private attempt(steps: readonly ExploreStep[]): boolean {
    const candidate = this.evaluate(steps);
    if (candidate === null || !shorter(candidate.steps, this.best.steps)) return false;
    this.best = candidate;
    this.improvements += 1;
    return true;
  }

  private progress(): void {
    this.options.onProgress?.({ runs: this.runs, eventsNow: this.best.steps.length });
  }

  /**
   * ddmin's removal half over the steps that pass the filter: chunks from half of them down by
   * halves to single steps.
   */
  private removeChunks(eligible: (step: ExploreStep) => boolean): boolean {
    let improved = false;
    const positions = () => this.best.steps.flatMap((step, index) => (eligible(step) ? [index] : []));
    for (let size = Math.max(1, Math.floor(positions().length / 2)); ; size = Math.max(1, Math.floor(size / 2))) {
      for (let start = 0; start < positions().length; start += size) {
        if (this.outOfBudget()) return improved;
        const removed = new Set(positions().slice(start, start + size));
        if (this.attempt(this.best.steps.filter((_, index) => !removed.has(index)))) {
          improved = true;
          start -= size; // the same position holds other steps now: try it again
        }
      }
      this.progress();
      if (size === 1) return improved;
    }
  }

  /**
   * A smaller cluster, down to three nodes, as a hand-written reproduction would choose: some
   * nodes leave with every step they take part in, and the others are renumbered (a message
   * naming a node in its body no longer matches exactly; the tolerant replay delivers the nearest
   * one on the link). The smallest cluster first, every choice of the nodes that leave (going
   * from five to four nodes raises nothing a majority needs, from five to three does); kept when
   * the path fails the same way in no more steps.
   */
  private dropNodes(): boolean {
    for (let size = nodesMin; size < this.nodes; size += 1) {
      for (const removed of subsets(this.nodes, this.nodes - size)) {
        if (this.outOfBudget()) return false;
        const before = { nodes: this.nodes, replayer: this.replayer };
        this.nodes = size;
        this.replayer = new TolerantReplay(this.implementation, { ...this.path, nodes: size }, this.options.invariants);
        const candidate = this.evaluate(withoutNodes(this.best.steps, removed));
        if (candidate !== null && candidate.steps.length <= this.best.steps.length) {
          this.best = candidate;
          this.improvements += 1;
          this.progress();
          before.replayer.dispose();
          return true;
        }
        this.replayer.dispose();
        ({ nodes: this.nodes, replayer: this.replayer } = before);
      }
    }
    return false;
  }

  /**
   * Edits that ddmin's contiguous chunks miss: a crash together with the restart of the same
   * node (often far apart), and a crash that keeps none of its unsynced records (a simpler
   * crash that may let more steps go).
   */
  private editCrashes(): boolean {
    let improved = false;
    for (let index = 0; index < this.best.steps.length; index += 1) {
      const step = this.best.steps[index];
      if (step.kind !== 'crash') continue;
      if (this.outOfBudget()) return improved;
      const restart = this.best.steps.findIndex((other, at) => at > index && other.kind === 'restart' && other.node === step.node);
      if (restart !== -1 && this.attempt(this.best.steps.filter((_, at) => at !== index && at !== restart))) {
        improved = true;
        index -= 1;
        continue;
      }
      if (step.unsyncedKept > 0 && !this.outOfBudget() && this.attempt(this.best.steps.map((other, at) => (at === index ? { ...step, unsyncedKept: 0 } : other)))) {
        improved = true;
      }
    }
    this.progress();
    return improved;
  }

  /**
   * A breadth-first search for a path of another shape (src/shrink/shortest.ts), near the best
   * one: no more crashes, proposals, reorders, messages in flight or terms than it has.
   */
  private searchShorter(): boolean {
    const worlds = this.replayer.worlds(this.best.steps);
    const last = worlds[worlds.length - 1];
    const found = shortestFailingPath({
      ...{ implementation: this.implementation, invariants: this.options.invariants },
      nodes: this.nodes,
      implementationOptions: this.path.implementationOptions,
      bounds: {
        crashesMax: last.crashes,
        requestsMax: last.requests,
        dropsMax: 0,
        reordersMax: last.reorders,
        messagesInFlightMax: Math.max(...worlds.map((world) => world.messages.length)),
        termMax: Math.max(...worlds.map((world) => Math.max(...world.nodes.map((node) => node.mirror.term)))),
      },
      depthMax: this.best.steps.length - 1,
      statesMax: searchStatesMax,
      stop: () => this.outOfBudget(),
      explorerInvariants: this.explorerAgrees ? this.invariants : null,
      judge: (steps) => {
        const replay = this.replayed(steps);
        if ('error' in replay || replay.status === 'ok') return 'passes';
        return failsAs(replay, this.options.signatures) ? 'same' : 'other';
      },
    });
    this.progress();
    return found !== null && this.attempt(found);
  }
}

/**
 * The steps of `steps` that are possible where they stand in a fresh world of the path's
 * cluster, each as the explorer takes it (what a candidate becomes before it is judged).
 */
export function possibleSteps(implementation: Implementation, path: Omit<StepPath, 'steps'>, steps: readonly ExploreStep[], invariants: readonly InvariantDefinition[]): ExploreStep[] {
  const replayer = new TolerantReplay(implementation, path, invariants);
  try {
    return replayer.concrete(steps, false).steps;
  } finally {
    replayer.dispose();
  }
}

/** Clusters the drop-nodes pass goes down to: the smallest in which a majority can be outvoted. */
const nodesMin = 3;

/** The path without the steps the removed nodes take part in, the others renumbered 1, 2, ... */
function withoutNodes(steps: readonly ExploreStep[], removed: readonly NodeId[]): ExploreStep[] {
  const gone = new Set(removed);
  const renamed = (id: NodeId) => id - removed.filter((other) => other < id).length;
  const kept: ExploreStep[] = [];
  for (const step of steps) {
    if ('node' in step) {
      if (!gone.has(step.node)) kept.push({ ...step, node: renamed(step.node) });
    } else if (!gone.has(step.from) && !gone.has(step.to)) {
      kept.push({ ...step, from: renamed(step.from), to: renamed(step.to) });
    }
  }
  return kept;
}

/** Every set of `count` node ids out of 1..nodes, in lexicographic order. */
function subsets(nodes: number, count: number): NodeId[][] {
  if (count === 0) return [[]];
  const result: NodeId[][] = [];
  const extend = (start: number, chosen: NodeId[]) => {
    if (chosen.length === count) return void result.push([...chosen]);
    for (let id = start; id <= nodes; id += 1) extend(id + 1, [...chosen, id]);
  };
  extend(1, []);
  return result;
}

/** The order the stage minimizes: fewer steps, then fewer unsynced records kept by crashes. */
function shorter(candidate: readonly ExploreStep[], best: readonly ExploreStep[]): boolean {
  if (candidate.length !== best.length) return candidate.length < best.length;
  const kept = (steps: readonly ExploreStep[]) => steps.reduce((sum, step) => sum + (step.kind === 'crash' ? step.unsyncedKept : 0), 0);
  return kept(candidate) < kept(best);
}

interface Resolved {
  steps: ExploreStep[];
  /** The explorer's first violation: which invariant, after how many of the steps. */
  violation: { invariant: string; steps: number } | null;
}

/** Replays a path in the transition system, skipping what is not possible, into concrete steps. */
class TolerantReplay {
  private readonly system: TransitionSystem;
  /** JSON of each message in flight (they are shared between worlds, so each is written once). */
  private readonly bodies = new WeakMap<InFlight, string>();
  private readonly stepBodies = new WeakMap<ExploreStep, string>();
  private readonly initial: World;
  /** The nodes did not even start: no step is possible (the replay reports the error). */
  private readonly failedToStart: boolean;

  constructor(implementation: Implementation, path: Omit<StepPath, 'steps'>, invariants: readonly InvariantDefinition[]) {
    this.system = replaySystem(implementation, path.nodes, path.implementationOptions, invariants);
    const initial = this.system.initial();
    this.initial = initial.world;
    this.failedToStart = initial.implementationError !== null;
  }

  /**
   * The steps that apply, in order, as the explorer describes them, and the first violation the
   * explorer's own checks saw on the way (src/world/checks.ts); with stopAtViolation, the
   * steps end there.
   */
  concrete(steps: readonly ExploreStep[], stopAtViolation: boolean, onWorld?: (world: World) => void): Resolved {
    const concrete: ExploreStep[] = [];
    let world = this.initial;
    let violation: Resolved['violation'] = null;
    if (this.failedToStart) return { steps: concrete, violation };
    const delivered = new DeliveredMessages();
    for (const step of steps) {
      const choice = delivered.allows(step) ? this.choiceOf(world, step) : null;
      if (choice === null) continue;
      // Proposals and reads keep the commands they name, so entries in later messages match.
      const taken = this.system.describe(world, choice);
      delivered.note(taken);
      concrete.push(taken);
      const transition = this.system.apply(world, choice);
      world = transition.world;
      onWorld?.(world);
      if (transition.implementationError !== null) break;
      if (violation === null && transition.violation !== null) {
        violation = { invariant: transition.violation.invariant, steps: concrete.length };
        if (stopAtViolation) break;
      }
    }
    return { steps: concrete, violation };
  }

  /** Disposes the live instances of the replay's nodes (it stays usable: they are re-created). */
  dispose(): void {
    this.system.dispose();
  }

  /** The worlds a possible path goes through, the initial one first. */
  worlds(steps: readonly ExploreStep[]): World[] {
    const worlds = [this.initial];
    this.concrete(steps, false, (world) => worlds.push(world));
    return worlds;
  }

  private choiceOf(world: World, step: ExploreStep): Choice | null {
    if (step.kind !== 'deliver') return this.system.choiceOf(world, step);
    if (world.nodes[step.to - 1]?.instance === null) return null;
    let body = this.stepBodies.get(step);
    if (body === undefined) {
      body = JSON.stringify(step.message);
      this.stepBodies.set(step, body);
    }
    const messages = world.messages;
    const onLink = (inFlight: InFlight) => inFlight.from === step.from && inFlight.to === step.to && inFlight.message.type === step.message.type;
    // The first exact match, as the strict replay (TransitionSystem.choiceOf) takes it.
    for (let index = 0; index < messages.length; index += 1) {
      if (onLink(messages[index]) && this.bodyOf(messages[index]) === body) return { kind: 'deliver', message: index };
    }
    // Else the nearest, preferring the same term (a message of another term is another round).
    let nearest = -1;
    let nearestDistance = Number.POSITIVE_INFINITY;
    for (const sameTerm of [true, false]) {
      for (let index = 0; index < messages.length && nearestDistance > 1; index += 1) {
        if (!onLink(messages[index]) || (messages[index].message.term === step.message.term) !== sameTerm) continue;
        const distance = fieldsApart(messages[index].message, step.message, nearestDistance);
        if (distance < nearestDistance) {
          nearest = index;
          nearestDistance = distance;
        }
      }
      if (nearest !== -1) break;
    }
    return nearest === -1 ? null : { kind: 'deliver', message: nearest };
  }

  private bodyOf(inFlight: InFlight): string {
    let body = this.bodies.get(inFlight);
    if (body === undefined) {
      body = JSON.stringify(inFlight.message);
      this.bodies.set(inFlight, body);
    }
    return body;
  }
}

/**
 * How many leaf values two JSON values differ in (a missing field or element counts one), or
 * any number at least `limit` once it is clear the difference is no smaller.
 */
function fieldsApart(a: unknown, b: unknown, limit: number): number {
  if (a === b) return 0;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return 1;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let distance = 0;
  for (const key of Object.keys(left)) {
    distance += key in right ? fieldsApart(left[key], right[key], limit - distance) : 1;
    if (distance >= limit) return distance;
  }
  for (const key of Object.keys(right)) if (!(key in left)) distance += 1;
  return distance;
}

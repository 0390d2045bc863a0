// The second shrinking stage: ddmin over an explicit step path (src/shrink/lift.ts lifts a
// failing run into one). A candidate is the path with some steps removed or edited, replayed once
// in the explorer's transition system and judged by the real invariants through the very replay
// `raftcheck replay` uses for explore traces (PathReplay, tolerant of steps that no longer fit),
// so an accepted path is exactly what the written trace reproduces.
//
// Removing a step changes what later steps find: a message may never have been sent, or was sent
// with other contents (an entry fewer, another term). As DEMi does, a step that is no longer
// possible is skipped; a delivery whose exact message is not in flight takes the message on the
// same link, of the same type, that differs from it in the fewest fields (the "same" message
// sent from a slightly different state), and the path is rewritten with what was delivered.
// A candidate counts only if it fails the same way (status and invariant) with fewer steps;
// every replay stops at the first violation, so a candidate may also get shorter at its end.
//
// The passes, round after round until none helps: a smaller cluster, remove chunks of the
// external steps (timer firings, proposals, crashes, restarts: few, and each takes the
// deliveries it caused with it), then chunks of all steps (ddmin's halving, down to single
// steps), then crash edits; at their fixpoint, simpler node options (the run drew its compaction
// threshold and batch size; a reproduction wants the simplest that still fails), and a second
// shrink tries those from the start (see shrinkSteps); then a cut, the path's later steps alone
// from the durable state its earlier ones left (StepShrinker.cutPrefix: a prefix that only builds
// the logs and configuration a failure needs). A long lifted path is cut at the start of every
// round too, and shrunk again without those early cuts (withoutEarlyCuts). Last, a
// bounded breadth-first search for a shorter path of another shape (src/shrink/shortest.ts).
//
// Deterministic: the same path and run budget give the same result; the wall clock bounds the
// work too, and when it is what stopped the shrink, the result says so.

import type { Implementation, ImplementationOptions } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { wallClockMs } from '../core/wallClock.js';
import { assert } from '../core/assert.js';
import type { StepResolution } from './paths.js';
import { PathReplay } from './paths.js';
import type { Choice, ExploreStep, InFlight, World } from '../world/system.js';
import { initialNodesOf, started } from '../world/system.js';
import type { PathStart } from './paths.js';
import type { TransitionSystem } from '../world/system.js';
import type { SimulationResult } from '../sim/simulation.js';
import { defaultScenario } from '../sim/scenario.js';
import { shortestFailingPath } from './shortest.js';
import { budgetStop, failsAs, judgedOnHistory } from './shrink.js';

/**
 * States the closing search may visit: measured, 50,000 states are a few seconds on a loaded
 * core and reach depth 7 to 9 on three nodes (count-stale-votes' 7-step form is at 6,642).
 */
const searchStatesMax = 50_000;

/**
 * The length from which a path is cut (StepShrinker.cutPrefix) at the start of every round, not
 * only at the fixpoint of the rest: each ddmin round replays the whole path once per chunk, so a
 * lifted path of thousands of steps takes most of a shrink's budget, and a cut near its end
 * leaves ddmin a few hundred. Below it the other passes go first: a cut path keeps its cluster
 * (durable records name nodes in the implementation's own format, which no harness renumbers).
 */
const cutEarlyStepsMin = 256;

export interface StepPath {
  nodes: number;
  /** Feature 'membership': spares after the members (absent: none). */
  spares?: number;
  implementationOptions: ImplementationOptions;
  /** Durability probes on in its replays (ExploreTraceInfo.durabilityProbes): a failure a probe finds. */
  durabilityProbes?: boolean;
  /** Where the path begins when not from empty storage (a cut: see StepShrinker.cutPrefix). */
  start?: PathStart;
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
  /** Its replay through the real invariants, recorded as `raftcheck replay` records it. */
  replay: SimulationResult;
  /** Where the shrunk path begins: absent from empty storage, else where a cut left it (StepShrinker.cutPrefix). */
  start?: PathStart;
  /** It cut its path early (cutEarlyStepsMin): shrinkSteps then shrinks the path again without. */
  cutEarly?: boolean;
  /** Steps of the lifted path up to its violation, before any shrinking. */
  eventsBefore: number;
  runs: number;
  improvements: number;
  stoppedBy: 'fixpoint' | 'time' | 'runs' | 'interrupted';
}

interface Candidate {
  steps: ExploreStep[];
  /** Its replay's verdict (src/shrink/paths.ts PathReplay). */
  replay: SimulationResult;
  /** Whether a step's judgement found the failure (not the clients' history or the audit). */
  foundAtStep: boolean;
}

/**
 * Null when the lifted path does not fail the same way (the divergence was too large). Two
 * shrinks where the run compacts after more than one entry: the first tries simpler options only
 * at its fixpoint (so it never ends longer than the run's own options allow), the second, with
 * at most as many runs again, from the start (a snapshot of index 16 needs 16 proposals until the
 * threshold comes down, and at the first's fixpoint it may no longer come down); the shorter path
 * wins, the first on a tie.
 */
export function shrinkSteps(implementation: Implementation, path: StepPath, options: StepShrinkOptions): StepShrinkResult | null {
  const startedMs = wallClockMs();
  const kept = withoutEarlyCuts(implementation, path, shrinkStepsOnce(implementation, path, options, false, true), options, startedMs);
  const threshold = path.implementationOptions.snapshotEntriesThreshold;
  if (kept === null || kept.stoppedBy !== 'fixpoint' || threshold === undefined || threshold <= 1) return kept;
  // At most as many runs again as the first took: a second opinion, not a second budget.
  const remaining = { runsMax: Math.min(kept.runs, options.runsMax - kept.runs), timeBudgetMs: options.timeBudgetMs - (wallClockMs() - startedMs) };
  if (remaining.runsMax <= 0 || remaining.timeBudgetMs <= 0) return kept;
  const onProgress = options.onProgress === undefined ? undefined : (progress: { runs: number; eventsNow: number }) => options.onProgress!({ runs: kept.runs + progress.runs, eventsNow: Math.min(progress.eventsNow, kept.steps.length) });
  const simplified = shrinkStepsOnce(implementation, path, { ...options, ...remaining, onProgress }, true);
  const runs = kept.runs + (simplified?.runs ?? 1);
  if (simplified === null || simplified.steps.length >= kept.steps.length) return { ...kept, runs };
  return { ...simplified, runs, improvements: kept.improvements + simplified.improvements };
}

/**
 * A shrink that cut its long path early (cutEarlyStepsMin) is quick, but what it left before a
 * cut no pass shortens any more, and a cut cluster keeps its nodes where their records name
 * them. With the rest of the budget the path is shrunk again as before early cuts existed (a
 * cut only at its fixpoint); the shorter of the two wins, the second on a tie (a path that
 * begins from empty storage reads more easily). Where the second is cut short by the budget,
 * the first usually stands: a lifted path of thousands of steps is what the early cut is for.
 */
function withoutEarlyCuts(implementation: Implementation, path: StepPath, first: StepShrinkResult | null, options: StepShrinkOptions, startedMs: number): StepShrinkResult | null {
  if (first === null || first.cutEarly !== true || first.stoppedBy !== 'fixpoint') return first;
  const remaining = { runsMax: options.runsMax - first.runs, timeBudgetMs: options.timeBudgetMs - (wallClockMs() - startedMs) };
  if (remaining.runsMax <= 0 || remaining.timeBudgetMs <= 0) return first;
  const onProgress = options.onProgress === undefined ? undefined : (progress: { runs: number; eventsNow: number }) => options.onProgress!({ runs: first.runs + progress.runs, eventsNow: Math.min(progress.eventsNow, first.steps.length) });
  const second = shrinkStepsOnce(implementation, path, { ...options, ...remaining, onProgress }, false, false);
  const runs = first.runs + (second?.runs ?? 1);
  const stoppedBy = second?.stoppedBy ?? first.stoppedBy;
  if (second === null || second.steps.length > first.steps.length) return { ...first, runs, stoppedBy };
  return { ...second, runs, improvements: first.improvements + second.improvements };
}

function shrinkStepsOnce(implementation: Implementation, path: StepPath, options: StepShrinkOptions, optionsFirst: boolean, cutEarly = false): StepShrinkResult | null {
  const shrinker = new StepShrinker(implementation, path, options, optionsFirst, cutEarly);
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
  /** The cluster the path runs on: the drop-nodes pass makes it smaller, the options pass simpler. */
  private cluster: Omit<StepPath, 'steps'>;
  /**
   * The cuts so far (cutPrefix): the cluster the path began on (a trace file's may begin cut
   * already) and the steps each cut left out, in order, each ending with every node crashed and
   * restarted. From them the whole path is replayed to confirm a cut (wholePathFails), and the
   * start is rebuilt when nodes are dropped (clusterWithout).
   */
  private cuts: { root: Omit<StepPath, 'steps'>; prefixes: ExploreStep[][] };
  private replayer: PathReplay;
  /** A cut was made at the start of a round (cutEarly). */
  private cutEarlyDone = false;
  private runs = 0;
  private improvements = 0;
  private stoppedBy: StepShrinkResult['stoppedBy'] = 'fixpoint';
  private readonly invariants: string[];
  /** The best failing path so far: the lifted path until a pass improves on it (set by run). */
  private best!: Candidate;

  constructor(
    private readonly implementation: Implementation,
    path: StepPath,
    private readonly options: StepShrinkOptions,
    /** Simpler node options at the start of every round, not only at the fixpoint (shrinkSteps). */
    private readonly optionsFirst: boolean,
    /** A long path cut at the start of every round (cutEarlyStepsMin), not only at the fixpoint. */
    private readonly cutEarly: boolean,
  ) {
    this.cluster = { nodes: path.nodes, spares: path.spares, implementationOptions: path.implementationOptions, durabilityProbes: path.durabilityProbes, start: path.start };
    this.cuts = { root: this.cluster, prefixes: [] };
    this.replayer = tolerantReplay(implementation, this.cluster, options.invariants);
    this.invariants = options.signatures.filter((signature) => signature.startsWith('safety:')).map((signature) => signature.slice('safety:'.length));
  }

  run(lifted: Candidate): StepShrinkResult {
    this.best = lifted;
    for (;;) {
      // As DEMi does: the external events first (timers, proposals, crashes and restarts: few, and
      // each one carries the deliveries it causes away with it), then every step.
      const dropped = !this.outOfBudget() && this.dropNodes();
      const cut = this.cutEarly && !this.outOfBudget() && this.best.steps.length >= cutEarlyStepsMin && this.cutPrefix();
      if (cut) this.cutEarlyDone = true;
      const simplified = this.optionsFirst && !this.outOfBudget() && this.simplerOptions();
      const externals = !this.outOfBudget() && this.removeChunks((step) => step.kind !== 'deliver');
      const groups = !this.outOfBudget() && this.removeGroups();
      const improved = this.removeChunks(() => true) || externals || groups;
      const edited = !this.outOfBudget() && this.editCrashes();
      if (this.outOfBudget()) break;
      // Else simpler options only at the fixpoint of the rest, so that what they keep is never
      // longer than the run's own options allow (tried first, compaction after every entry took
      // no-client-dedup's 12 steps to 16). Rows of tick steps merged only where the rest would
      // stop: merged earlier, they led figure8's seed 106 to another fixpoint, 114 steps not 107.
      // Last, a cut: the path from a later step on, over the durable state its prefix left.
      if (!improved && !edited && !dropped && !cut && !simplified && (this.optionsFirst || !this.simplerOptions()) && (this.outOfBudget() || !this.mergeTicks()) && (this.outOfBudget() || !this.cutPrefix())) break;
    }
    // The search proposes the explorer's own commands only, which no client history records: it
    // cannot reproduce a failure judged on one.
    if (!this.outOfBudget() && !judgedOnHistory(this.best.replay, this.options.invariants)) this.searchShorter();
    const replay = this.recorded(this.best);
    this.dispose();
    const { best, runs, improvements, stoppedBy } = this;
    const cut = this.cluster.start !== undefined ? { start: this.cluster.start } : {};
    return { steps: best.steps, replay, ...cut, ...(this.cutEarlyDone ? { cutEarly: true } : {}), eventsBefore: lifted.steps.length, runs, improvements, stoppedBy };
  }

  /** The best path's replay with its events and trace hash: the verdict it was accepted on, recorded. */
  private recorded(best: Candidate): SimulationResult {
    const replayed = this.replayer.replay(best.steps, { record: true });
    assert(!('error' in replayed), 'the best path of a step shrink does not replay');
    const { result } = replayed;
    assert(
      result.status === best.replay.status && result.violation?.invariant === best.replay.violation?.invariant && result.events === best.replay.events,
      'a step path replays to another verdict when its replay is recorded',
    );
    return result;
  }

  dispose(): void {
    this.replayer.dispose();
  }

  /** One replay of a candidate, tolerant of the steps that no longer fit: null unless it fails the same way. */
  evaluate(steps: readonly ExploreStep[]): Candidate | null {
    this.runs += 1;
    const replayed = this.replayer.replay(steps, { record: false });
    // A tolerant replay skips what is not possible: an error would be a harness bug, and
    // rejecting the candidate keeps the best path valid regardless.
    if ('error' in replayed || !failsAs(replayed.result, this.options.signatures)) return null;
    return { steps: replayed.steps, replay: replayed.result, foundAtStep: replayed.foundAtStep };
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
   * Every step of one kind at once, wherever it stands: all deliveries on one link of one message
   * type, all proposals to one node, all of one node's timer firings... Contiguous chunks miss a
   * kind spread over the path, and removing its steps one at a time may fail each time for the
   * same reason: each one shifts what the node draws next (a randomized election timeout), so
   * that every single removal leaves the node with the same unlucky draw. Largest groups first.
   */
  private removeGroups(): boolean {
    let improved = false;
    const keys = [...new Set(this.best.steps.map(groupKey))];
    const sizes = new Map(keys.map((key) => [key, this.best.steps.filter((step) => groupKey(step) === key).length]));
    for (const key of keys.filter((candidate) => sizes.get(candidate)! > 1).sort((a, b) => sizes.get(b)! - sizes.get(a)! || (a < b ? -1 : 1))) {
      if (this.outOfBudget()) return improved;
      if (this.attempt(this.best.steps.filter((step) => groupKey(step) !== key))) improved = true;
    }
    this.progress();
    return improved;
  }

  /**
   * Quiet ticks brought together: once the steps between them are gone, a node's tick steps may
   * stand in one row, alone or among other nodes' (the lift wrote a node's quiet ticks as one
   * step before each of its inputs). Each row of tick steps in which a node appears more than
   * once becomes one tick step a node, their ticks added, in the order the nodes first appear.
   * For one node alone that is the same inputs, and a tick step stops before a tick that would
   * show something wherever it is cut; ticks of different nodes send nothing and commute, but a
   * checker may judge the states between them, so every row is a candidate replayed like any other.
   */
  private mergeTicks(): boolean {
    let improved = false;
    for (let start = 0; start < this.best.steps.length; ) {
      if (this.outOfBudget()) return improved;
      const steps = this.best.steps;
      let end = start;
      while (end < steps.length && steps[end].kind === 'tick') end += 1;
      const merged = mergedTicks(steps.slice(start, end) as TickStep[]);
      if (merged.length < end - start && this.attempt([...steps.slice(0, start), ...merged, ...steps.slice(end)])) {
        improved = true; // the same position holds the merged row now: look at it again
      } else {
        start = Math.max(end, start + 1);
      }
    }
    this.progress();
    return improved;
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
    // Durable records name nodes in the implementation's own format, which no harness renumbers:
    // a cut path's start is rebuilt from the steps its cuts left out, renumbered (clusterWithout);
    // a path that began cut (a trace file) keeps its cluster.
    if (this.cuts.root.start !== undefined) return false;
    const nodes = this.cluster.nodes;
    const total = nodes + (this.cluster.spares ?? 0);
    for (let size = nodesMin; size < nodes; size += 1) {
      for (const removed of subsets(nodes, nodes - size)) {
        if (this.outOfBudget()) return false;
        const smaller = this.clusterWithout(removed, size, total);
        if (smaller !== null && this.attemptOnCluster(smaller.cluster, withoutNodes(this.best.steps, removed, total))) {
          this.cuts = smaller.cuts;
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The cluster with nodes `removed` dropped (and the others renumbered), with the cuts so far:
   * each prefix they left out renumbered too and replayed again for the start; null where a
   * prefix no longer gets through.
   */
  private clusterWithout(removed: readonly NodeId[], size: number, total: number): { cluster: Omit<StepPath, 'steps'>; cuts: StepShrinker['cuts'] } | null {
    if (this.cuts.prefixes.length === 0) return { cluster: { ...this.cluster, nodes: size }, cuts: { root: { ...this.cuts.root, nodes: size }, prefixes: [] } };
    const cuts = { root: { ...this.cuts.root, nodes: size }, prefixes: this.cuts.prefixes.map((prefix) => withoutNodes(prefix, removed, total)) };
    const start = this.startAfter(cuts);
    return start === null ? null : { cluster: { ...this.cluster, nodes: size, start }, cuts };
  }

  /** The start the cuts leave: each prefix replayed from the start the one before it left; null if one fails on the way. */
  private startAfter(cuts: { root: Omit<StepPath, 'steps'>; prefixes: ExploreStep[][] }): PathStart | null {
    let cluster = cuts.root;
    for (const prefix of cuts.prefixes) {
      const replayer = tolerantReplay(this.implementation, cluster, this.options.invariants);
      let last: World | null = null;
      const replayed = replayer.replay(prefix, { record: false, onWorld: (world) => (last = world) });
      replayer.dispose();
      if ('error' in replayed || replayed.result.status !== 'ok' || last === null) return null;
      cluster = { ...cluster, start: { cutAfterSteps: (cluster.start?.cutAfterSteps ?? 0) + replayed.steps.length, nodes: initialNodesOf(last) } };
    }
    return cluster.start ?? null;
  }

  /**
   * Simpler node options, as a hand-written reproduction would choose them (simplerOptionEdits),
   * each kept when the path fails the same way in no more steps.
   * The run drew its options, and the path inherits them: a snapshot the failure needs takes as
   * many proposals, and their replication, as the compaction threshold drawn (16 entries, where
   * one would do), and a small batch splits every replication into several messages.
   */
  private simplerOptions(): boolean {
    let improved = false;
    for (const edit of simplerOptionEdits) {
      for (let options = edit(this.cluster.implementationOptions); options !== null; options = edit(this.cluster.implementationOptions)) {
        if (this.outOfBudget() || !this.attemptOnCluster({ ...this.cluster, implementationOptions: options }, this.best.steps)) break;
        improved = true;
      }
    }
    this.progress();
    return improved;
  }

  /**
   * The path (edited for it) on another cluster: kept, with the cluster, when it fails the same
   * way in no more steps (a smaller cluster or simpler options are worth as much as a step).
   */
  private attemptOnCluster(cluster: Omit<StepPath, 'steps'>, steps: readonly ExploreStep[], stepsMin = 0, confirmed: (steps: readonly ExploreStep[]) => boolean = () => true): boolean {
    const before = { cluster: this.cluster, replayer: this.replayer };
    this.cluster = cluster;
    this.replayer = tolerantReplay(this.implementation, cluster, this.options.invariants);
    const candidate = this.evaluate(steps);
    if (candidate !== null && candidate.steps.length <= this.best.steps.length && candidate.steps.length >= stepsMin && confirmed(candidate.steps)) {
      this.best = candidate;
      this.improvements += 1;
      this.progress();
      before.replayer.dispose();
      return true;
    }
    this.replayer.dispose();
    ({ cluster: this.cluster, replayer: this.replayer } = before);
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
   * The path cut in two: its later steps alone, begun from the durable state the earlier ones
   * left, every node that had run restarted over the records it had synced (PathStart). Tried
   * at the fixpoint of every other pass, from the shortest remainder up, and kept for the first
   * that still fails the same way at one of its own steps. A prefix ddmin cannot shorten, since
   * each of its steps matters only through what it leaves in the logs (the elections and the
   * changes that build the configuration a failure needs), then goes as a whole; the failure
   * must still happen after the cut, where the checkers see it from the start.
   * Sound: every node crashing and restarting at once is a run the harness could have drawn, and
   * a cut is kept only where that whole run, judged with all it saw, fails the same way too
   * (wholePathFails).
   * A start is read too: a cut is tried only where the steps it leaves out outnumber what the
   * reader must take in instead, each node's term and vote and the log entries it holds there
   * (entriesHeld). A short path, whose steps build little, stays whole.
   */
  private cutPrefix(): boolean {
    const worlds = this.worlds(this.best.steps);
    const cutBefore = this.cluster.start?.cutAfterSteps ?? 0;
    const steps = Math.min(this.best.steps.length, worlds.length);
    // The shortest remainders first, one step longer each time, then a twentieth longer: on a
    // long path a cut near its end is where the failure most often still happens.
    for (let kept = 1; kept < steps; kept = Math.max(kept + 1, Math.floor(kept * 1.05))) {
      const cut = steps - kept;
      if (this.outOfBudget()) return false;
      if (cut <= entriesHeld(worlds[cut])) continue;
      const start: PathStart = { cutAfterSteps: cutBefore + cut, nodes: initialNodesOf(worlds[cut]) };
      const prefixes = [...this.cuts.prefixes, [...this.best.steps.slice(0, cut), ...restartedAll(worlds[cut])]];
      if (this.attemptOnCluster({ ...this.cluster, start }, this.best.steps.slice(cut), 1, (steps) => this.wholePathFails(prefixes, steps))) {
        this.cuts = { root: this.cuts.root, prefixes };
        return true;
      }
    }
    this.progress();
    return false;
  }

  /**
   * The cut confirmed on the path it stands for, from the cluster the first cut was made on: the
   * steps the cuts left out, every node crashed and restarted at each cut, then the rest. That
   * is a run from where the path began, judged with all it saw; a cut path alone is judged by
   * checkers that know nothing of what came before it, and one that needs to (the clients'
   * history, whose writes may precede the cut; a snapshot of entries committed before it) could
   * otherwise fire on what it did not see.
   */
  private wholePathFails(prefixes: readonly ExploreStep[][], steps: readonly ExploreStep[]): boolean {
    this.runs += 1;
    const replayer = tolerantReplay(this.implementation, this.cuts.root, this.options.invariants);
    const replayed = replayer.replay([...prefixes.flat(), ...steps], { record: false });
    replayer.dispose();
    return !('error' in replayed) && failsAs(replayed.result, this.options.signatures);
  }

  /** The worlds a possible path goes through, the initial one first. */
  private worlds(steps: readonly ExploreStep[]): World[] {
    const worlds: World[] = [];
    this.replayer.replay(steps, { record: false, onWorld: (world) => worlds.push(world) });
    return worlds;
  }

  /**
   * A breadth-first search for a path of another shape (src/shrink/shortest.ts), near the best
   * one: no more crashes, proposals, reorders, messages in flight or terms than it has.
   */
  private searchShorter(): boolean {
    const worlds = this.worlds(this.best.steps);
    const last = worlds[worlds.length - 1];
    const found = shortestFailingPath({
      ...{ implementation: this.implementation, invariants: this.options.invariants },
      nodes: this.cluster.nodes,
      spares: this.cluster.spares,
      implementationOptions: this.cluster.implementationOptions,
      durabilityProbes: this.cluster.durabilityProbes,
      bounds: {
        crashesMax: last.crashes,
        requestsMax: last.requests,
        dropsMax: 0,
        reordersMax: last.reorders,
        messagesInFlightMax: Math.max(...worlds.map((world) => world.messages.length)),
        termMax: Math.max(...worlds.map((world) => Math.max(...world.nodes.map((node) => node.mirror.term)))),
        membershipChangesMax: last.membershipChanges,
        transfersMax: last.transfers,
      },
      depthMax: this.best.steps.length - 1,
      statesMax: searchStatesMax,
      stop: () => this.outOfBudget(),
      stepInvariants: this.best.foundAtStep ? this.invariants : null,
      judge: (steps) => {
        this.runs += 1;
        const replayed = this.replayer.replay(steps, { record: false });
        if ('error' in replayed || replayed.result.status === 'ok') return 'passes';
        return failsAs(replayed.result, this.options.signatures) ? 'same' : 'other';
      },
    });
    this.progress();
    return found !== null && this.attempt(found);
  }
}

/**
 * The steps of `steps` that are possible where they stand in a fresh world of the path's
 * cluster, each as the explorer takes it, up to the first violation (what a candidate becomes
 * before it is judged).
 */
export function possibleSteps(implementation: Implementation, path: Omit<StepPath, 'steps'>, steps: readonly ExploreStep[], invariants: readonly InvariantDefinition[]): ExploreStep[] {
  const replayer = tolerantReplay(implementation, path, invariants);
  try {
    const replayed = replayer.replay(steps, { record: false });
    assert(!('error' in replayed), 'a tolerant replay refused a step');
    return replayed.steps;
  } finally {
    replayer.dispose();
  }
}

/** Clusters the drop-nodes pass goes down to: the smallest in which a majority can be outvoted. */
const nodesMin = 3;

/**
 * The edits of the options pass (StepShrinker.simplerOptions), each applied again while it keeps
 * the failure (null: nothing left to simplify): compaction after every entry, else a threshold
 * halved step by step; the default batch where the run drew a smaller one; pre-vote,
 * check-quorum, lease reads and asynchronous storage writes off. Each only ever goes one way, so
 * the pass ends.
 */
const simplerOptionEdits: ((options: ImplementationOptions) => ImplementationOptions | null)[] = [
  (options) => (options.snapshotEntriesThreshold !== undefined && options.snapshotEntriesThreshold > 1 ? { ...options, snapshotEntriesThreshold: 1 } : null),
  (options) => (options.snapshotEntriesThreshold !== undefined && options.snapshotEntriesThreshold > 2 ? { ...options, snapshotEntriesThreshold: Math.floor(options.snapshotEntriesThreshold / 2) } : null),
  (options) => (options.entriesPerMessageMax < defaultEntriesPerMessageMax ? { ...options, entriesPerMessageMax: defaultEntriesPerMessageMax } : null),
  ...(['preVote', 'checkQuorum', 'leaseReads', 'asyncStorageWrites'] as const).map((option) => (options: ImplementationOptions) => {
    if (options[option] !== true) return null;
    const { [option]: _, ...rest } = options;
    return rest;
  }),
];

/** The batch of the default scenario: what a hand-written reproduction runs with. */
const defaultEntriesPerMessageMax = defaultScenario().implementation.entriesPerMessageMax;

/**
 * The path without the steps the removed members take part in, the other nodes (the spares
 * too) renumbered 1, 2, ...; a membership change keeps its steps that name nodes that stay, and
 * goes with the last of them.
 */
function withoutNodes(steps: readonly ExploreStep[], removed: readonly NodeId[], nodesBefore: number): ExploreStep[] {
  const gone = new Set(removed);
  const rename = [0, ...Array.from({ length: nodesBefore }, (_, index) => index + 1 - removed.filter((other) => other <= index).length)];
  const kept: ExploreStep[] = [];
  for (const step of steps) {
    if (step.kind === 'transferLeadership') {
      if (!gone.has(step.node) && !gone.has(step.transfer.target)) kept.push({ ...step, node: rename[step.node], transfer: { ...step.transfer, target: rename[step.transfer.target] } });
    } else if (step.kind === 'changeMembership') {
      const changed = step.change.steps.filter((change) => !gone.has(change.node)).map((change) => ({ ...change, node: rename[change.node] }));
      if (!gone.has(step.node) && changed.length > 0) kept.push({ ...step, node: rename[step.node], change: { ...step.change, steps: changed } });
    } else if ('node' in step) {
      if (!gone.has(step.node)) kept.push({ ...step, node: rename[step.node] });
    } else if (!gone.has(step.from) && !gone.has(step.to)) {
      kept.push({ ...step, from: rename[step.from], to: rename[step.to] });
    }
  }
  return kept;
}

/**
 * What a cut stands for: every node of a world that is up crashed, keeping nothing unsynced, then
 * every node the cut starts over its records (initialNodesOf) restarted.
 */
function restartedAll(world: World): ExploreStep[] {
  const crashes = world.nodes.flatMap((node, index): ExploreStep[] => (node.instance !== null ? [{ kind: 'crash', node: index + 1, unsyncedKept: 0 }] : []));
  const restarts = initialNodesOf(world).flatMap((node, index): ExploreStep[] => (node !== null && 'records' in node ? [{ kind: 'restart', node: index + 1 }] : []));
  return [...crashes, ...restarts];
}

/**
 * What a reader must take in of a world's durable state: for every node that has run, its term
 * and vote, and each log entry it holds as the harness observes it (a snapshot counts as one).
 */
function entriesHeld(world: World): number {
  let entries = 0;
  for (const node of world.nodes) if (started(node)) entries += node.mirror.terms.length;
  return entries;
}

type TickStep = Extract<ExploreStep, { kind: 'tick' }>;

/** A row of tick steps as one tick step a node, their ticks added, in the order the nodes first appear. */
export function mergedTicks(row: readonly TickStep[]): TickStep[] {
  const byNode = new Map<NodeId, number>();
  for (const step of row) byNode.set(step.node, (byNode.get(step.node) ?? 0) + step.ticks);
  return [...byNode].map(([node, ticks]) => ({ kind: 'tick', node, ticks }));
}

/** The group a step belongs to for removeGroups: its kind and node, or its kind, link and message type. */
function groupKey(step: ExploreStep): string {
  return 'node' in step ? `${step.kind} ${step.node}` : `${step.kind} ${step.from}>${step.to} ${step.message.type}`;
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

/** A replay of candidates: steps that are not possible are skipped, a delivery takes the nearest message. */
function tolerantReplay(implementation: Implementation, path: Omit<StepPath, 'steps'>, invariants: readonly InvariantDefinition[]): PathReplay {
  return new PathReplay(implementation, path, invariants, new NearestDelivery());
}

/**
 * The tolerant resolution of a step (src/shrink/paths.ts StepResolution): a delivery whose exact
 * message is not in flight takes the message on the same link, of the same type, that differs
 * from it in the fewest fields; every other step is taken as the strict replay takes it.
 */
class NearestDelivery implements StepResolution {
  readonly skipsImpossible = true;
  /** JSON of each message in flight (they are shared between worlds, so each is written once). */
  private readonly bodies = new WeakMap<InFlight, string>();
  private readonly stepBodies = new WeakMap<ExploreStep, string>();

  choiceOf(system: TransitionSystem, world: World, step: ExploreStep): Choice | null {
    if (step.kind !== 'deliver') return system.choiceOf(world, step);
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

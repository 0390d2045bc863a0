// The search strategies over the transition system (src/world/system.ts):
//   bfs     breadth-first, layer by layer: exhaustive within the bounds, and the first violation
//           found is at the least depth, so its path is a shortest counterexample; transitions
//           covered by a sibling are skipped by sleep sets (src/explore/reduction.ts), which
//           keeps every state and its least depth;
//   dfs     depth-first to the depth bound, revisiting a state reached again by a shorter path
//           (so it stays exhaustive within the depth bound); finds deep bugs with less memory;
//   random  seeded random walks from the initial state to the depth bound;
//   pct     random walks with PCT priorities (Burckhardt et al., ASPLOS'10; PCTCP): every node
//           gets a random priority, the enabled choice of the highest-priority node is taken, and
//           at d - 1 random steps the running node drops below all others.
// Every strategy shares the visited set, the checks on every new state, and the bounds: depth,
// term, crashes, requests and messages in flight shape the state space; distinct states, time
// and memory stop the search, and the result says which bound was hit. Same options, same counts,
// same path (the wall-clock bounds aside, which are reported when they stop a search).

import { allInvariants } from '../../invariants/index.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import type { Implementation, ImplementationOptions } from '../contract/contract.js';
import { nextRandomState, randomValueOfState } from '../core/random.js';
import { wallClockMs } from '../core/wallClock.js';
import { interruptRequested } from '../core/interrupt.js';
import { memoryInUseBytes } from '../core/memory.js';
import type { Choice, ExploreImplementationError, ExploreStep, Fingerprint, PathBounds, PruneReason, World } from '../world/system.js';
import { TransitionSystem } from '../world/system.js';
import type { InstancePoolStatistics } from '../world/instancePool.js';
import { probesByDefault } from '../world/probes.js';
import { Frontier } from './frontier.js';
import { choiceKey, effectMask, emptySleepSet, ownSleepSet, successorSleepSet } from './reduction.js';
import { VisitedSet } from './visited.js';
import type { ExploreStrategy } from './options.js';
import { ExploreOptionsError, exploreOptionProblems } from './options.js';
import type { Violation } from '../contract/observation.js';

export type { ExploreStrategy } from './options.js';
export { exploreStrategies } from './options.js';

/**
 * The bounds of `raftcheck explore` when the command line names none: one home for them. The
 * shaping bounds cover the fault-free protocol (every fault budget 0: timer firings and
 * deliveries over FIFO links; docs/EXPLORE.md, Bounds); the stopping bounds let a search of
 * that space reach depth 21 on 3 nodes (figure8: 17 million states, 137 s of CPU where it was
 * measured, 5 to 9 minutes of wall-clock time on a loaded shared machine).
 */
export const defaultExploreBounds: Readonly<ExploreBounds> = {
  depthMax: 24,
  termMax: 4,
  crashesMax: 0,
  requestsMax: 0,
  dropsMax: 0,
  reordersMax: 0,
  messagesInFlightMax: 10,
  statesMax: 50_000_000,
  timeMs: 600_000,
  memoryBytesMax: 3072 * 1024 * 1024,
};

export interface ExploreBounds extends PathBounds {
  /** Steps from the initial state. */
  depthMax: number;
  /** Distinct states before the search stops. */
  statesMax: number;
  /** Wall-clock time before the search stops, in milliseconds. */
  timeMs: number;
  /** Heap in use before the search stops, in bytes. */
  memoryBytesMax: number;
}

export interface ExploreOptions {
  implementation: Implementation;
  /** The invariants every state is judged by; default: every registered one. */
  invariants?: readonly InvariantDefinition[];
  nodes: number;
  /**
   * Feature 'membership': spare nodes that membership changes may add (default 0). With changes
   * allowed (bounds.membershipChangesMax), the search offers each change a leader's latest
   * configuration allows (src/world/system.ts).
   */
  spares?: number;
  strategy: ExploreStrategy;
  bounds: ExploreBounds;
  /** Options handed to every node; electionTicksMin must equal electionTicksMax (a firing is one choice). */
  implementationOptions: ImplementationOptions;
  symmetry: boolean;
  /** Copy nodes with clone() when available (false: replay inputs, to measure the difference). */
  clone: boolean;
  /** Without clone(): live instances at most (processes, over the process protocol); see SystemOptions. */
  liveInstancesMax?: number;
  /**
   * Share node states, messages and histories between worlds (src/world/intern.ts); default
   * true. False keeps every part apart, only to measure what sharing saves (it uses more memory).
   */
  intern?: boolean;
  /** Compute what an input does to a node state once (TransitionSystem.perform); default true. */
  memoize?: boolean;
  /**
   * Durability probes on every node step that promises (src/world/probes.ts); default: on for an
   * implementation that decodes its messages in process (probesByDefault).
   */
  durabilityProbes?: boolean;
  /**
   * Partial-order reduction by sleep sets in bfs (src/explore/reduction.ts): the same states,
   * fewer transitions. Default true; false to measure it or to check it against the full search.
   */
  reduction?: boolean;
  /** Seed of the random and pct strategies. */
  seed: number;
  /** Walks of the random and pct strategies. */
  walksMax: number;
  /** PCT's d: d - 1 priority change points per walk. */
  pctDepth: number;
  onProgress?: (progress: ExploreProgress) => void;
}

export interface ExploreProgress {
  strategy: ExploreStrategy;
  depth: number;
  distinctStates: number;
  transitions: number;
  frontier: number;
  wallMs: number;
}

export type ExploreStop = 'exhausted' | 'violation' | 'implementationError' | 'states' | 'time' | 'memory' | 'walks' | 'interrupted';

/**
 * What the search covered: `complete` (everything reachable; no bound withheld a state or choice),
 * `bounded` (everything within the shaping bounds, which withheld something; or random or pct walks,
 * which sample), or `cut short` (a stopping bound, states, time or memory, ended it first: the
 * result is inconclusive unless a failure was found).
 */
export type ExploreCoverage = 'complete' | 'bounded' | 'cut short';

export interface ExploreResult {
  status: 'ok' | 'safety' | 'implementationError';
  strategy: ExploreStrategy;
  distinctStates: number;
  /** What the search would count without symmetry reduction: the sum of the states' orbits. */
  distinctStatesWithoutSymmetry: number;
  transitions: number;
  /** The greatest depth of a state reached. */
  depth: number;
  wallMs: number;
  statesPerSecond: number;
  stoppedBy: ExploreStop;
  /** Each bound that cut something off: how many states or transitions it cut. */
  boundsHit: Partial<Record<'depth' | 'crashes' | 'requests' | 'drops' | 'membershipChanges' | 'transfers' | PruneReason, number>>;
  /** True when bfs or dfs reached every reachable state and no bound withheld a state or a choice. */
  complete: boolean;
  coverage: ExploreCoverage;
  symmetry: { enabled: boolean; permutations: number; note: string };
  clone: boolean;
  /** Without clone(): the pool of live instances (src/world/instancePool.ts); null with clone(). */
  instances: InstancePoolStatistics | null;
  /** Sleep sets (bfs only): transitions not taken because a sibling's subtree covers them. */
  reduction: { enabled: boolean; transitionsSkipped: number };
  violation: Violation | null;
  implementationError: ExploreImplementationError | null;
  /** The path to the violation or error: shortest for bfs. */
  path: ExploreStep[] | null;
}

/** States added between checks of the time and memory bounds and progress reports. */
const checkInterval = 2048;

/** Searches within the options' bounds; throws ExploreOptionsError, naming every bad field, before anything runs. */
export function explore(options: ExploreOptions): ExploreResult {
  const problems = exploreOptionProblems(options);
  if (problems.length > 0) throw new ExploreOptionsError(problems);
  const system = new TransitionSystem({
    implementation: options.implementation,
    invariants: options.invariants ?? allInvariants,
    nodes: options.nodes,
    spares: options.spares,
    implementationOptions: options.implementationOptions,
    symmetry: options.symmetry,
    clone: options.clone,
    liveInstancesMax: options.liveInstancesMax,
    intern: options.intern,
    memoize: options.memoize,
    durabilityProbes: options.durabilityProbes ?? probesByDefault(options.implementation),
    termMax: options.bounds.termMax,
    crashesMax: options.bounds.crashesMax,
    requestsMax: options.bounds.requestsMax,
    dropsMax: options.bounds.dropsMax,
    reordersMax: options.bounds.reordersMax,
    messagesInFlightMax: options.bounds.messagesInFlightMax,
    membershipChangesMax: options.bounds.membershipChangesMax,
    transfersMax: options.bounds.transfersMax,
  });
  const search = new Search(system, options);
  try {
    switch (options.strategy) {
      case 'bfs':
        search.breadthFirst();
        break;
      case 'dfs':
        search.depthFirst();
        break;
      case 'random':
      case 'pct':
        search.walks(options.strategy === 'pct');
        break;
    }
    return search.result();
  } finally {
    // No instance outlives the search (over the process protocol: no process).
    system.dispose();
  }
}

class Search {
  private readonly visited = new VisitedSet();
  private readonly startedMs = wallClockMs();
  private transitions = 0;
  private withoutSymmetry = 0;
  private depthReached = 0;
  private stoppedBy: ExploreStop = 'exhausted';
  private readonly boundsHit: ExploreResult['boundsHit'] = {};
  private violation: Violation | null = null;
  private implementationError: ExploreImplementationError | null = null;
  private path: ExploreStep[] | null = null;
  /** bfs: parent state number and choice index of every state, to rebuild a path. */
  private parents = new Int32Array(1 << 16);
  private choiceIndexes = new Int32Array(1 << 16);
  private nextCheck = checkInterval;
  private readonly reduction: boolean;
  private transitionsSkipped = 0;
  /** The fingerprint settle() computed last (bfs reads its canonical permutation). */
  private lastFingerprint: Fingerprint = { high: 0, low: 0, orbit: 1, permutation: 0 };
  private frontierSize = 0;
  /**
   * The initial world, kept for bfsPath: every step of a path from it is memoized, so rebuilding
   * the path steps no node (a new initial world would start every node again).
   */
  private initialWorld: World | null = null;

  constructor(private readonly system: TransitionSystem, private readonly options: ExploreOptions) {
    this.reduction = options.strategy === 'bfs' && options.reduction !== false;
  }

  breadthFirst(): void {
    const initial = this.begin();
    if (initial === null) return;
    this.register(-1, -1);
    const reduce = this.reduction;
    let layer = new Frontier(this.system);
    layer.push(0, initial, emptySleepSet, 0);
    const explored: number[] = [];
    for (let depth = 0; layer.length > 0; depth += 1) {
      if (depth >= this.options.bounds.depthMax) {
        this.hit('depth', layer.length);
        return;
      }
      const next = new Frontier(this.system);
      this.frontierSize = layer.length;
      for (let position = 0; position < layer.length; position += 1) {
        const world = layer.world(position);
        const parent = layer.id(position);
        const permutation = layer.permutation(position);
        const choices = this.choicesOf(world);
        const inherited = reduce && layer.sleepLength(position) > 0 ? ownSleepSet(layer.sleep(position), this.system.inverseOf(permutation)) : null;
        explored.length = 0;
        for (let index = 0; index < choices.length; index += 1) {
          let keyTaken = 0;
          if (reduce) {
            keyTaken = choiceKey(world, choices[index]);
            if (inherited !== null && sleeps(inherited, keyTaken)) {
              this.transitionsSkipped += 1;
              continue;
            }
          }
          const transition = this.system.apply(world, choices[index]);
          this.transitions += 1;
          const outcome = this.settle(transition, depth + 1);
          if (outcome === 'pruned') continue;
          if (!reduce) {
            if (outcome === 'skip') continue;
            const id = this.register(parent, index);
            if (outcome === 'stop') {
              this.path = this.bfsPath(id);
              return;
            }
            next.push(id, transition.world, emptySleepSet, 0);
          } else {
            const maskTaken = effectMask(world, transition);
            const rename = this.system.renameOf(this.lastFingerprint.permutation);
            const messagesRoom = this.options.bounds.messagesInFlightMax - world.messages.length;
            const slot = this.visited.lastSlot;
            // The successor's sleep set is built only where it is kept: most known states need none.
            if (outcome === 'skip') {
              // Reached again in the layer being built: it sleeps only what sleeps on every arrival.
              if (this.visited.depthAt(slot) === depth + 1) {
                const known = this.visited.payloadAt(slot);
                if (next.sleepLength(known) > 0) next.intersectSleep(known, successorSleepSet(inherited ?? emptySleepSet, explored, keyTaken, maskTaken, rename, messagesRoom));
              }
              explored.push(keyTaken, maskTaken);
              continue;
            }
            const successorSleep = successorSleepSet(inherited ?? emptySleepSet, explored, keyTaken, maskTaken, rename, messagesRoom);
            explored.push(keyTaken, maskTaken);
            const id = this.register(parent, index);
            if (outcome === 'stop') {
              this.path = this.bfsPath(id);
              return;
            }
            this.visited.setPayload(slot, next.length);
            next.push(id, transition.world, successorSleep, this.lastFingerprint.permutation);
          }
          if (this.visited.size >= this.nextCheck && this.overBudget(depth + 1, next.length)) return;
        }
      }
      layer = next;
    }
  }

  depthFirst(): void {
    const initial = this.begin();
    if (initial === null) return;
    const stack: { world: World; choices: Choice[]; next: number }[] = [{ world: initial, choices: this.choicesOf(initial), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next >= top.choices.length) {
        stack.pop();
        continue;
      }
      const depth = stack.length;
      if (depth > this.options.bounds.depthMax) {
        this.hit('depth', 1);
        stack.pop();
        continue;
      }
      const choice = top.choices[top.next];
      top.next += 1;
      const transition = this.system.apply(top.world, choice);
      this.transitions += 1;
      const outcome = this.settle(transition, depth);
      if (outcome === 'skip' || outcome === 'pruned') continue;
      if (outcome === 'stop') {
        this.path = [...stack.map((frame) => this.system.describe(frame.world, frame.choices[frame.next - 1]))];
        return;
      }
      if (depth < this.options.bounds.depthMax) stack.push({ world: transition.world, choices: this.choicesOf(transition.world), next: 0 });
      else this.hit('depth', 1);
      if (this.visited.size >= this.nextCheck && this.overBudget(depth, stack.length)) return;
    }
  }

  walks(pct: boolean): void {
    const initial = this.begin();
    if (initial === null) return;
    let randomState = this.options.seed | 0;
    const draw = (bound: number): number => {
      randomState = nextRandomState(randomState);
      return randomValueOfState(randomState) % bound;
    };
    const nodes = this.system.members.length;
    const depthMax = this.options.bounds.depthMax;
    for (let walk = 0; walk < this.options.walksMax; walk += 1) {
      // PCT: distinct initial priorities d..d+n-1 in a random order; change points get 1..d-1.
      const priority: number[] = [0];
      const order = Array.from({ length: nodes }, (_, index) => index);
      for (let index = order.length - 1; index > 0; index -= 1) {
        const other = draw(index + 1);
        [order[index], order[other]] = [order[other], order[index]];
      }
      for (let node = 1; node <= nodes; node += 1) priority[node] = this.options.pctDepth + order[node - 1];
      const changePoints = new Map<number, number>();
      for (let point = 1; point < this.options.pctDepth; point += 1) changePoints.set(1 + draw(Math.max(1, depthMax)), this.options.pctDepth - point);
      let world = initial;
      const steps: ExploreStep[] = [];
      for (let depth = 1; depth <= depthMax; depth += 1) {
        let choices = this.choicesOf(world);
        let moved = false;
        while (choices.length > 0 && !moved) {
          let pool = choices;
          if (pct) {
            let best = -1;
            for (const choice of choices) best = Math.max(best, priority[ownerOf(world, choice)]);
            pool = choices.filter((choice) => priority[ownerOf(world, choice)] === best);
          }
          const choice = pool[draw(pool.length)];
          const transition = this.system.apply(world, choice);
          this.transitions += 1;
          if (transition.pruned !== null && transition.violation === null && transition.implementationError === null) {
            this.hit(transition.pruned, 1);
            choices = choices.filter((candidate) => candidate !== choice);
            continue;
          }
          moved = true;
          steps.push(this.system.describe(world, choice));
          const lowered = changePoints.get(depth);
          if (pct && lowered !== undefined) priority[ownerOf(world, choice)] = lowered;
          const outcome = this.settle(transition, depth);
          if (outcome === 'stop') {
            this.path = steps;
            return;
          }
          world = transition.world;
        }
        if (!moved) break;
        if (depth === depthMax) this.hit('depth', 1);
        if (this.visited.size >= this.nextCheck && this.overBudget(depth, 1)) return;
      }
    }
    this.stoppedBy = 'walks';
  }

  result(): ExploreResult {
    const wallMs = wallClockMs() - this.startedMs;
    const status = this.implementationError !== null ? 'implementationError' : this.violation !== null ? 'safety' : 'ok';
    const exhaustive = this.options.strategy === 'bfs' || this.options.strategy === 'dfs';
    const withheld = Object.values(this.boundsHit).some((count) => count > 0);
    const coverage: ExploreCoverage =
      this.stoppedBy === 'states' || this.stoppedBy === 'time' || this.stoppedBy === 'memory' || this.stoppedBy === 'interrupted'
        ? 'cut short'
        : exhaustive && this.stoppedBy === 'exhausted' && !withheld
          ? 'complete'
          : 'bounded';
    return {
      status,
      strategy: this.options.strategy,
      distinctStates: this.visited.size,
      distinctStatesWithoutSymmetry: this.withoutSymmetry,
      transitions: this.transitions,
      depth: this.depthReached,
      wallMs,
      statesPerSecond: wallMs > 0 ? Math.round((this.visited.size / wallMs) * 1000) : 0,
      stoppedBy: this.stoppedBy,
      boundsHit: this.boundsHit,
      complete: coverage === 'complete',
      coverage,
      symmetry: {
        enabled: this.system.symmetric,
        permutations: this.system.permutationCount,
        note: this.system.symmetric ? this.system.knowledge.symmetryNote : this.options.symmetry ? this.system.knowledge.symmetryNote : 'off: --no-symmetry',
      },
      clone: this.system.usesClone,
      instances: this.system.instanceStatistics(),
      reduction: { enabled: this.reduction, transitionsSkipped: this.transitionsSkipped },
      violation: this.violation,
      implementationError: this.implementationError,
      path: this.path,
    };
  }

  // ---- shared -------------------------------------------------------------------------------

  /** The initial state, registered and checked; null when it already ends the search. */
  private begin(): World | null {
    const transition = this.system.initial();
    this.initialWorld = transition.world;
    const outcome = this.settle(transition, 0);
    if (outcome === 'stop') {
      this.path = [];
      return null;
    }
    return transition.world;
  }

  private choicesOf(world: World): Choice[] {
    const budgets = this.system.budgetsHit(world);
    if (budgets.crashes) this.hit('crashes', 1);
    if (budgets.requests) this.hit('requests', 1);
    if (budgets.drops) this.hit('drops', 1);
    if (budgets.membershipChanges) this.hit('membershipChanges', 1);
    if (budgets.transfers) this.hit('transfers', 1);
    return this.system.choices(world);
  }

  /** Records a new transition's outcome: skip it (pruned or known), keep it, or stop here. */
  private settle(transition: ReturnType<TransitionSystem['apply']>, depth: number): 'pruned' | 'skip' | 'keep' | 'stop' {
    if (transition.implementationError !== null) {
      this.implementationError = { ...transition.implementationError };
      this.stoppedBy = 'implementationError';
      this.depthReached = Math.max(this.depthReached, depth);
      return 'stop';
    }
    if (transition.pruned !== null && transition.violation === null) {
      this.hit(transition.pruned, 1);
      return 'pruned';
    }
    const fingerprint = this.system.fingerprint(transition.world);
    this.lastFingerprint = fingerprint;
    if (!this.visited.add(fingerprint.high, fingerprint.low, depth)) return 'skip';
    this.withoutSymmetry += fingerprint.orbit;
    if (depth > this.depthReached) this.depthReached = depth;
    if (transition.violation !== null) {
      this.violation = { ...transition.violation, eventNumber: depth };
      this.stoppedBy = 'violation';
      return 'stop';
    }
    return 'keep';
  }

  private register(parent: number, choiceIndex: number): number {
    const id = this.registered;
    if (id >= this.parents.length) {
      const parents = new Int32Array(this.parents.length * 2);
      parents.set(this.parents);
      this.parents = parents;
      const choiceIndexes = new Int32Array(this.choiceIndexes.length * 2);
      choiceIndexes.set(this.choiceIndexes);
      this.choiceIndexes = choiceIndexes;
    }
    this.parents[id] = parent;
    this.choiceIndexes[id] = choiceIndex;
    this.registered += 1;
    return id;
  }

  private registered = 0;

  /** Rebuilds a bfs path by replaying the recorded choice indexes from the initial state. */
  private bfsPath(id: number): ExploreStep[] {
    const indexes: number[] = [];
    for (let state = id; state > 0; state = this.parents[state]) indexes.push(this.choiceIndexes[state]);
    indexes.reverse();
    let world = this.initialWorld!;
    const steps: ExploreStep[] = [];
    for (const index of indexes) {
      const choice = this.system.choices(world)[index];
      steps.push(this.system.describe(world, choice));
      world = this.system.apply(world, choice).world;
    }
    return steps;
  }

  private hit(bound: keyof ExploreResult['boundsHit'], count: number): void {
    this.boundsHit[bound] = (this.boundsHit[bound] ?? 0) + count;
  }

  /** Checks the stopping bounds and reports progress; true when the search must stop. */
  private overBudget(depth: number, frontier: number): boolean {
    this.nextCheck = this.visited.size + checkInterval;
    const bounds = this.options.bounds;
    const wallMs = wallClockMs() - this.startedMs;
    this.options.onProgress?.({
      strategy: this.options.strategy,
      depth,
      distinctStates: this.visited.size,
      transitions: this.transitions,
      frontier: Math.max(frontier, this.frontierSize),
      wallMs,
    });
    if (interruptRequested() !== null) this.stoppedBy = 'interrupted';
    else if (this.visited.size >= bounds.statesMax) this.stoppedBy = 'states';
    else if (wallMs >= bounds.timeMs) this.stoppedBy = 'time';
    else if (memoryInUseBytes() >= bounds.memoryBytesMax) this.stoppedBy = 'memory';
    else return false;
    return true;
  }
}

/** The node a choice acts on, for PCT's priorities: the receiver of a message, else the node. */
function ownerOf(world: World, choice: Choice): number {
  if (choice.kind === 'deliver' || choice.kind === 'drop') return world.messages[choice.message].to;
  return choice.kind === 'duplicate' ? choice.to : choice.node;
}

/** Whether a key is in a sleep set of (key, mask) pairs. */
function sleeps(sleep: readonly number[], key: number): boolean {
  for (let index = 0; index < sleep.length; index += 2) if (sleep[index] === key) return true;
  return false;
}

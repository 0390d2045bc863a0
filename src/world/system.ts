// The transition system the explorer searches: a world of nodes of one implementation, driven
// only through the contract, where every source of nondeterminism is a choice:
//   deliver any message in flight (in any order: the network is a multiset), drop it,
//   let a node's timer fire, crash a node (keeping 0..all of its unsynced records),
//   restart a crashed node over its durable records, or propose a client command to a leader.
// A replayed path may also name its commands (a run's clients' commands, lifted by
// src/shrink/lift.ts) and hand a node a ReadIndex read; the search itself never does either.
//
// "A timer fires" sends ticks to one node until its output shows something (a message, a role
// or term change), at most electionTicksMax + heartbeatTicks ticks. Election timeouts are fixed
// (electionTicksMin = electionTicksMax), so a firing is one choice rather than a range of
// durations: time exists only as the order of firings, which is all a safety property can see.
//
// Worlds are immutable once built: a transition copies what it changes and shares the rest.
// Node states, messages in flight and histories are shared between all worlds by digest, and
// what an input does to a node state is computed once (perform; docs/EXPLORE.md, "Shared parts
// and steps computed once"). A node that steps is copied first, by its clone() when the
// implementation has one; else node states hold instances of a bounded pool, re-created by
// handing a fresh instance the node's inputs since its start when they step again
// (src/world/instancePool.ts: any deterministic node allows it, and a process implementation
// runs a bounded number of processes whatever the depth).
//
// Storage: records are durable once a sync covers them (sync: true makes everything written so
// far durable at once: the explorer has no sync latency). A crash keeps the synced records and a
// chosen prefix of the unsynced ones: all of them (the disk got them anyway), none (lost), or a
// torn part; each way is its own choice and costs one crash of the crash bound.

import type { Command, DurableRecord, Implementation, ImplementationOptions, Input, Message, NodeInstance, Output, StateView } from '../contract/contract.js';
import { emptyList } from '../contract/contract.js';
import { chainHash } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import { nodeIds } from '../core/ids.js';
import type { History, NodeView, ViewChange } from './checks.js';
import { checkStep, emptyHistory, emptyView } from './checks.js';
import type { ImplementationKnowledge } from './knowledge.js';
import { knowledgeNeedsInputs, knowledgeOf } from './knowledge.js';
import { InternTable } from './intern.js';
import type { InstancePoolStatistics, ReplayedNode } from './instancePool.js';
import { InstancePool, liveInstancesMaxDefault } from './instancePool.js';
import { Lanes, mix32 } from './lanes.js';
import type { Violation } from '../contract/observation.js';

export interface NodeState {
  /**
   * Null while the node is down. Without clone() a ReplayedNode, which keeps a live instance
   * only while the pool has room for it (src/world/instancePool.ts).
   */
  readonly instance: NodeInstance | null;
  /** Digest of the inputs since start, for opaque nodes without stateDigest. */
  readonly inputDigest: readonly [number, number];
  readonly view: NodeView;
  readonly synced: readonly DurableRecord[];
  readonly unsynced: readonly DurableRecord[];
  /**
   * Two 32-bit lanes per permutation, each computed when first needed (NaN until then), and
   * last the two lanes of the digest that names no node (the same under every permutation).
   */
  digests: number[] | null;
  /** What each input did to this state (TransitionSystem.perform), filled as inputs arrive. */
  memo?: Map<InFlight | number, readonly NodeStep[]>;
  /** Its place among the system's encoded node states (src/explore/frontier.ts), once encoded. */
  index?: number;
}

export interface InFlight {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: Message;
  /** The sender's term when it sent this (what delivering it reveals, for monotonic-term). */
  readonly senderTerm: number;
  /** Two lanes per permutation; lanes 0 and 1 (the identity) tell identical messages apart. */
  readonly digests: readonly number[];
  /** Its place among the system's encoded messages (src/explore/frontier.ts), once encoded. */
  index?: number;
}

export interface World {
  readonly nodes: readonly NodeState[];
  /** In send order; each link (from, to) is a FIFO queue unless a reorder is spent. */
  readonly messages: readonly InFlight[];
  readonly crashes: number;
  readonly requests: number;
  readonly drops: number;
  readonly reorders: number;
  readonly history: History;
}

export type Choice =
  | { kind: 'deliver'; message: number }
  | { kind: 'drop'; message: number }
  | { kind: 'timeout'; node: NodeId }
  /** Without a command: the explorer's own, `set k vN` numbered by the world's requests. */
  | { kind: 'propose'; node: NodeId; command?: Command }
  /** A client's ReadIndex read (only in replays: the search does not read). */
  | { kind: 'read'; node: NodeId; command: Command }
  /** A second copy of a message already delivered, as a duplicating network hands it over (replays only). */
  | { kind: 'duplicate'; from: NodeId; to: NodeId; message: Message }
  | { kind: 'crash'; node: NodeId; unsyncedKept: number }
  | { kind: 'restart'; node: NodeId };

/** One step of a path as plain JSON (trace files): messages by content, not by position. */
export type ExploreStep =
  | { kind: 'deliver' | 'drop' | 'duplicate'; from: NodeId; to: NodeId; message: Message }
  | { kind: 'timeout'; node: NodeId }
  | { kind: 'propose' | 'read'; node: NodeId; command: Command }
  | { kind: 'crash'; node: NodeId; unsyncedKept: number }
  | { kind: 'restart'; node: NodeId };

/** Every kind of step a path may hold (trace files are checked against it). */
export const exploreStepKinds: ReadonlySet<string> = new Set(['deliver', 'drop', 'duplicate', 'timeout', 'propose', 'read', 'crash', 'restart']);

export type PruneReason = 'term' | 'messages';

export interface ExploreImplementationError {
  node: NodeId;
  input: string;
  message: string;
}

export interface Transition {
  world: World;
  violation: Violation | null;
  implementationError: ExploreImplementationError | null;
  /** Set when the new world is past a bound: it is not explored. */
  pruned: PruneReason | null;
}

/** Hooks for a replay that feeds the real invariants (src/shrink/paths.ts). */
export interface StepObserver {
  delivered(from: NodeId, to: NodeId, senderTerm: number): void;
  stepped(node: NodeId, input: Input, output: Output, started: boolean): void;
  crashed(node: NodeId, unsyncedLost: number): void;
}

/** The bounds the transition system itself enforces, on every path (the search adds its own). */
export interface PathBounds {
  /** Highest term any node may reach. */
  termMax: number;
  /** Crashes over the whole path. */
  crashesMax: number;
  /** Client proposals over the whole path. */
  requestsMax: number;
  /**
   * Messages dropped over the whole path. For safety a drop adds no behaviour (a message never
   * delivered is a dropped one); it only frees room under messagesInFlightMax.
   */
  dropsMax: number;
  /**
   * Messages delivered (or dropped) ahead of an earlier one on the same link. Links are FIFO
   * otherwise: delay-bounded scheduling (Emmi, Qadeer, Rakamaric, POPL'11), which keeps the
   * state space small while still reaching the reorderings a bug needs, a few at a time.
   */
  reordersMax: number;
  /** Messages in flight at once. */
  messagesInFlightMax: number;
}

export interface SystemOptions extends PathBounds {
  implementation: Implementation;
  nodes: number;
  implementationOptions: ImplementationOptions;
  /** Permute node ids (when the implementation allows it). */
  symmetry: boolean;
  /** Copy nodes with clone() when the implementation has it (false: the pool of re-created instances, as without it). */
  clone: boolean;
  /**
   * Live instances at most, without clone() (src/world/instancePool.ts): over the process
   * protocol, processes. Default liveInstancesMaxDefault.
   */
  liveInstancesMax?: number;
  /**
   * Share one copy of each distinct node state, message and history between worlds
   * (src/world/intern.ts). Default true; false only to measure what it saves.
   */
  intern?: boolean;
  /** Compute what an input does to a node state once (TransitionSystem.perform); default true. */
  memoize?: boolean;
}

export interface Fingerprint {
  high: number;
  low: number;
  /** How many distinct states the permutations of this one are (1 without symmetry). */
  orbit: number;
  /** The permutation (index into the system's renames) that maps this world to its canonical form. */
  permutation: number;
}

export class TransitionSystem {
  readonly members: readonly NodeId[];
  readonly knowledge: ImplementationKnowledge;
  readonly symmetric: boolean;
  readonly usesClone: boolean;
  /** Where node instances live without clone(); null with it (clones live in their node states). */
  private readonly pool: InstancePool | null;
  /** renames[p][id]: the image of id under permutation p; renames[0] is the identity. */
  private readonly renames: readonly (readonly NodeId[])[];
  /** positions[p][k]: the node whose image under p is k + 1. */
  private readonly positions: readonly (readonly NodeId[])[];
  private readonly inverses: readonly (readonly NodeId[])[];
  private readonly needsInputs: boolean;
  private readonly ticksMax: number;
  /** Reused by every digest: the hot path allocates no hashers. */
  private readonly lanes = new Lanes();
  private readonly worldLanes = new Lanes();
  private readonly scratch: number[] = [];
  private readonly permutationDigests: number[] = [];
  private readonly sums: number[];
  private readonly tried: number[] = [];
  private readonly linkPlaces: Int32Array;
  /** Digests of each history per permutation; histories are immutable and shared between states. */
  private readonly historyCache = new WeakMap<History, readonly number[]>();
  private readonly interning: boolean;
  private readonly memoizing: boolean;
  /** Numbers that name a node's inputs in its memo: -id a timer, -stride - id a restart, k * stride + id proposal k. */
  private readonly inputStride: number;
  private readonly nodeStates = new InternTable<NodeState>();
  private readonly inFlights = new InternTable<InFlight>();
  private readonly histories = new InternTable<History>();
  /** The parts of encoded worlds by index (src/explore/frontier.ts), and each part's index. */
  private readonly encodedNodes: NodeState[] = [];
  private readonly encodedMessages: InFlight[] = [];
  private readonly encodedHistories: History[] = [];
  private readonly historyIndexes = new WeakMap<History, number>();
  /** The history encoded or digested last: siblings mostly share their parent's. */
  private lastHistory: History | null = null;
  private lastHistoryIndex = -1;
  private lastHistoryDigests: readonly number[] = [];

  constructor(readonly options: SystemOptions) {
    this.members = nodeIds(options.nodes);
    this.knowledge = knowledgeOf(options.implementation);
    this.symmetric = options.symmetry && this.knowledge.symmetric && options.implementationOptions.electionTicksMin === options.implementationOptions.electionTicksMax;
    const probe = options.implementation.createNode();
    this.usesClone = options.clone && typeof probe.clone === 'function';
    probe.dispose?.();
    this.pool = this.usesClone ? null : new InstancePool(options.implementation, options.liveInstancesMax ?? liveInstancesMaxDefault);
    this.needsInputs = knowledgeNeedsInputs(this.knowledge, options.implementation);
    this.renames = this.symmetric ? permutations(options.nodes) : [[0, ...this.members]];
    this.positions = this.renames.map((rename) => {
      const position: NodeId[] = [];
      for (const id of this.members) position[rename[id] - 1] = id;
      return position;
    });
    this.inverses = this.positions.map((position) => [0, ...position]);
    this.ticksMax = options.implementationOptions.electionTicksMax + options.implementationOptions.heartbeatTicks;
    this.sums = new Array<number>(2 * this.renames.length).fill(0);
    this.linkPlaces = new Int32Array((options.nodes + 1) * (options.nodes + 1));
    this.interning = options.intern !== false;
    this.memoizing = options.memoize !== false;
    this.inputStride = options.nodes + 1;
  }

  /** Live instances of the pool, without clone() (null with it). */
  instanceStatistics(): InstancePoolStatistics | null {
    return this.pool?.statistics() ?? null;
  }

  /**
   * Disposes the live instances of the pool (processes go back to be reused or end). The system
   * stays usable: a node state that steps again re-creates its instance. Cloned instances live in
   * the node states the system shares and are left to the garbage collector.
   */
  dispose(): void {
    this.pool?.dispose();
  }

  get permutationCount(): number {
    return this.renames.length;
  }

  /** rename[id]: the image of id under permutation p (index 0 unused). */
  renameOf(p: number): readonly NodeId[] {
    return this.renames[p];
  }

  /** The inverse of renameOf(p): inverse[image] is the node whose image under p it is. */
  inverseOf(p: number): readonly NodeId[] {
    return this.inverses[p];
  }

  /** Every node started over empty storage. */
  initial(observer?: StepObserver): Transition {
    const down: NodeState = { instance: null, inputDigest: [0, 0], view: emptyView, synced: emptyList, unsynced: emptyList, digests: null };
    const world: World = {
      nodes: this.members.map(() => down),
      messages: [],
      crashes: 0,
      requests: 0,
      drops: 0,
      reorders: 0,
      history: emptyHistory,
    };
    const draft = new Draft(world, observer);
    for (const id of this.members) {
      this.perform(draft, id, -this.inputStride - id, (node) => [this.start(node, id, observer)]);
      if (draft.implementationError !== null) break;
    }
    return draft.finish();
  }

  /** The choices of a world, in a fixed order (BFS state numbering and paths depend on it). */
  choices(world: World): Choice[] {
    const choices: Choice[] = [];
    const messages = world.messages;
    const seen = this.linkPlaces;
    seen.fill(0);
    const width = this.members.length + 1;
    for (let index = 0; index < messages.length; index += 1) {
      // A message behind another on its link costs a reorder (delay-bounded scheduling: the
      // network is FIFO per link but for a bounded number of overtakes).
      const link = messages[index].from * width + messages[index].to;
      const overtakes = seen[link] !== 0;
      seen[link] = 1;
      if (overtakes && world.reorders >= this.options.reordersMax) continue;
      if (world.nodes[messages[index].to - 1].instance !== null) choices.push({ kind: 'deliver', message: index });
      if (world.drops < this.options.dropsMax) choices.push({ kind: 'drop', message: index });
    }
    for (const id of this.members) {
      const node = world.nodes[id - 1];
      if (node.instance !== null) choices.push({ kind: 'timeout', node: id });
    }
    if (world.requests < this.options.requestsMax) {
      for (const id of this.members) {
        const node = world.nodes[id - 1];
        // Proposals go to nodes that claim to lead; a follower would only answer notLeader.
        if (node.instance !== null && (!node.view.hasView || node.view.role === 'leader')) choices.push({ kind: 'propose', node: id });
      }
    }
    if (world.crashes < this.options.crashesMax) {
      for (const id of this.members) {
        const node = world.nodes[id - 1];
        if (node.instance === null) continue;
        for (let kept = node.unsynced.length; kept >= 0; kept -= 1) choices.push({ kind: 'crash', node: id, unsyncedKept: kept });
      }
    }
    for (const id of this.members) if (world.nodes[id - 1].instance === null) choices.push({ kind: 'restart', node: id });
    return choices;
  }

  /** Whether the budget of crashes or requests withheld a choice in this world. */
  budgetsHit(world: World): { crashes: boolean; requests: boolean; drops: boolean } {
    const anyUp = world.nodes.some((node) => node.instance !== null);
    const anyLeader = world.nodes.some((node) => node.instance !== null && (!node.view.hasView || node.view.role === 'leader'));
    return {
      crashes: anyUp && world.crashes >= this.options.crashesMax,
      requests: anyLeader && world.requests >= this.options.requestsMax,
      drops: world.messages.length > 0 && world.drops >= this.options.dropsMax,
    };
  }

  apply(world: World, choice: Choice, observer?: StepObserver): Transition {
    const draft = new Draft(world, observer);
    switch (choice.kind) {
      case 'deliver': {
        if (hasEarlierOnLink(draft.messages, choice.message)) draft.reorders += 1;
        const message = draft.removeMessage(choice.message);
        observer?.delivered(message.from, message.to, message.senderTerm);
        const input: Input = { kind: 'deliver', from: message.from, message: message.message };
        this.perform(draft, message.to, message, (node) => [this.step(node, message.to, input, false, observer)]);
        break;
      }
      case 'drop':
        draft.drops += 1;
        if (hasEarlierOnLink(draft.messages, choice.message)) draft.reorders += 1;
        draft.removeMessage(choice.message);
        break;
      case 'timeout':
        this.perform(draft, choice.node, -choice.node, (node) => this.fire(node, choice.node, observer));
        break;
      case 'propose': {
        draft.requests += 1;
        const input: Input = { kind: 'propose', command: choice.command ?? explorerCommand(draft.requests) };
        // A named command is not the numbered one the memo key stands for: computed afresh.
        const key = choice.command === undefined ? draft.requests * this.inputStride + choice.node : null;
        this.perform(draft, choice.node, key, (node) => [this.step(node, choice.node, input, false, observer)]);
        break;
      }
      case 'read': {
        const input: Input = { kind: 'read', command: choice.command };
        this.perform(draft, choice.node, null, (node) => [this.step(node, choice.node, input, false, observer)]);
        break;
      }
      case 'duplicate': {
        // Nothing leaves the network: the copy was never counted in it. Whether the message was
        // delivered before is the replay's to check (a copy of a message never sent is a forgery).
        const input: Input = { kind: 'deliver', from: choice.from, message: choice.message };
        this.perform(draft, choice.to, null, (node) => [this.step(node, choice.to, input, false, observer)]);
        break;
      }
      case 'crash': {
        draft.crashes += 1;
        const node = draft.nodes[choice.node - 1];
        const kept = node.unsynced.slice(0, choice.unsyncedKept);
        // Not disposed: other worlds share this node state (and its instance) with this one.
        draft.nodes[choice.node - 1] = this.shared(choice.node, {
          instance: null,
          inputDigest: [0, 0],
          view: node.view,
          synced: kept.length > 0 ? this.knowledge.compact([...node.synced, ...kept]) : node.synced,
          unsynced: emptyList,
          digests: null,
        });
        observer?.crashed(choice.node, node.unsynced.length - kept.length);
        break;
      }
      case 'restart':
        this.perform(draft, choice.node, -this.inputStride - choice.node, (node) => [this.start(node, choice.node, observer)]);
        break;
    }
    const transition = draft.finish();
    if (transition.violation === null && transition.implementationError === null) {
      if (transition.world.messages.length > this.options.messagesInFlightMax) transition.pruned = 'messages';
      else if (transition.world.nodes.some((node) => node.view.term > this.options.termMax)) transition.pruned = 'term';
    }
    return transition;
  }

  /** The step a choice takes, as JSON for a trace file. */
  describe(world: World, choice: Choice): ExploreStep {
    switch (choice.kind) {
      case 'deliver':
      case 'drop': {
        const message = world.messages[choice.message];
        return { kind: choice.kind, from: message.from, to: message.to, message: message.message };
      }
      case 'propose':
        return { kind: 'propose', node: choice.node, command: choice.command ?? explorerCommand(world.requests + 1) };
      case 'read':
        return { kind: 'read', node: choice.node, command: choice.command };
      case 'duplicate':
        return { kind: 'duplicate', from: choice.from, to: choice.to, message: choice.message };
      default:
        return { ...choice };
    }
  }

  /** The choice a recorded step stands for in this world, or null if it is not possible. */
  choiceOf(world: World, step: ExploreStep): Choice | null {
    switch (step.kind) {
      case 'deliver':
      case 'drop': {
        const body = JSON.stringify(step.message);
        const index = world.messages.findIndex((message) => message.from === step.from && message.to === step.to && JSON.stringify(message.message) === body);
        if (index === -1) return null;
        if (step.kind === 'deliver' && world.nodes[step.to - 1].instance === null) return null;
        return { kind: step.kind, message: index };
      }
      case 'duplicate':
        return world.nodes[step.to - 1]?.instance ? { kind: 'duplicate', from: step.from, to: step.to, message: step.message } : null;
      case 'timeout':
        return world.nodes[step.node - 1]?.instance ? { kind: step.kind, node: step.node } : null;
      case 'propose':
      case 'read':
        return world.nodes[step.node - 1]?.instance ? { kind: step.kind, node: step.node, command: step.command } : null;
      case 'crash':
        return world.nodes[step.node - 1]?.instance ? { kind: 'crash', node: step.node, unsyncedKept: Math.min(step.unsyncedKept, world.nodes[step.node - 1].unsynced.length) } : null;
      case 'restart':
        return world.nodes[step.node - 1] !== undefined && world.nodes[step.node - 1].instance === null ? { kind: 'restart', node: step.node } : null;
    }
  }

  /**
   * The canonical fingerprint: the least 64-bit world digest over the permutations of node ids
   * that sort the nodes by their digest without ids (just the identity without symmetry), and
   * how many distinct states the permutations of this one are.
   *
   * Why sort: the digest without ids is the same under every renaming, so the permutations that
   * sort the nodes by it are, for two worlds of one orbit, the same set up to that renaming, and
   * the least digest over them is a canonical form as the least over all n! was. Only nodes
   * with equal digests (ties) leave a choice: with 3 nodes, 1 permutation instead of 6 in most
   * states, and every per-permutation digest (of nodes, messages, the world) is computed only
   * for the permutations tried. The orbit is n! / |automorphisms|, and the automorphisms are
   * among the tied permutations: n! x (distinct digests among those tried) / (permutations tried).
   */
  fingerprint(world: World): Fingerprint {
    const count = this.renames.length;
    // Its own lanes: node and history digests computed on demand inside the loop use this.lanes.
    const lanes = this.worldLanes;
    const out = this.permutationDigests;
    const tried = this.tried;
    tried.length = 0;
    if (count === 1) tried.push(0);
    else {
      for (const node of world.nodes) this.nodeBase(node);
      for (let p = 0; p < count; p += 1) {
        const position = this.positions[p];
        let sorted = true;
        for (let k = 1; k < position.length && sorted; k += 1) {
          const before = world.nodes[position[k - 1] - 1].digests!;
          const after = world.nodes[position[k] - 1].digests!;
          const base = 2 * count;
          const beforeHigh = before[base] >>> 0;
          const afterHigh = after[base] >>> 0;
          sorted = beforeHigh < afterHigh || (beforeHigh === afterHigh && before[base + 1] >>> 0 <= after[base + 1] >>> 0);
        }
        if (sorted) tried.push(p);
      }
    }
    let bestHigh = 0;
    let bestLow = 0;
    let best = 0;
    let distinct = 0;
    const history = this.historyDigests(world.history);
    const messageSums = this.messageSums(world.messages, tried);
    for (let t = 0; t < tried.length; t += 1) {
      const p = tried[t];
      lanes.reset();
      for (const id of this.positions[p]) {
        const digests = this.nodeDigests(world.nodes[id - 1], p);
        lanes.number(digests[2 * p]).number(digests[2 * p + 1]);
      }
      lanes
        .number(messageSums[2 * p])
        .number(messageSums[2 * p + 1])
        .number(world.messages.length)
        .number(world.crashes)
        .number(world.requests)
        .number(world.drops)
        .number(world.reorders)
        .number(history[2 * p])
        .number(history[2 * p + 1]);
      lanes.digestInto(out, 2 * p);
      const high = out[2 * p] >>> 0;
      const low = out[2 * p + 1] >>> 0;
      if (t === 0 || high < bestHigh || (high === bestHigh && low < bestLow)) {
        bestHigh = high;
        bestLow = low;
        best = p;
      }
      let known = false;
      for (let other = 0; other < t && !known; other += 1) known = out[2 * tried[other]] === out[2 * p] && out[2 * tried[other] + 1] === out[2 * p + 1];
      if (!known) distinct += 1;
    }
    return { high: bestHigh, low: bestLow, orbit: (count * distinct) / tried.length, permutation: best };
  }

  // ---- steps --------------------------------------------------------------------------------

  /**
   * Runs the steps of one choice on node `id` and folds them into the draft: the node's new
   * state, the messages it sent, the checks. A node is deterministic, so what an input does to
   * a node state is the same in every world that holds it: the steps are computed once per
   * (node state, input) and kept with the node state (`key` names the input: a message in
   * flight, or a number for the timer, a proposal or a restart; null for an input that no
   * number names, a replay's own command or read, computed every time). With an observer (a replay)
   * they are computed afresh, and a timer firing stops ticking at the first violation.
   */
  private perform(draft: Draft, id: NodeId, key: InFlight | number | null, compute: (node: NodeState) => Iterable<NodeStep>): void {
    const node = draft.nodes[id - 1];
    let steps: Iterable<NodeStep>;
    if (this.memoizing && draft.observer === undefined && key !== null) {
      const memo = (node.memo ??= new Map());
      let known = memo.get(key);
      if (known === undefined) {
        known = [...compute(node)];
        memo.set(key, known);
      }
      steps = known;
    } else {
      steps = compute(node);
    }
    for (const step of steps) {
      if (step.error !== null) {
        draft.implementationError = step.error;
        return;
      }
      draft.nodes[id - 1] = step.node;
      for (const message of step.messages) draft.addMessage(message);
      if (draft.violation === null) {
        const outcome = checkStep(draft.history, draft.nodes, step.change);
        draft.history = outcome.history === draft.history || outcome.violation !== null ? outcome.history : this.sharedHistory(outcome.history);
        draft.violation = outcome.violation;
      }
      if (draft.violation !== null) return;
    }
  }

  /**
   * A timer firing: ticks until the node shows something (a message, a role or term change).
   * Each tick steps its own copy, so that every state passed through stays as it was.
   */
  private *fire(before: NodeState, id: NodeId, observer: StepObserver | undefined): Generator<NodeStep> {
    let node = before;
    for (let tick = 0; tick < this.ticksMax; tick += 1) {
      const step = this.step(node, id, { kind: 'tick' }, false, observer);
      yield step;
      if (step.error !== null) return;
      node = step.node;
      if (step.messages.length > 0 || node.view.role !== before.view.role || node.view.term !== before.view.term) return;
    }
  }

  private start(down: NodeState, id: NodeId, observer: StepObserver | undefined): NodeStep {
    // Seed 0 for every node: with fixed election timeouts it decides nothing, and one seed for
    // all keeps nodes interchangeable for the symmetry reduction.
    const input: Input = { kind: 'start', id, members: this.members, seed: 0, records: down.synced, options: this.options.implementationOptions };
    return this.step({ ...down, view: emptyView, inputDigest: [0, 0], digests: null, memo: undefined, index: undefined }, id, input, true, observer);
  }

  /** The instance that takes the input: a fresh one for a start, else a copy of the node's. */
  private instanceFor(node: NodeState, started: boolean): NodeInstance {
    if (this.pool !== null) return started ? this.pool.fresh() : (node.instance as ReplayedNode).copy();
    return started ? this.options.implementation.createNode() : node.instance!.clone!();
  }

  /**
   * One input to one node in state `before`, stepped in a copy of its instance: what it did. What
   * the implementation throws (creating, copying or stepping an instance) is its error.
   */
  private step(before: NodeState, id: NodeId, input: Input, started: boolean, observer: StepObserver | undefined): NodeStep {
    let output: Output;
    let instance: NodeInstance;
    try {
      instance = this.instanceFor(before, started);
      output = instance.step(input);
    } catch (error) {
      return failedStep(before, id, input, `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
    const problem = outputProblem(output, id, this.members.length);
    if (problem !== null) return failedStep(before, id, input, problem);
    let synced = before.synced;
    let unsynced = before.unsynced;
    if (output.records.length > 0) unsynced = unsynced.length === 0 ? output.records : [...unsynced, ...output.records];
    if (output.sync && unsynced.length > 0) {
      synced = this.knowledge.compact(synced.length === 0 ? unsynced : [...synced, ...unsynced]);
      unsynced = emptyList;
    }
    const change: ViewChange = { node: id, started, previousCommitIndex: before.view.commitIndex, logChangedFrom: Number.POSITIVE_INFINITY, applied: output.applied };
    let view = started ? emptyView : before.view;
    if (output.state !== undefined) {
      try {
        view = applyView(view, output.state, change);
      } catch (error) {
        return failedStep(before, id, input, `state view: ${(error as Error).message}`);
      }
    }
    const node = this.shared(id, {
      instance,
      inputDigest: this.needsInputs ? digestInput(started ? [0, 0] : before.inputDigest, input) : before.inputDigest,
      view,
      synced,
      unsynced,
      digests: null,
    });
    const messages = output.messages.length === 0 ? emptyList : output.messages.map((outbound) => this.inFlight(id, outbound.to, outbound.message, view.term));
    observer?.stepped(id, input, output, started);
    return { node, change, messages, error: null };
  }

  /**
   * The shared copy of a node state equal to `node` (by its digest under the identity, which
   * names node `id`'s ids; `id` is mixed in for implementations whose digests name no ids).
   * A node stepped into a state some other world holds already is let go for that one (not
   * disposed: a timer firing may step the same instance again, and discarded worlds never were).
   */
  private shared(id: NodeId, node: NodeState): NodeState {
    if (!this.interning) return node;
    const digests = this.nodeDigests(node, 0);
    return this.nodeStates.intern(digests[0] ^ Math.imul(id, 0x9e3779b1), digests[1], node);
  }

  /**
   * The shared copy of a history equal to `history` by its digest. The digest leaves out who
   * established each committed index (evidence for a violation's message only), so a shared
   * history may name another node there; the violation reported is the replay's, which shares
   * nothing across paths.
   */
  private sharedHistory(history: History): History {
    if (!this.interning) return history;
    const digests = this.historyDigests(history);
    return this.histories.intern(digests[0], digests[1], history);
  }

  // ---- worlds as integers (src/explore/frontier.ts) -----------------------------------------

  encodedSize(world: World): number {
    return 5 + world.nodes.length + 1 + world.messages.length;
  }

  /** Writes the world at data[offset...]: history, counters, nodes, messages, by index. */
  encode(world: World, data: Int32Array, offset: number): void {
    let at = offset;
    data[at++] = this.historyIndex(world.history);
    data[at++] = world.crashes;
    data[at++] = world.requests;
    data[at++] = world.drops;
    data[at++] = world.reorders;
    for (const node of world.nodes) {
      if (node.index === undefined) {
        node.index = this.encodedNodes.length;
        this.encodedNodes.push(node);
      }
      data[at++] = node.index;
    }
    data[at++] = world.messages.length;
    for (const message of world.messages) {
      if (message.index === undefined) {
        message.index = this.encodedMessages.length;
        this.encodedMessages.push(message);
      }
      data[at++] = message.index;
    }
  }

  decode(data: Int32Array, offset: number): World {
    let at = offset;
    const history = this.encodedHistories[data[at++]];
    const crashes = data[at++];
    const requests = data[at++];
    const drops = data[at++];
    const reorders = data[at++];
    const nodes: NodeState[] = new Array<NodeState>(this.members.length);
    for (let index = 0; index < nodes.length; index += 1) nodes[index] = this.encodedNodes[data[at++]];
    const messages: InFlight[] = new Array<InFlight>(data[at++]);
    for (let index = 0; index < messages.length; index += 1) messages[index] = this.encodedMessages[data[at++]];
    return { nodes, messages, crashes, requests, drops, reorders, history };
  }

  private historyIndex(history: History): number {
    if (history === this.lastHistory && this.lastHistoryIndex !== -1) return this.lastHistoryIndex;
    let index = this.historyIndexes.get(history);
    if (index === undefined) {
      index = this.encodedHistories.length;
      this.encodedHistories.push(history);
      this.historyIndexes.set(history, index);
    }
    if (history !== this.lastHistory) this.lastHistoryDigests = [];
    this.lastHistory = history;
    this.lastHistoryIndex = index;
    return index;
  }

  private inFlight(from: NodeId, to: NodeId, message: Message, senderTerm: number): InFlight {
    const count = this.renames.length;
    const lanes = this.lanes.reset();
    this.knowledge.digestMessage(message, lanes);
    const base = this.scratch;
    lanes.digestInto(base, 0);
    const baseHigh = base[0];
    const baseLow = base[1];
    // The identity first: it names the message for sharing (with the sender's term, which the
    // replay reveals on delivery, though no fingerprint holds it).
    lanes.reset().number(baseHigh).number(baseLow).number(from).number(to);
    this.knowledge.digestMessageIds(message, this.renames[0], lanes);
    lanes.digestInto(base, 2);
    const keyHigh = base[2] ^ Math.imul(senderTerm | 0, 0x85ebca6b);
    if (this.interning) {
      const known = this.inFlights.find(keyHigh, base[3]);
      if (known !== undefined) return known;
    }
    const digests = new Array<number>(2 * count);
    digests[0] = base[2];
    digests[1] = base[3];
    for (let p = 1; p < count; p += 1) {
      const rename = this.renames[p];
      lanes.reset().number(baseHigh).number(baseLow).number(rename[from]).number(rename[to]);
      this.knowledge.digestMessageIds(message, rename, lanes);
      lanes.digestInto(digests, 2 * p);
    }
    const inFlight: InFlight = { from, to, message, senderTerm, digests };
    return this.interning ? this.inFlights.intern(keyHigh, base[3], inFlight) : inFlight;
  }

  /**
   * Per permutation tried, the sum of the messages' digests each mixed with the message's place
   * in its link's queue: order within a link counts (it is FIFO), order across links does not.
   */
  private messageSums(messages: readonly InFlight[], tried: readonly number[]): number[] {
    const sums = this.sums;
    for (const p of tried) {
      sums[2 * p] = 0;
      sums[2 * p + 1] = 0;
    }
    // Each message's place in its link's queue, counted in one pass (links by sender and receiver).
    const places = this.linkPlaces;
    places.fill(0);
    const width = this.members.length + 1;
    for (let index = 0; index < messages.length; index += 1) {
      const message = messages[index];
      const link = message.from * width + message.to;
      const place = places[link];
      places[link] = place + 1;
      const digests = message.digests;
      const salt = Math.imul(place + 1, 0x9e3779b1);
      for (let t = 0; t < tried.length; t += 1) {
        const p = tried[t];
        sums[2 * p] = (sums[2 * p] + mix32(digests[2 * p] ^ salt)) | 0;
        sums[2 * p + 1] = (sums[2 * p + 1] + mix32(digests[2 * p + 1] ^ salt)) | 0;
      }
    }
    return sums;
  }

  /** Fills the node's digest without ids (the last two lanes of its digests). */
  private nodeBase(node: NodeState): number[] {
    if (node.digests !== null) return node.digests;
    const count = this.renames.length;
    const digests = new Array<number>(2 * count + 2).fill(Number.NaN);
    const lanes = this.lanes.reset();
    const knowledge = this.knowledge;
    lanes.number(node.instance === null ? 0 : 1);
    if (node.instance !== null) knowledge.digestNode(this.digested(node.instance), node.inputDigest, lanes);
    lanes.number(node.synced.length);
    for (const record of node.synced) knowledge.digestRecord(record, lanes);
    lanes.number(node.unsynced.length);
    for (const record of node.unsynced) knowledge.digestRecord(record, lanes);
    lanes.digestInto(digests, 2 * count);
    node.digests = digests;
    return digests;
  }

  /** The node's digests, with the lanes of permutation p computed. */
  private nodeDigests(node: NodeState, p: number): number[] {
    const digests = this.nodeBase(node);
    if (!Number.isNaN(digests[2 * p])) return digests;
    const count = this.renames.length;
    const knowledge = this.knowledge;
    const rename = this.renames[p];
    const lanes = this.lanes.reset().number(digests[2 * count]).number(digests[2 * count + 1]);
    if (node.instance !== null) knowledge.digestNodeIds(this.digested(node.instance), rename, lanes);
    for (const record of node.synced) knowledge.digestRecordIds(record, rename, lanes);
    for (const record of node.unsynced) knowledge.digestRecordIds(record, rename, lanes);
    lanes.digestInto(digests, 2 * p);
    return digests;
  }

  /** The instance a digest reads: a pooled node's live one where the digest reads internals. */
  private digested(instance: NodeInstance): NodeInstance {
    return this.pool !== null && this.knowledge.readsInternals ? (instance as ReplayedNode).inspect() : instance;
  }

  private rememberHistory(history: History, digests: readonly number[]): void {
    if (history !== this.lastHistory) this.lastHistoryIndex = -1;
    this.lastHistory = history;
    this.lastHistoryDigests = digests;
  }

  private historyDigests(history: History): readonly number[] {
    if (history === this.lastHistory && this.lastHistoryDigests.length > 0) return this.lastHistoryDigests;
    const cached = this.historyCache.get(history);
    if (cached !== undefined) {
      this.rememberHistory(history, cached);
      return cached;
    }
    const count = this.renames.length;
    const digests = new Array<number>(2 * count);
    const length = history.committedTerms.length - 1;
    const lanes = this.lanes;
    for (let p = 0; p < count; p += 1) {
      const rename = this.renames[p];
      lanes.reset().number(history.leaders.length);
      for (const leader of history.leaders) lanes.number(leader === undefined || leader === 0 ? 0 : rename[leader]);
      lanes.number(length).number(history.committedPrefix[length]);
      for (let index = 1; index <= length; index += 1) lanes.number(history.commitTerms[index] === Number.POSITIVE_INFINITY ? -1 : history.commitTerms[index]);
      lanes.digestInto(digests, 2 * p);
    }
    this.historyCache.set(history, digests);
    this.rememberHistory(history, digests);
    return digests;
  }
}

/** What one input did to one node: its next state, what the checks read, the messages it sent. */
interface NodeStep {
  readonly node: NodeState;
  readonly change: ViewChange;
  readonly messages: readonly InFlight[];
  /** Set when the node failed the contract on this input (the rest is then the state before). */
  readonly error: ExploreImplementationError | null;
}

function failedStep(before: NodeState, id: NodeId, input: Input, message: string): NodeStep {
  const change: ViewChange = { node: id, started: false, previousCommitIndex: 0, logChangedFrom: Number.POSITIVE_INFINITY, applied: emptyList };
  return { node: before, change, messages: emptyList, error: { node: id, input: input.kind, message } };
}

/** A world under construction: copies of the parent's arrays, changed in place, then frozen. */
class Draft {
  readonly nodes: NodeState[];
  readonly messages: InFlight[];
  crashes: number;
  requests: number;
  drops: number;
  reorders: number;
  history: History;
  violation: Violation | null = null;
  implementationError: ExploreImplementationError | null = null;

  constructor(world: World, readonly observer: StepObserver | undefined) {
    this.nodes = world.nodes.slice();
    this.messages = world.messages.slice();
    this.crashes = world.crashes;
    this.requests = world.requests;
    this.drops = world.drops;
    this.reorders = world.reorders;
    this.history = world.history;
  }

  removeMessage(index: number): InFlight {
    const messages = this.messages;
    const message = messages[index];
    for (let at = index + 1; at < messages.length; at += 1) messages[at - 1] = messages[at];
    messages.pop();
    return message;
  }

  addMessage(message: InFlight): void {
    this.messages.push(message);
  }

  finish(): Transition {
    const world: World = {
      nodes: this.nodes,
      messages: this.messages,
      crashes: this.crashes,
      requests: this.requests,
      drops: this.drops,
      reorders: this.reorders,
      history: this.history,
    };
    return { world, violation: this.violation, implementationError: this.implementationError, pruned: null };
  }
}

/** The explorer's own command for its n-th proposal (it has no clients). */
function explorerCommand(n: number): Command {
  return { id: n, op: 'set', key: 'k', value: `v${n}` };
}

function hasEarlierOnLink(messages: readonly InFlight[], index: number): boolean {
  const { from, to } = messages[index];
  for (let other = 0; other < index; other += 1) if (messages[other].from === from && messages[other].to === to) return true;
  return false;
}

function applyView(previous: NodeView, state: StateView, change: ViewChange): NodeView {
  let { terms, ids, prefix } = previous;
  const log = state.log;
  if (log !== undefined) {
    const from = Math.max(1, log.from);
    if (from > terms.length) throw new Error(`log delta starts at ${log.from}, past the end of the log (${terms.length - 1})`);
    const newTerms = terms.slice(0, from);
    const newIds = ids.slice(0, from);
    const newPrefix = prefix.slice(0, from);
    let hash = newPrefix[from - 1];
    for (const entry of log.entries) {
      newTerms.push(entry.term);
      newIds.push(entry.commandId);
      hash = chainHash(hash, entry.term, entry.commandId);
      newPrefix.push(hash);
    }
    terms = newTerms;
    ids = newIds;
    prefix = newPrefix;
    change.logChangedFrom = from;
  }
  return { hasView: true, hasLog: previous.hasLog || log !== undefined, role: state.role, term: state.term, commitIndex: state.commitIndex, terms, ids, prefix };
}

function outputProblem(output: Output, id: NodeId, nodes: number): string | null {
  if (output === null || typeof output !== 'object' || !Array.isArray(output.messages) || !Array.isArray(output.records) || !Array.isArray(output.applied)) {
    return 'returned something that is not an output (messages, records, sync, applied, answers)';
  }
  for (const outbound of output.messages) {
    if (outbound.to === id) return `sent a ${outbound.message.type} message to itself`;
    if (!Number.isInteger(outbound.to) || outbound.to < 1 || outbound.to > nodes) return `sent a ${outbound.message.type} message to unknown node ${String(outbound.to)}`;
  }
  return null;
}

function digestInput(previous: readonly [number, number], input: Input): readonly [number, number] {
  const digest: number[] = [];
  new Lanes().reset().number(previous[0]).number(previous[1]).string(JSON.stringify(input)).digestInto(digest, 0);
  return [digest[0], digest[1]];
}

/** Every permutation of 1..n as a rename array (index 0 unused), the identity first. */
function permutations(n: number): NodeId[][] {
  const result: NodeId[][] = [];
  const images = nodeIds(n);
  const permute = (prefix: NodeId[], rest: NodeId[]) => {
    if (rest.length === 0) {
      result.push([0, ...prefix]);
      return;
    }
    for (let index = 0; index < rest.length; index += 1) permute([...prefix, rest[index]], [...rest.slice(0, index), ...rest.slice(index + 1)]);
  };
  permute([], images);
  return result;
}

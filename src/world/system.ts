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
// Local work (feature 'asyncStorageWrites', Message.local): a node's message to its own local
// thread sits among the messages in flight, but only the oldest of each node's thread may be
// delivered (FIFO), none is ever dropped, duplicated or reordered, and a crash discards them.
//
// Storage: records are durable once a sync covers them (sync: true makes everything written so
// far durable at once: the explorer has no sync latency). A crash keeps the synced records and a
// chosen prefix of the unsynced ones: all of them (the disk got them anyway), none (lost), or a
// torn part; each way is its own choice and costs one crash of the crash bound.
//
// Membership (feature 'membership', off unless SystemOptions.spares or
// PathBounds.membershipChangesMax say otherwise): spares follow the members, never started until
// a change names them. A change is a choice for a node that claims to lead, one of every change
// its latest configuration allows (src/world/membership.ts, the simulator's administrator's menu);
// the node answers accepted, notLeader or rejected itself. Like the simulator's administrator, the
// change starts each spare it names that never ran (a brand-new empty node that joins); and a node
// that no configuration names any more, the committed one included, may be stopped for good and
// its storage wiped (then it never restarts). A replay may also start a spare on its own (join).
//
// Leadership transfer (feature 'leadershipTransfer', off unless PathBounds.transfersMax says
// otherwise): a choice for a node that claims to lead, one per other node it could hand
// leadership to (the voters of its latest configuration, or every member without a view of it),
// as the simulator's administrator asks; the node answers transferAccepted, rejected or notLeader.

import type { Command, DurableRecord, Implementation, ImplementationOptions, Input, LeadershipTransfer, MembershipChange, MembershipStep, Message, MessageView, NodeInstance, Output } from '../contract/contract.js';
import { emptyList } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { nodeIds } from '../core/ids.js';
import type { StepChange } from '../contract/observation.js';
import type { InvariantChecker, InvariantDefinition } from '../../invariants/types.js';
import type { CheckerVersions } from './judge.js';
import { checkerSharedChanged, checkerStateChanged, checkerVersionsOf, ClusterJudge, digestDownMirror, digestJudgement, settleCheckers } from './judge.js';
import type { SharedObservation } from './observation.js';
import { ClusterObservation, commandOf, emptySharedObservation, NodeMirror, observeOutput, ViewError } from './observation.js';
import { createInstance, describeThrow, implementationOptionsFor, messageViewOf, runInput } from './step.js';
import type { ImplementationKnowledge } from './knowledge.js';
import { knowledgeNeedsInputs, knowledgeOf } from './knowledge.js';
import { InternTable } from './intern.js';
import type { InstancePoolStatistics, ReplayedNode } from './instancePool.js';
import { InstancePool, liveInstancesMaxDefault } from './instancePool.js';
import { Lanes } from './lanes.js';
import { mix32 } from '../core/hash.js';
import type { Violation } from '../contract/observation.js';
import { DurabilityProbes } from './probes.js';
import { asyncStorageWritesOn, termRevealedBy } from './asyncStorage.js';
import { allChanges, changeCode, changeCodesMax, configurationMembers, latestCommitted, startMembers, votersMinOf } from './membership.js';

export interface NodeState {
  /**
   * Null while the node is down. Without clone() a ReplayedNode, which keeps a live instance
   * only while the pool has room for it (src/world/instancePool.ts).
   */
  readonly instance: NodeInstance | null;
  /** Digest of the inputs since start, for opaque nodes without stateDigest. */
  readonly inputDigest: readonly [number, number];
  /** What the harness observes of the node (src/world/observation.ts), as this state left it. */
  readonly mirror: NodeMirror;
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
  /** Stopped for good and its storage wiped, once removed from the membership: it never restarts. */
  retired?: boolean;
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
  /** Membership changes handed to nodes (feature 'membership'). */
  readonly membershipChanges: number;
  /** Leadership transfers handed to nodes (feature 'leadershipTransfer'). */
  readonly transfers: number;
  /** The judgement of the path so far: the shared part of the observation and the checkers' states. */
  readonly judgement: Judgement;
}

/**
 * What the invariants know of a path beyond its nodes' mirrors: shared between worlds (equal
 * ones interned by digest), never changed once a world holds it.
 */
export interface Judgement {
  readonly shared: SharedObservation;
  /** The term each node revealed (ClusterObservation.termRevealed), by id. */
  readonly revealed: readonly number[];
  readonly checkers: readonly InvariantChecker[];
  /** The judgement without its revealed terms, which judgements of other revealed terms share. */
  readonly core: JudgementCore;
  /** Two lanes per permutation, computed when first needed (NaN until then). */
  digests?: number[];
  /** Its place among the system's encoded judgements (src/explore/frontier.ts), once encoded. */
  index?: number;
  /** Its key in the system's memo tables (TransitionSystem.nextMemoId). */
  readonly id: number;
}

/**
 * A judgement without its revealed terms: all a node step's judging reads unless a checker asks
 * for a revealed term (ObservedCluster.termRevealed), which only a restart's floor does. Its
 * outcome from a core then holds for the judgements of every revealed terms over it.
 */
export interface JudgementCore {
  readonly shared: SharedObservation;
  readonly checkers: readonly InvariantChecker[];
  /** The checkers' versions, read once (src/world/judge.ts, settleCheckers). */
  readonly versions: CheckerVersions;
  /** Its key in the system's memo tables (TransitionSystem.nextMemoId). */
  readonly id: number;
  /** Whether its judgements are kept by revealed terms (TransitionSystem.judgementOf). */
  joined: boolean;
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
  | { kind: 'restart'; node: NodeId }
  /** Without an id: the explorer's own change, numbered by the world's changes. */
  | { kind: 'changeMembership'; node: NodeId; steps: readonly MembershipStep[]; id?: number }
  /** Without an id: the explorer's own transfer, numbered by the world's transfers. */
  | { kind: 'transferLeadership'; node: NodeId; target: NodeId; id?: number }
  /** A spare that never ran starts (a change that names it does so too); a removed node stops for good, wiped. */
  | { kind: 'join' | 'wipe'; node: NodeId }
  /** Ticks of a node's clock that show nothing (replays only: see ExploreStep). */
  | { kind: 'tick'; node: NodeId; ticks: number };

/** One step of a path as plain JSON (trace files): messages by content, not by position. */
export type ExploreStep =
  | { kind: 'deliver' | 'drop' | 'duplicate'; from: NodeId; to: NodeId; message: Message }
  | { kind: 'timeout'; node: NodeId }
  | { kind: 'propose' | 'read'; node: NodeId; command: Command }
  | { kind: 'crash'; node: NodeId; unsyncedKept: number }
  | { kind: 'restart'; node: NodeId }
  | { kind: 'changeMembership'; node: NodeId; change: MembershipChange }
  | { kind: 'transferLeadership'; node: NodeId; transfer: LeadershipTransfer }
  | { kind: 'join' | 'wipe'; node: NodeId }
  /**
   * Ticks of a node's clock that show nothing, as a run's node may take before its next input
   * (src/shrink/lift.ts): the search never takes them (its timer firing ticks until something
   * shows), but what a node does next may read how long it heard nothing (a removed server's
   * guard, thesis 4.2.3).
   */
  | { kind: 'tick'; node: NodeId; ticks: number };

/** Every kind of step a path may hold (trace files are checked against it). */
export const exploreStepKinds: ReadonlySet<string> = new Set(['deliver', 'drop', 'duplicate', 'timeout', 'propose', 'read', 'crash', 'restart', 'changeMembership', 'transferLeadership', 'join', 'wipe', 'tick']);

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
  /**
   * The step changed what other nodes' steps may read (the committed history, a revealed term,
   * a checker's shared state): the partial-order reduction holds it dependent on every other.
   */
  changedShared: boolean;
  /**
   * A delivery raised the term its sender revealed, which that sender's restart reads (the
   * monotonic-term floor): the reduction holds it dependent on a restart of the sender.
   */
  revealsSender: boolean;
  /**
   * A membership step (a change, a join, a wipe): it may start or stop a node besides the one it
   * steps, and what it may do next depends on other nodes' configurations, so the reduction holds
   * it dependent on every other.
   */
  changesMembership: boolean;
}

/** Hooks for a replay that records what happens (src/shrink/paths.ts); the judging is the system's. */
export interface StepObserver {
  /** A message a step sent entered the network (before the step is judged). */
  sent?(message: InFlight): void;
  /** A message left the network to be handed to its receiver (before the receiver steps). */
  delivered?(message: InFlight): void;
  stepped(node: NodeId, output: Output, change: StepChange, mirror: NodeMirror): void;
  crashed(node: NodeId, unsyncedLost: number): void;
  /**
   * It reads only what each step did (stepped, crashed), never the order of a step's judging nor
   * a fresh instance: the system may then reuse its memos (the steps computed once per node state
   * and input, the judgements), as a search does, and hands it each step it folds in, from a memo
   * or not. A replay that judges a client history without recording a trace is such an observer.
   */
  readonly stepsOnly?: true;
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
  /** Membership changes handed to nodes over the whole path (feature 'membership'; default 0: none). */
  membershipChangesMax?: number;
  /** Leadership transfers handed to nodes over the whole path (feature 'leadershipTransfer'; default 0: none). */
  transfersMax?: number;
}

/**
 * Where a node stands as a path begins (SystemOptions.initialNodes): started over these durable
 * records, as a restart is; removed for good, its storage wiped; or never started (null: a spare
 * that no change has named yet).
 */
export type InitialNode = { records: readonly DurableRecord[] } | { retired: true } | null;

export interface SystemOptions extends PathBounds {
  implementation: Implementation;
  /** The invariants every step is judged by (each checker must fork: InvariantChecker.fork). */
  invariants: readonly InvariantDefinition[];
  nodes: number;
  /** Feature 'membership': spare nodes after the `nodes` members, started when a change first names them (default 0). */
  spares?: number;
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
   * Share one copy of each distinct node state, message and judgement between worlds
   * (src/world/intern.ts). Default true; false only to measure what it saves.
   */
  intern?: boolean;
  /** Compute what an input does to a node state once (TransitionSystem.perform); default true. */
  memoize?: boolean;
  /**
   * Durability probes (src/world/probes.ts): every node step that makes a promise in a message is
   * checked against a shadow restarted from the node's synced records. Default off.
   */
  durabilityProbes?: boolean;
  /**
   * Each node's state where every path begins, by id (a replay of a path cut by the step shrink:
   * the durable state a longer path left, as though every node had crashed and restarted there).
   * Absent: the members start over empty storage and the spares wait.
   */
  initialNodes?: readonly InitialNode[];
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
  /** Every node: the members the cluster starts with, then the spares. */
  readonly members: readonly NodeId[];
  /** The members the cluster starts with (all of `members` without spares). */
  readonly bootstrap: readonly NodeId[];
  /** Spares or membership changes are on: the world's change count is fingerprinted. */
  private readonly membershipOn: boolean;
  private readonly membershipChangesMax: number;
  private readonly transfersMax: number;
  readonly knowledge: ImplementationKnowledge;
  /** How checkers read the implementation's messages (messageViewOf). */
  readonly messageView: (message: Message) => MessageView | null;
  /** The implementation's nodes run with asynchronous storage writes (src/world/asyncStorage.ts). */
  private readonly asyncStorageWrites: boolean;
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
  private readonly interning: boolean;
  private readonly memoizing: boolean;
  /** Numbers that name a node's inputs in its memo: -id a timer, -stride - id a restart, k * stride + id proposal k. */
  private readonly inputStride: number;
  private readonly nodeStates = new InternTable<NodeState>();
  private readonly inFlights = new InternTable<InFlight>();
  private readonly judgements = new InternTable<Judgement>();
  private readonly judgementLanes = new Lanes();
  /** One array for each revealed terms met, by their text: judgements of equal ones share it (judgementOf). */
  private readonly revealedArrays = new Map<string, readonly number[]>();
  /** Each canonical array of revealed terms, by its id in the joined table. */
  private readonly canonicalArrays = new Map<readonly number[], number>();
  /**
   * The memos of judging, each keyed by a pair of numbers rather than kept in maps on the
   * objects: tens of thousands of small maps (one per judgement, core and node step) were a
   * fifth of a long search's heap, and the collector marked them again and again.
   *   joined: a core's judgement (core id, revealed terms id): judgementOf;
   *   revealedAfter: a judgement with one revealed term raised (judgement id, term x stride + node);
   *   stepOutcomes: what judging a node step led to (step id, core id or, where the judging read a
   *     revealed term, judgement id: one counter names both, so the two never meet): Draft.judgeStep;
   *   committingOutcomes: the same for steps that read other nodes' mirrors, by node states (step
   *     id, judgement id): Draft.keepCommitting.
   */
  private readonly joined = new InternTable<Judgement>();
  private readonly revealedAfter = new InternTable<Judgement>();
  readonly stepOutcomes = new InternTable<Judged>();
  readonly committingOutcomes = new InternTable<(NodeState | Judged)[]>();
  private memoIds = 0;
  /** The parts of encoded worlds by index (src/explore/frontier.ts), and each part's index. */
  private readonly encodedNodes: NodeState[] = [];
  private readonly encodedMessages: InFlight[] = [];
  private readonly encodedJudgements: Judgement[] = [];
  /** Null with probes off. */
  private readonly probes: DurabilityProbes | null;

  constructor(readonly options: SystemOptions) {
    this.bootstrap = nodeIds(options.nodes);
    this.members = nodeIds(options.nodes + (options.spares ?? 0));
    this.membershipChangesMax = options.membershipChangesMax ?? 0;
    this.transfersMax = options.transfersMax ?? 0;
    this.membershipOn = this.members.length > this.bootstrap.length || this.membershipChangesMax > 0;
    this.knowledge = knowledgeOf(options.implementation);
    this.messageView = messageViewOf(options.implementation);
    this.symmetric = options.symmetry && this.knowledge.symmetric && options.implementationOptions.electionTicksMin === options.implementationOptions.electionTicksMax;
    // A createNode() that fails here fails again at the first start, as that node's error.
    const probe = createInstance(options.implementation).instance;
    this.usesClone = options.clone && typeof probe?.clone === 'function';
    probe?.dispose?.();
    this.pool = this.usesClone ? null : new InstancePool(options.implementation, options.liveInstancesMax ?? liveInstancesMaxDefault);
    this.needsInputs = knowledgeNeedsInputs(this.knowledge, options.implementation);
    this.renames = this.symmetric ? groupPermutations(options.nodes, this.members.length - options.nodes) : [[0, ...this.members]];
    this.positions = this.renames.map((rename) => {
      const position: NodeId[] = [];
      for (const id of this.members) position[rename[id] - 1] = id;
      return position;
    });
    this.inverses = this.positions.map((position) => [0, ...position]);
    this.ticksMax = options.implementationOptions.electionTicksMax + options.implementationOptions.heartbeatTicks;
    this.sums = new Array<number>(2 * this.renames.length).fill(0);
    this.linkPlaces = new Int32Array((this.members.length + 1) * (this.members.length + 1));
    this.interning = options.intern !== false;
    this.memoizing = options.memoize !== false;
    this.inputStride = this.members.length + 1;
    this.asyncStorageWrites = asyncStorageWritesOn(options.implementation, options.implementationOptions);
    this.probes = options.durabilityProbes === true ? new DurabilityProbes(options.implementation, { firstPromisesOnly: false, asyncStorageWrites: this.asyncStorageWrites }) : null;
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

  /** Whether what an input does to a node state is computed once (and its judging with it). */
  get memoizesSteps(): boolean {
    return this.memoizing;
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

  /** Every member started over empty storage; or each node as SystemOptions.initialNodes has it. */
  initial(observer?: StepObserver): Transition {
    const checkers = this.options.invariants.map((definition) => definition.create());
    const core: JudgementCore = { shared: emptySharedObservation(), checkers, versions: checkerVersionsOf(checkers), id: this.nextMemoId(), joined: false };
    const judgement = this.judgementOf(core, new Array<number>(this.members.length + 1).fill(0));
    const given = this.options.initialNodes;
    const world: World = {
      nodes: this.members.map((id) => initialNodeState(id, given?.[id - 1] ?? null)),
      messages: [],
      crashes: 0,
      requests: 0,
      drops: 0,
      reorders: 0,
      membershipChanges: 0,
      transfers: 0,
      judgement,
    };
    const draft = new Draft(this, world, observer, 0);
    const starting = given === undefined ? this.bootstrap : this.members.filter((id) => given[id - 1] !== null && 'records' in given[id - 1]!);
    for (const id of starting) {
      this.perform(draft, id, -this.inputStride - id, (node) => [this.start(node, id)]);
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
      // Local work is no network message: handed back in order per thread, never dropped.
      if (messages[index].message.local !== undefined) {
        if (!hasEarlierOnLink(messages, index)) choices.push({ kind: 'deliver', message: index });
        continue;
      }
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
        if (node.instance !== null && (!node.mirror.hasView || node.mirror.role === 'leader')) choices.push({ kind: 'propose', node: id });
      }
    }
    if (world.crashes < this.options.crashesMax) {
      for (const id of this.members) {
        const node = world.nodes[id - 1];
        if (node.instance === null) continue;
        for (let kept = node.unsynced.length; kept >= 0; kept -= 1) choices.push({ kind: 'crash', node: id, unsyncedKept: kept });
      }
    }
    for (const id of this.members) if (restartable(world.nodes[id - 1])) choices.push({ kind: 'restart', node: id });
    if (this.membershipOn) this.membershipChoices(world, choices);
    if (world.transfers < this.transfersMax) this.transferChoices(world, choices);
    return choices;
  }

  /** A transfer to each other voter of the latest configuration of a node that claims to lead (after every other kind). */
  private transferChoices(world: World, choices: Choice[]): void {
    for (const id of this.members) {
      const node = world.nodes[id - 1];
      if (node.instance === null || node.mirror.role !== 'leader') continue;
      const latest = node.mirror.configuration?.latest;
      const voters = latest === undefined ? this.bootstrap : [...new Set([...latest.voters, ...latest.votersOutgoing])].sort((a, b) => a - b);
      for (const target of voters) if (target !== id) choices.push({ kind: 'transferLeadership', node: id, target });
    }
  }

  /**
   * The membership choices (after every other kind): each change the latest configuration of a
   * node that claims to lead allows (with the spares that never ran or that it does not name),
   * within the budget; then a wipe of each node that no configuration names any more.
   */
  private membershipChoices(world: World, choices: Choice[]): void {
    if (world.membershipChanges < this.membershipChangesMax) {
      const votersMin = votersMinOf(this.bootstrap.length);
      for (const id of this.members) {
        const node = world.nodes[id - 1];
        const latest = node.mirror.configuration?.latest;
        if (node.instance === null || node.mirror.role !== 'leader' || latest === undefined) continue;
        const named = configurationMembers(latest);
        const free = this.members.filter((spare) => spare > this.bootstrap.length && !named.has(spare) && world.nodes[spare - 1].retired !== true);
        for (const steps of allChanges(latest, free, votersMin)) choices.push({ kind: 'changeMembership', node: id, steps });
      }
    }
    for (const id of this.members) if (this.removed(world, id)) choices.push({ kind: 'wipe', node: id });
  }

  /**
   * Whether node `id` ran, is not wiped, and is named neither by the latest committed
   * configuration that the others report nor by any of their latest ones: it was removed, as
   * the simulator's administrator sees a removal through (the node's own view may lag).
   */
  private removed(world: World, id: NodeId): boolean {
    const node = world.nodes[id - 1];
    if (node.retired === true || !started(node)) return false;
    const views = world.nodes.filter((other) => other.mirror.id !== id && other.instance !== null).map((other) => other.mirror.configuration);
    const committed = latestCommitted(views);
    if (committed === null || configurationMembers(committed.configuration).has(id)) return false;
    return views.every((view) => view === null || !configurationMembers(view.latest).has(id));
  }

  /** Whether the budget of crashes or requests withheld a choice in this world. */
  budgetsHit(world: World): { crashes: boolean; requests: boolean; drops: boolean; membershipChanges: boolean; transfers: boolean } {
    const anyUp = world.nodes.some((node) => node.instance !== null);
    const anyLeader = world.nodes.some((node) => node.instance !== null && (!node.mirror.hasView || node.mirror.role === 'leader'));
    return {
      crashes: anyUp && world.crashes >= this.options.crashesMax,
      requests: anyLeader && world.requests >= this.options.requestsMax,
      drops: world.messages.length > 0 && world.drops >= this.options.dropsMax,
      // Off (no budget) is no bound that withheld a change.
      membershipChanges: anyLeader && this.membershipChangesMax > 0 && world.membershipChanges >= this.membershipChangesMax,
      transfers: anyLeader && this.transfersMax > 0 && world.transfers >= this.transfersMax,
    };
  }

  /** The world after `choice`, judged; `eventNumber` numbers the step in violations (a replay's). */
  apply(world: World, choice: Choice, observer?: StepObserver, eventNumber = 0): Transition {
    const draft = new Draft(this, world, observer, eventNumber);
    switch (choice.kind) {
      case 'deliver':
        this.deliver(draft, choice, observer);
        break;
      case 'drop':
        draft.drops += 1;
        if (hasEarlierOnLink(draft.messages, choice.message)) draft.reorders += 1;
        draft.removeMessage(choice.message);
        break;
      case 'timeout':
        this.perform(draft, choice.node, -choice.node, (node) => this.fire(node, choice.node));
        break;
      case 'propose': {
        draft.requests += 1;
        const input: Input = { kind: 'propose', command: choice.command ?? explorerCommand(draft.requests) };
        // A named command is not the numbered one the memo key stands for: computed afresh.
        const key = choice.command === undefined ? draft.requests * this.inputStride + choice.node : null;
        this.perform(draft, choice.node, key, (node) => [this.step(node, choice.node, input, false)]);
        break;
      }
      case 'read': {
        const input: Input = { kind: 'read', command: choice.command };
        this.perform(draft, choice.node, null, (node) => [this.step(node, choice.node, input, false)]);
        break;
      }
      case 'duplicate': {
        // Nothing leaves the network: the copy was never counted in it. Whether the message was
        // delivered before is the replay's to check (a copy of a message never sent is a forgery).
        const input: Input = { kind: 'deliver', from: choice.from, message: choice.message };
        this.perform(draft, choice.to, null, (node) => [this.step(node, choice.to, input, false)]);
        break;
      }
      case 'crash':
        this.crash(draft, choice, observer);
        break;
      case 'restart':
      case 'join':
        this.perform(draft, choice.node, -this.inputStride - choice.node, (node) => [this.start(node, choice.node)]);
        break;
      case 'changeMembership':
        this.changeMembership(draft, choice);
        break;
      case 'transferLeadership':
        this.transferLeadership(draft, choice);
        break;
      case 'wipe':
        this.wipe(draft, choice.node);
        break;
      case 'tick':
        this.perform(draft, choice.node, null, (node) => this.ticked(node, choice.node, choice.ticks));
        break;
    }
    const transition = draft.finish();
    if (transition.violation === null && transition.implementationError === null) {
      if (transition.world.messages.length > this.options.messagesInFlightMax) transition.pruned = 'messages';
      else if (transition.world.nodes.some((node) => node.mirror.term > this.options.termMax)) transition.pruned = 'term';
    }
    return transition;
  }

  private deliver(draft: Draft, choice: Choice & { kind: 'deliver' }, observer: StepObserver | undefined): void {
    const local = draft.messages[choice.message].message.local !== undefined;
    if (!local && hasEarlierOnLink(draft.messages, choice.message)) draft.reorders += 1;
    const message = draft.removeMessage(choice.message);
    observer?.delivered?.(message);
    if (!local) draft.reveal(message.from, message.senderTerm);
    const input: Input = { kind: 'deliver', from: message.from, message: message.message };
    this.perform(draft, message.to, message, (node) => [this.step(node, message.to, input, false)]);
  }

  private crash(draft: Draft, choice: Choice & { kind: 'crash' }, observer: StepObserver | undefined): void {
    draft.crashes += 1;
    const node = draft.nodes[choice.node - 1];
    // Not disposed: other worlds share this node state (and its instance) with this one.
    draft.nodes[choice.node - 1] = this.crashedState(choice.node, node, choice.unsyncedKept);
    // Its local threads die with it, and the work handed to them.
    for (let index = draft.messages.length - 1; index >= 0; index -= 1) if (draft.messages[index].to === choice.node && draft.messages[index].message.local !== undefined) draft.removeMessage(index);
    observer?.crashed(choice.node, Math.max(0, node.unsynced.length - choice.unsyncedKept));
    draft.judgeCrash(choice.node, draft.nodes[choice.node - 1].mirror);
  }

  private transferLeadership(draft: Draft, choice: Choice & { kind: 'transferLeadership' }): void {
    draft.transfers += 1;
    // An administrator's step, held dependent on every other as a membership step is.
    draft.changesMembership = true;
    const input: Input = { kind: 'transferLeadership', transfer: { id: choice.id ?? explorerTransferId(draft.transfers), target: choice.target } };
    this.perform(draft, choice.node, null, (node) => [this.step(node, choice.node, input, false)]);
  }

  /**
   * A membership change handed to a node, after the spares it names that never ran start (as the
   * simulator's administrator starts them before it sends the change). The explorer's own change
   * is numbered by the world's changes, past any command id, and its memo key names its steps.
   */
  private changeMembership(draft: Draft, choice: Choice & { kind: 'changeMembership' }): void {
    draft.membershipChanges += 1;
    draft.changesMembership = true;
    for (const step of choice.steps) {
      const spare = draft.nodes[step.node - 1];
      if (spare === undefined || step.node <= this.bootstrap.length || started(spare) || spare.retired === true) continue;
      this.perform(draft, step.node, -this.inputStride - step.node, (node) => [this.start(node, step.node)]);
      if (draft.implementationError !== null || draft.violation !== null) return;
    }
    const input: Input = { kind: 'changeMembership', change: { id: choice.id ?? explorerChangeId(draft.membershipChanges), steps: choice.steps } };
    const key = choice.id === undefined ? this.changeKey(draft.membershipChanges, choice.steps, choice.node) : null;
    this.perform(draft, choice.node, key, (node) => [this.step(node, choice.node, input, false)]);
  }

  /**
   * The memo key of the explorer's n-th change (with `steps`, to `node`): below every restart's
   * key, distinct for each change number, steps (at most two, each a (action, node) code) and node.
   */
  private changeKey(n: number, steps: readonly MembershipStep[], node: NodeId): number {
    return -2 * this.inputStride - ((n * changeCodesMax + changeCode(steps)) * this.inputStride + node);
  }

  /**
   * A removed node stops for good and its storage is wiped (the simulator's administrator does so
   * once the removal is committed): judged as a crash that kept nothing unsynced, and the messages
   * to it leave the network, which can never hand them over.
   */
  private wipe(draft: Draft, id: NodeId): void {
    draft.changesMembership = true;
    const node = draft.nodes[id - 1];
    const mirror = node.mirror.copy();
    mirror.up = false;
    draft.nodes[id - 1] = this.shared(id, { instance: null, inputDigest: [0, 0], mirror, synced: emptyList, unsynced: emptyList, digests: null, memo: undefined, index: undefined, retired: true });
    if (node.instance !== null) {
      draft.observer?.crashed(id, node.unsynced.length);
      draft.judgeCrash(id, mirror);
    }
    for (let index = draft.messages.length - 1; index >= 0; index -= 1) if (draft.messages[index].to === id) draft.removeMessage(index);
  }

  /** Node `id` in state `node` crashed, keeping `unsyncedKept` of its unsynced records: its down state, shared. */
  private crashedState(id: NodeId, node: NodeState, unsyncedKept: number): NodeState {
    const kept = node.unsynced.slice(0, unsyncedKept);
    const mirror = node.mirror.copy();
    mirror.up = false;
    const synced = kept.length > 0 ? this.knowledge.compact([...node.synced, ...kept]) : node.synced;
    return this.shared(id, { instance: null, inputDigest: [0, 0], mirror, synced, unsynced: emptyList, digests: null, memo: undefined, index: undefined });
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
      case 'changeMembership':
        return { kind: 'changeMembership', node: choice.node, change: { id: choice.id ?? explorerChangeId(world.membershipChanges + 1), steps: choice.steps } };
      case 'transferLeadership':
        return { kind: 'transferLeadership', node: choice.node, transfer: { id: choice.id ?? explorerTransferId(world.transfers + 1), target: choice.target } };
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
        // Local work is never dropped, and comes back in order per thread.
        if (world.messages[index].message.local !== undefined && (step.kind === 'drop' || hasEarlierOnLink(world.messages, index))) return null;
        return { kind: step.kind, message: index };
      }
      case 'duplicate':
        if (step.message.local !== undefined) return null;
        return world.nodes[step.to - 1]?.instance ? { kind: 'duplicate', from: step.from, to: step.to, message: step.message } : null;
      case 'timeout':
        return world.nodes[step.node - 1]?.instance ? { kind: step.kind, node: step.node } : null;
      case 'tick':
        return world.nodes[step.node - 1]?.instance && Number.isInteger(step.ticks) && step.ticks > 0 ? { kind: 'tick', node: step.node, ticks: step.ticks } : null;
      case 'propose':
      case 'read':
        return world.nodes[step.node - 1]?.instance ? { kind: step.kind, node: step.node, command: step.command } : null;
      case 'crash':
        return world.nodes[step.node - 1]?.instance ? { kind: 'crash', node: step.node, unsyncedKept: Math.min(step.unsyncedKept, world.nodes[step.node - 1].unsynced.length) } : null;
      case 'restart':
        return world.nodes[step.node - 1] !== undefined && restartable(world.nodes[step.node - 1]) ? { kind: 'restart', node: step.node } : null;
      case 'changeMembership':
        return world.nodes[step.node - 1]?.instance ? { kind: 'changeMembership', node: step.node, steps: step.change.steps, id: step.change.id } : null;
      case 'transferLeadership':
        return world.nodes[step.node - 1]?.instance ? { kind: 'transferLeadership', node: step.node, target: step.transfer.target, id: step.transfer.id } : null;
      case 'join': {
        const node = world.nodes[step.node - 1];
        return node !== undefined && step.node > this.bootstrap.length && !started(node) && node.retired !== true ? { kind: 'join', node: step.node } : null;
      }
      case 'wipe': {
        const node = world.nodes[step.node - 1];
        return node !== undefined && started(node) && node.retired !== true ? { kind: 'wipe', node: step.node } : null;
      }
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
    // Its own lanes: node and judgement digests computed on demand inside the loop use others.
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
          // Permutations keep members and spares apart: each group is sorted on its own.
          if (k === this.bootstrap.length) continue;
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
        .number(world.reorders);
      if (this.membershipOn) lanes.number(world.membershipChanges);
      if (this.transfersMax > 0) lanes.number(world.transfers);
      const judgement = this.judgementDigests(world.judgement, p);
      lanes.number(judgement[2 * p]).number(judgement[2 * p + 1]);
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
    if (draft.memoizes && key !== null) {
      const memo = (node.memo ??= new Map());
      let known = memo.get(key);
      if (known === undefined) {
        known = [...compute(node)];
        memo.set(key, known);
      }
      for (let index = 0; index < known.length; index += 1) if (!foldStep(draft, id, known[index])) return;
    } else {
      for (const step of compute(node)) if (!foldStep(draft, id, step)) return;
    }
  }

  /**
   * A timer firing: ticks until the node shows something (a message, a role or term change).
   * Each tick steps its own copy, so that every state passed through stays as it was.
   */
  private *fire(before: NodeState, id: NodeId): Generator<NodeStep> {
    let node = before;
    for (let tick = 0; tick < this.ticksMax; tick += 1) {
      const step = this.step(node, id, { kind: 'tick' }, false);
      yield step;
      if (step.error !== null) return;
      node = step.node;
      if (shows(step, before)) return;
    }
  }

  /**
   * Up to `ticks` ticks that show nothing: it stops before a tick that would (a timer the run's
   * node had not reached: its timeouts were drawn from another seed). Each steps its own copy.
   */
  private *ticked(before: NodeState, id: NodeId, ticks: number): Generator<NodeStep> {
    let node = before;
    for (let tick = 0; tick < ticks; tick += 1) {
      const step = this.step(node, id, { kind: 'tick' }, false);
      if (step.error === null && shows(step, before)) return;
      yield step;
      if (step.error !== null) return;
      node = step.node;
    }
  }

  private start(down: NodeState, id: NodeId): NodeStep {
    return this.step({ ...down, inputDigest: [0, 0], digests: null, memo: undefined, index: undefined }, id, this.startInput(id, down.synced), true);
  }

  /** Node `id`'s start over `records`: a start, a restart, or a durability probe's shadow. */
  private startInput(id: NodeId, records: readonly DurableRecord[]): Input {
    // Seed 0 for every node: with fixed election timeouts it decides nothing, and one seed for
    // all keeps nodes interchangeable for the symmetry reduction.
    const options = implementationOptionsFor(this.options.implementation, this.options.implementationOptions);
    return { kind: 'start', id, members: startMembers(id, this.bootstrap), seed: 0, records, options };
  }

  /** The instance that takes the input: a fresh one for a start, else a copy of the node's. */
  private instanceFor(node: NodeState, started: boolean): NodeInstance {
    if (this.pool !== null) return started ? this.pool.fresh() : (node.instance as ReplayedNode).copy();
    return started ? this.options.implementation.createNode() : node.instance!.clone!();
  }

  /**
   * One input to one node in state `before`, stepped in a copy of its instance: what it did, with
   * the node's mirror as the world's one semantics of a step leaves it (runInput, observeOutput).
   * What the implementation throws (creating, copying or stepping an instance) is its error.
   */
  private step(before: NodeState, id: NodeId, input: Input, started: boolean): NodeStep {
    let instance: NodeInstance;
    try {
      instance = this.instanceFor(before, started);
    } catch (error) {
      return failedStep(before, id, input, describeThrow(error));
    }
    const outcome = runInput(instance, input, id, this.members);
    if (outcome.problem !== null) return failedStep(before, id, input, outcome.problem);
    const output = outcome.output;
    let synced = before.synced;
    let unsynced = before.unsynced;
    if (output.records.length > 0) unsynced = unsynced.length === 0 ? output.records : [...unsynced, ...output.records];
    if (output.sync && unsynced.length > 0) {
      synced = this.knowledge.compact(synced.length === 0 ? unsynced : [...synced, ...unsynced]);
      unsynced = emptyList;
    }
    const mirror = before.mirror.copy();
    let change: StepChange;
    try {
      change = observeOutput(mirror, output, started, 0, 0, commandOf(input), input);
    } catch (error) {
      if (error instanceof ViewError) return failedStep(before, id, input, `state view: ${error.message}`);
      throw error;
    }
    const node = this.shared(id, {
      instance,
      inputDigest: this.needsInputs ? digestInput(started ? [0, 0] : before.inputDigest, input) : before.inputDigest,
      mirror,
      synced,
      unsynced,
      digests: null,
      memo: undefined,
      index: undefined,
    });
    // With asynchronous storage writes some messages reveal no term (src/world/asyncStorage.ts).
    const messages =
      output.messages.length === 0 ? emptyList : output.messages.map((outbound) => this.inFlight(id, outbound.to, outbound.message, termRevealedBy(outbound.message, mirror.term, this.asyncStorageWrites, this.messageView)));
    const step = nodeStep(this.nextMemoId(), node, output, change, messages, null);
    if (this.probes !== null && messages.length > 0) step.broken = this.probe(id, node, output);
    return step;
  }

  /** Probes the promises of node `id`'s output, which left it in state `node` (its messages leave now). */
  private probe(id: NodeId, node: NodeState, output: Output): Violation | null {
    return this.probes!.check({
      id,
      incarnation: node.mirror.incarnation,
      output,
      durable: node.synced,
      unsynced: node.unsynced,
      // A crash here may keep any prefix of the unsynced records (torn or not): each is a variant.
      tornKeptMax: node.unsynced.length,
      start: (records) => this.startInput(id, records),
      mirror: node.mirror,
      // The world's event number, filled in where the step is folded into a path (foldStep).
      eventNumber: 0,
      timeMs: 0,
    });
  }

  /**
   * The shared copy of a node state equal to `node`: by its digest under the identity (which
   * names node `id`'s ids; `id` is mixed in for implementations whose digests name no ids) and its
   * mirror's incarnation (which no digest holds). A node stepped into a state some other world
   * holds already is let go for that one (not disposed: a timer firing may step the same instance
   * again, and discarded worlds never were).
   */
  private shared(id: NodeId, node: NodeState): NodeState {
    if (!this.interning) return node;
    const digests = this.nodeDigests(node, 0);
    return this.nodeStates.intern(digests[0] ^ Math.imul(id, 0x9e3779b1) ^ Math.imul(node.mirror.incarnation, 0x7feb352d), digests[1], node);
  }

  /**
   * The shared copy of a judgement equal to `judgement` by its digest. The digest leaves out
   * evidence (who committed an index, the event a leader was first seen), so a shared judgement
   * may name another path's there; a path's violation is reported by its replay, which runs on a
   * system of its own.
   */
  sharedJudgement(judgement: Judgement): Judgement {
    if (!this.interning) return judgement;
    const digests = this.judgementDigests(judgement, 0);
    return this.judgements.intern(digests[0], digests[1], judgement);
  }

  /** `judgement` with node `from`'s revealed term raised to `term` (above its own), shared, computed once. */
  revealedJudgement(judgement: Judgement, from: NodeId, term: number): Judgement {
    const key = term * this.inputStride + from;
    const known = this.revealedAfter.find(judgement.id, key);
    if (known !== undefined) return known;
    const revealed = judgement.revealed.slice();
    revealed[from] = term;
    return this.revealedAfter.intern(judgement.id, key, this.judgementOf(judgement.core, revealed));
  }

  /** A key for the memo tables: judgements, their cores and node steps each take one. */
  nextMemoId(): number {
    this.memoIds += 1;
    return this.memoIds;
  }

  /**
   * The judgement of `core` with `revealed`, shared (sharedJudgement). While steps are memoized,
   * equal revealed terms are one array and each pair is made once: Draft.judgeStep finds a step's
   * outcome by core, then the judgement of the revealed terms at hand here.
   */
  judgementOf(core: JudgementCore, revealed: readonly number[]): Judgement {
    if (!this.memoizing) return this.judgementAsItStands(core, revealed);
    let id = this.canonicalArrays.get(revealed);
    let canonical = revealed;
    if (id === undefined) {
      canonical = this.canonicalRevealed(revealed);
      id = this.canonicalArrays.get(canonical)!;
    }
    const known = core.joined ? this.joined.find(core.id, id) : undefined;
    if (known !== undefined) return known;
    const judgement = this.sharedJudgement(judgementOver(core, canonical, this.nextMemoId()));
    // A core met here first (a judging changed something) is kept only with a judgement new here.
    if (core.joined || judgement.core === core) {
      core.joined = true;
      this.joined.intern(core.id, id, judgement);
    }
    return judgement;
  }

  /** The judgement of `core` with `revealed`, shared, found in no memo and kept in none. */
  judgementAsItStands(core: JudgementCore, revealed: readonly number[]): Judgement {
    return this.sharedJudgement(judgementOver(core, revealed, this.nextMemoId()));
  }

  /** The one array of revealed terms equal to `revealed` (it, the first time). */
  private canonicalRevealed(revealed: readonly number[]): readonly number[] {
    const text = revealed.join(',');
    const known = this.revealedArrays.get(text);
    if (known !== undefined) return known;
    this.revealedArrays.set(text, revealed);
    this.canonicalArrays.set(revealed, this.canonicalArrays.size + 1);
    return revealed;
  }

  /** A judge over a world as it stands (to read: a history check, the audit); it must not judge a step. */
  judgeOf(world: World): ClusterJudge {
    const observation = new ClusterObservation(this.members, { mirrors: world.nodes.map((node) => node.mirror), shared: world.judgement.shared, revealed: world.judgement.revealed });
    return new ClusterJudge(observation, world.judgement.checkers, this.messageView);
  }

  // ---- worlds as integers (src/explore/frontier.ts) -----------------------------------------

  encodedSize(world: World): number {
    return 7 + world.nodes.length + 1 + world.messages.length;
  }

  /** Writes the world at data[offset...]: judgement, counters, nodes, messages, by index. */
  encode(world: World, data: Int32Array, offset: number): void {
    let at = offset;
    const judgement = world.judgement;
    if (judgement.index === undefined) {
      judgement.index = this.encodedJudgements.length;
      this.encodedJudgements.push(judgement);
    }
    data[at++] = judgement.index;
    data[at++] = world.crashes;
    data[at++] = world.requests;
    data[at++] = world.drops;
    data[at++] = world.reorders;
    data[at++] = world.membershipChanges;
    data[at++] = world.transfers;
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
    const judgement = this.encodedJudgements[data[at++]];
    const crashes = data[at++];
    const requests = data[at++];
    const drops = data[at++];
    const reorders = data[at++];
    const membershipChanges = data[at++];
    const transfers = data[at++];
    const nodes: NodeState[] = new Array<NodeState>(this.members.length);
    for (let index = 0; index < nodes.length; index += 1) nodes[index] = this.encodedNodes[data[at++]];
    const messages: InFlight[] = new Array<InFlight>(data[at++]);
    for (let index = 0; index < messages.length; index += 1) messages[index] = this.encodedMessages[data[at++]];
    return { nodes, messages, crashes, requests, drops, reorders, membershipChanges, transfers, judgement };
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
    // Up, down, wiped for good, or a spare that never ran.
    lanes.number(node.instance !== null ? 1 : node.retired === true ? 2 : started(node) ? 0 : 3);
    if (node.instance !== null) knowledge.digestNode(this.digested(node.instance), node.inputDigest, lanes);
    else digestDownMirror(node.mirror, lanes);
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

  /** The judgement's digests, with the lanes of permutation p computed. */
  private judgementDigests(judgement: Judgement, p: number): number[] {
    const digests = (judgement.digests ??= new Array<number>(2 * this.renames.length).fill(Number.NaN));
    if (Number.isNaN(digests[2 * p])) {
      const lanes = this.judgementLanes.reset();
      digestJudgement(judgement, lanes, this.renames[p], this.positions[p]);
      lanes.digestInto(digests, 2 * p);
    }
    return digests;
  }
}

/**
 * A new judgement of `core` with `revealed`, every field set from the start: judgements are read
 * on every step, and fields added later would give them several shapes.
 */
function judgementOver(core: JudgementCore, revealed: readonly number[], id: number): Judgement {
  return { shared: core.shared, revealed, checkers: core.checkers, core, digests: undefined, index: undefined, id };
}

/** What one input did to one node: its next state, what the checks read, the messages it sent. */
interface NodeStep {
  readonly node: NodeState;
  readonly output: Output | null;
  /** What the step changed in the node's mirror (committedLengthBefore and the event number are the world's). */
  readonly change: StepChange | null;
  readonly messages: readonly InFlight[];
  /** Set when the node failed the contract on this input (the rest is then the state before). */
  readonly error: ExploreImplementationError | null;
  /** A promise of its messages that a crash as they leave would break (durability probes; null: none, or probes off). */
  broken: Violation | null;
  /** Its key in the system's memo tables (TransitionSystem.stepOutcomes, committingOutcomes); 0 for a failed step. */
  readonly id: number;
  /**
   * Where the outcomes of judging it are kept (TransitionSystem.stepOutcomes), as bits: by a
   * judgement's core (judgedByCore), by a judgement where the judging read a revealed term
   * (judgedExactly: rare, a restart's floor), by node states (judgedCommitting). A step kept
   * nowhere is looked up nowhere.
   */
  kept: number;
  /**
   * The judgement it was last judged from, and the judgement that judging led to there: worlds
   * met one after another often share it, and then neither map is read nor a judgement joined.
   */
  lastJudgedFrom: Judgement | null;
  lastOutcome: Judgement | null;
  lastChangedShared: boolean;
}

const judgedByCore = 1;
const judgedExactly = 2;
const judgedCommitting = 4;

/**
 * The most outcomes of a committing step kept per judgement (Draft.keepCommitting): a search
 * meets about 1.6 node tuples per step and judgement (depth 12 of bench:explore); past the
 * bound the step is judged afresh.
 */
const committingOutcomesMax = 16;

/** What judging a node step from a judgement left: the next judgement, and whether it changed what other steps read. */
interface Judged {
  /** Null where unchanged. */
  readonly judgement: Judgement | null;
  readonly changedShared: boolean;
  /**
   * The judging changed nothing (no checker's state, no shared part): from any judgement with the
   * same core the outcome is that judgement itself, with no other to look up. Such outcomes are
   * the two objects below, so that a memo look-up that finds one (most do) reads nothing more.
   */
  readonly unchanged: boolean;
}

const judgedUnchanged: Judged = { judgement: null, changedShared: false, unchanged: true };
const judgedUnchangedShared: Judged = { judgement: null, changedShared: true, unchanged: true };

/** Whether a tick showed something: a message, or a role or term other than `before`'s. */
function shows(step: NodeStep, before: NodeState): boolean {
  return step.messages.length > 0 || step.node.mirror.role !== before.mirror.role || step.node.mirror.term !== before.mirror.term;
}

function nodeStep(id: number, node: NodeState, output: Output | null, change: StepChange | null, messages: readonly InFlight[], error: ExploreImplementationError | null): NodeStep {
  return { node, output, change, messages, error, broken: null, id, kept: 0, lastJudgedFrom: null, lastOutcome: null, lastChangedShared: false };
}

function failedStep(before: NodeState, id: NodeId, input: Input, message: string): NodeStep {
  return nodeStep(0, before, null, null, emptyList, { node: id, input: input.kind, message });
}

/**
 * What judging `step` from `before` left, if it was kept in `outcomes` (Draft.judgeStep): kept
 * for `before`, or for its core (then its outcome's core goes with `before`'s revealed terms).
 */
function judgedFrom(outcomes: InternTable<Judged>, step: NodeStep, before: Judgement): Judged | undefined {
  const exactly = (step.kept & judgedExactly) === 0 ? undefined : outcomes.find(step.id, before.id);
  if (exactly !== undefined) return exactly;
  return (step.kept & judgedByCore) === 0 ? undefined : outcomes.find(step.id, before.core.id);
}

/** Notes on `step` that judging it from `before` led to `outcome` (Draft.judgeStep's first look). */
function noteOutcome(step: NodeStep, before: Judgement, outcome: Judgement, changedShared: boolean): void {
  step.lastJudgedFrom = before;
  step.lastOutcome = outcome;
  step.lastChangedShared = changedShared;
}

/**
 * The explorer's observation of a step being judged: it notes whether a checker read a revealed
 * term, and whether it read another node's mirror than the stepping one's (the node list, or
 * `mirror` of another id): the judging's outcome then depends on node states that the judgement
 * does not hold (configuration-safety reads the term of the node voted for, log-matching every log
 * when a node starts again).
 */
class JudgedObservation extends ClusterObservation {
  revealedRead = false;
  othersRead = false;
  private stepping: NodeId = 0;

  override termRevealed(id: NodeId): number {
    this.revealedRead = true;
    return super.termRevealed(id);
  }

  override get nodes(): NodeMirror[] {
    this.othersRead = true;
    return this.mirrors;
  }

  override mirror(id: NodeId): NodeMirror {
    if (id !== this.stepping) this.othersRead = true;
    return super.mirror(id);
  }

  override adopt(mirror: NodeMirror): void {
    this.stepping = mirror.id;
    super.adopt(mirror);
  }
}

/**
 * A world under construction: copies of the parent's arrays, changed in place, then frozen. Its
 * judge is made on the first step it judges: an observation over the nodes' mirrors and the
 * parent's shared part, and forks of the parent's checkers (both copy-on-write).
 */
class Draft {
  readonly nodes: NodeState[];
  readonly messages: InFlight[];
  crashes: number;
  requests: number;
  drops: number;
  reorders: number;
  membershipChanges: number;
  transfers: number;
  /** A membership step (Transition.changesMembership). */
  changesMembership = false;
  violation: Violation | null = null;
  implementationError: ExploreImplementationError | null = null;
  /** A delivery raised what its sender revealed (Transition.revealsSender). */
  revealsSender = false;
  /** The judgement as judged so far: the parent's, then each settled step's. */
  private current: Judgement;
  private changedShared = false;
  /** The judge of the steps not settled yet, forked from `current`. */
  private active: ClusterJudge | null = null;
  /** Whether it may reuse the system's memos: none is kept for an observer that reads more than the steps (StepObserver.stepsOnly). */
  readonly memoizes: boolean;

  constructor(
    private readonly system: TransitionSystem,
    world: World,
    readonly observer: StepObserver | undefined,
    private readonly eventNumber: number,
  ) {
    this.memoizes = system.memoizesSteps && (observer === undefined || observer.stepsOnly === true);
    this.nodes = world.nodes.slice();
    this.messages = world.messages.slice();
    this.crashes = world.crashes;
    this.requests = world.requests;
    this.drops = world.drops;
    this.reorders = world.reorders;
    this.membershipChanges = world.membershipChanges;
    this.transfers = world.transfers;
    this.current = world.judgement;
  }

  judge(): ClusterJudge {
    if (this.active === null) {
      const current = this.current;
      const observation = new JudgedObservation(this.system.members, { mirrors: this.nodes.map((node) => node.mirror), shared: current.shared, revealed: current.revealed });
      this.active = new ClusterJudge(observation, current.checkers.map((checker) => checker.fork()), this.system.messageView);
    }
    return this.active;
  }

  /**
   * A delivery of a message `from` sent in `senderTerm`: what it reveals of its sender. Before any
   * step is judged it moves to the judgement with that term revealed (kept with the parent's), so
   * that the step judged next is still found in its node step's memo.
   */
  reveal(from: NodeId, senderTerm: number): void {
    if (this.active === null && senderTerm <= this.current.revealed[from]) return;
    if (this.active === null && this.memoizes) {
      this.current = this.system.revealedJudgement(this.current, from, senderTerm);
      this.revealsSender = true;
    } else if (this.judge().revealed(from, senderTerm)) this.revealsSender = true;
  }

  /**
   * Judges a node step whose new state is in place: its mirror, then the committed history and
   * every checker. A step that leaves the committed history as it was, judged by checkers that
   * read no node's mirror but its own (JudgedObservation notes any other), depends on no state but
   * the judgement and its node state: its outcome from a given judgement is kept with the
   * (memoized) step, and found there the next time, in any world that holds that judgement.
   */
  judgeStep(step: NodeStep): void {
    const before = this.current;
    const mirror = step.node.mirror;
    const change = step.change!;
    this.observer?.stepped(mirror.id, step.output!, change, mirror);
    const memoizable = this.active === null && this.memoizes;
    if (memoizable && this.judgedBefore(step, before)) return;
    const judge = this.judge();
    judge.observation.adopt(mirror);
    // The memo's change, completed for this world in place: no checker keeps it past the call.
    change.eventNumber = this.eventNumber;
    change.timeMs = this.eventNumber;
    change.committedLengthBefore = judge.observation.committedLength;
    this.violation = judge.judgeChange(change);
    if (!memoizable || this.violation !== null) return;
    const observation = judge.observation as JudgedObservation;
    if (observation.shared === before.shared && !observation.othersRead) {
      const revealedRead = observation.revealedRead;
      const judged = this.settle(before);
      step.kept |= revealedRead ? judgedExactly : judgedByCore;
      this.system.stepOutcomes.intern(step.id, revealedRead ? before.id : before.core.id, judged);
      noteOutcome(step, before, this.current, judged.changedShared);
    } else this.keepCommitting(step, before);
  }

  /**
   * Keeps the outcome of a step judged from `before` whose judging read other nodes' mirrors: it
   * changed the shared part (it committed: a leader must hold what was just committed), or a
   * checker read another node (the term of the node voted for, every log at a restart). The
   * outcome is kept for exactly the node states at hand: per step and judgement one flat array of
   * tuples (TransitionSystem.committingOutcomes), each the world's node states then the outcome.
   */
  private keepCommitting(step: NodeStep, before: Judgement): void {
    const table = this.system.committingOutcomes;
    const outcomes = (step.kept & judgedCommitting) === 0 ? undefined : table.find(step.id, before.id);
    const stride = this.nodes.length + 1;
    if (outcomes !== undefined && outcomes.length >= committingOutcomesMax * stride) return;
    const judged = this.settle(before);
    const kept = outcomes ?? table.intern(step.id, before.id, []);
    step.kept |= judgedCommitting;
    for (let at = 0; at < this.nodes.length; at += 1) kept.push(this.nodes[at]);
    kept.push(judged);
  }

  /** Moves to the outcome of a step kept by node states for `before` and the node states at hand (keepCommitting): true then. */
  private committedBefore(step: NodeStep, before: Judgement): boolean {
    const outcomes = (step.kept & judgedCommitting) === 0 ? undefined : this.system.committingOutcomes.find(step.id, before.id);
    if (outcomes === undefined) return false;
    const nodes = this.nodes;
    const count = nodes.length;
    // One flat array (node states, then the outcome, per tuple): the scan reads no object per tuple.
    for (let start = 0; start < outcomes.length; start += count + 1) {
      let same = true;
      for (let at = 0; at < count && same; at += 1) same = outcomes[start + at] === nodes[at];
      if (!same) continue;
      const judged = outcomes[start + count] as Judged;
      if (!judged.unchanged) this.current = judged.judgement!;
      this.changedShared ||= judged.changedShared;
      return true;
    }
    return false;
  }

  /**
   * Moves to the outcome of judging `step` from `before` where it is known (Draft.judgeStep):
   * true then. Judging reads no revealed term where it was kept by core, nor changes one: the
   * outcome's core goes with the revealed terms at hand.
   */
  private judgedBefore(step: NodeStep, before: Judgement): boolean {
    if (step.lastJudgedFrom === before) {
      this.current = step.lastOutcome!;
      this.changedShared ||= step.lastChangedShared;
      return true;
    }
    const known = judgedFrom(this.system.stepOutcomes, step, before);
    if (known === undefined) return this.committedBefore(step, before);
    // An unchanged outcome is one shared object (Draft.settle): found without reading another.
    let next = before;
    if (!known.unchanged) {
      const outcome = known.judgement!;
      next = outcome.revealed === before.revealed ? outcome : this.system.judgementOf(outcome.core, before.revealed);
    }
    noteOutcome(step, before, next, known.changedShared);
    this.current = next;
    this.changedShared ||= known.changedShared;
    return true;
  }

  /**
   * Ends the active judge: the judgement it leaves (the current one when nothing in it changed,
   * else a shared copy); unchanged when that is `from` (the judgement the active judge began at).
   */
  private settle(from: Judgement | null = null): Judged {
    const judge = this.active!;
    const current = this.current;
    const { observation, checkers } = judge;
    const settled = settleCheckers(current.checkers, current.core.versions, checkers);
    const changes = settled.changes;
    const changedShared = observation.committedVersion !== current.shared.committedVersion || (changes & checkerSharedChanged) !== 0;
    if (observation.shared !== current.shared || (changes & checkerStateChanged) !== 0) {
      this.current = this.judgementOf({ shared: observation.shared, checkers: settled.checkers, versions: settled.versions, id: this.system.nextMemoId(), joined: false }, observation.revealedTerms);
    } else if (observation.revealedTerms !== current.revealed) {
      this.current = this.judgementOf(current.core, observation.revealedTerms);
    }
    this.active = null;
    this.changedShared ||= changedShared;
    if (this.current === from) return changedShared ? judgedUnchangedShared : judgedUnchanged;
    return { judgement: this.current, changedShared, unchanged: false };
  }

  /** A replay whose observer reads more than the steps (StepObserver.stepsOnly) finds nothing in the memos: its judgements are made as they stand. */
  private judgementOf(core: JudgementCore, revealed: readonly number[]): Judgement {
    return this.memoizes ? this.system.judgementOf(core, revealed) : this.system.judgementAsItStands(core, revealed);
  }

  /**
   * A promise the step just judged broke (durability probes): it is the step's violation, before
   * any the invariants found, as the simulator reports it.
   */
  promiseBroken(violation: Violation): void {
    this.violation = { ...violation, eventNumber: this.eventNumber, timeMs: this.eventNumber };
  }

  /** Judges a crash whose down state (with its mirror) is in place. */
  judgeCrash(id: NodeId, mirror: NodeMirror): void {
    const judge = this.judge();
    judge.observation.adopt(mirror);
    if (this.violation === null) this.violation = judge.judgeCrash(id, this.eventNumber, this.eventNumber);
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
    this.observer?.sent?.(message);
  }

  finish(): Transition {
    if (this.active !== null) this.settle();
    const judgement = this.current;
    const changedShared = this.changedShared;
    const world: World = {
      nodes: this.nodes,
      messages: this.messages,
      crashes: this.crashes,
      requests: this.requests,
      drops: this.drops,
      reorders: this.reorders,
      membershipChanges: this.membershipChanges,
      transfers: this.transfers,
      judgement,
    };
    return {
      world,
      violation: this.violation,
      implementationError: this.implementationError,
      pruned: null,
      changedShared,
      revealsSender: this.revealsSender,
      changesMembership: this.changesMembership,
    };
  }
}

/** Folds one node step into the draft: its state, its messages, its judging. False: the transition ends here. */
function foldStep(draft: Draft, id: NodeId, step: NodeStep): boolean {
  if (step.error !== null) {
    draft.implementationError = step.error;
    return false;
  }
  draft.nodes[id - 1] = step.node;
  const messages = step.messages;
  for (let index = 0; index < messages.length; index += 1) draft.addMessage(messages[index]);
  if (draft.violation === null) draft.judgeStep(step);
  if (step.broken !== null) draft.promiseBroken(step.broken);
  return draft.violation === null;
}

/** The explorer's own command for its n-th proposal (it has no clients). */
function explorerCommand(n: number): Command {
  return { id: n, op: 'set', key: 'k', value: `v${n}` };
}

/** The id of the explorer's n-th membership change: past its commands' ids, which count the requests. */
function explorerChangeId(n: number): number {
  return explorerChangeIdBase + n;
}

const explorerChangeIdBase = 1_000_000;

/** The id of the explorer's n-th leadership transfer: past its membership changes' ids. */
function explorerTransferId(n: number): number {
  return 2 * explorerChangeIdBase + n;
}

/** A node's state before the initial world starts it: down, over the records given (none by default). */
function initialNodeState(id: NodeId, given: InitialNode): NodeState {
  const synced = given !== null && 'records' in given ? given.records : emptyList;
  const retired = given !== null && 'retired' in given ? { retired: true } : {};
  return { instance: null, inputDigest: [0, 0], mirror: new NodeMirror(id), synced, unsynced: emptyList, digests: null, memo: undefined, index: undefined, ...retired };
}

/** The nodes of a world as a later path may begin from them: its durable state, each node restarted (SystemOptions.initialNodes). */
export function initialNodesOf(world: World): InitialNode[] {
  return world.nodes.map((node) => (node.retired === true ? { retired: true } : started(node) ? { records: node.synced } : null));
}

/** Whether a node ever ran (a spare runs once a change or a join starts it). */
export function started(node: NodeState): boolean {
  return node.instance !== null || node.mirror.incarnation > 0;
}

/** A node that is down and may restart: it ran, and was not wiped. */
function restartable(node: NodeState): boolean {
  return node.instance === null && node.retired !== true && node.mirror.incarnation > 0;
}

/** Whether a message before `index` is on its link (local work: on its node's local thread). */
function hasEarlierOnLink(messages: readonly InFlight[], index: number): boolean {
  const { from, to } = messages[index];
  const local = messages[index].message.local;
  for (let other = 0; other < index; other += 1) if (messages[other].from === from && messages[other].to === to && messages[other].message.local === local) return true;
  return false;
}

function digestInput(previous: readonly [number, number], input: Input): readonly [number, number] {
  const digest: number[] = [];
  new Lanes().reset().number(previous[0]).number(previous[1]).string(JSON.stringify(input)).digestInto(digest, 0);
  return [digest[0], digest[1]];
}

/**
 * The permutations of the members among themselves and of the spares among themselves (a spare
 * starts knowing no configuration, a member with the bootstrap one: they are not interchangeable),
 * as rename arrays, the identity first; without spares, every permutation of 1..members.
 */
function groupPermutations(members: number, spares: number): NodeId[][] {
  const result: NodeId[][] = [];
  for (const ofMembers of permutations(members)) {
    for (const ofSpares of permutations(spares)) result.push([...ofMembers, ...ofSpares.slice(1).map((id) => id + members)]);
  }
  return result;
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

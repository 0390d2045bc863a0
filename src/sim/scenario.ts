// A scenario: everything about a run except the implementation and the seed. Plain data, loaded
// from scenarios/*.json and validated by src/sim/scenarioSchema.ts; this module holds the
// resolved shape and the defaults that every missing field falls back to.
//
// Faults come from two sources: random fault processes with rates (faults, network, storage,
// clocks), drawn from the seed, and a schedule of actions at fixed virtual times. A swarm
// scenario lets the seed itself choose which processes are on and how hard they push.

import type { Feature, ImplementationOptions } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';

export interface MillisecondRange {
  minMs: number;
  maxMs: number;
}

export interface DelayDistribution {
  distribution: 'constant' | 'uniform' | 'exponential';
  /** constant: the delay; uniform: the lower bound; exponential: the minimum added to the draw. */
  minMs: number;
  /** uniform: the upper bound; exponential: the cap. */
  maxMs: number;
  /** exponential only: the mean of the exponential part. */
  meanMs?: number;
}

/** Overrides for one directed link. */
export interface LinkOptions {
  from: NodeId;
  to: NodeId;
  dropProbability?: number;
  delay?: DelayDistribution;
}

export interface NetworkOptions {
  delay: DelayDistribution;
  dropProbability: number;
  /** A delivered message is delivered once more, later, with this probability. */
  duplicateProbability: number;
  /** Rare long delays (as the MIT 6.824 labrpc network does), on top of the usual delay. */
  longDelayProbability: number;
  longDelayMs: MillisecondRange;
  links: LinkOptions[];
  /** Priority scheduling of message timing (PCT); absent means 'random'. */
  priority?: PriorityOptions;
}

export type SchedulingStrategy = 'random' | 'pct' | 'portfolio';
export const schedulingStrategies: readonly SchedulingStrategy[] = ['random', 'pct', 'portfolio'];

/**
 * PCT (Burckhardt et al., ASPLOS'10), carried over to a timed message-passing world the way
 * PCTCP (Ozkan et al., OOPSLA'18) carries it to messages: each node gets a distinct priority,
 * and a message waits one tier per rank its sender sits below the top, so the top node's
 * messages win every race. At `changePoints` random moments the top node drops to the bottom.
 * A bug of depth d needs d - 1 such changes; random delays reach those orderings rarely.
 */
export interface PriorityOptions {
  /** random: delays as drawn; pct: priorities on; portfolio: each seed picks (a 0 choice: random). */
  strategy: SchedulingStrategy;
  /** Default 2 (bugs of depth 3). */
  changePoints?: number;
  /** Extra delay per rank below the top priority. Default: the network's maximum delay. */
  tierMs?: number;
}

export type PartitionShape = 'isolate' | 'majority-minority' | 'bridge' | 'one-way' | 'single-link' | 'flapping';
export const partitionShapes: readonly PartitionShape[] = ['isolate', 'majority-minority', 'bridge', 'one-way', 'single-link', 'flapping'];

/** Which node a fault hits: a fixed id, or whoever is leader (or a follower) when it strikes. */
export type NodeTarget = NodeId | 'leader' | 'follower' | 'any';

export interface CrashProcess {
  /** Expected crashes per second of virtual time, across the cluster. */
  perSecond: number;
  restartDelayMs: MillisecondRange;
  /** At most this many nodes are down at once (default: a minority). */
  downMax: number;
  target: 'any' | 'leader' | 'follower';
  /**
   * A leader crashes right after a step in which its commit index advanced, with this
   * probability: the moment Raft is most sensitive to (the leader has committed, the followers do
   * not know yet), which crashes at random times rarely hit. Needs the white-box view.
   */
  afterLeaderCommitProbability: number;
  /**
   * Feature 'snapshots': a node crashes right after a step in which it took or installed a
   * snapshot, with this probability, while the snapshot record may be unsynced (absent: 0).
   */
  afterSnapshotProbability?: number;
}

export interface PartitionProcess {
  perSecond: number;
  durationMs: MillisecondRange;
  shapes: PartitionShape[];
  /**
   * Whom the isolate shape cuts off: a node drawn at random ('any'), or whoever leads (or a
   * follower) when it strikes. Jepsen's "isolate the primary": a deposed leader that does not
   * know it yet is where stale reads and lost writes live, and a random pick hits it 1 time in n.
   */
  target: 'any' | 'leader' | 'follower';
  /** Flapping only: how long each partition and each heal lasts. */
  flapPeriodMs: MillisecondRange;
  /**
   * A leader is cut off on a minority right after a step in which its commit index advanced, with
   * this probability, for a time drawn from durationMs, unless a link is cut already (absent: 0).
   * The crash after a commit (crash.afterLeaderCommitProbability) loses the leader; this keeps it
   * running, deposed without knowing it: it still answers reads and holds entries of its term
   * that a later leader of its own may count (Figure 8). Needs the white-box view. In a swarm
   * scenario a positive value has each seed draw its own (src/sim/swarm.ts).
   */
  afterLeaderCommitProbability?: number;
}

export interface PauseProcess {
  perSecond: number;
  durationMs: MillisecondRange;
}

export interface SlowProcess {
  perSecond: number;
  durationMs: MillisecondRange;
  /** Extra delay of every message delivered to a slow node. */
  extraDelayMs: MillisecondRange;
  /** A slow node's ticks come this many times further apart. */
  tickFactor: number;
}

export interface FaultOptions {
  crash: CrashProcess;
  partition: PartitionProcess;
  pause: PauseProcess;
  slow: SlowProcess;
  /** How often the fault processes draw, in virtual milliseconds. */
  decisionIntervalMs: number;
}

export interface StorageOptions {
  /** Time for a sync to complete; messages that depend on it wait. 0-0: syncs are instant. */
  syncLatencyMs: MillisecondRange;
  /** A crash keeps a torn part of the unsynced writes (instead of losing them all) with this probability. */
  tornWriteProbability: number;
  /** Corruptions of synced data per second. Breaks Raft's own assumptions: needs unsafeFaults. */
  corruptionsPerSecond: number;
}

export interface ClockOptions {
  /** Each node's clock runs at 1 + d times the true rate, d drawn from [-driftMax, driftMax]. */
  driftMax: number;
  /** Sudden steps of a node's clock, per second across the cluster. */
  jumpsPerSecond: number;
  /** Size of a step: forward (a burst of ticks) if positive, backward (ticks stall) if negative. */
  jumpMs: MillisecondRange;
}

export interface WorkloadOptions {
  /** Expected client proposals per second of virtual time. */
  proposalsPerSecond: number;
  /** Size of the key space. */
  keys: number;
  /** Times a proposal is redirected to the leader hint before it is given up. */
  redirectsMax: number;
}

/** Weights of the operations a client draws (need not sum to anything). */
export interface OperationMix {
  get: number;
  put: number;
  append: number;
}

/**
 * Simulated clients of the key-value service (src/sim/clients.ts), whose history is checked for
 * linearizability. Each has one operation in flight at a time.
 */
export interface ClientOptions {
  count: number;
  /** Think time between one operation's end and the client's next invocation. */
  requestIntervalMs: MillisecondRange;
  /** Size of the key space (keys k0, k1, ...). */
  keys: number;
  operations: OperationMix;
  /** An attempt unanswered this long is retried (the same session sequence, a fresh command id). */
  timeoutMs: number;
  /** Retries of one operation after a timeout or a crashed node; past them it is indeterminate. */
  retriesMax: number;
  /**
   * Gets go through the log ('log'), or are read inputs served by ReadIndex ('readIndex') or from
   * the leader's lease ('lease': needs implementation.leaseReads, feature 'leaseReads').
   */
  reads: 'log' | 'readIndex' | 'lease';
  /**
   * Where an operation's first attempt goes: to the node the client believes leads ('leader', as
   * a leader-following client library does), or to a node drawn anew for every operation ('any',
   * as Jepsen binds its clients to all nodes). Only 'any' regularly asks a deposed leader that
   * has not heard of its successor, which is where stale reads live. Redirects and retries
   * follow notLeader hints and beliefs either way.
   */
  routing: 'leader' | 'any';
  /** Also check the history every this many completed operations (0: at the end of the run only). */
  checkEveryOperations: number;
  /** Search steps one check may take; past them the verdict is unknown (deterministic). */
  checkStepsMax: number;
}

export function defaultClientOptions(): ClientOptions {
  return {
    count: 3,
    requestIntervalMs: { minMs: 5, maxMs: 60 },
    keys: 3,
    operations: { get: 2, put: 1, append: 1 },
    timeoutMs: 300,
    retriesMax: 3,
    reads: 'log',
    routing: 'leader',
    checkEveryOperations: 0,
    checkStepsMax: 2_000_000,
  };
}

/**
 * Membership churn (src/sim/membership.ts), for implementations with the 'membership' feature:
 * spare nodes that may join, and an administrator that changes the membership at random.
 */
export interface MembershipOptions {
  /** Brand-new nodes that may join the cluster, ids nodes + 1 .. nodes + spares. */
  spares: number;
  /** Expected membership changes per second of virtual time. */
  changesPerSecond: number;
  /** A change is a replacement through a joint configuration (two steps) with this probability. */
  jointProbability: number;
  /** Once its removal is committed, a node is stopped and its storage wiped, or keeps running (a fault). */
  removed: 'wipe' | 'keep';
  /**
   * With this probability, whenever a node becomes leader the administrator also makes a change
   * at once (tooling that retries against the new leader): a change right after an election,
   * before the leader has committed anything of its term. Absent: 0, nothing drawn.
   */
  afterElectionProbability?: number;
  /**
   * With this probability, right after a leader accepts a change, a partition cuts it off with
   * fewer than half of the other nodes (none, at a 0 choice), for a duration drawn as the
   * partition process draws its own (faults.partition.durationMs), before the change's entry
   * reaches the rest: a change left on a minority while the majority elects another leader, the
   * ground of the 2015 single-server change bug. Absent: 0, nothing drawn.
   */
  partitionAfterChangeProbability?: number;
}

export function defaultMembershipOptions(): MembershipOptions {
  return { spares: 2, changesPerSecond: 2, jointProbability: 0.25, removed: 'wipe' };
}

/**
 * Leadership transfers (src/sim/transfers.ts), for implementations with the 'leadershipTransfer'
 * feature: an administrator that asks the node it believes leads to hand leadership to a voter.
 */
export interface TransferOptions {
  /** Expected transfers asked per second of virtual time (a storm: several per election timeout). */
  perSecond: number;
  /** The target: a voter drawn at random ('any'), or the one whose log is furthest behind ('lagging'). */
  target: 'any' | 'lagging';
}

export function defaultTransferOptions(): TransferOptions {
  return { perSecond: 1, target: 'any' };
}

export interface LivenessOptions {
  enabled: boolean;
  /**
   * After the fault phase every fault stops and the cluster heals; within this many maximum
   * election timeouts it must have one stable leader and a fresh command applied on every node.
   */
  electionTimeouts: number;
}

export type ScheduledAction =
  | { action: 'crash'; node: NodeTarget; restartAfterMs?: number }
  | { action: 'restart'; node: NodeTarget }
  | { action: 'isolate'; node: NodeTarget }
  | { action: 'partition'; groups: NodeId[][] }
  | { action: 'bridge'; groups: NodeId[][]; bridge: NodeId }
  | { action: 'cut'; from: NodeId; to: NodeId; bothWays?: boolean }
  | { action: 'flap'; groups: NodeId[][]; cycles: number; partitionMs: number; healMs: number }
  | { action: 'heal' }
  | { action: 'pause'; node: NodeTarget; durationMs?: number }
  | { action: 'resume'; node: NodeTarget }
  | { action: 'slow'; node: NodeTarget; durationMs: number; extraDelayMs: number; tickFactor?: number }
  | { action: 'clock-jump'; node: NodeTarget; ms: number }
  | { action: 'corrupt'; node: NodeTarget; records?: number };

export type ScheduledFault = ScheduledAction & { atMs: number };

export interface Scenario {
  name: string;
  description: string;
  nodes: number;
  /** Length of the fault phase in virtual milliseconds (the liveness phase follows it). */
  durationMs: number;
  /** Virtual milliseconds between two ticks of a node's clock. */
  tickMs: number;
  implementation: ImplementationOptions;
  network: NetworkOptions;
  faults: FaultOptions;
  storage: StorageOptions;
  clocks: ClockOptions;
  workload: WorkloadOptions;
  /** Clients with a checked history; absent: only the workload's fire-and-forget proposals. */
  clients?: ClientOptions;
  /** Membership churn; absent: the membership never changes. */
  membership?: MembershipOptions;
  /** Leadership transfers; absent: leadership moves only by elections. */
  transfers?: TransferOptions;
  liveness: LivenessOptions;
  schedule: ScheduledFault[];
  /** Let the seed draw which fault processes are on and at what rates (src/sim/swarm.ts). */
  swarm: boolean;
  /**
   * In a scenario a swarm seed drew: the cluster size it drew from (the base scenario's). A
   * trace records the drawn scenario and replay draws from it again; with this the second draw
   * takes the same choices as the first even when the drawn cluster is smaller.
   */
  swarmNodesMax?: number;
  /**
   * The optional features (protocol v2) whose pressure a swarm seed may draw, for an
   * implementation that lists them (snapshots: src/sim/snapshots.ts). Absent: none, so that the
   * seeds of an existing swarm scenario draw and run what they always did.
   */
  swarmFeatures?: Feature[];
  /**
   * Allow faults that break Raft's own assumptions (corrupting synced data) or the implementation's
   * declared ones (clock faults past the drift its lease reads assume).
   */
  unsafeFaults: boolean;
  /**
   * Durability probes (src/world/probes.ts): check each promise a node makes in a message against a
   * shadow restarted from its durable records. Absent: on for implementations that decode their
   * messages in-process (Implementation.messageView), off otherwise (a shadow of a program or a
   * wasm guest is a process or module instance per probe).
   */
  durabilityProbes?: boolean;
  /** A hard bound on events per run; reaching it ends the run and is reported. */
  eventsMax: number;
}

export function defaultScenario(): Scenario {
  return {
    name: 'default',
    description: 'Mixed faults: crashes and restarts, message loss and delay, isolated nodes, steady client load.',
    nodes: 5,
    durationMs: 6_000,
    tickMs: 10,
    implementation: { electionTicksMin: 15, electionTicksMax: 30, heartbeatTicks: 3, entriesPerMessageMax: 64 },
    network: {
      delay: { distribution: 'uniform', minMs: 1, maxMs: 12 },
      dropProbability: 0.02,
      duplicateProbability: 0,
      longDelayProbability: 0,
      longDelayMs: { minMs: 200, maxMs: 2_000 },
      links: [],
    },
    faults: {
      crash: { perSecond: 0.6, restartDelayMs: { minMs: 50, maxMs: 1_500 }, downMax: 2, target: 'any', afterLeaderCommitProbability: 0 },
      partition: { perSecond: 0.4, durationMs: { minMs: 100, maxMs: 1_500 }, shapes: ['isolate'], target: 'any', flapPeriodMs: { minMs: 50, maxMs: 300 } },
      pause: { perSecond: 0, durationMs: { minMs: 50, maxMs: 1_000 } },
      slow: { perSecond: 0, durationMs: { minMs: 200, maxMs: 2_000 }, extraDelayMs: { minMs: 20, maxMs: 200 }, tickFactor: 3 },
      decisionIntervalMs: 50,
    },
    storage: { syncLatencyMs: { minMs: 0, maxMs: 0 }, tornWriteProbability: 0, corruptionsPerSecond: 0 },
    clocks: { driftMax: 0, jumpsPerSecond: 0, jumpMs: { minMs: -200, maxMs: 200 } },
    workload: { proposalsPerSecond: 40, keys: 5, redirectsMax: 3 },
    liveness: { enabled: true, electionTimeouts: 10 },
    schedule: [],
    swarm: false,
    unsafeFaults: false,
    eventsMax: 2_000_000,
  };
}

/** The default bound on nodes down at once for a cluster size: a minority, so progress is possible. */
export function minorityOf(nodes: number): number {
  return Math.floor((nodes - 1) / 2);
}

/** How soon after the faults stop the cluster must have a stable leader, in virtual milliseconds. */
export function livenessLeaderBoundMs(scenario: Scenario): number {
  return scenario.liveness.electionTimeouts * scenario.implementation.electionTicksMax * scenario.tickMs;
}

/**
 * The longest the liveness phase may take, in virtual milliseconds: the leader bound, plus the
 * time a lagging node needs to catch up on the fault phase's backlog when the leader streams it
 * one batch per round trip on the slowest link. Without the second part a correct cluster with
 * one-entry batches fails the check only for being slow to stream hundreds of entries (seen in
 * swarm runs), which is not a liveness bug. The allowance is for catching up only: a cluster
 * without a stable leader by the leader bound fails then (src/sim/liveness.ts).
 *
 * The backlog is the larger of the workload's proposals over the fault phase and `backlogSeen`,
 * the entries the most lagging node may still need when the faults stop
 * (ClusterObservation.catchUpEntries): clients' operations are not in the workload's rate, and
 * a run with busy clients left a follower over a thousand entries behind (swarm seed 4465).
 */
export function livenessBoundMs(scenario: Scenario, backlogSeen = 0): number {
  const workloadEntries = Math.ceil((scenario.workload.proposalsPerSecond * scenario.durationMs) / 1000);
  const backlogEntries = Math.max(workloadEntries, backlogSeen);
  const batches = Math.ceil(backlogEntries / Math.max(1, scenario.implementation.entriesPerMessageMax));
  const linkDelayMsMax = Math.max(scenario.network.delay.maxMs, ...scenario.network.links.map((link) => link.delay?.maxMs ?? 0));
  // Priority tiers end with the fault phase (the network calms down), so they add nothing here.
  const roundTripMs = 2 * linkDelayMsMax + scenario.implementation.heartbeatTicks * scenario.tickMs;
  return livenessLeaderBoundMs(scenario) + batches * roundTripMs;
}

/** The scenario resized to `nodes`: faults on nodes that no longer exist are dropped. */
export function resizeScenario(scenario: Scenario, nodes: number): Scenario {
  if (nodes === scenario.nodes) return scenario;
  const exists = (node: unknown) => typeof node !== 'number' || node <= nodes;
  const schedule = scenario.schedule.filter((fault) => {
    const record = fault as unknown as Record<string, unknown>;
    const groups = (record.groups as number[][] | undefined) ?? [];
    return exists(record.node) && exists(record.from) && exists(record.to) && exists(record.bridge) && groups.every((group) => group.every(exists));
  });
  return {
    ...scenario,
    nodes,
    schedule,
    network: { ...scenario.network, links: scenario.network.links.filter((link) => link.from <= nodes && link.to <= nodes) },
    faults: { ...scenario.faults, crash: { ...scenario.faults.crash, downMax: Math.min(scenario.faults.crash.downMax, minorityOf(nodes)) } },
    ...(scenario.swarmNodesMax !== undefined ? { swarmNodesMax: Math.min(scenario.swarmNodesMax, nodes) } : {}),
  };
}

/** The scenario with a shorter fault phase: scheduled faults past its end are dropped. */
export function shortenScenario(scenario: Scenario, durationMs: number): Scenario {
  return { ...scenario, durationMs, schedule: scenario.schedule.filter((fault) => fault.atMs <= durationMs) };
}

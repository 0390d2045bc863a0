// The world: a discrete-event simulation of a cluster of nodes of one implementation, with its
// network, storage, clocks, fault processes, workload and liveness phase. A run is a pure
// function of (implementation, scenario, seed), or of (implementation, scenario, choice
// sequence) on replay.
//
// Events are taken from the queue in (virtual time, sequence) order. Each one is hashed into the
// trace hash; each node step is followed by every invariant. Everything has a bound: the run
// length in virtual time, the events per run, the queue's capacity, a paused node's inbox.

import type { Command, DurableRecord, Implementation, Input, LocalThread, MembershipStep, Message, MessageView, NodeInstance, Output, ProposalAnswer } from '../contract/contract.js';
import { Hasher } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import { nodeIds, nodeName } from '../core/ids.js';
import type { ChoiceMutation, ChoiceSource, Choices } from '../core/random.js';
import { MutatingChoiceSource, Random, RecordingChoiceSource, ReplayChoiceSource } from '../core/random.js';
import { EventQueue } from '../core/queue.js';
import { assert } from '../core/assert.js';
import type { ClientWorld } from './clients.js';
import { Clients } from './clients.js';
import type { EventBody, SimEvent, TraceEvent } from './events.js';
import { canonicalPendingEvent, describeEvent, eventKindCodes, faultTarget } from './events.js';
import type { FaultWorld } from './faults.js';
import { FaultProcesses, flapEvents } from './faults.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { becameLeader } from '../../invariants/support.js';
import { ClusterJudge } from '../world/judge.js';
import { createInstance, implementationOptionsFor, messageViewOf, runInput } from '../world/step.js';
import { asyncStorageWritesOn, termRevealedBy } from '../world/asyncStorage.js';
import type { LivenessWorld } from './liveness.js';
import { LivenessMonitor } from './liveness.js';
import { Network } from './network.js';
import type { ClusterObservation } from '../world/observation.js';
import { commandOf, ViewError } from '../world/observation.js';
import { bridgeCut, drawLeaderCutOff, isolateCut, oneWayCut, singleLinkCut, splitCut } from './partitions.js';
import type { NodeTarget, Scenario, ScheduledFault } from './scenario.js';
import { NodeStorage, ProbedStorageOutput } from './storage.js';
import { drawSwarmScenario } from './swarm.js';
import { crashAfterSnapshot } from './snapshots.js';
import type { ClientOperation, HarnessError, Inconclusive, StepChange, Violation } from '../contract/observation.js';
import { isHarnessError } from '../contract/observation.js';
import type { MarkCounts, StepFacts } from '../world/marks.js';
import { CoverageMarks } from '../world/marks.js';
import type { AbstractCoverage } from '../world/abstractState.js';
import { AbstractStates } from '../world/abstractState.js';
import { DurabilityProbes, probesByDefault } from '../world/probes.js';
import type { MembershipWorld } from './membership.js';
import { MembershipAdmin } from './membership.js';
import type { TransferWorld } from './transfers.js';
import type { AdminWorld } from './admin.js';
import { TransferAdmin } from './transfers.js';
import { startMembers } from '../world/membership.js';
import { NodeClock } from '../world/clock.js';

export type { EventBody, SimEvent, TraceEvent } from './events.js';

/** The bounds that can end a run before its scenario's duration (DESIGN.md: every bound is a reported result). */
export type BoundReached = 'events' | 'queue';

export type RunStatus = 'ok' | 'safety' | 'liveness' | 'implementationError' | 'harnessError';

export interface ImplementationError {
  node: NodeId;
  input: string;
  message: string;
  eventNumber: number;
  timeMs: number;
}

export interface RunStatistics {
  messagesSent: number;
  messagesDropped: number;
  messagesDuplicated: number;
  crashes: number;
  restarts: number;
  partitions: number;
  pauses: number;
  slowdowns: number;
  clockJumps: number;
  tornWrites: number;
  unsyncedRecordsLost: number;
  corruptions: number;
  proposals: number;
  entriesCommitted: number;
}

/** Statistics of a run in which nothing has happened yet. */
export function emptyStatistics(): RunStatistics {
  return {
    messagesSent: 0,
    messagesDropped: 0,
    messagesDuplicated: 0,
    crashes: 0,
    restarts: 0,
    partitions: 0,
    pauses: 0,
    slowdowns: 0,
    clockJumps: 0,
    tornWrites: 0,
    unsyncedRecordsLost: 0,
    corruptions: 0,
    proposals: 0,
    entriesCommitted: 0,
  };
}

export interface SimulationResult {
  status: RunStatus;
  violation: Violation | null;
  implementationError: ImplementationError | null;
  /** Set when the end-of-run audit found the harness's own incremental state wrong: a bug in raftcheck. */
  harnessError: HarnessError | null;
  /** Events processed. */
  events: number;
  /** Virtual time the run reached, in milliseconds. */
  simulatedMs: number;
  traceHash: string;
  choices: Choices;
  /** The scenario the run actually ran: for a swarm scenario, with the drawn fault options. */
  scenario: Scenario;
  /**
   * Set when a bound other than the run length ended the run: the scenario's eventsMax, or the
   * event queue's capacity (an event that would not fit ends the run after the event that made it).
   */
  boundReached: BoundReached | null;
  eventLog: readonly TraceEvent[] | null;
  /** Low 32 bits of the running trace hash after each event (with recordEventDigests). */
  eventDigests: readonly number[] | null;
  statistics: RunStatistics;
  /** The clients' history (scenarios with clients; null or absent without). */
  history?: readonly ClientOperation[] | null;
  /** Checks that could not decide (a history check out of budget): never a pass, never a violation. Absent: none. */
  inconclusive?: readonly Inconclusive[];
  /** Coverage marks the run hit, with how often (src/world/marks.ts). Absent: none recorded. */
  marks?: MarkCounts;
  /** Distinct abstract cluster states and transitions the run reached (src/world/abstractState.ts). */
  abstractCoverage?: AbstractCoverage;
}

export interface SimulationOptions {
  implementation: Implementation;
  scenario: Scenario;
  seed: number;
  invariants: readonly InvariantDefinition[];
  /** Replay these choice sequences instead of drawing from the seed's streams. */
  choices?: Readonly<Record<string, readonly number[]>>;
  /** A mutated run (coverage-guided search): a kept run's choices with some drawn afresh; instead of choices. */
  mutation?: ChoiceMutation;
  /** Keep a readable log of every event (for trace files and determinism reports). */
  recordEvents?: boolean;
  /** Keep the running hash after every event (to find the first difference between two runs). */
  recordEventDigests?: boolean;
  /** Stop after this many events (to re-create the world at an event). */
  stopAfterEvent?: number;
  /** Events the queue may hold at once (default eventQueueCapacityDefault); a run that needs more ends with boundReached 'queue'. */
  eventQueueCapacity?: number;
  /**
   * The implementation durability probes start their shadows from and decode messages with
   * (default: `implementation`): a run whose nodes are wrapped to be watched (src/shrink/lift.ts)
   * probes the bare implementation, so that no shadow is seen as a node of the run.
   */
  shadowImplementation?: Implementation;
}

/** Messages and requests a paused node holds before it drops the rest. */
const pausedInboxMax = 10_000;
/** Ticks one forward clock jump may deliver at once. */
const clockJumpTicksMax = 1_000;

class NodeSlot {
  instance: NodeInstance | null = null;
  incarnation = 0;
  readonly storage = new NodeStorage();
  /** Records that were durable when each past incarnation crashed (index = incarnation). */
  readonly durableAtCrash: number[] = [];
  /** Pending ticks of older generations are stale (restart, pause, clock jump). */
  tickGeneration = 0;
  /** Virtual ms between ticks of this node's clock (drift included); exact, ticks are rounded. */
  tickIntervalMs = 0;
  nextTickExactMs = 0;
  paused = false;
  readonly inbox: EventBody[] = [];
  slowUntilMs = -1;
  slowExtraDelayMs = 0;
  slowTickFactor = 1;
  /** Completion time of the last requested sync; messages that depend on it leave then. */
  syncBarrierMs = 0;
  /** Records written when the last sync was requested. */
  syncRequestedUpTo = 0;
  /** When the last local work handed to each local thread comes back (feature 'asyncStorageWrites'): FIFO per thread. */
  readonly localWorkDoneMs: Record<LocalThread, number> = { append: 0, apply: 0 };
  constructor(
    readonly id: NodeId,
    /** Which ticks reach the node, and as what (ticks, or advances for a time-driven node). */
    readonly clock: NodeClock,
  ) {}
}

/** Thrown inside a step to end the run with an implementation error. */
class ImplementationFault extends Error {}

export class Simulation implements FaultWorld, LivenessWorld {
  readonly scenario: Scenario;
  /** The bootstrap members: the voters every initial node starts with. */
  private readonly initialMembers: readonly NodeId[];
  /** Every node id of the run: the bootstrap members and the spares that may join. */
  private readonly universe: readonly NodeId[];
  /** Membership churn, for an implementation with the feature and a scenario that asks for it. */
  private readonly membership: MembershipAdmin | null;
  /** Leadership transfers, for an implementation with the feature and a scenario that asks for them. */
  private readonly transfers: TransferAdmin | null;
  /** The observation and the checkers of the run's invariants: the world's one judge. */
  private readonly judge: ClusterJudge;
  private readonly implementation: Implementation;
  private readonly random: Random;
  private readonly choiceSource: ChoiceSource;
  private readonly queue: EventQueue<SimEvent>;
  private readonly slots: NodeSlot[];
  private readonly network: Network;
  private readonly faults: FaultProcesses;
  private readonly liveness: LivenessMonitor | null;
  private readonly hasher = new Hasher();
  private readonly eventLog: TraceEvent[] | null;
  private readonly eventDigests: number[] | null;
  private readonly stopAfterEvent: number;
  private readonly clients: Clients | null;
  private readonly inconclusive: Inconclusive[] = [];
  /** Durability probes (src/world/probes.ts), where the scenario or the implementation has them on. */
  private readonly probes: DurabilityProbes | null;
  /** The implementation's nodes run with asynchronous storage writes (src/world/asyncStorage.ts). */
  private readonly asyncStorageWrites: boolean;
  private readonly messageView: (message: Message) => MessageView | null;
  /** Coverage marks (src/world/marks.ts): read-only witnesses of the situations the run reached. */
  private readonly marks = new CoverageMarks();
  /** Reused on every step: what the marks need to know beyond the observation. */
  private readonly stepFacts: StepFacts = { partitioned: false };
  /** Abstract states (src/world/abstractState.ts): what coverage-guided search steers by; read-only too. */
  private readonly abstractStates = new AbstractStates();
  /** The delays of a message's copies, as the network writes them (one list for every send). */
  private readonly delaysMs = [0, 0];

  private now = 0;
  private eventCount = 0;
  private messageCounter = 0;
  private commandCounter = 0;
  private leaderBelief: NodeId | null = null;
  /** False once the fault phase is over. */
  private faultPhase = true;
  private finished = false;
  private violation: Violation | null = null;
  private implementationError: ImplementationError | null = null;
  private harnessError: HarnessError | null = null;
  private boundReached: BoundReached | null = null;
  private currentLogEvent: TraceEvent | null = null;
  private readonly statistics: RunStatistics = emptyStatistics();
  private membershipWorldMade: MembershipWorld | null = null;
  private transferWorldMade: TransferWorld | null = null;

  constructor(options: SimulationOptions) {
    this.implementation = options.implementation;
    this.choiceSource =
      options.mutation !== undefined
        ? new MutatingChoiceSource(options.mutation)
        : options.choices === undefined
          ? new RecordingChoiceSource(options.seed)
          : new ReplayChoiceSource(options.choices);
    this.random = new Random(this.choiceSource);
    this.queue = new EventQueue<SimEvent>(options.eventQueueCapacity);
    // Swarm options are drawn first, from the run's own choices, so they replay and shrink too.
    this.scenario = options.scenario.swarm ? drawSwarmScenario(options.scenario, this.random, options.implementation) : options.scenario;
    const scenario = this.scenario;
    this.initialMembers = nodeIds(scenario.nodes);
    this.membership = this.createMembership(options.implementation);
    const shadowImplementation = options.shadowImplementation ?? options.implementation;
    const probesOn = this.scenario.durabilityProbes ?? probesByDefault(shadowImplementation);
    this.asyncStorageWrites = asyncStorageWritesOn(options.implementation, this.scenario.implementation);
    this.probes = probesOn ? new DurabilityProbes(shadowImplementation, { firstPromisesOnly: true, asyncStorageWrites: this.asyncStorageWrites }) : null;
    this.transfers = this.scenario.transfers !== undefined && (options.implementation.features ?? []).includes('leadershipTransfer') ? new TransferAdmin(this.scenario.transfers, this.random) : null;
    this.universe = nodeIds(scenario.nodes + (this.membership?.spares.length ?? 0));
    this.slots = [0, ...this.universe].map((id) => new NodeSlot(id, new NodeClock(this.implementation, this.scenario.tickMs)));
    this.network = new Network(this.universe.length, scenario.network, this.random, scenario.durationMs);
    this.faults = new FaultProcesses(scenario, this.random);
    this.liveness = scenario.liveness.enabled ? new LivenessMonitor(scenario) : null;
    this.messageView = messageViewOf(options.implementation);
    this.judge = ClusterJudge.create(this.universe, options.invariants, this.messageView);
    this.eventLog = options.recordEvents ? [] : null;
    this.eventDigests = options.recordEventDigests ? [] : null;
    this.stopAfterEvent = options.stopAfterEvent ?? Number.POSITIVE_INFINITY;
    this.hasher.string(options.implementation.name).number(scenario.nodes);
    // Before the nodes start: their outputs go to the clients from the first step on.
    this.clients = scenario.clients === undefined ? null : new Clients(scenario.clients, this.clientWorld(), this.random);

    for (const id of this.universe) this.slots[id].tickIntervalMs = this.drawTickInterval(id);
    for (const id of this.initialMembers) {
      if (!this.guarded(() => this.startNode(id))) break;
    }
    this.membership?.start(this.membershipWorld());
    for (const fault of scenario.schedule) this.scheduleFault(fault);
    if (this.faults.active) this.schedule(scenario.faults.decisionIntervalMs, { kind: 'faultClock' });
    if (scenario.workload.proposalsPerSecond > 0) this.schedule(this.nextArrivalMs(), { kind: 'workloadClock' });
    this.clients?.start();
    this.transfers?.start(this.transferWorld());
    if (this.liveness !== null) this.schedule(scenario.durationMs, { kind: 'recover' });
  }

  /** Runs to the end (or the first violation, or a bound) and returns the result. */
  run(): SimulationResult {
    try {
      while (this.step()) {
        // each step processes one event
      }
    } finally {
      this.dispose();
    }
    return this.result();
  }

  /**
   * Releases every running instance (a process implementation's processes). run() does it at
   * the end; a caller that drives step() itself calls it when done with the world.
   */
  dispose(): void {
    for (const slot of this.slots) slot.instance?.dispose?.();
  }

  /** Processes one event; false when the run is over. */
  step(): boolean {
    if (this.finished) return false;
    if (this.violation !== null || this.implementationError !== null) {
      // Found while starting the nodes, before the first event.
      this.finished = true;
      return false;
    }
    if (this.queueFilled) {
      // Filled while starting the nodes.
      this.finish();
      return false;
    }
    if (this.eventCount >= this.stopAfterEvent) {
      this.finished = true;
      return false;
    }
    if (this.eventCount >= this.scenario.eventsMax) {
      this.boundReached = 'events';
      this.finish();
      return false;
    }
    const event = this.queue.peek();
    const endMs = this.liveness !== null ? this.liveness.deadlineMs : this.scenario.durationMs;
    if (event === undefined || event.timeMs > endMs) {
      this.now = endMs;
      this.finish();
      return false;
    }
    this.queue.pop();
    if (event.kind === 'tick' && this.isStaleTick(event)) return true; // a dead timer: not an event
    if (event.kind === 'clientTimeout' && this.clients?.isStale(event) !== false) return true;
    this.now = event.timeMs;
    this.eventCount += 1;
    this.hashEvent(event);
    if (this.eventLog !== null) {
      this.currentLogEvent = describeEvent(event, this.eventCount);
      this.eventLog.push(this.currentLogEvent);
    }
    // guarded(), without a closure per event.
    try {
      this.process(event);
    } catch (error) {
      if (!(error instanceof ImplementationFault)) throw error;
    }
    if (this.eventDigests !== null) this.eventDigests.push(this.hasher.digest().low);
    if (this.violation !== null || this.implementationError !== null) this.finished = true;
    else if (this.queueFilled) this.finish();
    return !this.finished;
  }

  result(): SimulationResult {
    const status =
      this.harnessError !== null ? 'harnessError' : this.implementationError !== null ? 'implementationError' : this.violation !== null ? this.violation.kind : 'ok';
    return {
      status,
      violation: this.violation,
      implementationError: this.implementationError,
      harnessError: this.harnessError,
      events: this.eventCount,
      simulatedMs: this.now,
      traceHash: this.hasher.hex(),
      choices: this.choiceSource.choices,
      scenario: this.scenario,
      boundReached: this.boundReached,
      eventLog: this.eventLog,
      eventDigests: this.eventDigests,
      statistics: { ...this.statistics, entriesCommitted: this.observation.committedLength },
      history: this.clients === null ? null : this.clients.history.operations(),
      inconclusive: [...this.inconclusive],
      marks: this.marks.counted(),
      abstractCoverage: this.abstractStates.reached(),
    };
  }

  get observation(): ClusterObservation {
    return this.judge.observation;
  }

  get eventsProcessed(): number {
    return this.eventCount;
  }

  get nowMs(): number {
    return this.now;
  }

  /** The nodes in the run: started and not removed for good (the bootstrap members without membership churn). */
  get members(): readonly NodeId[] {
    return this.membership?.nodesInRun ?? this.initialMembers;
  }

  get believedLeader(): NodeId | null {
    return this.leaderBelief;
  }

  isUp(node: NodeId): boolean {
    return this.slots[node].instance !== null;
  }

  isPaused(node: NodeId): boolean {
    return this.slots[node].paused;
  }

  newCommandId(): number {
    this.commandCounter += 1;
    return this.commandCounter;
  }

  propose(node: NodeId, command: Command): void {
    this.schedule(this.now, { kind: 'propose', node, command, redirects: 0, probe: true });
  }

  /**
   * A canonical digest of the world: node states, storage, messages in flight and pending
   * timers, relative to now. Free of sequence numbers and counters, so two paths that reach the
   * same world give the same fingerprint.
   */
  fingerprint(): string {
    const hasher = new Hasher();
    for (const id of this.universe) {
      const slot = this.slots[id];
      const mirror = this.observation.mirror(id);
      hasher.number(id).number(slot.instance === null ? 0 : 1).number(slot.paused ? 1 : 0).number(slot.inbox.length);
      if (slot.instance !== null) {
        const digest = slot.instance.stateDigest?.();
        if (digest !== undefined) hasher.string(digest);
        else hasher.string(mirror.role).number(mirror.term).number(mirror.votedFor ?? 0).number(mirror.commitIndex);
      }
      hasher.number(mirror.lastIndex).number(mirror.prefixHashes[mirror.lastIndex]);
      hasher.number(slot.storage.writtenCount).number(slot.storage.unsyncedCount);
      hasher.number(Math.max(0, slot.syncBarrierMs - this.now)).number(Math.max(0, slot.slowUntilMs - this.now));
    }
    hasher.string(this.network.cutLinks().join(','));
    const pending: string[] = [];
    for (const event of this.queue.pending()) {
      if (event.kind === 'tick' && this.isStaleTick(event)) continue;
      pending.push(canonicalPendingEvent(event, this.now));
    }
    pending.sort();
    for (const line of pending) hasher.string(line);
    return hasher.hex();
  }

  // ---- event processing ---------------------------------------------------------------------

  /** Runs an action that may end the run with an implementation error; false if it did. */
  private guarded(action: () => void): boolean {
    try {
      action();
      return true;
    } catch (error) {
      if (error instanceof ImplementationFault) return false;
      throw error;
    }
  }

  /** Keeps the first violation of the run: later ones are consequences. */
  private report(violation: Violation): void {
    if (this.violation === null) this.violation = violation;
  }

  private isStaleTick(event: SimEvent & { kind: 'tick' }): boolean {
    const slot = this.slots[event.node];
    return slot.instance === null || slot.paused || slot.tickGeneration !== event.generation;
  }

  private process(event: SimEvent): void {
    switch (event.kind) {
      case 'tick':
        return this.processTick(event);
      case 'deliver':
        return this.deliver(event);
      case 'propose':
        return this.processPropose(event);
      case 'crash':
        return this.processCrash(event);
      case 'restart':
        return this.processRestart(event);
      case 'partition':
        this.statistics.partitions += 1;
        this.network.applyCut(event.cut.links);
        return;
      case 'isolate':
        return this.processIsolate(event);
      case 'heal':
        this.network.healAll();
        return;
      case 'pause':
        return this.processPause(event);
      case 'resume':
        return this.processResume(event);
      case 'slow':
        return this.processSlow(event);
      case 'clockJump':
        return this.processClockJump(event);
      case 'corrupt':
        return this.processCorrupt(event);
      case 'syncComplete':
        return this.processSyncComplete(event);
      case 'faultClock':
        return this.processFaultClock();
      case 'workloadClock':
        return this.processWorkloadClock();
      case 'clientClock':
        return this.clients?.onClock(event.client);
      case 'clientTimeout':
        return this.clients?.onTimeout(event.client);
      case 'clientRequest':
        return this.processClientRequest(event);
      case 'recover':
        return this.recover();
      case 'livenessCheck':
        return this.checkLiveness();
      case 'membershipClock':
        return event.afterElection === true ? this.membership?.onElectionClock(this.membershipWorld()) : this.membership?.onClock(this.membershipWorld());
      case 'membershipRequest':
        return this.membership?.onRequest(this.membershipWorld(), event);
      case 'transferClock':
        return this.transfers?.onClock(this.transferWorld());
      case 'transferRequest':
        return this.transfers?.onRequest(this.transferWorld(), event);
    }
  }

  private processTick(event: SimEvent & { kind: 'tick' }): void {
    const slot = this.slots[event.node];
    for (const input of slot.clock.ticked(1)) this.stepNode(event.node, input, false);
    if (slot.instance !== null && slot.tickGeneration === event.generation) this.scheduleNextTick(event.node);
  }

  private processPropose(event: SimEvent & { kind: 'propose' }): void {
    const slot = this.slots[event.node];
    if (slot.instance === null) return this.note('lost: node down');
    if (slot.paused) return this.hold(slot, event);
    this.statistics.proposals += 1;
    const output = this.stepNode(event.node, { kind: 'propose', command: event.command }, false);
    for (const answer of output.answers) {
      if (answer.commandId === event.command.id) this.handleAnswer(event, answer);
    }
  }

  private processCrash(event: SimEvent & { kind: 'crash' }): void {
    const node = this.resolveTarget(event.node, true);
    if (node === null) return this.note(`no ${event.node} to crash`);
    this.crashNode(node);
    if (event.restartAfterMs !== undefined) this.schedule(this.now + event.restartAfterMs, { kind: 'restart', node });
  }

  private processRestart(event: SimEvent & { kind: 'restart' }): void {
    const node = this.resolveTarget(event.node, false);
    if (node !== null && !this.members.includes(node)) return this.note('removed for good');
    if (node === null || this.slots[node].instance !== null) return this.note('already up');
    this.statistics.restarts += 1;
    this.noteNode(node);
    return this.startNode(node);
  }

  private processIsolate(event: SimEvent & { kind: 'isolate' }): void {
    const node = this.resolveTarget(event.node, false);
    if (node === null) return this.note(`no ${event.node} to isolate`);
    this.noteNode(node);
    this.statistics.partitions += 1;
    this.network.applyCut(isolateCut(node, this.members).links);
  }

  private processPause(event: SimEvent & { kind: 'pause' }): void {
    const node = this.resolveTarget(event.node, true);
    if (node === null || this.slots[node].paused) return this.note('nothing to pause');
    this.noteNode(node);
    this.statistics.pauses += 1;
    this.slots[node].paused = true;
    if (event.durationMs !== undefined) this.schedule(this.now + event.durationMs, { kind: 'resume', node });
  }

  private processResume(event: SimEvent & { kind: 'resume' }): void {
    const node = this.resolveTarget(event.node, false);
    if (node === null) return this.note('nothing to resume');
    this.noteNode(node);
    return this.resumeNode(node);
  }

  private processSlow(event: SimEvent & { kind: 'slow' }): void {
    const node = this.resolveTarget(event.node, true);
    if (node === null) return this.note('nothing to slow');
    this.noteNode(node);
    this.statistics.slowdowns += 1;
    const slot = this.slots[node];
    slot.slowUntilMs = this.now + event.durationMs;
    slot.slowExtraDelayMs = event.extraDelayMs;
    slot.slowTickFactor = event.tickFactor;
  }

  private processClockJump(event: SimEvent & { kind: 'clockJump' }): void {
    const node = this.resolveTarget(event.node, true);
    if (node === null) return this.note('no clock to jump');
    this.noteNode(node);
    return this.jumpClock(node, event.ms);
  }

  private processCorrupt(event: SimEvent & { kind: 'corrupt' }): void {
    const node = this.resolveTarget(event.node, false);
    if (node === null) return;
    this.noteNode(node);
    this.statistics.corruptions += 1;
    const lost = this.slots[node].storage.corruptSynced(event.records);
    return this.note(`corrupted: lost ${lost} synced record(s) (breaks Raft's assumptions)`);
  }

  private processSyncComplete(event: SimEvent & { kind: 'syncComplete' }): void {
    const slot = this.slots[event.node];
    if (slot.incarnation === event.incarnation && slot.instance !== null) slot.storage.syncUpTo(event.upTo);
  }

  private processFaultClock(): void {
    if (!this.faultPhase) return;
    this.faults.decide(this);
    this.schedule(this.now + this.scenario.faults.decisionIntervalMs, { kind: 'faultClock' });
  }

  private processWorkloadClock(): void {
    if (!this.faultPhase) return;
    this.drawProposal();
    this.schedule(this.now + this.nextArrivalMs(), { kind: 'workloadClock' });
  }

  private processClientRequest(event: SimEvent & { kind: 'clientRequest' }): void {
    const slot = this.slots[event.node];
    if (this.clients === null) return;
    if (slot.instance === null) return this.clients.onRefused(event);
    if (slot.paused) return this.hold(slot, event);
    const command = this.clients.onArrival(event);
    if (command === null) return this.note('stale request');
    this.stepNode(event.node, event.read ? { kind: 'read', command } : { kind: 'propose', command }, false);
  }

  private deliver(event: SimEvent & { kind: 'deliver' }): void {
    if (event.message.local !== undefined) return this.deliverLocalWork(event);
    // A message that waited for a sync is lost if its sender crashed before that sync completed
    // (decided by what was durable at the crash, not by times, so equal instants are exact).
    const durableAtCrash = this.slots[event.from].durableAtCrash[event.senderIncarnation];
    if (durableAtCrash !== undefined && durableAtCrash < event.requiresDurable) return this.note('lost: the sender crashed before its sync completed');
    const receiver = this.slots[event.to];
    if (receiver.instance === null) return this.note('lost: node down');
    if (this.network.isCut(event.from, event.to)) return this.note('lost: link cut');
    if (receiver.paused) return this.hold(receiver, event);
    if (!event.slowed && this.now < receiver.slowUntilMs && receiver.slowExtraDelayMs > 0) {
      this.note(`held ${receiver.slowExtraDelayMs} ms: slow node`);
      this.schedule(this.now + receiver.slowExtraDelayMs, { ...event, slowed: true });
      return;
    }
    this.judge.revealed(event.from, event.senderTerm);
    this.marks.delivered(event.from, event.to, event.senderTerm, this.observation);
    this.stepNode(event.to, { kind: 'deliver', from: event.from, message: event.message }, false);
  }

  /**
   * Local work coming back to the node that handed it to its local thread (feature
   * 'asyncStorageWrites'): no network in between, so no cut, loss or slow link; a paused node
   * holds it like anything else; the thread died with an earlier incarnation.
   */
  private deliverLocalWork(event: SimEvent & { kind: 'deliver' }): void {
    const slot = this.slots[event.to];
    if (slot.instance === null || slot.incarnation !== event.senderIncarnation) return this.note('lost: the node crashed, and its local thread with it');
    if (slot.paused) return this.hold(slot, event);
    this.stepNode(event.to, { kind: 'deliver', from: event.from, message: event.message }, false);
  }

  /** A paused node's inbound messages and requests wait for it. */
  private hold(slot: NodeSlot, event: SimEvent): void {
    if (slot.inbox.length >= pausedInboxMax) return this.note('lost: paused node inbox full');
    const { timeMs: _time, sequence: _sequence, ...body } = event;
    slot.inbox.push(body as EventBody);
    this.note('held: node paused');
  }

  private resumeNode(node: NodeId): void {
    const slot = this.slots[node];
    if (!slot.paused) return this.note('not paused');
    slot.paused = false;
    if (slot.instance === null) return;
    slot.tickGeneration += 1;
    slot.nextTickExactMs = this.now;
    this.scheduleNextTick(node);
    // What waited is handed over now, in arrival order, before anything that arrives this instant.
    const held = slot.inbox.splice(0).map((body) => ({ ...body, timeMs: this.now, sequence: 0 }) as SimEvent);
    if (held.length > 0 && this.queueHasRoomFor(held.length)) this.queue.pushFirst(held);
  }

  private jumpClock(node: NodeId, ms: number): void {
    this.statistics.clockJumps += 1;
    const slot = this.slots[node];
    if (slot.instance === null || slot.paused) return;
    if (ms > 0) {
      // The clock leaps forward: every tick it skipped arrives at once (one advance, for a time-driven node).
      const ticks = Math.min(clockJumpTicksMax, Math.floor(ms / this.scenario.tickMs));
      for (const input of slot.clock.ticked(ticks)) {
        if (slot.instance === null || this.violation !== null) break;
        this.stepNode(node, input, false);
      }
      return;
    }
    // The clock steps back: no tick until local time catches up again.
    slot.tickGeneration += 1;
    slot.nextTickExactMs = this.now - ms;
    this.scheduleNextTick(node);
  }

  /** Node `id`'s start input over these records: a start, a restart, or a durability probe's shadow. */
  private startInput(id: NodeId, seed: number, records: readonly DurableRecord[]): Input {
    const supported = implementationOptionsFor(this.implementation, this.scenario.implementation);
    const options = this.slots[id].clock.timing === 'clock' ? { ...supported, tickMs: this.scenario.tickMs } : supported;
    // A spare starts knowing no configuration: it joins, and learns one from a leader.
    const members = startMembers(id, this.initialMembers);
    return { kind: 'start', id, members, seed, records, options };
  }

  private startNode(id: NodeId): void {
    const slot = this.slots[id];
    const seed = this.random.seed32(`timers/${nodeName(id)}`);
    const start = this.startInput(id, seed, slot.storage.surviving());
    slot.clock.started();
    const created = createInstance(this.implementation);
    if (created.problem !== null) this.failImplementation(id, start, created.problem);
    slot.instance = created.instance;
    slot.incarnation += 1;
    slot.tickGeneration += 1;
    slot.paused = false;
    slot.inbox.length = 0;
    slot.syncBarrierMs = this.now;
    slot.syncRequestedUpTo = slot.storage.writtenCount;
    this.stepNode(id, start, true);
    // Nodes do not tick in lockstep: the first tick comes after a drawn phase.
    const phaseMs = this.random.integer(`timers/${nodeName(id)}`, 0, this.scenario.tickMs - 1);
    slot.nextTickExactMs = this.now + phaseMs;
    this.scheduleNextTick(id);
  }

  private crashNode(id: NodeId): void {
    const slot = this.slots[id];
    if (slot.instance === null) return this.note('already down');
    this.noteNode(id);
    this.statistics.crashes += 1;
    slot.instance.dispose?.();
    slot.instance = null;
    slot.paused = false;
    slot.slowUntilMs = -1;
    if (slot.inbox.length > 0) this.note(`lost ${slot.inbox.length} held message(s)`);
    slot.inbox.length = 0;
    const unsynced = slot.storage.unsyncedCount;
    let kept = 0;
    if (this.scenario.storage.tornWriteProbability > 0) {
      // A torn write: part of what was written but not synced made it to the disk. Both draws
      // are taken on every crash, so a crash takes the same number of choices either way.
      // A torn write keeps a strict, non-empty prefix: at least one record survives, at least one is lost.
      const torn = this.random.chance('storage', this.scenario.storage.tornWriteProbability);
      const keptIfTorn = 1 + this.random.source.draw('storage', Math.max(1, unsynced - 1));
      if (torn && unsynced >= 2) {
        kept = keptIfTorn;
        this.statistics.tornWrites += 1;
        this.marks.hit('torn-write');
      }
    }
    const lost = slot.storage.crash(kept);
    slot.durableAtCrash[slot.incarnation] = slot.storage.writtenCount;
    this.statistics.unsyncedRecordsLost += lost;
    if (lost > 0) this.note(`lost ${lost} unsynced record(s)${kept > 0 ? `, kept a torn ${kept}` : ''}`);
    if (lost > 0) this.marks.hit('unsynced-records-lost');
    this.marks.crashed(this.observation.mirror(id));
    const violation = this.judge.crashed(id, this.eventCount, this.now);
    if (this.leaderBelief === id) this.leaderBelief = null;
    this.clients?.onCrash(id);
    if (violation !== null) this.report(violation);
  }

  /** Sends one input to a node and handles its output. Throws ImplementationFault to end the run. */
  private stepNode(id: NodeId, input: Input, started: boolean): Output {
    const catchUp = input.kind === 'tick' || input.kind === 'advance' || started ? null : this.slots[id].clock.catchUp();
    if (catchUp !== null) {
      const caughtUp = this.stepNodeOnce(id, catchUp, false);
      if (this.violation !== null || this.slots[id].instance === null) return caughtUp;
    }
    return this.stepNodeOnce(id, input, started);
  }

  private stepNodeOnce(id: NodeId, input: Input, started: boolean): Output {
    const slot = this.slots[id];
    const instance = slot.instance;
    if (instance === null) assert(false, `step on a crashed node ${id}`);
    const outcome = runInput(instance, input, id, this.universe);
    if (outcome.problem !== null) this.failImplementation(id, input, outcome.problem);
    const output = outcome.output;
    slot.clock.answered(output);

    const storage = slot.storage;
    let departMs = this.now;
    if (output.records.length > 0) storage.append(output.records);
    if (output.sync) departMs = this.requestSync(slot);

    let change: StepChange;
    try {
      change = this.observation.observe(id, output, started, this.eventCount, this.now, commandOf(input), input);
    } catch (error) {
      if (error instanceof ViewError) this.failImplementation(id, input, `state view: ${error.message}`);
      throw error;
    }
    const violation = this.judge.judgeChange(change);
    this.stepFacts.partitioned = this.network.partitioned();
    this.marks.stepped(change, this.observation, this.stepFacts);
    this.abstractStates.stepped(this.observation, change);
    if (this.probes !== null && output.messages.length > 0) this.probe(id, output);
    const term = this.observation.mirror(id).term;
    const requiresDurable = output.sync ? storage.writtenCount : 0;
    for (const outbound of output.messages) this.send(id, outbound.to, outbound.message, departMs, requiresDurable, termRevealedBy(outbound.message, term, this.asyncStorageWrites, this.messageView));
    this.hashOutput(output);
    if (this.currentLogEvent !== null && this.currentLogEvent.node === id) this.noteState(id, change);
    if (this.liveness !== null && output.applied.length > 0) this.liveness.onApplied(id, output.applied);
    if (this.faultPhase && !started && !this.maybeCrashAfterCommit(id, change) && !this.maybePartitionAfterCommit(id, change)) this.maybeCrashAfterSnapshot(id, change);
    if (this.faultPhase && this.membership !== null && becameLeader(this.observation.mirror(id), change)) this.membership.onElection(this.membershipWorld());
    if (violation !== null) this.report(violation);
    // Clients hear of this step last: a periodic history check then sees the step's completions,
    // and a violation the step caused is already reported by the invariant that names it.
    const clients = this.clients;
    if (clients !== null) {
      const completedBefore = clients.history.completedCount;
      clients.onOutput(id, output);
      const every = this.scenario.clients?.checkEveryOperations ?? 0;
      const due = every > 0 && Math.floor(clients.history.completedCount / every) > Math.floor(completedBefore / every);
      if (due && this.violation === null) this.checkHistory();
    }
    return output;
  }

  /**
   * The triggered crash: a leader whose commit index just advanced crashes before anything else
   * happens (its messages of this step are already on the wire). Drawn on its own stream, only
   * at those moments, so it shifts no other choice.
   */
  private maybeCrashAfterCommit(id: NodeId, change: StepChange): boolean {
    const crash = this.scenario.faults.crash;
    if (crash.afterLeaderCommitProbability <= 0 || !this.leaderCommitted(id, change)) return false;
    const strikes = this.random.chance('triggers', crash.afterLeaderCommitProbability);
    const restartAfterMs = this.random.integer('triggers', crash.restartDelayMs.minMs, crash.restartDelayMs.maxMs);
    const crashed = strikes && this.crashNow(id, restartAfterMs);
    if (crashed) this.marks.hit('crash-after-leader-commit');
    return crashed;
  }

  /** Did node `id`, a leader, advance its commit index in this step (the moment both triggers strike)? */
  private leaderCommitted(id: NodeId, change: StepChange): boolean {
    const mirror = this.observation.mirror(id);
    return mirror.hasView && mirror.role === 'leader' && mirror.commitIndex > change.previousCommitIndex;
  }

  /**
   * The triggered partition: a leader whose commit index just advanced (and did not crash for it)
   * is cut off on a minority, unless a link is cut already. Drawn on its own stream, only at those
   * moments, every draw taken whether it strikes or not, so it shifts no other choice.
   */
  private maybePartitionAfterCommit(id: NodeId, change: StepChange): boolean {
    const partition = this.scenario.faults.partition;
    const probability = partition.afterLeaderCommitProbability ?? 0;
    if (probability <= 0 || !this.leaderCommitted(id, change)) return false;
    const cutOff = drawLeaderCutOff(this.random, 'triggers/partition', probability, id, this.members, partition.durationMs);
    if (cutOff === null || this.network.partitioned()) return false;
    this.schedule(this.now, { kind: 'partition', cut: { ...cutOff.cut, label: `${cutOff.cut.label} (after ${nodeName(id)}'s commit)` } });
    this.schedule(this.now + cutOff.durationMs, { kind: 'heal' });
    return true;
  }

  /** The crash right after a snapshot write (src/sim/snapshots.ts), while the record may be unsynced. */
  private maybeCrashAfterSnapshot(id: NodeId, change: StepChange): void {
    const restartAfterMs = crashAfterSnapshot(this.scenario.faults.crash, change, this.random);
    if (restartAfterMs !== null && this.crashNow(id, restartAfterMs)) this.marks.hit('crash-after-snapshot');
  }

  /** Schedules a triggered crash of node `id` now, unless as many nodes as may be are down; whether it did. */
  private crashNow(id: NodeId, restartAfterMs: number): boolean {
    const down = this.members.filter((node) => this.slots[node].instance === null).length;
    if (down >= this.scenario.faults.crash.downMax) return false;
    this.schedule(this.now, { kind: 'crash', node: id, restartAfterMs });
    return true;
  }

  /** Checks the promises of node `id`'s output against a shadow restarted from what is durable as its messages leave. */
  private probe(id: NodeId, output: Output): void {
    const slot = this.slots[id];
    const storage = slot.storage;
    // With a sync in the output, its messages leave once everything written is durable; without, now.
    const durableCount = output.sync ? storage.writtenCount : storage.writtenCount - storage.unsyncedCount;
    if (this.probes!.passesOver(id, slot.incarnation, this.observation.mirror(id).term, durableCount === storage.writtenCount)) return;
    const probed = new ProbedStorageOutput(storage, durableCount, {
      id,
      incarnation: slot.incarnation,
      output,
      // A torn write keeps a strict, non-empty prefix of the unsynced records (crashNode).
      tornKeptMax: this.scenario.storage.tornWriteProbability > 0 ? storage.writtenCount - durableCount - 1 : 0,
      start: (records) => this.startInput(id, 0, records),
      mirror: this.observation.mirror(id),
      eventNumber: this.eventCount,
      timeMs: this.now,
    });
    const violation = this.probes!.check(probed);
    if (violation !== null) this.report(violation);
  }

  /**
   * A sync point. Without sync latency the records are durable at once. With it, they become
   * durable when a syncComplete event fires, syncs complete in order, and the messages of this
   * output leave only then: a crash before it loses both.
   */
  private requestSync(slot: NodeSlot): number {
    const latency = this.scenario.storage.syncLatencyMs;
    if (latency.maxMs === 0) {
      slot.storage.sync();
      return this.now;
    }
    // Nothing written since the last sync request: only wait for the syncs in flight.
    if (slot.storage.writtenCount === slot.syncRequestedUpTo) return Math.max(this.now, slot.syncBarrierMs);
    slot.syncRequestedUpTo = slot.storage.writtenCount;
    const doneMs = Math.max(slot.syncBarrierMs, this.now + this.random.integer('storage', latency.minMs, latency.maxMs));
    slot.syncBarrierMs = doneMs;
    this.schedule(doneMs, { kind: 'syncComplete', node: slot.id, incarnation: slot.incarnation, upTo: slot.storage.writtenCount });
    return doneMs;
  }

  private failImplementation(id: NodeId, input: Input, message: string): never {
    this.implementationError = { node: id, input: describeInput(input), message, eventNumber: this.eventCount, timeMs: this.now };
    throw new ImplementationFault(message);
  }

  private send(from: NodeId, to: NodeId, message: Message, departMs: number, requiresDurable: number, senderTerm: number): void {
    this.messageCounter += 1;
    const logEvent = this.currentLogEvent;
    if (logEvent !== null) logEvent.sent = [logEvent.sent?.[0] ?? this.messageCounter, this.messageCounter];
    if (message.local !== undefined) return this.sendLocalWork(from, message, message.local, departMs, senderTerm);
    this.statistics.messagesSent += 1;
    const delaysMs = this.delaysMs;
    const copies = this.network.transmit(from, to, this.random, this.now, delaysMs);
    if (copies === 0) {
      this.statistics.messagesDropped += 1;
      return;
    }
    const senderIncarnation = this.slots[from].incarnation;
    for (let copy = 0; copy < copies; copy += 1) {
      if (copy > 0) this.statistics.messagesDuplicated += 1;
      this.enqueue({
        timeMs: departMs + delaysMs[copy],
        sequence: 0,
        kind: 'deliver',
        from,
        to,
        message,
        messageId: this.messageCounter,
        senderIncarnation,
        requiresDurable,
        senderTerm,
        duplicate: copy > 0,
        slowed: false,
      });
    }
  }

  /**
   * Hands local work to node `id`'s local thread (feature 'asyncStorageWrites'): it comes back
   * after the scenario's storage latency, never before the thread's earlier work (FIFO per thread;
   * the event queue keeps send order among equal times). Drawn on the storage stream, only for work.
   */
  private sendLocalWork(id: NodeId, message: Message, thread: LocalThread, departMs: number, senderTerm: number): void {
    const slot = this.slots[id];
    const latency = this.scenario.storage.syncLatencyMs;
    const latencyMs = latency.maxMs === 0 ? 0 : this.random.integer('storage', latency.minMs, latency.maxMs);
    const doneMs = Math.max(slot.localWorkDoneMs[thread], departMs + latencyMs);
    slot.localWorkDoneMs[thread] = doneMs;
    const event = { kind: 'deliver', from: id, to: id, message, messageId: this.messageCounter, senderIncarnation: slot.incarnation } as const;
    this.schedule(doneMs, { ...event, requiresDurable: 0, senderTerm, duplicate: false, slowed: false });
  }

  private handleAnswer(event: SimEvent & { kind: 'propose' }, answer: ProposalAnswer): void {
    if (answer.kind === 'accepted') {
      this.leaderBelief = event.node;
      return;
    }
    if (answer.kind !== 'notLeader') return;
    if (this.leaderBelief === event.node) this.leaderBelief = null;
    const hint = answer.leaderHint;
    if (hint !== null && hint !== event.node && this.members.includes(hint) && event.redirects < this.scenario.workload.redirectsMax) {
      this.note(`not leader, redirected to ${nodeName(hint)}`);
      this.schedule(this.now + 1, { ...event, node: hint, redirects: event.redirects + 1 });
    } else {
      this.note('not leader');
    }
  }

  /** Resolves a fault's target now: a fixed id, or the current leader, a follower, anyone. */
  private resolveTarget(target: NodeTarget, mustBeUp: boolean): NodeId | null {
    if (typeof target === 'number') return target;
    const candidates = this.members.filter((node) => !mustBeUp || this.slots[node].instance !== null);
    const leader = this.currentLeader();
    if (target === 'leader') return leader;
    const pool = target === 'follower' ? candidates.filter((node) => node !== leader) : candidates;
    if (pool.length === 0) return null;
    return pool[this.random.index('targets', pool.length)];
  }

  /** The up node that leads the highest term, by its view (the client's belief without views). */
  private currentLeader(): NodeId | null {
    let best: NodeId | null = null;
    for (const node of this.members) {
      const mirror = this.observation.mirror(node);
      if (this.slots[node].instance === null || !mirror.hasView || mirror.role !== 'leader') continue;
      if (best === null || mirror.term > this.observation.mirror(best).term) best = node;
    }
    if (best !== null) return best;
    return this.leaderBelief !== null && this.slots[this.leaderBelief].instance !== null ? this.leaderBelief : null;
  }

  // ---- clocks, workload, schedule and the liveness phase ------------------------------------

  /** A node's tick interval: tickMs scaled by its drawn drift (0 choices: no drift). */
  private drawTickInterval(id: NodeId): number {
    const driftMax = this.scenario.clocks.driftMax;
    if (driftMax <= 0) return this.scenario.tickMs;
    const stream = `clock/${nodeName(id)}`;
    const magnitude = (this.random.integer(stream, 0, 1000) / 1000) * driftMax;
    const drift = this.random.chance(stream, 0.5) ? -magnitude : magnitude;
    return this.scenario.tickMs * (1 + drift);
  }

  private scheduleNextTick(id: NodeId): void {
    const slot = this.slots[id];
    const slowFactor = this.now < slot.slowUntilMs ? slot.slowTickFactor : 1;
    // Keep the exact fraction (a tick rounded up must not pull the next one later); restart from
    // now only when the clock fell behind by a whole interval (it was stopped).
    const base = slot.nextTickExactMs < this.now - slot.tickIntervalMs ? this.now : slot.nextTickExactMs;
    slot.nextTickExactMs = base + slot.tickIntervalMs * slowFactor;
    const timeMs = Math.max(this.now + 1, Math.round(slot.nextTickExactMs));
    this.enqueue({ kind: 'tick', node: id, generation: slot.tickGeneration, timeMs, sequence: 0 });
  }

  /**
   * Gap to the next client proposal: exponential (a Poisson arrival process). A 0 choice means
   * no further proposal in this run, the simplest workload, so that a shrunk choice sequence
   * that runs out of choices also runs out of requests.
   */
  private nextArrivalMs(): number {
    const meanMs = 1000 / this.scenario.workload.proposalsPerSecond;
    const unit = this.random.unit('workload');
    if (unit === 0) return this.scenario.durationMs + 1;
    return Math.max(1, Math.round(-Math.log(unit) * meanMs));
  }

  private drawProposal(): void {
    const workload = this.scenario.workload;
    const id = this.newCommandId();
    const operations = ['set', 'get', 'del'] as const;
    const op = operations[this.random.index('workload', operations.length)];
    const key = `k${this.random.index('workload', workload.keys)}`;
    const command: Command = op === 'set' ? { id, op, key, value: `v${id}` } : { id, op, key };
    // Drawn whether or not it is needed, so every proposal takes the same number of choices.
    const guess = this.members[this.random.index('workload', this.members.length)];
    let target = this.leaderBelief;
    if (target === null || this.slots[target].instance === null) target = guess;
    this.schedule(this.now, { kind: 'propose', node: target, command, redirects: 0, probe: false });
  }

  private scheduleFault(fault: ScheduledFault): void {
    const at = fault.atMs;
    switch (fault.action) {
      case 'crash':
        return this.schedule(at, { kind: 'crash', node: fault.node, ...(fault.restartAfterMs !== undefined ? { restartAfterMs: fault.restartAfterMs } : {}) });
      case 'restart':
        return this.schedule(at, { kind: 'restart', node: fault.node });
      case 'isolate':
        return this.schedule(at, { kind: 'isolate', node: fault.node });
      case 'partition':
        return this.schedule(at, { kind: 'partition', cut: splitCut(fault.groups) });
      case 'bridge':
        return this.schedule(at, { kind: 'partition', cut: bridgeCut(fault.groups, fault.bridge) });
      case 'cut':
        return this.schedule(at, {
          kind: 'partition',
          cut: fault.bothWays ? singleLinkCut(fault.from, fault.to) : oneWayCut(fault.from, fault.to),
        });
      case 'flap':
        for (const { offsetMs, body } of flapEvents(fault.groups, fault.cycles, fault.partitionMs, fault.healMs)) this.schedule(at + offsetMs, body);
        return;
      case 'heal':
        return this.schedule(at, { kind: 'heal' });
      case 'pause':
        return this.schedule(at, { kind: 'pause', node: fault.node, ...(fault.durationMs !== undefined ? { durationMs: fault.durationMs } : {}) });
      case 'resume':
        return this.schedule(at, { kind: 'resume', node: fault.node });
      case 'slow':
        return this.schedule(at, {
          kind: 'slow',
          node: fault.node,
          durationMs: fault.durationMs,
          extraDelayMs: fault.extraDelayMs,
          tickFactor: fault.tickFactor ?? this.scenario.faults.slow.tickFactor,
        });
      case 'clock-jump':
        return this.schedule(at, { kind: 'clockJump', node: fault.node, ms: fault.ms });
      case 'corrupt':
        return this.schedule(at, { kind: 'corrupt', node: fault.node, records: fault.records ?? 1 });
    }
  }

  /** The end of the fault phase: heal everything, restart and resume every node, stop faults. */
  private recover(): void {
    this.faultPhase = false;
    this.membership?.stop(this.membershipWorld());
    this.transfers?.stop();
    // Faults already queued (the rest of a flap, a pending heal-and-cut) must not strike now.
    const cancelled = this.queue.removeWhere((event) => isFault(event));
    if (cancelled > 0) this.note(`cancelled ${cancelled} pending fault(s)`);
    this.network.healAll();
    this.network.calmDown();
    this.note('faults stop; liveness phase');
    for (const node of this.members) {
      const slot = this.slots[node];
      slot.slowUntilMs = -1;
      if (slot.instance === null) {
        this.statistics.restarts += 1;
        this.startNode(node);
      } else if (slot.paused) {
        this.resumeNode(node);
      }
    }
    this.liveness?.begin(this.observation.catchUpEntries(), this.membership?.changePending(this.observation) ?? false);
    this.schedule(this.now, { kind: 'livenessCheck' });
  }

  private checkLiveness(): void {
    const liveness = this.liveness;
    if (liveness === null) return;
    const verdict = liveness.check(this.livenessWorld());
    if (verdict === 'done') {
      this.note('recovered');
      this.finish();
      return;
    }
    if (verdict !== null) {
      this.report({ ...verdict, eventNumber: this.eventCount });
      return;
    }
    this.schedule(liveness.nextCheckMs(this.now), { kind: 'livenessCheck' });
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  /** Schedules an event, except in the liveness phase for faults that are still pending. */
  schedule(timeMs: number, body: EventBody): void {
    (body as SimEvent).timeMs = timeMs;
    (body as SimEvent).sequence = 0;
    this.enqueue(body as SimEvent);
  }

  /**
   * schedule() for an event made with its time and sequence already in it: the hottest events
   * (deliveries and ticks) are, so that they need no properties added after they are made (an
   * added property goes to a separate store, allocated per event).
   */
  private enqueue(event: SimEvent): void {
    if (!this.faultPhase && isFault(event)) return;
    if (!this.queueHasRoomFor(1)) return;
    this.queue.push(event);
  }

  /** Whether an event did not fit in the queue (a method, so step() reads it after process()). */
  private get queueFilled(): boolean {
    return this.boundReached === 'queue';
  }

  /**
   * Whether the queue takes `count` more events. If not, the run ends after the current event
   * with boundReached 'queue': the events that did not fit are lost, so nothing after it counts.
   */
  private queueHasRoomFor(count: number): boolean {
    if (this.queue.hasRoomFor(count)) return true;
    if (!this.queueFilled) this.note('bound: the event queue is full; the run ends after this event');
    this.boundReached = 'queue';
    return false;
  }

  private finish(): void {
    this.finished = true;
    const finding = this.judge.audit(this.eventCount, this.now);
    if (finding !== null && isHarnessError(finding)) this.harnessError = finding;
    else if (finding !== null) this.report(finding);
    else if (this.violation === null) this.checkHistory();
  }

  /** Hands the clients' history to the checkers that judge histories. */
  private checkHistory(): void {
    const clients = this.clients;
    if (clients === null || this.scenario.clients === undefined) return;
    const context = { history: clients.history.checked(), stepsMax: this.scenario.clients.checkStepsMax, eventNumber: this.eventCount, timeMs: this.now };
    const violation = this.judge.judgeHistory(context, this.inconclusive);
    if (violation !== null) this.report(violation);
  }

  // ---- membership churn (src/sim/membership.ts) ---------------------------------------------

  /** The administrator, where both the scenario and the implementation take membership changes. */
  private createMembership(implementation: Implementation): MembershipAdmin | null {
    const options = this.scenario.membership;
    if (options === undefined || !(implementation.features ?? []).includes('membership')) return null;
    const retryDelayMs = this.scenario.implementation.electionTicksMin * this.scenario.tickMs;
    return new MembershipAdmin(options, this.initialMembers, this.random, retryDelayMs, this.scenario.faults.partition.durationMs);
  }

  /**
   * What every administrator sees (src/sim/admin.ts), with what one administrator adds. The
   * additions are copied as property descriptors, so their getters stay live, as nowMs does.
   */
  private adminWorld<Extra extends object>(extra: Extra): AdminWorld & Extra {
    const simulation = this;
    const world: AdminWorld = {
      get nowMs() {
        return simulation.now;
      },
      observation: this.observation,
      isUp: (node) => this.isUp(node),
      isPaused: (node) => this.isPaused(node),
      newCommandId: () => this.newCommandId(),
      schedule: (timeMs, body) => this.schedule(timeMs, body),
      note: (text) => this.note(text),
    };
    return Object.defineProperties(world, Object.getOwnPropertyDescriptors(extra)) as AdminWorld & Extra;
  }

  /** Hands an administrator's request to a node: the node's answer to it (null: none). */
  private answerTo(node: NodeId, input: Input & { kind: 'changeMembership' | 'transferLeadership' }, commandId: number): ProposalAnswer | null {
    const output = this.stepNode(node, input, false);
    return output.answers.find((answer) => answer.commandId === commandId) ?? null;
  }

  /** The world as the membership administrator sees it; made once (every member reads the simulation live). */
  private membershipWorld(): MembershipWorld {
    return (this.membershipWorldMade ??= this.adminWorld<Omit<MembershipWorld, keyof AdminWorld>>({
      startSpare: (node) => this.startNode(node),
      wipe: (node) => {
        if (this.slots[node].instance !== null) this.crashNode(node);
        this.slots[node].storage.wipe();
      },
      changeMembership: (node, change) => this.answerTo(node, { kind: 'changeMembership', change }, change.id),
    }));
  }

  // ---- leadership transfers (src/sim/transfers.ts) ------------------------------------------

  /** The world as the transfer administrator sees it; made once, like membershipWorld. */
  private transferWorld(): TransferWorld {
    const simulation = this;
    return (this.transferWorldMade ??= this.adminWorld<Omit<TransferWorld, keyof AdminWorld>>({
      get members() {
        return simulation.members;
      },
      transferLeadership: (node, transfer) => this.answerTo(node, { kind: 'transferLeadership', transfer }, transfer.id),
    }));
  }

  /**
   * The world the liveness phase judges. With membership churn, the nodes of the final committed
   * configuration: a removed node left running is no member whose progress is owed.
   */
  private livenessWorld(): LivenessWorld {
    const configuration = this.membership?.finalConfiguration(this.observation) ?? null;
    if (configuration === null) return this;
    const simulation = this;
    const inConfiguration = new Set([...configuration.voters, ...configuration.learners, ...configuration.votersOutgoing]);
    return {
      members: this.members.filter((node) => inConfiguration.has(node)),
      get nowMs() {
        return simulation.now;
      },
      observation: this.observation,
      believedLeader: this.believedLeader,
      isUp: (node) => this.isUp(node),
      propose: (node, command) => this.propose(node, command),
      newCommandId: () => this.newCommandId(),
    };
  }

  /** The world as the clients see it. */
  private clientWorld(): ClientWorld {
    const simulation = this;
    return {
      get members() {
        return simulation.members;
      },
      get nowMs() {
        return simulation.now;
      },
      get inFaultPhase() {
        return simulation.faultPhase;
      },
      isUp: (node) => this.slots[node].instance !== null,
      newCommandId: () => this.newCommandId(),
      schedule: (timeMs, body) => this.schedule(timeMs, body),
      note: (text) => this.note(text),
      get notesKept() {
        return simulation.currentLogEvent !== null;
      },
    };
  }

  private hashEvent(event: SimEvent): void {
    const hasher = this.hasher;
    // The two kinds nearly every event is, compared first: a keyed look-up by name on every event is a megamorphic load.
    const kind = event.kind;
    hasher.number(kind === 'deliver' ? eventKindCodes.deliver : kind === 'tick' ? eventKindCodes.tick : eventKindCodes[kind]).number(event.timeMs);
    const target = faultTarget(event);
    if (target !== null) {
      hasher.string(String(target));
      return;
    }
    switch (event.kind) {
      case 'tick':
      case 'syncComplete':
        hasher.number(event.node);
        break;
      case 'deliver':
        hasher.number(event.from).number(event.to).number(event.messageId).string(event.message.type);
        break;
      case 'propose':
        hasher.number(event.node).number(event.command.id);
        break;
      case 'clientRequest':
        hasher.number(event.client).number(event.node).number(event.command.id).number(event.read ? 1 : 0);
        break;
      case 'clientClock':
      case 'clientTimeout':
        hasher.number(event.client);
        break;
      case 'partition':
        hasher.string(event.cut.label);
        break;
      case 'membershipRequest':
        hasher.number(event.node).number(event.change.id);
        break;
      case 'transferRequest':
        hasher.number(event.node).number(event.transfer.id);
        break;
      default:
        break;
    }
  }

  private hashOutput(output: Output): void {
    const hasher = this.hasher;
    hasher.number(output.messages.length).number(output.records.length).number(output.sync ? 1 : 0);
    for (const outbound of output.messages) hasher.number(outbound.to).number(outbound.message.term ?? -1);
    for (const entry of output.applied) hasher.number(entry.index).number(entry.term).number(entry.commandId);
    const state = output.state;
    if (state !== undefined) hasher.number(state.term).number(state.commitIndex).number(state.role.length);
  }

  private note(text: string): void {
    if (this.currentLogEvent !== null) {
      this.currentLogEvent.note = this.currentLogEvent.note === undefined ? text : `${this.currentLogEvent.note}; ${text}`;
    }
  }

  /** Names the node a targeted fault resolved to, in the readable event. */
  private noteNode(node: NodeId): void {
    if (this.currentLogEvent !== null && this.currentLogEvent.node === undefined) this.currentLogEvent.node = node;
  }

  private noteState(id: NodeId, change: StepChange): void {
    const logEvent = this.currentLogEvent;
    if (logEvent === null) return;
    const mirror = this.observation.mirror(id);
    if (change.started || change.previousRole !== mirror.role || change.previousTerm !== mirror.term) {
      logEvent.role = mirror.role;
      logEvent.term = mirror.term;
    }
    if (change.previousCommitIndex !== mirror.commitIndex) logEvent.commitIndex = mirror.commitIndex;
  }
}

function isFault(body: EventBody): boolean {
  switch (body.kind) {
    case 'crash':
    case 'partition':
    case 'isolate':
    case 'pause':
    case 'slow':
    case 'clockJump':
    case 'corrupt':
      return true;
    default:
      return false;
  }
}

export function describeInput(input: Input): string {
  switch (input.kind) {
    case 'start':
      return `start (${input.records.length} durable records)`;
    case 'tick':
      return 'tick';
    case 'advance':
      return `advance ${input.elapsedMs} ms`;
    case 'deliver':
      return `deliver ${input.message?.type ?? '?'} from ${nodeName(input.from)}`;
    case 'propose':
      return `propose command ${input.command.id} (${input.command.op} ${input.command.key})`;
    case 'read':
      return `read command ${input.command.id} (${input.command.key})`;
    case 'changeMembership':
      return `change membership ${input.change.id} (${describeMembershipSteps(input.change.steps)})`;
    case 'transferLeadership':
      return `transfer leadership ${input.transfer.id} to ${nodeName(input.transfer.target)}`;
  }
}

export function describeMembershipSteps(steps: readonly MembershipStep[]): string {
  return steps.map((step) => `${step.action} ${nodeName(step.node)}`).join(', ');
}

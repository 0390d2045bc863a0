// The world: a discrete-event simulation of a cluster of nodes of one implementation, with its
// network, storage, fault processes and workload. A run is a pure function of
// (implementation, scenario, seed), or of (implementation, scenario, choice sequence) on replay.
//
// Events are taken from the queue in (virtual time, sequence) order. Each one is hashed into the
// trace hash; each node step is followed by every invariant. Everything has a bound: the run
// length in virtual time, the events per run, the queue's capacity.

import type {
  Command,
  Implementation,
  Input,
  Message,
  NodeInstance,
  Output,
  ProposalAnswer,
} from '../adapters/contract.js';
import { Hasher } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import { nodeIds, nodeName } from '../core/ids.js';
import type { ChoiceSource } from '../core/random.js';
import { Random, RecordingChoiceSource, ReplayChoiceSource } from '../core/random.js';
import type { Scheduled } from '../core/queue.js';
import { EventQueue } from '../core/queue.js';
import type { InvariantChecker, InvariantDefinition, Violation } from './invariant.js';
import { Network, drawDelayMs } from './network.js';
import type { StepChange } from './observation.js';
import { ClusterObservation, ViewError } from './observation.js';
import type { Scenario, ScheduledAction } from './scenario.js';
import { NodeStorage } from './storage.js';

export type EventBody =
  | { kind: 'tick'; node: NodeId; incarnation: number }
  | { kind: 'deliver'; from: NodeId; to: NodeId; message: Message; messageId: number }
  | { kind: 'propose'; node: NodeId; command: Command; redirects: number }
  | { kind: 'crash'; node: NodeId }
  | { kind: 'restart'; node: NodeId }
  | { kind: 'isolate'; node: NodeId }
  | { kind: 'heal' }
  | { kind: 'faultClock' }
  | { kind: 'workloadClock' };

export type SimEvent = Scheduled & EventBody;

const eventKindCodes: Record<EventBody['kind'], number> = {
  tick: 1,
  deliver: 2,
  propose: 3,
  crash: 4,
  restart: 5,
  isolate: 6,
  heal: 7,
  faultClock: 8,
  workloadClock: 9,
};

/** One processed event in readable form, for trace files and reports. */
export interface TraceEvent {
  /** Event number, 1-based. */
  n: number;
  /** Virtual time in milliseconds. */
  t: number;
  kind: EventBody['kind'];
  node?: NodeId;
  from?: NodeId;
  type?: string;
  messageId?: number;
  commandId?: number;
  /** What happened: "lost: link cut", "not leader", ... */
  note?: string;
  /** The node's role, term and commit index after the event, when they changed. */
  role?: string;
  term?: number;
  commitIndex?: number;
}

export type RunStatus = 'ok' | 'safety' | 'liveness' | 'implementationError';

export interface ImplementationError {
  node: NodeId;
  input: string;
  message: string;
  eventNumber: number;
  timeMs: number;
}

export interface SimulationResult {
  status: RunStatus;
  violation: Violation | null;
  implementationError: ImplementationError | null;
  /** Events processed. */
  events: number;
  /** Virtual time the run reached, in milliseconds. */
  simulatedMs: number;
  traceHash: string;
  choices: readonly number[];
  /** Set when a bound other than the run length ended the run. */
  boundReached: 'events' | null;
  eventLog: readonly TraceEvent[] | null;
  /** Low 32 bits of the running trace hash after each event (with recordEventDigests). */
  eventDigests: readonly number[] | null;
  /** Counters for reports. */
  statistics: RunStatistics;
}

export interface RunStatistics {
  messagesSent: number;
  messagesDropped: number;
  crashes: number;
  restarts: number;
  isolations: number;
  proposals: number;
  entriesCommitted: number;
}

export interface SimulationOptions {
  implementation: Implementation;
  scenario: Scenario;
  seed: number;
  invariants: readonly InvariantDefinition[];
  /** Replay this choice sequence instead of drawing from the seed's streams. */
  choices?: readonly number[];
  /** Keep a readable log of every event (for trace files and determinism reports). */
  recordEvents?: boolean;
  /** Keep the running hash after every event (to find the first difference between two runs). */
  recordEventDigests?: boolean;
  /** Stop after this many events (to re-create the world at an event). */
  stopAfterEvent?: number;
}

class NodeSlot {
  instance: NodeInstance | null = null;
  incarnation = 0;
  readonly storage = new NodeStorage();
  constructor(readonly id: NodeId) {}
}

/** Thrown inside a step to end the run with an implementation error. */
class ImplementationFault extends Error {}

export class Simulation {
  readonly scenario: Scenario;
  readonly members: readonly NodeId[];
  readonly observation: ClusterObservation;
  private readonly implementation: Implementation;
  private readonly random: Random;
  private readonly choiceSource: ChoiceSource;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly slots: NodeSlot[];
  private readonly network: Network;
  private readonly checkers: InvariantChecker[];
  private readonly hasher = new Hasher();
  private readonly eventLog: TraceEvent[] | null;
  private readonly eventDigests: number[] | null;
  private readonly stopAfterEvent: number;

  private nowMs = 0;
  private eventCount = 0;
  private messageCounter = 0;
  private commandCounter = 0;
  private believedLeader: NodeId | null = null;
  private isolatedNode: NodeId | null = null;
  private finished = false;
  private violation: Violation | null = null;
  private implementationError: ImplementationError | null = null;
  private boundReached: 'events' | null = null;
  private currentLogEvent: TraceEvent | null = null;
  private readonly statistics: RunStatistics = {
    messagesSent: 0,
    messagesDropped: 0,
    crashes: 0,
    restarts: 0,
    isolations: 0,
    proposals: 0,
    entriesCommitted: 0,
  };

  constructor(options: SimulationOptions) {
    this.scenario = options.scenario;
    this.implementation = options.implementation;
    this.members = nodeIds(options.scenario.nodes);
    this.choiceSource =
      options.choices === undefined ? new RecordingChoiceSource(options.seed) : new ReplayChoiceSource(options.choices);
    this.random = new Random(this.choiceSource);
    this.slots = [new NodeSlot(0), ...this.members.map((id) => new NodeSlot(id))];
    this.network = new Network(options.scenario.nodes, options.scenario.network);
    this.observation = new ClusterObservation(this.members);
    this.checkers = options.invariants.map((definition) => definition.create());
    this.eventLog = options.recordEvents ? [] : null;
    this.eventDigests = options.recordEventDigests ? [] : null;
    this.stopAfterEvent = options.stopAfterEvent ?? Number.POSITIVE_INFINITY;
    this.hasher.string(options.implementation.name).number(options.scenario.nodes);

    for (const id of this.members) {
      if (!this.guarded(() => this.startNode(id, false))) break;
    }
    for (const fault of options.scenario.schedule) this.schedule(fault.atMs, scheduledActionEvent(fault));
    if (this.hasFaultProcess()) this.schedule(this.scenario.faults.decisionIntervalMs, { kind: 'faultClock' });
    if (this.scenario.workload.proposalsPerSecond > 0) this.schedule(this.nextArrivalMs(), { kind: 'workloadClock' });
  }

  /** Runs to the end (or the first violation, or a bound) and returns the result. */
  run(): SimulationResult {
    while (this.step()) {
      // each step processes one event
    }
    return this.result();
  }

  /** Processes one event; false when the run is over. */
  step(): boolean {
    if (this.finished) return false;
    if (this.violation !== null || this.implementationError !== null) {
      // Found while starting the nodes, before the first event.
      this.finished = true;
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
    if (event === undefined || event.timeMs > this.scenario.durationMs) {
      this.nowMs = this.scenario.durationMs;
      this.finish();
      return false;
    }
    this.queue.pop();
    if (event.kind === 'tick' && this.isStaleTick(event)) return true; // a dead incarnation's timer: not an event
    this.nowMs = event.timeMs;
    this.eventCount += 1;
    this.hashEvent(event);
    if (this.eventLog !== null) {
      this.currentLogEvent = describeEvent(event, this.eventCount);
      this.eventLog.push(this.currentLogEvent);
    }
    this.guarded(() => this.process(event));
    if (this.eventDigests !== null) this.eventDigests.push(this.hasher.digest().low);
    if (this.violation !== null || this.implementationError !== null) this.finished = true;
    return !this.finished;
  }

  result(): SimulationResult {
    const status = this.implementationError !== null ? 'implementationError' : this.violation !== null ? this.violation.kind : 'ok';
    return {
      status,
      violation: this.violation,
      implementationError: this.implementationError,
      events: this.eventCount,
      simulatedMs: this.nowMs,
      traceHash: this.hasher.hex(),
      choices: this.choiceSource.choices,
      boundReached: this.boundReached,
      eventLog: this.eventLog,
      eventDigests: this.eventDigests,
      statistics: { ...this.statistics, entriesCommitted: this.observation.committedLength },
    };
  }

  get eventsProcessed(): number {
    return this.eventCount;
  }

  get timeMs(): number {
    return this.nowMs;
  }

  /**
   * A canonical digest of the world: node states, storage, messages in flight and pending
   * timers, relative to now. Free of sequence numbers and counters, so two paths that reach the
   * same world give the same fingerprint.
   */
  fingerprint(): string {
    const hasher = new Hasher();
    for (const id of this.members) {
      const slot = this.slots[id];
      const mirror = this.observation.mirror(id);
      hasher.number(id).number(slot.instance === null ? 0 : 1);
      if (slot.instance !== null) {
        const digest = slot.instance.stateDigest?.();
        if (digest !== undefined) hasher.string(digest);
        else {
          hasher.string(mirror.role).number(mirror.term).number(mirror.votedFor ?? 0).number(mirror.commitIndex);
        }
      }
      hasher.number(mirror.lastIndex).number(mirror.prefixHashes[mirror.lastIndex]);
      hasher.number(slot.storage.writtenCount).number(slot.storage.unsyncedCount);
    }
    hasher.string(this.network.cutLinks().join(','));
    const pending: string[] = [];
    for (const event of this.queue.pending()) {
      if (event.kind === 'tick' && this.isStaleTick(event)) continue;
      pending.push(canonicalPendingEvent(event, this.nowMs));
    }
    pending.sort();
    for (const line of pending) hasher.string(line);
    return hasher.hex();
  }

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

  // ---- event processing ---------------------------------------------------------------------

  private isStaleTick(event: SimEvent & { kind: 'tick' }): boolean {
    const slot = this.slots[event.node];
    return slot.instance === null || slot.incarnation !== event.incarnation;
  }

  private process(event: SimEvent): void {
    switch (event.kind) {
      case 'tick': {
        this.stepNode(event.node, { kind: 'tick' }, false);
        const slot = this.slots[event.node];
        if (slot.instance !== null && slot.incarnation === event.incarnation) {
          this.schedule(this.nowMs + this.scenario.tickMs, { kind: 'tick', node: event.node, incarnation: event.incarnation });
        }
        return;
      }
      case 'deliver': {
        if (this.slots[event.to].instance === null) return this.note('lost: node down');
        if (this.network.isCut(event.from, event.to)) return this.note('lost: link cut');
        this.stepNode(event.to, { kind: 'deliver', from: event.from, message: event.message }, false);
        return;
      }
      case 'propose': {
        if (this.slots[event.node].instance === null) return this.note('lost: node down');
        this.statistics.proposals += 1;
        const output = this.stepNode(event.node, { kind: 'propose', command: event.command }, false);
        for (const answer of output.answers) {
          if (answer.commandId === event.command.id) this.handleAnswer(event, answer);
        }
        return;
      }
      case 'crash':
        return this.crashNode(event.node);
      case 'restart':
        if (this.slots[event.node].instance !== null) return this.note('already up');
        this.statistics.restarts += 1;
        return this.startNode(event.node, true);
      case 'isolate':
        this.statistics.isolations += 1;
        this.network.isolate(event.node);
        this.isolatedNode = event.node;
        return;
      case 'heal':
        this.network.healAll();
        this.isolatedNode = null;
        return;
      case 'faultClock':
        this.drawFaults();
        this.schedule(this.nowMs + this.scenario.faults.decisionIntervalMs, { kind: 'faultClock' });
        return;
      case 'workloadClock':
        this.drawProposal();
        this.schedule(this.nowMs + this.nextArrivalMs(), { kind: 'workloadClock' });
        return;
    }
  }

  private startNode(id: NodeId, restart: boolean): void {
    const slot = this.slots[id];
    slot.instance = this.implementation.createNode();
    slot.incarnation += 1;
    const seed = this.random.seed32(`timers/${nodeName(id)}`);
    this.stepNode(
      id,
      {
        kind: 'start',
        id,
        members: this.members,
        seed,
        records: slot.storage.surviving(),
        options: this.scenario.implementation,
      },
      true,
    );
    // Nodes do not tick in lockstep: the first tick comes after a drawn phase.
    const phaseMs = this.random.integer(`timers/${nodeName(id)}`, 0, this.scenario.tickMs - 1);
    this.schedule(this.nowMs + this.scenario.tickMs + phaseMs, { kind: 'tick', node: id, incarnation: slot.incarnation });
    if (restart) this.noteState(id);
  }

  private crashNode(id: NodeId): void {
    const slot = this.slots[id];
    if (slot.instance === null) return this.note('already down');
    this.statistics.crashes += 1;
    slot.instance = null;
    const lost = slot.storage.crash(0);
    if (lost > 0) this.note(`lost ${lost} unsynced record(s)`);
    this.observation.crashed(id);
    if (this.believedLeader === id) this.believedLeader = null;
    for (const checker of this.checkers) {
      const violation = checker.afterCrash?.(id, this.observation, this.eventCount, this.nowMs) ?? null;
      if (violation !== null) {
        this.report(violation);
        return;
      }
    }
  }

  /** Sends one input to a node and handles its output. Throws ImplementationFault to end the run. */
  private stepNode(id: NodeId, input: Input, started: boolean): Output {
    const slot = this.slots[id];
    const instance = slot.instance;
    if (instance === null) throw new Error(`harness bug: step on a crashed node ${id}`);
    let output: Output;
    try {
      output = instance.step(input);
    } catch (error) {
      this.failImplementation(id, input, `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
    this.checkOutput(id, input, output);

    const storage = slot.storage;
    if (output.records.length > 0) storage.append(output.records);
    if (output.sync) storage.sync();

    let change: StepChange;
    try {
      change = this.observation.observe(id, output, started, this.eventCount, this.nowMs);
    } catch (error) {
      if (error instanceof ViewError) this.failImplementation(id, input, `state view: ${error.message}`);
      throw error;
    }
    if (output.messages.length > 0) {
      for (const outbound of output.messages) this.send(id, outbound.to, outbound.message);
      this.observation.revealed(id);
    }
    this.hashOutput(output);
    if (this.currentLogEvent !== null && this.currentLogEvent.node === id) this.noteState(id, change);

    // Extend the committed history first, so that checkers see this step's commits; comparisons
    // against what was committed before use change.committedLengthBefore.
    this.observation.extendCommitted(change);
    for (const checker of this.checkers) {
      const violation = checker.afterStep({ change, cluster: this.observation });
      if (violation !== null) {
        this.report(violation);
        break;
      }
    }
    return output;
  }

  private checkOutput(id: NodeId, input: Input, output: Output): void {
    if (output === null || typeof output !== 'object' || !Array.isArray(output.messages) || !Array.isArray(output.records)) {
      this.failImplementation(id, input, 'returned something that is not an output (messages, records, sync, applied, answers)');
    }
    for (const outbound of output.messages) {
      if (outbound.to === id) this.failImplementation(id, input, `sent a ${outbound.message?.type} message to itself`);
      if (!this.members.includes(outbound.to)) {
        this.failImplementation(id, input, `sent a ${outbound.message?.type} message to unknown node ${String(outbound.to)}`);
      }
    }
  }

  private failImplementation(id: NodeId, input: Input, message: string): never {
    this.implementationError = {
      node: id,
      input: describeInput(input),
      message,
      eventNumber: this.eventCount,
      timeMs: this.nowMs,
    };
    throw new ImplementationFault(message);
  }

  private send(from: NodeId, to: NodeId, message: Message): void {
    this.statistics.messagesSent += 1;
    this.messageCounter += 1;
    if (this.network.isCut(from, to) || this.network.shouldDrop(this.random)) {
      this.statistics.messagesDropped += 1;
      return;
    }
    const delayMs = this.network.drawDelayMs(this.random);
    this.schedule(this.nowMs + delayMs, { kind: 'deliver', from, to, message, messageId: this.messageCounter });
  }

  private handleAnswer(event: SimEvent & { kind: 'propose' }, answer: ProposalAnswer): void {
    if (answer.kind === 'accepted') {
      this.believedLeader = event.node;
      return;
    }
    if (this.believedLeader === event.node) this.believedLeader = null;
    const hint = answer.leaderHint;
    if (hint !== null && hint !== event.node && this.members.includes(hint) && event.redirects < this.scenario.workload.redirectsMax) {
      this.note(`not leader, redirected to ${nodeName(hint)}`);
      this.schedule(this.nowMs + 1, { kind: 'propose', node: hint, command: event.command, redirects: event.redirects + 1 });
    } else {
      this.note('not leader');
    }
  }

  // ---- fault and workload processes ---------------------------------------------------------

  private hasFaultProcess(): boolean {
    const faults = this.scenario.faults;
    return faults.crashesPerSecond > 0 || faults.isolationsPerSecond > 0;
  }

  private drawFaults(): void {
    const faults = this.scenario.faults;
    const perDecision = faults.decisionIntervalMs / 1000;
    if (this.random.chance('faults', faults.crashesPerSecond * perDecision)) {
      const up = this.members.filter((id) => this.slots[id].instance !== null);
      const down = this.members.length - up.length;
      if (down < faults.crashedNodesMax && up.length > 0) {
        const victim = up[this.random.index('faults', up.length)];
        const restartDelayMs = this.random.integer('faults', faults.restartDelayMsMin, faults.restartDelayMsMax);
        this.schedule(this.nowMs, { kind: 'crash', node: victim });
        this.schedule(this.nowMs + restartDelayMs, { kind: 'restart', node: victim });
      }
    }
    if (this.random.chance('faults', faults.isolationsPerSecond * perDecision) && this.isolatedNode === null) {
      const victim = this.members[this.random.index('faults', this.members.length)];
      const durationMs = this.random.integer('faults', faults.isolationMsMin, faults.isolationMsMax);
      this.isolatedNode = victim;
      this.schedule(this.nowMs, { kind: 'isolate', node: victim });
      this.schedule(this.nowMs + durationMs, { kind: 'heal' });
    }
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
    this.commandCounter += 1;
    const id = this.commandCounter;
    const operations = ['set', 'get', 'del'] as const;
    const op = operations[this.random.index('workload', operations.length)];
    const key = `k${this.random.index('workload', workload.keys)}`;
    const command: Command = op === 'set' ? { id, op, key, value: `v${id}` } : { id, op, key };
    let target = this.believedLeader;
    if (target === null || this.slots[target].instance === null) {
      target = this.members[this.random.index('workload', this.members.length)];
    }
    this.schedule(this.nowMs, { kind: 'propose', node: target, command, redirects: 0 });
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  private schedule(timeMs: number, body: EventBody): void {
    (body as SimEvent).timeMs = timeMs;
    (body as SimEvent).sequence = 0;
    this.queue.push(body as SimEvent);
  }

  private finish(): void {
    this.finished = true;
    for (const checker of this.checkers) {
      const violation = checker.audit(this.observation, this.eventCount, this.nowMs);
      if (violation !== null) {
        this.report(violation);
        return;
      }
    }
  }

  private hashEvent(event: SimEvent): void {
    const hasher = this.hasher;
    hasher.number(eventKindCodes[event.kind]).number(event.timeMs);
    switch (event.kind) {
      case 'tick':
        hasher.number(event.node);
        break;
      case 'deliver':
        hasher.number(event.from).number(event.to).number(event.messageId).string(event.message.type);
        break;
      case 'propose':
        hasher.number(event.node).number(event.command.id);
        break;
      case 'crash':
      case 'restart':
      case 'isolate':
        hasher.number(event.node);
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

  private noteState(id: NodeId, change?: StepChange): void {
    const logEvent = this.currentLogEvent;
    if (logEvent === null) return;
    const mirror = this.observation.mirror(id);
    if (change === undefined || change.started || change.previousRole !== mirror.role || change.previousTerm !== mirror.term) {
      logEvent.role = mirror.role;
      logEvent.term = mirror.term;
    }
    if (change === undefined || change.previousCommitIndex !== mirror.commitIndex) logEvent.commitIndex = mirror.commitIndex;
  }
}

function scheduledActionEvent(action: ScheduledAction): EventBody {
  switch (action.action) {
    case 'crash':
      return { kind: 'crash', node: action.node };
    case 'restart':
      return { kind: 'restart', node: action.node };
    case 'isolate':
      return { kind: 'isolate', node: action.node };
    case 'heal':
      return { kind: 'heal' };
  }
}

function describeEvent(event: SimEvent, eventNumber: number): TraceEvent {
  const base: TraceEvent = { n: eventNumber, t: event.timeMs, kind: event.kind };
  switch (event.kind) {
    case 'tick':
    case 'crash':
    case 'restart':
    case 'isolate':
      base.node = event.node;
      break;
    case 'deliver':
      base.node = event.to;
      base.from = event.from;
      base.type = event.message.type;
      base.messageId = event.messageId;
      break;
    case 'propose':
      base.node = event.node;
      base.commandId = event.command.id;
      base.type = event.command.op;
      break;
    default:
      break;
  }
  return base;
}

export function describeInput(input: Input): string {
  switch (input.kind) {
    case 'start':
      return `start (${input.records.length} durable records)`;
    case 'tick':
      return 'tick';
    case 'deliver':
      return `deliver ${input.message?.type ?? '?'} from ${nodeName(input.from)}`;
    case 'propose':
      return `propose command ${input.command.id} (${input.command.op} ${input.command.key})`;
  }
}

function canonicalPendingEvent(event: SimEvent, nowMs: number): string {
  const dueMs = event.timeMs - nowMs;
  switch (event.kind) {
    case 'deliver':
      return `deliver ${dueMs} ${event.from}>${event.to} ${JSON.stringify(event.message)}`;
    case 'propose':
      return `propose ${dueMs} ${event.node} ${JSON.stringify(event.command)} ${event.redirects}`;
    case 'tick':
    case 'crash':
    case 'restart':
    case 'isolate':
      return `${event.kind} ${dueMs} ${event.node}`;
    default:
      return `${event.kind} ${dueMs}`;
  }
}

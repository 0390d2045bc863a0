// Probe implementations and scenario builders for the fault tests. A probe is a tiny
// implementation of the contract that does nothing Raft-like: it records every input it receives
// (with the virtual time and the event number it arrived in) in a shared log, and it sends
// messages and writes records on a fixed pattern, so that a test can see exactly what each fault
// did to what the nodes saw.

import type { Implementation, Input, NodeInstance, OutboundMessage, Output, StartInput, StateView } from '../../src/contract/contract.js';
import { emptyList } from '../../src/contract/contract.js';
import type { NodeId } from '../../src/core/ids.js';
import { nodeIds } from '../../src/core/ids.js';
import type { Scenario, ScheduledFault } from '../../src/sim/scenario.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { checkScenario } from '../../src/sim/scenarioSchema.js';
import type { EventKind } from '../../src/sim/events.js';
import type { SimulationOptions, SimulationResult, TraceEvent } from '../../src/sim/simulation.js';
import { Simulation } from '../../src/sim/simulation.js';

// ---- what the probes record --------------------------------------------------------------

export interface ProbeInput {
  node: NodeId;
  /** 1 for the first instance of the node, 2 after the first restart, ... */
  incarnation: number;
  atMs: number;
  /** The number of the event this input was handed over in (0 while the simulation starts). */
  eventNumber: number;
  input: Input;
}

/** The body of every probe message: who sent it, its number at that sender and when it left. */
export interface PingBody {
  from: NodeId;
  seq: number;
  sentAtMs: number;
}

/** A durable record as the probes write it. */
export interface ProbeRecord {
  node: NodeId;
  incarnation: number;
  /** The tick of that incarnation the record was written on (1-based). */
  tick: number;
  /** Whether the output that carried it asked for a sync. */
  synced: boolean;
}

export class ProbeLog {
  /** Set once the simulation exists; inputs during its constructor happen at time 0. */
  simulation: Simulation | null = null;
  readonly inputs: ProbeInput[] = [];
  /** Every record each node wrote, in order, across incarnations. */
  readonly written = new Map<NodeId, ProbeRecord[]>();
  /** Messages each output tried to send, with the time they were handed to the harness. */
  readonly sent: { node: NodeId; atMs: number; to: NodeId; body: PingBody }[] = [];
  instancesCreated = 0;
  private readonly incarnations = new Map<NodeId, number>();

  get nowMs(): number {
    return this.simulation?.nowMs ?? 0;
  }

  get eventNumber(): number {
    return this.simulation?.eventsProcessed ?? 0;
  }

  nextIncarnation(node: NodeId): number {
    const incarnation = (this.incarnations.get(node) ?? 0) + 1;
    this.incarnations.set(node, incarnation);
    return incarnation;
  }

  inputsOf(node: NodeId, kind?: Input['kind']): ProbeInput[] {
    return this.inputs.filter((entry) => entry.node === node && (kind === undefined || entry.input.kind === kind));
  }

  /** Tick times of one node. */
  tickTimes(node: NodeId): number[] {
    return this.inputsOf(node, 'tick').map((entry) => entry.atMs);
  }

  /** Every probe message delivered, in delivery order. */
  deliveries(): Delivery[] {
    const result: Delivery[] = [];
    for (const entry of this.inputs) {
      if (entry.input.kind !== 'deliver') continue;
      const body = entry.input.message.body as PingBody;
      result.push({ from: entry.input.from, to: entry.node, seq: body.seq, sentAtMs: body.sentAtMs, atMs: entry.atMs, eventNumber: entry.eventNumber });
    }
    return result;
  }

  /** The start inputs of one node, in order. */
  starts(node: NodeId): StartInput[] {
    return this.inputsOf(node, 'start').map((entry) => entry.input as StartInput);
  }
}

export interface Delivery {
  from: NodeId;
  to: NodeId;
  seq: number;
  sentAtMs: number;
  atMs: number;
  eventNumber: number;
}

// ---- probe behaviours ----------------------------------------------------------------------

export interface ProbeContext {
  id: NodeId;
  members: readonly NodeId[];
  incarnation: number;
  /** Ticks this incarnation has received, this one included. */
  ticks: number;
  nowMs: number;
  /** Sends a Ping to a peer (stamped with the sender, a sequence number and the time). */
  ping(to: NodeId): OutboundMessage;
}

/** What a behaviour adds to one output. Behaviours are combined by concatenation. */
export interface ProbePart {
  messages?: OutboundMessage[];
  records?: ProbeRecord[];
  sync?: boolean;
  state?: StateView;
}

export interface ProbeBehaviour {
  onTick?(context: ProbeContext): ProbePart;
  onStart?(context: ProbeContext, input: StartInput): ProbePart;
  /** A view to attach to every output (tick, deliver, start, propose). */
  view?(context: ProbeContext): StateView | undefined;
}

type Senders = 'all' | readonly NodeId[];

function sends(senders: Senders, id: NodeId): boolean {
  return senders === 'all' || senders.includes(id);
}

/** The listed nodes send one Ping to every peer on their first tick (of every incarnation). */
export function pingOnFirstTick(senders: Senders = [1], to?: readonly NodeId[]): ProbeBehaviour {
  return {
    onTick: (context) => {
      if (context.ticks !== 1 || !sends(senders, context.id)) return {};
      return { messages: (to ?? context.members).filter((peer) => peer !== context.id).map((peer) => context.ping(peer)) };
    },
  };
}

/** The listed nodes send one Ping to each of the peers (default: every peer) on every tick. */
export function pingEveryTick(senders: Senders = 'all', to?: readonly NodeId[]): ProbeBehaviour {
  return {
    onTick: (context) => {
      if (!sends(senders, context.id)) return {};
      return { messages: (to ?? context.members).filter((peer) => peer !== context.id).map((peer) => context.ping(peer)) };
    },
  };
}

/**
 * The listed nodes write one record on each of their first `ticksMax` ticks; `sync(tick)` says
 * whether that output is a sync point.
 */
export function writeOnTicks(options: { writers?: Senders; ticksMax?: number; sync: (tick: number) => boolean }): ProbeBehaviour {
  const writers = options.writers ?? 'all';
  const ticksMax = options.ticksMax ?? Number.POSITIVE_INFINITY;
  return {
    onTick: (context) => {
      if (!sends(writers, context.id) || context.ticks > ticksMax) return {};
      const synced = options.sync(context.ticks);
      return { records: [{ node: context.id, incarnation: context.incarnation, tick: context.ticks, synced }], sync: synced };
    },
  };
}

/** A view in which `leader` leads term 1 and every other node follows it. */
export function fixedLeaderView(leader: NodeId | null): ProbeBehaviour {
  return {
    view: (context) => ({
      role: context.id === leader ? 'leader' : 'follower',
      term: 1,
      votedFor: leader,
      commitIndex: 0,
      appliedIndex: 0,
      leaderHint: leader,
    }),
  };
}

export function combine(...behaviours: ProbeBehaviour[]): ProbeBehaviour {
  const merge = (parts: ProbePart[]): ProbePart => ({
    messages: parts.flatMap((part) => part.messages ?? []),
    records: parts.flatMap((part) => part.records ?? []),
    sync: parts.some((part) => part.sync === true),
  });
  return {
    onTick: (context) => merge(behaviours.map((behaviour) => behaviour.onTick?.(context) ?? {})),
    onStart: (context, input) => merge(behaviours.map((behaviour) => behaviour.onStart?.(context, input) ?? {})),
    view: (context) => {
      for (const behaviour of behaviours) {
        const view = behaviour.view?.(context);
        if (view !== undefined) return view;
      }
      return undefined;
    },
  };
}

class ProbeNode implements NodeInstance {
  private context: ProbeContext | null = null;
  private seq = 0;

  constructor(private readonly log: ProbeLog, private readonly behaviour: ProbeBehaviour) {}

  step(input: Input): Output {
    const log = this.log;
    if (input.kind === 'start') {
      const incarnation = log.nextIncarnation(input.id);
      this.context = {
        id: input.id,
        members: input.members,
        incarnation,
        ticks: 0,
        nowMs: log.nowMs,
        ping: (to) => this.ping(to),
      };
    }
    const context = this.context;
    if (context === null) throw new Error('probe: an input before start');
    context.nowMs = log.nowMs;
    log.inputs.push({ node: context.id, incarnation: context.incarnation, atMs: log.nowMs, eventNumber: log.eventNumber, input });

    let part: ProbePart = {};
    if (input.kind === 'start') part = this.behaviour.onStart?.(context, input) ?? {};
    if (input.kind === 'tick') {
      context.ticks += 1;
      part = this.behaviour.onTick?.(context) ?? {};
    }
    const records = part.records ?? [];
    if (records.length > 0) {
      const written = log.written.get(context.id) ?? [];
      written.push(...records);
      log.written.set(context.id, written);
    }
    const messages = part.messages ?? [];
    for (const outbound of messages) log.sent.push({ node: context.id, atMs: log.nowMs, to: outbound.to, body: outbound.message.body as PingBody });
    const view = this.behaviour.view?.(context);
    return {
      messages,
      records,
      sync: part.sync ?? false,
      applied: emptyList,
      answers: input.kind === 'propose' ? [{ commandId: input.command.id, kind: 'notLeader', leaderHint: null }] : emptyList,
      ...(view !== undefined ? { state: view } : {}),
    };
  }

  private ping(to: NodeId): OutboundMessage {
    const context = this.context!;
    this.seq += 1;
    const body: PingBody = { from: context.id, seq: this.seq, sentAtMs: this.log.nowMs };
    return { to, message: { type: 'Ping', body } };
  }
}

export function probeImplementation(log: ProbeLog, behaviour: ProbeBehaviour): Implementation {
  return {
    name: 'probe',
    version: '0',
    createNode: () => {
      log.instancesCreated += 1;
      return new ProbeNode(log, behaviour);
    },
  };
}

// ---- scenarios -----------------------------------------------------------------------------

/**
 * The default scenario with every random fault process off, no client load, no liveness phase,
 * and a network that delivers every message after exactly 1 ms: a quiet world in which only the
 * faults a test schedules happen.
 */
export function quietScenario(durationMs = 1_000): Scenario {
  const scenario = defaultScenario();
  scenario.name = 'probe';
  scenario.description = 'a quiet world for one fault';
  scenario.durationMs = durationMs;
  scenario.network.delay = { distribution: 'constant', minMs: 1, maxMs: 1 };
  scenario.network.dropProbability = 0;
  scenario.network.duplicateProbability = 0;
  scenario.network.longDelayProbability = 0;
  scenario.faults.crash.perSecond = 0;
  scenario.faults.partition.perSecond = 0;
  scenario.faults.pause.perSecond = 0;
  scenario.faults.slow.perSecond = 0;
  scenario.storage.tornWriteProbability = 0;
  scenario.storage.corruptionsPerSecond = 0;
  scenario.clocks.driftMax = 0;
  scenario.clocks.jumpsPerSecond = 0;
  scenario.workload.proposalsPerSecond = 0;
  scenario.liveness.enabled = false;
  return scenario;
}

/** A quiet scenario with exactly these scheduled faults. */
export function scheduled(schedule: ScheduledFault[], durationMs = 1_000): Scenario {
  const scenario = quietScenario(durationMs);
  scenario.schedule = schedule;
  return scenario;
}

/** Throws with every problem if checkScenario rejects a hand-built scenario. */
export function assertValid(scenario: Scenario): Scenario {
  const errors = checkScenario(scenario);
  if (errors.length > 0) throw new Error(`invalid test scenario: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`);
  return scenario;
}

export interface ProbeRun {
  simulation: Simulation;
  log: ProbeLog;
  result: SimulationResult;
  events: readonly TraceEvent[];
}

/** Builds a simulation of the probe over a validated scenario, runs it and returns everything. */
export function runProbe(options: { scenario: Scenario; behaviour: ProbeBehaviour; seed?: number; choices?: SimulationOptions['choices'] }): ProbeRun {
  const { simulation, log } = startProbe(options);
  const result = simulation.run();
  return { simulation, log, result, events: result.eventLog ?? [] };
}

/** Builds the simulation without running it (for tests that step it). */
export function startProbe(options: { scenario: Scenario; behaviour: ProbeBehaviour; seed?: number; choices?: SimulationOptions['choices'] }): {
  simulation: Simulation;
  log: ProbeLog;
} {
  const log = new ProbeLog();
  const simulation = new Simulation({
    implementation: probeImplementation(log, options.behaviour),
    scenario: assertValid(options.scenario),
    seed: options.seed ?? 1,
    invariants: [],
    recordEvents: true,
    ...(options.choices !== undefined ? { choices: options.choices } : {}),
  });
  log.simulation = simulation;
  return { simulation, log };
}

// ---- reading results -----------------------------------------------------------------------

export function eventsOf(events: readonly TraceEvent[], kind: EventKind): TraceEvent[] {
  return events.filter((event) => event.kind === kind);
}

export function withNote(events: readonly TraceEvent[], text: string): TraceEvent[] {
  return events.filter((event) => event.note?.includes(text) ?? false);
}

export function link(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}

/** Every directed link of an n-node cluster, as "from>to". */
export function allLinks(nodes: number): string[] {
  const links: string[] = [];
  for (const from of nodeIds(nodes)) for (const to of nodeIds(nodes)) if (from !== to) links.push(link(from, to));
  return links;
}

/** The links cut between groups (both ways), as "from>to". */
export function crossLinks(groups: readonly (readonly NodeId[])[]): string[] {
  const links: string[] = [];
  groups.forEach((group, index) =>
    groups.forEach((other, otherIndex) => {
      if (index !== otherIndex) for (const from of group) for (const to of other) links.push(link(from, to));
    }),
  );
  return links;
}

/** The links over which some message sent in [fromMs, toMs) was delivered. */
export function linksDelivered(deliveries: readonly Delivery[], fromMs: number, toMs: number): Set<string> {
  return new Set(deliveries.filter((delivery) => delivery.sentAtMs >= fromMs && delivery.sentAtMs < toMs).map((delivery) => link(delivery.from, delivery.to)));
}

/** Sorted list of a set's members (for readable equality). */
export function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

export function without(all: readonly string[], removed: readonly string[]): string[] {
  const gone = new Set(removed);
  return all.filter((item) => !gone.has(item)).sort();
}

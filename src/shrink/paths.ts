// Explore paths as trace files, and their replay. A path is a list of steps (src/world/system.ts
// ExploreStep: messages by content, not by position), so a trace replays without the search.
// The trace file is the simulator's format (src/sim/trace.ts) at version 2, with an `explore`
// field holding the options and the steps; `raftcheck replay` dispatches on that field and
// `raftcheck show` prints its events like any other trace's.
//
// The replay drives the same transition system, whose steps the real invariants/ checkers judge
// as the simulator's are (src/world/judge.ts); the end-of-run audit judges the last world.
// Steps that carry clients' commands build a client history (src/world/history.ts), which
// is checked for linearizability each time an operation completes, so a path stops at the first
// completion that leaves the history without a linearization. The step shrinker's candidates go
// through this same replay (PathReplay), tolerant of steps that no longer fit (StepResolution).

import type { Implementation, ImplementationOptions } from '../contract/contract.js';
import { Hasher } from '../core/hash.js';
import { assert } from '../core/assert.js';
import type { NodeId } from '../core/ids.js';
import { nodeName } from '../core/ids.js';
import { plural } from '../core/text.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import type { Output } from '../contract/contract.js';
import type { TraceEvent } from '../sim/events.js';
import type { ClusterJudge } from '../world/judge.js';
import { defaultClientOptions } from '../sim/scenario.js';
import type { Scenario } from '../sim/scenario.js';
import { parseScenario } from '../sim/scenarioSchema.js';
import type { SimulationResult } from '../sim/simulation.js';
import { describeMembershipSteps, emptyStatistics } from '../sim/simulation.js';
import type { TraceFile } from '../sim/trace.js';
import { exploreTraceFormatVersion, traceFormat } from '../sim/trace.js';
import { ClientHistory, recordSessionCommand } from '../world/history.js';
import type { Choice, ExploreStep, InFlight, StepObserver, Transition, World } from '../world/system.js';
import { exploreStepKinds, TransitionSystem } from '../world/system.js';
import type { InitialNode } from '../world/system.js';
import type { HarnessError, Inconclusive, ObservedNode, StepChange, Violation } from '../contract/observation.js';
import { isHarnessError } from '../contract/observation.js';

/** What an explore trace records besides the steps: enough to rebuild the transition system. */
export interface ExploreTraceInfo {
  nodes: number;
  /** Feature 'membership': spare nodes after the members (absent: none). */
  spares?: number;
  implementationOptions: ImplementationOptions;
  /**
   * Durability probes on every node step (src/world/probes.ts): an explore search with probes on,
   * or a path that shows a failure a probe finds (durable-promise). Absent: off.
   */
  durabilityProbes?: boolean;
  /** Where the path begins when not from empty storage: the durable state a longer path left (PathStart). */
  start?: PathStart;
  strategy: string;
  bounds: Record<string, number>;
  distinctStates: number;
  steps: ExploreStep[];
}

/** The scenario an explore path runs in, or what is wrong with its cluster size and node options. */
function parseExploreScenario(nodes: number, implementationOptions: ImplementationOptions, spares = 0): { ok: true; scenario: Scenario } | { ok: false; message: string } {
  const parsed = parseScenario(
    {
      name: 'explore',
      description: 'A path of the exhaustive explorer: every step a choice, no virtual time (t counts steps).',
      nodes,
      implementation: implementationOptions,
      liveness: { enabled: false },
      faults: { crash: { perSecond: 0 }, partition: { perSecond: 0 } },
      network: { dropProbability: 0 },
      workload: { proposalsPerSecond: 0 },
      // The spares a path's changes may add; the changes themselves are the path's own steps.
      ...(spares > 0 ? { membership: { spares, changesPerSecond: 0 } } : {}),
    },
    'explore',
  );
  return parsed.ok ? parsed : { ok: false, message: parsed.errors.map((error) => `${error.path}: ${error.message}`).join('; ') };
}

/** The scenario an explore trace carries: the cluster and the node options; no fault processes. */
export function exploreScenario(nodes: number, implementationOptions: ImplementationOptions, spares = 0): Scenario {
  const parsed = parseExploreScenario(nodes, implementationOptions, spares);
  // A trace's options are checked when it is read (exploreInfoOf); the explorer's own are fixed values.
  assert(parsed.ok, `explore scenario: ${parsed.ok ? '' : parsed.message}`);
  return parsed.scenario;
}

/** The cluster a path runs on: its members, its spares and the options every node is started with. */
export interface ExplorePathCluster {
  nodes: number;
  spares?: number;
  implementationOptions: ImplementationOptions;
  /** Durability probes on every node step (absent: off). */
  durabilityProbes?: boolean;
  /** Absent: the members start over empty storage. */
  start?: PathStart;
}

/**
 * A path that begins where a longer one left the cluster's durable state (the step shrink's cut:
 * src/shrink/steps.ts): every node that had run starts over the records it had synced there, as
 * though all had crashed and restarted at once; removed nodes stay removed. What happened before
 * matters to the failure only through those records.
 */
export interface PathStart {
  /** How many steps of the longer path the cut left out (for the reader: the records hold their effect). */
  cutAfterSteps: number;
  /** By node id (index 0 is n1): every member and spare. */
  nodes: InitialNode[];
}

/**
 * The transition system a path replays in: no symmetry (the steps name real node ids) and no
 * bound, since a path is judged for what it does, not for the search that found it.
 */
export function replaySystem(implementation: Implementation, cluster: ExplorePathCluster, invariants: readonly InvariantDefinition[]): TransitionSystem {
  const unbounded = Number.POSITIVE_INFINITY;
  return new TransitionSystem({
    implementation,
    invariants,
    nodes: cluster.nodes,
    spares: cluster.spares,
    implementationOptions: cluster.implementationOptions,
    symmetry: false,
    clone: true,
    termMax: unbounded,
    crashesMax: unbounded,
    requestsMax: unbounded,
    dropsMax: unbounded,
    reordersMax: unbounded,
    messagesInFlightMax: unbounded,
    membershipChangesMax: unbounded,
    transfersMax: unbounded,
    // Nothing shared: a violation's evidence is this path's own.
    intern: false,
    durabilityProbes: cluster.durabilityProbes === true,
    ...(cluster.start !== undefined ? { initialNodes: cluster.start.nodes } : {}),
  });
}

/**
 * How a replay takes the steps of a path. A trace's replay is strict: each step must be possible
 * exactly as written. The step shrinker's candidates are tolerant (src/shrink/steps.ts): a step
 * not possible where it stands is skipped, and a delivery may take the nearest message on its
 * link; the replay then records each step as it was taken, so that the concrete path it returns
 * replays strictly to the same result.
 */
export interface StepResolution {
  /** The choice a step stands for in this world, or null when it is not possible. */
  choiceOf(system: TransitionSystem, world: World, step: ExploreStep): Choice | null;
  /** Skip a step that is not possible (a shrink candidate), rather than fail the replay (a trace). */
  readonly skipsImpossible: boolean;
}

const strictResolution: StepResolution = { choiceOf: (system, world, step) => system.choiceOf(world, step), skipsImpossible: false };

/** A replayed path: the steps as taken (up to where the replay stopped), and the result. */
export interface ReplayedPath {
  steps: ExploreStep[];
  result: SimulationResult;
  /** Whether the finding, if any, came from judging a step (not from the clients' history or the end-of-run audit). */
  foundAtStep: boolean;
}

/**
 * Replays steps through the transition system, judged by `invariants` as every driver judges a
 * step (src/world/judge.ts), with the clients' history checked at every completion and the
 * end-of-run audit at the end; the result has the simulator's shape.
 */
export function replayExplorePath(
  implementation: Implementation,
  info: Omit<ExploreTraceInfo, 'strategy' | 'bounds' | 'distinctStates'>,
  invariants: readonly InvariantDefinition[],
): SimulationResult | { error: string } {
  const replay = new PathReplay(implementation, info, invariants);
  try {
    const replayed = replay.replay(info.steps, { record: true });
    return 'error' in replayed ? replayed : replayed.result;
  } finally {
    // A shrink replays thousands of paths: none may keep its instances (processes) alive.
    replay.dispose();
  }
}

/**
 * Steps a replay system may have replayed before its memos are dropped (PathReplay.freshWhenFull).
 * Measured on config-on-commit-not-append seed 433, its step stage from a lifted path of 2,380
 * steps to its fixpoint (155 steps, 2,500 replays): 19 to 23 s with any bound from 5,000 to
 * 50,000 steps, over 40 s with 1,000,000 or none (and not done). Little is lost by dropping: a
 * candidate shares its prefix with the best path, which the next replay memoizes again.
 */
const replayedStepsMax = 20_000;

/**
 * Replays paths, one after another, in one transition system; each replay starts from a fresh
 * initial world and stops at the first violation. With `record`, every node step is observed and
 * computed afresh: the result has the readable events, their states and the trace hash that a
 * trace file holds. Without, the system computes each (node state, input) once over the replays
 * (TransitionSystem.perform; the clients' answers, where the path has clients, are observed from
 * its memos), and the result is a verdict: status, finding and the number of steps, no events,
 * no trace hash.
 */
export class PathReplay {
  private system: TransitionSystem;
  /** The initial world of every verdict: its node states keep what the system computed from them. */
  private initial: Transition | null = null;
  /** Steps replayed on the system since it was made (see replayedStepsMax). */
  private stepsReplayed = 0;

  constructor(
    private readonly implementation: Implementation,
    private readonly path: ExplorePathCluster,
    private readonly invariants: readonly InvariantDefinition[],
    private readonly resolution: StepResolution = strictResolution,
    /** Steps replayed before the system's memos are dropped (replayedStepsMax). */
    private readonly memoStepsMax = replayedStepsMax,
  ) {
    this.system = replaySystem(implementation, path, invariants);
  }

  /**
   * A fresh system once the memos hold more than memoStepsMax replayed steps. A verdict reuses
   * what the system computed (every step is kept with the node state it left from, so a path
   * that shares a prefix with one replayed before finds that prefix's states and verdicts), and
   * so keeps the states of every path it ever replayed: a shrink replays thousands of paths of
   * thousands of steps each, and the collector then spent more than half the time marking them.
   */
  private freshWhenFull(steps: number): void {
    this.stepsReplayed += steps;
    if (this.stepsReplayed <= this.memoStepsMax) return;
    this.system.dispose();
    this.system = replaySystem(this.implementation, this.path, this.invariants);
    this.initial = null;
    this.stepsReplayed = steps;
  }

  /** Disposes the live instances of the nodes (it stays usable: they are re-created). */
  dispose(): void {
    this.system.dispose();
  }

  /** With `onWorld`, it is handed every world the path goes through, the initial one first. */
  replay(steps: readonly ExploreStep[], options: { record: boolean; onWorld?: (world: World) => void }): ReplayedPath | { error: string } {
    this.freshWhenFull(steps.length);
    const system = this.system;
    const info = { nodes: system.bootstrap.length, spares: system.members.length - system.bootstrap.length, implementationOptions: system.options.implementationOptions };
    const recorder = new PathRecorder(options.record, steps.some(hasClientCommand));
    // The initial world outputs no answer, so an observer of the steps alone misses nothing in it.
    let transition = recorder.observer === undefined || recorder.observer.stepsOnly === true ? (this.initial ??= system.initial()) : system.initial(recorder.observer);
    let world: World = transition.world;
    options.onWorld?.(world);
    const taken: ExploreStep[] = [];
    const done = (finding: Violation | HarnessError | null, implementationError: SimulationResult['implementationError'], foundAtStep: boolean) => ({ steps: taken, result: recorder.result(info, world, finding, implementationError), foundAtStep });
    if (transition.implementationError !== null) return done(null, { ...transition.implementationError, eventNumber: 0, timeMs: 0 }, false);
    const delivered = new DeliveredMessages();
    for (const [index, step] of steps.entries()) {
      if (transition.violation !== null) return done(transition.violation, null, !recorder.historyFound);
      const choice = delivered.allows(step) ? this.resolution.choiceOf(system, world, step) : null;
      if (choice === null && this.resolution.skipsImpossible) continue;
      if (choice === null) return { error: `step ${index + 1} (${step.kind}) is not possible in the state the steps before it reach` };
      // A tolerant replay records the step it took; a strict one the step as written (its trace hash).
      const recorded = this.resolution.skipsImpossible ? system.describe(world, choice) : step;
      delivered.note(recorded);
      taken.push(recorded);
      recorder.begin(taken.length, recorded);
      transition = system.apply(world, choice, recorder.observer, taken.length);
      world = transition.world;
      options.onWorld?.(world);
      if (transition.implementationError !== null) return done(null, { ...transition.implementationError, eventNumber: taken.length, timeMs: taken.length }, false);
      if (transition.violation === null && recorder.completedSince()) transition = { ...transition, violation: recorder.checkHistory(system.judgeOf(world)) };
    }
    if (transition.violation !== null) return done(transition.violation, null, !recorder.historyFound);
    return done(system.judgeOf(world).audit(taken.length, taken.length), null, false);
  }
}

function hasClientCommand(step: ExploreStep): boolean {
  return (step.kind === 'propose' || step.kind === 'read') && step.command.client !== undefined;
}

/**
 * The messages a path delivered, by link and content: a duplicate step may only hand over a
 * second copy of one of them (a copy of a message never sent would be a forgery, not a fault).
 */
export class DeliveredMessages {
  private readonly seen = new Set<string>();

  allows(step: ExploreStep): boolean {
    return step.kind !== 'duplicate' || this.seen.has(DeliveredMessages.key(step));
  }

  note(step: ExploreStep): void {
    if (step.kind === 'deliver') this.seen.add(DeliveredMessages.key(step));
  }

  private static key(step: { from: NodeId; to: NodeId; message: unknown }): string {
    return `${step.from}>${step.to}:${JSON.stringify(step.message)}`;
  }
}

/**
 * Keeps a replayed path's readable events, its hash and its clients' history; the judging is the
 * system's. Without recording it only counts the steps, and keeps the clients' history where the
 * path has clients (the replay is then a verdict).
 */
class PathRecorder implements StepObserver {
  private readonly hasher = new Hasher();
  private readonly clients = new ClientHistory();
  private readonly inconclusive: Inconclusive[] = [];
  private readonly events: TraceEvent[] = [];
  private stepNumber = 0;
  private event: TraceEvent | null = null;
  private completed = false;
  /** Ids of the messages in flight, counted up as they are sent, as the simulator numbers them: for the trace's arrows. */
  private readonly messageIds = new Map<InFlight, number>();
  private messagesSent = 0;
  /** Set when the clients' history check found the violation. */
  historyFound = false;
  /**
   * The system's observer: this recorder when it records; for a verdict on a path with clients,
   * one that reads what the steps answered and nothing else, so that the system may reuse what it
   * computed (StepObserver.stepsOnly), as it does for a verdict without clients (none).
   */
  readonly observer: StepObserver | undefined;

  constructor(
    private readonly recording: boolean,
    clients: boolean,
  ) {
    this.observer = recording ? this : clients ? this.clientsObserver() : undefined;
  }

  private clientsObserver(): StepObserver {
    return {
      stepsOnly: true,
      stepped: (node, output) => this.answered(node, output),
      crashed: (node) => {
        this.clients.crashed(node);
      },
    };
  }

  /** What a node answered and applied in a step, into the clients' history. */
  private answered(node: NodeId, output: Output): void {
    if (this.clients.stepped(node, output, this.stepNumber) > 0) this.completed = true;
  }

  begin(stepNumber: number, step: ExploreStep): void {
    this.stepNumber = stepNumber;
    if (this.observer === undefined) return;
    if (step.kind === 'propose' || step.kind === 'read') recordSessionCommand(this.clients, step.node, step.command, step.kind === 'read', stepNumber);
    if (!this.recording) return;
    this.event = eventOfStep(stepNumber, step);
    this.hasher.string(JSON.stringify(step));
    this.events.push(this.event);
  }

  sent(message: InFlight): void {
    this.messagesSent += 1;
    this.messageIds.set(message, this.messagesSent);
    if (this.event !== null) this.event.sent = [this.event.sent?.[0] ?? this.messagesSent, this.messagesSent];
  }

  delivered(message: InFlight): void {
    const id = this.messageIds.get(message);
    this.messageIds.delete(message);
    if (this.event !== null && id !== undefined) this.event.messageId = id;
  }

  stepped(node: NodeId, output: Output, change: StepChange, mirror: ObservedNode): void {
    this.hasher.number(node).number(output.messages.length).number(output.records.length).number(output.applied.length);
    if (this.event !== null && this.event.node === node) {
      if (change.started || change.previousRole !== mirror.role || change.previousTerm !== mirror.term) {
        this.event.role = mirror.role;
        this.event.term = mirror.term;
      }
      if (change.previousCommitIndex !== mirror.commitIndex) this.event.commitIndex = mirror.commitIndex;
    }
    this.answered(node, output);
  }

  crashed(node: NodeId, unsyncedLost: number): void {
    if (this.event !== null && unsyncedLost > 0) this.event.note = `lost ${unsyncedLost} unsynced record(s)`;
    this.clients.crashed(node);
  }

  /** Whether an operation completed in the step just replayed (then the history is checked). */
  completedSince(): boolean {
    const completed = this.completed;
    this.completed = false;
    return completed;
  }

  /** Hands the clients' history to the checkers that judge histories, as the simulator does. */
  checkHistory(judge: ClusterJudge): Violation | null {
    const context = { history: this.clients.checked(), stepsMax: defaultClientOptions().checkStepsMax, eventNumber: this.stepNumber, timeMs: this.stepNumber };
    const violation = judge.judgeHistory(context, this.inconclusive);
    this.historyFound = violation !== null;
    return violation;
  }

  result(
    info: ExplorePathCluster,
    world: World,
    finding: Violation | HarnessError | null,
    implementationError: SimulationResult['implementationError'],
  ): SimulationResult {
    const harnessError = finding !== null && isHarnessError(finding) ? finding : null;
    const violation = finding !== null && !isHarnessError(finding) ? finding : null;
    const status = harnessError !== null ? 'harnessError' : implementationError !== null ? 'implementationError' : violation !== null ? violation.kind : 'ok';
    const history = this.clients.operations();
    return {
      status,
      violation,
      implementationError,
      harnessError,
      events: this.stepNumber,
      simulatedMs: this.stepNumber,
      // A verdict has no trace hash: no trace holds it.
      traceHash: this.recording ? this.hasher.hex() : '',
      choices: {},
      scenario: exploreScenario(info.nodes, info.implementationOptions, info.spares),
      boundReached: null,
      eventLog: this.recording ? this.events : null,
      eventDigests: null,
      history: history.length > 0 ? history : null,
      inconclusive: [...this.inconclusive],
      statistics: {
        ...emptyStatistics(),
        messagesDropped: this.events.filter((event) => event.note === 'dropped').length,
        crashes: this.events.filter((event) => event.kind === 'crash').length,
        restarts: this.events.filter((event) => event.kind === 'restart').length,
        proposals: this.events.filter((event) => event.kind === 'propose').length,
        entriesCommitted: world.judgement.shared.terms.length - 1,
      },
    };
  }
}

/** The trace file of an explore result with a path; null without one. */
export function exploreTraceOf(
  result: { path: readonly ExploreStep[] | null; distinctStates: number; strategy: string },
  options: {
    implementation: Implementation;
    invariants: readonly InvariantDefinition[];
    bugs: readonly string[];
    nodes: number;
    spares?: number;
    implementationOptions: ImplementationOptions;
    durabilityProbes?: boolean;
    start?: PathStart;
    bounds: Record<string, number>;
  },
): { trace: TraceFile; replay: SimulationResult } | null {
  if (result.path === null) return null;
  const info: ExploreTraceInfo = {
    nodes: options.nodes,
    ...((options.spares ?? 0) > 0 ? { spares: options.spares } : {}),
    implementationOptions: options.implementationOptions,
    // Written only when on: a trace without probes reads as it did before they existed.
    ...(options.durabilityProbes === true ? { durabilityProbes: true } : {}),
    ...(options.start !== undefined ? { start: options.start } : {}),
    strategy: result.strategy,
    bounds: options.bounds,
    distinctStates: result.distinctStates,
    steps: [...result.path],
  };
  const replay = replayExplorePath(options.implementation, info, options.invariants);
  if ('error' in replay) throw new Error(`explore: the path found does not replay: ${replay.error}`);
  const trace: TraceFile = {
    format: traceFormat,
    formatVersion: exploreTraceFormatVersion,
    implementation: { name: options.implementation.name, version: options.implementation.version, ...(options.bugs.length > 0 ? { bugs: [...options.bugs] } : {}) },
    scenario: replay.scenario,
    seed: 0,
    choices: {},
    traceHash: replay.traceHash,
    result: { status: replay.status, events: replay.events, simulatedMs: replay.simulatedMs, violation: replay.violation, implementationError: replay.implementationError },
    events: [...(replay.eventLog ?? [])],
    explore: info as unknown as Record<string, unknown>,
  };
  return { trace, replay };
}

/** Reads the explore field of a trace; a message on what is wrong with it. */
export function exploreInfoOf(trace: TraceFile): ExploreTraceInfo | string {
  const info = trace.explore as Partial<ExploreTraceInfo> | undefined;
  if (info === undefined || info === null || typeof info !== 'object') return 'the explore field is not an object';
  if (!Number.isInteger(info.nodes) || (info.nodes ?? 0) < 1) return 'explore.nodes: expected a positive integer';
  if (info.spares !== undefined && (!Number.isInteger(info.spares) || info.spares < 0 || info.nodes! + info.spares > 15)) return 'explore.spares: expected an integer from 0 to 15 nodes in all';
  if (!Array.isArray(info.steps)) return 'explore.steps: expected a list of steps';
  const unknown = info.steps.findIndex((step: unknown) => step === null || typeof step !== 'object' || !exploreStepKinds.has(String((step as { kind?: unknown }).kind)));
  if (unknown !== -1) return `explore.steps[${unknown}]: expected a step whose kind is one of ${[...exploreStepKinds].join(', ')}`;
  if (info.durabilityProbes !== undefined && typeof info.durabilityProbes !== 'boolean') return 'explore.durabilityProbes: expected true or false';
  const start = info.start === undefined ? null : pathStartProblem(info.start, info.nodes! + (info.spares ?? 0));
  if (start !== null) return `explore.start${start}`;
  const options = info.implementationOptions;
  if (options === undefined || options === null || typeof options !== 'object' || Array.isArray(options)) return 'explore.implementationOptions: expected an object';
  // The scenario the path replays in: a cluster size or node options it cannot have are the file's fault.
  const scenario = parseExploreScenario(info.nodes!, options, info.spares);
  if (!scenario.ok) return `explore.nodes and explore.implementationOptions do not make a scenario: ${scenario.message.replace(/\bimplementation\./g, 'implementationOptions.')}`;
  return info as ExploreTraceInfo;
}

/** What is wrong with a trace's PathStart (a path from its field on), or null. */
function pathStartProblem(start: unknown, nodes: number): string | null {
  if (start === null || typeof start !== 'object' || Array.isArray(start)) return ': expected an object with cutAfterSteps and nodes';
  const { cutAfterSteps, nodes: given } = start as Partial<PathStart>;
  if (!Number.isInteger(cutAfterSteps) || cutAfterSteps! < 0) return '.cutAfterSteps: expected a non-negative integer';
  if (!Array.isArray(given) || given.length !== nodes) return `.nodes: expected a list of ${nodes} entries, one for each member and spare`;
  for (const [index, node] of given.entries()) {
    if (node === null) continue;
    const ok = typeof node === 'object' && !Array.isArray(node) && (Array.isArray((node as { records?: unknown }).records) || (node as { retired?: unknown }).retired === true);
    if (!ok) return `.nodes[${index}]: expected null (never started), { "retired": true } or { "records": [...] }`;
  }
  return null;
}

/** The readable event of an explore step (time counts steps). */
function eventOfStep(stepNumber: number, step: ExploreStep): TraceEvent {
  const event: TraceEvent = { n: stepNumber, t: stepNumber, kind: 'tick' };
  switch (step.kind) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      Object.assign(event, { kind: 'deliver', node: step.to, from: step.from, type: step.message.type });
      if (step.kind === 'drop') event.note = 'dropped';
      if (step.kind === 'duplicate') event.note = 'duplicate';
      break;
    case 'timeout':
      Object.assign(event, { kind: 'tick', node: step.node, note: 'timer fires' });
      break;
    case 'tick':
      Object.assign(event, { kind: 'tick', node: step.node, note: `${step.ticks} ${plural(step.ticks, 'tick')} that show nothing` });
      break;
    case 'propose':
    case 'read':
      if (step.command.client !== undefined) {
        Object.assign(event, { kind: 'clientRequest', node: step.node, commandId: step.command.id, type: step.kind === 'read' ? 'read' : step.command.op, note: `client c${step.command.client}` });
      } else {
        Object.assign(event, { kind: 'propose', node: step.node, commandId: step.command.id, type: step.command.op });
      }
      break;
    case 'crash':
      Object.assign(event, { kind: 'crash', node: step.node });
      break;
    case 'restart':
      Object.assign(event, { kind: 'restart', node: step.node });
      break;
    case 'changeMembership':
      Object.assign(event, { kind: 'membershipRequest', node: step.node, commandId: step.change.id, note: `change membership (${describeMembershipSteps(step.change.steps)})` });
      break;
    case 'transferLeadership':
      Object.assign(event, { kind: 'transferRequest', node: step.node, commandId: step.transfer.id, note: `transfer leadership to ${nodeName(step.transfer.target)}` });
      break;
    case 'join':
      Object.assign(event, { kind: 'membershipClock', node: step.node, note: `${nodeName(step.node)} joins` });
      break;
    case 'wipe':
      Object.assign(event, { kind: 'membershipClock', node: step.node, note: `${nodeName(step.node)} removed: stopped and wiped` });
      break;
  }
  return event;
}

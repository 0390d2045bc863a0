// Simulated clients of the replicated key-value service and the history they record, which the
// linearizability checker judges at the end of the run (invariants/linearizability.ts).
//
// Each client is closed-loop: one operation in flight, a drawn think time between operations.
// An operation is sent to the node the client believes leads (routing 'leader'), or to a node
// drawn for it (routing 'any', which also reaches deposed leaders); a notLeader answer redirects it
// (to the hint, or to another node); an attempt unanswered for timeoutMs, or whose node crashed,
// is retried with the same session (client id, sequence number) and a fresh command id, so a
// correct implementation applies it once however often it is sent (Raft thesis 6.3). Past
// retriesMax the operation is given up: indeterminate in the history (no completion), as Jepsen
// records an operation whose outcome is unknown. An operation completes when the node that took
// the current attempt applies it (a log command) or answers it (a read input), in the same
// incarnation: a restarted node re-applies its log, but the client's connection died with the
// old incarnation.
//
// Contract with the simulation: it forwards every node output (onOutput), every crash (onCrash)
// and the three client events (clientClock, clientRequest, clientTimeout). Every random draw is
// on the "clients" stream, so other streams draw exactly what they drew without clients; a 0
// choice for a think time ends the client's operations, so a shrunk choice sequence that runs
// out also runs out of requests. Everything is bounded: operations by the run's length and the
// think time, redirects per attempt by redirectsMax, attempts by retriesMax.

import type { Command, Output } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { nodeName } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { EventBody, SimEvent } from './events.js';
import type { ClientOptions } from './scenario.js';
import type { Attempt, ClientOperation, ClientOperationKind } from '../contract/observation.js';
import { describeOperation } from '../world/history.js';


/** What the clients need of the world. */
export interface ClientWorld {
  readonly members: readonly NodeId[];
  readonly nowMs: number;
  /** New operations are invoked only while faults run; operations in flight go on after. */
  readonly inFaultPhase: boolean;
  isUp(node: NodeId): boolean;
  newCommandId(): number;
  schedule(timeMs: number, body: EventBody): void;
  /** Adds a note to the readable event being processed. */
  note(text: string): void;
}

const stream = 'clients';
/** Delay of a request to a node, and of a redirect to a hinted leader. */
const requestDelayMs = 1;
/** Wait before trying another node when no leader is known (a node down, no hint). */
const backoffMs = 20;

interface OpenOperation {
  record: ClientOperation;
  sequence: number;
  /** Increases with every retry, so a timeout of an earlier try is stale. */
  tryNumber: number;
  retries: number;
  redirects: number;
  attempt: Attempt | null;
}

class Client {
  sequence = 0;
  leaderBelief: NodeId | null = null;
  open: OpenOperation | null = null;
  /** No further operations (a 0 think-time choice, or the fault phase ended). */
  done = false;
  constructor(readonly id: number) {}
}

export class Clients {
  private readonly clients: Client[];
  private readonly history: ClientOperation[] = [];
  /** Current attempts by command id, to route answers and applied entries. */
  private readonly attempts = new Map<number, Client>();
  private readonly operationWeights: readonly [ClientOperationKind, number][];
  private readonly weightTotal: number;
  private readonly redirectsMax: number;
  private completed = 0;

  constructor(
    private readonly options: ClientOptions,
    private readonly world: ClientWorld,
    private readonly random: Random,
  ) {
    this.clients = Array.from({ length: options.count }, (_, index) => new Client(index + 1));
    const { get, put, append } = options.operations;
    this.operationWeights = ([['get', get], ['put', put], ['append', append]] as [ClientOperationKind, number][]).filter(([, weight]) => weight > 0);
    this.weightTotal = this.operationWeights.reduce((sum, [, weight]) => sum + weight, 0);
    this.redirectsMax = 2 * world.members.length;
  }

  /** Schedules every client's first operation. */
  start(): void {
    for (const client of this.clients) this.scheduleNext(client);
  }

  /** The history so far: completed, given-up and in-flight operations (the last two without completion). */
  operations(): readonly ClientOperation[] {
    return this.history;
  }

  /** Operations completed so far (for periodic checks). */
  get completedCount(): number {
    return this.completed;
  }

  /** A timeout of an attempt that is already over is no event at all (as a dead timer). */
  isStale(event: SimEvent & { kind: 'clientTimeout' }): boolean {
    const open = this.clients[event.client - 1].open;
    return open === null || open.record.id !== event.operationId || open.tryNumber !== event.tryNumber;
  }

  /** The client's think time is over: invoke its next operation. */
  onClock(clientId: number): void {
    const client = this.clients[clientId - 1];
    if (client.done || client.open !== null) return;
    if (!this.world.inFaultPhase) {
      client.done = true;
      return;
    }
    client.sequence += 1;
    const kind = this.drawKind();
    const key = `x${this.random.index(stream, this.options.keys)}`;
    // Unique values, so that every read names the write it saw.
    const token = `c${client.id}.${client.sequence}`;
    const record: ClientOperation = {
      id: this.history.length + 1,
      client: client.id,
      kind,
      key,
      ...(kind === 'put' ? { value: token } : kind === 'append' ? { value: `${token};` } : {}),
      invokeMs: this.world.nowMs,
      attempts: 0,
      acceptedAttempts: 0,
    };
    this.history.push(record);
    client.open = { record, sequence: client.sequence, tryNumber: 0, retries: 0, redirects: 0, attempt: null };
    // Drawn whether or not it is needed, so every operation takes the same number of choices.
    const guess = this.world.members[this.random.index(stream, this.world.members.length)];
    const believed = this.options.routing === 'any' ? null : client.leaderBelief;
    this.send(client, believed !== null && this.world.isUp(believed) ? believed : guess, 0);
    this.scheduleTimeout(client);
    this.world.note(`c${client.id} invokes ${describeOperation(record)}`);
  }

  /** The request is at its node, which is up: the command to step it with, or null if the attempt is over. */
  onArrival(event: SimEvent & { kind: 'clientRequest' }, incarnation: number): Command | null {
    const client = this.clients[event.client - 1];
    const attempt = client.open?.attempt;
    if (attempt === undefined || attempt === null || attempt.commandId !== event.command.id) return null;
    attempt.incarnation = incarnation;
    return event.command;
  }

  /** The request found its node down: connection refused, so certainly not applied; try elsewhere. */
  onRefused(event: SimEvent & { kind: 'clientRequest' }): void {
    const client = this.clients[event.client - 1];
    const open = client.open;
    if (open === null || open.attempt === null || open.attempt.commandId !== event.command.id) return;
    if (client.leaderBelief === event.node) client.leaderBelief = null;
    this.world.note(`c${client.id}: refused`);
    this.redirect(client, this.otherNode(event.node), backoffMs);
  }

  /** Routes a node's answers and applied entries to the clients waiting for them. */
  onOutput(node: NodeId, incarnation: number, output: Output): void {
    if (this.attempts.size === 0) return;
    for (const answer of output.answers) {
      const client = this.attempts.get(answer.commandId);
      const attempt = client?.open?.attempt;
      if (client === undefined || attempt === null || attempt === undefined || attempt.node !== node || attempt.incarnation !== incarnation) continue;
      if (answer.kind === 'accepted') {
        attempt.accepted = true;
        (client.open as OpenOperation).record.acceptedAttempts += 1;
        client.leaderBelief = node;
      } else if (answer.kind === 'read') {
        this.complete(client, node, answer.value);
      } else if (answer.kind === 'notLeader') {
        const hint = answer.leaderHint;
        const hinted = hint !== null && hint !== node && this.world.members.includes(hint);
        client.leaderBelief = hinted ? hint : null;
        this.redirect(client, hinted ? hint : this.otherNode(node), hinted ? requestDelayMs : backoffMs);
      }
    }
    for (const entry of output.applied) {
      const client = this.attempts.get(entry.commandId);
      const attempt = client?.open?.attempt;
      if (client === undefined || attempt === null || attempt === undefined || !attempt.accepted || attempt.node !== node || attempt.incarnation !== incarnation) continue;
      this.complete(client, node, entry.result ?? null);
    }
  }

  /** A node crashed: attempts it held are in doubt, and are retried. */
  onCrash(node: NodeId): void {
    for (const client of this.clients) {
      const attempt = client.open?.attempt;
      if (client.leaderBelief === node) client.leaderBelief = null;
      if (attempt === null || attempt === undefined || attempt.node !== node || attempt.incarnation === -1) continue;
      this.world.note(`c${client.id}: its node crashed`);
      this.retry(client, backoffMs);
    }
  }

  /** The current try of an operation timed out. */
  onTimeout(clientId: number): void {
    const client = this.clients[clientId - 1];
    this.world.note(`c${client.id}: timed out`);
    // A node that let the client wait is not worth asking first again.
    const node = client.open?.attempt?.node;
    if (node !== undefined && client.leaderBelief === node) client.leaderBelief = null;
    this.retry(client, 0);
  }

  // ---- internals ----------------------------------------------------------------------------

  private drawKind(): ClientOperationKind {
    let draw = this.random.integer(stream, 0, Math.max(0, Math.ceil(this.weightTotal * 1000) - 1)) / 1000;
    for (const [kind, weight] of this.operationWeights) {
      if (draw < weight) return kind;
      draw -= weight;
    }
    return this.operationWeights[this.operationWeights.length - 1][0];
  }

  /** Think time, then the next operation; a 0 choice ends the client's operations. */
  private scheduleNext(client: Client): void {
    const interval = this.options.requestIntervalMs;
    const unit = this.random.unit(stream);
    if (unit === 0) {
      client.done = true;
      return;
    }
    const gapMs = interval.minMs + Math.floor(unit * (interval.maxMs - interval.minMs + 1));
    this.world.schedule(this.world.nowMs + Math.max(1, gapMs), { kind: 'clientClock', client: client.id });
  }

  private scheduleTimeout(client: Client): void {
    const open = client.open as OpenOperation;
    this.world.schedule(this.world.nowMs + this.options.timeoutMs, {
      kind: 'clientTimeout',
      client: client.id,
      operationId: open.record.id,
      tryNumber: open.tryNumber,
    });
  }

  /** Sends the open operation to a node as a fresh attempt (a new command id, the same session). */
  private send(client: Client, node: NodeId, delayMs: number): void {
    const open = client.open as OpenOperation;
    if (open.attempt !== null) this.attempts.delete(open.attempt.commandId);
    const record = open.record;
    const id = this.world.newCommandId();
    const op = record.kind === 'put' ? 'set' : record.kind;
    const command: Command = { id, op, key: record.key, ...(record.value !== undefined ? { value: record.value } : {}), client: client.id, sequence: open.sequence };
    open.attempt = { commandId: id, node, incarnation: -1, accepted: false };
    record.attempts += 1;
    this.attempts.set(id, client);
    const read = record.kind === 'get' && this.options.reads === 'readIndex';
    this.world.schedule(this.world.nowMs + Math.max(requestDelayMs, delayMs), { kind: 'clientRequest', client: client.id, node, command, read });
  }

  /** Not the leader: try another node, a bounded number of times per try (then wait for the timeout). */
  private redirect(client: Client, node: NodeId, delayMs: number): void {
    const open = client.open as OpenOperation;
    open.redirects += 1;
    if (open.redirects > this.redirectsMax) {
      if (open.attempt !== null) this.attempts.delete(open.attempt.commandId);
      open.attempt = null;
      this.world.note(`c${client.id}: no leader found, waits for its timeout`);
      return;
    }
    this.world.note(`c${client.id}: redirected to ${nodeName(node)}`);
    this.send(client, node, delayMs);
  }

  /** A new try of the open operation, or, past retriesMax, give it up as indeterminate. */
  private retry(client: Client, delayMs: number): void {
    const open = client.open;
    if (open === null) return;
    open.tryNumber += 1;
    open.redirects = 0;
    if (open.retries >= this.options.retriesMax) {
      if (open.attempt !== null) this.attempts.delete(open.attempt.commandId);
      client.open = null;
      this.world.note(`c${client.id} gives up op ${open.record.id}: indeterminate`);
      this.scheduleNext(client);
      return;
    }
    open.retries += 1;
    const believed = client.leaderBelief;
    const target = believed !== null && this.world.isUp(believed) ? believed : this.otherNode(open.attempt?.node ?? 0);
    this.send(client, target, delayMs);
    this.scheduleTimeout(client);
  }

  private complete(client: Client, node: NodeId, result: string | null): void {
    const open = client.open as OpenOperation;
    const record = open.record;
    record.completion = record.kind === 'get' ? { completeMs: this.world.nowMs, result } : { completeMs: this.world.nowMs };
    record.node = node;
    if (open.attempt !== null) this.attempts.delete(open.attempt.commandId);
    client.open = null;
    client.leaderBelief = node;
    this.completed += 1;
    this.world.note(`c${client.id} completes op ${record.id}${record.kind === 'get' ? ` -> ${result === null ? 'null' : `'${result}'`}` : ''}`);
    this.scheduleNext(client);
  }

  /** A node other than this one (any node in a one-node cluster), drawn. */
  private otherNode(node: NodeId): NodeId {
    const members = this.world.members;
    const others = members.length > 1 ? members.filter((member) => member !== node) : members;
    return others[this.random.index(stream, others.length)];
  }
}

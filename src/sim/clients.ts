// Simulated clients of the replicated key-value service: their behaviour. What they did is
// recorded by the one client-history recorder (src/world/history.ts: invoke, attempt, accept,
// complete, crash, give up), which the linearizability checker judges at the end of the run
// (invariants/linearizability.ts); this file decides only what the clients do.
//
// Each client is closed-loop: one operation in flight, a drawn think time between operations.
// An operation is sent to the node the client believes leads (routing 'leader'), or to a node
// drawn for it (routing 'any', which also reaches deposed leaders); a notLeader answer redirects it
// (to the hint, or to another node); an attempt unanswered for timeoutMs, or whose node crashed,
// is retried with the same session (client id, sequence number) and a fresh command id, so a
// correct implementation applies it once however often it is sent (Raft thesis 6.3). Past
// retriesMax the operation is given up: indeterminate in the history (no completion), as Jepsen
// records an operation whose outcome is unknown.
//
// Contract with the simulation: it forwards every node output (onOutput), every crash (onCrash)
// and the three client events (clientClock, clientRequest, clientTimeout). Every random draw is
// on the "clients" stream, so other streams draw exactly what they drew without clients; a 0
// choice for a think time ends the client's operations, so a shrunk choice sequence that runs
// out also runs out of requests. Everything is bounded: operations by the run's length and the
// think time, redirects per attempt by redirectsMax, attempts by retriesMax.

import type { Command, Output } from '../contract/contract.js';
import { assert } from '../core/assert.js';
import type { NodeId } from '../core/ids.js';
import { nodeName } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { EventBody, SimEvent } from './events.js';
import type { ClientOptions } from './scenario.js';
import type { ClientOperation, ClientOperationKind } from '../contract/observation.js';
import type { ClientHistoryListener, OpenOperation } from '../world/history.js';
import { ClientHistory, describeOperation } from '../world/history.js';


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
  /** Whether notes are kept (a readable event log is recorded): the frequent ones are built only then. */
  readonly notesKept: boolean;
}

const stream = 'clients';
/** Delay of a request to a node, and of a redirect to a hinted leader. */
const requestDelayMs = 1;
/** Wait before trying another node when no leader is known (a node down, no hint). */
const backoffMs = 20;

class Client {
  leaderBelief: NodeId | null = null;
  /** Of the open operation: increases with every retry, so a timeout of an earlier try is stale. */
  tryNumber = 0;
  retries = 0;
  redirects = 0;
  /** No further operations (a 0 think-time choice, or the fault phase ended). */
  done = false;
  constructor(readonly id: number) {}
}

export class Clients {
  /** What the clients did: the recorder every driver shares. */
  readonly history = new ClientHistory();
  private readonly clients: Client[];
  private readonly operationWeights: readonly [ClientOperationKind, number][];
  private readonly weightTotal: number;
  private readonly redirectsMax: number;
  /** How the clients react to what the recorder hears in a node's output. */
  private readonly listener: ClientHistoryListener;

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
    this.listener = {
      accepted: (client, node) => {
        this.clients[client - 1].leaderBelief = node;
      },
      completed: (client, operation) => this.completed(this.clients[client - 1], operation),
      notLeader: (client, node, hint) => {
        const hinted = hint !== null && hint !== node && this.world.members.includes(hint);
        this.clients[client - 1].leaderBelief = hinted ? hint : null;
        this.redirect(this.clients[client - 1], hinted ? hint : this.otherNode(node), hinted ? requestDelayMs : backoffMs);
      },
    };
  }

  /** Schedules every client's first operation. */
  start(): void {
    for (const client of this.clients) this.scheduleNext(client);
  }

  /** A timeout of an attempt that is already over is no event at all (as a dead timer). */
  isStale(event: SimEvent & { kind: 'clientTimeout' }): boolean {
    const open = this.history.openOperation(event.client);
    return open === undefined || open.record.id !== event.operationId || this.clients[event.client - 1].tryNumber !== event.tryNumber;
  }

  /** The client's think time is over: invoke its next operation. */
  onClock(clientId: number): void {
    const client = this.clients[clientId - 1];
    if (client.done || this.history.openOperation(client.id) !== undefined) return;
    if (!this.world.inFaultPhase) {
      client.done = true;
      return;
    }
    const sequence = this.history.latestSequence(client.id) + 1;
    const kind = this.drawKind();
    const key = `x${this.random.index(stream, this.options.keys)}`;
    // Unique values, so that every read names the write it saw.
    const token = `c${client.id}.${sequence}`;
    const value = kind === 'put' ? token : kind === 'append' ? `${token};` : undefined;
    const record = this.history.invoke({ client: client.id, sequence, kind, key, ...(value !== undefined ? { value } : {}) }, this.world.nowMs);
    client.tryNumber = 0;
    client.retries = 0;
    client.redirects = 0;
    // Drawn whether or not it is needed, so every operation takes the same number of choices.
    const guess = this.world.members[this.random.index(stream, this.world.members.length)];
    const believed = this.options.routing === 'any' ? null : client.leaderBelief;
    this.send(client, believed !== null && this.world.isUp(believed) ? believed : guess, 0);
    this.scheduleTimeout(client);
    if (this.world.notesKept) this.world.note(`c${client.id} invokes ${describeOperation(record)}`);
  }

  /** The request is at its node, which is up: the command to step it with, or null if the attempt is over. */
  onArrival(event: SimEvent & { kind: 'clientRequest' }): Command | null {
    return this.history.arrived(event.client, event.command.id) ? event.command : null;
  }

  /** The request found its node down: connection refused, so certainly not applied; try elsewhere. */
  onRefused(event: SimEvent & { kind: 'clientRequest' }): void {
    const client = this.clients[event.client - 1];
    const attempt = this.history.openOperation(client.id)?.attempt;
    if (attempt === undefined || attempt === null || attempt.commandId !== event.command.id) return;
    if (client.leaderBelief === event.node) client.leaderBelief = null;
    this.world.note(`c${client.id}: refused`);
    this.redirect(client, this.otherNode(event.node), backoffMs);
  }

  /** Hands a node's answers and applied entries to the recorder, which tells the clients waiting for them. */
  onOutput(node: NodeId, output: Output): void {
    this.history.stepped(node, output, this.world.nowMs, this.listener);
  }

  /** A node crashed: attempts it held are in doubt, and are retried. */
  onCrash(node: NodeId): void {
    for (const client of this.clients) if (client.leaderBelief === node) client.leaderBelief = null;
    for (const id of this.history.crashed(node)) {
      this.world.note(`c${id}: its node crashed`);
      this.retry(this.clients[id - 1], backoffMs);
    }
  }

  /** The current try of an operation timed out. */
  onTimeout(clientId: number): void {
    const client = this.clients[clientId - 1];
    this.world.note(`c${client.id}: timed out`);
    // A node that let the client wait is not worth asking first again.
    const node = this.history.openOperation(client.id)?.attempt?.node;
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
    this.world.schedule(this.world.nowMs + this.options.timeoutMs, {
      kind: 'clientTimeout',
      client: client.id,
      operationId: this.open(client).record.id,
      tryNumber: client.tryNumber,
    });
  }

  private open(client: Client): OpenOperation {
    const open = this.history.openOperation(client.id);
    if (open === undefined) assert(false, `client ${client.id} has no open operation`);
    return open;
  }

  /** Sends the open operation to a node as a fresh attempt (a new command id, the same session). */
  private send(client: Client, node: NodeId, delayMs: number): void {
    const { record, sequence } = this.open(client);
    const id = this.world.newCommandId();
    const op = record.kind === 'put' ? 'set' : record.kind;
    const command: Command = { id, op, key: record.key, ...(record.value !== undefined ? { value: record.value } : {}), client: client.id, sequence };
    this.history.attempt(client.id, id, node);
    // ReadIndex or lease reads are both read inputs: the implementation's leaseReads option decides.
    const read = record.kind === 'get' && this.options.reads !== 'log';
    this.world.schedule(this.world.nowMs + Math.max(requestDelayMs, delayMs), { kind: 'clientRequest', client: client.id, node, command, read });
  }

  /** Not the leader: try another node, a bounded number of times per try (then wait for the timeout). */
  private redirect(client: Client, node: NodeId, delayMs: number): void {
    client.redirects += 1;
    if (client.redirects > this.redirectsMax) {
      this.history.withdraw(client.id);
      this.world.note(`c${client.id}: no leader found, waits for its timeout`);
      return;
    }
    if (this.world.notesKept) this.world.note(`c${client.id}: redirected to ${nodeName(node)}`);
    this.send(client, node, delayMs);
  }

  /** A new try of the open operation, or, past retriesMax, give it up as indeterminate. */
  private retry(client: Client, delayMs: number): void {
    const open = this.history.openOperation(client.id);
    if (open === undefined) return;
    client.tryNumber += 1;
    client.redirects = 0;
    if (client.retries >= this.options.retriesMax) {
      this.history.giveUp(client.id);
      this.world.note(`c${client.id} gives up op ${open.record.id}: indeterminate`);
      this.scheduleNext(client);
      return;
    }
    client.retries += 1;
    const believed = client.leaderBelief;
    const target = believed !== null && this.world.isUp(believed) ? believed : this.otherNode(open.attempt?.node ?? 0);
    this.send(client, target, delayMs);
    this.scheduleTimeout(client);
  }

  /** The recorder completed the client's operation. */
  private completed(client: Client, operation: ClientOperation): void {
    const node = operation.node as NodeId;
    client.leaderBelief = node;
    const result = operation.completion?.result ?? null;
    if (this.world.notesKept) this.world.note(`c${client.id} completes op ${operation.id}${operation.kind === 'get' ? ` -> ${result === null ? 'null' : `'${result}'`}` : ''}`);
    this.scheduleNext(client);
  }

  /** A node other than this one (any node in a one-node cluster), drawn. */
  private otherNode(node: NodeId): NodeId {
    const members = this.world.members;
    const others = members.length > 1 ? members.filter((member) => member !== node) : members;
    return others[this.random.index(stream, others.length)];
  }
}

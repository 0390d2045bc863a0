// The clients' history: the one set of rules by which every driver records what clients did,
// and the history the checkers judge (invariants/linearizability.ts). The simulator's clients
// (src/sim/clients.ts) feed it from their behaviour (think times, routing, retries); a replayed
// explore path (src/shrink/paths.ts) feeds it from the client commands its steps name
// (recordSessionCommand). Time is whatever the driver counts: milliseconds, or step numbers.
//
// The rules, as Jepsen records a history:
// - invoke: a client opens an operation (one at a time per client), under a session (client,
//   sequence) that makes a retried command apply once (Raft thesis 6.3).
// - attempt: a command sent for the open operation to one node; only the latest attempt counts.
// - arrive: the attempt reached its node, in the node's current incarnation.
// - accept: the attempt's node took it into its log, so the operation may take effect.
// - complete: the node of the latest attempt applies it (after accepting it) or answers it (a
//   read), in the incarnation it reached: a restarted node re-applies its log, but the client's
//   connection died with the old incarnation.
// - crash: cuts the connection of every attempt that reached the node.
// - withdraw: the latest attempt is over and no other is in flight (the client waits).
// - give up: the operation stays without completion: indeterminate.
// - the checked history: completed operations, and those some node accepted (an operation none
//   accepted and none completed certainly never took effect, as Jepsen leaves out failed ones).

import type { Command, Output } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { assert } from '../core/assert.js';
import type { Attempt, ClientOperation, ClientOperationKind } from '../contract/observation.js';

/** The operations the checker judges: completed ones, and those that may have taken effect. */
export function checkedHistory(history: readonly ClientOperation[]): ClientOperation[] {
  return history.filter((operation) => operation.completion !== undefined || operation.acceptedAttempts > 0);
}

export function describeOperation(operation: ClientOperation): string {
  return operation.kind === 'get' ? `get(${operation.key})` : `${operation.kind}(${operation.key}, '${operation.value ?? ''}')`;
}

/** What a client invokes: the operation, under its session. */
export interface Invocation {
  client: number;
  sequence: number;
  kind: ClientOperationKind;
  key: string;
  /** The value of a put, the suffix of an append. */
  value?: string;
}

/** A client's open operation, as the recorder holds it (read-only to the drivers). */
export interface OpenOperation {
  readonly record: ClientOperation;
  readonly sequence: number;
  /** The latest attempt; null when none is in flight (withdrawn). */
  readonly attempt: Attempt | null;
}

interface MutableOpenOperation {
  record: ClientOperation;
  sequence: number;
  attempt: Attempt | null;
}

/** What a driver with client behaviour hears of a step, in the order the node's output gives it. */
export interface ClientHistoryListener {
  accepted(client: number, node: NodeId): void;
  completed(client: number, operation: ClientOperation): void;
  notLeader(client: number, node: NodeId, leaderHint: NodeId | null): void;
}

export class ClientHistory {
  private readonly history: ClientOperation[] = [];
  private readonly open = new Map<number, MutableOpenOperation>();
  /** Open operations by the command id of their latest attempt, to route answers and applied entries. */
  private readonly byCommand = new Map<number, MutableOpenOperation>();
  /** Per node, how many times it crashed: an attempt belongs to the incarnation it reached. */
  private readonly incarnations = new Map<NodeId, number>();
  private readonly sequences = new Map<number, number>();
  private completed = 0;

  /** Operations completed so far. */
  get completedCount(): number {
    return this.completed;
  }

  /** Every operation so far (completed, given up, in flight), as copies. */
  operations(): ClientOperation[] {
    return this.history.map((operation) => ({ ...operation }));
  }

  /** The history the checkers judge. */
  checked(): ClientOperation[] {
    return checkedHistory(this.history);
  }

  openOperation(client: number): OpenOperation | undefined {
    return this.open.get(client);
  }

  /** The sequence of the client's latest operation (0 before its first). */
  latestSequence(client: number): number {
    return this.sequences.get(client) ?? 0;
  }

  invoke(invocation: Invocation, timeMs: number): ClientOperation {
    const { client, sequence, kind, key, value } = invocation;
    if (this.open.has(client)) assert(false, `client ${client} invokes an operation while one is open`);
    const record: ClientOperation = { id: this.history.length + 1, client, kind, key, ...(value !== undefined ? { value } : {}), invokeMs: timeMs, attempts: 0, acceptedAttempts: 0 };
    this.history.push(record);
    this.open.set(client, { record, sequence, attempt: null });
    this.sequences.set(client, sequence);
    return record;
  }

  /** A command for the client's open operation is sent to `node`: its latest attempt, in flight. */
  attempt(client: number, commandId: number, node: NodeId): void {
    const open = this.open.get(client);
    if (open === undefined) assert(false, `client ${client} sends an attempt without an open operation`);
    this.forgetAttempt(open);
    open.attempt = { commandId, node, incarnation: -1, accepted: false };
    open.record.attempts += 1;
    this.byCommand.set(commandId, open);
  }

  /** The attempt reached its node (which is up); false if it is no longer the latest. */
  arrived(client: number, commandId: number): boolean {
    const attempt = this.open.get(client)?.attempt;
    if (attempt === null || attempt === undefined || attempt.commandId !== commandId) return false;
    attempt.incarnation = this.incarnations.get(attempt.node) ?? 0;
    return true;
  }

  withdraw(client: number): void {
    const open = this.open.get(client);
    if (open === undefined) return;
    this.forgetAttempt(open);
    open.attempt = null;
  }

  /** The open operation is given up, indeterminate; null if the client had none. */
  giveUp(client: number): ClientOperation | null {
    const open = this.open.get(client);
    if (open === undefined) return null;
    this.forgetAttempt(open);
    this.open.delete(client);
    return open.record;
  }

  /** The node crashed: the clients whose latest attempt had reached it (ascending), now cut off. */
  crashed(node: NodeId): number[] {
    const incarnation = this.incarnations.get(node) ?? 0;
    const cut: number[] = [];
    for (const [client, open] of this.open) {
      if (open.attempt !== null && open.attempt.node === node && open.attempt.incarnation === incarnation) cut.push(client);
    }
    this.incarnations.set(node, incarnation + 1);
    return cut.sort((a, b) => a - b);
  }

  /** What a node answered and applied in one step; the number of operations it completed. */
  stepped(node: NodeId, output: Output, timeMs: number, listener?: ClientHistoryListener): number {
    if (this.byCommand.size === 0) return 0;
    const before = this.completed;
    for (const answer of output.answers) {
      const open = this.latest(node, answer.commandId);
      if (open === undefined) continue;
      if (answer.kind === 'accepted') {
        (open.attempt as Attempt).accepted = true;
        open.record.acceptedAttempts += 1;
        listener?.accepted(open.record.client, node);
      } else if (answer.kind === 'read') {
        this.complete(open, node, timeMs, answer.value, listener);
      } else if (answer.kind === 'notLeader') {
        listener?.notLeader(open.record.client, node, answer.leaderHint);
      }
    }
    for (const entry of output.applied) {
      const open = this.latest(node, entry.commandId);
      if (open !== undefined && (open.attempt as Attempt).accepted) this.complete(open, node, timeMs, entry.result ?? null, listener);
    }
    return this.completed - before;
  }

  /** The open operation whose latest attempt is this command at this node, in its incarnation. */
  private latest(node: NodeId, commandId: number): MutableOpenOperation | undefined {
    const open = this.byCommand.get(commandId);
    const attempt = open?.attempt;
    if (attempt === null || attempt === undefined || attempt.node !== node || attempt.incarnation !== (this.incarnations.get(node) ?? 0)) return undefined;
    return open;
  }

  private complete(open: MutableOpenOperation, node: NodeId, timeMs: number, result: string | null, listener: ClientHistoryListener | undefined): void {
    const record = open.record;
    record.completion = record.kind === 'get' ? { completeMs: timeMs, result } : { completeMs: timeMs };
    record.node = node;
    this.forgetAttempt(open);
    this.open.delete(record.client);
    this.completed += 1;
    listener?.completed(record.client, record);
  }

  private forgetAttempt(open: MutableOpenOperation): void {
    if (open.attempt !== null) this.byCommand.delete(open.attempt.commandId);
  }
}

/**
 * A client command handed to a node by a driver that has commands but no clients (a replayed
 * explore path, whose time is the step number): its session says which operation it is an
 * attempt of. The first attempt of a sequence invokes the operation; an attempt of a later
 * sequence gives up the one still open (as a client past its retries does); an attempt of an
 * earlier sequence, or of one already over, is a late duplicate that the server must handle and
 * the history ignores. The command reaches its node at once. Commands without a session record
 * nothing.
 */
export function recordSessionCommand(history: ClientHistory, node: NodeId, command: Command, read: boolean, timeMs: number): void {
  const { client, sequence } = command;
  if (client === undefined || sequence === undefined) return;
  const latest = history.latestSequence(client);
  if (sequence < latest || (sequence === latest && history.openOperation(client) === undefined)) return;
  if (sequence > latest) {
    history.giveUp(client);
    const kind: ClientOperationKind = read || command.op === 'get' ? 'get' : command.op === 'append' ? 'append' : 'put';
    history.invoke({ client, sequence, kind, key: command.key, ...(command.value !== undefined && command.op !== 'get' ? { value: command.value } : {}) }, timeMs);
  }
  history.attempt(client, command.id, node);
  history.arrived(client, command.id);
}

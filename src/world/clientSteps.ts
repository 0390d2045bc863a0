// The clients' history of an explore path, so that a replayed path is judged for
// linearizability as a simulated run is (src/sim/clients.ts keeps the simulator's).
//
// A path has no clients, only the commands its propose and read steps name (a run's client
// commands, lifted by src/shrink/lift.ts). A command with a session (client, sequence) is one
// attempt of that client's operation; time is the step number. The rules follow the
// simulator's clients, so that a lifted path records the history its run did:
// - The first attempt of a sequence invokes the operation; an attempt of a later sequence gives
//   up an operation still open (indeterminate, as a client past its retries does); an attempt of
//   an earlier sequence is a late duplicate, which the server must handle and the history ignores.
// - An operation completes when the node that took its latest attempt applies it (a command) or
//   answers it (a read), in the same incarnation: a crash cuts the client's connection.
// - An operation no node accepted and that never completed is left out (checkedHistory).
// Commands without a session (the explorer's own proposals) record nothing.

import type { Command, Output } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import type { Attempt, ClientOperation, ClientOperationKind } from '../contract/observation.js';
import { checkedHistory } from './history.js';

interface OpenOperation {
  record: ClientOperation;
  attempt: Attempt;
}

export class StepClients {
  private readonly history: ClientOperation[] = [];
  /** Per client: the highest sequence seen, and the operation of that sequence while open. */
  private readonly sequences = new Map<number, number>();
  private readonly open = new Map<number, OpenOperation>();
  private readonly incarnations = new Map<NodeId, number>();
  private completed = 0;

  /** The history the checkers judge: completed operations and those that may have taken effect. */
  checked(): ClientOperation[] {
    return checkedHistory(this.history);
  }

  /** Every operation, as the run result's history. */
  operations(): ClientOperation[] {
    return this.history.map((operation) => ({ ...operation }));
  }

  /** A step hands a node a client's command (a proposal or a read), at step number `stepNumber`. */
  sent(node: NodeId, command: Command, read: boolean, stepNumber: number): void {
    const client = command.client;
    const sequence = command.sequence;
    if (client === undefined || sequence === undefined) return;
    const highest = this.sequences.get(client) ?? 0;
    if (sequence < highest) return;
    const attempt: Attempt = { commandId: command.id, node, incarnation: this.incarnations.get(node) ?? 0, accepted: false };
    const open = this.open.get(client);
    if (sequence === highest && open !== undefined) {
      open.attempt = attempt;
      open.record.attempts += 1;
      return;
    }
    if (sequence === highest) return; // that operation is over: a late duplicate
    this.sequences.set(client, sequence);
    const record: ClientOperation = {
      id: this.history.length + 1,
      client,
      kind: operationKind(command, read),
      key: command.key,
      ...(command.value !== undefined && command.op !== 'get' ? { value: command.value } : {}),
      invokeMs: stepNumber,
      attempts: 1,
      acceptedAttempts: 0,
    };
    this.history.push(record);
    this.open.set(client, { record, attempt });
  }

  /** What a node answered and applied; true when an operation completed. */
  stepped(node: NodeId, output: Output, stepNumber: number): boolean {
    if (this.open.size === 0) return false;
    const before = this.completed;
    for (const answer of output.answers) {
      const open = this.current(node, answer.commandId);
      if (open === undefined) continue;
      if (answer.kind === 'accepted') {
        open.attempt.accepted = true;
        open.record.acceptedAttempts += 1;
      } else if (answer.kind === 'read') this.complete(open, node, stepNumber, answer.value);
    }
    for (const entry of output.applied) {
      const open = this.current(node, entry.commandId);
      if (open !== undefined && open.attempt.accepted) this.complete(open, node, stepNumber, entry.result ?? null);
    }
    return this.completed > before;
  }

  crashed(node: NodeId): void {
    this.incarnations.set(node, (this.incarnations.get(node) ?? 0) + 1);
  }

  /** The open operation whose latest attempt is this command at this node, in its incarnation. */
  private current(node: NodeId, commandId: number): OpenOperation | undefined {
    for (const open of this.open.values()) {
      const attempt = open.attempt;
      if (attempt.commandId === commandId && attempt.node === node && attempt.incarnation === (this.incarnations.get(node) ?? 0)) return open;
    }
    return undefined;
  }

  private complete(open: OpenOperation, node: NodeId, stepNumber: number, result: string | null): void {
    const record = open.record;
    record.completion = record.kind === 'get' ? { completeMs: stepNumber, result } : { completeMs: stepNumber };
    record.node = node;
    this.open.delete(record.client);
    this.completed += 1;
  }
}

function operationKind(command: Command, read: boolean): ClientOperationKind {
  if (read || command.op === 'get') return 'get';
  return command.op === 'append' ? 'append' : 'put';
}

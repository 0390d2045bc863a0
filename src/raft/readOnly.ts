// ReadIndex reads of the reference Raft (Raft thesis 6.4), in the room etcd-io/raft gives them
// (read_only.go): the reads a leader holds until it may answer them, and the read rounds whose
// acknowledgements by a majority of its term confirm that it still leads. RaftNode decides when a
// read may start and answers it; this keeps the queue. Its fields are public to RaftNode's field
// list (src/raft/node.ts), which copies and digests them.

import type { Command, Configuration } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { quorumValue } from './membership.js';

/** A read input the leader holds until it may answer it. */
export interface PendingRead {
  command: Command;
  readIndex: number;
  /** The read round whose acknowledgements confirm the leadership it needs (0: none needed). */
  round: number;
}

/** Reads a leader holds at once; past this it answers notLeader, and the client retries. */
export const pendingReadsMax = 1_000;

export class ReadOnly {
  /** The last read round started; AppendEntries carry it while reads wait, responses echo it. */
  round = 0;
  /** Reads waiting for an entry of the current term to commit, then for confirmation and apply. */
  awaitingTermCommit: Command[] = [];
  pending: PendingRead[] = [];
  /** The highest read round each peer acknowledged in the current term. */
  roundAcked = new Map<NodeId, number>();

  /** Reads held, waiting or pending. */
  heldCount(): number {
    return this.awaitingTermCommit.length + this.pending.length;
  }

  inFlight(): boolean {
    return this.pending.length > 0 || this.awaitingTermCommit.length > 0;
  }

  /** A new round of acknowledgements, for reads that start now. */
  startRound(): number {
    this.round += 1;
    return this.round;
  }

  add(commands: readonly Command[], readIndex: number, round: number): void {
    for (const command of commands) this.pending.push({ command, readIndex, round });
  }

  /** The reads that waited for an entry of the current term to commit, taken out of the queue. */
  takeAwaiting(): Command[] {
    return this.awaitingTermCommit.splice(0);
  }

  /** Any response of the leader's term, success or not, acknowledges it as leader up to its round. */
  acknowledge(peer: NodeId, round: number | undefined): void {
    if (round !== undefined && round > (this.roundAcked.get(peer) ?? 0)) this.roundAcked.set(peer, round);
  }

  /** The highest read round a quorum of this term (the leader, self, included if it votes) has acknowledged. */
  confirmedRound(configuration: Configuration, self: NodeId): number {
    return quorumValue(configuration, (member) => (member === self ? this.round : this.roundAcked.get(member) ?? 0));
  }

  /** Takes out, in order, the pending reads confirmed and applied up to their read index. */
  takeAnswerable(confirmedRound: number, appliedIndex: number): PendingRead[] {
    const answerable: PendingRead[] = [];
    let kept = 0;
    for (const read of this.pending) {
      if (read.round <= confirmedRound && appliedIndex >= read.readIndex) {
        answerable.push(read);
      } else {
        this.pending[kept] = read;
        kept += 1;
      }
    }
    this.pending.length = kept;
    return answerable;
  }

  /** Takes out every read held, waiting ones first (a leader stepping down answers them all). */
  takeAll(): Command[] {
    const commands = this.awaitingTermCommit.splice(0);
    for (const read of this.pending) commands.push(read.command);
    this.pending.length = 0;
    return commands;
  }
}

// A leader's own clock, its contact with a quorum, and leadership transfer, in a room of their own
// (etcd-io/raft keeps them in raft.go's checkQuorum and leadTransferee): what check-quorum (thesis
// 6.2), lease reads (thesis 6.4.1) and leadership transfer (thesis 3.10) rest on.
//
// One quantity serves check-quorum and the lease: every message a leader sends carries its clock
// (ticks since it became leader), every answer echoes it, and the quorum's contact tick is the
// highest clock value a quorum of voters has echoed (the leader's own: now). The leader steps
// down when that is an election timeout old, and its lease holds while it is younger than
// leaseTicks. Its fields are public to RaftNode's field list (src/raft/node.ts), which copies and
// digests them.

import type { Configuration, ImplementationOptions } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { quorumValue } from './membership.js';

/**
 * The clock drift the reference's leases assume (Implementation.leaseDriftMax): every clock runs
 * at 1 + d times the true rate, |d| <= 0.1, and never jumps, stalls or pauses.
 */
export const referenceLeaseDriftMax = 0.1;

/**
 * How long a lease lasts in the leader's ticks, from the quorum's contact tick. A follower that
 * answered a message the leader sent at its tick T ignores vote requests until it has counted
 * electionTicksMin of its own ticks after receiving it; the leader's lease must end before that
 * on any pair of clocks within the drift bound. Counting whole ticks loses up to one tick on each
 * side, so with e = electionTicksMin and d the bound, the lease is floor((e - 2)(1 - d) / (1 + d)).
 */
export function leaseTicks(options: ImplementationOptions, driftMax = referenceLeaseDriftMax): number {
  return Math.max(0, Math.floor(((options.electionTicksMin - 2) * (1 - driftMax)) / (1 + driftMax)));
}

export class Leadership {
  /** The leader's clock: ticks since it became leader. Its messages carry it; answers echo it. */
  clockTicks = 0;
  /** Per peer, the highest clock value it has echoed in this leadership. */
  contactTicks = new Map<NodeId, number>();
  /**
   * A transfer sent TimeoutNow in this leadership: its target's vote requests are granted even by
   * voters within a lease, so this leader serves no lease read again (until it leads anew).
   */
  leaseForfeited = false;
  /** The node leadership is being handed to; null when no transfer is in progress. */
  transferTarget: NodeId | null = null;
  /** Ticks since the transfer started: past an election timeout it is abandoned. */
  transferElapsedTicks = 0;

  /** A new leadership: its clock at 0, no contact yet, no transfer. */
  start(): void {
    this.clockTicks = 0;
    this.contactTicks.clear();
    this.leaseForfeited = false;
    this.endTransfer();
  }

  endTransfer(): void {
    this.transferTarget = null;
    this.transferElapsedTicks = 0;
  }

  /** An answer of this leadership's term echoed `tick`: the peer heard us then. */
  echo(peer: NodeId, tick: number | undefined): void {
    if (tick !== undefined && tick > (this.contactTicks.get(peer) ?? -1)) this.contactTicks.set(peer, tick);
  }

  /**
   * The highest clock value a quorum of the configuration has echoed (the leader, if it votes,
   * counts as now); a peer that echoed nothing counts as `unheard`.
   */
  quorumContactTicks(configuration: Configuration, self: NodeId, unheard: number): number {
    return quorumValue(configuration, (member) => (member === self ? this.clockTicks : this.contactTicks.get(member) ?? unheard));
  }
}

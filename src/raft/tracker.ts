// Progress tracking of the reference Raft, in the room etcd-io/raft gives it (tracker/): the votes
// of a candidacy, and a leader's view of each follower's log (the next index to send, the highest
// index known replicated), with the quorum arithmetic both rest on. Its fields are public to
// RaftNode's field list (src/raft/node.ts), which copies and digests them.

import type { NodeId } from '../core/ids.js';

export class ProgressTracker {
  votesGranted = new Set<NodeId>();
  /** Used only by the count-stale-votes bug: granted responses counted, not distinct voters. */
  grantedResponseCount = 0;
  nextIndex = new Map<NodeId, number>();
  matchIndex = new Map<NodeId, number>();

  /** A new candidacy: only our own vote so far. */
  startCampaign(self: NodeId): void {
    this.votesGranted.clear();
    this.votesGranted.add(self);
    this.grantedResponseCount = 1;
  }

  forgetVotes(): void {
    this.votesGranted.clear();
  }

  /** Counts a voter once; returns the voters so far. */
  recordVote(voter: NodeId): number {
    this.votesGranted.add(voter);
    return this.votesGranted.size;
  }

  /** A new leadership: every peer is sent from lastIndex, none is known to match; we hold it all. */
  startLeading(self: NodeId, peers: readonly NodeId[], lastIndex: number): void {
    for (const peer of peers) {
      this.nextIndex.set(peer, lastIndex);
      this.matchIndex.set(peer, 0);
    }
    this.matchIndex.set(self, lastIndex);
  }

  forgetProgress(): void {
    this.nextIndex.clear();
    this.matchIndex.clear();
  }

  next(peer: NodeId, otherwise: number): number {
    return this.nextIndex.get(peer) ?? otherwise;
  }

  match(peer: NodeId): number {
    return this.matchIndex.get(peer) ?? 0;
  }

  /**
   * A successful append response: the peer holds everything up to matchIndex. Responses arrive
   * reordered and duplicated, so both indexes only ever move forward; true if next did.
   */
  acknowledge(peer: NodeId, matchIndex: number, next: number): boolean {
    if (matchIndex > this.match(peer)) this.matchIndex.set(peer, matchIndex);
    if (matchIndex + 1 <= next) return false;
    this.nextIndex.set(peer, matchIndex + 1);
    return true;
  }

  /** A rejected append: send from just after retryIndex, never below what matched; true if next moved back. */
  retryFrom(peer: NodeId, retryIndex: number, next: number): boolean {
    const retryNext = Math.max(this.match(peer) + 1, Math.min(next - 1, retryIndex + 1));
    if (retryNext >= next) return false;
    this.nextIndex.set(peer, retryNext);
    return true;
  }
}

export function quorumSize(memberCount: number): number {
  return Math.floor(memberCount / 2) + 1;
}

/** The highest value a quorum of the members has reached (the quorum-th highest). */
export function quorumValue(members: readonly NodeId[], valueOf: (member: NodeId) => number): number {
  const values = members.map(valueOf);
  values.sort((a, b) => b - a);
  return values[quorumSize(members.length) - 1];
}

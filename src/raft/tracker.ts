// Progress tracking of the reference Raft, in the room etcd-io/raft gives it (tracker/): the votes
// of a candidacy, and a leader's view of each follower's log (the next index to send, the highest
// index known replicated), which gains and loses peers as the configuration changes. The quorum
// arithmetic they are judged by is membership.ts's. Its fields are public to RaftNode's field list
// (src/raft/node.ts), which copies and digests them.

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

  /**
   * The configuration changed under a leader: a new peer is sent from lastIndex (it answers where
   * its log really ends) and known to match nothing; a peer no longer in it is forgotten.
   */
  followPeers(peers: readonly NodeId[], lastIndex: number): void {
    for (const peer of peers) {
      if (this.nextIndex.has(peer)) continue;
      this.nextIndex.set(peer, lastIndex);
      this.matchIndex.set(peer, 0);
    }
    for (const peer of [...this.nextIndex.keys()]) {
      if (peers.includes(peer)) continue;
      this.nextIndex.delete(peer);
      this.matchIndex.delete(peer);
    }
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

// Wire messages of the reference Raft (Raft paper, Figure 2). Plain data, so they can be
// fingerprinted, written into traces and sent over the process protocol unchanged.

import type { Command, Configuration, MessageView } from '../contract/contract.js';
import type { ClientSession } from '../contract/keyValueStore.js';
import type { NodeId } from '../core/ids.js';

export interface Entry {
  term: number;
  /** null for the no-op a new leader appends, and for a configuration entry. */
  command: Command | null;
  /**
   * Feature 'membership': a configuration entry, in force once appended. id is the change's id
   * (0 for the entry by which a leader leaves a joint configuration on its own).
   */
  change?: { id: number; configuration: Configuration };
}

export interface RequestVote {
  type: 'RequestVote';
  term: number;
  candidate: NodeId;
  lastLogIndex: number;
  lastLogTerm: number;
  /** A campaign a leader's TimeoutNow started (thesis 3.10): granted even by voters within a lease. */
  transfer?: true;
}

/**
 * Feature 'preVote' (thesis 9.6): would the voter grant a vote at `term` (the candidate's term + 1)?
 * Neither side's term changes.
 */
export interface PreVote {
  type: 'PreVote';
  term: number;
  candidate: NodeId;
  lastLogIndex: number;
  lastLogTerm: number;
}

/** A granted pre-vote carries the request's term; a refusal, the voter's own. */
export interface PreVoteResponse {
  type: 'PreVoteResponse';
  term: number;
  voteGranted: boolean;
}

/** Feature 'leadershipTransfer': the leader tells a caught-up target to campaign now (thesis 3.10). */
export interface TimeoutNow {
  type: 'TimeoutNow';
  term: number;
  leader: NodeId;
}

export interface RequestVoteResponse {
  type: 'RequestVoteResponse';
  term: number;
  voteGranted: boolean;
}

export interface AppendEntries {
  type: 'AppendEntries';
  term: number;
  leader: NodeId;
  previousLogIndex: number;
  previousLogTerm: number;
  entries: readonly Entry[];
  leaderCommit: number;
  /** The leader's latest read round, while ReadIndex reads wait for it (absent otherwise). */
  readRound?: number;
  /** With check-quorum or lease reads: the leader's clock when it sent this (src/raft/leadership.ts). */
  leaderTick?: number;
}

export interface AppendEntriesResponse {
  type: 'AppendEntriesResponse';
  term: number;
  success: boolean;
  /** On success: the index of the last entry the request covered. */
  matchIndex: number;
  /** On rejection: the highest index the leader may retry from (the follower's last index, capped). */
  retryIndex: number;
  /** The request's read round, echoed: an acknowledgement of the sender's leadership in this term. */
  readRound?: number;
  /** The request's leaderTick, echoed: the leader was heard when its clock read this. */
  leaderTick?: number;
}

/**
 * A compacted prefix of the log (Raft paper, section 7): the state machine after applying entries
 * 1..index, the client sessions with it (so that exactly-once survives compaction) and the
 * configuration in force at index. Never changed once made: nodes, records and messages share it.
 */
export interface Snapshot {
  index: number;
  term: number;
  configuration: Configuration;
  /** The key-value contents, keys in ascending order. */
  data: Readonly<Record<string, string>>;
  sessions: readonly ClientSession[];
}

/** A leader's offer of its snapshot to a follower whose next entry it compacted (section 7). */
export interface InstallSnapshot {
  type: 'InstallSnapshot';
  term: number;
  leader: NodeId;
  snapshot: Snapshot;
  /** As in AppendEntries: the leader's latest read round, while reads wait for it, and its clock. */
  readRound?: number;
  leaderTick?: number;
}

/** Answered with an AppendEntriesResponse: its matchIndex is what the follower then holds. */
export type RaftMessage = RequestVote | RequestVoteResponse | AppendEntries | AppendEntriesResponse | InstallSnapshot | PreVote | PreVoteResponse | TimeoutNow;

/** An answer to a request this node sent (a vote, a pre-vote, an append or a snapshot offer). */
export function isResponse(message: RaftMessage): message is RequestVoteResponse | AppendEntriesResponse | PreVoteResponse {
  return message.type === 'RequestVoteResponse' || message.type === 'AppendEntriesResponse' || message.type === 'PreVoteResponse';
}

/** What the reference writes to durable storage; replayed in order on restart. */
export type RaftRecord =
  | { kind: 'hardState'; term: number; votedFor: NodeId | null }
  /** Truncate the log after from - 1, then append these entries starting at index from. */
  | { kind: 'entries'; from: number; entries: readonly Entry[] }
  /** The log up to snapshot.index is folded into this snapshot: a restart starts from it. */
  | { kind: 'snapshot'; snapshot: Snapshot };

/** A reference message in Raft's common vocabulary (the contract's MessageView), for durability probes. */
export function referenceMessageView(message: RaftMessage): MessageView | null {
  switch (message.type) {
    case 'RequestVote':
    case 'PreVote':
      return {
        kind: 'voteRequest',
        term: message.term,
        candidate: message.candidate,
        lastIndex: message.lastLogIndex,
        lastTerm: message.lastLogTerm,
        ...(message.type === 'PreVote' ? { preVote: true } : {}),
      };
    case 'RequestVoteResponse':
    case 'PreVoteResponse':
      return { kind: 'voteResponse', term: message.term, granted: message.voteGranted, ...(message.type === 'PreVoteResponse' ? { preVote: true } : {}) };
    case 'AppendEntries':
      return { kind: 'append', term: message.term, prevIndex: message.previousLogIndex, prevTerm: message.previousLogTerm, entries: message.entries.length, commit: message.leaderCommit };
    case 'AppendEntriesResponse':
      return { kind: 'appendResponse', term: message.term, success: message.success, matchIndex: message.matchIndex };
    case 'InstallSnapshot':
      return { kind: 'snapshot', term: message.term, index: message.snapshot.index, snapshotTerm: message.snapshot.term };
    case 'TimeoutNow':
      return { kind: 'timeoutNow', term: message.term };
    default:
      return null;
  }
}

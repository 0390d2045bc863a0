// Wire messages of the reference Raft (Raft paper, Figure 2). Plain data, so they can be
// fingerprinted, written into traces and sent over the process protocol unchanged.

import type { Command } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';

export interface Entry {
  term: number;
  /** null for the no-op a new leader appends. */
  command: Command | null;
}

export interface RequestVote {
  type: 'RequestVote';
  term: number;
  candidate: NodeId;
  lastLogIndex: number;
  lastLogTerm: number;
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
}

export type RaftMessage = RequestVote | RequestVoteResponse | AppendEntries | AppendEntriesResponse;

/** What the reference writes to durable storage; replayed in order on restart. */
export type RaftRecord =
  | { kind: 'hardState'; term: number; votedFor: NodeId | null }
  /** Truncate the log after from - 1, then append these entries starting at index from. */
  | { kind: 'entries'; from: number; entries: readonly Entry[] };

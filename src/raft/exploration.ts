// The reference Raft's exploration hook (the contract's ExplorationHook): what the exhaustive
// explorer may know of it beyond the contract. It knows its own message and record shapes and its
// node's field list, so it renames every node id they hold (configuration entries' included), and symmetry reduction is exact: two
// states digest alike under a renaming exactly when they are equal up to that renaming. The
// reference adapter (src/adapters/reference.ts) offers it, as any implementation may offer its own.

import type { DigestSink, ExplorationHook } from '../contract/contract.js';
import { unreachable } from '../core/assert.js';
import { hashEntries, hashEntryConfigurations, RaftLog, replayRecords } from './log.js';
import type { RaftMessage, RaftRecord } from './messages.js';
import { RaftNode } from './node.js';
import { digestSnapshot, digestSnapshotIds } from './snapshot.js';

const messageCodes = { RequestVote: 1, RequestVoteResponse: 2, AppendEntries: 3, AppendEntriesResponse: 4, InstallSnapshot: 5, PreVote: 6, PreVoteResponse: 7, TimeoutNow: 8 } as const;

export const referenceExploration: ExplorationHook = {
  symmetric: true,
  symmetryNote: 'on: the reference Raft renames exactly (node states, message bodies, durable records)',
  digestNode(instance, sink) {
    (instance as RaftNode).digestWithoutIds(sink);
  },
  digestNodeIds(instance, rename, sink) {
    (instance as RaftNode).digestIds(sink, rename);
  },
  digestMessage(message, sink) {
    digestMessageBody(message.body as RaftMessage, sink);
  },
  digestMessageIds(message, rename, sink) {
    const body = message.body as RaftMessage;
    if (body.type === 'RequestVote' || body.type === 'PreVote') sink.number(rename[body.candidate]);
    else if (body.type === 'TimeoutNow') sink.number(rename[body.leader]);
    else if (body.type === 'AppendEntries') {
      sink.number(rename[body.leader]);
      hashEntryConfigurations(body.entries, rename, sink);
    } else if (body.type === 'InstallSnapshot') {
      sink.number(rename[body.leader]);
      digestSnapshotIds(body.snapshot, rename, sink);
    }
  },
  digestRecord(record, sink) {
    const raft = record as RaftRecord;
    if (raft.kind === 'hardState') sink.number(1).number(raft.term).number(raft.votedFor === null ? 0 : 1);
    else if (raft.kind === 'entries') {
      sink.number(2).number(raft.from);
      hashEntries(raft.entries, sink);
    } else {
      sink.number(3);
      digestSnapshot(raft.snapshot, sink);
    }
  },
  digestRecordIds(record, rename, sink) {
    const raft = record as RaftRecord;
    if (raft.kind === 'hardState' && raft.votedFor !== null) sink.number(rename[raft.votedFor]);
    else if (raft.kind === 'snapshot') digestSnapshotIds(raft.snapshot, rename, sink);
    else if (raft.kind === 'entries') hashEntryConfigurations(raft.entries, rename, sink);
  },
  compact(records) {
    // What a start rebuilds: the last hard state, the latest snapshot and the log the entry
    // records leave after it.
    const log = new RaftLog(true);
    const { hardState, snapshot } = replayRecords(records as readonly RaftRecord[], log);
    const compacted: RaftRecord[] = [];
    if (hardState !== null) compacted.push(hardState);
    if (snapshot !== null) compacted.push({ kind: 'snapshot', snapshot });
    if (log.entries.length > 0) compacted.push({ kind: 'entries', from: log.snapshotIndex + 1, entries: log.entries });
    return compacted;
  },
};

/** Every field of a message but the node ids, which digestMessageIds renames. */
function digestMessageBody(body: RaftMessage, sink: DigestSink): void {
  switch (body.type) {
    case 'RequestVote':
      sink.number(messageCodes.RequestVote).number(body.term).number(body.lastLogIndex).number(body.lastLogTerm);
      if (body.transfer === true) sink.number(1);
      return;
    case 'PreVote':
      sink.number(messageCodes.PreVote).number(body.term).number(body.lastLogIndex).number(body.lastLogTerm);
      return;
    case 'PreVoteResponse':
      sink.number(messageCodes.PreVoteResponse).number(body.term).number(body.voteGranted ? 1 : 0);
      return;
    case 'TimeoutNow':
      sink.number(messageCodes.TimeoutNow).number(body.term);
      return;
    case 'RequestVoteResponse':
      sink.number(messageCodes.RequestVoteResponse).number(body.term).number(body.voteGranted ? 1 : 0);
      return;
    case 'AppendEntries':
      sink.number(messageCodes.AppendEntries).number(body.term).number(body.previousLogIndex).number(body.previousLogTerm).number(body.leaderCommit).number(body.readRound ?? -1);
      // Present in every message of a run or in none (check-quorum, lease reads): no collision.
      if (body.leaderTick !== undefined) sink.number(body.leaderTick);
      hashEntries(body.entries, sink);
      return;
    case 'AppendEntriesResponse':
      sink
        .number(messageCodes.AppendEntriesResponse)
        .number(body.term)
        .number(body.success ? 1 : 0)
        .number(body.matchIndex)
        .number(body.retryIndex)
        .number(body.readRound ?? -1);
      if (body.leaderTick !== undefined) sink.number(body.leaderTick);
      return;
    case 'InstallSnapshot':
      sink.number(messageCodes.InstallSnapshot).number(body.term).number(body.readRound ?? -1);
      if (body.leaderTick !== undefined) sink.number(body.leaderTick);
      digestSnapshot(body.snapshot, sink);
      return;
    default:
      // A message type added to RaftMessage must be digested here (its ids renamed), or states
      // that are not symmetric would merge: the compiler finds the gap, this the impossible.
      unreachable(body, 'a reference message type the exploration hook does not digest');
  }
}

// What the explorer knows about an implementation beyond the contract: how to digest a node, a
// message and a durable record for world fingerprints, whether node ids may be permuted
// (symmetry reduction), and how to compact durable records without changing what a restart
// rebuilds.
//
// The contract makes messages, records and node internals opaque. For an opaque implementation
// the explorer digests messages and records as JSON, a node by its stateDigest() (or, without
// one, by the inputs it was handed since its start: a deterministic node fed the same inputs is
// in the same state), and keeps symmetry off: ids inside opaque bodies cannot be renamed. For the
// reference Raft it knows the message and record shapes, so it renames ids everywhere and folds
// the records, which is what makes symmetry reduction exact.

import type { DurableRecord, Implementation, Message, NodeInstance } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { HarnessBug } from '../core/assert.js';
import type { Entry, RaftMessage, RaftRecord } from '../raft/messages.js';
import { RaftNode } from '../raft/node.js';
import type { Lanes } from './lanes.js';

/**
 * Digests come in two parts, so that symmetry costs little: the part that names no node is
 * hashed once per state, the part that names nodes once per permutation of ids.
 */
export interface ImplementationKnowledge {
  /** Node ids may be permuted: every id in node states, messages and records can be renamed. */
  readonly symmetric: boolean;
  /** Why symmetry is on or off. */
  readonly symmetryNote: string;
  /** Node digests read the instance's internals, not only its stateDigest (a live instance is needed). */
  readonly readsInternals: boolean;
  digestNode(instance: NodeInstance, inputDigest: readonly [number, number], lanes: Lanes): void;
  digestNodeIds(instance: NodeInstance, rename: readonly NodeId[], lanes: Lanes): void;
  digestMessage(message: Message, lanes: Lanes): void;
  digestMessageIds(message: Message, rename: readonly NodeId[], lanes: Lanes): void;
  digestRecord(record: DurableRecord, lanes: Lanes): void;
  digestRecordIds(record: DurableRecord, rename: readonly NodeId[], lanes: Lanes): void;
  /** An equivalent, shorter list of synced records: a restart over it rebuilds the same state. */
  compact(records: readonly DurableRecord[]): readonly DurableRecord[];
}

export function knowledgeOf(implementation: Implementation): ImplementationKnowledge {
  const probe = implementation.createNode();
  probe.dispose?.();
  return probe instanceof RaftNode ? referenceKnowledge : opaqueKnowledge;
}

/** An opaque implementation without stateDigest: nodes are told apart by their inputs since start. */
export function knowledgeNeedsInputs(knowledge: ImplementationKnowledge, implementation: Implementation): boolean {
  if (knowledge !== opaqueKnowledge) return false;
  const probe = implementation.createNode();
  probe.dispose?.();
  return probe.stateDigest === undefined;
}

const ignoreIds = () => undefined;

const opaqueKnowledge: ImplementationKnowledge = {
  symmetric: false,
  symmetryNote: 'off: the implementation is opaque, so node ids inside its messages, records and state cannot be renamed',
  readsInternals: false,
  digestNode(instance, inputDigest, lanes) {
    const digest = instance.stateDigest?.();
    if (digest !== undefined) lanes.string(digest);
    else lanes.number(inputDigest[0]).number(inputDigest[1]);
  },
  digestNodeIds: ignoreIds,
  digestMessage(message, lanes) {
    lanes.string(JSON.stringify(message));
  },
  digestMessageIds: ignoreIds,
  digestRecord(record, lanes) {
    lanes.string(JSON.stringify(record));
  },
  digestRecordIds: ignoreIds,
  compact: (records) => records,
};

const messageCodes = { RequestVote: 1, RequestVoteResponse: 2, AppendEntries: 3, AppendEntriesResponse: 4 } as const;

const referenceKnowledge: ImplementationKnowledge = {
  symmetric: true,
  symmetryNote: 'on: the reference Raft renames exactly (node states, message bodies, durable records)',
  readsInternals: true,
  digestNode(instance, _inputDigest, lanes) {
    (instance as RaftNode).digestWithoutIds(lanes);
  },
  digestNodeIds(instance, rename, lanes) {
    (instance as RaftNode).digestIds(lanes, rename);
  },
  digestMessage(message, lanes) {
    const body = message.body as RaftMessage;
    switch (body.type) {
      case 'RequestVote':
        lanes.number(messageCodes.RequestVote).number(body.term).number(body.lastLogIndex).number(body.lastLogTerm);
        return;
      case 'RequestVoteResponse':
        lanes.number(messageCodes.RequestVoteResponse).number(body.term).number(body.voteGranted ? 1 : 0);
        return;
      case 'AppendEntries':
        lanes
          .number(messageCodes.AppendEntries)
          .number(body.term)
          .number(body.previousLogIndex)
          .number(body.previousLogTerm)
          .number(body.leaderCommit)
          .number(body.readRound ?? -1);
        digestEntries(body.entries, lanes);
        return;
      case 'AppendEntriesResponse':
        lanes
          .number(messageCodes.AppendEntriesResponse)
          .number(body.term)
          .number(body.success ? 1 : 0)
          .number(body.matchIndex)
          .number(body.retryIndex)
          .number(body.readRound ?? -1);
        return;
      default:
        // A message this module does not know may hold node ids it cannot rename: refuse rather
        // than merge states that are not symmetric. The reference and this module are both
        // raftcheck's, so a type missing here is raftcheck's bug.
        throw new HarnessBug(`explore: reference message type ${String((body as { type: unknown }).type)} is unknown to the symmetry reduction; run with --no-symmetry`);
    }
  },
  digestMessageIds(message, rename, lanes) {
    const body = message.body as RaftMessage;
    if (body.type === 'RequestVote') lanes.number(rename[body.candidate]);
    else if (body.type === 'AppendEntries') lanes.number(rename[body.leader]);
  },
  digestRecord(record, lanes) {
    const raft = record as RaftRecord;
    if (raft.kind === 'hardState') lanes.number(1).number(raft.term).number(raft.votedFor === null ? 0 : 1);
    else {
      lanes.number(2).number(raft.from);
      digestEntries(raft.entries, lanes);
    }
  },
  digestRecordIds(record, rename, lanes) {
    const raft = record as RaftRecord;
    if (raft.kind === 'hardState' && raft.votedFor !== null) lanes.number(rename[raft.votedFor]);
  },
  compact(records) {
    // The fold RaftNode.start performs: the last hard state, and the log the entry records leave.
    let hardState: RaftRecord | null = null;
    const log: Entry[] = [];
    for (const record of records as readonly RaftRecord[]) {
      if (record.kind === 'hardState') hardState = record;
      else {
        log.length = record.from - 1;
        for (const entry of record.entries) log.push(entry);
      }
    }
    const compacted: RaftRecord[] = [];
    if (hardState !== null) compacted.push(hardState);
    if (log.length > 0) compacted.push({ kind: 'entries', from: 1, entries: log });
    return compacted;
  },
};

/** Entries by term and command id: explore commands are determined by their id. */
function digestEntries(entries: readonly Entry[], lanes: Lanes): void {
  lanes.number(entries.length);
  for (const entry of entries) lanes.number(entry.term).number(entry.command === null ? 0 : entry.command.id);
}

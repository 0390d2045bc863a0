// The reference Raft's log, in the room etcd-io/raft gives it (log.go): the entries and their
// terms, matching a leader's append against them, truncation at a conflict, and the commit and
// apply indexes. It writes nothing durable itself: RaftNode turns every change into a record.
// Its fields are public to RaftNode's field list (src/raft/node.ts), which copies and digests them.
//
// Compaction (feature 'snapshots', paper section 7): the entries up to snapshotIndex are folded
// into a snapshot and gone; the log keeps only those after it, and knows the last folded entry's
// term so that appends right after the snapshot still match. Indexes stay absolute.

import type { DigestSink, LogEntryView, StateView } from '../contract/contract.js';
import { emptyList } from '../contract/contract.js';
import { assert } from '../core/assert.js';
import type { NodeId } from '../core/ids.js';
import { digestConfiguration } from './membership.js';
import type { Entry, RaftRecord, Snapshot } from './messages.js';

export class RaftLog {
  /** entries[i - snapshotIndex - 1] is the entry at index i. */
  entries: Entry[] = [];
  /** The last index and its term folded into the latest snapshot (0, 0: none). */
  snapshotIndex = 0;
  snapshotTerm = 0;
  commitIndex = 0;
  appliedIndex = 0;
  /** Lowest index changed since the last view was taken (Infinity: none). */
  changedFrom = Number.POSITIVE_INFINITY;

  /**
   * With any bug on, committed entries may be rewritten and the commit index may pass the end of
   * the log: the bug showing, which the invariants are to report rather than our assertions.
   */
  constructor(public committedMayBreak: boolean) {}

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  /** The term of the entry at index, which must not be compacted (the snapshot's own is known). */
  termAt(index: number): number {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    // Messages are built only on failure: this runs many times a step.
    if (index < this.snapshotIndex) assert(false, `the term of compacted index ${index} (snapshot ${this.snapshotIndex})`);
    return this.entries[index - this.snapshotIndex - 1].term;
  }

  entryAt(index: number): Entry {
    return this.entries[index - this.snapshotIndex - 1];
  }

  /** Is the entry at index folded into the snapshot (its term no longer known)? */
  compacted(index: number): boolean {
    return index < this.snapshotIndex;
  }

  /** The entries after index `after` (not compacted), up to index `last` included. */
  slice(after: number, last: number): readonly Entry[] {
    return last > after ? this.entries.slice(after - this.snapshotIndex, last - this.snapshotIndex) : emptyList;
  }

  /** Is a log ending at (lastIndex, lastTerm) at least as up to date as this one (section 5.4.1)? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ownLastTerm = this.termAt(this.lastIndex());
    return lastTerm > ownLastTerm || (lastTerm === ownLastTerm && lastIndex >= this.lastIndex());
  }

  /** Does this log hold an entry of this term at this index (Figure 2, AppendEntries step 2)? */
  matches(index: number, term: number): boolean {
    return index <= this.lastIndex() && this.termAt(index) === term;
  }

  /** How many of the entries, to be written after index `after`, this log already holds. */
  heldCount(after: number, entries: readonly Entry[]): number {
    let held = 0;
    while (held < entries.length) {
      const index = after + 1 + held;
      if (index > this.lastIndex() || this.termAt(index) !== entries[held].term) break;
      held += 1;
    }
    return held;
  }

  /** Writes entries at index from, dropping everything after from - 1; returns the last index. */
  write(from: number, entries: readonly Entry[]): number {
    if (from < 1 || from > this.lastIndex() + 1) assert(false, `append at ${from} past the end ${this.lastIndex()}`);
    if (from <= this.commitIndex && !this.committedMayBreak) assert(false, `truncating committed entries at ${from} (commit ${this.commitIndex})`);
    this.replay(from, entries);
    return this.lastIndex();
  }

  /** Writes entries at index from as a durable record holds them: no checks, for a restart. */
  replay(from: number, entries: readonly Entry[]): void {
    // Entries at compacted indexes are committed, and the snapshot holds them already.
    const skipped = Math.max(0, this.snapshotIndex + 1 - from);
    this.entries.length = from + skipped - 1 - this.snapshotIndex;
    for (let position = skipped; position < entries.length; position += 1) this.entries.push(entries[position]);
    if (from + skipped < this.changedFrom) this.changedFrom = from + skipped;
  }

  /**
   * Folds the log up to snapshot's index into it. A log that holds the snapshot's last entry keeps
   * the entries after it (section 7: they may be newer than the snapshot); any other is discarded
   * whole. Commit and apply indexes rise to the snapshot's index. Ignores a snapshot older than
   * the one folded in already.
   */
  foldInto(snapshot: Snapshot): void {
    if (snapshot.index <= this.snapshotIndex) return;
    this.startAt(snapshot);
    this.commitTo(snapshot.index);
    if (this.appliedIndex < snapshot.index) this.appliedIndex = snapshot.index;
  }

  /**
   * Bug install-snapshot-older-than-commit: the log starts over at a snapshot older than its
   * commit index as though it were new, and the commit and apply indexes go back to its index.
   */
  rollBackTo(snapshot: Snapshot): void {
    if (snapshot.index < this.snapshotIndex) {
      this.entries = [];
      this.snapshotIndex = snapshot.index;
    }
    this.startAt(snapshot);
    this.commitIndex = snapshot.index;
    this.appliedIndex = snapshot.index;
  }

  /** The log after a snapshot at or past snapshotIndex: the entries after it if it holds its last one, else none. */
  private startAt(snapshot: Snapshot): void {
    const keepsSuffix = this.matches(snapshot.index, snapshot.term);
    this.entries = keepsSuffix ? this.entries.slice(snapshot.index - this.snapshotIndex) : [];
    this.snapshotIndex = snapshot.index;
    this.snapshotTerm = snapshot.term;
    if (!keepsSuffix && snapshot.index + 1 < this.changedFrom) this.changedFrom = snapshot.index + 1;
  }

  /** Raises the commit index; it never goes back. */
  commitTo(index: number): void {
    if (index > this.commitIndex) this.commitIndex = index;
  }

  /** Is the last committed entry one of this term (thesis 6.4: a leader's commit index is current)? */
  committedInTerm(term: number): boolean {
    return this.commitIndex > 0 && this.commitIndex <= this.lastIndex() && this.termAt(this.commitIndex) === term;
  }

  /** The highest index that may be applied now. */
  applicableIndex(): number {
    return this.committedMayBreak ? Math.min(this.commitIndex, this.lastIndex()) : this.commitIndex;
  }

  /** The entries changed since the last view, as the white-box view carries them (null: none). */
  takeChangedView(): StateView['log'] | null {
    if (this.changedFrom === Number.POSITIVE_INFINITY) return null;
    // A change below the snapshot is the snapshot's: the view's log starts after it.
    const from = Math.max(this.changedFrom, this.snapshotIndex + 1);
    const entries: LogEntryView[] = [];
    for (let index = from; index <= this.lastIndex(); index += 1) {
      const entry = this.entryAt(index);
      entries.push({ term: entry.term, commandId: entryId(entry) });
    }
    this.changedFrom = Number.POSITIVE_INFINITY;
    return { from, entries };
  }
}

/** What a restart rebuilds besides the log: the last hard state and the latest snapshot (null: none). */
export interface Replayed {
  hardState: Extract<RaftRecord, { kind: 'hardState' }> | null;
  snapshot: Snapshot | null;
}

/**
 * What a restart rebuilds from durable records, in the order they were written: the entry and
 * snapshot records replayed into `log`, the last hard state and the latest snapshot. RaftNode's
 * start and the explorer's fold of records (src/raft/exploration.ts) both go through it.
 */
export function replayRecords(records: readonly RaftRecord[], log: RaftLog): Replayed {
  const replayed: Replayed = { hardState: null, snapshot: null };
  for (const record of records) {
    if (record.kind === 'hardState') replayed.hardState = record;
    else if (record.kind === 'entries') log.replay(record.from, record.entries);
    else if (record.snapshot.index > log.snapshotIndex) {
      log.foldInto(record.snapshot);
      replayed.snapshot = record.snapshot;
    }
  }
  return replayed;
}

/**
 * The id the harness knows an entry by: its command's, its configuration change's, or 0 for one
 * the node made itself (the no-op of a term, the entry that leaves a joint configuration).
 */
export function entryId(entry: Entry): number {
  if (entry.command !== null) return entry.command.id;
  return entry.change === undefined ? 0 : entry.change.id;
}

/**
 * Entries by term and id, for the digests: commands are told apart by their id, configuration
 * entries by a negative code (their configurations name nodes: hashEntryConfigurations has them).
 */
export function hashEntries(entries: readonly Entry[], sink: DigestSink): void {
  sink.number(entries.length);
  for (const entry of entries) {
    sink.number(entry.term);
    sink.number(entry.change === undefined ? entryId(entry) : -1 - entry.change.id);
  }
}

/** The configurations of the configuration entries among these, every id renamed (null: as it is). */
export function hashEntryConfigurations(entries: readonly Entry[], rename: readonly NodeId[] | null, sink: DigestSink): void {
  for (const entry of entries) if (entry.change !== undefined) digestConfiguration(entry.change.configuration, rename, sink);
}

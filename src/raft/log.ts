// The reference Raft's log, in the room etcd-io/raft gives it (log.go): the entries and their
// terms, matching a leader's append against them, truncation at a conflict, and the commit and
// apply indexes. It writes nothing durable itself: RaftNode turns every change into a record.
// Its fields are public to RaftNode's field list (src/raft/node.ts), which copies and digests them.

import type { DigestSink, LogEntryView, StateView } from '../contract/contract.js';
import { emptyList } from '../contract/contract.js';
import { assert } from '../core/assert.js';
import type { Entry, RaftRecord } from './messages.js';

export class RaftLog {
  /** entries[i - 1] is the entry at index i. */
  entries: Entry[] = [];
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
    return this.entries.length;
  }

  termAt(index: number): number {
    return index === 0 ? 0 : this.entries[index - 1].term;
  }

  entryAt(index: number): Entry {
    return this.entries[index - 1];
  }

  /** The entries after index `after`, up to index `last` included. */
  slice(after: number, last: number): readonly Entry[] {
    return last > after ? this.entries.slice(after, last) : emptyList;
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
    assert(from >= 1 && from <= this.lastIndex() + 1, `append at ${from} past the end ${this.lastIndex()}`);
    assert(from > this.commitIndex || this.committedMayBreak, `truncating committed entries at ${from} (commit ${this.commitIndex})`);
    this.replay(from, entries);
    return this.lastIndex();
  }

  /** Writes entries at index from as a durable record holds them: no checks, for a restart. */
  replay(from: number, entries: readonly Entry[]): void {
    this.entries.length = from - 1;
    for (const entry of entries) this.entries.push(entry);
    if (from < this.changedFrom) this.changedFrom = from;
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
    const from = this.changedFrom;
    const entries: LogEntryView[] = [];
    for (let index = from; index <= this.lastIndex(); index += 1) {
      const entry = this.entries[index - 1];
      entries.push({ term: entry.term, commandId: entry.command === null ? 0 : entry.command.id });
    }
    this.changedFrom = Number.POSITIVE_INFINITY;
    return { from, entries };
  }
}

/**
 * What a restart rebuilds from durable records, in the order they were written: the entry records
 * replayed into `log`, and the last hard state (null: none). RaftNode's start and the explorer's
 * fold of records (src/raft/exploration.ts) both go through it.
 */
export function replayRecords(records: readonly RaftRecord[], log: RaftLog): Extract<RaftRecord, { kind: 'hardState' }> | null {
  let hardState: Extract<RaftRecord, { kind: 'hardState' }> | null = null;
  for (const record of records) {
    if (record.kind === 'hardState') hardState = record;
    else log.replay(record.from, record.entries);
  }
  return hardState;
}

/** Entries by term and command id, for the digests: commands are told apart by their id. */
export function hashEntries(entries: readonly Entry[], sink: DigestSink): void {
  sink.number(entries.length);
  for (const entry of entries) {
    sink.number(entry.term);
    sink.number(entry.command === null ? 0 : entry.command.id);
  }
}

// Durable storage of one node: an append-only list of opaque records. Records are durable only
// once a sync point covers them; a crash keeps the durable prefix and loses the rest (all of the
// unsynced suffix, or a torn part of it). The harness owns this, so a restart sees exactly what
// survived.

import type { DurableRecord, Input, Output } from '../contract/contract.js';
import type { ObservedNode } from '../contract/observation.js';
import { assert } from '../core/assert.js';
import type { NodeId } from '../core/ids.js';
import type { ProbedOutput } from '../world/probes.js';

export class NodeStorage {
  private readonly records: DurableRecord[] = [];
  /** records[0 .. durableCount) are durable. */
  private durableCount = 0;

  append(records: readonly DurableRecord[]): void {
    for (const record of records) this.records.push(record);
  }

  /** Makes every record written so far durable. */
  sync(): void {
    this.durableCount = this.records.length;
  }

  /** Makes the first `count` records durable (a sync that was requested when that many were written). */
  syncUpTo(count: number): void {
    if (count > this.durableCount) this.durableCount = Math.min(count, this.records.length);
  }

  /**
   * Loses the last `count` durable records: a disk that lied about a sync. Breaks Raft's own
   * assumptions, so the simulator only does it when a scenario asks (unsafeFaults).
   */
  corruptSynced(count: number): number {
    const lost = Math.min(count, this.durableCount);
    this.records.splice(this.durableCount - lost, lost);
    this.durableCount -= lost;
    return lost;
  }

  get unsyncedCount(): number {
    return this.records.length - this.durableCount;
  }

  get writtenCount(): number {
    return this.records.length;
  }

  /**
   * A crash: keeps the durable records plus the first `keptUnsynced` unsynced ones (a torn write
   * keeps some, a clean loss keeps none) and returns how many were lost.
   */
  crash(keptUnsynced = 0): number {
    assert(Number.isInteger(keptUnsynced), `crash() keeps a whole number of records, got ${keptUnsynced}`);
    const kept = this.durableCount + Math.max(0, Math.min(keptUnsynced, this.unsyncedCount));
    const lost = this.records.length - kept;
    this.records.length = kept;
    this.durableCount = kept;
    return lost;
  }

  /** Everything gone, durable or not: a removed node's disk wiped. */
  wipe(): void {
    this.records.length = 0;
    this.durableCount = 0;
  }

  /** The records written from `from` to `to` (a durability probe's shadow starts from some of them). */
  recordsBetween(from: number, to: number): readonly DurableRecord[] {
    return this.records.slice(from, to);
  }

  /** What a restarted node is handed: the surviving records, in write order. */
  surviving(): readonly DurableRecord[] {
    return this.records.slice(0, this.durableCount);
  }
}

/** What a probed output says besides its records (src/world/probes.ts). */
export type ProbedOutputFields = Omit<ProbedOutput, 'durable' | 'unsynced'>;

/** What every record durable is handed as its unsynced records (most outputs). */
const noRecords: readonly DurableRecord[] = Object.freeze([]);

/**
 * A probed output over a node's storage, whose durable records are copied only when read: most
 * outputs are passed over before a shadow starts, and the durable list grows with the run. A
 * class, not an object literal with getters: this is made for every output that sends messages.
 */
export class ProbedStorageOutput implements ProbedOutput {
  readonly id: NodeId;
  readonly incarnation: number;
  readonly output: Output;
  readonly unsynced: readonly DurableRecord[];
  readonly tornKeptMax: number;
  readonly start: (records: readonly DurableRecord[]) => Input;
  readonly mirror: ObservedNode;
  readonly eventNumber: number;
  readonly timeMs: number;
  private durableRecords: readonly DurableRecord[] | null = null;

  /** The records of `storage` up to `durableCount` are durable as the output's messages leave. */
  constructor(
    private readonly storage: NodeStorage,
    private readonly durableCount: number,
    fields: ProbedOutputFields,
  ) {
    this.id = fields.id;
    this.incarnation = fields.incarnation;
    this.output = fields.output;
    this.unsynced = durableCount === storage.writtenCount ? noRecords : storage.recordsBetween(durableCount, storage.writtenCount);
    this.tornKeptMax = fields.tornKeptMax;
    this.start = fields.start;
    this.mirror = fields.mirror;
    this.eventNumber = fields.eventNumber;
    this.timeMs = fields.timeMs;
  }

  get durable(): readonly DurableRecord[] {
    return (this.durableRecords ??= this.storage.recordsBetween(0, this.durableCount));
  }
}

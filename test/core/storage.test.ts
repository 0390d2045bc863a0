// NodeStorage decides what a restarted node sees: the records its last sync covered, plus the
// first few unsynced ones when a crash tears a write. These properties pin that against a model.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NodeStorage } from '../../src/sim/storage.js';

type Operation =
  | { kind: 'append'; count: number }
  | { kind: 'sync' }
  | { kind: 'crash'; keptUnsynced: number };

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }).map((count) => ({ kind: 'append' as const, count })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'sync' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: -2, max: 8 }).map((keptUnsynced) => ({ kind: 'crash' as const, keptUnsynced })) },
);

/**
 * The model: every record ever written, in order, and how many of them were durable at the last
 * sync or crash. Records are distinct objects, so identity checks catch copies and reorderings.
 */
class ModelStorage {
  written: { record: number }[] = [];
  durableCount = 0;

  crash(keptUnsynced: number): number {
    const unsynced = this.written.length - this.durableCount;
    const kept = Math.min(Math.max(keptUnsynced, 0), unsynced);
    this.written = this.written.slice(0, this.durableCount + kept);
    this.durableCount = this.written.length;
    return unsynced - kept;
  }
}

describe('NodeStorage', () => {
  it('after any sequence of append, sync and crash, survives as the last sync plus the kept unsynced records', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 80 }), (operations) => {
        const storage = new NodeStorage();
        const model = new ModelStorage();
        let nextRecord = 0;
        for (const operation of operations) {
          switch (operation.kind) {
            case 'append': {
              const records = Array.from({ length: operation.count }, () => ({ record: nextRecord++ }));
              storage.append(records);
              model.written.push(...records);
              break;
            }
            case 'sync':
              storage.sync();
              model.durableCount = model.written.length;
              break;
            case 'crash':
              expect(storage.crash(operation.keptUnsynced)).toBe(model.crash(operation.keptUnsynced));
              break;
          }
          const surviving = storage.surviving();
          expect(surviving).toHaveLength(model.durableCount);
          surviving.forEach((record, index) => expect(record).toBe(model.written[index]));
          expect(storage.writtenCount).toBe(model.written.length);
          expect(storage.unsyncedCount).toBe(model.written.length - model.durableCount);
        }
      }),
    );
  });

  it('after a crash, holds exactly the synced records followed by the first kept unsynced ones, in write order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { maxLength: 20 }),
        fc.array(fc.string(), { maxLength: 20 }),
        fc.integer({ min: 0, max: 25 }),
        (synced, unsynced, keptUnsynced) => {
          const storage = new NodeStorage();
          storage.append(synced);
          storage.sync();
          storage.append(unsynced);
          const lost = storage.crash(keptUnsynced);
          const kept = Math.min(keptUnsynced, unsynced.length);
          expect(storage.surviving()).toEqual([...synced, ...unsynced.slice(0, kept)]);
          expect(lost).toBe(unsynced.length - kept);
          expect(storage.unsyncedCount).toBe(0);
          expect(storage.writtenCount).toBe(synced.length + kept);
        },
      ),
    );
  });

  it('loses exactly the unsynced records on crash(0) and returns how many it lost', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), (syncedCount, unsyncedCount) => {
        const storage = new NodeStorage();
        const synced = Array.from({ length: syncedCount }, (_, index) => `s${index}`);
        storage.append(synced);
        storage.sync();
        storage.append(Array.from({ length: unsyncedCount }, (_, index) => `u${index}`));
        expect(storage.unsyncedCount).toBe(unsyncedCount);
        expect(storage.crash(0)).toBe(unsyncedCount);
        expect(storage.surviving()).toEqual(synced);
      }),
    );
  });

  it('treats crash() with no argument as a clean loss of every unsynced record', () => {
    const storage = new NodeStorage();
    storage.append(['a']);
    storage.sync();
    storage.append(['b', 'c']);
    expect(storage.crash()).toBe(2);
    expect(storage.surviving()).toEqual(['a']);
  });

  it('treats a negative kept count as keeping none', () => {
    const storage = new NodeStorage();
    storage.append(['a', 'b']);
    expect(storage.crash(-3)).toBe(2);
    expect(storage.surviving()).toEqual([]);
  });

  it('keeps every unsynced record when the kept count exceeds them, and loses nothing', () => {
    const storage = new NodeStorage();
    storage.append(['a', 'b']);
    expect(storage.crash(10)).toBe(0);
    expect(storage.surviving()).toEqual(['a', 'b']);
  });

  it('makes a torn write\'s kept records durable, so a second crash does not lose them', () => {
    const storage = new NodeStorage();
    storage.append(['a', 'b', 'c']);
    expect(storage.crash(2)).toBe(1);
    expect(storage.crash(0)).toBe(0);
    expect(storage.surviving()).toEqual(['a', 'b']);
  });

  it('makes syncing twice the same as syncing once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(), { maxLength: 5 }), { maxLength: 10 }), fc.nat({ max: 10 }), (batches, keptUnsynced) => {
        const once = new NodeStorage();
        const twice = new NodeStorage();
        for (const batch of batches) {
          once.append(batch);
          twice.append(batch);
        }
        once.sync();
        twice.sync();
        twice.sync();
        expect(twice.surviving()).toEqual(once.surviving());
        expect(twice.unsyncedCount).toBe(once.unsyncedCount);
        expect(twice.crash(keptUnsynced)).toBe(once.crash(keptUnsynced));
        expect(twice.surviving()).toEqual(once.surviving());
      }),
    );
  });

  it('loses nothing in a crash when nothing is unsynced', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), fc.integer({ min: -2, max: 10 }), (records, keptUnsynced) => {
        const storage = new NodeStorage();
        storage.append(records);
        storage.sync();
        expect(storage.crash(keptUnsynced)).toBe(0);
        expect(storage.surviving()).toEqual(records);
        expect(storage.writtenCount).toBe(records.length);
      }),
    );
  });

  it('loses nothing in a crash of a storage that was never written', () => {
    const storage = new NodeStorage();
    expect(storage.crash()).toBe(0);
    expect(storage.surviving()).toEqual([]);
  });

  it('does not count appended records as surviving until a sync or crash covers them', () => {
    const storage = new NodeStorage();
    storage.append(['a']);
    expect(storage.surviving()).toEqual([]);
    expect(storage.unsyncedCount).toBe(1);
    storage.sync();
    expect(storage.surviving()).toEqual(['a']);
  });

  it('returns a copy from surviving(), so later writes do not change what a restart was handed', () => {
    const storage = new NodeStorage();
    storage.append(['a']);
    storage.sync();
    const handed = storage.surviving();
    storage.append(['b']);
    storage.sync();
    expect(handed).toEqual(['a']);
  });

  it('does not keep a reference to the appended array, so the caller reusing it changes nothing', () => {
    const storage = new NodeStorage();
    const batch = ['a', 'b'];
    storage.append(batch);
    batch.length = 0;
    batch.push('x');
    storage.sync();
    expect(storage.surviving()).toEqual(['a', 'b']);
  });
});

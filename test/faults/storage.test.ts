// Storage faults: records are durable only after a sync; a crash loses the unsynced ones (all,
// or a torn suffix); sync latency holds back the messages that depend on the sync; corruption of
// synced data happens only when a scenario asks for unsafe faults.

import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from './probes.js';
import { assertValid, combine, eventsOf, pingOnFirstTick, runProbe, scheduled, withNote, writeOnTicks } from './probes.js';
import { checkScenario } from '../../src/sim/scenarioSchema.js';

/** The records one incarnation of a node wrote. */
function writtenBy(records: readonly ProbeRecord[] | undefined, incarnation: number): ProbeRecord[] {
  return (records ?? []).filter((record) => record.incarnation === incarnation);
}

describe('sync and crash, without sync latency', () => {
  it('keeps the records a sync covered and loses exactly the ones written after the last sync', () => {
    // Node 1 writes one record per tick on ticks 1-7 and syncs on ticks 2 and 5: records 1-5 are
    // durable (1 and 3-4 through a later sync), 6 and 7 are not.
    const { log, events, result } = runProbe({
      scenario: scheduled([{ atMs: 200, action: 'crash', node: 1, restartAfterMs: 50 }], 400),
      behaviour: writeOnTicks({ writers: [1], ticksMax: 7, sync: (tick) => tick === 2 || tick === 5 }),
    });
    const written = writtenBy(log.written.get(1), 1);
    expect(written.map((record) => [record.tick, record.synced])).toEqual([
      [1, false],
      [2, true],
      [3, false],
      [4, false],
      [5, true],
      [6, false],
      [7, false],
    ]);
    expect(log.starts(1)[1].records).toEqual(written.slice(0, 5));
    expect(eventsOf(events, 'crash')).toMatchObject([{ t: 200, node: 1, note: 'lost 2 unsynced record(s)' }]);
    expect(result.statistics).toMatchObject({ unsyncedRecordsLost: 2, tornWrites: 0 });
  });
});

describe('sync latency', () => {
  const latency = { minMs: 20, maxMs: 20 };
  const behaviour = combine(pingOnFirstTick([1]), writeOnTicks({ writers: [1], ticksMax: 1, sync: () => true }));

  it("sends an output's messages only when its sync completes", () => {
    const scenario = scheduled([], 200);
    scenario.storage.syncLatencyMs = latency;
    const { log, events } = runProbe({ scenario, behaviour });
    const [firstTick] = log.tickTimes(1);
    expect(eventsOf(events, 'syncComplete')).toMatchObject([{ t: firstTick + 20, node: 1 }]);
    const deliveries = log.deliveries();
    expect(deliveries.map((delivery) => delivery.to)).toEqual([2, 3, 4, 5]);
    for (const delivery of deliveries) {
      expect(delivery.sentAtMs).toBe(firstTick);
      expect(delivery.atMs).toBe(firstTick + 20 + 1);
    }
  });

  it('loses both the records and the messages that waited for a sync when the node crashes before it completes', () => {
    // The first tick comes at 10-19 ms, so its sync completes at 30-39 ms: the crash at 25 ms is first.
    const scenario = scheduled([{ atMs: 25, action: 'crash', node: 1, restartAfterMs: 100 }], 300);
    scenario.storage.syncLatencyMs = latency;
    const { log, events, result } = runProbe({ scenario, behaviour });
    expect(log.tickTimes(1)[0]).toBeLessThan(25);
    const lost = withNote(events, 'lost: the sender crashed before its sync completed');
    expect(lost.map((event) => event.node)).toEqual([2, 3, 4, 5]);
    expect(log.deliveries().filter((delivery) => delivery.sentAtMs < 25)).toEqual([]);
    expect(eventsOf(events, 'crash')[0].note).toBe('lost 1 unsynced record(s)');
    expect(log.starts(1)[1].records).toEqual([]);
    expect(result.statistics.unsyncedRecordsLost).toBe(1);
  });

  // A crash at exactly the instant a sync is due is processed before the syncComplete event (it
  // was queued first), so the record is lost; the messages that waited for that sync must be
  // lost with it. (Found as a bug: the loss used to be decided by comparing times, and equal
  // times let the messages through.)
  it('never delivers a message whose sync was lost to a crash at the very instant the sync was due', () => {
    const probeScenario = scheduled([], 200);
    probeScenario.storage.syncLatencyMs = latency;
    const firstTick = runProbe({ scenario: probeScenario, behaviour }).log.tickTimes(1)[0];

    const scenario = scheduled([{ atMs: firstTick + 20, action: 'crash', node: 1, restartAfterMs: 50 }], 200);
    scenario.storage.syncLatencyMs = latency;
    const { log } = runProbe({ scenario, behaviour });
    expect(log.tickTimes(1)[0]).toBe(firstTick);
    const survived = log.starts(1)[1].records;
    const delivered = log.deliveries().filter((delivery) => delivery.sentAtMs === firstTick);
    // Either the sync made it (the record survived) or its messages never left; here the crash
    // came first, so neither.
    expect(delivered.length === 0 || survived.length === 1).toBe(true);
    expect(delivered).toHaveLength(0);
    expect(survived).toHaveLength(0);
  });
});

describe('torn writes', () => {
  const writeFiveUnsynced = writeOnTicks({ writers: [1], ticksMax: 5, sync: () => false });

  function tornCrash(seed: number) {
    const scenario = scheduled([{ atMs: 100, action: 'crash', node: 1, restartAfterMs: 50 }], 200);
    scenario.storage.tornWriteProbability = 1;
    const { log, events, result } = runProbe({ scenario, behaviour: writeFiveUnsynced, seed });
    return { written: writtenBy(log.written.get(1), 1), kept: log.starts(1)[1].records, crash: eventsOf(events, 'crash')[0], result };
  }

  it('keeps a non-empty prefix of the unsynced records, in write order, with tornWriteProbability 1', () => {
    const keptCounts = new Set<number>();
    for (let seed = 1; seed <= 40; seed += 1) {
      const { written, kept, result } = tornCrash(seed);
      expect(written).toHaveLength(5);
      expect(kept.length).toBeGreaterThanOrEqual(1);
      expect(kept).toEqual(written.slice(0, kept.length));
      expect(result.statistics.tornWrites).toBe(1);
      expect(result.statistics.unsyncedRecordsLost).toBe(5 - kept.length);
      keptCounts.add(kept.length);
    }
    expect(keptCounts.size).toBeGreaterThan(2);
  });

  it('notes how many records a torn write lost and kept', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const { kept, crash } = tornCrash(seed);
      if (kept.length < 5) {
        expect(crash.note).toBe(`lost ${5 - kept.length} unsynced record(s), kept a torn ${kept.length}`);
        return;
      }
    }
    throw new Error('no seed in 1-40 tore a write');
  });

  // Found as a bug in src/sim/simulation.ts and fixed; kept as a regression test.
  // range in the uncommitted keptIfTorn rewrite, line 557): a torn write keeps
  // `random.integer('storage', 1, unsynced)` records, which includes all of them: the crash then
  // loses nothing, yet counts a torn write (statistics.tornWrites) and the trace says nothing.
  // DESIGN.md: "the unsynced writes are lost (all, or a torn suffix)"; a torn write should keep
  // 1 .. unsynced - 1 records (and with a single unsynced record, lose it). Reproduction: the
  // test below, seeds 1-40, five unsynced records, tornWriteProbability 1: some seeds keep all 5.
  it('keeps a strict prefix (loses at least one record) when a torn write meets at least two unsynced records', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const { kept } = tornCrash(seed);
      expect(kept.length, `seed ${seed}`).toBeLessThan(5);
    }
  });
});

describe('corruption of synced data', () => {
  it("loses the last synced records on a scheduled 'corrupt', and the restarted node sees the gap", () => {
    const scenario = scheduled(
      [
        { atMs: 100, action: 'corrupt', node: 1, records: 2 },
        { atMs: 200, action: 'crash', node: 1, restartAfterMs: 10 },
      ],
      300,
    );
    scenario.unsafeFaults = true;
    const { log, events, result } = runProbe({ scenario, behaviour: writeOnTicks({ writers: [1], sync: () => true }) });
    const ticks = log.inputsOf(1, 'tick').filter((entry) => entry.incarnation === 1);
    const written = writtenBy(log.written.get(1), 1);
    const beforeCorruption = written.filter((record) => ticks[record.tick - 1].atMs < 100);
    const corrupted = beforeCorruption.slice(-2);
    expect(beforeCorruption.length).toBeGreaterThan(5);
    expect(log.starts(1)[1].records).toEqual(written.filter((record) => !corrupted.includes(record)));
    expect(eventsOf(events, 'corrupt')).toMatchObject([{ t: 100, node: 1, note: "corrupted: lost 2 synced record(s) (breaks Raft's assumptions)" }]);
    expect(result.statistics.corruptions).toBe(1);
  });

  it('rejects a corrupting scenario that does not set unsafeFaults', () => {
    const scheduledCorruption = scheduled([{ atMs: 100, action: 'corrupt', node: 1 }]);
    expect(checkScenario(scheduledCorruption).map((error) => error.path)).toEqual(['schedule[0].action']);
    expect(checkScenario(scheduledCorruption)[0].message).toContain('unsafeFaults');

    const randomCorruption = scheduled([]);
    randomCorruption.storage.corruptionsPerSecond = 1;
    expect(checkScenario(randomCorruption).map((error) => error.path)).toEqual(['storage.corruptionsPerSecond']);

    scheduledCorruption.unsafeFaults = true;
    randomCorruption.unsafeFaults = true;
    expect(() => assertValid(scheduledCorruption)).not.toThrow();
    expect(() => assertValid(randomCorruption)).not.toThrow();
  });
});

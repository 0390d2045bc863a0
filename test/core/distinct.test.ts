// Counting distinct fingerprints in bounded memory (src/core/distinct.ts): exact up to a bound,
// a HyperLogLog estimate past it, and the same answer however the fingerprints were split and
// ordered, so that merged shards count what one campaign counts.

import { describe, expect, it } from 'vitest';
import { DistinctCounter, exactDistinctMax } from '../../src/core/distinct.js';
import { chainHash } from '../../src/core/hash.js';

/** Distinct 52-bit fingerprints, as the abstract states make them. */
const fingerprint = (index: number) => chainHash(0x1234567, index, index >>> 7);

function counterOf(indexes: Iterable<number>): DistinctCounter {
  const counter = new DistinctCounter();
  for (const index of indexes) counter.add(fingerprint(index));
  return counter;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, offset) => from + offset);

describe('a distinct counter', () => {
  it('counts exactly up to its bound, duplicates once', () => {
    const counter = counterOf([...range(0, 3000), ...range(0, 3000), ...range(1000, 4000)]);
    expect(counter.isExact).toBe(true);
    expect(counter.count()).toBe(4000);
    expect(counter.toData().fingerprints).toHaveLength(4000);
  });

  it('estimates within 3% past its bound, and keeps no fingerprints there', () => {
    for (const total of [exactDistinctMax + 1, 30_000, 200_000]) {
      const counter = counterOf(range(0, total));
      expect(counter.isExact).toBe(false);
      expect(Math.abs(counter.count() / total - 1)).toBeLessThan(0.03);
      expect(counter.toData().fingerprints).toBeNull();
    }
  });

  it('does not grow with what it counts past its bound', () => {
    const small = counterOf(range(0, 20_000)).toData();
    const large = counterOf(range(0, 400_000)).toData();
    expect(large.registers.length).toBe(small.registers.length);
  });

  it('gives the same answer for the same set, whatever the order and the split into merged parts', () => {
    for (const total of [5000, 50_000]) {
      const whole = counterOf(range(0, total));
      const backwards = counterOf(range(0, total).reverse());
      const parts = [0, 1, 2].map((part) => counterOf(range(0, total).filter((index) => index % 3 === part)));
      const merged = new DistinctCounter();
      for (const part of parts) merged.merge(part);
      expect(backwards.toData()).toEqual(whole.toData());
      expect(merged.toData()).toEqual(whole.toData());
      expect(merged.count()).toBe(whole.count());
      expect(merged.isExact).toBe(whole.isExact);
    }
  });

  it('goes past its bound when merged parts together do, though each alone does not', () => {
    const half = exactDistinctMax / 2 + 100;
    const merged = counterOf(range(0, half));
    merged.merge(counterOf(range(half, 2 * half)));
    expect(merged.isExact).toBe(false);
    expect(merged.toData()).toEqual(counterOf(range(0, 2 * half)).toData());
  });

  it('survives its JSON form, and refuses registers of another size', () => {
    for (const total of [100, 20_000]) {
      const counter = counterOf(range(0, total));
      const again = DistinctCounter.fromData(JSON.parse(JSON.stringify(counter.toData())))!;
      expect(again.count()).toBe(counter.count());
      expect(again.toData()).toEqual(counter.toData());
    }
    expect(DistinctCounter.fromData({ fingerprints: [], registers: Buffer.from([1, 2, 3]).toString('base64') })).toBeNull();
  });
});

// The visited set (src/explore/visited.ts): every fingerprint found again with its least depth and
// its payload, across the table's growth, (0, 0) included; checked against a Map over many
// pseudo-random fingerprints, so a slip in the table's layout (lanes, depths, payloads) fails.

import { describe, expect, it } from 'vitest';
import { VisitedSet } from '../../src/explore/visited.js';

function fingerprints(count: number): [number, number][] {
  let state = 7;
  const next = (): number => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    return state;
  };
  // Signed and unsigned lanes both occur (the explorer hands either), and (0, 0) first.
  const result: [number, number][] = [[0, 0]];
  for (let index = 1; index < count; index += 1) result.push([next(), next() >>> 0]);
  return result;
}

describe('the visited set', () => {
  it('keeps each fingerprint once with its least depth, and its payload, as the table grows', () => {
    const visited = new VisitedSet(4);
    const reference = new Map<string, { depth: number; payload: number }>();
    const all = fingerprints(5_000);
    for (let round = 0; round < 3; round += 1) {
      for (let index = 0; index < all.length; index += 1) {
        const [high, low] = all[index];
        const depth = (index * 7 + round * 3) % 11;
        const key = `${high >>> 0}:${low >>> 0}`;
        const known = reference.get(key);
        const added = visited.add(high, low, depth);
        expect(added).toBe(known === undefined || depth < known.depth);
        expect(visited.depthAt(visited.lastSlot)).toBe(Math.min(depth, known?.depth ?? depth));
        if (known === undefined) {
          expect(visited.payloadAt(visited.lastSlot)).toBe(-1);
          const payload = index * 3 + 1;
          visited.setPayload(visited.lastSlot, payload);
          reference.set(key, { depth, payload });
        } else {
          expect(visited.payloadAt(visited.lastSlot)).toBe(known.payload);
          known.depth = Math.min(known.depth, depth);
        }
      }
    }
    expect(visited.size).toBe(reference.size);
    expect(visited.size).toBe(all.length);
    // 5,000 fingerprints at most half the slots: the table grew from 4 slots to 16,384.
    expect(visited.bytes).toBe(16_384 * 14);
  });
});

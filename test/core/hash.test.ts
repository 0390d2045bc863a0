// Hashes prove that two runs are the same (trace hash), that two logs share a prefix (chainHash)
// and that two worlds are equal (fingerprints). They must be pure functions of their inputs and
// must tell apart the inputs a run can produce.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Hasher, chainHash, hashToHex } from '../../src/core/hash.js';

type Item = { kind: 'number'; value: number } | { kind: 'string'; value: string };

const itemArbitrary: fc.Arbitrary<Item> = fc.oneof(
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map((value) => ({ kind: 'number' as const, value })),
  fc.integer({ min: -1000, max: 1000 }).map((value) => ({ kind: 'number' as const, value })),
  fc.string({ maxLength: 12 }).map((value) => ({ kind: 'string' as const, value })),
);

function hexOf(items: readonly Item[]): string {
  const hasher = new Hasher();
  for (const item of items) {
    if (item.kind === 'number') hasher.number(item.value);
    else hasher.string(item.value);
  }
  return hasher.hex();
}

const twoTo40 = 2 ** 40;
const twoTo52 = 2 ** 52;

describe('Hasher', () => {
  it('gives the same digest for the same inputs', () => {
    fc.assert(
      fc.property(fc.array(itemArbitrary, { maxLength: 30 }), (items) => {
        expect(hexOf(items)).toBe(hexOf(items));
      }),
    );
  });

  it('renders a digest as 16 lowercase hex characters', () => {
    fc.assert(
      fc.property(fc.array(itemArbitrary, { maxLength: 30 }), (items) => {
        expect(hexOf(items)).toMatch(/^[0-9a-f]{16}$/);
      }),
    );
  });

  it('pads each half of the hex rendering to 8 characters', () => {
    expect(hashToHex({ high: 0, low: 1 })).toBe('0000000000000001');
    expect(hashToHex({ high: 0xffffffff, low: 0 })).toBe('ffffffff00000000');
  });

  it('gives a digest that hex() renders, and reading it does not change the state', () => {
    const hasher = new Hasher().number(5).string('tick');
    const first = hasher.hex();
    expect(hashToHex(hasher.digest())).toBe(first);
    expect(hasher.hex()).toBe(first);
  });

  it('gives different digests for the same inputs in a different order', () => {
    expect(new Hasher().number(1).number(2).hex()).not.toBe(new Hasher().number(2).number(1).hex());
    expect(new Hasher().string('a').string('b').hex()).not.toBe(new Hasher().string('b').string('a').hex());
    expect(new Hasher().number(1).string('a').hex()).not.toBe(new Hasher().string('a').number(1).hex());
  });

  it('gives different digests for a number and a string that spells it', () => {
    for (const value of [1, 7, 42, 1000]) {
      expect(new Hasher().number(value).hex()).not.toBe(new Hasher().string(String(value)).hex());
    }
  });

  it('gives different digests for 2^40 and 2^40 + 1', () => {
    expect(new Hasher().number(twoTo40).hex()).not.toBe(new Hasher().number(twoTo40 + 1).hex());
  });

  it('tells apart integers that differ only above 32 bits', () => {
    expect(new Hasher().number(1).hex()).not.toBe(new Hasher().number(1 + 2 ** 32).hex());
    expect(new Hasher().number(twoTo40).hex()).not.toBe(new Hasher().number(0).hex());
    expect(new Hasher().number(Number.MAX_SAFE_INTEGER).hex()).not.toBe(
      new Hasher().number(Number.MAX_SAFE_INTEGER - 1).hex(),
    );
  });

  it('gives different digests for different single strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (first, second) => {
        fc.pre(first !== second);
        expect(new Hasher().string(first).hex()).not.toBe(new Hasher().string(second).hex());
      }),
    );
  });

  it('gives different digests for different sequences of safe integers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { maxLength: 8 }),
        (first, second) => {
          fc.pre(first.join(',') !== second.join(','));
          const digest = (values: number[]): string => values.reduce((hasher, value) => hasher.number(value), new Hasher()).hex();
          expect(digest(first)).not.toBe(digest(second));
        },
      ),
    );
  });

  it('gives no collisions among 20,000 distinct small event-like inputs', () => {
    const seen = new Map<string, string>();
    const collisions: string[] = [];
    for (let kind = 0; kind < 4; kind += 1) {
      for (let timeMs = 0; timeMs < 500; timeMs += 1) {
        for (let node = 1; node <= 10; node += 1) {
          const hex = new Hasher().number(kind).number(timeMs).number(node).hex();
          const key = `${kind}/${timeMs}/${node}`;
          const earlier = seen.get(hex);
          if (earlier !== undefined) collisions.push(`${key} collides with ${earlier}`);
          seen.set(hex, key);
        }
      }
    }
    expect(collisions).toEqual([]);
    expect(seen.size).toBe(20_000);
  });

  it('splits strings at the right place: "ab","c" differs from "a","bc"', () => {
    expect(new Hasher().string('ab').string('c').hex()).not.toBe(new Hasher().string('a').string('bc').hex());
  });

  it('gives different digests for the empty string and the number 0', () => {
    expect(new Hasher().string('').hex()).not.toBe(new Hasher().number(0).hex());
  });

  it('gives different digests for sequences that mix numbers and strings differently', () => {
    const first = new Hasher().string('\u0002\u0000').number(98 * 2 ** 32 + 97).hex();
    const second = new Hasher().number(2).string('ab').hex();
    expect(first).not.toBe(second);
  });
});

describe('chainHash', () => {
  const termArbitrary = fc.integer({ min: 0, max: 1_000_000 });
  const idArbitrary = fc.integer({ min: 0, max: 0x7fffffff });
  const previousArbitrary = fc.integer({ min: 0, max: twoTo52 - 1 });

  it('is a pure function: the same inputs give the same output', () => {
    fc.assert(
      fc.property(previousArbitrary, termArbitrary, idArbitrary, (previous, term, id) => {
        expect(chainHash(previous, term, id)).toBe(chainHash(previous, term, id));
      }),
    );
  });

  it('gives a non-negative integer below 2^52 for any input', () => {
    fc.assert(
      fc.property(previousArbitrary, termArbitrary, idArbitrary, (previous, term, id) => {
        const hash = chainHash(previous, term, id);
        expect(Number.isSafeInteger(hash)).toBe(true);
        expect(hash).toBeGreaterThanOrEqual(0);
        expect(hash).toBeLessThan(twoTo52);
      }),
    );
  });

  it('stays a safe integer below 2^52 over a chain of 10,000 steps, without repeating', () => {
    let hash = 0;
    const seen = new Set<number>([hash]);
    const outOfRange: string[] = [];
    for (let index = 1; index <= 10_000; index += 1) {
      hash = chainHash(hash, 1 + Math.floor(index / 100), index);
      if (!Number.isSafeInteger(hash) || hash < 0 || hash >= twoTo52) outOfRange.push(`step ${index}: ${hash}`);
      seen.add(hash);
    }
    expect(outOfRange).toEqual([]);
    expect(seen.size).toBe(10_001);
  });

  it('differs when only the term differs', () => {
    fc.assert(
      fc.property(previousArbitrary, termArbitrary, termArbitrary, idArbitrary, (previous, term, otherTerm, id) => {
        fc.pre(term !== otherTerm);
        expect(chainHash(previous, term, id)).not.toBe(chainHash(previous, otherTerm, id));
      }),
    );
  });

  it('differs when only the id differs', () => {
    fc.assert(
      fc.property(previousArbitrary, termArbitrary, idArbitrary, idArbitrary, (previous, term, id, otherId) => {
        fc.pre(id !== otherId);
        expect(chainHash(previous, term, id)).not.toBe(chainHash(previous, term, otherId));
      }),
    );
  });

  it('differs when only the previous hash differs, in its low or its high 26 bits', () => {
    fc.assert(
      fc.property(previousArbitrary, previousArbitrary, termArbitrary, idArbitrary, (previous, otherPrevious, term, id) => {
        fc.pre(previous !== otherPrevious);
        expect(chainHash(previous, term, id)).not.toBe(chainHash(otherPrevious, term, id));
      }),
    );
    expect(chainHash(1, 1, 1)).not.toBe(chainHash(1 + 2 ** 26, 1, 1));
  });

  it('tells apart a swapped term and id', () => {
    expect(chainHash(0, 1, 2)).not.toBe(chainHash(0, 2, 1));
  });

  it('gives different prefix hashes for two logs that differ in one entry, from that entry on', () => {
    const chain = (entries: readonly (readonly [number, number])[]): number[] => {
      const prefixes: number[] = [];
      let hash = 0;
      for (const [term, id] of entries) {
        hash = chainHash(hash, term, id);
        prefixes.push(hash);
      }
      return prefixes;
    };
    const first = chain([[1, 10], [1, 11], [2, 12], [2, 13]]);
    const second = chain([[1, 10], [1, 11], [3, 12], [2, 13]]);
    expect(first.slice(0, 2)).toEqual(second.slice(0, 2));
    expect(first[2]).not.toBe(second[2]);
    expect(first[3]).not.toBe(second[3]);
  });
});

// The choice sources are the whole of a run's randomness: a seed must always give the same
// draws, named streams must not disturb one another, and a recorded choice sequence must replay
// the same draws without the seed. Random's typed draws are shaped so that 0 is the benign choice.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Random,
  RecordingChoiceSource,
  ReplayChoiceSource,
  nextRandomState,
  randomValueOfState,
} from '../../src/core/random.js';
import { HarnessBug } from '../../src/core/assert.js';

const twoTo32 = 0x100000000;

const seedArbitrary = fc.integer({ min: 0, max: 0x7fffffff });
const streamArbitrary = fc.constantFrom('network', 'faults', 'workload', 'timers/n1', 'timers/n2');
const boundArbitrary = fc.oneof(
  fc.integer({ min: 1, max: 10 }),
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.integer({ min: 1, max: twoTo32 }),
  fc.constant(twoTo32),
);
const drawArbitrary = fc.tuple(streamArbitrary, boundArbitrary);

function drawAll(source: RecordingChoiceSource | ReplayChoiceSource, draws: readonly (readonly [string, number])[]): number[] {
  return draws.map(([stream, bound]) => source.draw(stream, bound));
}

describe('RecordingChoiceSource', () => {
  it('gives the same draws for the same seed', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.array(drawArbitrary, { maxLength: 200 }), (seed, draws) => {
        expect(drawAll(new RecordingChoiceSource(seed), draws)).toEqual(drawAll(new RecordingChoiceSource(seed), draws));
      }),
    );
  });

  it('gives different draws for different seeds', () => {
    const first = drawAll(new RecordingChoiceSource(1), Array.from({ length: 20 }, () => ['network', twoTo32] as const));
    const second = drawAll(new RecordingChoiceSource(2), Array.from({ length: 20 }, () => ['network', twoTo32] as const));
    expect(first).not.toEqual(second);
  });

  it('keeps streams independent: extra draws from "faults" do not change the draws from "network"', () => {
    fc.assert(
      fc.property(
        seedArbitrary,
        fc.array(boundArbitrary, { minLength: 1, maxLength: 100 }),
        // How many "faults" draws to insert before each "network" draw, in each of two runs.
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 100 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 100 }),
        (seed, networkBounds, faultsBefore1, faultsBefore2) => {
          const networkDraws = (faultsBefore: readonly number[]): number[] => {
            const source = new RecordingChoiceSource(seed);
            return networkBounds.map((bound, index) => {
              for (let extra = 0; extra < (faultsBefore[index] ?? 0); extra += 1) source.draw('faults', 1000);
              return source.draw('network', bound);
            });
          };
          expect(networkDraws(faultsBefore1)).toEqual(networkDraws(faultsBefore2));
        },
      ),
    );
  });

  it('seeds each stream from its name, so two streams of one seed differ', () => {
    const source = new RecordingChoiceSource(7);
    const network = Array.from({ length: 20 }, () => source.draw('network', twoTo32));
    const faults = Array.from({ length: 20 }, () => source.draw('faults', twoTo32));
    expect(network).not.toEqual(faults);
  });

  it('draws every value within [0, bound)', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.array(drawArbitrary, { maxLength: 200 }), (seed, draws) => {
        const source = new RecordingChoiceSource(seed);
        for (const [stream, bound] of draws) {
          const value = source.draw(stream, bound);
          expect(Number.isInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThan(bound);
        }
      }),
    );
  });

  it('draws 0 for a bound of 1', () => {
    const source = new RecordingChoiceSource(3);
    for (let index = 0; index < 100; index += 1) expect(source.draw('network', 1)).toBe(0);
  });

  it('records every draw, in order, as its choice sequence', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.array(drawArbitrary, { maxLength: 100 }), (seed, draws) => {
        const source = new RecordingChoiceSource(seed);
        const values = drawAll(source, draws);
        expect(source.choices).toEqual(values);
      }),
    );
  });

  it('throws a HarnessBug on a bound that is not an integer in [1, 2^32]', () => {
    const source = new RecordingChoiceSource(1);
    for (const bound of [0, -1, 1.5, twoTo32 + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => source.draw('network', bound)).toThrow(HarnessBug);
    }
  });

  it('throws a HarnessBug when the choice sequence exceeds its limit', () => {
    const source = new RecordingChoiceSource(1, 3);
    source.draw('network', 10);
    source.draw('network', 10);
    source.draw('network', 10);
    expect(() => source.draw('network', 10)).toThrow(HarnessBug);
    expect(source.choices).toHaveLength(3);
  });
});

describe('ReplayChoiceSource', () => {
  it('replays a recorded choice sequence as the same draws, without the seed', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.array(drawArbitrary, { maxLength: 200 }), (seed, draws) => {
        const recording = new RecordingChoiceSource(seed);
        const recorded = drawAll(recording, draws);
        const replay = new ReplayChoiceSource(recording.choices);
        expect(drawAll(replay, draws)).toEqual(recorded);
        expect(replay.choices).toEqual(recording.choices);
        expect(replay.consumed).toBe(draws.length);
      }),
    );
  });

  it('replays the typed draws of Random the same as the recording run', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 100 }), (seed, kinds) => {
        const script = (random: Random): unknown[] =>
          kinds.map((kind) => {
            switch (kind) {
              case 0:
                return random.chance('network', 0.3);
              case 1:
                return random.integer('faults', 5, 500);
              case 2:
                return random.index('workload', 7);
              case 3:
                return random.unit('network');
              default:
                return random.seed32('timers/n1');
            }
          });
        const recording = new Random(new RecordingChoiceSource(seed));
        const recorded = script(recording);
        expect(script(new Random(new ReplayChoiceSource(recording.source.choices)))).toEqual(recorded);
      }),
    );
  });

  it('draws 0 once the replayed sequence has run out', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 5 }), { maxLength: 20 }),
        fc.array(boundArbitrary, { minLength: 1, maxLength: 50 }),
        (recorded, bounds) => {
          const replay = new ReplayChoiceSource(recorded);
          for (let index = 0; index < recorded.length; index += 1) replay.draw('network', 10);
          for (const bound of bounds) expect(replay.draw('network', bound)).toBe(0);
          expect(replay.consumed).toBe(recorded.length + bounds.length);
        },
      ),
    );
  });

  it('clamps a recorded value that is out of range for the draw to bound - 1', () => {
    fc.assert(
      fc.property(boundArbitrary, fc.integer({ min: 0, max: 2 * twoTo32 }), (bound, excess) => {
        const replay = new ReplayChoiceSource([bound + excess]);
        expect(replay.draw('network', bound)).toBe(bound - 1);
        expect(replay.choices).toEqual([bound - 1]);
      }),
    );
  });

  it('keeps every in-range recorded value as it is', () => {
    fc.assert(
      fc.property(
        boundArbitrary.chain((bound) => fc.tuple(fc.constant(bound), fc.integer({ min: 0, max: bound - 1 }))),
        ([bound, value]) => {
          expect(new ReplayChoiceSource([value]).draw('network', bound)).toBe(value);
        },
      ),
    );
  });

  it('ignores the stream name: it replays the flat sequence in draw order', () => {
    const replay = new ReplayChoiceSource([4, 5, 6]);
    expect([replay.draw('faults', 10), replay.draw('network', 10), replay.draw('workload', 10)]).toEqual([4, 5, 6]);
  });

  it('clamps a negative recorded value into [0, bound)', () => {
    const value = new ReplayChoiceSource([-5]).draw('network', 10);
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(10);
  });
});

describe('Random', () => {
  const zeros = (): Random => new Random(new ReplayChoiceSource([]));

  it('says false from chance(p) on a 0 choice, for any p below 1 at the draw resolution', () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 0.999999, noNaN: true }), (probability) => {
        expect(zeros().chance('network', probability)).toBe(false);
      }),
    );
  });

  it('says false from chance(p) on a 0 choice even for p just below 1', () => {
    expect(zeros().chance('network', 0.9999999)).toBe(false);
  });

  it('says false from chance(0) and true from chance(1) whatever the choice, without drawing', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.integer({ min: 1, max: 100 }), (seed, count) => {
        const random = new Random(new RecordingChoiceSource(seed));
        for (let index = 0; index < count; index += 1) {
          expect(random.chance('network', 0)).toBe(false);
          expect(random.chance('network', 1)).toBe(true);
          expect(random.chance('network', -0.5)).toBe(false);
          expect(random.chance('network', 1.5)).toBe(true);
        }
        expect(random.source.choices).toEqual([]);
      }),
    );
  });

  it('says true from chance(p) on the largest choice, for any p that rounds above 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.000001, max: 0.999999, noNaN: true }), (probability) => {
        const random = new Random(new ReplayChoiceSource([Number.MAX_SAFE_INTEGER]));
        expect(random.chance('network', probability)).toBe(true);
      }),
    );
  });

  it('makes chance(0.3) true in 0.3 ± 0.02 of 20,000 draws', () => {
    for (const seed of [1, 42, 20240601]) {
      const random = new Random(new RecordingChoiceSource(seed));
      let hits = 0;
      for (let index = 0; index < 20_000; index += 1) if (random.chance('network', 0.3)) hits += 1;
      expect(hits / 20_000).toBeGreaterThan(0.28);
      expect(hits / 20_000).toBeLessThan(0.32);
    }
  });

  it('gives the minimum from integer(min, max) on a 0 choice', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (minimum, span) => {
        expect(zeros().integer('faults', minimum, minimum + span)).toBe(minimum);
      }),
    );
  });

  it('keeps integer(min, max) within [min, max], both inclusive', () => {
    fc.assert(
      fc.property(
        seedArbitrary,
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        (seed, minimum, span) => {
          const random = new Random(new RecordingChoiceSource(seed));
          const maximum = minimum + span;
          for (let index = 0; index < 50; index += 1) {
            const value = random.integer('faults', minimum, maximum);
            expect(Number.isInteger(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(minimum);
            expect(value).toBeLessThanOrEqual(maximum);
          }
        },
      ),
    );
  });

  it('keeps integer(min, max) within range when replaying any non-negative sequence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: -100, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (recorded, minimum, span) => {
          const random = new Random(new ReplayChoiceSource(recorded));
          for (let index = 0; index < recorded.length + 5; index += 1) {
            const value = random.integer('faults', minimum, minimum + span);
            expect(value).toBeGreaterThanOrEqual(minimum);
            expect(value).toBeLessThanOrEqual(minimum + span);
          }
        },
      ),
    );
  });

  it('reaches both ends of a small integer range', () => {
    const random = new Random(new RecordingChoiceSource(5));
    const seen = new Set<number>();
    for (let index = 0; index < 1_000; index += 1) seen.add(random.integer('faults', 3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('gives the minimum from integer(min, max) without drawing when max <= min', () => {
    const random = new Random(new RecordingChoiceSource(1));
    expect(random.integer('faults', 4, 4)).toBe(4);
    expect(random.integer('faults', 9, 2)).toBe(9);
    expect(random.source.choices).toEqual([]);
  });

  it('gives 0 from index() and unit() on a 0 choice', () => {
    expect(zeros().index('workload', 5)).toBe(0);
    expect(zeros().unit('network')).toBe(0);
  });

  it('keeps unit() in [0, 1)', () => {
    fc.assert(
      fc.property(seedArbitrary, (seed) => {
        const random = new Random(new RecordingChoiceSource(seed));
        for (let index = 0; index < 100; index += 1) {
          const value = random.unit('network');
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThan(1);
        }
      }),
    );
  });

  it('throws a HarnessBug from index() on an empty list', () => {
    expect(() => zeros().index('workload', 0)).toThrow(HarnessBug);
  });
});

describe('the pure generator', () => {
  const int32Arbitrary = fc.integer({ min: -0x80000000, max: 0x7fffffff });

  it('gives the same next state for the same state', () => {
    fc.assert(
      fc.property(int32Arbitrary, (state) => {
        expect(nextRandomState(state)).toBe(nextRandomState(state));
      }),
    );
  });

  it('gives the same value for the same state', () => {
    fc.assert(
      fc.property(int32Arbitrary, (state) => {
        expect(randomValueOfState(state)).toBe(randomValueOfState(state));
      }),
    );
  });

  it('keeps states as 32-bit signed integers and values as 32-bit unsigned integers', () => {
    fc.assert(
      fc.property(int32Arbitrary, (state) => {
        const next = nextRandomState(state);
        expect(next).toBe(next | 0);
        const value = randomValueOfState(state);
        expect(value).toBe(value >>> 0);
      }),
    );
  });

  it('produces a sequence that does not repeat over its first 10,000 values', () => {
    let state = 12345;
    const values = new Set<number>();
    for (let index = 0; index < 10_000; index += 1) {
      state = nextRandomState(state);
      values.add(randomValueOfState(state));
    }
    expect(values.size).toBe(10_000);
  });
});

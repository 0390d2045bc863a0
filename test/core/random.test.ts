// The choice sources are the whole of a run's randomness: a seed must always give the same
// draws, named streams must not disturb one another, and the recorded choice sequences (one per
// stream) must replay the same draws without the seed, each stream from its own sequence.
// Random's typed draws are shaped so that 0 is the benign choice.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Choices, Random, RecordingChoiceSource, ReplayChoiceSource, choiceCount, nextRandomState, randomValueOfState, sortedChoices } from '../../src/core/random.js';
import { HarnessBug } from '../../src/core/assert.js';

const twoTo32 = 0x100000000;

const streams = ['network', 'faults', 'workload', 'timers/n1', 'timers/n2'] as const;
const seedArbitrary = fc.integer({ min: 0, max: 0x7fffffff });
const streamArbitrary = fc.constantFrom(...streams);
const boundArbitrary = fc.oneof(
  fc.integer({ min: 1, max: 10 }),
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.integer({ min: 1, max: twoTo32 }),
  fc.constant(twoTo32),
);
const drawArbitrary = fc.tuple(streamArbitrary, boundArbitrary);
/**
 * Any number a shrunk or hand-edited sequence might hold: in range, huge, negative, fractional.
 * (-0 is mapped to 0 here: a recorded -0 replays as -0, which toEqual tells apart from 0; the
 * fractional-value test below covers -0 on its own.)
 */
const recordedValueArbitrary = fc.oneof(
  fc.nat({ max: 20 }),
  fc.nat(),
  fc.integer({ min: -1_000, max: -1 }),
  fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }).map((value) => value + 0),
);
/** Recorded choices for some of the streams (a missing stream is allowed). */
const recordedArbitrary = fc.dictionary(streamArbitrary, fc.array(recordedValueArbitrary, { maxLength: 20 }));
/** A draw order (stream names) and a reordering of it: the same draws per stream, interleaved differently. */
const twoInterleavingsArbitrary = fc
  .array(streamArbitrary, { maxLength: 60 })
  .chain((order) =>
    fc.tuple(fc.constant(order), fc.shuffledSubarray(order, { minLength: order.length, maxLength: order.length })),
  );
/** Stream names for choice records; not integer-like and not Object.prototype names. */
const streamNameArbitrary = fc.stringMatching(/^[a-z][a-z0-9/]{0,8}$/).filter((name) => !(name in Object.prototype));
const choicesArbitrary = fc.dictionary(streamNameArbitrary, fc.array(fc.nat(), { maxLength: 10 }), { maxKeys: 8 });

function drawAll(source: RecordingChoiceSource | ReplayChoiceSource, draws: readonly (readonly [string, number])[]): number[] {
  return draws.map(([stream, bound]) => source.draw(stream, bound));
}

/** The values of a run's draws, grouped by stream, in draw order: what its choices must be. */
function byStream(draws: readonly (readonly [string, number])[], values: readonly number[]): Choices {
  const grouped: Choices = {};
  draws.forEach(([stream], index) => {
    (grouped[stream] ??= []).push(values[index]);
  });
  return grouped;
}

/** The value a replay must give for a recorded value and a bound: clamped into [0, bound). */
function clamped(recorded: number, bound: number): number {
  return Math.min(bound - 1, Math.max(0, Math.floor(recorded)));
}

describe('RecordingChoiceSource', () => {
  it('gives the same draws for the same seed', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.array(drawArbitrary, { maxLength: 200 }), (seed, draws) => {
        const first = new RecordingChoiceSource(seed);
        const second = new RecordingChoiceSource(seed);
        expect(drawAll(first, draws)).toEqual(drawAll(second, draws));
        expect(first.choices).toEqual(second.choices);
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
            const values = networkBounds.map((bound, index) => {
              for (let extra = 0; extra < (faultsBefore[index] ?? 0); extra += 1) source.draw('faults', 1000);
              return source.draw('network', bound);
            });
            expect(source.choices.network).toEqual(values);
            return values;
          };
          expect(networkDraws(faultsBefore1)).toEqual(networkDraws(faultsBefore2));
        },
      ),
    );
  });

  it('keeps streams independent: interleaving the draws differently gives the same values per stream', () => {
    fc.assert(
      fc.property(seedArbitrary, twoInterleavingsArbitrary, (seed, [order, reordered]) => {
        const record = (streamOrder: readonly string[]): Choices => {
          const source = new RecordingChoiceSource(seed);
          for (const stream of streamOrder) source.draw(stream, 1000);
          return source.choices;
        };
        expect(sortedChoices(record(order))).toEqual(sortedChoices(record(reordered)));
      }),
    );
  });

  it('seeds each stream from its name, so two streams of one seed differ', () => {
    const source = new RecordingChoiceSource(7);
    const network = Array.from({ length: 20 }, () => source.draw('network', twoTo32));
    const faults = Array.from({ length: 20 }, () => source.draw('faults', twoTo32));
    expect(network).not.toEqual(faults);
    expect(source.choices).toEqual({ network, faults });
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
    expect(source.choices).toEqual({ network: Array.from({ length: 100 }, () => 0) });
  });

  it('records every draw, in order, in the choice sequence of its stream', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.array(drawArbitrary, { maxLength: 100 }), (seed, draws) => {
        const source = new RecordingChoiceSource(seed);
        const values = drawAll(source, draws);
        expect(source.choices).toEqual(byStream(draws, values));
        expect(Object.keys(source.choices).sort()).toEqual([...new Set(draws.map(([stream]) => stream))].sort());
        expect(choiceCount(source.choices)).toBe(draws.length);
      }),
    );
  });

  it('has no choices before the first draw', () => {
    const source = new RecordingChoiceSource(1);
    expect(source.choices).toEqual({});
    expect(choiceCount(source.choices)).toBe(0);
  });

  it('throws a HarnessBug on a bound that is not an integer in [1, 2^32]', () => {
    const source = new RecordingChoiceSource(1);
    for (const bound of [0, -1, 1.5, twoTo32 + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => source.draw('network', bound)).toThrow(HarnessBug);
    }
    expect(choiceCount(source.choices)).toBe(0);
  });

  it('throws a HarnessBug when the choice sequences exceed their limit, counting draws over all streams', () => {
    const source = new RecordingChoiceSource(1, 3);
    source.draw('network', 10);
    source.draw('faults', 10);
    source.draw('network', 10);
    expect(() => source.draw('workload', 10)).toThrow(HarnessBug);
    expect(() => source.draw('network', 10)).toThrow(HarnessBug);
    expect(choiceCount(source.choices)).toBe(3);
    expect(source.choices.network).toHaveLength(2);
    expect(source.choices.faults).toHaveLength(1);
    expect(source.choices.workload ?? []).toHaveLength(0);
  });

  it('allows exactly the limit of draws', () => {
    const source = new RecordingChoiceSource(1, 5);
    for (let index = 0; index < 5; index += 1) source.draw(streams[index], 10);
    expect(choiceCount(source.choices)).toBe(5);
  });
});

describe('ReplayChoiceSource', () => {
  it('replays recorded choice sequences as the same draws, without the seed', () => {
    fc.assert(
      fc.property(seedArbitrary, fc.array(drawArbitrary, { maxLength: 200 }), (seed, draws) => {
        const recording = new RecordingChoiceSource(seed);
        const recorded = drawAll(recording, draws);
        const replay = new ReplayChoiceSource(recording.choices);
        expect(drawAll(replay, draws)).toEqual(recorded);
        expect(replay.choices).toEqual(recording.choices);
        expect(choiceCount(replay.choices)).toBe(draws.length);
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
        const replay = new Random(new ReplayChoiceSource(recording.source.choices));
        expect(script(replay)).toEqual(recorded);
        expect(replay.source.choices).toEqual(recording.source.choices);
      }),
    );
  });

  it('replays each stream from its own sequence: the stream name matters', () => {
    const replay = new ReplayChoiceSource({ network: [4, 5, 6], faults: [7] });
    expect(replay.draw('faults', 10)).toBe(7);
    expect(replay.draw('workload', 10)).toBe(0);
    expect(replay.draw('network', 10)).toBe(4);
    expect(replay.draw('faults', 10)).toBe(0);
    expect(replay.draw('network', 10)).toBe(5);
    expect(replay.draw('workload', 10)).toBe(0);
    expect(replay.draw('network', 10)).toBe(6);
    expect(replay.choices).toEqual({ faults: [7, 0], workload: [0, 0], network: [4, 5, 6] });
  });

  it('replays each stream independently: interleaving the draws differently gives the same values per stream', () => {
    fc.assert(
      fc.property(recordedArbitrary, twoInterleavingsArbitrary, (recorded, [order, reordered]) => {
        const replayed = (streamOrder: readonly string[]): Choices => {
          const replay = new ReplayChoiceSource(recorded);
          for (const stream of streamOrder) replay.draw(stream, 10);
          return replay.choices;
        };
        const first = replayed(order);
        expect(sortedChoices(first)).toEqual(sortedChoices(replayed(reordered)));
        // Each stream's draws are its own recorded values, clamped, then zeros.
        for (const stream of Object.keys(first)) {
          const own = recorded[stream] ?? [];
          expect(first[stream]).toEqual(first[stream].map((_, index) => (index < own.length ? clamped(own[index], 10) : 0)));
        }
      }),
    );
  });

  it('draws 0 from a stream that has no recorded sequence, without consuming another stream', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 20 }), (network, extra) => {
        const replay = new ReplayChoiceSource({ network });
        for (let index = 0; index < extra; index += 1) expect(replay.draw('faults', 10)).toBe(0);
        expect(network.map(() => replay.draw('network', 10))).toEqual(network);
      }),
    );
  });

  it('draws 0 once a stream\'s replayed sequence has run out, while other streams go on', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 5 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }),
        fc.array(boundArbitrary, { minLength: 1, maxLength: 50 }),
        (network, faults, bounds) => {
          const replay = new ReplayChoiceSource({ network, faults });
          for (let index = 0; index < network.length; index += 1) replay.draw('network', 10);
          for (const bound of bounds) expect(replay.draw('network', bound)).toBe(0);
          // "faults" is untouched by the draws past the end of "network".
          expect(faults.map(() => replay.draw('faults', 10))).toEqual(faults);
          expect(replay.draw('faults', 10)).toBe(0);
          expect(replay.choices.network).toEqual([...network, ...bounds.map(() => 0)]);
          expect(choiceCount(replay.choices)).toBe(network.length + bounds.length + faults.length + 1);
        },
      ),
    );
  });

  it('replays an empty record as all zeros', () => {
    fc.assert(
      fc.property(fc.array(drawArbitrary, { maxLength: 50 }), (draws) => {
        const replay = new ReplayChoiceSource({});
        expect(drawAll(replay, draws)).toEqual(draws.map(() => 0));
        expect(replay.choices).toEqual(byStream(draws, draws.map(() => 0)));
      }),
    );
  });

  it('clamps a recorded value that is out of range for the draw to bound - 1', () => {
    fc.assert(
      fc.property(boundArbitrary, fc.integer({ min: 0, max: 2 * twoTo32 }), (bound, excess) => {
        const replay = new ReplayChoiceSource({ network: [bound + excess] });
        expect(replay.draw('network', bound)).toBe(bound - 1);
        expect(replay.choices).toEqual({ network: [bound - 1] });
      }),
    );
  });

  it('keeps every in-range recorded value as it is', () => {
    fc.assert(
      fc.property(
        streamArbitrary,
        boundArbitrary.chain((bound) => fc.tuple(fc.constant(bound), fc.integer({ min: 0, max: bound - 1 }))),
        (stream, [bound, value]) => {
          expect(new ReplayChoiceSource({ [stream]: [value] }).draw(stream, bound)).toBe(value);
        },
      ),
    );
  });

  it('clamps a negative recorded value to 0', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -twoTo32, max: -1 }), fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true })),
        boundArbitrary,
        (recorded, bound) => {
          const replay = new ReplayChoiceSource({ network: [recorded] });
          expect(replay.draw('network', bound)).toBe(0);
          expect(replay.choices).toEqual({ network: [0] });
        },
      ),
    );
  });

  it('rounds a fractional recorded value down, then clamps it into [0, bound)', () => {
    expect(new ReplayChoiceSource({ network: [3.7] }).draw('network', 10)).toBe(3);
    expect(new ReplayChoiceSource({ network: [0.5] }).draw('network', 10)).toBe(0);
    expect(new ReplayChoiceSource({ network: [9.99] }).draw('network', 10)).toBe(9);
    expect(new ReplayChoiceSource({ network: [10.5] }).draw('network', 10)).toBe(9);
    expect(new ReplayChoiceSource({ network: [-0.5] }).draw('network', 10)).toBe(0);
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), boundArbitrary, (recorded, bound) => {
        const replay = new ReplayChoiceSource({ network: [recorded] });
        const value = replay.draw('network', bound);
        // `+ 0` turns -0 into 0: a recorded -0 replays as -0, which is the value 0 all the same.
        expect(value + 0).toBe(clamped(recorded, bound));
        expect(replay.choices).toEqual({ network: [value] });
      }),
    );
  });

  it('draws a value in [0, bound) for a non-finite recorded value', () => {
    for (const recorded of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const value = new ReplayChoiceSource({ network: [recorded] }).draw('network', 10);
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(10);
    }
  });

  it('makes every record of numbers a valid run: all draws are integers in [0, bound)', () => {
    fc.assert(
      fc.property(recordedArbitrary, fc.array(drawArbitrary, { maxLength: 100 }), (recorded, draws) => {
        const replay = new ReplayChoiceSource(recorded);
        for (const [stream, bound] of draws) {
          const value = replay.draw(stream, bound);
          expect(Number.isInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThan(bound);
        }
      }),
    );
  });

  it('does not change the record it replays', () => {
    fc.assert(
      fc.property(recordedArbitrary, fc.array(drawArbitrary, { maxLength: 100 }), (recorded, draws) => {
        const before = structuredClone(recorded);
        const replay = new ReplayChoiceSource(recorded);
        drawAll(replay, draws);
        expect(recorded).toEqual(before);
        for (const stream of Object.keys(replay.choices)) expect(replay.choices[stream]).not.toBe(recorded[stream]);
      }),
    );
  });

  it('throws a HarnessBug on a bound that is not an integer in [1, 2^32]', () => {
    const replay = new ReplayChoiceSource({ network: [1, 2, 3] });
    for (const bound of [0, -1, 1.5, twoTo32 + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => replay.draw('network', bound)).toThrow(HarnessBug);
    }
    expect(choiceCount(replay.choices)).toBe(0);
  });
});

describe('choiceCount', () => {
  it('is 0 for no streams and for streams with empty sequences', () => {
    expect(choiceCount({})).toBe(0);
    expect(choiceCount({ network: [], faults: [] })).toBe(0);
  });

  it('counts the choices over all streams', () => {
    expect(choiceCount({ network: [1, 2, 3], faults: [0], workload: [] })).toBe(4);
    fc.assert(
      fc.property(choicesArbitrary, (choices) => {
        expect(choiceCount(choices)).toBe(Object.values(choices).reduce((total, sequence) => total + sequence.length, 0));
      }),
    );
  });

  it('does not change the choices', () => {
    fc.assert(
      fc.property(choicesArbitrary, (choices) => {
        const before = structuredClone(choices);
        choiceCount(choices);
        expect(choices).toEqual(before);
      }),
    );
  });
});

describe('sortedChoices', () => {
  it('puts the streams in name order', () => {
    const sorted = sortedChoices({ workload: [1], 'timers/n2': [2], network: [3], faults: [], 'timers/n1': [4] });
    expect(Object.keys(sorted)).toEqual(['faults', 'network', 'timers/n1', 'timers/n2', 'workload']);
    fc.assert(
      fc.property(choicesArbitrary, (choices) => {
        expect(Object.keys(sortedChoices(choices))).toEqual(Object.keys(choices).sort());
      }),
    );
  });

  it('keeps every stream and its sequence as they are', () => {
    fc.assert(
      fc.property(choicesArbitrary, (choices) => {
        const sorted = sortedChoices(choices);
        expect(sorted).toEqual(choices);
        expect(choiceCount(sorted)).toBe(choiceCount(choices));
      }),
    );
  });

  it('copies the sequences: editing one side does not change the other', () => {
    fc.assert(
      fc.property(choicesArbitrary, (choices) => {
        const before = structuredClone(choices);
        const sorted = sortedChoices(choices);
        for (const stream of Object.keys(choices)) {
          expect(sorted[stream]).not.toBe(choices[stream]);
          sorted[stream].push(99);
        }
        expect(choices).toEqual(before);
        for (const stream of Object.keys(choices)) choices[stream].push(7);
        for (const stream of Object.keys(sorted)) expect(sorted[stream]).toEqual([...before[stream], 99]);
      }),
    );
  });

  it('gives the same JSON whatever order the streams were added in', () => {
    fc.assert(
      fc.property(seedArbitrary, twoInterleavingsArbitrary, (seed, [order, reordered]) => {
        const record = (streamOrder: readonly string[]): Choices => {
          const source = new RecordingChoiceSource(seed);
          for (const stream of streamOrder) source.draw(stream, 1000);
          return source.choices;
        };
        expect(JSON.stringify(sortedChoices(record(order)))).toBe(JSON.stringify(sortedChoices(record(reordered))));
      }),
    );
    const forward: Choices = { network: [1], faults: [2] };
    const backward: Choices = { faults: [2], network: [1] };
    expect(JSON.stringify(sortedChoices(forward))).toBe(JSON.stringify(sortedChoices(backward)));
    expect(JSON.stringify(sortedChoices(forward))).toBe('{"faults":[2],"network":[1]}');
  });
});

describe('Random', () => {
  const zeros = (): Random => new Random(new ReplayChoiceSource({}));

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
        expect(random.source.choices).toEqual({});
      }),
    );
  });

  it('says true from chance(p) on the largest choice, for any p that rounds above 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.000001, max: 0.999999, noNaN: true }), (probability) => {
        const random = new Random(new ReplayChoiceSource({ network: [Number.MAX_SAFE_INTEGER] }));
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

  it('keeps integer(min, max) within range when replaying any sequence of numbers', () => {
    fc.assert(
      fc.property(
        fc.array(recordedValueArbitrary, { maxLength: 30 }),
        fc.integer({ min: -100, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (recorded, minimum, span) => {
          const random = new Random(new ReplayChoiceSource({ faults: recorded }));
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
    expect(random.source.choices).toEqual({});
    expect(choiceCount(random.source.choices)).toBe(0);
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

// Randomness for the harness: named seedrandom streams behind choice sequences.
//
// Every random decision of a run is a draw of an integer in [0, bound) from a named stream
// (network, faults, workload, storage, timers/n3, ...). Streams are independent: each is seeded
// from (run seed, stream name), so adding draws to one concern does not reshuffle the others.
//
// Every draw is also appended to its stream's choice sequence. Replaying the sequences
// reproduces the run without the seed; the shrinker edits them. Keeping one sequence per stream
// keeps an edit local: turning off one fault does not shift the network's draws. Draws are
// shaped so that 0 is always the simplest choice ("no fault", "shortest delay", "first
// option"): a replayed sequence that runs out keeps drawing 0, which is how a shrunk sequence
// stays a valid run (Hypothesis does the same).

import seedrandom from 'seedrandom';
import { assert } from './assert.js';

const twoTo32 = 0x100000000;

/** The choices of a run: one sequence per stream, in draw order. */
export type Choices = Record<string, number[]>;

/** Where draws come from: live streams (recording), or recorded sequences (replaying). */
export interface ChoiceSource {
  /** An integer in [0, bound), bound in [1, 2^32]. 0 is the simplest choice. */
  draw(stream: string, bound: number): number;
  /** The choices drawn so far, per stream. */
  readonly choices: Choices;
}

/** Total number of choices over all streams. */
export function choiceCount(choices: Choices): number {
  let count = 0;
  for (const stream of Object.keys(choices)) count += choices[stream].length;
  return count;
}

/** The same choices with the streams in name order, for stable JSON. */
export function sortedChoices(choices: Choices): Choices {
  const sorted: Choices = Object.create(null) as Choices;
  for (const stream of Object.keys(choices).sort()) sorted[stream] = [...choices[stream]];
  return sorted;
}

/** Draws from named seedrandom streams and records every choice. */
export class RecordingChoiceSource implements ChoiceSource {
  // No prototype: a stream named "constructor" or "__proto__" must be an ordinary key.
  readonly choices: Choices = Object.create(null) as Choices;
  private readonly streams = new Map<string, { generator: seedrandom.PRNG; recorded: number[] }>();
  private drawCount = 0;

  constructor(private readonly seed: number, private readonly choiceLimit = 50_000_000) {}

  draw(stream: string, bound: number): number {
    let entry = this.streams.get(stream);
    if (entry === undefined) {
      // alea: fast, good statistical quality, fully determined by the string seed.
      entry = { generator: seedrandom.alea(`raftcheck:${this.seed}:${stream}`), recorded: [] };
      this.streams.set(stream, entry);
      this.choices[stream] = entry.recorded;
    }
    const value = boundedFromUnit(entry.generator.int32() >>> 0, bound);
    this.drawCount += 1;
    if (this.drawCount > this.choiceLimit) assert(false, `choice sequences exceeded ${this.choiceLimit} draws`);
    entry.recorded.push(value);
    return value;
  }
}

/** Replays recorded choice sequences; past the end of a stream every draw is 0 (the simplest choice). */
export class ReplayChoiceSource implements ChoiceSource {
  readonly choices: Choices = Object.create(null) as Choices;
  private readonly positions = new Map<string, number>();

  constructor(private readonly recorded: Readonly<Record<string, readonly number[]>>) {}

  draw(stream: string, bound: number): number {
    if (!(bound >= 1 && bound <= twoTo32 && Number.isInteger(bound))) assert(false, `bad draw bound ${bound}`);
    const position = this.positions.get(stream) ?? 0;
    this.positions.set(stream, position + 1);
    const sequence = Object.prototype.hasOwnProperty.call(this.recorded, stream) ? this.recorded[stream] : undefined;
    const recorded = sequence !== undefined && position < sequence.length ? sequence[position] : 0;
    // A shrunk or hand-edited sequence may hold a value out of range for this draw: clamp it
    // into [0, bound), so that every sequence of numbers is a valid run.
    const whole = Number.isNaN(recorded) ? 0 : Math.floor(recorded);
    const value = whole <= 0 ? 0 : whole < bound ? whole : bound - 1; // <= 0 also turns -0 into 0
    let drawn = this.choices[stream];
    if (drawn === undefined) {
      drawn = [];
      this.choices[stream] = drawn;
    }
    drawn.push(value);
    return value;
  }
}

/**
 * A mutated run, as a greybox fuzzer makes one from a run it keeps: the kept run's choices
 * replayed, except the positions to draw afresh and each stream's tail from a position on. Fresh
 * draws come from the streams of `seed`, and a stream that runs past its kept choices goes on
 * fresh (not with 0s: a mutated run may need more draws than the run it came from).
 */
export interface ChoiceMutation {
  base: Readonly<Record<string, readonly number[]>>;
  /** Per stream, positions drawn afresh. */
  redraw?: Readonly<Record<string, readonly number[]>>;
  /** Per stream, the position from which every draw is fresh. */
  freshFrom?: Readonly<Record<string, number>>;
  seed: number;
}

/**
 * Draws a mutated run (ChoiceMutation). What it drew is recorded like any run's choices, so the
 * mutated run replays from them with a ReplayChoiceSource, without the mutation.
 */
export class MutatingChoiceSource implements ChoiceSource {
  private readonly fresh: RecordingChoiceSource;
  private readonly positions = new Map<string, number>();
  private readonly redraw = new Map<string, Set<number>>();

  constructor(private readonly mutation: ChoiceMutation) {
    this.fresh = new RecordingChoiceSource(mutation.seed);
    for (const [stream, positions] of Object.entries(mutation.redraw ?? {})) this.redraw.set(stream, new Set(positions));
  }

  // Every draw, fresh or replayed, is recorded: these are the mutated run's own choices.
  readonly choices: Choices = Object.create(null) as Choices;

  draw(stream: string, bound: number): number {
    const position = this.positions.get(stream) ?? 0;
    this.positions.set(stream, position + 1);
    const base = Object.prototype.hasOwnProperty.call(this.mutation.base, stream) ? this.mutation.base[stream] : undefined;
    const freshFrom = this.mutation.freshFrom?.[stream] ?? Number.POSITIVE_INFINITY;
    const isFresh = base === undefined || position >= base.length || position >= freshFrom || this.redraw.get(stream)?.has(position) === true;
    const value = isFresh ? this.fresh.draw(stream, bound) : Math.min(Math.max(0, Math.floor(base[position]) || 0), bound - 1);
    (this.choices[stream] ??= []).push(value);
    return value;
  }
}

function boundedFromUnit(uint32: number, bound: number): number {
  // The message is built only on failure: this runs on every draw.
  if (!(bound >= 1 && bound <= twoTo32 && Number.isInteger(bound))) assert(false, `bad draw bound ${bound}`);
  // Multiply-shift keeps the mapping monotone in the raw value, which keeps shrinking toward 0
  // meaningful, and has negligible bias for the bounds used here.
  return Math.floor((uint32 / twoTo32) * bound);
}

const probabilityResolution = 1_000_000;

/**
 * Typed draws over a ChoiceSource. Shaped so that 0 is benign: chance() is false at 0,
 * integer ranges start at their minimum.
 */
export class Random {
  constructor(readonly source: ChoiceSource) {}

  /** True with the given probability; a 0 choice means false. */
  chance(stream: string, probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    // At least one and at most resolution - 1 of the outcomes are hits, so that a probability
    // strictly between 0 and 1 can happen, can fail, and a 0 choice is always a miss.
    const hits = Math.min(probabilityResolution - 1, Math.max(1, Math.round(probability * probabilityResolution)));
    return this.source.draw(stream, probabilityResolution) >= probabilityResolution - hits;
  }

  /** An integer in [minimum, maximum], both inclusive; a 0 choice means minimum. */
  integer(stream: string, minimum: number, maximum: number): number {
    if (maximum <= minimum) return minimum;
    return minimum + this.source.draw(stream, maximum - minimum + 1);
  }

  /** An index into a list of the given length; a 0 choice means the first. */
  index(stream: string, length: number): number {
    assert(length >= 1, 'index() needs a non-empty list');
    if (length === 1) return 0;
    return this.source.draw(stream, length);
  }

  /** A uniform float in [0, 1) at one-in-a-million resolution; a 0 choice means 0. */
  unit(stream: string): number {
    return this.source.draw(stream, probabilityResolution) / probabilityResolution;
  }

  /** A 32-bit seed for an implementation's own generator. */
  seed32(stream: string): number {
    return this.source.draw(stream, twoTo32);
  }
}

/**
 * A tiny pure generator (splitmix32) for code that must keep its random state as plain data,
 * such as the reference Raft, whose state is snapshotted and fingerprinted.
 */
export function nextRandomState(state: number): number {
  return (state + 0x9e3779b9) | 0;
}

export function randomValueOfState(state: number): number {
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

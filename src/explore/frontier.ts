// The breadth-first layer as flat integers: each world as indexes of its shared parts (node
// states, messages in flight, history: src/world/intern.ts) and its counters, and its sleep
// set, in growable Int32Arrays. Why: a layer holds millions of worlds; as objects (a world, its
// node and message arrays, an entry, a sleep set) they took about 450 bytes each and most of the
// garbage collector's marking; as integers about 100 bytes and none. A world is decoded into
// objects when it is expanded.

import type { SleepSet } from './reduction.js';
import { intersectSleepSetInPlace } from './reduction.js';
import type { TransitionSystem, World } from '../world/system.js';

export class Frontier {
  private data = new Int32Array(1 << 12);
  private end = 0;
  private offsets = new Int32Array(1 << 8);
  private ids = new Int32Array(1 << 8);
  private permutations = new Int32Array(1 << 8);
  /** Sleep sets (pairs, in the canonical ids of their world) at sleepOffsets, sleepLengths long. */
  private sleepData = new Int32Array(1 << 10);
  private sleepEnd = 0;
  private sleepOffsets = new Int32Array(1 << 8);
  private sleepLengths = new Int32Array(1 << 8);
  length = 0;

  constructor(private readonly system: TransitionSystem) {}

  push(id: number, world: World, sleep: SleepSet, permutation: number): void {
    if (this.length === this.offsets.length) {
      this.offsets = grown(this.offsets, this.length * 2);
      this.ids = grown(this.ids, this.length * 2);
      this.permutations = grown(this.permutations, this.length * 2);
      this.sleepOffsets = grown(this.sleepOffsets, this.length * 2);
      this.sleepLengths = grown(this.sleepLengths, this.length * 2);
    }
    if (this.sleepEnd + sleep.length > this.sleepData.length) this.sleepData = grown(this.sleepData, Math.max(this.sleepData.length * 2, this.sleepEnd + sleep.length));
    for (let index = 0; index < sleep.length; index += 1) this.sleepData[this.sleepEnd + index] = sleep[index];
    this.sleepOffsets[this.length] = this.sleepEnd;
    this.sleepLengths[this.length] = sleep.length;
    this.sleepEnd += sleep.length;
    const size = this.system.encodedSize(world);
    if (this.end + size > this.data.length) this.data = grown(this.data, Math.max(this.data.length * 2, this.end + size));
    this.system.encode(world, this.data, this.end);
    this.offsets[this.length] = this.end;
    this.ids[this.length] = id;
    this.permutations[this.length] = permutation;
    this.end += size;
    this.length += 1;
  }

  world(position: number): World {
    return this.system.decode(this.data, this.offsets[position]);
  }

  id(position: number): number {
    return this.ids[position];
  }

  permutation(position: number): number {
    return this.permutations[position];
  }

  sleepLength(position: number): number {
    return this.sleepLengths[position];
  }

  /** The sleep set at `position`, as a new list of pairs. */
  sleep(position: number): number[] {
    const offset = this.sleepOffsets[position];
    const sleep = new Array<number>(this.sleepLengths[position]);
    for (let index = 0; index < sleep.length; index += 1) sleep[index] = this.sleepData[offset + index];
    return sleep;
  }

  /** Narrows the sleep set at `position` to what also sleeps in `other` (a state reached again). */
  intersectSleep(position: number, other: SleepSet): void {
    this.sleepLengths[position] = intersectSleepSetInPlace(this.sleepData, this.sleepOffsets[position], this.sleepLengths[position], other);
  }
}

function grown<T extends Int32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

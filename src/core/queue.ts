// The discrete-event queue: a binary min-heap ordered by (virtual time, sequence number).
// The sequence number is assigned at push time, so events at the same instant run in the order
// they were scheduled: the order is a function of the run's own data only.

import { assert } from './assert.js';

/** Events a queue holds when its owner names no capacity: far past any run's need, short of the heap's end. */
export const eventQueueCapacityDefault = 10_000_000;

export interface Scheduled {
  /** Virtual time in milliseconds. */
  timeMs: number;
  /** Assigned by the queue; ties on time break by it. */
  sequence: number;
}

export class EventQueue<T extends Scheduled> {
  private readonly heap: T[] = [];
  /**
   * Each heap slot's time and sequence, beside the events: the events come in many shapes (one
   * per kind, timeMs added last), so reading them from the events on every comparison of a sift
   * would be a megamorphic property load; these are plain arrays of numbers.
   */
  private readonly times: number[] = [];
  private readonly sequences: number[] = [];
  private nextSequence = 0;

  constructor(private readonly capacity = eventQueueCapacityDefault) {}

  get size(): number {
    return this.heap.length;
  }

  /**
   * Whether `count` more events fit. A full queue is a bound its owner reports (a run ends with
   * boundReached 'queue'); pushing past the capacity anyway is a harness bug, and asserts.
   */
  hasRoomFor(count: number): boolean {
    return this.heap.length + count <= this.capacity;
  }

  /** Sequence number the next push will receive. */
  get sequenceCounter(): number {
    return this.nextSequence;
  }

  push(event: T): T {
    this.checkRoom(1);
    checkTime(event);
    const sequence = this.nextSequence;
    event.sequence = sequence;
    this.nextSequence += 1;
    const time = event.timeMs;
    const { heap, times, sequences } = this;
    let index = heap.length;
    heap.push(event);
    times.push(time);
    sequences.push(sequence);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parentTime = times[parentIndex];
      if (parentTime < time || (parentTime === time && sequences[parentIndex] <= sequence)) break;
      this.move(parentIndex, index);
      index = parentIndex;
    }
    heap[index] = event;
    times[index] = time;
    sequences[index] = sequence;
    return event;
  }

  /** Moves the event in slot `from` (with its time and sequence) to slot `to`. */
  private move(from: number, to: number): void {
    this.heap[to] = this.heap[from];
    this.times[to] = this.times[from];
    this.sequences[to] = this.sequences[from];
  }

  /**
   * Pushes events ahead of every event already queued for the same instant, keeping their own
   * order: for work that was waiting and is due before anything that arrived meanwhile.
   */
  pushFirst(events: readonly T[]): void {
    // Every event is checked before any goes in: a refused push leaves the queue as it was.
    this.checkRoom(events.length);
    for (const event of events) checkTime(event);
    // Sequence numbers below every one handed out so far, in the events' own order.
    this.frontSequence -= events.length;
    events.forEach((event, index) => {
      event.sequence = this.frontSequence + index;
      this.heap.push(event);
    });
    this.resort();
  }

  private frontSequence = 0;

  private checkRoom(count: number): void {
    // Messages are built only on failure: these run on every push.
    if (!this.hasRoomFor(count)) assert(false, `event queue exceeded its capacity of ${this.capacity}`);
  }

  /** Restores the heap after rare bulk changes: a sorted array is a valid heap. */
  private resort(): void {
    this.heap.sort((a, b) => (before(a, b) ? -1 : 1));
    this.times.length = 0;
    this.sequences.length = 0;
    for (const event of this.heap) {
      this.times.push(event.timeMs);
      this.sequences.push(event.sequence);
    }
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  pop(): T | undefined {
    const { heap, times, sequences } = this;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop() as T;
    const lastTime = times.pop() as number;
    const lastSequence = sequences.pop() as number;
    if (heap.length > 0) {
      let index = 0;
      const length = heap.length;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= length) break;
        const right = left + 1;
        const child = right < length && (times[right] < times[left] || (times[right] === times[left] && sequences[right] < sequences[left])) ? right : left;
        const childTime = times[child];
        if (childTime > lastTime || (childTime === lastTime && sequences[child] >= lastSequence)) break;
        this.move(child, index);
        index = child;
      }
      heap[index] = last;
      times[index] = lastTime;
      sequences[index] = lastSequence;
    }
    return top;
  }

  /** All pending events, in no particular order (for fingerprints and reports). */
  pending(): readonly T[] {
    return this.heap;
  }

  /** Removes every pending event matching the predicate. O(n); used for rare world changes. */
  removeWhere(predicate: (event: T) => boolean): number {
    const kept = this.heap.filter((event) => !predicate(event));
    const removed = this.heap.length - kept.length;
    if (removed === 0) return 0;
    this.heap.length = 0;
    for (const event of kept) this.heap.push(event);
    this.resort();
    return removed;
  }
}

function checkTime(event: Scheduled): void {
  if (!(Number.isFinite(event.timeMs) && event.timeMs >= 0)) assert(false, `bad event time ${event.timeMs}`);
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.sequence < b.sequence);
}

// EventQueue is the one source of event order in a run: pops come out by virtual time, and
// events at the same instant come out in the order they were pushed. These properties pin that
// order against a trivially correct model (a sorted list).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../../src/core/queue.js';
import { HarnessBug } from '../../src/core/assert.js';

interface TestEvent {
  timeMs: number;
  sequence: number;
  /** Push order, as the test counts it; compared against the queue's own sequence. */
  id: number;
}

function event(timeMs: number, id: number): TestEvent {
  return { timeMs, sequence: -1, id };
}

/** The model: pending events, always popped by (timeMs, push order). */
class ModelQueue {
  private readonly pending: TestEvent[] = [];

  push(item: TestEvent): void {
    this.pending.push(item);
  }

  pop(): TestEvent | undefined {
    if (this.pending.length === 0) return undefined;
    let best = 0;
    for (let index = 1; index < this.pending.length; index += 1) {
      const candidate = this.pending[index];
      const current = this.pending[best];
      if (candidate.timeMs < current.timeMs || (candidate.timeMs === current.timeMs && candidate.id < current.id)) {
        best = index;
      }
    }
    return this.pending.splice(best, 1)[0];
  }

  removeWhere(predicate: (item: TestEvent) => boolean): number {
    let removed = 0;
    for (let index = this.pending.length - 1; index >= 0; index -= 1) {
      if (predicate(this.pending[index])) {
        this.pending.splice(index, 1);
        removed += 1;
      }
    }
    return removed;
  }

  get size(): number {
    return this.pending.length;
  }
}

type Operation =
  | { kind: 'push'; timeMs: number }
  | { kind: 'pop' }
  | { kind: 'removeWhere'; modulus: number; remainder: number };

// Small times make ties frequent; the occasional large one checks times beyond 32 bits.
const timeMsArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 10, noNaN: true, noDefaultInfinity: true }) },
);

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: timeMsArbitrary.map((timeMs) => ({ kind: 'push' as const, timeMs })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'pop' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 4 })
      .chain((modulus) =>
        fc.integer({ min: 0, max: modulus - 1 }).map((remainder) => ({ kind: 'removeWhere' as const, modulus, remainder })),
      ),
  },
);

function drain(queue: EventQueue<TestEvent>): TestEvent[] {
  const drained: TestEvent[] = [];
  for (let event = queue.pop(); event !== undefined; event = queue.pop()) drained.push(event);
  return drained;
}

function isOrderedByTimeThenPushOrder(events: readonly TestEvent[]): boolean {
  for (let index = 1; index < events.length; index += 1) {
    const previous = events[index - 1];
    const current = events[index];
    if (previous.timeMs > current.timeMs) return false;
    if (previous.timeMs === current.timeMs && previous.id > current.id) return false;
  }
  return true;
}

describe('EventQueue', () => {
  it('pops events in the same order as a sorted model for any interleaving of pushes, pops and removals', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 300 }), (operations) => {
        const queue = new EventQueue<TestEvent>();
        const model = new ModelQueue();
        let nextId = 0;
        for (const operation of operations) {
          switch (operation.kind) {
            case 'push': {
              const id = nextId;
              nextId += 1;
              queue.push(event(operation.timeMs, id));
              model.push(event(operation.timeMs, id));
              break;
            }
            case 'pop': {
              expect(queue.pop()?.id).toBe(model.pop()?.id);
              break;
            }
            case 'removeWhere': {
              const predicate = (item: TestEvent): boolean => item.id % operation.modulus === operation.remainder;
              expect(queue.removeWhere(predicate)).toBe(model.removeWhere(predicate));
              break;
            }
          }
          expect(queue.size).toBe(model.size);
        }
        expect(drain(queue).map((item) => item.id)).toEqual(drainModel(model).map((item) => item.id));
      }),
    );
  });

  it('pops everything it was given ordered by time, then by push order', () => {
    fc.assert(
      fc.property(fc.array(timeMsArbitrary, { maxLength: 500 }), (times) => {
        const queue = new EventQueue<TestEvent>();
        times.forEach((timeMs, id) => queue.push(event(timeMs, id)));
        const drained = drain(queue);
        expect(drained).toHaveLength(times.length);
        expect(isOrderedByTimeThenPushOrder(drained)).toBe(true);
        expect(new Set(drained.map((item) => item.id)).size).toBe(times.length);
      }),
    );
  });

  it('pops events with equal times in the order they were pushed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 300 }), (timeMs, count) => {
        const queue = new EventQueue<TestEvent>();
        for (let id = 0; id < count; id += 1) queue.push(event(timeMs, id));
        expect(drain(queue).map((item) => item.id)).toEqual(Array.from({ length: count }, (_, id) => id));
      }),
    );
  });

  it('keeps push order among equal times even when pops are interleaved with pushes', () => {
    const queue = new EventQueue<TestEvent>();
    queue.push(event(5, 0));
    queue.push(event(5, 1));
    expect(queue.pop()?.id).toBe(0);
    queue.push(event(5, 2));
    queue.push(event(1, 3));
    queue.push(event(5, 4));
    expect(drain(queue).map((item) => item.id)).toEqual([3, 1, 2, 4]);
  });

  it('assigns sequence numbers in push order, starting at 0', () => {
    const queue = new EventQueue<TestEvent>();
    expect(queue.sequenceCounter).toBe(0);
    const pushed = [9, 3, 3, 0].map((timeMs, id) => queue.push(event(timeMs, id)));
    expect(pushed.map((item) => item.sequence)).toEqual([0, 1, 2, 3]);
    expect(queue.sequenceCounter).toBe(4);
  });

  it('reports its size after every push and pop', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 200 }), (pushes) => {
        const queue = new EventQueue<TestEvent>();
        let expected = 0;
        pushes.forEach((isPush, id) => {
          if (isPush) {
            queue.push(event(id % 3, id));
            expected += 1;
          } else {
            const popped = queue.pop();
            expect(popped === undefined).toBe(expected === 0);
            expected = Math.max(0, expected - 1);
          }
          expect(queue.size).toBe(expected);
        });
      }),
    );
  });

  it('returns undefined from pop and peek when empty', () => {
    const queue = new EventQueue<TestEvent>();
    expect(queue.pop()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
    expect(queue.size).toBe(0);
  });

  it('peeks the event that the next pop returns, without removing it', () => {
    fc.assert(
      fc.property(fc.array(timeMsArbitrary, { minLength: 1, maxLength: 100 }), (times) => {
        const queue = new EventQueue<TestEvent>();
        times.forEach((timeMs, id) => queue.push(event(timeMs, id)));
        while (queue.size > 0) {
          const size = queue.size;
          const peeked = queue.peek();
          expect(queue.size).toBe(size);
          expect(queue.pop()).toBe(peeked);
        }
      }),
    );
  });

  it('keeps the order of the remaining events after removeWhere, and returns how many it removed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(timeMsArbitrary, fc.boolean()), { maxLength: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (entries, popsBefore) => {
          const queue = new EventQueue<TestEvent>();
          const doomed = new Set<number>();
          entries.forEach(([timeMs, remove], id) => {
            queue.push(event(timeMs, id));
            if (remove) doomed.add(id);
          });
          // Pop some first, so that removal happens on a heap that has been reshaped.
          const popped = new Set<number>();
          for (let index = 0; index < popsBefore && queue.size > 0; index += 1) popped.add(queue.pop()!.id);
          const expectedRemoved = [...doomed].filter((id) => !popped.has(id)).length;
          expect(queue.removeWhere((item) => doomed.has(item.id))).toBe(expectedRemoved);
          const rest = drain(queue);
          const expectedRest = entries
            .map(([timeMs], id) => ({ timeMs, sequence: -1, id }))
            .filter((item) => !doomed.has(item.id) && !popped.has(item.id))
            .sort((a, b) => a.timeMs - b.timeMs || a.id - b.id);
          expect(rest.map((item) => item.id)).toEqual(expectedRest.map((item) => item.id));
        },
      ),
    );
  });

  it('keeps working as a heap after removeWhere, when more events are pushed', () => {
    fc.assert(
      fc.property(
        fc.array(timeMsArbitrary, { maxLength: 100 }),
        fc.array(timeMsArbitrary, { maxLength: 100 }),
        (before, after) => {
          const queue = new EventQueue<TestEvent>();
          before.forEach((timeMs, id) => queue.push(event(timeMs, id)));
          queue.removeWhere((item) => item.id % 2 === 1);
          after.forEach((timeMs, index) => queue.push(event(timeMs, before.length + index)));
          const drained = drain(queue);
          expect(isOrderedByTimeThenPushOrder(drained)).toBe(true);
          expect(drained).toHaveLength(Math.ceil(before.length / 2) + after.length);
        },
      ),
    );
  });

  it('removes nothing and returns 0 when no event matches', () => {
    const queue = new EventQueue<TestEvent>();
    [3, 1, 2].forEach((timeMs, id) => queue.push(event(timeMs, id)));
    expect(queue.removeWhere(() => false)).toBe(0);
    expect(drain(queue).map((item) => item.id)).toEqual([1, 2, 0]);
  });

  it('throws a HarnessBug when a push would exceed its capacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), (capacity) => {
        const queue = new EventQueue<TestEvent>(capacity);
        for (let id = 0; id < capacity; id += 1) queue.push(event(id, id));
        expect(queue.size).toBe(capacity);
        expect(() => queue.push(event(0, capacity))).toThrow(HarnessBug);
        expect(() => queue.push(event(0, capacity))).toThrow(/capacity/);
        expect(queue.size).toBe(capacity);
      }),
    );
  });

  it('accepts pushes again after a pop frees room below its capacity', () => {
    const queue = new EventQueue<TestEvent>(2);
    queue.push(event(1, 0));
    queue.push(event(2, 1));
    expect(() => queue.push(event(3, 2))).toThrow(HarnessBug);
    queue.pop();
    queue.push(event(0, 3));
    expect(drain(queue).map((item) => item.id)).toEqual([3, 1]);
  });

  it('throws a HarnessBug on a negative, NaN or infinite time, and leaves the queue unchanged', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        ),
        (badTimeMs) => {
          const queue = new EventQueue<TestEvent>();
          queue.push(event(1, 0));
          expect(() => queue.push(event(badTimeMs, 1))).toThrow(HarnessBug);
          expect(queue.size).toBe(1);
          expect(queue.sequenceCounter).toBe(1);
        },
      ),
    );
  });

  it('accepts time 0', () => {
    const queue = new EventQueue<TestEvent>();
    expect(() => queue.push(event(0, 0))).not.toThrow();
    expect(queue.pop()?.timeMs).toBe(0);
  });
});

function drainModel(model: ModelQueue): TestEvent[] {
  const drained: TestEvent[] = [];
  for (let item = model.pop(); item !== undefined; item = model.pop()) drained.push(item);
  return drained;
}

describe('EventQueue.hasRoomFor', () => {
  it('says whether that many more events fit below the capacity', () => {
    const queue = new EventQueue<TestEvent>(3);
    queue.push(event(1, 0));
    expect([queue.hasRoomFor(2), queue.hasRoomFor(3)]).toEqual([true, false]);
  });

  it('holds for pushFirst too: a batch that does not fit is refused whole, and the queue is unchanged', () => {
    const queue = new EventQueue<TestEvent>(3);
    queue.push(event(1, 0));
    queue.push(event(2, 1));
    expect(() => queue.pushFirst([event(0, 2), event(0, 3)])).toThrow(HarnessBug);
    expect(drain(queue).map((item) => item.id)).toEqual([0, 1]);
  });
});

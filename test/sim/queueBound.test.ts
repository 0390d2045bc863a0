// DESIGN.md, style 2: every queue has a bound, and hitting it is a reported result. A run whose
// events outgrow the event queue's capacity ends with boundReached 'queue', after the event that
// filled it, and never throws.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { allInvariants } from '../../invariants/index.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { Simulation } from '../../src/sim/simulation.js';
import type { SimulationResult } from '../../src/sim/simulation.js';

function runWithQueueCapacity(eventQueueCapacity: number | undefined): SimulationResult {
  const scenario = { ...defaultScenario(), nodes: 3 };
  return new Simulation({ implementation: referenceImplementation(), scenario, seed: 7, invariants: allInvariants, recordEvents: true, eventQueueCapacity }).run();
}

describe('a full event queue', () => {
  it('ends the run with boundReached queue instead of a harness error', () => {
    const unbounded = runWithQueueCapacity(undefined);
    const bounded = runWithQueueCapacity(12);
    expect(unbounded.boundReached).toBeNull();
    expect(bounded.boundReached).toBe('queue');
    expect(bounded.status).toBe('ok');
    expect(bounded.events).toBeGreaterThan(0);
    expect(bounded.events).toBeLessThan(unbounded.events);
  });

  it('notes the bound on the event that filled the queue, the last of the run', () => {
    const bounded = runWithQueueCapacity(12);
    const notes = (bounded.eventLog ?? []).map((event) => event.note ?? '');
    expect(notes.findIndex((note) => note.includes('event queue is full'))).toBe(notes.length - 1);
  });

  it('ends a run before its first event when the nodes cannot all start', () => {
    const bounded = runWithQueueCapacity(1);
    expect(bounded.boundReached).toBe('queue');
    expect(bounded.events).toBe(0);
  });

  it('ends the same seed at the same event with the same trace hash every time', () => {
    const first = runWithQueueCapacity(12);
    const second = runWithQueueCapacity(12);
    expect([second.events, second.traceHash]).toEqual([first.events, first.traceHash]);
  });
});

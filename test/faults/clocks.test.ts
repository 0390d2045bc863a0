// Clock faults: per-node drift (a node's ticks come at 1 + d times tickMs, d drawn from
// [-driftMax, driftMax]) and sudden steps of one node's clock (forward: a burst of ticks;
// backward: no tick until local time catches up).

import { describe, expect, it } from 'vitest';
import { Random, RecordingChoiceSource } from '../../src/core/random.js';
import { eventsOf, quietScenario, runProbe, scheduled } from './probes.js';

const nodes = [1, 2, 3, 4, 5];
const driftMax = 0.2;
const runMs = 20_000;

/**
 * The drift the simulator draws for a node: on the node's own "clock/nX" stream, a magnitude in
 * thousandths of driftMax and a sign (src/sim/simulation.ts, drawTickInterval). Streams are
 * seeded from (seed, stream name) alone, so a fresh source with the same seed draws the same.
 */
function drawnDrift(seed: number, node: number): number {
  const random = new Random(new RecordingChoiceSource(seed));
  const stream = `clock/n${node}`;
  const magnitude = (random.integer(stream, 0, 1000) / 1000) * driftMax;
  return random.chance(stream, 0.5) ? -magnitude : magnitude;
}

function driftingRun(seed: number) {
  const scenario = quietScenario(runMs);
  scenario.clocks.driftMax = driftMax;
  const { log } = runProbe({ scenario, behaviour: {}, seed });
  return nodes.map((node) => {
    const ticks = log.tickTimes(node);
    return {
      node,
      ticks,
      /** Mean virtual ms between two ticks over the whole run. */
      measuredIntervalMs: (ticks[ticks.length - 1] - ticks[0]) / (ticks.length - 1),
      drawnIntervalMs: scenario.tickMs * (1 + drawnDrift(seed, node)),
    };
  });
}

describe('clock drift', () => {
  it('gives each node its own tick rate, within ±driftMax of tickMs', () => {
    for (const seed of [1, 2]) {
      const clocks = driftingRun(seed);
      for (const clock of clocks) {
        // 0.05: half a millisecond of rounding per 10 ms tick.
        expect(Math.abs(clock.measuredIntervalMs / 10 - 1)).toBeLessThanOrEqual(driftMax + 0.05);
        expect(Math.abs(clock.drawnIntervalMs / 10 - 1)).toBeLessThanOrEqual(driftMax);
      }
      expect(new Set(clocks.map((clock) => clock.measuredIntervalMs)).size).toBeGreaterThan(1);
    }
  });

  it('ticks every tickMs exactly without drift', () => {
    const { log } = runProbe({ scenario: quietScenario(2_000), behaviour: {} });
    for (const node of nodes) {
      const ticks = log.tickTimes(node);
      expect(new Set(ticks.slice(1).map((time, index) => time - ticks[index]))).toEqual(new Set([10]));
    }
  });

  // Found as a bug in src/sim/simulation.ts and fixed; kept as a regression test.
  // `nextTickExactMs = Math.max(nextTickExactMs, now) + interval` loses the fraction whenever the
  // tick time was rounded up (now > nextTickExactMs), so a drifting clock's mean interval snaps
  // to a multiple of 0.5 ms: with seed 1, node 4 draws d = 0.1746 (interval 11.746 ms) but ticks
  // every 12.000 ms; node 1 draws 10.364 ms and ticks every 10.500 ms; with seed 2 node 1 draws
  // 8.678 ms and ticks every 9.000 ms (3.7% slow). Over 20 s the counts are off by up to 80
  // ticks. Keeping the exact schedule (not resetting it to `now` when rounding was late) fixes it.
  it('ticks at its drawn rate: over 20 s, 20000 / (tickMs * (1 + d)) ticks within 0.5%', () => {
    for (const seed of [1, 2]) {
      for (const clock of driftingRun(seed)) {
        const expected = runMs / clock.drawnIntervalMs;
        expect(Math.abs(clock.ticks.length - expected) / expected, `seed ${seed} node ${clock.node}: ${clock.ticks.length} ticks, expected ${expected.toFixed(1)}`).toBeLessThan(0.005);
      }
    }
  });
});

describe('clock jumps', () => {
  it('delivers 10 ticks at once for a forward jump of +100 ms with tickMs 10', () => {
    const { log, events, result } = runProbe({
      scenario: scheduled([{ atMs: 200, action: 'clock-jump', node: 2, ms: 100 }], 400),
      behaviour: {},
    });
    const [jump] = eventsOf(events, 'clockJump');
    expect(jump).toMatchObject({ t: 200, node: 2, note: '+100 ms' });
    const burst = log.inputsOf(2, 'tick').filter((entry) => entry.eventNumber === jump.n);
    expect(burst).toHaveLength(10);
    expect(burst.every((entry) => entry.atMs === 200)).toBe(true);
    // Before and after the burst, one tick every 10 ms.
    const others = log.tickTimes(2).filter((_, index) => log.inputsOf(2, 'tick')[index].eventNumber !== jump.n);
    expect(new Set(others.slice(1).map((time, index) => time - others[index]))).toEqual(new Set([10]));
    expect(result.statistics.clockJumps).toBe(1);
  });

  it('delivers no tick for 100 ms after a backward jump of -100 ms, then ticks at the usual pace', () => {
    const { log, events } = runProbe({
      scenario: scheduled([{ atMs: 200, action: 'clock-jump', node: 2, ms: -100 }], 500),
      behaviour: {},
    });
    expect(eventsOf(events, 'clockJump')).toMatchObject([{ t: 200, node: 2, note: '-100 ms' }]);
    const ticks = log.tickTimes(2);
    const before = ticks.filter((time) => time < 200);
    const after = ticks.filter((time) => time >= 200);
    expect(200 - before[before.length - 1]).toBeLessThanOrEqual(10);
    expect(after[0]).toBeGreaterThan(300);
    expect(after[0]).toBeLessThanOrEqual(310);
    expect(new Set(after.slice(1).map((time, index) => time - after[index]))).toEqual(new Set([10]));
    // The other clocks do not notice.
    for (const node of [1, 3, 4, 5]) expect(log.tickTimes(node).filter((time) => time >= 200 && time <= 300).length).toBeGreaterThanOrEqual(10);
  });
});

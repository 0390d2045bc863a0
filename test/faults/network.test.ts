// Network faults, per directed link: loss, duplicates, delay distributions, long delays and the
// reordering they cause. Probes send Pings on a fixed pattern and record what arrives and when.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventsOf, link, pingEveryTick, pingOnFirstTick, quietScenario, runProbe, sorted, withNote } from './probes.js';

describe('network faults', () => {
  it('delivers a message twice, the second copy marked duplicate, with duplicateProbability 1', () => {
    const scenario = quietScenario(200);
    scenario.network.duplicateProbability = 1;
    const { log, result, events } = runProbe({ scenario, behaviour: pingOnFirstTick([1]) });

    const deliveries = log.deliveries();
    for (const to of [2, 3, 4, 5]) {
      const copies = deliveries.filter((delivery) => delivery.to === to);
      expect(copies).toHaveLength(2);
      expect(copies[0].seq).toBe(copies[1].seq);
      const logged = eventsOf(events, 'deliver').filter((event) => event.node === to);
      expect(logged).toHaveLength(2);
      expect(logged.filter((event) => event.note === 'duplicate')).toHaveLength(1);
      expect(logged[0].messageId).toBe(logged[1].messageId);
    }
    expect(result.statistics.messagesSent).toBe(4);
    expect(result.statistics.messagesDuplicated).toBe(4);
  });

  it('delivers nothing with dropProbability 1', () => {
    const scenario = quietScenario(200);
    scenario.network.dropProbability = 1;
    const { log, result, events } = runProbe({ scenario, behaviour: pingOnFirstTick([1]) });
    expect(log.sent).toHaveLength(4);
    expect(log.deliveries()).toEqual([]);
    expect(eventsOf(events, 'deliver')).toEqual([]);
    expect(result.statistics.messagesDropped).toBe(4);
  });

  it('drops only the overridden link with a per-link dropProbability', () => {
    const scenario = quietScenario(300);
    scenario.network.links = [{ from: 1, to: 2, dropProbability: 1 }];
    const { log } = runProbe({ scenario, behaviour: pingEveryTick('all') });
    const delivered = new Set(log.deliveries().map((delivery) => link(delivery.from, delivery.to)));
    expect(delivered.has('1>2')).toBe(false);
    expect(delivered.has('2>1')).toBe(true);
    expect(delivered.size).toBe(19);
  });

  it('delivers after exactly the delay with a constant delay', () => {
    const scenario = quietScenario(300);
    scenario.network.delay = { distribution: 'constant', minMs: 7, maxMs: 7 };
    const { log } = runProbe({ scenario, behaviour: pingEveryTick([1]) });
    const deliveries = log.deliveries();
    expect(deliveries.length).toBeGreaterThan(50);
    expect(new Set(deliveries.map((delivery) => delivery.atMs - delivery.sentAtMs))).toEqual(new Set([7]));
  });

  it('keeps uniform delays within their bounds and reorders messages', () => {
    // Property: for any seed, over 100 messages on one link, every delay is in [minMs, maxMs]
    // and some message overtakes one sent before it.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const scenario = quietScenario(1_000);
        scenario.network.delay = { distribution: 'uniform', minMs: 3, maxMs: 40 };
        const { log } = runProbe({ scenario, behaviour: pingEveryTick([1], [2]), seed });
        const deliveries = log.deliveries();
        expect(deliveries.length).toBeGreaterThan(90);
        for (const delivery of deliveries) {
          expect(delivery.atMs - delivery.sentAtMs).toBeGreaterThanOrEqual(3);
          expect(delivery.atMs - delivery.sentAtMs).toBeLessThanOrEqual(40);
        }
        const overtaken = deliveries.some((delivery, index) => index > 0 && delivery.seq < deliveries[index - 1].seq);
        expect(overtaken).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('keeps exponential delays within [minMs, maxMs], with delays up to the cap', () => {
    const scenario = quietScenario(2_000);
    scenario.network.delay = { distribution: 'exponential', minMs: 2, maxMs: 30, meanMs: 10 };
    const { log } = runProbe({ scenario, behaviour: pingEveryTick([1], [2, 3]), seed: 5 });
    const delays = log.deliveries().map((delivery) => delivery.atMs - delivery.sentAtMs);
    expect(delays.length).toBeGreaterThan(300);
    expect(Math.min(...delays)).toBe(2);
    expect(Math.max(...delays)).toBeLessThanOrEqual(30);
    // The cap is reached (mean 10 over 28 ms of range: P(draw >= 28) = e^-2.8, about 6%).
    expect(delays.filter((delay) => delay === 30).length).toBeGreaterThan(0);
    // Exponential, not uniform: most delays are short.
    expect(delays.filter((delay) => delay < 12).length).toBeGreaterThan(delays.length / 2);
  });

  it('adds a delay within longDelayMs to every message with longDelayProbability 1', () => {
    const scenario = quietScenario(2_000);
    scenario.network.delay = { distribution: 'constant', minMs: 5, maxMs: 5 };
    scenario.network.longDelayProbability = 1;
    scenario.network.longDelayMs = { minMs: 200, maxMs: 400 };
    const { log } = runProbe({ scenario, behaviour: pingEveryTick([1], [2]), seed: 3 });
    const delays = log.deliveries().map((delivery) => delivery.atMs - delivery.sentAtMs);
    expect(delays.length).toBeGreaterThan(100);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(205);
      expect(delay).toBeLessThanOrEqual(405);
    }
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('logs nothing lost on a healthy quiet network', () => {
    const { result, events, log } = runProbe({ scenario: quietScenario(300), behaviour: pingEveryTick('all') });
    expect(withNote(events, 'lost')).toEqual([]);
    expect(result.statistics.messagesDropped).toBe(0);
    expect(log.deliveries()).toHaveLength(log.sent.filter((sent) => sent.atMs < 300).length);
    expect(sorted(new Set(log.deliveries().map((delivery) => link(delivery.from, delivery.to))))).toHaveLength(20);
  });
});

// The random fault processes: every decision interval each process with a non-zero rate draws
// whether it strikes. Rates here are high enough (20 per second, 50 ms decisions) that every
// decision strikes, so each test sees its fault without hunting for a seed.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/core/ids.js';
import type { PartitionShape } from '../../src/sim/scenario.js';
import type { TraceEvent } from '../../src/sim/simulation.js';
import { allLinks, combine, crossLinks, eventsOf, fixedLeaderView, link, linksDelivered, pingEveryTick, quietScenario, runProbe, sorted, without, withNote, writeOnTicks } from './probes.js';

const everyLink = allLinks(5);
const certain = 20; // per second: with 50 ms decisions, a chance of 1 per decision

function linksOf(node: number): string[] {
  return everyLink.filter((item) => item.startsWith(`${node}>`) || item.endsWith(`>${node}`));
}

function group(text: string): NodeId[] {
  return text.split(',').map(Number);
}

/** The links a random partition's trace label says it cut. */
function cutOfLabel(label: string): string[] {
  let match = /^isolate n(\d+)$/.exec(label);
  if (match) return linksOf(Number(match[1]));
  match = /^partition \{([\d,]+)\} \| \{([\d,]+)\}( \(flapping\))?$/.exec(label);
  if (match) return crossLinks([group(match[1]), group(match[2])]);
  match = /^bridge n(\d+) between \{([\d,]+)\} and \{([\d,]+)\}$/.exec(label);
  if (match) {
    const sides = [group(match[2]), group(match[3])];
    expect(sorted([match[1], ...sides.flat().map(String)])).toEqual(['1', '2', '3', '4', '5']);
    return crossLinks(sides);
  }
  match = /^n(\d+) cannot (receive|send) \(one way\)$/.exec(label);
  if (match) {
    const node = Number(match[1]);
    const others = [1, 2, 3, 4, 5].filter((other) => other !== node);
    return others.map((other) => (match![2] === 'receive' ? link(other, node) : link(node, other)));
  }
  match = /^cut n(\d+)<->n(\d+)$/.exec(label);
  if (match) return [link(Number(match[1]), Number(match[2])), link(Number(match[2]), Number(match[1]))];
  throw new Error(`unexpected partition label ${label}`);
}

function randomPartitions(shape: PartitionShape, seed: number) {
  const scenario = quietScenario(240);
  scenario.faults.partition = { perSecond: certain, durationMs: { minMs: 190, maxMs: 190 }, shapes: [shape], flapPeriodMs: { minMs: 40, maxMs: 40 }, target: 'any' };
  return runProbe({ scenario, behaviour: pingEveryTick('all'), seed });
}

/** Cut and healed windows, from the partition and heal events in the trace. */
function windows(events: readonly TraceEvent[]): { fromMs: number; toMs: number; label: string | null }[] {
  const changes = events.filter((event) => event.kind === 'partition' || event.kind === 'heal');
  const result: { fromMs: number; toMs: number; label: string | null }[] = [];
  let fromMs = 0;
  let label: string | null = null;
  for (const change of changes) {
    result.push({ fromMs, toMs: change.t, label });
    fromMs = change.t;
    label = change.kind === 'partition' ? change.note! : null;
  }
  result.push({ fromMs, toMs: 240, label });
  return result.filter((window) => window.toMs > window.fromMs);
}

describe('the random partition process', () => {
  const shapes: [PartitionShape, RegExp][] = [
    ['isolate', /^isolate n\d$/],
    ['majority-minority', /^partition \{[\d,]+\} \| \{[\d,]+\}$/],
    ['bridge', /^bridge n\d between \{[\d,]+\} and \{[\d,]+\}$/],
    ['one-way', /^n\d cannot (receive|send) \(one way\)$/],
    ['single-link', /^cut n\d<->n\d$/],
  ];

  for (const [shape, pattern] of shapes) {
    it(`cuts exactly the links its trace names with shape ${shape}, until the heal`, () => {
      const labels = new Set<string>();
      for (const seed of [1, 2, 3, 4]) {
        const { events, log, result } = randomPartitions(shape, seed);
        const [partition] = eventsOf(events, 'partition');
        expect(partition.t).toBe(50);
        expect(partition.note).toMatch(pattern);
        labels.add(partition.note!);
        expect(eventsOf(events, 'heal').map((event) => event.t)).toEqual([240]);
        const deliveries = log.deliveries();
        expect(sorted(linksDelivered(deliveries, 0, 50))).toEqual(sorted(everyLink));
        expect(sorted(linksDelivered(deliveries, 50, 240)), `seed ${seed}: ${partition.note}`).toEqual(without(everyLink, cutOfLabel(partition.note!)));
        expect(result.statistics.partitions).toBe(1);
      }
      expect(labels.size).toBeGreaterThan(1); // the seed draws which nodes
    });
  }

  it('cuts and heals a majority/minority split repeatedly with shape flapping', () => {
    for (const seed of [1, 2]) {
      const { events, log } = randomPartitions('flapping', seed);
      const cuts = eventsOf(events, 'partition');
      expect(cuts.map((event) => event.t)).toEqual([50, 130, 210]);
      expect(eventsOf(events, 'heal').map((event) => event.t)).toEqual([90, 170]);
      expect(new Set(cuts.map((event) => event.note)).size).toBe(1);
      expect(cuts[0].note).toMatch(/^partition \{[\d,]+\} \| \{[\d,]+\} \(flapping\)$/);
      for (const window of windows(events)) {
        const expected = window.label === null ? sorted(everyLink) : without(everyLink, cutOfLabel(window.label));
        expect(sorted(linksDelivered(log.deliveries(), window.fromMs, window.toMs)), `${window.fromMs}-${window.toMs} ms`).toEqual(expected);
      }
    }
  });
});

describe('targeted isolation', () => {
  function isolations(target: 'leader' | 'follower', seed: number) {
    const scenario = quietScenario(400);
    scenario.faults.partition = { perSecond: certain, durationMs: { minMs: 100, maxMs: 100 }, shapes: ['isolate'], target, flapPeriodMs: { minMs: 40, maxMs: 40 } };
    return runProbe({ scenario, behaviour: combine(pingEveryTick('all'), fixedLeaderView(3)), seed });
  }

  it("cuts off the node whose view says leader with target 'leader', and only its links", () => {
    for (const seed of [1, 2, 3]) {
      const { events, log } = isolations('leader', seed);
      const cuts = eventsOf(events, 'isolate');
      expect(cuts.map((event) => [event.t, event.node])).toEqual([[50, 3], [150, 3], [250, 3], [350, 3]]);
      expect(sorted(linksDelivered(log.deliveries(), 60, 140))).toEqual(without(everyLink, linksOf(3)));
    }
  });

  it("never cuts off the leader with target 'follower'", () => {
    const hit = new Set<NodeId>();
    for (let seed = 1; seed <= 10; seed += 1) {
      for (const event of eventsOf(isolations('follower', seed).events, 'isolate')) hit.add(event.node!);
    }
    expect([...hit].sort()).toEqual([1, 2, 4, 5]);
  });
});

describe('the other random fault processes', () => {
  it('crashes nodes and restarts each after restartDelayMs, never more than downMax at once', () => {
    const scenario = quietScenario(1_500);
    scenario.faults.crash = { perSecond: certain, restartDelayMs: { minMs: 120, maxMs: 120 }, downMax: 2, target: 'any', afterLeaderCommitProbability: 0 };
    const { events, log, result } = runProbe({ scenario, behaviour: pingEveryTick('all'), seed: 4 });
    const crashes = eventsOf(events, 'crash').filter((event) => event.node !== undefined && !event.note?.includes('already down'));
    expect(crashes.length).toBeGreaterThan(5);
    for (const crash of crashes.filter((event) => event.t + 120 <= 1_500)) {
      expect(events.some((event) => event.kind === 'restart' && event.node === crash.node && event.t === crash.t + 120)).toBe(true);
      expect(log.inputsOf(crash.node!).filter((entry) => entry.atMs > crash.t && entry.atMs < crash.t + 120)).toEqual([]);
    }
    let down = 0;
    let mostDown = 0;
    for (const event of events) {
      if (event.kind === 'crash' && crashes.includes(event)) down += 1;
      if (event.kind === 'restart' && event.note !== 'already up') down -= 1;
      mostDown = Math.max(mostDown, down);
    }
    expect(mostDown).toBe(2);
    expect(result.statistics.crashes).toBe(crashes.length);
  });

  it('pauses a node and resumes it after durationMs, with no input in between', () => {
    const scenario = quietScenario(1_500);
    scenario.faults.pause = { perSecond: certain, durationMs: { minMs: 100, maxMs: 100 } };
    const { events, log, result } = runProbe({ scenario, behaviour: pingEveryTick('all'), seed: 2 });
    const pauses = eventsOf(events, 'pause').filter((event) => event.note === undefined);
    expect(pauses.length).toBeGreaterThan(5);
    for (const pause of pauses.filter((event) => event.t + 100 <= 1_500)) {
      expect(events.some((event) => event.kind === 'resume' && event.node === pause.node && event.t === pause.t + 100)).toBe(true);
      expect(log.inputsOf(pause.node!).filter((entry) => entry.atMs > pause.t && entry.atMs < pause.t + 100)).toEqual([]);
    }
    expect(withNote(events, 'held: node paused').length).toBeGreaterThan(0);
    expect(result.statistics.pauses).toBe(pauses.length);
  });

  it('slows a node: messages that reach it while slow wait extraDelayMs', () => {
    const scenario = quietScenario(1_000);
    scenario.faults.slow = { perSecond: certain, durationMs: { minMs: 100, maxMs: 100 }, extraDelayMs: { minMs: 30, maxMs: 30 }, tickFactor: 2 };
    const { events, log, result } = runProbe({ scenario, behaviour: pingEveryTick('all'), seed: 3 });
    const slows = eventsOf(events, 'slow');
    expect(slows.length).toBeGreaterThan(10);
    const slowAt = (node: NodeId, timeMs: number) => slows.some((slow) => slow.node === node && slow.t <= timeMs && timeMs < slow.t + 100);
    let held = 0;
    for (const delivery of log.deliveries()) {
      const arrivalMs = delivery.sentAtMs + 1;
      if (slows.some((slow) => slow.t === arrivalMs)) continue; // same instant as a slow: either way
      const expected = slowAt(delivery.to, arrivalMs) ? arrivalMs + 30 : arrivalMs;
      if (expected !== arrivalMs) held += 1;
      expect(delivery.atMs).toBe(expected);
    }
    expect(held).toBeGreaterThan(100);
    expect(withNote(events, 'held 30 ms: slow node').length).toBeGreaterThanOrEqual(held);
    expect(result.statistics.slowdowns).toBe(slows.length);
  });

  it('jumps clocks forward and backward by at most the configured size', () => {
    const scenario = quietScenario(2_000);
    scenario.clocks.jumpsPerSecond = certain;
    scenario.clocks.jumpMs = { minMs: -50, maxMs: 50 };
    const { events, log, result } = runProbe({ scenario, behaviour: {}, seed: 6 });
    const jumps = eventsOf(events, 'clockJump');
    expect(jumps.length).toBeGreaterThan(20);
    const sizes = jumps.map((jump) => Number(/^([+-]?\d+) ms$/.exec(jump.note!)![1]));
    for (const size of sizes) expect(Math.abs(size)).toBeLessThanOrEqual(50);
    expect(sizes.some((size) => size > 0)).toBe(true);
    expect(sizes.some((size) => size < 0)).toBe(true);
    // A forward jump of N ms is floor(N / 10) ticks handed over in the jump's own event.
    jumps.forEach((jump, index) => {
      if (sizes[index] <= 0) return;
      expect(log.inputsOf(jump.node!, 'tick').filter((entry) => entry.eventNumber === jump.n)).toHaveLength(Math.floor(sizes[index] / 10));
    });
    expect(result.statistics.clockJumps).toBe(jumps.length);
  });

  it('corrupts synced records when the scenario asks for unsafe faults', () => {
    const scenario = quietScenario(500);
    scenario.unsafeFaults = true;
    scenario.storage.corruptionsPerSecond = certain;
    const { events, result } = runProbe({ scenario, behaviour: writeOnTicks({ sync: () => true }), seed: 1 });
    const corruptions = eventsOf(events, 'corrupt');
    expect(corruptions.length).toBeGreaterThan(5);
    for (const corruption of corruptions) expect(corruption.note).toBe("corrupted: lost 1 synced record(s) (breaks Raft's assumptions)");
    expect(result.statistics.corruptions).toBe(corruptions.length);
  });
});

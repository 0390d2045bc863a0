// Swarm dimensions beyond the fault processes: the implementation's batch size and timers, and
// per-link timing. Each is a dimension the seed turns on or off; drawn values must keep a correct
// Raft live (heartbeats well inside election timeouts, randomized elections, slow links under a
// third of the shortest election timeout). Small batches make a lagging node's catch-up long, so
// the liveness bound grows with the backlog; a regression test runs the reference through it.

import { describe, expect, it } from 'vitest';
import type { ImplementationOptions } from '../../src/contract/contract.js';
import { runSeed } from '../../src/check/run.js';
import type { LinkOptions, Scenario } from '../../src/sim/scenario.js';
import { defaultScenario, livenessBoundMs } from '../../src/sim/scenario.js';
import { checkScenario } from '../../src/sim/scenarioSchema.js';
import type { SimulationOptions } from '../../src/sim/simulation.js';
import { eventsOf, quietScenario, runProbe, startProbe, withNote } from './probes.js';

/** Base options that no swarm draw gives, so that "off" is told apart from a drawn value. */
const baseImplementation: ImplementationOptions = { electionTicksMin: 20, electionTicksMax: 45, heartbeatTicks: 4, entriesPerMessageMax: 7 };
const baseLinks: LinkOptions[] = [{ from: 1, to: 2, dropProbability: 0.5 }];

function swarmScenario(durationMs = 1_000): Scenario {
  const scenario = quietScenario(durationMs);
  scenario.implementation = { ...baseImplementation };
  scenario.network.links = structuredClone(baseLinks);
  scenario.swarm = true;
  return scenario;
}

/** The scenario a swarm seed draws (drawn in the constructor, before any event). */
function drawn(seed: number, choices?: SimulationOptions['choices']): Scenario {
  return startProbe({ scenario: swarmScenario(), behaviour: {}, seed, ...(choices !== undefined ? { choices } : {}) }).simulation.scenario;
}

/** An empty choice sequence: every draw is 0, the calmest swarm run. */
const noChoices = [] as unknown as NonNullable<SimulationOptions['choices']>;

const seeds = Array.from({ length: 300 }, (_, index) => index + 1);
const drawnScenarios = seeds.map((seed) => ({ seed, scenario: drawn(seed) }));

const timersOn = (scenario: Scenario) =>
  scenario.implementation.electionTicksMin !== baseImplementation.electionTicksMin ||
  scenario.implementation.electionTicksMax !== baseImplementation.electionTicksMax ||
  scenario.implementation.heartbeatTicks !== baseImplementation.heartbeatTicks;
const batchOn = (scenario: Scenario) => scenario.implementation.entriesPerMessageMax !== baseImplementation.entriesPerMessageMax;
const linksOn = (scenario: Scenario) => scenario.network.links.length > baseLinks.length;

describe('swarm dimensions', () => {
  it('draws only scenarios that pass checkScenario', () => {
    for (const { seed, scenario } of drawnScenarios) expect(checkScenario(scenario), `seed ${seed}`).toEqual([]);
  });

  it('keeps heartbeats at most a third of the shortest election timeout', () => {
    for (const { seed, scenario } of drawnScenarios) {
      const { heartbeatTicks, electionTicksMin } = scenario.implementation;
      expect(heartbeatTicks, `seed ${seed}`).toBeLessThanOrEqual(electionTicksMin / 3);
    }
  });

  it('keeps drawn election timeouts randomized over a range at least half their minimum wide', () => {
    for (const { seed, scenario } of drawnScenarios.filter((entry) => timersOn(entry.scenario))) {
      const { electionTicksMin, electionTicksMax } = scenario.implementation;
      expect(electionTicksMax - electionTicksMin, `seed ${seed}`).toBeGreaterThanOrEqual(electionTicksMin / 2);
    }
  });

  it('draws a batch size of 1, 2 or 4 when the dimension is on, and keeps the base size when off', () => {
    for (const { seed, scenario } of drawnScenarios) {
      expect([1, 2, 4, baseImplementation.entriesPerMessageMax], `seed ${seed}`).toContain(scenario.implementation.entriesPerMessageMax);
    }
  });

  it('keeps every link override at or under the network delay or a third of the shortest election timeout', () => {
    for (const { seed, scenario } of drawnScenarios) {
      const slowMsMax = Math.max(scenario.network.delay.maxMs, (scenario.implementation.electionTicksMin * scenario.tickMs) / 3);
      for (const link of scenario.network.links) {
        expect(link.delay?.maxMs ?? 0, `seed ${seed}, link ${link.from}>${link.to}`).toBeLessThanOrEqual(slowMsMax);
      }
    }
  });

  it("keeps the base scenario's own link overrides ahead of the drawn ones", () => {
    for (const { seed, scenario } of drawnScenarios) expect(scenario.network.links.slice(0, baseLinks.length), `seed ${seed}`).toEqual(baseLinks);
  });

  it('sees each dimension both on and off across the seeds, and a batch size of 1', () => {
    for (const on of [timersOn, batchOn, linksOn]) {
      const count = drawnScenarios.filter((entry) => on(entry.scenario)).length;
      expect(count, on.name).toBeGreaterThan(0);
      expect(count, on.name).toBeLessThan(drawnScenarios.length);
    }
    expect(drawnScenarios.some((entry) => entry.scenario.implementation.entriesPerMessageMax === 1)).toBe(true);
  });

  it("leaves the implementation options and links as the base scenario's with an empty choice sequence", () => {
    const scenario = drawn(1, noChoices);
    expect(scenario.implementation).toEqual(baseImplementation);
    expect(scenario.network.links).toEqual(baseLinks);
  });

  it('draws every cluster size from 3 up to the base scenario\'s, keeping only links between nodes that exist', () => {
    const sizes = new Set(drawnScenarios.map((entry) => entry.scenario.nodes));
    expect([...sizes].sort()).toEqual([3, 4, 5]);
    for (const { seed, scenario } of drawnScenarios) {
      for (const link of scenario.network.links) expect(Math.max(link.from, link.to), `seed ${seed}`).toBeLessThanOrEqual(scenario.nodes);
      expect(scenario.faults.crash.downMax, `seed ${seed}`).toBeLessThanOrEqual(Math.floor((scenario.nodes - 1) / 2));
    }
  });

  it('keeps a three-node base scenario at three nodes, and draws the smallest cluster from an empty choice sequence', () => {
    const small = swarmScenario();
    small.nodes = 3;
    for (const seed of [1, 2, 3, 4, 5]) expect(startProbe({ scenario: small, behaviour: {}, seed }).simulation.scenario.nodes).toBe(3);
    expect(drawn(1, noChoices).nodes).toBe(3);
  });

  it('takes the same number of swarm draws whatever the outcomes, for one node count', () => {
    const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => runProbe({ scenario: swarmScenario(10), behaviour: {}, seed }).result);
    // The seeds differ in what they turned on, so equal counts are not a coincidence of outcomes.
    expect(new Set(runs.map((result) => linksOn(result.scenario))).size).toBe(2);
    expect(new Set(runs.map((result) => batchOn(result.scenario))).size).toBe(2);
    expect(new Set(runs.map((result) => result.scenario.nodes)).size).toBeGreaterThan(1);
    expect(new Set(runs.map((result) => result.choices.swarm.length)).size).toBe(1);
  });
});

describe('the liveness bound', () => {
  /** A scenario with a backlog to stream: 660 proposals over the 6000 ms fault phase. */
  function backlogScenario(): Scenario {
    const scenario = defaultScenario();
    scenario.workload.proposalsPerSecond = 110;
    scenario.durationMs = 6_000;
    return scenario;
  }

  it('equals the election part plus one round trip per batch of the backlog, on a hand-computed example', () => {
    const scenario = defaultScenario();
    scenario.durationMs = 2_000;
    scenario.tickMs = 10;
    scenario.liveness.electionTimeouts = 5;
    scenario.implementation = { electionTicksMin: 15, electionTicksMax: 30, heartbeatTicks: 3, entriesPerMessageMax: 4 };
    scenario.workload.proposalsPerSecond = 45.3;
    scenario.network.delay = { distribution: 'uniform', minMs: 1, maxMs: 12 };
    scenario.network.links = [{ from: 2, to: 3, delay: { distribution: 'uniform', minMs: 1, maxMs: 40 } }];
    // Elections: 5 * 30 ticks * 10 ms = 1500. Backlog: ceil(45.3 * 2) = 91 entries, in
    // ceil(91 / 4) = 23 batches of one round trip each: 2 * 40 + 3 ticks * 10 ms = 110 ms.
    expect(livenessBoundMs(scenario)).toBe(1_500 + 23 * 110);
  });

  it('grows when entriesPerMessageMax shrinks', () => {
    const bounds = [64, 4, 1].map((entriesPerMessageMax) => {
      const scenario = backlogScenario();
      scenario.implementation.entriesPerMessageMax = entriesPerMessageMax;
      return livenessBoundMs(scenario);
    });
    expect(bounds[1]).toBeGreaterThan(bounds[0]);
    expect(bounds[2]).toBeGreaterThan(bounds[1]);
  });

  it('grows when a link slower than the network delay is added', () => {
    const scenario = backlogScenario();
    const withSlowLink = backlogScenario();
    withSlowLink.network.links = [{ from: 1, to: 4, delay: { distribution: 'uniform', minMs: 1, maxMs: scenario.network.delay.maxMs + 30 } }];
    expect(livenessBoundMs(withSlowLink)).toBeGreaterThan(livenessBoundMs(scenario));
  });

  // Regression: with one-entry batches, the correct reference failed the liveness phase only for
  // being slow to stream a node that was down for most of the fault phase its backlog. The
  // allowance for that catch-up is what lets it pass; the recovery below takes longer than the
  // election part of the bound alone, so without the allowance these runs would fail.
  it('lets the correct reference stream a long backlog one entry per message to a node that was down', () => {
    const scenario = backlogScenario();
    scenario.implementation.entriesPerMessageMax = 1;
    scenario.faults.partition.perSecond = 0;
    // n5 goes down early and stays down until the liveness phase restarts it; random crashes too.
    scenario.schedule = [{ atMs: 300, action: 'crash', node: 5 }];
    const electionsMs = scenario.liveness.electionTimeouts * scenario.implementation.electionTicksMax * scenario.tickMs;
    for (const seed of [2, 3]) {
      const result = runSeed({ seed, scenario, recordEvents: true });
      const events = result.eventLog ?? [];
      expect(result.status, `seed ${seed}: ${result.violation?.message}`).toBe('ok');
      expect(result.statistics.crashes, `seed ${seed}`).toBeGreaterThan(1);
      // n5 missed the fault phase: no restart of it before the liveness phase.
      expect(eventsOf(events, 'restart').filter((event) => event.node === 5 && event.t < scenario.durationMs), `seed ${seed}`).toEqual([]);
      const [recovered] = withNote(events, 'recovered');
      expect(recovered.t - scenario.durationMs, `seed ${seed}`).toBeGreaterThan(electionsMs);
    }
  });
});

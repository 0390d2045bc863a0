// The liveness phase: after the fault phase every fault stops, the network heals, crashed nodes
// restart and paused ones resume; within a bound the cluster must elect one stable leader and
// apply a fresh probe command everywhere. A cluster that cannot is a liveness violation.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { Simulation } from '../../src/sim/simulation.js';
import { livenessBoundMs, livenessLeaderBoundMs } from '../../src/sim/scenario.js';
import { assertValid, crossLinks, eventsOf, fixedLeaderView, linksDelivered, pingEveryTick, quietScenario, runProbe, withNote } from './probes.js';

function livenessScenario(durationMs: number) {
  const scenario = quietScenario(durationMs);
  scenario.network.delay = { distribution: 'uniform', minMs: 1, maxMs: 12 };
  scenario.liveness.enabled = true;
  return scenario;
}

describe('the liveness phase', () => {
  it('ends ok once the reference implementation recovers from a majority partition', () => {
    const scenario = livenessScenario(2_000);
    scenario.schedule = [{ atMs: 500, action: 'partition', groups: [[1, 2], [3, 4, 5]] }];
    const simulation = new Simulation({ implementation: referenceImplementation(), scenario: assertValid(scenario), seed: 3, invariants: [], recordEvents: true });
    const result = simulation.run();
    const events = result.eventLog ?? [];
    expect(result.status).toBe('ok');
    expect(result.violation).toBeNull();
    expect(withNote(events, 'faults stop; liveness phase')).toMatchObject([{ t: 2_000, kind: 'recover' }]);
    const [recovered] = withNote(events, 'recovered');
    expect(recovered.kind).toBe('livenessCheck');
    expect(recovered.t).toBeGreaterThan(2_000);
    expect(recovered.t).toBeLessThanOrEqual(2_000 + livenessBoundMs(scenario));
    expect(result.simulatedMs).toBe(recovered.t);
    expect(eventsOf(events, 'propose').some((event) => event.note === 'liveness probe')).toBe(true);
  });

  it("ends with a liveness violation naming what was missing when no node ever leads", () => {
    const scenario = livenessScenario(500);
    const { result, events } = runProbe({ scenario, behaviour: fixedLeaderView(null) });
    expect(result.status).toBe('liveness');
    expect(result.violation).toMatchObject({ invariant: 'liveness', kind: 'liveness' });
    // Without a stable leader the run fails at the leader bound: the rest is for catching up only.
    expect(result.violation!.message).toContain(`did not recover within ${livenessLeaderBoundMs(scenario)} ms after the faults stopped`);
    expect(result.violation!.message).toContain('no leader');
    expect(result.violation!.message).toMatch(/probe command \d+ applied on no node of 5/);
    expect(result.violation!.evidence).toMatchObject({ leaders: [], missing: ['no leader', expect.stringMatching(/^probe command/)] });
    expect(result.simulatedMs).toBeGreaterThanOrEqual(500 + livenessLeaderBoundMs(scenario));
    expect(result.simulatedMs).toBeLessThanOrEqual(500 + livenessBoundMs(scenario));
    expect(withNote(events, 'recovered')).toEqual([]);
  });

  it('gives its verdict at the bound itself, even when the bound is not a whole number of check intervals', () => {
    // Checks come every 80 ms (half of 16 ticks); the bound is two election timeouts of 30 ticks,
    // 600 ms, between the checks at 560 and 640 ms. n3 hears nothing within the run (its inbound
    // links take a second), so the probe is never applied everywhere: the run must fail at 600 ms,
    // not end at the bound without a verdict.
    const scenario = livenessScenario(100);
    scenario.implementation = { ...scenario.implementation, electionTicksMin: 16, electionTicksMax: 30 };
    scenario.liveness.electionTimeouts = 2;
    const slow = { distribution: 'constant' as const, minMs: 1000, maxMs: 1000 };
    scenario.network.links = [1, 2, 4, 5].map((from) => ({ from, to: 3, delay: slow }));
    expect(livenessBoundMs(scenario) % 80).not.toBe(0);
    const result = new Simulation({ implementation: referenceImplementation(), scenario: assertValid(scenario), seed: 1, invariants: [] }).run();
    expect(result.status).toBe('liveness');
    expect(result.violation!.message).toContain(`did not recover within ${livenessBoundMs(scenario)} ms`);
    expect(result.simulatedMs).toBe(100 + livenessBoundMs(scenario));
  });

  it('restarts crashed nodes and resumes paused ones when the fault phase ends', () => {
    const scenario = livenessScenario(300);
    scenario.schedule = [
      { atMs: 100, action: 'crash', node: 1 },
      { atMs: 100, action: 'pause', node: 2 },
      { atMs: 100, action: 'isolate', node: 3 },
    ];
    const { log, events } = runProbe({ scenario, behaviour: pingEveryTick('all') });
    expect(log.inputsOf(1, 'start').map((entry) => entry.atMs)).toEqual([0, 300]);
    expect(log.inputsOf(2).some((entry) => entry.atMs === 300)).toBe(true);
    expect(eventsOf(events, 'recover')).toMatchObject([{ t: 300 }]);
    const afterRecovery = linksDelivered(log.deliveries(), 300, 600);
    expect(afterRecovery.size).toBe(20);
  });

  // Found as a bug in src/sim/simulation.ts and fixed; kept as a regression test.
  // liveness phase only refuses fault events scheduled after it begins; fault events queued
  // before it for later times still strike. A scheduled flap that starts inside the fault phase
  // but runs past its end (checkScenario only checks atMs <= durationMs), or a random flapping
  // partition drawn near the end, cuts the network again in the liveness phase, which
  // DESIGN/liveness.ts promise is calm. Reproduction: durationMs 1000, flap at 900 with 3
  // cycles of 100 ms partition + 100 ms heal: partitions at 1100 and 1300 ms strike after the
  // 'faults stop; liveness phase' event at 1000 ms. Fix: drop pending fault events in recover()
  // (queue.removeWhere) or check faultPhase when a fault event is processed.
  it('lets no fault strike after the fault phase ends, even one queued before', () => {
    const scenario = livenessScenario(1_000);
    scenario.schedule = [{ atMs: 900, action: 'flap', groups: [[1, 2], [3, 4, 5]], cycles: 3, partitionMs: 100, healMs: 100 }];
    const { events, log } = runProbe({ scenario, behaviour: pingEveryTick('all') });
    const [recover] = eventsOf(events, 'recover');
    expect(recover.t).toBe(1_000);
    const lateCuts = eventsOf(events, 'partition').filter((event) => event.t > recover.t);
    expect(lateCuts.map((event) => `${event.t} ms: ${event.note}`)).toEqual([]);
    // The network is whole in the liveness phase: every cross-group link carries messages.
    const delivered = linksDelivered(log.deliveries(), 1_100, 1_200);
    for (const item of crossLinks([[1, 2], [3, 4, 5]])) expect(delivered.has(item), item).toBe(true);
  });
});

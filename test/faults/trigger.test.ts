// The triggered nemesis: a leader crashes, or is cut off on a minority, right after a step in
// which its commit index advanced.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { Random, RecordingChoiceSource } from '../../src/core/random.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { drawSwarmScenario } from '../../src/sim/swarm.js';
import { Simulation } from '../../src/sim/simulation.js';
import { allInvariants } from '../../invariants/index.js';

function quietScenario(afterLeaderCommitProbability: number, partitionAfterLeaderCommitProbability = 0) {
  const scenario = defaultScenario();
  scenario.faults.crash.perSecond = 0;
  scenario.faults.partition.perSecond = 0;
  scenario.network.dropProbability = 0;
  scenario.faults.crash.afterLeaderCommitProbability = afterLeaderCommitProbability;
  scenario.faults.partition.afterLeaderCommitProbability = partitionAfterLeaderCommitProbability;
  scenario.durationMs = 2000;
  return scenario;
}

describe('crash after a leader commits', () => {
  it('crashes the leader in the very next event after its commit index advanced', () => {
    const simulation = new Simulation({ implementation: referenceImplementation(), scenario: quietScenario(1), seed: 4, invariants: allInvariants, recordEvents: true });
    const result = simulation.run();
    expect(result.status).toBe('ok');
    const log = result.eventLog ?? [];
    const crashIndex = log.findIndex((event) => event.kind === 'crash');
    expect(crashIndex).toBeGreaterThan(0);
    const crashed = log[crashIndex].node;
    // The event before the crash is the crashed node's step that advanced its commit index as leader.
    const previous = [...log.slice(0, crashIndex)].reverse().find((event) => event.node === crashed && event.commitIndex !== undefined);
    expect(previous).toBeDefined();
    expect(log[crashIndex - 1].node).toBe(crashed);
    expect(log[crashIndex - 1].commitIndex).toBeGreaterThan(0);
  });

  it('never crashes anyone with probability 0', () => {
    const result = new Simulation({ implementation: referenceImplementation(), scenario: quietScenario(0), seed: 4, invariants: allInvariants }).run();
    expect(result.statistics.crashes).toBe(0);
  });
});

describe('partition after a leader commits', () => {
  it('cuts the leader off on a minority in the very next event after its commit index advanced, and the correct reference stays safe and live', () => {
    const simulation = new Simulation({ implementation: referenceImplementation(), scenario: quietScenario(0, 1), seed: 4, invariants: allInvariants, recordEvents: true });
    const result = simulation.run();
    expect(result.status).toBe('ok');
    expect(result.statistics.crashes).toBe(0);
    const log = result.eventLog ?? [];
    const cutIndex = log.findIndex((event) => event.kind === 'partition');
    expect(cutIndex).toBeGreaterThan(0);
    const leader = log[cutIndex - 1].node;
    expect(log[cutIndex - 1].commitIndex).toBeGreaterThan(0);
    expect(log[cutIndex].note).toContain(`after n${leader}'s commit`);
    // A leader cut off stays cut off until the heal: the trigger does not pile cuts onto a cut network.
    const next = log.slice(cutIndex + 1).findIndex((event) => event.kind === 'partition' || event.kind === 'heal');
    expect(log[cutIndex + 1 + next].kind).toBe('heal');
  });

  it('never cuts anyone off with probability 0', () => {
    const result = new Simulation({ implementation: referenceImplementation(), scenario: quietScenario(0, 0), seed: 4, invariants: allInvariants }).run();
    expect(result.statistics.partitions).toBe(0);
  });
});

describe('the swarm draws the partition after a leader commits', () => {
  const draw = (base: Scenario, seed: number) => drawSwarmScenario(base, new Random(new RecordingChoiceSource(seed)), referenceImplementation()).faults.partition.afterLeaderCommitProbability;
  const swarm = loadScenario('swarm');
  const seeds = Array.from({ length: 400 }, (_, index) => index + 1);

  it('on about three seeds in four, between 0.2 and 1, and draws the same again from a scenario it drew', () => {
    const drawn = seeds.map((seed) => draw(swarm, seed)).filter((probability) => probability !== undefined);
    expect(drawn.length).toBeGreaterThan(260);
    expect(drawn.length).toBeLessThan(340);
    for (const probability of drawn) {
      expect(probability).toBeGreaterThanOrEqual(0.2);
      expect(probability).toBeLessThanOrEqual(1);
    }
    for (const seed of seeds.slice(0, 40)) {
      const once = drawSwarmScenario(swarm, new Random(new RecordingChoiceSource(seed)), referenceImplementation());
      expect(draw(once, seed), `seed ${seed}`).toBe(once.faults.partition.afterLeaderCommitProbability);
    }
  });

  it('never where the scenario gives none', () => {
    const without: Scenario = { ...swarm, faults: { ...swarm.faults, partition: { ...swarm.faults.partition, afterLeaderCommitProbability: 0 } } };
    expect(seeds.map((seed) => draw(without, seed)).filter((probability) => (probability ?? 0) > 0)).toEqual([]);
  });
});

// The triggered nemesis: a leader crashes right after a step in which its commit index advanced.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { Simulation } from '../../src/sim/simulation.js';
import { allInvariants } from '../../invariants/index.js';

function quietScenario(afterLeaderCommitProbability: number) {
  const scenario = defaultScenario();
  scenario.faults.crash.perSecond = 0;
  scenario.faults.partition.perSecond = 0;
  scenario.network.dropProbability = 0;
  scenario.faults.crash.afterLeaderCommitProbability = afterLeaderCommitProbability;
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

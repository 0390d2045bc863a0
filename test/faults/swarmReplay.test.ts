// A swarm trace records the scenario its seed drew (swarm still on), and replay draws again
// from that scenario with the same choices. The second draw must give the same world, cluster
// size included, or a trace of a three- or four-node seed would not replay to its hash.

import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { quietScenario } from './probes.js';

describe('replaying a swarm run from the scenario it drew', () => {
  it('draws the same cluster size, links and faults again, so the trace hash is the same', () => {
    const base = quietScenario(300);
    base.swarm = true;
    const sizes = new Set<number>();
    for (let seed = 1; seed <= 40; seed += 1) {
      const run = runSeed({ seed, scenario: base });
      sizes.add(run.scenario.nodes);
      const again = runSeed({ seed, scenario: run.scenario, choices: run.choices });
      expect(again.scenario.nodes, `seed ${seed}`).toBe(run.scenario.nodes);
      // The same draws in the same places, not a second draw that happens to agree.
      expect(again.choices.swarm, `seed ${seed} (${run.scenario.nodes} nodes)`).toEqual(run.choices.swarm);
      expect(again.traceHash, `seed ${seed} (${run.scenario.nodes} nodes)`).toBe(run.traceHash);
    }
    expect([...sizes].sort()).toEqual([3, 4, 5]);
  });

  it('replays shipped swarm seeds of every size', () => {
    const swarm = loadScenario('swarm');
    swarm.durationMs = 300;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const run = runSeed({ seed, scenario: swarm });
      expect(runSeed({ seed, scenario: run.scenario, choices: run.choices }).traceHash, `seed ${seed} (${run.scenario.nodes} nodes)`).toBe(run.traceHash);
    }
  });
});

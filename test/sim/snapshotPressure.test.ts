// Snapshot pressure (src/sim/snapshots.ts): the swarm draws small compaction thresholds, long
// downtimes and crashes right after snapshot writes for an implementation that lists 'snapshots',
// and nothing for one that does not; the shipped snapshot-catch-up scenario makes laggards catch up
// by InstallSnapshot and restarts start from snapshots, crashes striking right after snapshot writes.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { Random, RecordingChoiceSource } from '../../src/core/random.js';
import { drawSwarmScenario } from '../../src/sim/swarm.js';
import { Simulation } from '../../src/sim/simulation.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { allInvariants } from '../../invariants/index.js';

function swarmDraw(seed: number, features: readonly ('snapshots' | 'membership')[], scenario = 'swarm-snapshots') {
  return drawSwarmScenario(loadScenario(scenario), new Random(new RecordingChoiceSource(seed)), { features });
}

interface Counts {
  installs: number;
  restartsFromSnapshot: number;
  crashesAfterSnapshot: number;
}

/** Counts installs from a leader, restarts from a snapshot, and steps that wrote a snapshot and were followed by a crash. */
function counter(counts: Counts): InvariantDefinition {
  return {
    name: 'snapshot-counter',
    kind: 'safety',
    description: 'Counts; never fires.',
    create() {
      let wroteSnapshot = 0;
      return {
        name: 'snapshot-counter',
        fork() {
          return this;
        },
        afterStep({ change }) {
          if (change.snapshotInstalled !== undefined && !change.started) counts.installs += 1;
          if (change.snapshotInstalled !== undefined && change.started) counts.restartsFromSnapshot += 1;
          wroteSnapshot = !change.started && (change.snapshotInstalled !== undefined || change.snapshotTaken !== undefined) ? change.node : 0;
          return null;
        },
        afterCrash(node) {
          if (node === wroteSnapshot) counts.crashesAfterSnapshot += 1;
          return null;
        },
        audit() {
          return null;
        },
      };
    },
  };
}

describe('snapshot pressure', () => {
  it('is drawn by a swarm scenario that names snapshots (swarm-snapshots) on about half the seeds of an implementation that lists them, with small thresholds', () => {
    const thresholds = Array.from({ length: 40 }, (_, seed) => swarmDraw(seed + 1, ['snapshots']).implementation.snapshotEntriesThreshold);
    const drawn = thresholds.filter((threshold) => threshold !== undefined);
    expect(drawn.length).toBeGreaterThan(10);
    expect(drawn.length).toBeLessThan(30);
    expect(Math.min(...drawn)).toBeLessThanOrEqual(4);
    const withCrashes = Array.from({ length: 40 }, (_, seed) => swarmDraw(seed + 1, ['snapshots']).faults.crash.afterSnapshotProbability ?? 0);
    expect(withCrashes.filter((probability) => probability > 0).length).toBeGreaterThan(3);
  });

  it('is not drawn by a swarm scenario that does not name it (swarm-membership), nor for an implementation without snapshots', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      expect(swarmDraw(seed, ['snapshots'], 'swarm-membership')).toEqual({ ...swarmDraw(seed, [], 'swarm-membership') });
      expect(swarmDraw(seed, ['snapshots'], 'swarm-membership').implementation.snapshotEntriesThreshold).toBeUndefined();
      const scenario = swarmDraw(seed, []);
      expect(scenario.implementation.snapshotEntriesThreshold).toBeUndefined();
      expect(scenario.faults.crash.afterSnapshotProbability).toBeUndefined();
      // Drawn on a stream of its own: a seed that draws it off runs the same scenario as without the feature.
      const withFeature = swarmDraw(seed, ['snapshots']);
      if (withFeature.implementation.snapshotEntriesThreshold === undefined) expect(withFeature).toEqual(scenario);
    }
  });

  it('in the snapshot-catch-up scenario, makes laggards install snapshots, restarts start from them, and crashes strike right after snapshot writes', () => {
    const run = (afterSnapshotProbability: number): Counts => {
      const counts: Counts = { installs: 0, restartsFromSnapshot: 0, crashesAfterSnapshot: 0 };
      const scenario = loadScenario('snapshot-catch-up');
      scenario.faults.crash.afterSnapshotProbability = afterSnapshotProbability;
      for (let seed = 1; seed <= 6; seed += 1) {
        const result = new Simulation({ implementation: referenceImplementation(), scenario, seed, invariants: [...allInvariants, counter(counts)] }).run();
        expect(result.status, `seed ${seed}`).toBe('ok');
      }
      return counts;
    };
    const counts = run(loadScenario('snapshot-catch-up').faults.crash.afterSnapshotProbability!);
    expect(counts.installs).toBeGreaterThan(6);
    expect(counts.restartsFromSnapshot).toBeGreaterThan(6);
    // Random crashes rarely strike right after a snapshot write; the trigger does.
    expect(counts.crashesAfterSnapshot).toBeGreaterThan(run(0).crashesAfterSnapshot + 3);
  });
});

// No false alarms: the reference Raft, which keeps every rule the invariants check, runs through
// many seeds of the default scenario (crashes, restarts, isolations, loss, delay) with every
// invariant on, and no invariant may fire, neither after a step nor in the end-of-run audit.
// A counting probe, run beside the invariants, shows the runs were not idle.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import type { NodeId } from '../../src/core/ids.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { defaultClientOptions, defaultScenario } from '../../src/sim/scenario.js';
import type { SimulationResult } from '../../src/sim/simulation.js';
import { Simulation } from '../../src/sim/simulation.js';
import { allInvariants } from '../../invariants/index.js';

const seedCount = 150;
const snapshotSeedCount = 60;

interface Activity {
  /** Steps in which a node became leader (of a new term, or after a restart). */
  elections: number;
  /** Distinct terms that had a leader. */
  termsLed: Set<number>;
  /** Nodes that led at least once. */
  leaders: Set<NodeId>;
  /** Restarts seen by the checkers (start steps after the first one of each node). */
  restarts: number;
  steps: number;
  audits: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  /** Steps of a node whose mirror held its prefix only through an installed snapshot. */
  anchoredSteps: number;
}

function noActivity(): Activity {
  return { elections: 0, termsLed: new Set(), leaders: new Set(), restarts: 0, steps: 0, audits: 0, snapshotsTaken: 0, snapshotsInstalled: 0, anchoredSteps: 0 };
}

/** An "invariant" that never fires and only counts, so the test can tell the runs did something. */
function activityProbe(activity: Activity): InvariantDefinition {
  return {
    name: 'activity-probe',
    kind: 'safety',
    description: 'Counts elections and restarts; never fires.',
    create() {
      return {
        name: 'activity-probe',
        fork() {
          return this;
        },
        afterStep({ change, cluster }) {
          activity.steps += 1;
          const mirror = cluster.mirror(change.node);
          if (change.started && mirror.incarnation > 1) activity.restarts += 1;
          if (change.snapshotTaken !== undefined) activity.snapshotsTaken += 1;
          if (change.snapshotInstalled !== undefined && !change.started) activity.snapshotsInstalled += 1;
          if (mirror.anchorIndex > 0) activity.anchoredSteps += 1;
          const becameLeader = mirror.role === 'leader' && (change.previousRole !== 'leader' || change.previousTerm !== mirror.term);
          if (becameLeader) {
            activity.elections += 1;
            activity.termsLed.add(mirror.term);
            activity.leaders.add(change.node);
          }
          return null;
        },
        audit() {
          activity.audits += 1;
          return null;
        },
      };
    },
  };
}

describe('the invariants on runs of the reference Raft', () => {
  it(`raise no false alarm over ${seedCount} seeds of the default scenario, in runs that elect, commit and crash`, () => {
    const failures: string[] = [];
    const idleRuns: number[] = [];
    let crashes = 0;
    let restarts = 0;
    let entriesCommitted = 0;
    let elections = 0;
    let audits = 0;
    const leadersAcrossRuns = new Set<NodeId>();
    for (let seed = 1; seed <= seedCount; seed += 1) {
      const activity = noActivity();
      const result: SimulationResult = new Simulation({
        implementation: referenceImplementation(),
        scenario: defaultScenario(),
        seed,
        // The probe goes last, so it sees every step the real invariants saw.
        invariants: [...allInvariants, activityProbe(activity)],
      }).run();
      if (result.status !== 'ok') {
        // Print enough to rerun: the seed and the violation's own words.
        failures.push(`seed ${seed}: ${result.status}: ${result.violation?.invariant ?? ''} ${result.violation?.message ?? result.implementationError?.message ?? ''}`);
        continue;
      }
      if (activity.elections === 0 || result.statistics.entriesCommitted === 0) idleRuns.push(seed);
      crashes += result.statistics.crashes;
      restarts += activity.restarts;
      entriesCommitted += result.statistics.entriesCommitted;
      elections += activity.elections;
      audits += activity.audits;
      for (const leader of activity.leaders) leadersAcrossRuns.add(leader);
    }

    expect(failures).toEqual([]);
    // Every run elected a leader and committed entries; faults happened across the seeds.
    expect(idleRuns).toEqual([]);
    expect(elections).toBeGreaterThan(seedCount);
    expect(leadersAcrossRuns.size).toBe(defaultScenario().nodes);
    expect(entriesCommitted).toBeGreaterThan(seedCount * 10);
    expect(crashes).toBeGreaterThan(seedCount);
    expect(restarts).toBeGreaterThan(0);
    // Every run reached its end-of-run audit (the probe's audit runs after the invariants').
    expect(audits).toBe(seedCount);
  });

  it(`raise no false alarm over ${snapshotSeedCount} seeds with snapshots every 4 entries, in runs that take, install and restart from them`, () => {
    const failures: string[] = [];
    const total = noActivity();
    const scenario = defaultScenario();
    scenario.implementation.snapshotEntriesThreshold = 4;
    // Clients retry through crashes, so exactly-once must survive compaction (their sessions are in the snapshot).
    scenario.clients = defaultClientOptions();
    for (let seed = 1; seed <= snapshotSeedCount; seed += 1) {
      const activity = noActivity();
      const result = new Simulation({ implementation: referenceImplementation(), scenario, seed, invariants: [...allInvariants, activityProbe(activity)] }).run();
      if (result.status !== 'ok') {
        failures.push(`seed ${seed}: ${result.status}: ${result.violation?.invariant ?? ''} ${result.violation?.message ?? result.implementationError?.message ?? ''}`);
        continue;
      }
      total.snapshotsTaken += activity.snapshotsTaken;
      total.snapshotsInstalled += activity.snapshotsInstalled;
      total.anchoredSteps += activity.anchoredSteps;
      total.audits += activity.audits;
    }
    expect(failures).toEqual([]);
    expect(total.snapshotsTaken).toBeGreaterThan(snapshotSeedCount * 5);
    expect(total.snapshotsInstalled).toBeGreaterThan(snapshotSeedCount * 5);
    expect(total.anchoredSteps).toBeGreaterThan(0);
    expect(total.audits).toBe(snapshotSeedCount);
  });
});

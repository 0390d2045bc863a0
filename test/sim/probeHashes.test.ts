// A durability probe never touches the run (src/world/probes.ts): its shadow draws nothing, sends
// nothing and writes nothing. So 13 shipped scenarios, 20 seeds each, give the correct reference
// the same trace hash, the same events and the same verdict (ok: no promise broken) with probes on
// and off. The scenarios cover what a shadow's start reads: unsynced and torn writes, sync latency,
// snapshots, membership changes with spares, leadership transfer and lease reads.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';

const scenarios = [
  'default',
  'clients',
  'crash-loses-unsynced-writes',
  'repeated-leader-crash',
  'leader-crash-during-replication',
  'lossy-duplicating-reordering-network',
  'majority-minority-partition',
  'flapping-network',
  'clock-drift',
  'snapshot-catch-up',
  'membership-churn',
  'leader-transfer',
  'lease-reads-under-drift',
];

describe('durability probes leave every run as it is', () => {
  it.each(scenarios)('gives the same trace hashes on and off over 20 seeds of %s, and breaks no promise of the reference', (name) => {
    const scenario = loadScenario(name);
    const runs = (durabilityProbes: boolean) =>
      Array.from({ length: 20 }, (_, seed) => runSeed({ seed: seed + 1, implementation: referenceImplementation(), scenario: { ...scenario, durabilityProbes } }));
    const summary = (run: ReturnType<typeof runSeed>) => `${run.status} ${run.events} ${run.traceHash}`;
    const on = runs(true);
    expect(on.map(summary)).toEqual(runs(false).map(summary));
    expect(on.filter((run) => run.status !== 'ok')).toEqual([]);
  });
});

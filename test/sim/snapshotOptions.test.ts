// The scenario's snapshot threshold (implementation.snapshotEntriesThreshold, feature 'snapshots'):
// validated with the other implementation options, handed to an implementation that lists the
// feature, and left out for one that does not, which then runs exactly as without it.

import { describe, expect, it } from 'vitest';
import type { Implementation, ImplementationOptions } from '../../src/contract/contract.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { recordingStarts } from '../support/recordingStarts.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { parseScenario } from '../../src/sim/scenarioSchema.js';
import { Simulation } from '../../src/sim/simulation.js';
import { allInvariants } from '../../invariants/index.js';

const recording = recordingStarts;

function run(implementation: Implementation, threshold: number | undefined, seed = 3) {
  const scenario = defaultScenario();
  if (threshold !== undefined) scenario.implementation.snapshotEntriesThreshold = threshold;
  return new Simulation({ implementation, scenario, seed, invariants: allInvariants }).run();
}

describe('the snapshot threshold of a scenario', () => {
  it('is refused below 1 or when not a whole number, naming the field', () => {
    for (const threshold of [0, 2.5]) {
      const parsed = parseScenario({ implementation: { snapshotEntriesThreshold: threshold } }, 'test');
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.map((error) => error.path)).toContain('implementation.snapshotEntriesThreshold');
    }
    const parsed = parseScenario({ implementation: { snapshotEntriesThreshold: 8 } }, 'test');
    expect(parsed.ok && parsed.scenario.implementation).toMatchObject({ snapshotEntriesThreshold: 8, electionTicksMin: 15 });
  });

  it('is handed to an implementation that lists snapshots', () => {
    const starts: ImplementationOptions[] = [];
    expect(run(recording(['snapshots'], starts), 4).status).toBe('ok');
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.every((options) => options.snapshotEntriesThreshold === 4)).toBe(true);
  });

  it('is left out for an implementation that does not, which runs exactly as without it', () => {
    const starts: ImplementationOptions[] = [];
    const without = run(recording(undefined, starts), 4);
    expect(starts.every((options) => !('snapshotEntriesThreshold' in options))).toBe(true);
    expect(without.traceHash).toBe(run(recording(undefined, []), undefined).traceHash);
    expect(run(referenceImplementation(), 4).traceHash).not.toBe(without.traceHash);
  });
});

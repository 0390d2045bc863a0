// Determinism is the product: the same (implementation, scenario, seed) gives the same trace,
// byte for byte, in this process and in a fresh one; a recorded choice sequence replays the run
// without the seed; and the world can be re-created at any event with the same fingerprint.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { Simulation } from '../../src/sim/simulation.js';
import { allInvariants } from '../../invariants/index.js';
import type { Choices } from '../../src/core/random.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function simulation(seed: number, extra: { choices?: Choices; stopAfterEvent?: number } = {}) {
  return new Simulation({ implementation: referenceImplementation(), scenario: defaultScenario(), seed, invariants: allInvariants, ...extra });
}

describe('determinism', () => {
  it('gives the same trace hash and event log for the same seed twice in one process', () => {
    const first = runSeed({ seed: 42, recordEvents: true });
    const second = runSeed({ seed: 42, recordEvents: true });
    expect(second.traceHash).toBe(first.traceHash);
    expect(JSON.stringify(second.eventLog)).toBe(JSON.stringify(first.eventLog));
    expect(second.choices).toEqual(first.choices);
  });

  it('gives different traces for different seeds', () => {
    expect(runSeed({ seed: 1 }).traceHash).not.toBe(runSeed({ seed: 2 }).traceHash);
  });

  it('gives the same trace hash in two fresh processes', () => {
    // The built library (npm test builds first), so nothing is shared with this process.
    const script = `import('./dist/src/index.js').then((api) => {
      const hashes = [3, 17, 99].map((seed) => api.runSeed({ seed }).traceHash);
      process.stdout.write(hashes.join(','));
    })`;
    const runInFreshProcess = () => execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    const first = runInFreshProcess();
    const second = runInFreshProcess();
    expect(first).toMatch(/^[0-9a-f]{16},[0-9a-f]{16},[0-9a-f]{16}$/);
    expect(second).toBe(first);
    expect(first).toBe([3, 17, 99].map((seed) => runSeed({ seed }).traceHash).join(','));
  });

  it('replays a run from its choice sequence alone, without the seed', () => {
    const recorded = runSeed({ seed: 7 });
    const replayed = runSeed({ seed: 0, choices: recorded.choices });
    expect(replayed.traceHash).toBe(recorded.traceHash);
    expect(replayed.events).toBe(recorded.events);
  });

  it('treats a choice sequence that runs out as all-zero choices, still a valid run', () => {
    const recorded = runSeed({ seed: 7 });
    const truncated = runSeed({
      seed: 0,
      choices: Object.fromEntries(Object.entries(recorded.choices).map(([stream, sequence]) => [stream, sequence.slice(0, 20)])),
    });
    expect(truncated.status).toBe('ok');
    expect(truncated.events).toBeGreaterThan(0);
  });

  it('re-creates the world at any event: re-execution to event k gives the same fingerprint', () => {
    const full = simulation(11);
    const fingerprints = new Map<number, string>();
    const checkpoints = new Set([1, 10, 250, 1000, 3000]);
    while (full.step()) {
      if (checkpoints.has(full.eventsProcessed)) fingerprints.set(full.eventsProcessed, full.fingerprint());
    }
    expect(fingerprints.size).toBe(checkpoints.size);
    const recorded = full.result().choices;
    for (const [eventNumber, fingerprint] of fingerprints) {
      const fromSeed = simulation(11, { stopAfterEvent: eventNumber });
      fromSeed.run();
      expect(fromSeed.eventsProcessed).toBe(eventNumber);
      expect(fromSeed.fingerprint()).toBe(fingerprint);
      const fromChoices = simulation(0, { choices: recorded, stopAfterEvent: eventNumber });
      fromChoices.run();
      expect(fromChoices.fingerprint()).toBe(fingerprint);
    }
  });

  it('gives different fingerprints to different worlds', () => {
    const early = simulation(11, { stopAfterEvent: 100 });
    early.run();
    const later = simulation(11, { stopAfterEvent: 101 });
    later.run();
    expect(early.fingerprint()).not.toBe(later.fingerprint());
  });
});

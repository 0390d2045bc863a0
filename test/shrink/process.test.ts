// A failure of a program over the process protocol shrinks as the same failure in process does:
// through the choice stage and the step stage (the explorer's replay drives a program with one
// input per step and a bounded number of live processes), to the same length. The program is the
// reference itself (dist/src/adapters/referenceProcess.js, built by npm run build), which runs
// over the protocol with the trace hashes it has in process.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeProcessHost } from '../../src/adapters/process/host.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { loadImplementation } from '../../src/check/implementations.js';
import { runSeed } from '../../src/check/run.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import { replayTrace } from '../../src/check/traces.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugByName, bugsFromNames } from '../../src/raft/bugs.js';
import { defaultScenario, resizeScenario, shortenScenario } from '../../src/sim/scenario.js';
import { exploreTraceFormatVersion } from '../../src/sim/trace.js';
import { root } from '../support/cli.js';

afterAll(() => closeProcessHost());

// As test/shrink/steps.test.ts: three nodes, three seconds of the default faults, and a budget of
// candidate runs (not seconds) that the in-process shrink ends within at a fixpoint.
const scenario = resizeScenario(shortenScenario(defaultScenario(), 3000), 3);
const budget = { runsMax: 400, timeBudgetMs: 600_000 };

/** The first seed whose run fails by the invariant the catalog names for the bug. */
function firstFailingSeed(bug: BugName): number {
  const implementation = referenceImplementation(bugsFromNames([bug]));
  for (let seed = 1; seed <= 100; seed += 1) if (runSeed({ seed, implementation, scenario }).violation?.invariant === bugByName(bug)!.invariant) return seed;
  throw new Error(`${bug}: no failing seed in 100`);
}

// Measured on a loaded 2-core machine: term-rollback (seed 3) 473 -> 4 events in 314 runs both
// ways, 1 s in process and 11 s over the protocol; truncate-on-stale-append (seed 2) 1596 -> 10 in
// 391 runs both ways, 4 s and 51 s (too slow to test here).
describe('a term-rollback failure of the reference run as a program', () => {
  const bug: BugName = 'term-rollback';
  it('shrinks through both stages to a fixpoint, within 1.5x of the same failure shrunk in process', async () => {
    const seed = firstFailingSeed(bug);
    const inProcess = referenceImplementation(bugsFromNames([bug]));
    // Loaded as --impl process:... loads it, so that the shrink knows it for a program.
    const program = await loadImplementation({
      name: `process:${bug}`,
      source: { kind: 'process', command: process.execPath, args: [join(root, 'dist/src/adapters/referenceProcess.js'), '--bug', bug], cwd: root },
    });
    const shrunk = (implementation: typeof inProcess) => {
      const run = runSeed({ seed, implementation, scenario });
      return shrinkToTrace({ implementation, scenario, choices: run.choices, seed, ...budget });
    };
    const reference = shrunk(inProcess);
    const overProtocol = shrunk(program);
    expect(overProtocol.shrink.passes.find((pass) => pass.pass === 'steps')?.improvements).toBeGreaterThan(0);
    expect(overProtocol.trace.formatVersion).toBe(exploreTraceFormatVersion);
    expect(overProtocol.shrink.stoppedBy).toBe('fixpoint');
    expect(overProtocol.shrink.eventsAfter).toBeLessThanOrEqual(1.5 * reference.shrink.eventsAfter);
    expect(overProtocol.shrink.result.violation?.invariant).toBe(reference.shrink.result.violation?.invariant);
    const replay = replayTrace(overProtocol.trace, program);
    expect(replay.matches).toBe(true);
  });
});

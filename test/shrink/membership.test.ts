// Both shrinkers on a run with membership churn (feature 'membership'): a failure found while the
// administrator adds spares and removes voters shrinks by its choices, then is lifted into explicit
// steps (the spares' starts, the accepted changes, the silent ticks that a removed server's guard
// reads) and shrunk by its steps, to an explore path that replays to the same violation.

import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { withStrategy } from '../../src/check/options.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import { replayTrace } from '../../src/check/traces.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { liftRun } from '../../src/shrink/lift.js';
import { exploreInfoOf, replayExplorePath } from '../../src/shrink/paths.js';
import { exploreTraceFormatVersion } from '../../src/sim/trace.js';

const bug = 'count-stale-votes';
const implementation = referenceImplementation(bugsFromNames([bug]));
const scenario = withStrategy(loadScenario('membership-churn'), undefined);
/** A seed of membership-churn where count-stale-votes breaks configuration safety (one of two in seeds 1 to 400 since the waits between changes grow with their choice, 2026-12-06; the other, 304, runs 2,866 events). */
const seed = 390;

describe('shrinking a failure under membership churn', () => {
  it('lifts the run with its joins and accepted changes, re-executed with the same trace hash', () => {
    const run = runSeed({ seed, implementation, scenario });
    const lifted = liftRun({ implementation, scenario, invariants: allInvariants, choices: run.choices });
    expect(lifted.run.traceHash).toBe(run.traceHash);
    expect(lifted.spares).toBe(3);
    expect(lifted.steps.some((step) => step.kind === 'join')).toBe(true);
    expect(lifted.steps.some((step) => step.kind === 'changeMembership')).toBe(true);
  });

  it('shrinks by choices and steps to an explore path with a change (a step, or in the records a cut path begins from) that replays to the same violation', () => {
    const run = runSeed({ seed, implementation, scenario });
    expect(run.violation?.invariant).toBe('configuration-safety');

    const { shrink, trace } = shrinkToTrace({ implementation, scenario, choices: run.choices, seed, bugs: [bug], runsMax: 3000, timeBudgetMs: 600_000 });
    expect(shrink.passes.map((pass) => pass.pass)).toContain('steps');
    expect(trace.formatVersion).toBe(exploreTraceFormatVersion);
    expect(shrink.eventsAfter).toBeLessThanOrEqual(12);
    const info = exploreInfoOf(trace);
    if (typeof info === 'string') throw new Error(info);
    expect(info.spares).toBe(3);
    // The change is a step of the path, or, where the shrink cut the path, in the durable records
    // it begins from (the reference's entries carry their configuration changes).
    const changeInStart = info.start !== undefined && JSON.stringify(info.start.nodes).includes('"change"');
    expect(info.steps.some((step) => step.kind === 'changeMembership') || changeInStart).toBe(true);

    const replay = replayTrace(trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('configuration-safety');
    const explored = replayExplorePath(implementation, info, allInvariants);
    expect('error' in explored ? explored.error : explored.violation?.invariant).toBe('configuration-safety');
  });
});

// Both shrinkers on a failure found through leadership transfers (feature 'leadershipTransfer'),
// with pre-vote or check-quorum on: it shrinks by its choices, then is lifted into explicit steps
// (the accepted transfers, and the silent ticks that pre-vote and check-quorum read) and shrunk
// by its steps, to an explore path that replays to the same violation.

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

const bug = 'transfer-to-lagging-node';
const implementation = referenceImplementation(bugsFromNames([bug]));
const scenario = withStrategy(loadScenario('leader-transfer'), undefined);
const seed = 1;

describe('shrinking a failure found through a leadership transfer', () => {
  it('lifts the run with its accepted transfers and, pre-vote and check-quorum being on, its silent ticks', () => {
    const run = runSeed({ seed, implementation, scenario });
    expect(run.violation?.invariant).toBe('leadership-transfer');
    const lifted = liftRun({ implementation, scenario, invariants: allInvariants, choices: run.choices });
    expect(lifted.run.traceHash).toBe(run.traceHash);
    expect(lifted.steps.some((step) => step.kind === 'transferLeadership')).toBe(true);
    expect(lifted.steps.some((step) => step.kind === 'tick')).toBe(true);
    const withoutFeatures = { ...scenario, implementation: { ...scenario.implementation, preVote: false, checkQuorum: false } };
    const plain = runSeed({ seed, implementation, scenario: withoutFeatures });
    expect(liftRun({ implementation, scenario: withoutFeatures, invariants: allInvariants, choices: plain.choices }).steps.some((step) => step.kind === 'tick')).toBe(false);
  });

  it('shrinks by choices and steps to an explore path with the transfer, which replays to the same violation', () => {
    const run = runSeed({ seed, implementation, scenario });
    const { shrink, trace } = shrinkToTrace({ implementation, scenario, choices: run.choices, seed, bugs: [bug], runsMax: 800, timeBudgetMs: 600_000 });
    expect(shrink.passes.map((pass) => pass.pass)).toContain('steps');
    expect(trace.formatVersion).toBe(exploreTraceFormatVersion);
    const info = exploreInfoOf(trace);
    if (typeof info === 'string') throw new Error(info);
    expect(info.steps.some((step) => step.kind === 'transferLeadership')).toBe(true);
    expect(shrink.eventsAfter).toBeLessThanOrEqual(18);

    const replay = replayTrace(trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('leadership-transfer');
    const explored = replayExplorePath(implementation, info, allInvariants);
    expect('error' in explored ? explored.error : explored.violation?.invariant).toBe('leadership-transfer');
  });
});

// Both shrinkers on a run with snapshots (feature 'snapshots'): a failure found under snapshot
// pressure (a corpus bug in the snapshot-catch-up scenario, whose nodes compact every 4 entries
// and install snapshots) shrinks by its choices and then by its steps, through the one world,
// to a trace that still compacts (after every entry, where that still fails) and replays to the
// same violation.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { withStrategy } from '../../src/check/options.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import { replayTrace } from '../../src/check/traces.js';
import { bugsFromNames } from '../../src/raft/bugs.js';

describe('shrinking a failure under snapshot pressure', () => {
  it('shrinks by choices and steps to a trace that still compacts and replays to the same violation', () => {
    const bug = 'vote-without-log-check';
    const implementation = referenceImplementation(bugsFromNames([bug]));
    const scenario = withStrategy(loadScenario('snapshot-catch-up'), undefined);
    let seed = 1;
    let run = runSeed({ seed, implementation, scenario });
    while (run.status !== 'safety' && seed < 40) run = runSeed({ seed: ++seed, implementation, scenario });
    expect(run.status).toBe('safety');

    const { shrink, trace } = shrinkToTrace({ implementation, scenario, choices: run.choices, seed, bugs: [bug], runsMax: 1500, timeBudgetMs: 600_000 });
    expect(shrink.eventsAfter).toBeLessThan(run.events);
    expect(shrink.passes.reduce((sum, pass) => sum + pass.improvements, 0)).toBeGreaterThan(0);
    // The step stage may compact sooner than the scenario's 4 entries (simpler options), never not at all.
    expect(trace.scenario.implementation.snapshotEntriesThreshold).toBeGreaterThanOrEqual(1);
    expect(trace.scenario.implementation.snapshotEntriesThreshold).toBeLessThanOrEqual(4);
    const replay = replayTrace(trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe(run.violation?.invariant);
  });
});

// Shrinking: a failing run becomes a smaller run that fails the same way, deterministically, and
// whose trace replays to the same violation and trace hash.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import { replayTrace } from '../../src/check/traces.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { parseTrace } from '../../src/sim/trace.js';
import { failureSignature, shrink, ShrinkError } from '../../src/shrink/shrink.js';
import { allInvariants } from '../../invariants/index.js';

const bug = 'vote-without-log-check';
const implementation = referenceImplementation(bugsFromNames([bug]));
const scenario = defaultScenario();
const [failure] = runCampaign({ seeds: seedRange(1, 50), implementation, scenario, failuresMax: 1 }).failures;
// A deterministic budget (runs, not seconds), so the result cannot depend on the machine.
const budget = { runsMax: 600, timeBudgetMs: 600_000 };

describe('shrink', () => {
  it('finds a failing seed to start from', () => {
    expect(failure.run.violation?.invariant).toBe('leader-completeness');
  });

  it('returns a run with fewer events that fails the same invariant', () => {
    const result = shrink({ implementation, scenario, invariants: allInvariants, choices: failure.run.choices }, budget);
    expect(result.signature).toBe(failureSignature(failure.run));
    expect(failureSignature(result.result)).toBe(result.signature);
    expect(result.eventsBefore).toBe(failure.run.events);
    expect(result.eventsAfter).toBeLessThan(result.eventsBefore);
    expect(result.result.events).toBe(result.eventsAfter);
    expect(result.passes.some((pass) => pass.improvements > 0)).toBe(true);
  });

  it('is deterministic: the same failure and budget shrink to the same choices', () => {
    const first = shrink({ implementation, scenario, invariants: allInvariants, choices: failure.run.choices }, budget);
    const second = shrink({ implementation, scenario, invariants: allInvariants, choices: failure.run.choices }, budget);
    expect(second.choices).toEqual(first.choices);
    expect(second.result.traceHash).toBe(first.result.traceHash);
    expect(second.runs).toBe(first.runs);
  });

  it('stops at its run budget and says so', () => {
    const result = shrink({ implementation, scenario, invariants: allInvariants, choices: failure.run.choices }, { runsMax: 20 });
    expect(result.runs).toBeLessThanOrEqual(20);
    expect(result.stoppedBy).toBe('runs');
  });

  it('refuses a run that does not fail', () => {
    const reference = referenceImplementation();
    const passing = runSeed({ seed: 1, implementation: reference, scenario });
    expect(passing.status).toBe('ok');
    expect(() => shrink({ implementation: reference, scenario, invariants: allInvariants, choices: passing.choices }, budget)).toThrow(ShrinkError);
  });

  it('finds the all-zero choice sequence a passing run of the reference (no artefact failure to shrink toward)', () => {
    expect(runSeed({ seed: 0, implementation: referenceImplementation(), scenario, choices: {} }).status).toBe('ok');
  });

  it('writes a trace that replays the same violation and trace hash bit for bit', () => {
    const { shrink: result, trace } = shrinkToTrace({ implementation, scenario, choices: failure.run.choices, seed: failure.seed, bugs: [bug], ...budget });
    const parsed = parseTrace(JSON.stringify(trace));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.trace.shrink).toMatchObject({ eventsBefore: failure.run.events, eventsAfter: result.eventsAfter });
    expect(parsed.trace.events).toHaveLength(result.eventsAfter);
    const replay = replayTrace(parsed.trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.traceHash).toBe(result.result.traceHash);
    expect(replay.run.violation?.invariant).toBe(failure.run.violation?.invariant);
    expect(replay.run.violation?.message).toBe(result.result.violation?.message);
  });
});

// Shrinking in two stages: after the choice sequences, the failing run is lifted into explicit
// explorer steps (every delivery, timer firing, crash, restart and proposal a step; silent ticks
// vanish) and the steps are ddmin'd, then searched for a shorter path. The trace written is then
// an explore trace, which replays through `raftcheck replay`'s own code to the same violation
// and trace hash, and is about as short as the hand-written minimal scenario of the bug.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkExploreTrace, shrinkToTrace } from '../../src/check/shrinkRun.js';
import { replayTrace } from '../../src/check/traces.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import { defaultExploreBounds, explore } from '../../src/explore/search.js';
import { exploreTraceOf, replayExplorePath } from '../../src/shrink/paths.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugByName, bugsFromNames } from '../../src/raft/bugs.js';
import { defaultScenario, resizeScenario, shortenScenario } from '../../src/sim/scenario.js';
import { exploreTraceFormatVersion, parseTrace } from '../../src/sim/trace.js';
import { liftRun } from '../../src/shrink/lift.js';
import { shrinkSteps } from '../../src/shrink/steps.js';
import type { Implementation } from '../../src/contract/contract.js';
import { failsAs, failureSignatures, keptFailureNote } from '../../src/shrink/shrink.js';
import { allInvariants } from '../../invariants/index.js';
import { assertNoViolationAfterRandomRemoval } from '../support/removal.js';
import { swarmBeforeLeadership, swarmFailure, swarmWithoutFeatures } from '../support/swarmFailure.js';
import { allMinimalScenarios, minimalScenarios } from '../bugs/minimalScenarios.js';

// Three nodes and three seconds of the default faults: failing runs of a few hundred to a few
// thousand events, so that both stages finish in seconds.
const scenario = resizeScenario(shortenScenario(defaultScenario(), 3000), 3);
// A deterministic budget (candidate runs, not seconds), so the result cannot depend on the machine.
const budget = { runsMax: 400, timeBudgetMs: 600_000 };

/** The first seed of the scenario whose run fails by the invariant the catalog names for the bug. */
function firstFailure(bug: BugName) {
  const implementation = referenceImplementation(bugsFromNames([bug]));
  const invariant = bugByName(bug)!.invariant;
  for (let seed = 1; seed <= 100; seed += 1) {
    const run = runSeed({ seed, implementation, scenario });
    if (run.violation?.invariant === invariant) return { implementation, seed, run };
  }
  throw new Error(`${bug}: no run failing ${invariant} in 100 seeds`);
}

const handMinimalEvents = (bug: BugName) => minimalScenarios.find((entry) => entry.bug === bug)!.events;

describe.each(['term-rollback', 'vote-without-log-check', 'truncate-on-stale-append'] as const)('shrinking a %s failure', (bug) => {
  it('writes an explore trace of at most 1.5x the hand-written minimal events, which replays to the same violation and trace hash', () => {
    const { implementation, seed, run } = firstFailure(bug);
    const { shrink, trace } = shrinkToTrace({ implementation, scenario, choices: run.choices, seed, bugs: [bug], ...budget });
    expect(shrink.passes.find((pass) => pass.pass === 'steps')?.improvements).toBeGreaterThan(0);
    expect(trace.formatVersion).toBe(exploreTraceFormatVersion);
    expect(trace.events).toHaveLength(shrink.eventsAfter);
    expect(shrink.eventsAfter).toBeLessThanOrEqual(1.5 * handMinimalEvents(bug));

    const parsed = parseTrace(JSON.stringify(trace));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const replay = replayTrace(parsed.trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.traceHash).toBe(shrink.result.traceHash);
    expect(replay.run.violation?.invariant).toBe(run.violation?.invariant);
    expect(replay.run.events).toBe(shrink.eventsAfter);
  });
});

describe('the drop-nodes pass', () => {
  it('moves a five-node failure to three nodes, as a hand-written reproduction would have it', () => {
    const bug = 'accept-old-term-append';
    // Seed 1 of the swarm before issue 18's features (on today's swarm it passes).
    const failure = swarmFailure(bug, 1, swarmBeforeLeadership);
    expect(failure.run.scenario.nodes).toBe(5);
    expect(failure.run.violation?.invariant).toBe('state-machine-safety');
    const { shrink, trace } = failure.shrink(2500);
    expect(trace.formatVersion).toBe(exploreTraceFormatVersion);
    expect(trace.scenario.nodes).toBe(3);
    expect(shrink.eventsAfter).toBeLessThanOrEqual(1.5 * handMinimalEvents(bug));
    const replay = replayTrace(trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('state-machine-safety');
  });
});

// Pinned on the swarm without membership and snapshots: with them, this bug's early swarm seeds
// fail configuration-safety (a "majority" of duplicates in a changed configuration) instead.
describe('a duplicated vote counted twice (count-stale-votes, seed 35 of the swarm without membership and snapshots)', () => {
  it('shrinks to at most 1.5x the hand-written form of the invariant it fails, leader-completeness', () => {
    const bug = 'count-stale-votes';
    const failure = swarmFailure(bug, 35, swarmWithoutFeatures);
    expect(failure.run.violation?.invariant).toBe('leader-completeness');
    const form = allMinimalScenarios.find((entry) => entry.bug === bug && entry.invariant === 'leader-completeness')!;
    const { shrink, trace } = failure.shrink(7000);
    expect(shrink.result.violation?.invariant).toBe('leader-completeness');
    expect(shrink.eventsAfter).toBeLessThanOrEqual(1.5 * form.events);
    expect(replayTrace(trace).matches).toBe(true);
  });
});

describe('a step that violates two invariants at once', () => {
  const bug = 'term-rollback';
  // Swarm seed 1 (before issue 18's features): a stale AppendEntries drags n1 back to term 7 and,
  // in the same step, its entries overwrite the committed entry 407. The registry names
  // state-machine-safety first.
  const failure = swarmFailure(bug, 1, swarmBeforeLeadership);
  const run = failure.run;

  it('reports the first in registry order and names the other', () => {
    expect(run.violation?.invariant).toBe('state-machine-safety');
    expect(run.violation?.alsoViolated).toEqual(['monotonic-term']);
    expect(failureSignatures(run)).toEqual(['safety:state-machine-safety', 'safety:monotonic-term']);
  });

  it('is one failure to the shrinker, which may keep either: here the rollback alone, as short as the hand-written one', () => {
    const { shrink, trace } = failure.shrink(2500);
    expect(shrink.signature).toBe('safety:state-machine-safety');
    expect(shrink.result.violation?.invariant).toBe('monotonic-term');
    expect(shrink.eventsAfter).toBeLessThanOrEqual(1.5 * handMinimalEvents(bug));
    expect(keptFailureNote(shrink)).toContain('the shrunk trace shows monotonic-term');
    const replay = replayTrace(trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('monotonic-term');
  });

  it('still refuses an invariant the failing step did not violate', () => {
    const signatures = failureSignatures(run);
    const other = { status: 'safety' as const, violation: { ...run.violation!, invariant: 'election-safety', alsoViolated: undefined } };
    expect(failsAs(other, signatures)).toBe(false);
    expect(failsAs({ ...other, violation: { ...other.violation, invariant: 'monotonic-term' } }, signatures)).toBe(true);
    expect(failsAs({ status: 'liveness', violation: { ...other.violation, invariant: 'monotonic-term' } }, signatures)).toBe(false);
  });
});

describe('the step stage\'s candidates', () => {
  it('are each replayed once, in one transition system from one initial world: nodes start far less often than candidates run', () => {
    const { implementation, run } = firstFailure('term-rollback');
    let created = 0;
    const counting: Implementation = { ...implementation, createNode: () => ((created += 1), implementation.createNode()) };
    const lifted = liftRun({ implementation, scenario: run.scenario, invariants: allInvariants, choices: run.choices });
    const path = { nodes: lifted.run.scenario.nodes, implementationOptions: lifted.run.scenario.implementation, steps: lifted.steps };
    const shrunk = shrinkSteps(counting, path, { signatures: failureSignatures(lifted.run), invariants: allInvariants, runsMax: 300, timeBudgetMs: 600_000 });
    expect(shrunk?.steps.length).toBeLessThanOrEqual(1.5 * handMinimalEvents('term-rollback'));
    // A replay per candidate from a fresh cluster would start every node for each one.
    expect(shrunk!.runs).toBeGreaterThan(20);
    expect(created).toBeLessThan(shrunk!.runs / 2);
  });
});

describe('duplicated messages in explore paths', () => {
  const duplicating = shortenScenario(loadScenario('lossy-duplicating-reordering-network'), 1500);
  const implementation = referenceImplementation();
  const lifted = [1, 2].map((seed) => liftRun({ implementation, scenario: duplicating, invariants: allInvariants, choices: runSeed({ seed, implementation, scenario: duplicating }).choices }));
  const pathOf = (index: number) => ({ nodes: lifted[index].run.scenario.nodes, implementationOptions: lifted[index].run.scenario.implementation });

  it('lifts the second copy of a duplicated message as a duplicate step, and the path replays step for step', () => {
    for (const [index, { steps }] of lifted.entries()) {
      expect(steps.some((step) => step.kind === 'duplicate')).toBe(true);
      const replay = replayExplorePath(implementation, { ...pathOf(index), steps }, allInvariants);
      if ('error' in replay) throw new Error(replay.error);
      expect(replay.status).toBe('ok');
    }
  });

  it('refuses a duplicate of a message the path never delivered (a forgery, not a fault)', () => {
    const { steps } = lifted[0];
    const first = steps.findIndex((step) => step.kind === 'duplicate');
    const original = steps.findIndex((step) => step.kind === 'deliver' && JSON.stringify(step) === JSON.stringify({ ...steps[first], kind: 'deliver' }));
    expect(original).toBeGreaterThanOrEqual(0);
    const forged = steps.filter((_, index) => index !== original);
    const replay = replayExplorePath(implementation, { ...pathOf(0), steps: forged.slice(0, first) }, allInvariants);
    expect(replay).toEqual({ error: expect.stringContaining('(duplicate) is not possible') });
  });

  it('never fail on the correct reference when steps are removed at random', () => {
    assertNoViolationAfterRandomRemoval(implementation, lifted.map(({ steps }, index) => ({ ...pathOf(index), steps })), { numRuns: 30, seed: 7 });
  });
});

describe('lifting a run into explore steps', () => {
  it('re-executes the run bit for bit: the wrapped nodes only watch', () => {
    const { implementation, run } = firstFailure('vote-without-log-check');
    const lifted = liftRun({ implementation, scenario, invariants: allInvariants, choices: run.choices });
    expect(lifted.run.traceHash).toBe(run.traceHash);
    expect(lifted.run.events).toBe(run.events);
  });

  it('drops the silent ticks: far fewer steps than events, and none of them a tick that showed nothing', () => {
    const { implementation, seed, run } = firstFailure('vote-without-log-check');
    const { steps } = liftRun({ implementation, scenario, invariants: allInvariants, choices: run.choices });
    const ticks = runSeed({ seed, implementation, scenario, choices: run.choices, recordEvents: true }).eventLog!.filter((event) => event.kind === 'tick').length;
    expect(steps.filter((step) => step.kind === 'timeout').length).toBeLessThan(ticks / 4);
    expect(steps.length).toBeLessThan(run.events);
  });
});

describe('shrinking an explore trace', () => {
  it('shrinks the path of a random walk by its steps alone, to a trace that replays bit for bit', () => {
    const bug = 'vote-without-log-check';
    const implementation = referenceImplementation(bugsFromNames([bug]));
    const explored = explore({
      implementation,
      nodes: 3,
      strategy: 'random',
      bounds: { ...defaultExploreBounds, depthMax: 60, termMax: 6 },
      implementationOptions: exploreImplementationOptions,
      symmetry: true,
      clone: true,
      seed: 1,
      walksMax: 2000,
      pctDepth: 3,
    });
    const walk = exploreTraceOf(explored, { implementation, invariants: allInvariants, bugs: [bug], nodes: 3, implementationOptions: exploreImplementationOptions, bounds: {} })!.trace;
    const { shrink, trace } = shrinkExploreTrace(walk, { implementation, runsMax: 300, timeBudgetMs: 600_000 });
    expect(shrink.eventsAfter).toBeLessThan(walk.events.length / 2);
    expect(shrink.passes).toEqual([expect.objectContaining({ pass: 'steps' })]);
    const replay = replayTrace(trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe(walk.result.violation?.invariant);
  });
});

describe('the two-stage shrink', () => {
  it('is deterministic: the same failure and budget give byte-identical traces (but for the wall time spent)', () => {
    const { implementation, seed, run } = firstFailure('term-rollback');
    const shrunk = () => {
      const { trace } = shrinkToTrace({ implementation, scenario, choices: run.choices, seed, bugs: ['term-rollback'], ...budget });
      return JSON.stringify({ ...trace, shrink: { ...trace.shrink, wallMs: 0 } });
    };
    expect(shrunk()).toBe(shrunk());
  });

});

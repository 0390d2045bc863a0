// Shrinking a liveness failure: a cluster that never settles on a leader, or never applies the
// probe. Its events are mostly the liveness phase's ticks, so the scenario pass cuts the cluster,
// the fault phase, the timers and the liveness bound. Every cut that shortens a liveness trace
// also makes recovery harder for any Raft, so two checks keep a shrunk trace honest: it still
// fails with the run's own bound, and a correct Raft (the built-in reference) gets through its
// inputs. Without the second, the shrinker zeroes every node's seed and so every election
// timeout, and hands back a split vote that the correct Raft falls into as well.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { replayTrace } from '../../src/check/traces.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import { parseTrace } from '../../src/sim/trace.js';
import type { BugName } from '../../src/raft/bugs.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { Simulation } from '../../src/sim/simulation.js';
import type { Choices } from '../../src/core/random.js';
import { shrink } from '../../src/shrink/shrink.js';
import { runSeed } from '../../src/check/run.js';
import { defaultScenario, shortenScenario } from '../../src/sim/scenario.js';
import { allInvariants } from '../../invariants/index.js';
import { minimalScenarios } from '../bugs/minimalScenarios.js';
import { swarmBeforeLeadership, swarmFailure } from '../support/swarmFailure.js';

/** The swarm these seeds were taken on: as it drew before issue 18's features, so that they stay put. */
const swarm = swarmBeforeLeadership;

// A deterministic budget (runs, not seconds), so the result cannot depend on the machine.
const budget = { runsMax: 1500, timeBudgetMs: 600_000 };
const handMinimalEvents = (bug: BugName) => minimalScenarios.find((entry) => entry.bug === bug)!.events;

/** The correct reference on these inputs, run to its end. */
function correctRaft(scenario: Scenario, choices: Choices) {
  return new Simulation({ implementation: referenceImplementation(), scenario, seed: 0, invariants: allInvariants, choices }).run();
}

// The first failing swarm seed of each liveness bug under `run --bug NAME`'s defaults, when the
// swarm drew membership and snapshots only.
describe.each([
  { bug: 'fixed-election-timeout' as const, seed: 164 },
  { bug: 'idle-leader-no-heartbeat' as const, seed: 1 },
])('shrinking $bug (swarm seed $seed)', ({ bug, seed }) => {
  const { implementation, run, shrink: shrinkWithin } = swarmFailure(bug, seed, swarm);
  const shrunk = shrinkWithin(budget.runsMax);
  const trace = shrunk.trace;

  it('starts from a liveness failure of thousands of events', () => {
    expect(run.status).toBe('liveness');
    expect(run.events).toBeGreaterThan(5000);
  });

  it('ends within 1.5x of the hand-written minimal events, on three nodes, and replays bit for bit', () => {
    expect(shrunk.shrink.eventsAfter).toBeLessThanOrEqual(1.5 * handMinimalEvents(bug));
    expect(trace.scenario.nodes).toBe(3);
    const replay = replayTrace(trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.status).toBe('liveness');
    expect(replay.run.traceHash).toBe(shrunk.shrink.result.traceHash);
  });

  it('hands back inputs a correct Raft gets through, with the tighter bound and with the run own', () => {
    expect(correctRaft(trace.scenario, trace.choices).status).toBe('ok');
    const runBound = { ...trace.scenario, liveness: { ...trace.scenario.liveness, electionTimeouts: run.scenario.liveness.electionTimeouts } };
    expect(correctRaft(runBound, trace.choices).status).toBe('ok');
  });

  it("records the run's own bound in the trace, for a later shrink of the trace to confirm against", () => {
    expect(trace.shrink?.livenessElectionTimeouts).toBe(run.scenario.liveness.electionTimeouts);
  });

  it('tightens the liveness bound only where the buggy cluster still fails with the run own bound', () => {
    expect(trace.scenario.liveness.electionTimeouts).toBeLessThan(run.scenario.liveness.electionTimeouts);
    const runBound = { ...trace.scenario, liveness: { ...trace.scenario.liveness, electionTimeouts: run.scenario.liveness.electionTimeouts } };
    const full = new Simulation({ implementation, scenario: runBound, seed: 0, invariants: allInvariants, choices: trace.choices }).run();
    expect(full.status).toBe('liveness');
  });
});

describe('the correct-Raft control of a liveness shrink', () => {
  it('is what keeps the shrinker off inputs that no Raft gets through: without it, the correct reference fails the shrunk trace too', () => {
    const { implementation, run } = swarmFailure('fixed-election-timeout', 164, swarm);
    const uncontrolled = shrink({ implementation, scenario: swarm, invariants: allInvariants, choices: run.choices, original: run }, budget);
    expect(uncontrolled.result.status).toBe('liveness');
    expect(correctRaft(uncontrolled.scenario, uncontrolled.choices).status).toBe('liveness');

    const controlled = shrink({ implementation, scenario: swarm, invariants: allInvariants, choices: run.choices, original: run, livenessControl: referenceImplementation() }, budget);
    expect(controlled.result.status).toBe('liveness');
    expect(correctRaft(controlled.scenario, controlled.choices).status).toBe('ok');
  });
});

describe('a shrink of a trace whose bound was tightened already', () => {
  // The correct reference, with the bound at two election timeouts and no fault phase to speak of:
  // a leader elected 150 ms or more into the phase cannot have held its term for the 600 ms asked,
  // so the run "fails"; with the default ten it recovers.
  const base = shortenScenario(defaultScenario(), 5);
  const tight = { ...base, liveness: { ...base.liveness, electionTimeouts: 2 } };
  const implementation = referenceImplementation();
  const run = runSeed({ seed: 1, implementation, scenario: tight });

  it('fails only for the tight bound', () => {
    expect(run.status).toBe('liveness');
    expect(runSeed({ seed: 1, implementation, scenario: base }).status).toBe('ok');
  });

  it("confirms every candidate against the run's own bound when told it, and so accepts none of these", () => {
    const subject = { implementation, scenario: tight, invariants: allInvariants, choices: run.choices, original: run };
    const told = shrink({ ...subject, runLivenessElectionTimeouts: 10 }, { runsMax: 300 });
    expect(told.eventsAfter).toBe(run.events);
    expect(told.livenessElectionTimeouts).toBe(10);
    // Not told, it takes the trace's bound for the run's and shrinks the artefact.
    expect(shrink(subject, { runsMax: 300 }).eventsAfter).toBeLessThan(run.events);
  });
});

describe('the best trace so far, on disk while a liveness shrink runs', () => {
  it('says it is unfinished and carries what a resumed shrink needs: the events before and the run own bound', () => {
    const { implementation, run } = swarmFailure('fixed-election-timeout', 164, swarm);
    const path = join(mkdtempSync(join(tmpdir(), 'raftcheck-best-')), 'best.trace.json');
    shrinkToTrace({ implementation, scenario: swarm, choices: run.choices, seed: 164, bugs: ['fixed-election-timeout'], runsMax: 100, timeBudgetMs: 600_000, bestSoFarPath: path });
    const parsed = parseTrace(readFileSync(path, 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.trace.shrink).toMatchObject({ stoppedBy: 'interrupted', eventsBefore: run.events, livenessElectionTimeouts: 10 });
    expect(parsed.trace.shrink!.eventsAfter).toBeLessThan(run.events);
    expect(replayTrace(parsed.trace).matches).toBe(true);
  });
});

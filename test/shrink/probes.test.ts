// The step stage on a failure a durability probe finds (durable-promise): the lifted path's
// replays run the probes as the simulator does (src/world/probes.ts, judged in the one world for
// every driver), so the failure shrinks by its steps to the step stage's fixpoint, past the silent
// ticks the choice stage cannot take out, to an explore trace that says its probes are on and
// replays to the same broken promise.

import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import { replayTrace } from '../../src/check/traces.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { exploreInfoOf, replayExplorePath } from '../../src/shrink/paths.js';
import { exploreTraceFormatVersion } from '../../src/sim/trace.js';
import type { TraceFile } from '../../src/sim/trace.js';
import { minimalScenarioForms } from '../bugs/minimalScenarios.js';

const scenario = loadScenario('default');
/** The events of a bug's hand-written durable-promise form (test/bugs/minimalScenarios.ts). */
const handMinimalEvents = (bug: BugName) => minimalScenarioForms.find((entry) => entry.bug === bug && entry.invariant === 'durable-promise')!.events;

function shrunkOnDefault(bug: BugName, seed: number) {
  const implementation = referenceImplementation(bugsFromNames([bug]));
  const run = runSeed({ seed, implementation, scenario });
  expect(run.violation?.invariant).toBe('durable-promise');
  return { implementation, ...shrinkToTrace({ implementation, scenario, choices: run.choices, seed, bugs: [bug], runsMax: 2000, timeBudgetMs: 600_000 }) };
}

function infoOf(trace: TraceFile) {
  const info = exploreInfoOf(trace);
  if (typeof info === 'string') throw new Error(info);
  return info;
}

describe('shrinking a broken durability promise by its steps', () => {
  it('shrinks an acknowledgement sent before its sync to the hand-written minimum', () => {
    const { shrink, trace } = shrunkOnDefault('log-not-persisted', 3);
    expect(shrink.passes.map((pass) => pass.pass)).toContain('steps');
    expect(shrink.stoppedBy).toBe('fixpoint');
    expect(trace.formatVersion).toBe(exploreTraceFormatVersion);
    expect(shrink.eventsAfter).toBeLessThanOrEqual(handMinimalEvents('log-not-persisted'));
    expect(infoOf(trace).durabilityProbes).toBe(true);
    const replay = replayTrace(trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('durable-promise');
  });

  it('shrinks a vote granted before its sync to the hand-written minimum', () => {
    const { shrink } = shrunkOnDefault('vote-not-persisted', 3);
    expect(shrink.passes.map((pass) => pass.pass)).toContain('steps');
    expect(shrink.eventsAfter).toBeLessThanOrEqual(handMinimalEvents('vote-not-persisted'));
  });

  it('replays the same path without the probes as the explorer judges it: no broken promise', () => {
    const { implementation, trace } = shrunkOnDefault('log-not-persisted', 3);
    const info = infoOf(trace);
    const withProbes = replayExplorePath(implementation, info, allInvariants);
    const without = replayExplorePath(implementation, { ...info, durabilityProbes: false }, allInvariants);
    expect('error' in withProbes ? withProbes.error : withProbes.violation?.invariant).toBe('durable-promise');
    expect('error' in without ? without.error : without.status).toBe('ok');
  });

  it('refuses an explore trace whose durabilityProbes is not a boolean', () => {
    const { trace } = shrunkOnDefault('vote-not-persisted', 3);
    const bad = { ...trace, explore: { ...trace.explore, durabilityProbes: 'yes' } };
    expect(exploreInfoOf(bad)).toBe('explore.durabilityProbes: expected true or false');
  });
});

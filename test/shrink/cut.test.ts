// The step stage's cut (src/shrink/steps.ts StepShrinker.cutPrefix): a path's later steps alone,
// begun from the durable state its earlier ones left (src/shrink/paths.ts PathStart).
//
// The fixture is the 2015 single-server bug (config-change-before-term-commit) as the default
// swarm finds it at seed 890 and shrank it before the cut existed (d0bca91, `raftcheck run --bug
// config-change-before-term-commit`): a fixpoint of 91 steps on five members and a spare, of
// which the first 48 or so only build the four-voter configuration the bug needs (a joint change,
// elections, a spare's own removal). ddmin cannot shorten them: each matters through what it
// leaves in the logs, and a shorter way there would need other steps.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { withStrategy } from '../../src/check/options.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkExploreTrace } from '../../src/check/shrinkRun.js';
import { readTraceFile, replayTrace } from '../../src/check/traces.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import type { ExploreTraceInfo, PathStart } from '../../src/shrink/paths.js';
import { exploreInfoOf, PathReplay, replayExplorePath } from '../../src/shrink/paths.js';
import type { ExploreStep, World } from '../../src/world/system.js';
import { initialNodesOf } from '../../src/world/system.js';
import { liftRun } from '../../src/shrink/lift.js';
import { failureSignatures } from '../../src/shrink/shrink.js';
import { possibleSteps, shrinkSteps } from '../../src/shrink/steps.js';
import { allInvariants } from '../../invariants/index.js';
import { formatTimeline } from '../../src/report/timeline.js';
import { minimalScenarios } from '../bugs/minimalScenarios.js';

const handMinimal = (bug: string) => minimalScenarios.find((entry) => entry.bug === bug)!.events;

describe('the cut: the 2015 bug from the durable state its configuration changes left', () => {
  const bug = 'config-change-before-term-commit';
  const trace = readTraceFile(fileURLToPath(new URL('data/config-change-before-term-commit.91-steps.trace.json', import.meta.url)));
  const implementation = referenceImplementation(bugsFromNames([bug]));
  const shrunk = shrinkExploreTrace(trace, { implementation, runsMax: 3000, timeBudgetMs: 600_000 });
  const info = exploreInfoOf(shrunk.trace);

  it('takes the 91-step fixpoint to within 1.5x of the hand-written form, begun where a cut left it', () => {
    expect(trace.result.events).toBe(91);
    expect(exploreInfoOf(trace)).not.toHaveProperty('start');
    expect(shrunk.shrink.eventsAfter).toBeLessThanOrEqual(1.5 * handMinimal(bug));
    expect(shrunk.shrink.result.violation?.invariant).toBe('leader-completeness');
    if (typeof info === 'string') throw new Error(info);
    expect(info.start).toBeDefined();
    expect(info.start!.cutAfterSteps).toBeGreaterThan(0);
    expect(info.start!.nodes).toHaveLength(info.nodes + (info.spares ?? 0));
    expect(shrunk.shrink.cutAfterSteps).toBe(info.start!.cutAfterSteps);
  });

  it('writes a trace that replays bit for bit and shows where it begins', () => {
    const replay = replayTrace(shrunk.trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('leader-completeness');
    const shown = formatTimeline(shrunk.trace, { color: false, width: 200 });
    expect(shown).toContain(`starts from     the durable state after ${(info as { start: { cutAfterSteps: number } }).start.cutAfterSteps} steps of a longer path`);
    expect(shown).toMatch(/n1: \d+ records? \[\{"kind":"hardState"/);
  });
});

describe('a cut, as a run the harness could draw', () => {
  const bug = 'config-change-before-term-commit';
  const trace = readTraceFile(fileURLToPath(new URL('data/config-change-before-term-commit.91-steps.trace.json', import.meta.url)));
  const implementation = referenceImplementation(bugsFromNames([bug]));
  const info = exploreInfoOf(trace) as ExploreTraceInfo;
  const cluster = { nodes: info.nodes, spares: info.spares, implementationOptions: info.implementationOptions };
  const worldAfter = (steps: readonly ExploreStep[]): World => {
    const replay = new PathReplay(implementation, cluster, allInvariants);
    let last: World | null = null;
    replay.replay(steps, { record: false, onWorld: (world) => (last = world) });
    replay.dispose();
    return last!;
  };

  it('fails the same way as the whole path with every node crashed and restarted at the cut', () => {
    // The latest cut from which the rest of the fixture still fails: most of its prefix goes.
    let cut = info.steps.length - 1;
    let start: PathStart | null = null;
    for (; cut >= 1 && start === null; cut -= 1) {
      const candidate = { cutAfterSteps: cut, nodes: initialNodesOf(worldAfter(info.steps.slice(0, cut))) };
      const from = { ...cluster, start: candidate };
      const replayed = replayExplorePath(implementation, { ...from, steps: possibleSteps(implementation, from, info.steps.slice(cut), allInvariants) }, allInvariants);
      if (!('error' in replayed) && replayed.violation?.invariant === 'leader-completeness' && replayed.events > 0) start = candidate;
    }
    expect(start).not.toBeNull();
    expect(start!.cutAfterSteps).toBeGreaterThanOrEqual(40);
    const world = worldAfter(info.steps.slice(0, start!.cutAfterSteps));
    const crashes = world.nodes.flatMap((node, index): ExploreStep[] => (node.instance !== null ? [{ kind: 'crash', node: index + 1, unsyncedKept: 0 }] : []));
    const restarts = start!.nodes.flatMap((node, index): ExploreStep[] => (node !== null && 'records' in node ? [{ kind: 'restart', node: index + 1 }] : []));
    const whole = [...info.steps.slice(0, start!.cutAfterSteps), ...crashes, ...restarts, ...info.steps.slice(start!.cutAfterSteps)];
    const replayed = replayExplorePath(implementation, { ...cluster, steps: possibleSteps(implementation, cluster, whole, allInvariants) }, allInvariants);
    expect('error' in replayed ? replayed.error : replayed.violation?.invariant).toBe('leader-completeness');
  });
});

describe('why a cut is confirmed on the whole path', () => {
  it('a cut path of the correct reference can fail linearizability: its reads return writes from before the cut, which its history never saw', () => {
    const implementation = referenceImplementation();
    const scenario = loadScenario('clients');
    const run = runSeed({ seed: 3, implementation, scenario });
    expect(run.status).toBe('ok');
    const lifted = liftRun({ implementation, scenario, invariants: allInvariants, choices: run.choices });
    const cluster = { nodes: lifted.run.scenario.nodes, spares: lifted.spares, implementationOptions: lifted.run.scenario.implementation };
    const worlds: World[] = [];
    const replay = new PathReplay(implementation, cluster, allInvariants);
    replay.replay(lifted.steps, { record: false, onWorld: (world) => worlds.push(world) });
    replay.dispose();
    const cut = 31;
    const from = { ...cluster, start: { cutAfterSteps: cut, nodes: initialNodesOf(worlds[cut]) } };
    const alone = replayExplorePath(implementation, { ...from, steps: possibleSteps(implementation, from, lifted.steps.slice(cut), allInvariants) }, allInvariants);
    expect('error' in alone ? alone.error : alone.violation?.invariant).toBe('linearizability');
    // The run it stands for, every node crashed and restarted at the cut, passes: the alarm was
    // the cut's, and the step shrink keeps no cut whose whole run does not fail the same way.
    const up = worlds[cut].nodes.flatMap((node, index) => (node.instance !== null ? [index + 1] : []));
    const restarted = [...up.map((node): ExploreStep => ({ kind: 'crash', node, unsyncedKept: 0 })), ...up.map((node): ExploreStep => ({ kind: 'restart', node }))];
    const whole = [...lifted.steps.slice(0, cut), ...restarted, ...lifted.steps.slice(cut)];
    const wholeRun = replayExplorePath(implementation, { ...cluster, steps: possibleSteps(implementation, cluster, whole, allInvariants) }, allInvariants);
    expect('error' in wholeRun ? wholeRun.error : wholeRun.status).toBe('ok');
  });
});

describe('a long lifted path cut early (config-on-commit-not-append, default swarm seed 433)', () => {
  it('reaches 1.5x of the hand-written form within 1,500 replays from the lifted run of 6,263 events', () => {
    const bug = 'config-on-commit-not-append';
    const implementation = referenceImplementation(bugsFromNames([bug]));
    const scenario = withStrategy(loadScenario('swarm'), undefined);
    const run = runSeed({ seed: 433, implementation, scenario });
    expect(run.events).toBe(6263);
    const lifted = liftRun({ implementation, scenario, invariants: allInvariants, choices: run.choices });
    expect(lifted.steps.length).toBeGreaterThan(2000);
    const path = { nodes: lifted.run.scenario.nodes, spares: lifted.spares, implementationOptions: lifted.run.scenario.implementation, steps: lifted.steps };
    const shrunk = shrinkSteps(implementation, path, { signatures: failureSignatures(run), invariants: allInvariants, timeBudgetMs: 600_000, runsMax: 1500 });
    expect(shrunk).not.toBeNull();
    expect(shrunk!.steps.length).toBeLessThanOrEqual(1.5 * handMinimal(bug));
    expect(shrunk!.replay.violation?.invariant).toBe('leader-completeness');
  });
});

describe('a trace that begins from a durable state, read', () => {
  const trace = readTraceFile(fileURLToPath(new URL('data/config-change-before-term-commit.91-steps.trace.json', import.meta.url)));
  const withStart = (start: unknown) => exploreInfoOf({ ...trace, explore: { ...trace.explore, start } });

  it('takes null, retired and records entries, one for each member and spare', () => {
    const nodes = [{ records: [] }, { retired: true }, null, { records: [{ any: 'json' }] }, { records: [] }, null];
    expect(typeof withStart({ cutAfterSteps: 3, nodes })).toBe('object');
  });

  it('names what is wrong, and where', () => {
    expect(withStart([])).toBe('explore.start: expected an object with cutAfterSteps and nodes');
    expect(withStart({ cutAfterSteps: -1, nodes: [] })).toBe('explore.start.cutAfterSteps: expected a non-negative integer');
    expect(withStart({ cutAfterSteps: 1, nodes: [null] })).toBe('explore.start.nodes: expected a list of 6 entries, one for each member and spare');
    expect(withStart({ cutAfterSteps: 1, nodes: [null, null, { records: 5 }, null, null, null] })).toBe('explore.start.nodes[2]: expected null (never started), { "retired": true } or { "records": [...] }');
  });
});

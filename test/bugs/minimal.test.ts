// Every bug of the corpus has a hand-written minimal scenario (scenarios/minimal/<bug>.json, run
// with the seed in test/bugs/minimalScenarios.ts) that is a regression test: with the bug on it
// fails, by an invariant the catalog expects, in exactly the recorded number of events; with the
// bug off the same seed passes. The counts are asserted exactly so that any drift shows: a change
// to the simulator's draws or event order, or to the reference, moves them. If one moves for a
// good reason, re-measure it and update the table (and say why in the commit message).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario, shippedScenarioNames } from '../../src/check/scenarios.js';
import { packageRoot } from '../../src/core/paths.js';
import { bugByName, bugNames, bugsFromNames } from '../../src/raft/bugs.js';
import type { MinimalScenario } from './minimalScenarios.js';
import { allMinimalScenarios, minimalScenarioForms, minimalScenarioKey, minimalScenarios } from './minimalScenarios.js';

/** The bugs whose story needs a client command (drawn by the workload: its seed sets when it comes). */
const bugsWithCommands: ReadonlySet<string> = new Set(['truncate-on-stale-append', 'snapshot-drops-newer-entries', 'install-snapshot-older-than-commit']);

const scenarioOf = (entry: MinimalScenario) => loadScenario(join(packageRoot(), entry.scenario));

const run = (entry: MinimalScenario, bugs: readonly string[]) =>
  runSeed({ seed: entry.seed, implementation: referenceImplementation(bugsFromNames(bugs)), scenario: scenarioOf(entry) });

describe('the minimal scenarios', () => {
  it('cover every bug of the catalog, once each, in catalog order', () => {
    expect(minimalScenarios.map((entry) => entry.bug)).toEqual(bugNames());
  });

  it('live in scenarios/minimal/, one file per bug, which raftcheck scenarios does not list', () => {
    for (const entry of minimalScenarios) expect(entry.scenario).toBe(`scenarios/minimal/${entry.bug}.json`);
    expect(shippedScenarioNames().filter((name) => name.includes('minimal'))).toEqual([]);
  });

  it('have other forms only for another invariant the catalog expects of the bug, one file per form', () => {
    for (const entry of minimalScenarioForms) {
      expect(entry.scenario).toBe(`scenarios/minimal/${entry.bug}.${entry.invariant}.json`);
      expect(entry.invariant).not.toBe(minimalScenarios.find((main) => main.bug === entry.bug)?.invariant);
      const bug = bugByName(entry.bug)!;
      expect([bug.invariant, ...bug.alsoCaughtBy]).toContain(entry.invariant);
    }
    expect(new Set(allMinimalScenarios.map(minimalScenarioKey)).size).toBe(allMinimalScenarios.length);
  });

  it('give the benchmark the same seeds in scenarios/minimal/seeds.json', () => {
    const seeds = JSON.parse(readFileSync(join(packageRoot(), 'scenarios', 'minimal', 'seeds.json'), 'utf8')) as Record<string, number>;
    expect(seeds).toEqual(Object.fromEntries(allMinimalScenarios.map((entry) => [minimalScenarioKey(entry), entry.seed])));
  });

  it.each(allMinimalScenarios)('$bug ($invariant): the file is valid and switches every random fault process off', (entry) => {
    const scenario = scenarioOf(entry);
    expect(scenario.nodes).toBe(entry.nodes);
    expect(scenario.swarm).toBe(false);
    expect(scenario.unsafeFaults).toBe(false);
    const { crash, partition, pause, slow } = scenario.faults;
    expect([crash.perSecond, partition.perSecond, pause.perSecond, slow.perSecond]).toEqual([0, 0, 0, 0]);
    const { network, storage, clocks } = scenario;
    expect([network.dropProbability, network.duplicateProbability, network.longDelayProbability]).toEqual([0, 0, 0]);
    for (const link of network.links) expect(link.dropProbability ?? 0).toBe(0);
    expect([storage.tornWriteProbability, storage.corruptionsPerSecond, storage.syncLatencyMs.maxMs]).toEqual([0, 0, 0]);
    expect([clocks.driftMax, clocks.jumpsPerSecond]).toEqual([0, 0]);
    // Only the bugs that need a client command have a workload, and a low one.
    expect(scenario.workload.proposalsPerSecond).toBe(bugsWithCommands.has(entry.bug) ? 10 : 0);
    expect(scenario.liveness.enabled).toBe(entry.invariant === 'liveness');
    if (scenario.liveness.enabled) expect(scenario.liveness.electionTimeouts).toBe(2);
  });
});

describe.each(allMinimalScenarios)('the minimal scenario of $bug ($invariant)', (entry) => {
  const bug = bugByName(entry.bug)!;

  it(`fails with the bug on, by ${entry.invariant}, in exactly ${entry.events} events`, () => {
    const result = run(entry, [entry.bug]);
    expect(result.status).toBe(entry.invariant === 'liveness' ? 'liveness' : 'safety');
    expect([bug.invariant, ...bug.alsoCaughtBy]).toContain(entry.invariant);
    expect({ invariant: result.violation?.invariant, events: result.events }).toEqual({ invariant: entry.invariant, events: entry.events });
    expect(result.boundReached).toBeNull();
  });

  it('passes with the bug off, on the same seed', () => {
    const result = run(entry, []);
    expect(result.violation?.message ?? null).toBeNull();
    expect(result.status).toBe('ok');
  });
});

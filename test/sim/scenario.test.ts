// Scenario files are data validated against a schema: every problem is reported with the file,
// the field path and what was expected, and the shipped scenarios all load.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario, ScenarioError, shippedScenarioNames } from '../../src/check/scenarios.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { parseScenario } from '../../src/sim/scenarioSchema.js';

function errorsOf(data: unknown): string[] {
  const parsed = parseScenario(data, 'test');
  return parsed.ok ? [] : parsed.errors.map((error) => `${error.path}: ${error.message}`);
}

function writeScenario(text: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'raftcheck-scenario-'));
  const path = join(directory, 'broken.json');
  writeFileSync(path, text);
  return path;
}

describe('scenario files', () => {
  it('fills every missing field from the defaults', () => {
    const parsed = parseScenario({}, 'empty');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect({ ...parsed.scenario, name: 'default', description: '' }).toEqual({ ...defaultScenario(), description: '' });
  });

  it('names the field path and the expectation for a wrong type', () => {
    expect(errorsOf({ faults: { crash: { perSecond: 'often' } } })).toEqual(['faults.crash.perSecond: expected a number from 0 to 1000, got "often"']);
  });

  it('suggests the intended name for a misspelled field', () => {
    const [error] = errorsOf({ network: { dropProbabilty: 0.1 } });
    expect(error).toContain('network.dropProbabilty: unknown field (did you mean "dropProbability"?)');
  });

  it('reports an out-of-range probability', () => {
    expect(errorsOf({ network: { dropProbability: 1.5 } })).toEqual(['network.dropProbability: expected a number from 0 to 1, got 1.5']);
  });

  it('reports a scheduled fault on a node that does not exist, with its list index', () => {
    expect(errorsOf({ nodes: 3, schedule: [{ atMs: 10, action: 'heal' }, { atMs: 20, action: 'crash', node: 4 }] })).toEqual([
      'schedule[1].node: node 4 does not exist in a 3-node cluster',
    ]);
  });

  it("lets a scheduled fault name a spare of the membership block, and no node past the spares", () => {
    const membership = { spares: 2, changesPerSecond: 1, jointProbability: 0, removed: 'wipe' };
    expect(errorsOf({ nodes: 3, membership, schedule: [{ atMs: 10, action: 'clock-jump', node: 5, ms: 100 }, { atMs: 10, action: 'cut', from: 4, to: 1 }] })).toEqual([]);
    expect(errorsOf({ nodes: 3, membership, schedule: [{ atMs: 20, action: 'crash', node: 6 }] })).toEqual(['schedule[0].node: node 6 does not exist in a 3-node cluster with 2 spares']);
  });

  it('reports an unknown scheduled action with the allowed ones', () => {
    expect(errorsOf({ schedule: [{ atMs: 10, action: 'explode' }] })).toEqual([
      'schedule[0].action: expected one of "crash", "restart", "isolate", "partition", "bridge", "cut", "flap", "heal", "pause", "resume", "slow", "clock-jump", "corrupt", got "explode"',
    ]);
  });

  it('reports a minimum above its maximum', () => {
    expect(errorsOf({ implementation: { electionTicksMin: 40, electionTicksMax: 20 } })).toContain('implementation.electionTicksMin: minimum 40 is above maximum 20');
    expect(errorsOf({ network: { delay: { minMs: 30, maxMs: 5 } } })).toContain('network.delay.minMs: minimum 30 is above maximum 5');
  });

  it('names the file when it is not valid JSON', () => {
    const path = writeScenario('{ "nodes": 3,');
    expect(() => loadScenario(path)).toThrow(ScenarioError);
    expect(() => loadScenario(path)).toThrow(/broken\.json: not valid JSON/);
  });

  it('names the file and every invalid field of a malformed file', () => {
    const path = writeScenario(JSON.stringify({ nodes: 0, workload: { keys: 2.5 } }));
    let message = '';
    try {
      loadScenario(path);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('broken.json: invalid scenario');
    expect(message).toContain('nodes: expected an integer from 1 to 15, got 0');
    expect(message).toContain('workload.keys: expected an integer from 1 to 1000, got 2.5');
  });

  it('lists the shipped scenarios when a name is unknown', () => {
    expect(() => loadScenario('no-such-scenario')).toThrow(/unknown scenario "no-such-scenario"; shipped scenarios: default/);
  });

  it('loads every shipped scenario, each with a description', () => {
    expect(shippedScenarioNames()[0]).toBe('default');
    for (const { name, description } of listScenarios()) {
      expect(loadScenario(name).name).toBe(name);
      expect(description.length).toBeGreaterThan(10);
    }
  });
});

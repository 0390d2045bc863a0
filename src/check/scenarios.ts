// The scenario catalog: the shipped files in scenarios/, and user files given by path. Errors
// are values naming the file, the field path and what was expected.

import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readTextFile } from '../core/files.js';
import { scenariosDirectory } from '../core/paths.js';
import { withoutByteOrderMark } from '../core/text.js';
import type { Implementation } from '../contract/contract.js';
import { leaseAssumptionProblems } from '../sim/leases.js';
import { removedNodeAssumptionProblems } from '../sim/removedNodes.js';
import type { Scenario } from '../sim/scenario.js';
import { parseScenario } from '../sim/scenarioSchema.js';

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Names of the shipped scenarios, sorted, "default" first. */
export function shippedScenarioNames(): string[] {
  const names = readdirSync(scenariosDirectory())
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
  return names.includes('default') ? ['default', ...names.filter((name) => name !== 'default')] : names;
}

export function listScenarios(): { name: string; description: string }[] {
  return shippedScenarioNames().map((name) => {
    const scenario = loadScenario(name);
    return { name: scenario.name, description: scenario.description };
  });
}

/** Loads a shipped scenario by name, or a scenario file by path (anything with a / or ending in .json). */
export function loadScenario(nameOrPath: string): Scenario {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.endsWith('.json');
  const path = looksLikePath ? resolve(nameOrPath) : join(scenariosDirectory(), `${nameOrPath}.json`);
  if (!looksLikePath && !existsSync(path)) {
    throw new ScenarioError(`unknown scenario "${nameOrPath}"; shipped scenarios: ${shippedScenarioNames().join(', ')} (or give a file path)`);
  }
  const read = readTextFile(looksLikePath ? nameOrPath : path, 'scenario file');
  if (!read.ok) throw new ScenarioError(read.message);
  // Editors on Windows may save a byte-order mark first; it is no part of the JSON.
  const text = withoutByteOrderMark(read.text);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`${displayPath(path, looksLikePath, nameOrPath)}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseScenario(data, basename(path, '.json'));
  if (!parsed.ok) {
    const lines = parsed.errors.map((error) => `  ${error.path}: ${error.message}`);
    throw new ScenarioError(`${displayPath(path, looksLikePath, nameOrPath)}: invalid scenario\n${lines.join('\n')}`);
  }
  return parsed.scenario;
}

/**
 * What a scenario asks that the implementation it runs on says it cannot stand without unsafe
 * faults (clock faults past the drift its lease reads assume, removed nodes left running without
 * the guard it needs): a ScenarioError listing them.
 */
export function checkScenarioFor(scenario: Scenario, implementation: Pick<Implementation, 'name' | 'features' | 'leaseDriftMax' | 'removedNodeGuards'>): void {
  const problems = [...leaseAssumptionProblems(scenario, implementation), ...removedNodeAssumptionProblems(scenario, implementation)];
  if (problems.length === 0) return;
  const lines = problems.map((problem) => `  ${problem.path}: ${problem.message}`);
  throw new ScenarioError(`scenario ${scenario.name} on ${implementation.name}: invalid scenario\n${lines.join('\n')}`);
}

function displayPath(path: string, looksLikePath: boolean, given: string): string {
  return looksLikePath ? given : `scenarios/${basename(path)}`;
}

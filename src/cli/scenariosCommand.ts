// `raftcheck scenarios`: the shipped scenarios, one line each (or JSON for machines).

import { listScenarios } from '../check/scenarios.js';
import type { CommandIo } from './io.js';

export function scenariosCommand(args: { json: boolean }, io: CommandIo): number {
  const scenarios = listScenarios();
  if (args.json) {
    io.stdout.write(`${JSON.stringify(scenarios)}\n`);
    return 0;
  }
  const width = Math.max(...scenarios.map((scenario) => scenario.name.length));
  for (const scenario of scenarios) io.stdout.write(`${scenario.name.padEnd(width)}  ${scenario.description}\n`);
  return 0;
}

// Handing one input to a node instance, for every driver: the simulator, the explorer's
// transition system and the replays. What the instance answers is checked against the contract;
// a throw or a malformed output is the implementation's error, as a value with a message.

import type { Input, NodeInstance, Output } from '../contract/contract.js';
import { validateOutput } from '../contract/validate.js';
import type { NodeId } from '../core/ids.js';

export type InputOutcome = { output: Output; problem: null } | { output: null; problem: string };

/** Steps `instance` (node `id` of `members`) with `input`: its output, or what was wrong. */
export function runInput(instance: NodeInstance, input: Input, id: NodeId, members: readonly NodeId[]): InputOutcome {
  let output: Output;
  try {
    output = instance.step(input);
  } catch (error) {
    return { output: null, problem: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
  }
  const problem = validateOutput(output, id, members);
  return problem === null ? { output, problem: null } : { output: null, problem };
}

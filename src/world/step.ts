// Handing one input to a node instance, for every driver: the simulator, the explorer's
// transition system and the replays. What the instance answers is checked against the contract;
// a throw or a malformed output is the implementation's error, as a value with a message.

import type { Implementation, ImplementationOptions, Input, Message, MessageView, NodeInstance, Output } from '../contract/contract.js';
import { featureOptions } from '../contract/contract.js';
import { validateOutput } from '../contract/validate.js';
import type { NodeId } from '../core/ids.js';

export type InstanceOutcome = { instance: NodeInstance; problem: null } | { instance: null; problem: string };

/** A fresh instance of `implementation`, or what was wrong: a throwing createNode() is the implementation's error. */
export function createInstance(implementation: Implementation): InstanceOutcome {
  let instance: NodeInstance;
  try {
    instance = implementation.createNode();
  } catch (error) {
    return { instance: null, problem: `createNode() ${describeThrow(error)}` };
  }
  if (instance === null || typeof instance !== 'object' || typeof instance.step !== 'function') {
    return { instance: null, problem: 'createNode() returned something that is not a node instance (an object with a step function)' };
  }
  return { instance, problem: null };
}

/**
 * The options a start hands `implementation`'s nodes: those of a feature it does not list left
 * out (protocol v2: an implementation is driven only by the features it supports), the same
 * object when nothing is left out.
 */
export function implementationOptionsFor(implementation: Implementation, options: ImplementationOptions): ImplementationOptions {
  const features = implementation.features ?? [];
  const unsupported = (Object.keys(featureOptions) as (keyof typeof featureOptions)[]).filter(
    (option) => options[option] !== undefined && !features.includes(featureOptions[option]),
  );
  if (unsupported.length === 0) return options;
  const supported = { ...options };
  for (const option of unsupported) delete supported[option];
  return supported;
}

/** How the harness reads a message of `implementation` in Raft's common vocabulary: its own view, else the implementation's decoding; null: unknown. */
export function messageViewOf(implementation: Implementation): (message: Message) => MessageView | null {
  const decode = implementation.messageView?.bind(implementation);
  return decode === undefined ? (message) => message.view ?? null : (message) => message.view ?? decode(message) ?? null;
}

/** What a throw from an implementation was, for its error message. */
export function describeThrow(error: unknown): string {
  return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

export type InputOutcome = { output: Output; problem: null } | { output: null; problem: string };

/** Steps `instance` (node `id` of `members`) with `input`: its output, or what was wrong. */
export function runInput(instance: NodeInstance, input: Input, id: NodeId, members: readonly NodeId[]): InputOutcome {
  let output: Output;
  try {
    output = instance.step(input);
  } catch (error) {
    return { output: null, problem: describeThrow(error) };
  }
  const problem = validateOutput(output, id, members, input);
  return problem === null ? { output, problem: null } : { output: null, problem };
}

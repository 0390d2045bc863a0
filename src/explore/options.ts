// The explorer's options, validated before anything runs (as etcd's Config.validate): every
// problem at once, each with the field and the reason. A bad option is the caller's mistake, a
// value (ExploreOptionsError, exit code 2 on the command line), never an assertion deep inside
// the search or an exception from the transition system.

import type { Schema } from '../core/schema.js';
import { validate } from '../core/schema.js';
import { implementationOptionProblems, implementationOptionsSchema } from '../sim/scenarioSchema.js';
import type { ExploreBounds, ExploreOptions } from './search.js';

export type ExploreStrategy = 'bfs' | 'dfs' | 'random' | 'pct';
export const exploreStrategies: readonly ExploreStrategy[] = ['bfs', 'dfs', 'random', 'pct'];

export interface ExploreOptionProblem {
  /** The field's path in ExploreOptions: "nodes", "bounds.depthMax", "implementationOptions.heartbeatTicks". */
  field: string;
  reason: string;
}

/** Thrown by explore() when its options are not valid: the problems, never a partial search. */
export class ExploreOptionsError extends Error {
  override name = 'ExploreOptionsError';

  constructor(readonly problems: readonly ExploreOptionProblem[]) {
    super(`invalid explore options:\n${problems.map((problem) => `  ${problem.field}: ${problem.reason}`).join('\n')}`);
  }
}

/**
 * Most nodes: symmetry reduction digests every state once per permutation of the node ids, and
 * 7! = 5,040 permutations is already more work per state than the search can afford.
 */
export const exploreNodesMax = 7;
/** A shaping or counting bound this large is as good as none, and keeps counts exact. */
const countMax = 1_000_000_000;

const count: Schema = { type: 'number', integer: true, minimum: 0, maximum: countMax };
const flag: Schema = { type: 'boolean' };
const optional = { optional: true } as const;

const boundsFields: Record<keyof ExploreBounds, Schema> = {
  depthMax: count,
  termMax: count,
  crashesMax: count,
  requestsMax: count,
  dropsMax: count,
  reordersMax: count,
  messagesInFlightMax: count,
  statesMax: count,
  timeMs: { type: 'number', minimum: 1 },
  memoryBytesMax: { type: 'number', minimum: 1 },
  membershipChangesMax: { ...count, optional: true },
  transfersMax: { ...count, optional: true },
};

/**
 * Most spares: the members and spares together are at most 15 nodes (as in a scenario), and the
 * symmetry reduction permutes the spares among themselves too.
 */
export const exploreSparesMax = 8;

/** Keyed by every field of ExploreOptions, so a field added there without a rule here does not compile. */
const optionFields: Record<keyof ExploreOptions, Schema> = {
  implementation: { type: 'any' },
  invariants: { type: 'any', ...optional },
  nodes: { type: 'number', integer: true, minimum: 1, maximum: exploreNodesMax },
  spares: { type: 'number', integer: true, minimum: 0, maximum: exploreSparesMax, ...optional },
  strategy: { type: 'enum', values: exploreStrategies },
  bounds: { type: 'object', fields: boundsFields },
  implementationOptions: implementationOptionsSchema(false),
  symmetry: flag,
  clone: flag,
  liveInstancesMax: { ...count, minimum: 1, ...optional },
  intern: { ...flag, ...optional },
  memoize: { ...flag, ...optional },
  durabilityProbes: { ...flag, ...optional },
  reduction: { ...flag, ...optional },
  seed: { type: 'number', integer: true, minimum: 0, maximum: 0xffffffff },
  walksMax: count,
  pctDepth: { type: 'number', integer: true, minimum: 1, maximum: 100 },
  onProgress: { type: 'any', ...optional },
};

/** Every problem with the options (empty when they are valid); options from JavaScript may be anything. */
export function exploreOptionProblems(options: unknown): ExploreOptionProblem[] {
  const problems = validate(options, { type: 'object', fields: optionFields }).map((error) => ({ field: error.path, reason: error.message }));
  if (problems.some((problem) => problem.field === '(top level)')) return problems;
  const given = options as Partial<Record<keyof ExploreOptions, unknown>>;
  const implementation = given.implementation as { name?: unknown; createNode?: unknown; timing?: unknown } | undefined;
  if (implementation !== undefined && (implementation === null || typeof implementation !== 'object' || typeof implementation.createNode !== 'function' || typeof implementation.name !== 'string')) {
    problems.push({ field: 'implementation', reason: 'expected an Implementation: an object with a name and a createNode() function (docs/CONTRACT.md)' });
  } else if (implementation?.timing === 'clock') {
    // The explorer's steps are ticks; a time-driven node's timers run in the simulator only.
    problems.push({ field: 'implementation', reason: `${String(implementation.name)} is time-driven (timing 'clock'): explore steps tick-driven implementations only; check it with raftcheck run` });
  }
  if (given.onProgress !== undefined && typeof given.onProgress !== 'function') problems.push({ field: 'onProgress', reason: 'expected a function' });
  problems.push(...membershipProblems(given, implementation));
  problems.push(...transferProblems(given, implementation));
  if (!problems.some((problem) => problem.field.startsWith('implementationOptions'))) {
    const timing = given.implementationOptions as ExploreOptions['implementationOptions'];
    for (const problem of implementationOptionProblems(timing)) problems.push({ field: `implementationOptions.${problem.path}`, reason: problem.message });
  }
  return problems;
}

/** Transfers go only to an implementation that lists the feature (docs/CONTRACT.md). */
function transferProblems(given: Partial<Record<keyof ExploreOptions, unknown>>, implementation: { name?: unknown; features?: unknown } | undefined): ExploreOptionProblem[] {
  const features = Array.isArray(implementation?.features) ? (implementation.features as unknown[]) : [];
  const transfersMax = (given.bounds as Partial<ExploreBounds> | undefined)?.transfersMax;
  if (implementation === undefined || features.includes('leadershipTransfer') || typeof transfersMax !== 'number' || transfersMax === 0) return [];
  const reason = `${String(implementation.name)} does not list the 'leadershipTransfer' feature, so it takes no transfer steps: expected 0, got ${transfersMax}`;
  return [{ field: 'bounds.transfersMax', reason }];
}

/** Spares and membership changes go only to an implementation that lists the feature (docs/CONTRACT.md). */
function membershipProblems(given: Partial<Record<keyof ExploreOptions, unknown>>, implementation: { name?: unknown; features?: unknown } | undefined): ExploreOptionProblem[] {
  const features = Array.isArray(implementation?.features) ? (implementation.features as unknown[]) : [];
  if (implementation === undefined || features.includes('membership')) return [];
  const bounds = given.bounds as Partial<ExploreBounds> | undefined;
  const reason = (got: unknown) => `${String(implementation.name)} does not list the 'membership' feature, so it takes no membership steps: expected 0, got ${String(got)}`;
  const problems: ExploreOptionProblem[] = [];
  if (typeof given.spares === 'number' && given.spares > 0) problems.push({ field: 'spares', reason: reason(given.spares) });
  if (typeof bounds?.membershipChangesMax === 'number' && bounds.membershipChangesMax > 0) problems.push({ field: 'bounds.membershipChangesMax', reason: reason(bounds.membershipChangesMax) });
  return problems;
}

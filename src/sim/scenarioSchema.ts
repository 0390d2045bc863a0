// The scenario file format: JSON with the same shape as the Scenario type, every field optional
// and filled from the defaults (src/sim/scenario.ts). Validation reports every problem with its
// field path and what was expected; parsing never throws on bad data.

import type { ImplementationOptions } from '../contract/contract.js';
import { allFeatures } from '../contract/contract.js';
import type { Schema, SchemaError } from '../core/schema.js';
import { validate } from '../core/schema.js';
import type { MillisecondRange, Scenario, ScheduledFault } from './scenario.js';
import { defaultClientOptions, defaultMembershipOptions, defaultScenario, defaultTransferOptions, minorityOf, partitionShapes, schedulingStrategies } from './scenario.js';

const optional = { optional: true } as const;
const probability: Schema = { type: 'number', minimum: 0, maximum: 1, ...optional };
const rate: Schema = { type: 'number', minimum: 0, maximum: 1000, ...optional };
const milliseconds: Schema = { type: 'number', minimum: 0, maximum: 86_400_000, integer: true, ...optional };
const signedMilliseconds: Schema = { type: 'number', minimum: -86_400_000, maximum: 86_400_000, integer: true, ...optional };
const range: Schema = { type: 'object', ...optional, fields: { minMs: milliseconds, maxMs: milliseconds } };
const signedRange: Schema = { type: 'object', ...optional, fields: { minMs: signedMilliseconds, maxMs: signedMilliseconds } };
const nodeId: Schema = { type: 'number', minimum: 1, maximum: 15, integer: true };
const nodeTarget: Schema = { type: 'any' }; // a node id or "leader" | "follower" | "any": checked in checkScenario
const groups: Schema = { type: 'array', minimumLength: 2, maximumLength: 15, items: { type: 'array', minimumLength: 1, items: nodeId } };

const delaySchema: Schema = {
  type: 'object',
  ...optional,
  fields: {
    distribution: { type: 'enum', values: ['constant', 'uniform', 'exponential'], ...optional },
    minMs: milliseconds,
    maxMs: milliseconds,
    meanMs: { type: 'number', minimum: 0, ...optional },
  },
};

function action(fields: Record<string, Schema>): Schema & { type: 'object' } {
  return { type: 'object', fields: { atMs: { type: 'number', minimum: 0, integer: true }, action: { type: 'string' }, ...fields } };
}

/**
 * The options handed to every node (ImplementationOptions), for scenario files and the explorer
 * alike; `fieldsOptional` where defaults fill the missing ones in (a scenario file).
 */
export function implementationOptionsSchema(fieldsOptional: boolean): Schema & { type: 'object' } {
  const field = (maximum: number): Schema => ({ type: 'number', minimum: 1, maximum, integer: true, optional: fieldsOptional });
  return {
    type: 'object',
    fields: {
      electionTicksMin: field(100_000),
      electionTicksMax: field(100_000),
      heartbeatTicks: field(100_000),
      entriesPerMessageMax: field(10_000),
      // Feature 'snapshots', absent by default (never compact); handed only to an implementation that lists it.
      snapshotEntriesThreshold: { type: 'number', minimum: 1, maximum: 1_000_000, integer: true, optional: true },
      // Features 'preVote', 'checkQuorum', 'leaseReads', absent (off) by default; likewise handed only where listed.
      preVote: { type: 'boolean', optional: true },
      checkQuorum: { type: 'boolean', optional: true },
      leaseReads: { type: 'boolean', optional: true },
      // Feature 'asyncStorageWrites', absent (off) by default; handed only where listed.
      asyncStorageWrites: { type: 'boolean', optional: true },
    },
  };
}

export const scenarioSchema: Schema = {
  type: 'object',
  fields: {
    name: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, ...optional },
    description: { type: 'string', ...optional },
    nodes: { type: 'number', minimum: 1, maximum: 15, integer: true, ...optional },
    durationMs: { type: 'number', minimum: 1, maximum: 3_600_000, integer: true, ...optional },
    tickMs: { type: 'number', minimum: 1, maximum: 10_000, integer: true, ...optional },
    eventsMax: { type: 'number', minimum: 1, maximum: 100_000_000, integer: true, ...optional },
    swarm: { type: 'boolean', ...optional },
    swarmNodesMax: { type: 'number', minimum: 1, maximum: 15, integer: true, ...optional },
    swarmFeatures: { type: 'array', items: { type: 'enum', values: allFeatures }, ...optional },
    unsafeFaults: { type: 'boolean', ...optional },
    durabilityProbes: { type: 'boolean', ...optional },
    implementation: { ...implementationOptionsSchema(true), ...optional },
    network: {
      type: 'object',
      ...optional,
      fields: {
        delay: delaySchema,
        dropProbability: probability,
        duplicateProbability: probability,
        longDelayProbability: probability,
        longDelayMs: range,
        links: {
          type: 'array',
          ...optional,
          maximumLength: 225,
          items: { type: 'object', fields: { from: nodeId, to: nodeId, dropProbability: probability, delay: delaySchema } },
        },
        priority: {
          type: 'object',
          ...optional,
          fields: {
            strategy: { type: 'enum', values: [...schedulingStrategies] },
            changePoints: { type: 'number', minimum: 0, maximum: 100, integer: true, ...optional },
            tierMs: { type: 'number', minimum: 0, maximum: 60_000, integer: true, ...optional },
          },
        },
      },
    },
    faults: {
      type: 'object',
      ...optional,
      fields: {
        decisionIntervalMs: { type: 'number', minimum: 1, maximum: 60_000, integer: true, ...optional },
        crash: {
          type: 'object',
          ...optional,
          fields: {
            perSecond: rate,
            restartDelayMs: range,
            downMax: { type: 'number', minimum: 0, maximum: 15, integer: true, ...optional },
            target: { type: 'enum', values: ['any', 'leader', 'follower'], ...optional },
            afterLeaderCommitProbability: probability,
            afterSnapshotProbability: probability,
          },
        },
        partition: {
          type: 'object',
          ...optional,
          fields: {
            perSecond: rate,
            durationMs: range,
            shapes: { type: 'array', minimumLength: 1, items: { type: 'enum', values: partitionShapes }, ...optional },
            target: { type: 'enum', values: ['any', 'leader', 'follower'], ...optional },
            flapPeriodMs: range,
            afterLeaderCommitProbability: probability,
          },
        },
        pause: { type: 'object', ...optional, fields: { perSecond: rate, durationMs: range } },
        slow: {
          type: 'object',
          ...optional,
          fields: { perSecond: rate, durationMs: range, extraDelayMs: range, tickFactor: { type: 'number', minimum: 1, maximum: 100, ...optional } },
        },
      },
    },
    storage: {
      type: 'object',
      ...optional,
      fields: { syncLatencyMs: range, tornWriteProbability: probability, corruptionsPerSecond: rate },
    },
    clocks: {
      type: 'object',
      ...optional,
      fields: { driftMax: { type: 'number', minimum: 0, maximum: 0.5, ...optional }, jumpsPerSecond: rate, jumpMs: signedRange },
    },
    workload: {
      type: 'object',
      ...optional,
      fields: {
        proposalsPerSecond: rate,
        keys: { type: 'number', minimum: 1, maximum: 1000, integer: true, ...optional },
        redirectsMax: { type: 'number', minimum: 0, maximum: 100, integer: true, ...optional },
      },
    },
    clients: {
      type: 'object',
      ...optional,
      fields: {
        count: { type: 'number', minimum: 1, maximum: 100, integer: true, ...optional },
        requestIntervalMs: range,
        keys: { type: 'number', minimum: 1, maximum: 1000, integer: true, ...optional },
        operations: {
          type: 'object',
          ...optional,
          fields: {
            get: { type: 'number', minimum: 0, maximum: 1000, ...optional },
            put: { type: 'number', minimum: 0, maximum: 1000, ...optional },
            append: { type: 'number', minimum: 0, maximum: 1000, ...optional },
          },
        },
        timeoutMs: { type: 'number', minimum: 1, maximum: 3_600_000, integer: true, ...optional },
        retriesMax: { type: 'number', minimum: 0, maximum: 100, integer: true, ...optional },
        reads: { type: 'enum', values: ['log', 'readIndex', 'lease'], ...optional },
        routing: { type: 'enum', values: ['leader', 'any'], ...optional },
        checkEveryOperations: { type: 'number', minimum: 0, maximum: 1_000_000, integer: true, ...optional },
        checkStepsMax: { type: 'number', minimum: 1, maximum: 1_000_000_000, integer: true, ...optional },
      },
    },
    membership: {
      type: 'object',
      ...optional,
      fields: {
        spares: { type: 'number', minimum: 0, maximum: 14, integer: true, ...optional },
        changesPerSecond: rate,
        jointProbability: probability,
        removed: { type: 'enum', values: ['wipe', 'keep'], ...optional },
        afterElectionProbability: { ...probability, ...optional },
        partitionAfterChangeProbability: { ...probability, ...optional },
      },
    },
    transfers: {
      type: 'object',
      ...optional,
      fields: { perSecond: rate, target: { type: 'enum', values: ['any', 'lagging'], ...optional } },
    },
    liveness: {
      type: 'object',
      ...optional,
      fields: {
        enabled: { type: 'boolean', ...optional },
        electionTimeouts: { type: 'number', minimum: 1, maximum: 1000, integer: true, ...optional },
      },
    },
    schedule: {
      type: 'array',
      ...optional,
      maximumLength: 10_000,
      items: {
        type: 'union',
        discriminator: 'action',
        variants: {
          crash: action({ node: nodeTarget, restartAfterMs: milliseconds }),
          restart: action({ node: nodeTarget }),
          isolate: action({ node: nodeTarget }),
          partition: action({ groups }),
          bridge: action({ groups, bridge: nodeId }),
          cut: action({ from: nodeId, to: nodeId, bothWays: { type: 'boolean', ...optional } }),
          flap: action({
            groups,
            cycles: { type: 'number', minimum: 1, maximum: 1000, integer: true },
            partitionMs: { type: 'number', minimum: 1, integer: true },
            healMs: { type: 'number', minimum: 1, integer: true },
          }),
          heal: action({}),
          pause: action({ node: nodeTarget, durationMs: milliseconds }),
          resume: action({ node: nodeTarget }),
          slow: action({
            node: nodeTarget,
            durationMs: { type: 'number', minimum: 1, integer: true },
            extraDelayMs: { type: 'number', minimum: 0, integer: true },
            tickFactor: { type: 'number', minimum: 1, maximum: 100, ...optional },
          }),
          'clock-jump': action({ node: nodeTarget, ms: { type: 'number', minimum: -86_400_000, maximum: 86_400_000, integer: true } }),
          corrupt: action({ node: nodeTarget, records: { type: 'number', minimum: 1, maximum: 1000, integer: true, ...optional } }),
        },
      },
    },
  },
};

export type ScenarioParse = { ok: true; scenario: Scenario } | { ok: false; errors: SchemaError[] };

/** Validates scenario data and fills it in from the defaults. `fallbackName` names a file without "name". */
export function parseScenario(data: unknown, fallbackName: string): ScenarioParse {
  const errors = validate(data, scenarioSchema);
  if (errors.length > 0) return { ok: false, errors };
  const file = data as Record<string, any>;
  const base = defaultScenario();
  // The crash bound defaults to a minority of whatever cluster size the file asks for.
  base.faults.crash.downMax = minorityOf(file.nodes ?? base.nodes);
  const scenario = mergeDefaults(base, file) as Scenario;
  // Clients are off unless the file asks for them; then every missing field has its default.
  if (file.clients !== undefined) scenario.clients = mergeDefaults(defaultClientOptions(), file.clients) as Scenario['clients'];
  // Membership churn likewise: off unless asked for, then filled in from its defaults.
  if (file.membership !== undefined) scenario.membership = mergeDefaults(defaultMembershipOptions(), file.membership) as Scenario['membership'];
  if (file.transfers !== undefined) scenario.transfers = mergeDefaults(defaultTransferOptions(), file.transfers) as Scenario['transfers'];
  scenario.name = file.name ?? fallbackName;
  scenario.description = file.description ?? '';
  const semanticErrors = checkScenario(scenario);
  return semanticErrors.length > 0 ? { ok: false, errors: semanticErrors } : { ok: true, scenario };
}

/** Fills `given` in from `defaults`, field by field through nested objects; lists are taken whole. */
function mergeDefaults(defaults: unknown, given: unknown): unknown {
  if (given === undefined) return structuredClone(defaults);
  if (!isPlainObject(defaults) || !isPlainObject(given)) return structuredClone(given);
  const merged: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(defaults), ...Object.keys(given)])) {
    merged[key] = mergeDefaults(defaults[key], given[key]);
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Relations between the timing options that a schema cannot say; paths relative to the options. */
export function implementationOptionProblems(timing: ImplementationOptions): SchemaError[] {
  const errors: SchemaError[] = [];
  if (timing.electionTicksMin > timing.electionTicksMax) {
    errors.push({ path: 'electionTicksMin', message: `minimum ${timing.electionTicksMin} is above maximum ${timing.electionTicksMax}` });
  }
  if (timing.heartbeatTicks >= timing.electionTicksMin) {
    errors.push({ path: 'heartbeatTicks', message: `must be below electionTicksMin (${timing.electionTicksMin}), or followers time out between heartbeats` });
  }
  return errors;
}

/** Relations between fields that a schema cannot say. Also run on scenarios built in code. */
export function checkScenario(scenario: Scenario): SchemaError[] {
  const errors: SchemaError[] = [];
  const ordered = (path: string, value: MillisecondRange) => {
    if (value.minMs > value.maxMs) errors.push({ path: `${path}.minMs`, message: `minimum ${value.minMs} is above maximum ${value.maxMs}` });
  };
  for (const error of implementationOptionProblems(scenario.implementation)) errors.push({ ...error, path: `implementation.${error.path}` });
  ordered('network.delay', scenario.network.delay);
  ordered('network.longDelayMs', scenario.network.longDelayMs);
  ordered('faults.crash.restartDelayMs', scenario.faults.crash.restartDelayMs);
  ordered('faults.partition.durationMs', scenario.faults.partition.durationMs);
  ordered('faults.partition.flapPeriodMs', scenario.faults.partition.flapPeriodMs);
  ordered('faults.pause.durationMs', scenario.faults.pause.durationMs);
  ordered('faults.slow.durationMs', scenario.faults.slow.durationMs);
  ordered('faults.slow.extraDelayMs', scenario.faults.slow.extraDelayMs);
  ordered('storage.syncLatencyMs', scenario.storage.syncLatencyMs);
  ordered('clocks.jumpMs', scenario.clocks.jumpMs);
  if (scenario.clients !== undefined) ordered('clients.requestIntervalMs', scenario.clients.requestIntervalMs);
  errors.push(...clientProblems(scenario), ...membershipProblems(scenario));
  if (scenario.faults.crash.downMax > scenario.nodes) {
    errors.push({ path: 'faults.crash.downMax', message: `is ${scenario.faults.crash.downMax}, but the cluster has only ${scenario.nodes} nodes` });
  }
  if (scenario.storage.corruptionsPerSecond > 0 && !scenario.unsafeFaults) {
    errors.push({ path: 'storage.corruptionsPerSecond', message: 'corrupting synced data breaks Raft\'s own assumptions: set "unsafeFaults": true to ask for it' });
  }
  // A scheduled fault may also strike a spare of the membership block (ids after the cluster's):
  // it acts once the spare has joined, so a scenario can script what happens to a joining node.
  const spares = scenario.membership?.spares ?? 0;
  const nodeExists = (path: string, node: unknown, sparesToo = false) => {
    if (node === 'leader' || node === 'follower' || node === 'any') return;
    const last = scenario.nodes + (sparesToo ? spares : 0);
    if (typeof node !== 'number' || !Number.isInteger(node) || node < 1) {
      errors.push({ path, message: `expected a node id, "leader", "follower" or "any", got ${JSON.stringify(node)}` });
    } else if (node > last) {
      const withSpares = sparesToo && spares > 0 ? ` with ${spares} spare${spares === 1 ? '' : 's'}` : '';
      errors.push({ path, message: `node ${node} does not exist in a ${scenario.nodes}-node cluster${withSpares}` });
    }
  };
  scenario.network.links.forEach((link, index) => {
    nodeExists(`network.links[${index}].from`, link.from);
    nodeExists(`network.links[${index}].to`, link.to);
  });
  scenario.schedule.forEach((fault: ScheduledFault, index) => {
    const path = `schedule[${index}]`;
    if (fault.atMs > scenario.durationMs) {
      errors.push({ path: `${path}.atMs`, message: `${fault.atMs} ms is after the end of the fault phase (${scenario.durationMs} ms)` });
    }
    if ('node' in fault) nodeExists(`${path}.node`, fault.node, true);
    if ('from' in fault) nodeExists(`${path}.from`, fault.from, true);
    if ('to' in fault) nodeExists(`${path}.to`, fault.to, true);
    if ('bridge' in fault) nodeExists(`${path}.bridge`, fault.bridge);
    if ('groups' in fault) {
      const seen = new Set<number>();
      fault.groups.forEach((group, groupIndex) =>
        group.forEach((node, nodeIndex) => {
          nodeExists(`${path}.groups[${groupIndex}][${nodeIndex}]`, node, true);
          if (seen.has(node)) errors.push({ path: `${path}.groups[${groupIndex}][${nodeIndex}]`, message: `node ${node} is in more than one group` });
          seen.add(node);
        }),
      );
      if (fault.action === 'bridge' && seen.has(fault.bridge)) {
        errors.push({ path: `${path}.bridge`, message: `the bridge node ${fault.bridge} must not be in a group` });
      }
    }
    if (fault.action === 'corrupt' && !scenario.unsafeFaults) {
      errors.push({ path: `${path}.action`, message: 'corrupting synced data breaks Raft\'s own assumptions: set "unsafeFaults": true to ask for it' });
    }
  });
  return errors;
}

/** The clients block: something to do, and lease reads only where the leader serves them. */
function clientProblems(scenario: Scenario): SchemaError[] {
  const clients = scenario.clients;
  if (clients === undefined) return [];
  const errors: SchemaError[] = [];
  if (clients.operations.get + clients.operations.put + clients.operations.append <= 0) {
    errors.push({ path: 'clients.operations', message: 'at least one of get, put and append needs a weight above 0' });
  }
  if (clients.reads === 'lease' && scenario.implementation.leaseReads !== true) {
    errors.push({ path: 'clients.reads', message: '"lease" reads are served from the leader\'s lease: set implementation.leaseReads to true' });
  }
  return errors;
}

/** The membership block: the spares join the cluster, so they count against its 15 nodes. */
function membershipProblems(scenario: Scenario): SchemaError[] {
  const membership = scenario.membership;
  if (membership === undefined || scenario.nodes + membership.spares <= 15) return [];
  return [{ path: 'membership.spares', message: `${scenario.nodes} nodes and ${membership.spares} spares make more than 15 nodes` }];
}

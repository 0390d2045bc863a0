// The scenario file format: JSON, every field optional and filled from the defaults
// (src/sim/scenario.ts). Validation reports every problem with its field path; parsing never
// throws on bad data.

import type { Schema, SchemaError } from '../core/schema.js';
import { validate } from '../core/schema.js';
import type { Scenario, ScheduledFault } from './scenario.js';
import { defaultScenario, minorityOf } from './scenario.js';

const probability: Schema = { type: 'number', minimum: 0, maximum: 1, optional: true };
const milliseconds: Schema = { type: 'number', minimum: 0, integer: true, optional: true };
const rate: Schema = { type: 'number', minimum: 0, maximum: 1000, optional: true };
const nodeId: Schema = { type: 'number', minimum: 1, integer: true };

const delaySchema: Schema = {
  type: 'object',
  optional: true,
  fields: {
    distribution: { type: 'enum', values: ['constant', 'uniform', 'exponential'] },
    minMs: milliseconds,
    maxMs: milliseconds,
    meanMs: { type: 'number', minimum: 0, optional: true },
  },
};

export const scenarioSchema: Schema = {
  type: 'object',
  fields: {
    name: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, optional: true },
    description: { type: 'string', optional: true },
    nodes: { type: 'number', minimum: 1, maximum: 15, integer: true, optional: true },
    durationMs: { type: 'number', minimum: 1, maximum: 3_600_000, integer: true, optional: true },
    tickMs: { type: 'number', minimum: 1, maximum: 10_000, integer: true, optional: true },
    eventsMax: { type: 'number', minimum: 1, maximum: 100_000_000, integer: true, optional: true },
    raft: {
      type: 'object',
      optional: true,
      fields: {
        electionTicksMin: { type: 'number', minimum: 1, integer: true, optional: true },
        electionTicksMax: { type: 'number', minimum: 1, integer: true, optional: true },
        heartbeatTicks: { type: 'number', minimum: 1, integer: true, optional: true },
        entriesPerMessageMax: { type: 'number', minimum: 1, maximum: 10_000, integer: true, optional: true },
      },
    },
    network: {
      type: 'object',
      optional: true,
      fields: { delay: delaySchema, dropProbability: probability },
    },
    faults: {
      type: 'object',
      optional: true,
      fields: {
        crashesPerSecond: rate,
        restartDelayMsMin: milliseconds,
        restartDelayMsMax: milliseconds,
        crashedNodesMax: { type: 'number', minimum: 0, integer: true, optional: true },
        isolationsPerSecond: rate,
        isolationMsMin: milliseconds,
        isolationMsMax: milliseconds,
        decisionIntervalMs: { type: 'number', minimum: 1, integer: true, optional: true },
      },
    },
    workload: {
      type: 'object',
      optional: true,
      fields: {
        proposalsPerSecond: rate,
        keys: { type: 'number', minimum: 1, maximum: 1000, integer: true, optional: true },
        redirectsMax: { type: 'number', minimum: 0, maximum: 100, integer: true, optional: true },
      },
    },
    schedule: {
      type: 'array',
      optional: true,
      maximumLength: 10_000,
      items: {
        type: 'union',
        discriminator: 'action',
        variants: {
          crash: { type: 'object', fields: { atMs: milliseconds, action: { type: 'string' }, node: nodeId } },
          restart: { type: 'object', fields: { atMs: milliseconds, action: { type: 'string' }, node: nodeId } },
          isolate: { type: 'object', fields: { atMs: milliseconds, action: { type: 'string' }, node: nodeId } },
          heal: { type: 'object', fields: { atMs: milliseconds, action: { type: 'string' } } },
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
  const nodes: number = file.nodes ?? base.nodes;
  const scenario: Scenario = {
    name: file.name ?? fallbackName,
    description: file.description ?? '',
    nodes,
    durationMs: file.durationMs ?? base.durationMs,
    tickMs: file.tickMs ?? base.tickMs,
    eventsMax: file.eventsMax ?? base.eventsMax,
    implementation: { ...base.implementation, ...file.raft },
    network: {
      ...base.network,
      ...file.network,
      delay: { ...base.network.delay, ...file.network?.delay },
    },
    faults: { ...base.faults, crashedNodesMax: minorityOf(nodes), ...file.faults },
    workload: { ...base.workload, ...file.workload },
    schedule: (file.schedule ?? []).map((fault: ScheduledFault) => ({ ...fault, atMs: fault.atMs ?? 0 })),
  };
  const semanticErrors = checkScenario(scenario);
  return semanticErrors.length > 0 ? { ok: false, errors: semanticErrors } : { ok: true, scenario };
}

/** Relations between fields that a schema cannot say. Also run on scenarios built in code. */
export function checkScenario(scenario: Scenario): SchemaError[] {
  const errors: SchemaError[] = [];
  const range = (path: string, minimum: number, maximum: number) => {
    if (minimum > maximum) errors.push({ path, message: `minimum ${minimum} is above maximum ${maximum}` });
  };
  const raft = scenario.implementation;
  range('raft.electionTicksMin', raft.electionTicksMin, raft.electionTicksMax);
  if (raft.heartbeatTicks >= raft.electionTicksMin) {
    errors.push({ path: 'raft.heartbeatTicks', message: `must be below electionTicksMin (${raft.electionTicksMin}), or followers time out between heartbeats` });
  }
  range('network.delay.minMs', scenario.network.delay.minMs, scenario.network.delay.maxMs);
  range('faults.restartDelayMsMin', scenario.faults.restartDelayMsMin, scenario.faults.restartDelayMsMax);
  range('faults.isolationMsMin', scenario.faults.isolationMsMin, scenario.faults.isolationMsMax);
  if (scenario.faults.crashedNodesMax > scenario.nodes) {
    errors.push({ path: 'faults.crashedNodesMax', message: `is ${scenario.faults.crashedNodesMax}, but the cluster has only ${scenario.nodes} nodes` });
  }
  scenario.schedule.forEach((fault, index) => {
    if ('node' in fault && fault.node > scenario.nodes) {
      errors.push({ path: `schedule[${index}].node`, message: `node ${fault.node} does not exist in a ${scenario.nodes}-node cluster` });
    }
    if (fault.atMs > scenario.durationMs) {
      errors.push({ path: `schedule[${index}].atMs`, message: `${fault.atMs} ms is after the end of the run (${scenario.durationMs} ms)` });
    }
  });
  return errors;
}

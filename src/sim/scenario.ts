// A scenario: everything about a run except the implementation and the seed. Plain data, loaded
// from scenarios/*.json and validated there (src/sim/scenarioFile.ts); this module holds the
// resolved shape and the defaults every field falls back to.

import type { ImplementationOptions } from '../adapters/contract.js';
import type { NodeId } from '../core/ids.js';

export interface DelayDistribution {
  distribution: 'constant' | 'uniform' | 'exponential';
  /** constant: the delay; uniform: the lower bound; exponential: the minimum added to the draw. */
  minMs: number;
  /** uniform: the upper bound; exponential: the cap. */
  maxMs: number;
  /** exponential only: the mean of the exponential part. */
  meanMs?: number;
}

export interface NetworkOptions {
  delay: DelayDistribution;
  dropProbability: number;
}

export interface FaultOptions {
  /** Expected crashes per second of virtual time, across the cluster. */
  crashesPerSecond: number;
  restartDelayMsMin: number;
  restartDelayMsMax: number;
  /** At most this many nodes are down at once (default: a minority). */
  crashedNodesMax: number;
  /** Expected isolations (one node cut off from all others) per second of virtual time. */
  isolationsPerSecond: number;
  isolationMsMin: number;
  isolationMsMax: number;
  /** How often the fault process draws, in virtual milliseconds. */
  decisionIntervalMs: number;
}

export interface WorkloadOptions {
  /** Expected client proposals per second of virtual time. */
  proposalsPerSecond: number;
  /** Size of the key space. */
  keys: number;
  /** Times a proposal is redirected to the leader hint before it is given up. */
  redirectsMax: number;
}

export type ScheduledAction =
  | { action: 'crash'; node: NodeId }
  | { action: 'restart'; node: NodeId }
  | { action: 'isolate'; node: NodeId }
  | { action: 'heal' };

export type ScheduledFault = ScheduledAction & { atMs: number };

export interface Scenario {
  name: string;
  description: string;
  nodes: number;
  /** Length of the run in virtual milliseconds. */
  durationMs: number;
  /** Virtual milliseconds between two ticks of a node's clock. */
  tickMs: number;
  implementation: ImplementationOptions;
  network: NetworkOptions;
  faults: FaultOptions;
  workload: WorkloadOptions;
  schedule: ScheduledFault[];
  /** A hard bound on events per run; reaching it ends the run and is reported. */
  eventsMax: number;
}

export function defaultScenario(): Scenario {
  return {
    name: 'default',
    description: 'Mixed faults: crashes with restarts, message loss and delay, isolated nodes.',
    nodes: 5,
    durationMs: 6_000,
    tickMs: 10,
    implementation: { electionTicksMin: 15, electionTicksMax: 30, heartbeatTicks: 3, entriesPerMessageMax: 64 },
    network: { delay: { distribution: 'uniform', minMs: 1, maxMs: 12 }, dropProbability: 0.02 },
    faults: {
      crashesPerSecond: 0.6,
      restartDelayMsMin: 50,
      restartDelayMsMax: 1_500,
      crashedNodesMax: 2,
      isolationsPerSecond: 0.4,
      isolationMsMin: 100,
      isolationMsMax: 1_500,
      decisionIntervalMs: 50,
    },
    workload: { proposalsPerSecond: 40, keys: 5, redirectsMax: 3 },
    schedule: [],
    eventsMax: 2_000_000,
  };
}

/** The default crashed-node bound for a cluster size: a minority, so the cluster can make progress. */
export function minorityOf(nodes: number): number {
  return Math.floor((nodes - 1) / 2);
}

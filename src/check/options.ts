// A run's options, built in one place: the scenario with command-line overrides applied, and
// the fault options described for people (one line) and machines (JSON). For a swarm scenario
// the options are the ones each seed drew, which is what a failing seed exercised.

import type { Feature, Implementation } from '../contract/contract.js';
import type { ClientOptions, Scenario, SchedulingStrategy } from '../sim/scenario.js';
import { defaultClientOptions, resizeScenario } from '../sim/scenario.js';
import type { RunStatistics } from '../sim/simulation.js';
import { plural } from '../core/text.js';
import type { MarkFault } from '../world/marks.js';
import { allMarkFaults } from '../world/marks.js';

/** The default of `run --strategy`: each seed draws random or PCT scheduling. */
export const defaultSchedulingStrategy: SchedulingStrategy = 'portfolio';

/**
 * The scenario with a scheduling strategy (the --strategy option). Without one, the scenario's
 * own choice stands, or the default portfolio if it names none. PCT's parameters are kept when
 * the scenario sets them.
 */
export function withStrategy(scenario: Scenario, strategy: SchedulingStrategy | undefined): Scenario {
  const current = scenario.network.priority;
  const chosen = strategy ?? current?.strategy ?? defaultSchedulingStrategy;
  if (current?.strategy === chosen) return scenario;
  return { ...scenario, network: { ...scenario.network, priority: { ...current, strategy: chosen } } };
}

/** The options of ImplementationOptions whose feature has the option's name (leadership's, and asynchronous storage writes). */
const featureNamedOptions = ['preVote', 'checkQuorum', 'leaseReads', 'asyncStorageWrites'] as const;

/** The features a scenario asks for outright (a swarm's drawn ones aside). */
function featuresAsked(scenario: Scenario): Feature[] {
  const asked: Feature[] = [];
  if (scenario.implementation.snapshotEntriesThreshold !== undefined || (scenario.faults.crash.afterSnapshotProbability ?? 0) > 0) asked.push('snapshots');
  if (scenario.membership !== undefined) asked.push('membership');
  for (const option of featureNamedOptions) if (scenario.implementation[option] !== undefined) asked.push(option);
  if (scenario.transfers !== undefined) asked.push('leadershipTransfer');
  return asked;
}

/**
 * What a campaign of `scenario` can reach with `implementation`, for its coverage marks: the
 * features in force (the implementation's that the scenario asks for or its swarm draws) and the
 * faults the scenario may produce. A mark out of reach is not reported
 * as never hit: a warning a campaign could not act on is noise.
 */
export function scenarioReach(scenario: Scenario, implementation: Implementation): { features: Feature[]; faults: MarkFault[] } {
  const listed = implementation.features ?? [];
  const used = new Set([...featuresAsked(scenario), ...(scenario.swarm ? (scenario.swarmFeatures ?? []) : [])]);
  const features = listed.filter((feature) => used.has(feature));
  // A swarm draws sync latency, torn writes and crashes after a leader's commit for each seed.
  const drawn = scenario.swarm;
  const present: Record<MarkFault, boolean> = {
    unsyncedWrites: drawn || scenario.storage.syncLatencyMs.maxMs > 0,
    tornWrites: drawn || scenario.storage.tornWriteProbability > 0,
    crashAfterLeaderCommit: drawn || scenario.faults.crash.afterLeaderCommitProbability > 0,
    crashAfterSnapshot: (scenario.faults.crash.afterSnapshotProbability ?? 0) > 0,
  };
  return { features, faults: allMarkFaults.filter((fault) => present[fault]) };
}

/**
 * The scenario as `implementation` is driven by it (protocol v2): what it asks of a feature the
 * implementation does not list is never done (the simulator leaves it out), so it is left out
 * here too, for descriptions that say only what runs; and the features so left out.
 */
export function scenarioAsDriven(scenario: Scenario, implementation: Implementation): { scenario: Scenario; leftOut: Feature[] } {
  const listed = implementation.features ?? [];
  // A swarm's features are drawn only for an implementation that lists them, by design: not asked.
  const leftOut = featuresAsked(scenario).filter((feature) => !listed.includes(feature)).sort();
  const swarmLeftOut = (scenario.swarmFeatures ?? []).some((feature) => !listed.includes(feature));
  if (leftOut.length === 0 && !swarmLeftOut) return { scenario, leftOut };
  const driven: Scenario = { ...scenario, implementation: { ...scenario.implementation }, faults: { ...scenario.faults, crash: { ...scenario.faults.crash } } };
  if (leftOut.includes('snapshots')) {
    delete driven.implementation.snapshotEntriesThreshold;
    delete driven.faults.crash.afterSnapshotProbability;
  }
  if (leftOut.includes('membership')) delete driven.membership;
  for (const option of featureNamedOptions) if (leftOut.includes(option)) delete driven.implementation[option];
  if (leftOut.includes('leadershipTransfer')) delete driven.transfers;
  const swarmFeatures = (scenario.swarmFeatures ?? []).filter((feature) => listed.includes(feature));
  if (scenario.swarmFeatures !== undefined) driven.swarmFeatures = swarmFeatures;
  return { scenario: driven, leftOut };
}

/** The scenario with durability probes switched on or off (--probes / --no-probes); as it is without either. */
export function withProbes(scenario: Scenario, probes: boolean | undefined): Scenario {
  return probes === undefined ? scenario : { ...scenario, durabilityProbes: probes };
}

/** How many nodes a run starts with, and the spares that may join it ("3 nodes and 2 spares"). */
export function clusterSizeText(scenario: Scenario): string {
  const spares = scenario.membership?.spares ?? 0;
  return `${scenario.nodes} ${plural(scenario.nodes, 'node')}${spares > 0 ? ` and ${spares} ${plural(spares, 'spare')}` : ''}`;
}

/** The scenario resized to `nodes` (the --nodes option). */
export function withNodes(scenario: Scenario, nodes: number | undefined): Scenario {
  return nodes === undefined ? scenario : resizeScenario(scenario, nodes);
}

/**
 * The scenario with clients on (the --clients and --reads options): the scenario's own client
 * options, or the defaults, with these overrides.
 */
export function withClients(scenario: Scenario, overrides: { count?: number; reads?: ClientOptions['reads']; routing?: ClientOptions['routing'] }): Scenario {
  if (overrides.count === undefined && overrides.reads === undefined && overrides.routing === undefined) return scenario;
  const clients = { ...(scenario.clients ?? defaultClientOptions()) };
  if (overrides.count !== undefined) clients.count = overrides.count;
  if (overrides.reads !== undefined) clients.reads = overrides.reads;
  if (overrides.routing !== undefined) clients.routing = overrides.routing;
  return { ...scenario, clients };
}

/** The fault options of a run, for JSON reports. */
export function faultOptions(scenario: Scenario) {
  return {
    swarm: scenario.swarm,
    unsafeFaults: scenario.unsafeFaults,
    network: scenario.network,
    faults: scenario.faults,
    storage: scenario.storage,
    clocks: scenario.clocks,
    workload: scenario.workload,
    ...(scenario.clients !== undefined ? { clients: scenario.clients } : {}),
    scheduledFaults: scenario.schedule.length,
  };
}

/** The faults a run went through, counted (what a shrunk trace still holds): "none" without any. */
export function faultsExercised(statistics: RunStatistics): string {
  const counts: [number, string][] = [
    [statistics.crashes, 'crash'],
    [statistics.restarts, 'restart'],
    [statistics.partitions, 'partition'],
    [statistics.pauses, 'pause'],
    [statistics.slowdowns, 'slowdown'],
    [statistics.clockJumps, 'clock jump'],
    [statistics.tornWrites, 'torn write'],
    [statistics.corruptions, 'corruption'],
    [statistics.messagesDropped, 'dropped message'],
    [statistics.messagesDuplicated, 'duplicated message'],
  ];
  const parts = counts.filter(([count]) => count > 0).map(([count, noun]) => `${count} ${noun}${count === 1 ? '' : noun.endsWith('sh') ? 'es' : 's'}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

const readsNames = { log: 'log', readIndex: 'ReadIndex', lease: 'lease' } as const;

/** The fault mix in one line, naming only what is on. */
export function faultSummary(scenario: Scenario): string {
  const parts: string[] = [];
  const { faults, network, storage, clocks } = scenario;
  const range = (value: { minMs: number; maxMs: number }) => (value.minMs === value.maxMs ? `${value.minMs}` : `${value.minMs}-${value.maxMs}`);
  if (faults.crash.perSecond > 0) parts.push(`crash ${faults.crash.perSecond}/s (${faults.crash.target}, restart ${range(faults.crash.restartDelayMs)} ms)`);
  if (faults.crash.afterLeaderCommitProbability > 0) parts.push(`leader crash after commit ${faults.crash.afterLeaderCommitProbability}`);
  if ((faults.crash.afterSnapshotProbability ?? 0) > 0) parts.push(`crash after snapshot ${faults.crash.afterSnapshotProbability}`);
  if (scenario.implementation.snapshotEntriesThreshold !== undefined) parts.push(`snapshot every ${scenario.implementation.snapshotEntriesThreshold} entries`);
  for (const option of featureNamedOptions) if (scenario.implementation[option] === true) parts.push(option);
  if (scenario.transfers !== undefined) parts.push(`transfers ${scenario.transfers.perSecond}/s (${scenario.transfers.target})`);
  const membership = scenario.membership;
  if (membership !== undefined) parts.push(`membership ${membership.changesPerSecond}/s (joint ${membership.jointProbability}, removed nodes ${membership.removed === 'keep' ? 'run on' : 'wiped'})`);
  if ((membership?.afterElectionProbability ?? 0) > 0) parts.push(`change at a new leader ${membership!.afterElectionProbability}`);
  if ((membership?.partitionAfterChangeProbability ?? 0) > 0) parts.push(`partition after a change ${membership!.partitionAfterChangeProbability}`);
  if (faults.partition.perSecond > 0) parts.push(`partition ${faults.partition.perSecond}/s [${faults.partition.shapes.join(', ')}]`);
  if ((faults.partition.afterLeaderCommitProbability ?? 0) > 0) parts.push(`leader cut off after commit ${faults.partition.afterLeaderCommitProbability}`);
  if (faults.pause.perSecond > 0) parts.push(`pause ${faults.pause.perSecond}/s`);
  if (faults.slow.perSecond > 0) parts.push(`slow node ${faults.slow.perSecond}/s`);
  if (network.dropProbability > 0) parts.push(`drop ${network.dropProbability}`);
  if (network.duplicateProbability > 0) parts.push(`duplicate ${network.duplicateProbability}`);
  if (network.longDelayProbability > 0) parts.push(`long delay ${network.longDelayProbability} (${range(network.longDelayMs)} ms)`);
  parts.push(`delay ${network.delay.distribution} ${range(network.delay)} ms`);
  if (network.links.length > 0) parts.push(`${network.links.length} link ${plural(network.links.length, 'override')}`);
  if (network.priority !== undefined && network.priority.strategy !== 'random') parts.push(`scheduling ${network.priority.strategy}`);
  if (storage.syncLatencyMs.maxMs > 0) parts.push(`sync ${range(storage.syncLatencyMs)} ms`);
  if (storage.tornWriteProbability > 0) parts.push(`torn writes ${storage.tornWriteProbability}`);
  if (storage.corruptionsPerSecond > 0) parts.push(`corruption ${storage.corruptionsPerSecond}/s (unsafe)`);
  if (clocks.driftMax > 0) parts.push(`clock drift ±${clocks.driftMax}`);
  if (clocks.jumpsPerSecond > 0) parts.push(`clock jumps ${clocks.jumpsPerSecond}/s`);
  if (scenario.schedule.length > 0) parts.push(`${scenario.schedule.length} scheduled ${plural(scenario.schedule.length, 'fault')}`);
  parts.push(`${scenario.workload.proposalsPerSecond} proposals/s`);
  const clients = scenario.clients;
  if (clients !== undefined) parts.push(`${clients.count} ${plural(clients.count, 'client')}, ${readsNames[clients.reads]} reads, timeout ${clients.timeoutMs} ms`);
  if (!scenario.liveness.enabled) parts.push('no liveness phase');
  return parts.join(', ');
}

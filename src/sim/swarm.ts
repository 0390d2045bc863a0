// Swarm testing (Groce et al., ISSTA'12; TigerBeetle's VOPR options_swarm): instead of one fixed
// fault mix, the seed first draws which fault processes are on and how hard they push, then
// runs. A few thousand seeds then cover many mixes, including the sparse ones where a bug is
// not drowned out by other faults.
//
// Every draw is on the "swarm" stream and so in the choice sequence: a 0 choice turns a process
// off, so shrinking a failing run's choices also switches off the faults it did not need.

import type { Feature, Implementation } from '../contract/contract.js';
import type { Random } from '../core/random.js';
import type { ClientOptions, LinkOptions, PartitionShape, Scenario } from './scenario.js';
import { keepWithinLeaseAssumption } from './leases.js';
import { keepWithinRemovedNodeAssumption } from './removedNodes.js';
import { defaultClientOptions, defaultMembershipOptions, defaultTransferOptions, partitionShapes, resizeScenario } from './scenario.js';
import { drawSnapshotPressure } from './snapshots.js';

const stream = 'swarm';
const clientStream = 'swarm/clients';

/** A uniform draw in [minimum, maximum] at 1/1000 resolution; a 0 choice gives the minimum. */
function between(random: Random, minimum: number, maximum: number): number {
  return minimum + (random.integer(stream, 0, 1000) / 1000) * (maximum - minimum);
}

function rounded(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** What a swarm seed's draw reads of the implementation: its features and the assumptions it declares. */
export type SwarmImplementation = Pick<Implementation, 'features' | 'leaseDriftMax' | 'removedNodeGuards'>;

/**
 * The scenario a swarm seed runs: the base scenario with its fault processes drawn, and the
 * pressure of each feature both the scenario's swarmFeatures and the implementation (`features`)
 * list (none: nothing more is drawn), kept within what the implementation declares it assumes.
 */
export function drawSwarmScenario(base: Scenario, random: Random, implementation: SwarmImplementation = {}): Scenario {
  const features = implementation.features ?? [];
  const scenario: Scenario = structuredClone(base);
  // Drawing again from a drawn scenario (a trace's) must take the same draws: size as the first time.
  const nodesMax = base.swarmNodesMax ?? base.nodes;
  const on = () => random.chance(stream, 0.5);
  // The value is drawn before the on/off choice and whatever it says, so that every seed takes
  // the same number of swarm draws and zeroing one choice (shrinking) shifts no later draw.
  const either = <T>(value: T, off: T): T => (on() ? value : off);
  const faults = scenario.faults;
  faults.crash.perSecond = either(rounded(between(random, 0.1, 2)), 0);
  faults.crash.target = (['any', 'leader', 'follower'] as const)[random.index(stream, 3)];
  faults.crash.afterLeaderCommitProbability = either(rounded(between(random, 0.005, 0.1)), 0);
  faults.partition.perSecond = either(rounded(between(random, 0.1, 1.5)), 0);
  const shapes: PartitionShape[] = partitionShapes.filter(() => on());
  faults.partition.shapes = shapes.length > 0 ? shapes : ['isolate'];
  faults.partition.target = (['any', 'leader', 'follower'] as const)[random.index(stream, 3)];
  faults.pause.perSecond = either(rounded(between(random, 0.1, 1)), 0);
  faults.slow.perSecond = either(rounded(between(random, 0.1, 1)), 0);

  const network = scenario.network;
  network.dropProbability = either(rounded(between(random, 0.001, 0.2)), 0);
  network.duplicateProbability = either(rounded(between(random, 0.001, 0.1)), 0);
  network.longDelayProbability = either(rounded(between(random, 0.001, 0.03), 4), 0);
  const distribution = (['uniform', 'constant', 'exponential'] as const)[random.index(stream, 3)];
  const maxMs = Math.round(between(random, 2, 60));
  network.delay = { distribution, minMs: 1, maxMs, ...(distribution === 'exponential' ? { meanMs: Math.max(1, Math.round(maxMs / 4)) } : {}) };

  const storage = scenario.storage;
  storage.syncLatencyMs = either({ minMs: 0, maxMs: Math.round(between(random, 1, 30)) }, { minMs: 0, maxMs: 0 });
  storage.tornWriteProbability = either(rounded(between(random, 0.1, 1)), 0);

  const clocks = scenario.clocks;
  clocks.driftMax = either(rounded(between(random, 0.01, 0.3)), 0);
  clocks.jumpsPerSecond = either(rounded(between(random, 0.1, 1)), 0);

  scenario.workload.proposalsPerSecond = rounded(between(random, 5, 120), 1);

  drawImplementationOptions(scenario, random, on);
  drawLinkAsymmetry(scenario, random, on, nodesMax);
  drawSwarmClients(scenario, random);
  const drawnFeatures = features.filter((feature) => base.swarmFeatures?.includes(feature) === true);
  drawSnapshotPressure(scenario, random, drawnFeatures);
  if (drawnFeatures.includes('membership')) drawSwarmMembership(scenario, random);
  drawLeadershipOptions(scenario, random, drawnFeatures, base.swarmFeatures ?? [], implementation.leaseDriftMax ?? 0);
  // Asynchronous storage writes on about half the seeds where drawn, on a stream of their own.
  if (drawnFeatures.includes('asyncStorageWrites') && random.chance('swarm/asyncStorageWrites', 0.5)) scenario.implementation.asyncStorageWrites = true;
  drawPartitionAfterCommit(scenario, random);
  keepWithinRemovedNodeAssumption(scenario, implementation);
  return drawClusterSize(scenario, random, nodesMax);
}

/**
 * A leader cut off on a minority right after its commit index advanced, where the base scenario
 * gives faults.partition.afterLeaderCommitProbability a positive value (swarm.json does): on about
 * three seeds in four, after 20% to all of the commits that find the network whole, on a stream of
 * its own (so nothing drawn before moves; a 0 choice turns it off). A drawn scenario keeps the
 * value only where it is on, so drawing again from it (a trace's) takes the same draws.
 * Partitions at random times rarely strike a leader at that moment, and the crash after a commit
 * loses the leader: cut off instead, it runs on deposed without knowing it, answering reads from
 * what it has, while entries of its term that a later leader may count again sit on a minority
 * (Figure 8). Measured on the default swarm (docs/BENCHMARKS.md, session 13): figure8 failed on no
 * seed of 1 to 4,000 without it and on 9 of 1 to 1,000 with it.
 */
function drawPartitionAfterCommit(scenario: Scenario, random: Random): void {
  const partition = scenario.faults.partition;
  if ((partition.afterLeaderCommitProbability ?? 0) <= 0) return;
  const triggerStream = 'swarm/partitionAfterCommit';
  const probability = rounded(0.2 + (random.integer(triggerStream, 0, 1000) / 1000) * 0.8);
  if (random.chance(triggerStream, 0.75)) partition.afterLeaderCommitProbability = probability;
  else delete partition.afterLeaderCommitProbability;
}

/**
 * The cluster size, from 3 up to the scenario's (as VOPR draws its replica count). Small
 * clusters need fewer coincidences for an interleaving such as Figure 8 (two of three nodes are
 * a majority), and even sizes exercise quorum arithmetic that odd ones never reach. Drawn last
 * and over everything drawn for the full size (links of absent nodes are dropped), so the number
 * of swarm draws stays fixed; a 0 choice gives the smallest cluster, the simplest to read.
 */
function drawClusterSize(scenario: Scenario, random: Random, nodesMax: number): Scenario {
  const smallest = Math.min(3, nodesMax);
  // Resized from the full size, so links drawn for absent nodes go even when drawing again from
  // a drawn scenario of the same size (resizeScenario leaves a scenario of the size as it is).
  const drawn = resizeScenario({ ...scenario, nodes: nodesMax }, smallest + random.index(stream, nodesMax - smallest + 1));
  return { ...drawn, swarmNodesMax: nodesMax };
}

/**
 * Clients with a checked history, on for about half the seeds. Drawn on a stream of their own, so
 * the fault draws are the same with or without them; a 0 choice leaves the scenario's own
 * clients (none in swarm.json) as they are.
 */
function drawSwarmClients(scenario: Scenario, random: Random): void {
  if (random.chance(clientStream, 0.5)) scenario.clients = drawClientOptions(scenario, random);
}

/** The clients of a seed that has them: their number, keys, pace, patience, reads and routing. */
function drawClientOptions(scenario: Scenario, random: Random): ClientOptions {
  const draw = (minimum: number, maximum: number) => Math.round(minimum + (random.integer(clientStream, 0, 1000) / 1000) * (maximum - minimum));
  const clients = { ...(scenario.clients ?? defaultClientOptions()) };
  clients.count = draw(1, 6);
  clients.keys = draw(1, 5);
  clients.requestIntervalMs = { minMs: 1, maxMs: draw(5, 200) };
  clients.timeoutMs = draw(20, 500);
  clients.retriesMax = draw(0, 5);
  clients.reads = random.chance(clientStream, 0.5) ? 'readIndex' : 'log';
  clients.operations = { get: draw(1, 4), put: draw(0, 2), append: draw(0, 2) };
  // Drawn last, so the draws before it are what they were before this dimension existed.
  clients.routing = random.chance(clientStream, 0.5) ? 'any' : 'leader';
  return clients;
}

/**
 * Membership churn (feature 'membership'), on for about half the seeds, on a stream of its own: a
 * 0 choice leaves the scenario's own membership options (none in swarm.json) as they are. On about
 * half of those, changes at each new leader and partitions right after a change, as one block.
 */
function drawSwarmMembership(scenario: Scenario, random: Random): void {
  const membershipStream = 'swarm/membership';
  if (!random.chance(membershipStream, 0.5)) return;
  const between = (minimum: number, maximum: number) => minimum + (random.integer(membershipStream, 0, 1000) / 1000) * (maximum - minimum);
  const membership = { ...(scenario.membership ?? defaultMembershipOptions()) };
  membership.spares = Math.round(between(1, 3));
  membership.changesPerSecond = rounded(between(0.5, 6), 2);
  membership.jointProbability = rounded(between(0, 0.6), 2);
  membership.removed = random.chance(membershipStream, 0.5) ? 'keep' : 'wipe';
  // Drawn last, so the draws before them are what they were before these dimensions existed, and
  // taken on every such seed whatever the block draws: changes that race leadership, as one block
  // on about half of these seeds, a change the moment a new leader shows (before it has committed
  // anything of its term) and a partition that leaves a leader's accepted change on a minority
  // while the rest elect another leader. Each alone rarely reaches a change that a second leader
  // must overrule (drawn apart, the 2015 bug was not found in 2,000 seeds; docs/BENCHMARKS.md).
  const afterElectionProbability = rounded(between(0.2, 1), 2);
  const partitionAfterChangeProbability = rounded(between(0.2, 1), 2);
  if (random.chance(membershipStream, 0.5)) {
    membership.afterElectionProbability = afterElectionProbability;
    membership.partitionAfterChangeProbability = partitionAfterChangeProbability;
  }
  scenario.membership = membership;
}

/** The features drawn as one block by drawLeadershipOptions. */
const leadershipFeatures: readonly Feature[] = ['preVote', 'checkQuorum', 'leaseReads', 'leadershipTransfer'];

/**
 * Pre-vote, check-quorum, lease reads and transfers, drawn as one block on about half the seeds
 * where any of their features is drawn and the scenario lists features beside them (stream
 * 'swarm/leadership'; the default swarm), so that a good share of its seeds still runs the
 * paper's core: with each of the four on for half the seeds independently, only one seed in
 * sixteen would run none of them. A scenario that lists only these (swarm-leadership) asks for
 * them: there the block is on for every seed, with no draw taken. Inside the block, pre-vote, check-quorum and lease
 * reads are each on for about half the seeds, and transfers (feature 'leadershipTransfer') for
 * about half, from a calm rate to a storm. Each on a stream of its own, taken only where the block
 * is on and its feature is drawn, so that nothing drawn before moves. A seed with lease reads keeps
 * its clock faults within the drift the implementation declares (unless the scenario allows
 * unsafe faults), and has clients that read from the lease.
 */
function drawLeadershipOptions(scenario: Scenario, random: Random, features: readonly Feature[], listed: readonly Feature[], leaseDriftMax: number): void {
  if (!features.some((feature) => leadershipFeatures.includes(feature))) return;
  const mixed = listed.some((feature) => !leadershipFeatures.includes(feature));
  if (mixed && !random.chance('swarm/leadership', 0.5)) return;
  const options = scenario.implementation;
  for (const option of ['preVote', 'checkQuorum', 'leaseReads'] as const) {
    if (features.includes(option) && random.chance(`swarm/${option}`, 0.5)) options[option] = true;
  }
  if (options.leaseReads === true) {
    keepWithinLeaseAssumption(scenario, leaseDriftMax);
    // Only reads exercise a lease: a lease seed has clients (drawn now, further on their stream,
    // where the seed drew none), and they read from the lease whatever read mode they drew.
    scenario.clients = { ...(scenario.clients ?? drawClientOptions(scenario, random)), reads: 'lease' };
  }
  const transferStream = 'swarm/transfers';
  if (!features.includes('leadershipTransfer') || !random.chance(transferStream, 0.5)) return;
  const transfers = { ...(scenario.transfers ?? defaultTransferOptions()) };
  transfers.perSecond = rounded(0.2 + (random.integer(transferStream, 0, 1000) / 1000) * 9.8, 2);
  transfers.target = random.chance(transferStream, 0.5) ? 'lagging' : 'any';
  scenario.transfers = transfers;
}

/**
 * Replication batch size and timer lengths. Small batches make a leader's log reach followers
 * one entry at a time, and short heartbeats against long elections (or the reverse) change
 * which messages race: the orderings behind bugs such as Figure 8 need both. Election timeouts
 * stay randomized over a range at least half their minimum wide, and heartbeats at most a third
 * of the shortest election timeout, so the correct Raft's liveness assumptions still hold.
 */
function drawImplementationOptions(scenario: Scenario, random: Random, on: () => boolean): void {
  const options = scenario.implementation;
  const batches = [1, 1, 2, 4];
  const batch = batches[random.index(stream, batches.length)];
  if (on()) options.entriesPerMessageMax = batch;
  const electionTicksMin = 10 + random.index(stream, 21);
  const spreadTicks = Math.ceil(electionTicksMin / 2) + random.index(stream, electionTicksMin + 1);
  const heartbeatTicks = 1 + random.index(stream, Math.floor(electionTicksMin / 3));
  if (on()) {
    options.electionTicksMin = electionTicksMin;
    options.electionTicksMax = electionTicksMin + spreadTicks;
    options.heartbeatTicks = heartbeatTicks;
  }
}

/**
 * Per-link timing: some directed links fast and steady, some slow, the rest as drawn above.
 * Asymmetric links let one follower hear a leader long before another does, and a stale
 * message overtake a fresh one on another path. A slow link stays under a third of the
 * shortest election timeout, so that a correct cluster can still keep a leader in calm weather.
 * Every link takes its draws whether the dimension is on or not, so the number of draws is fixed.
 */
function drawLinkAsymmetry(scenario: Scenario, random: Random, on: () => boolean, nodes: number): void {
  const network = scenario.network;
  const slowMsMax = Math.max(network.delay.maxMs, Math.floor((scenario.implementation.electionTicksMin * scenario.tickMs) / 3));
  const links: LinkOptions[] = [];
  for (let from = 1; from <= nodes; from += 1) {
    for (let to = 1; to <= nodes; to += 1) {
      if (from === to) continue;
      const kind = random.index(stream, 3);
      const slowMs = Math.round(between(random, network.delay.maxMs, slowMsMax));
      if (kind === 1) links.push({ from, to, delay: { distribution: 'constant', minMs: network.delay.minMs, maxMs: network.delay.minMs } });
      if (kind === 2) links.push({ from, to, delay: { distribution: 'uniform', minMs: network.delay.minMs, maxMs: Math.max(network.delay.minMs, slowMs) } });
    }
  }
  if (on()) network.links = [...network.links, ...links];
}

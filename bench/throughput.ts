// npm run bench: simulator throughput. Prints events per second for a 5-node reference cluster
// on the default scenario with every invariant on, the same with membership churn and snapshots
// on (issue 17's features, the reference lists both), the same with every feature of protocol v2
// on (issue 18's too: pre-vote, check-quorum, lease reads by clients, transfers), the same without
// invariants, and, in the
// same process, a bare event loop on the same queue with a trivial handler: the ceiling.
// Figures go to docs/BENCHMARKS.md by hand, with the date and the machine.

import { cpus } from 'node:os';
import { referenceImplementation } from '../src/adapters/reference.js';
import { EventQueue } from '../src/core/queue.js';
import type { Scheduled } from '../src/core/queue.js';
import { wallClockMs } from '../src/core/wallClock.js';
import { allInvariants } from '../invariants/index.js';
import { checkLinearizability } from '../invariants/linearizability.js';
import type { InvariantDefinition } from '../invariants/types.js';
import type { Scenario } from '../src/sim/scenario.js';
import { defaultClientOptions, defaultScenario } from '../src/sim/scenario.js';
import { Simulation } from '../src/sim/simulation.js';
import { checkedHistory } from '../src/world/history.js';

const json = process.argv.includes('--json');
const seedsArgument = process.argv.find((argument) => argument.startsWith('--seeds='));
const seedCount = seedsArgument === undefined ? 120 : Number(seedsArgument.split('=')[1]);

/** The default scenario with both features of issue 17 on: two spares joining and leaving, a snapshot every 8 entries. */
function featuresScenario(): Scenario {
  const scenario = defaultScenario();
  scenario.implementation.snapshotEntriesThreshold = 8;
  scenario.membership = { spares: 2, changesPerSecond: 1, jointProbability: 0.3, removed: 'wipe' };
  return scenario;
}

/**
 * The default scenario with every protocol-v2 feature the reference lists: membership churn and
 * snapshots as above, pre-vote, check-quorum, a transfer every half second, and clients reading
 * from the leader's lease (clocks drifting within the declared bound).
 */
function everyFeatureScenario(): Scenario {
  const scenario = featuresScenario();
  Object.assign(scenario.implementation, { preVote: true, checkQuorum: true, leaseReads: true });
  scenario.transfers = { perSecond: 2, target: 'any' };
  scenario.clocks = { ...scenario.clocks, driftMax: 0.05 };
  scenario.clients = { ...defaultClientOptions(), reads: 'lease', routing: 'any' };
  return scenario;
}

function simulationRate(invariants: readonly InvariantDefinition[], seeds: number, scenario: Scenario = defaultScenario()): { events: number; wallMs: number; rate: number } {
  const implementation = referenceImplementation();
  let events = 0;
  const started = wallClockMs();
  for (let seed = 1; seed <= seeds; seed += 1) {
    events += new Simulation({ implementation, scenario, seed, invariants }).run().events;
  }
  const wallMs = wallClockMs() - started;
  return { events, wallMs, rate: (events / wallMs) * 1000 };
}

/**
 * The end-of-run linearizability check with clients on (the default scenario, default clients):
 * its wall time per run, timed apart from the run by checking each run's history again.
 */
function historyCheckCost(seeds: number): { runMsPerSeed: number; checkMsPerSeed: number; operationsPerSeed: number } {
  const implementation = referenceImplementation();
  const scenario = { ...defaultScenario(), clients: defaultClientOptions() };
  let runMs = 0;
  let checkMs = 0;
  let operations = 0;
  for (let seed = 1; seed <= seeds; seed += 1) {
    const started = wallClockMs();
    const history = checkedHistory(new Simulation({ implementation, scenario, seed, invariants: allInvariants }).run().history ?? []);
    const checked = wallClockMs();
    checkLinearizability(history, { stepsMax: scenario.clients.checkStepsMax });
    checkMs += wallClockMs() - checked;
    runMs += checked - started;
    operations += history.length;
  }
  return { runMsPerSeed: runMs / seeds, checkMsPerSeed: checkMs / seeds, operationsPerSeed: operations / seeds };
}

interface BareEvent extends Scheduled {
  node: number;
}

/** The same queue, a handler that does nothing but schedule the next event: the loop's ceiling. */
function bareLoopRate(eventCount: number): { events: number; wallMs: number; rate: number } {
  const queue = new EventQueue<BareEvent>();
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    return (state >>> 16) % 13;
  };
  // About as many pending events as a 5-node run keeps in flight.
  for (let node = 0; node < 60; node += 1) queue.push({ timeMs: next(), sequence: 0, node });
  let handled = 0;
  const started = wallClockMs();
  while (handled < eventCount) {
    const event = queue.pop() as BareEvent;
    handled += 1;
    queue.push({ timeMs: event.timeMs + 1 + next(), sequence: 0, node: event.node });
  }
  const wallMs = wallClockMs() - started;
  return { events: handled, wallMs, rate: (handled / wallMs) * 1000 };
}

// Warm up the JIT on every path before measuring.
simulationRate(allInvariants, 10);
simulationRate(allInvariants, 10, featuresScenario());
simulationRate(allInvariants, 10, everyFeatureScenario());
bareLoopRate(500_000);

// Three alternating rounds, medians reported: the machines are shared, and one round can land
// on a busy moment.
const rounds = 3;
const fullRounds: ReturnType<typeof simulationRate>[] = [];
const featuresRounds: ReturnType<typeof simulationRate>[] = [];
const everyFeatureRounds: ReturnType<typeof simulationRate>[] = [];
const bareRounds: ReturnType<typeof simulationRate>[] = [];
const ceilingRounds: ReturnType<typeof bareLoopRate>[] = [];
for (let round = 0; round < rounds; round += 1) {
  fullRounds.push(simulationRate(allInvariants, seedCount));
  featuresRounds.push(simulationRate(allInvariants, seedCount, featuresScenario()));
  everyFeatureRounds.push(simulationRate(allInvariants, seedCount, everyFeatureScenario()));
  bareRounds.push(simulationRate([], seedCount));
  ceilingRounds.push(bareLoopRate(Math.max(2_000_000, fullRounds[0].events)));
}
const clientSeeds = Math.max(10, Math.round(seedCount / 4));
const historyCheck = historyCheckCost(clientSeeds);
const median = <T extends { rate: number }>(values: T[]): T => [...values].sort((a, b) => a.rate - b.rate)[Math.floor(values.length / 2)];
const full = median(fullRounds);
const features = median(featuresRounds);
const everyFeature = median(everyFeatureRounds);
const bare = median(bareRounds);
const ceiling = median(ceilingRounds);
const result = {
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
  seeds: seedCount,
  rounds,
  scenario: 'default (5 nodes)',
  withInvariantsEventsPerSecond: Math.round(full.rate),
  membershipAndSnapshotsEventsPerSecond: Math.round(features.rate),
  everyFeatureEventsPerSecond: Math.round(everyFeature.rate),
  withoutInvariantsEventsPerSecond: Math.round(bare.rate),
  bareLoopEventsPerSecond: Math.round(ceiling.rate),
  ratioToBareLoop: Number((full.rate / ceiling.rate).toFixed(3)),
  invariantOverhead: Number((1 - full.rate / bare.rate).toFixed(3)),
  events: full.events,
  clientSeeds,
  clientRunMsPerSeed: Number(historyCheck.runMsPerSeed.toFixed(1)),
  historyCheckMsPerSeed: Number(historyCheck.checkMsPerSeed.toFixed(2)),
  historyOperationsPerSeed: Math.round(historyCheck.operationsPerSeed),
};

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(44)}${value}\n`);
  process.stdout.write(`raftcheck bench: ${result.machine}; medians of ${rounds} rounds\n`);
  line(`simulation, all invariants (${seedCount} seeds)`, `${result.withInvariantsEventsPerSecond.toLocaleString('en-US')} events/s`);
  line('simulation, membership and snapshots on', `${result.membershipAndSnapshotsEventsPerSecond.toLocaleString('en-US')} events/s`);
  line('simulation, every feature on', `${result.everyFeatureEventsPerSecond.toLocaleString('en-US')} events/s`);
  line('simulation, no invariants', `${result.withoutInvariantsEventsPerSecond.toLocaleString('en-US')} events/s`);
  line('bare event loop (ceiling)', `${result.bareLoopEventsPerSecond.toLocaleString('en-US')} events/s`);
  line('ratio to the bare loop', `${result.ratioToBareLoop}`);
  line('cost of the invariants', `${(result.invariantOverhead * 100).toFixed(1)}%`);
  line(
    `end-of-run linearizability check (${clientSeeds} seeds)`,
    `${result.historyCheckMsPerSeed} ms a run (${result.historyOperationsPerSeed} operations; the whole run, check included, ${result.clientRunMsPerSeed} ms)`,
  );
}

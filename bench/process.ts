// npm run bench:process: events per second of the reference over the process protocol
// (node dist/src/adapters/referenceProcess.js, one process per node) beside the same seeds in
// process, on the default scenario with every invariant on, and the bare round-trip time of one
// input. The aim is 50,000 events/s over the protocol; figures go to docs/BENCHMARKS.md.
//
//   node dist/bench/process.js [--seeds=50] [--json]

import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { processImplementation } from '../src/adapters/process.js';
import { closeProcessHost } from '../src/adapters/process/host.js';
import { referenceImplementation } from '../src/adapters/reference.js';
import type { Implementation } from '../src/contract/contract.js';
import { runSeed } from '../src/check/run.js';
import { wallClockMs } from '../src/core/wallClock.js';
import { defaultScenario } from '../src/sim/scenario.js';

const json = process.argv.includes('--json');
const seedsArgument = process.argv.find((argument) => argument.startsWith('--seeds='));
const seedCount = seedsArgument === undefined ? 50 : Number(seedsArgument.split('=')[1]);
const referenceProgram = fileURLToPath(new URL('../src/adapters/referenceProcess.js', import.meta.url));

function rate(implementation: Implementation): { events: number; wallMs: number; eventsPerSecond: number; instances: number } {
  let instances = 0;
  const counted: Implementation = { ...implementation, createNode: () => ((instances += 1), implementation.createNode()) };
  let events = 0;
  const startedMs = wallClockMs();
  for (let seed = 1; seed <= seedCount; seed += 1) events += runSeed({ seed, implementation: counted, scenario: defaultScenario() }).events;
  const wallMs = wallClockMs() - startedMs;
  return { events, wallMs, eventsPerSecond: Math.round((events / wallMs) * 1000), instances };
}

/** Microseconds per tick round trip on one started node, with no election in sight. */
function roundTripMicroseconds(implementation: Implementation): number {
  const node = implementation.createNode();
  const options = { electionTicksMin: 1_000_000, electionTicksMax: 2_000_000, heartbeatTicks: 3, entriesPerMessageMax: 64 };
  node.step({ kind: 'start', id: 1, members: [1, 2, 3], seed: 1, records: [], options });
  const count = 20_000;
  const startedMs = wallClockMs();
  for (let index = 0; index < count; index += 1) node.step({ kind: 'tick' });
  const microseconds = ((wallClockMs() - startedMs) * 1000) / count;
  node.dispose?.();
  return Number(microseconds.toFixed(1));
}

const overProtocol = processImplementation({ program: { command: process.execPath, args: [referenceProgram] } });
runSeed({ seed: 1000, implementation: referenceImplementation() }); // warm-up
const inProcess = rate(referenceImplementation());
const viaProcess = rate(overProtocol);
const roundTrip = roundTripMicroseconds(overProtocol);
closeProcessHost();

const result = {
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
  scenario: 'default (5 nodes)',
  seeds: seedCount,
  inProcessEventsPerSecond: inProcess.eventsPerSecond,
  processEventsPerSecond: viaProcess.eventsPerSecond,
  processes: viaProcess.instances,
  processWallMs: Math.round(viaProcess.wallMs),
  tickRoundTripMicroseconds: roundTrip,
  events: viaProcess.events,
};
if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(46)}${value}\n`);
  process.stdout.write(`raftcheck bench:process: ${result.machine}\n`);
  line(`in process (${seedCount} seeds)`, `${result.inProcessEventsPerSecond.toLocaleString('en-US')} events/s`);
  line('over the process protocol', `${result.processEventsPerSecond.toLocaleString('en-US')} events/s (${result.processes} processes started)`);
  line('one tick round trip', `${result.tickRoundTripMicroseconds} us`);
}

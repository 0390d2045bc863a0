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
import { runSeed } from '../src/check/run.js';
import { eventRate, roundTripMicroseconds } from './rates.js';

const json = process.argv.includes('--json');
const seedsArgument = process.argv.find((argument) => argument.startsWith('--seeds='));
const seedCount = seedsArgument === undefined ? 50 : Number(seedsArgument.split('=')[1]);
const referenceProgram = fileURLToPath(new URL('../src/adapters/referenceProcess.js', import.meta.url));

const overProtocol = processImplementation({ program: { command: process.execPath, args: [referenceProgram] } });
runSeed({ seed: 1000, implementation: referenceImplementation() }); // warm-up
const inProcess = eventRate(referenceImplementation(), seedCount);
const viaProcess = eventRate(overProtocol, seedCount);
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

// npm run bench:wasm: events per second of etcd's raft (adapters/etcd-raft) built for wasm and
// run in-process by src/adapters/wasm, beside the same source as a program over the process
// protocol, of hashicorp/raft (adapters/hashicorp-raft, time-driven) in wasm and of TiKV's raft-rs
// (adapters/raft-rs, a Rust program over the process protocol), on the default scenario with every
// invariant on, one thread each, in one run; and the bare round trip of one tick input (etcd,
// raft-rs). The aim is 150,000 events/s for etcd in wasm; figures go to
// docs/BENCHMARKS.md.
//
// Durability probes as each implementation has them by default (on in wasm, off over pipes);
// --probes or --no-probes sets them for every row, and --wasm-only leaves out the programs, to
// measure what the probes cost the wasm guests.
//
//   node dist/bench/wasm.js [--seeds=20] [--probes | --no-probes] [--wasm-only] [--json]

import { cpus } from 'node:os';
import { etcdAdapterCommand, etcdAdapterModule } from '../src/adapters/etcd.js';
import { hashicorpAdapterModule } from '../src/adapters/hashicorp.js';
import { processImplementation } from '../src/adapters/process.js';
import { raftRsAdapterCommand } from '../src/adapters/raftRs.js';
import { closeProcessHost } from '../src/adapters/process/host.js';
import { wasmImplementation } from '../src/adapters/wasm/host.js';
import type { Implementation } from '../src/contract/contract.js';
import { runSeed } from '../src/check/run.js';
import type { Rate } from './rates.js';
import { eventRate, roundTripMicroseconds } from './rates.js';
import type { Scenario } from '../src/sim/scenario.js';
import { defaultScenario } from '../src/sim/scenario.js';

const json = process.argv.includes('--json');
const seedsArgument = process.argv.find((argument) => argument.startsWith('--seeds='));
const seedCount = seedsArgument === undefined ? 20 : Number(seedsArgument.split('=')[1]);
const probesArgument = process.argv.find((argument) => argument === '--probes' || argument === '--no-probes');
const scenario: Scenario = probesArgument === undefined ? defaultScenario() : { ...defaultScenario(), durabilityProbes: probesArgument === '--probes' };
const wasmOnly = process.argv.includes('--wasm-only');

function rate(implementation: Implementation, roundTrip: boolean): Rate & { tickRoundTripMicroseconds: number | null } {
  runSeed({ seed: 1000, implementation, scenario }); // warm-up (the JIT's tiers, the program's spares)
  const figures = eventRate(implementation, seedCount, scenario);
  return { ...figures, wallMs: Math.round(figures.wallMs), tickRoundTripMicroseconds: roundTrip ? roundTripMicroseconds(implementation) : null };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const etcdInWasm = rate(wasmImplementation({ path: etcdAdapterModule({ build: true, log }) }), true);
const etcdOverPipes = wasmOnly ? null : rate(processImplementation({ program: etcdAdapterCommand({ build: true, log }) }), true);
const raftRsOverPipes = wasmOnly ? null : rate(processImplementation({ program: raftRsAdapterCommand({ build: true, log }) }), true);
closeProcessHost();
// Time-driven: it gets advances, not ticks, so it has no tick round trip.
const hashicorpInWasm = rate(wasmImplementation({ path: hashicorpAdapterModule({ build: true, log }) }), false);

const result = {
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
  scenario: 'default (5 nodes)',
  seeds: seedCount,
  durabilityProbes: probesArgument === undefined ? 'default' : probesArgument === '--probes',
  etcdInWasm,
  etcdOverPipes,
  raftRsOverPipes,
  hashicorpInWasm,
};

if (json) console.log(JSON.stringify(result));
else {
  console.log(`bench:wasm on ${result.machine}: ${result.scenario}, ${seedCount} seeds each, every invariant on, one thread`);
  const rows = [
    ['etcd in wasm (in-process)', etcdInWasm],
    ['etcd over pipes (process)', etcdOverPipes],
    ['raft-rs over pipes (process)', raftRsOverPipes],
    ['hashicorp/raft in wasm', hashicorpInWasm],
  ] as const;
  for (const [name, figures] of rows) {
    if (figures === null) continue;
    const roundTrip = figures.tickRoundTripMicroseconds === null ? '' : `; a tick's round trip ${figures.tickRoundTripMicroseconds} us`;
    const perCpuSecond = `${figures.eventsPerCpuSecond} per second of this process's CPU`;
    console.log(`  ${name.padEnd(28)} ${String(figures.eventsPerSecond).padStart(8)} events/s, ${perCpuSecond}  (${figures.events} events in ${figures.wallMs} ms, ${figures.instances} node instances${roundTrip})`);
  }
}

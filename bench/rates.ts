// Rates of an implementation, for bench:process and bench:wasm: events per second over seeds of
// the default scenario, and the bare cost of one input crossing to a node and back.

import type { Implementation } from '../src/contract/contract.js';
import { runSeed } from '../src/check/run.js';
import { wallClockMs } from '../src/core/wallClock.js';
import type { Scenario } from '../src/sim/scenario.js';
import { defaultScenario } from '../src/sim/scenario.js';

export interface Rate {
  events: number;
  wallMs: number;
  eventsPerSecond: number;
  /**
   * Events per second of this process's CPU time (all its threads; not a program's, over pipes):
   * the figure that holds on a loaded machine, where wall time counts other people's work.
   */
  eventsPerCpuSecond: number;
  /** Node instances made (processes or wasm instances). */
  instances: number;
}

/** Events per second over seeds 1..seedCount of the default scenario (or `scenario`), every invariant on. */
export function eventRate(implementation: Implementation, seedCount: number, scenario: Scenario = defaultScenario()): Rate {
  let instances = 0;
  const counted: Implementation = { ...implementation, createNode: () => ((instances += 1), implementation.createNode()) };
  let events = 0;
  const startedMs = wallClockMs();
  const cpuBefore = process.cpuUsage();
  for (let seed = 1; seed <= seedCount; seed += 1) events += runSeed({ seed, implementation: counted, scenario }).events;
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = wallClockMs() - startedMs;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { events, wallMs, eventsPerSecond: Math.round((events / wallMs) * 1000), eventsPerCpuSecond: Math.round((events / cpuMs) * 1000), instances };
}

/** Microseconds per tick round trip on one started node. */
export function roundTripMicroseconds(implementation: Implementation): number {
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

// Swarm testing (Groce et al., ISSTA'12; TigerBeetle's VOPR options_swarm): instead of one fixed
// fault mix, the seed first draws which fault processes are on and how hard they push, then
// runs. A few thousand seeds then cover many mixes, including the sparse ones where a bug is
// not drowned out by other faults.
//
// Every draw is on the "swarm" stream and so in the choice sequence: a 0 choice turns a process
// off, so shrinking a failing run's choices also switches off the faults it did not need.

import type { Random } from '../core/random.js';
import type { PartitionShape, Scenario } from './scenario.js';
import { partitionShapes } from './scenario.js';

const stream = 'swarm';

/** A uniform draw in [minimum, maximum] at 1/1000 resolution; a 0 choice gives the minimum. */
function between(random: Random, minimum: number, maximum: number): number {
  return minimum + (random.integer(stream, 0, 1000) / 1000) * (maximum - minimum);
}

function rounded(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The scenario a swarm seed runs: the base scenario with its fault processes drawn. */
export function drawSwarmScenario(base: Scenario, random: Random): Scenario {
  const scenario: Scenario = structuredClone(base);
  const on = () => random.chance(stream, 0.5);
  const faults = scenario.faults;
  faults.crash.perSecond = on() ? rounded(between(random, 0.1, 2)) : 0;
  faults.crash.target = (['any', 'leader', 'follower'] as const)[random.index(stream, 3)];
  faults.crash.afterLeaderCommitProbability = on() ? rounded(between(random, 0.005, 0.1)) : 0;
  faults.partition.perSecond = on() ? rounded(between(random, 0.1, 1.5)) : 0;
  const shapes: PartitionShape[] = partitionShapes.filter(() => on());
  faults.partition.shapes = shapes.length > 0 ? shapes : ['isolate'];
  faults.pause.perSecond = on() ? rounded(between(random, 0.1, 1)) : 0;
  faults.slow.perSecond = on() ? rounded(between(random, 0.1, 1)) : 0;

  const network = scenario.network;
  network.dropProbability = on() ? rounded(between(random, 0.001, 0.2)) : 0;
  network.duplicateProbability = on() ? rounded(between(random, 0.001, 0.1)) : 0;
  network.longDelayProbability = on() ? rounded(between(random, 0.001, 0.03), 4) : 0;
  const distribution = (['uniform', 'constant', 'exponential'] as const)[random.index(stream, 3)];
  const maxMs = Math.round(between(random, 2, 60));
  network.delay = { distribution, minMs: 1, maxMs, ...(distribution === 'exponential' ? { meanMs: Math.max(1, Math.round(maxMs / 4)) } : {}) };

  const storage = scenario.storage;
  storage.syncLatencyMs = on() ? { minMs: 0, maxMs: Math.round(between(random, 1, 30)) } : { minMs: 0, maxMs: 0 };
  storage.tornWriteProbability = on() ? rounded(between(random, 0.1, 1)) : 0;

  const clocks = scenario.clocks;
  clocks.driftMax = on() ? rounded(between(random, 0.01, 0.3)) : 0;
  clocks.jumpsPerSecond = on() ? rounded(between(random, 0.1, 1)) : 0;

  scenario.workload.proposalsPerSecond = rounded(between(random, 5, 120), 1);
  return scenario;
}

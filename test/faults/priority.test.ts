// PCT priority scheduling: each node gets a rank, and a message sent in the fault phase waits one
// tier per rank its sender sits below the top, so the top node's messages win every race. At
// each change point the top node drops to the bottom. Every draw is on the "pct" stream, taken
// once when the network is built: the portfolio's pick, a Fisher-Yates shuffle of the ids, then
// the change points. Probes send Pings on a fixed pattern; the choices are picked by hand.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/core/ids.js';
import { runSeed } from '../../src/check/run.js';
import { withStrategy } from '../../src/check/options.js';
import type { PriorityOptions, Scenario } from '../../src/sim/scenario.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { parseScenario } from '../../src/sim/scenarioSchema.js';
import type { SimulationOptions } from '../../src/sim/simulation.js';
import type { ProbeLog } from './probes.js';
import { pingEveryTick, pingOnFirstTick, quietScenario, runProbe } from './probes.js';

const tierMs = 10;

/** A quiet world (every message takes exactly 1 ms) with priority scheduling as given. */
function prioritized(priority: PriorityOptions | undefined, durationMs = 1_000): Scenario {
  const scenario = quietScenario(durationMs);
  if (priority !== undefined) scenario.network.priority = priority;
  return scenario;
}

/** Replays these "pct" choices; every other stream draws 0 (the quiet world needs no others). */
function pct(...values: number[]): NonNullable<SimulationOptions['choices']> {
  return { pct: values };
}

/** The set of delays (arrival minus send time) of each sender's delivered messages. */
function delaysBySender(log: ProbeLog, keep: (sentAtMs: number) => boolean = () => true): Map<NodeId, number[]> {
  const delays = new Map<NodeId, Set<number>>();
  for (const delivery of log.deliveries()) {
    if (!keep(delivery.sentAtMs)) continue;
    const seen = delays.get(delivery.from) ?? new Set<number>();
    seen.add(delivery.atMs - delivery.sentAtMs);
    delays.set(delivery.from, seen);
  }
  return new Map([...delays].sort(([a], [b]) => a - b).map(([node, seen]) => [node, [...seen].sort((a, b) => a - b)]));
}

/** Every delivery as plain data, for comparing two runs. */
function arrivals(log: ProbeLog) {
  return log.deliveries().map(({ from, to, seq, sentAtMs, atMs }) => ({ from, to, seq, sentAtMs, atMs }));
}

describe('PCT priority scheduling', () => {
  it('delivers a ping from n3 exactly two tiers later than one n1 sent at the same time, with all-0 choices', () => {
    const scenario = prioritized({ strategy: 'pct', changePoints: 0, tierMs });
    const { log } = runProbe({ scenario, behaviour: pingOnFirstTick([1, 3], [2]), choices: pct() });
    const [fromFirst, fromThird] = [1, 3].map((from) => log.deliveries().find((delivery) => delivery.from === from)!);
    expect(fromThird.sentAtMs).toBe(fromFirst.sentAtMs);
    expect(fromFirst.atMs - fromFirst.sentAtMs).toBe(1);
    expect(fromThird.atMs - fromFirst.atMs).toBe(2 * tierMs);
  });

  it('keeps the ids in order with all-0 choices: each id down adds one tier', () => {
    const scenario = prioritized({ strategy: 'pct', changePoints: 0, tierMs });
    const { log } = runProbe({ scenario, behaviour: pingOnFirstTick('all'), choices: pct() });
    expect(delaysBySender(log)).toEqual(
      new Map([
        [1, [1]],
        [2, [1 + tierMs]],
        [3, [1 + 2 * tierMs]],
        [4, [1 + 3 * tierMs]],
        [5, [1 + 4 * tierMs]],
      ]),
    );
  });

  it("makes the tier the network's maximum delay when tierMs is not given", () => {
    const scenario = prioritized({ strategy: 'pct', changePoints: 0 });
    scenario.network.delay = { distribution: 'constant', minMs: 7, maxMs: 7 };
    const { log } = runProbe({ scenario, behaviour: pingOnFirstTick([3], [1]), choices: pct() });
    expect(delaysBySender(log)).toEqual(new Map([[3, [7 + 2 * 7]]]));
  });

  it('puts the node a chosen shuffle picks on top', () => {
    // The shuffle walks index 4 down to 1 and swaps order[index] with order[index - choice]:
    // choices 0, 0, 2, 0 swap only order[2] with order[0], giving the order n3, n2, n1, n4, n5.
    const scenario = prioritized({ strategy: 'pct', changePoints: 0, tierMs });
    const { log } = runProbe({ scenario, behaviour: pingOnFirstTick('all'), choices: pct(0, 0, 0, 2, 0) });
    expect(delaysBySender(log)).toEqual(
      new Map([
        [1, [1 + 2 * tierMs]],
        [2, [1 + tierMs]],
        [3, [1]],
        [4, [1 + 3 * tierMs]],
        [5, [1 + 4 * tierMs]],
      ]),
    );
  });

  it("drops the top node to the bottom at a change point, so that its messages then take the longest", () => {
    const scenario = prioritized({ strategy: 'pct', changePoints: 1, tierMs });
    // Pick, shuffle (id order), one change point at 500 ms.
    const { log } = runProbe({ scenario, behaviour: pingEveryTick('all'), choices: pct(0, 0, 0, 0, 0, 500) });
    expect(delaysBySender(log, (sentAtMs) => sentAtMs < 500).get(1)).toEqual([1]);
    const after = delaysBySender(log, (sentAtMs) => sentAtMs >= 500);
    expect(after).toEqual(
      new Map([
        [1, [1 + 4 * tierMs]],
        [2, [1]],
        [3, [1 + tierMs]],
        [4, [1 + 2 * tierMs]],
        [5, [1 + 3 * tierMs]],
      ]),
    );
  });

  it('applies the change points in time order, whatever order they were drawn in', () => {
    const scenario = prioritized({ strategy: 'pct', changePoints: 2, tierMs });
    // Drawn as 700 ms, then 300 ms: n1 drops at 300 ms, n2 at 700 ms.
    const { log } = runProbe({ scenario, behaviour: pingEveryTick('all'), choices: pct(0, 0, 0, 0, 0, 700, 300) });
    const bottom = 1 + 4 * tierMs;
    expect(delaysBySender(log, (sentAtMs) => sentAtMs >= 300 && sentAtMs < 700).get(1)).toEqual([bottom]);
    expect(delaysBySender(log, (sentAtMs) => sentAtMs >= 700).get(2)).toEqual([bottom]);
    expect(delaysBySender(log, (sentAtMs) => sentAtMs >= 700).get(3)).toEqual([1]);
  });

  it('adds no tier delay once the network is calm in the liveness phase', () => {
    const scenario = prioritized({ strategy: 'pct', changePoints: 0, tierMs }, 500);
    scenario.liveness.enabled = true;
    scenario.liveness.electionTimeouts = 1;
    const { log } = runProbe({ scenario, behaviour: pingEveryTick('all'), choices: pct() });
    // In the fault phase the bottom node waits four tiers; after it, nobody waits at all.
    expect(delaysBySender(log, (sentAtMs) => sentAtMs < 500).get(5)).toEqual([1 + 4 * tierMs]);
    const calm = delaysBySender(log, (sentAtMs) => sentAtMs > 500);
    expect([...calm.keys()]).toEqual([1, 2, 3, 4, 5]);
    for (const [, delays] of calm) expect(delays).toEqual([1]);
  });

  it("adds nothing with strategy 'random': the same arrivals as with no priority at all", () => {
    const noisy = (priority: PriorityOptions | undefined) => {
      const scenario = prioritized(priority);
      scenario.network.delay = { distribution: 'uniform', minMs: 1, maxMs: 20 };
      return runProbe({ scenario, behaviour: pingEveryTick('all'), seed: 5 });
    };
    const plain = noisy(undefined);
    const random = noisy({ strategy: 'random', changePoints: 2, tierMs });
    expect(arrivals(random.log)).toEqual(arrivals(plain.log));
    expect(random.result.traceHash).toBe(plain.result.traceHash);
    expect(random.result.choices.pct).toBeUndefined();
  });

  it("adds nothing under 'portfolio' when its first choice is 0, whatever the shuffle", () => {
    const scenario = (priority: PriorityOptions | undefined) => {
      const built = prioritized(priority);
      built.network.delay = { distribution: 'uniform', minMs: 1, maxMs: 20 };
      return built;
    };
    const recorded = runProbe({ scenario: scenario(undefined), behaviour: pingEveryTick('all'), seed: 5 });
    const portfolio = runProbe({
      scenario: scenario({ strategy: 'portfolio', changePoints: 1, tierMs }),
      behaviour: pingEveryTick('all'),
      choices: { ...recorded.result.choices, pct: [0, 4, 3, 2, 1, 100] },
    });
    expect(arrivals(portfolio.log)).toEqual(arrivals(recorded.log));
  });

  it("behaves as 'pct' under 'portfolio' when its first choice wins", () => {
    const run = (strategy: 'pct' | 'portfolio', pick: number) =>
      runProbe({
        scenario: prioritized({ strategy, changePoints: 1, tierMs }),
        behaviour: pingEveryTick('all'),
        choices: pct(pick, 0, 0, 2, 0, 400),
      });
    const portfolio = run('portfolio', 999_999);
    expect(arrivals(portfolio.log)).toEqual(arrivals(run('pct', 0).log));
    expect(arrivals(portfolio.log)).not.toEqual(arrivals(runProbe({ scenario: prioritized(undefined), behaviour: pingEveryTick('all'), choices: pct() }).log));
  });

  it('takes the same number of "pct" draws whether the portfolio picks PCT or not', () => {
    // One pick, four shuffle draws for five nodes, two change points.
    const scenario = prioritized({ strategy: 'portfolio', changePoints: 2, tierMs }, 100);
    const picks = [0, 999_999].map((pick) => runProbe({ scenario, behaviour: {}, choices: pct(pick) }).result.choices.pct);
    expect(picks.map((choices) => choices.length)).toEqual([7, 7]);
  });

  it('gives the same trace hash twice for the same seed with PCT on, and a different one without it', () => {
    const scenario = defaultScenario();
    scenario.durationMs = 1_500;
    scenario.network.priority = { strategy: 'pct' };
    const first = runSeed({ seed: 11, scenario });
    const second = runSeed({ seed: 11, scenario });
    expect(second.traceHash).toBe(first.traceHash);
    expect(second.choices.pct).toEqual(first.choices.pct);
    const unprioritized = runSeed({ seed: 11, scenario: { ...scenario, network: { ...scenario.network, priority: undefined } } });
    expect(unprioritized.traceHash).not.toBe(first.traceHash);
  });
});

describe('withStrategy', () => {
  const scenarioWith = (priority: PriorityOptions | undefined): Scenario => prioritized(priority);

  it("lets an explicit strategy override the scenario's, keeping its PCT parameters", () => {
    const scenario = scenarioWith({ strategy: 'pct', changePoints: 5, tierMs: 30 });
    expect(withStrategy(scenario, 'random').network.priority).toEqual({ strategy: 'random', changePoints: 5, tierMs: 30 });
  });

  it('leaves the given scenario unchanged when it overrides the strategy', () => {
    const scenario = scenarioWith({ strategy: 'pct', changePoints: 5, tierMs: 30 });
    withStrategy(scenario, 'portfolio');
    expect(scenario.network.priority).toEqual({ strategy: 'pct', changePoints: 5, tierMs: 30 });
  });

  it("keeps the scenario's strategy when none is given", () => {
    const scenario = scenarioWith({ strategy: 'random', changePoints: 1 });
    expect(withStrategy(scenario, undefined).network.priority).toEqual({ strategy: 'random', changePoints: 1 });
  });

  it("gives a scenario without a strategy the default 'portfolio'", () => {
    expect(withStrategy(scenarioWith(undefined), undefined).network.priority).toEqual({ strategy: 'portfolio' });
  });
});

describe('priority in scenario files', () => {
  it('accepts network.priority and keeps it as written', () => {
    const parsed = parseScenario({ network: { priority: { strategy: 'pct', changePoints: 3, tierMs: 25 } } }, 'pct');
    expect(parsed.ok && parsed.scenario.network.priority).toEqual({ strategy: 'pct', changePoints: 3, tierMs: 25 });
  });

  it('accepts each strategy name', () => {
    for (const strategy of ['random', 'pct', 'portfolio']) {
      const parsed = parseScenario({ network: { priority: { strategy } } }, 'strategy');
      expect(parsed.ok, strategy).toBe(true);
    }
  });

  it('rejects a bad strategy name with a path naming network.priority.strategy', () => {
    const parsed = parseScenario({ network: { priority: { strategy: 'fastest' } } }, 'bad');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.map((error) => error.path)).toEqual(['network.priority.strategy']);
  });
});

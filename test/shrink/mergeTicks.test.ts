// The step stage's tick merge: once the steps between them are gone, a node's quiet ticks may
// stand as several tick steps in one row, which no removal can shorten (each holds ticks the path
// needs). The fixture is the shrink of config-on-commit-not-append at default swarm seed 433
// before the merge (0bc29cb, `--shrink-time 400`): a fixpoint of 79 steps, among them seven tick
// steps of n1 in a row (steps 54 to 60, 15 ticks in all).

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { shrinkExploreTrace } from '../../src/check/shrinkRun.js';
import { readTraceFile, replayTrace } from '../../src/check/traces.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { mergedTicks } from '../../src/shrink/steps.js';
import type { ExploreStep } from '../../src/world/system.js';

describe('mergedTicks', () => {
  it('makes a row of tick steps one step a node, their ticks added, in the order the nodes first appear', () => {
    const row = [
      { kind: 'tick', node: 2, ticks: 3 },
      { kind: 'tick', node: 1, ticks: 1 },
      { kind: 'tick', node: 2, ticks: 4 },
      { kind: 'tick', node: 1, ticks: 2 },
    ] as const;
    expect(mergedTicks(row)).toEqual([
      { kind: 'tick', node: 2, ticks: 7 },
      { kind: 'tick', node: 1, ticks: 3 },
    ]);
    expect(mergedTicks([{ kind: 'tick', node: 3, ticks: 5 }])).toEqual([{ kind: 'tick', node: 3, ticks: 5 }]);
  });
});

describe('the step stage merges a row of one node\'s tick steps (config-on-commit-not-append, 79-step fixpoint)', () => {
  const trace = readTraceFile(fileURLToPath(new URL('data/config-on-commit-not-append.79-steps.trace.json', import.meta.url)));
  const implementation = referenceImplementation(bugsFromNames(['config-on-commit-not-append']));
  const shrunk = shrinkExploreTrace(trace, { implementation, runsMax: 3000, timeBudgetMs: 600_000 });
  const steps = (shrunk.trace.explore as { steps?: ExploreStep[] } | undefined)?.steps;

  it('takes the path below its old fixpoint, to within 1.5x of the hand-written form (50 events)', () => {
    expect(trace.result.events).toBe(79);
    expect(shrunk.shrink.eventsAfter).toBeLessThanOrEqual(75);
    expect(shrunk.shrink.result.violation?.invariant).toBe('leader-completeness');
  });

  it('leaves no two tick steps of one node side by side, and replays to the same violation', () => {
    expect(steps).toBeDefined();
    const adjacent = steps!.some((step, index) => index > 0 && step.kind === 'tick' && steps![index - 1].kind === 'tick' && (steps![index - 1] as { node: number }).node === step.node);
    expect(adjacent).toBe(false);
    const replay = replayTrace(shrunk.trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('leader-completeness');
  });
});

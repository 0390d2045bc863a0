// Explore steps that carry clients' commands: the replay rebuilds the clients' history from them
// (recordSessionCommand into src/world/history.ts, the recorder the simulator's clients feed too)
// and checks it for linearizability at every completion, so that a failure judged on a history
// can be lifted and shrunk by its steps like any other. The rules are the simulator's clients'
// (one recorder); a wrong mapping of steps to them would show as a violation on the correct
// reference, which the property below looks for after removing steps at random (what the step
// shrinker does to a path).

import { describe, expect, it } from 'vitest';
import type { Command, Output } from '../../src/contract/contract.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import { replayTrace } from '../../src/check/traces.js';
import { ClientHistory, recordSessionCommand } from '../../src/world/history.js';
import { exploreInfoOf, replayExplorePath } from '../../src/shrink/paths.js';
import type { ExploreStep } from '../../src/world/system.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { shortenScenario } from '../../src/sim/scenario.js';
import { exploreTraceFormatVersion, parseTrace } from '../../src/sim/trace.js';
import { liftRun } from '../../src/shrink/lift.js';
import { possibleSteps } from '../../src/shrink/steps.js';
import { allInvariants } from '../../invariants/index.js';
import { assertNoViolationAfterRandomRemoval } from '../support/removal.js';
import { minimalScenarioOf } from '../bugs/minimalScenarios.js';

const command = (id: number, client: number, sequence: number, op: Command['op'] = 'append'): Command => ({ id, op, key: 'x1', value: `c${client}.${sequence};`, client, sequence });
const output = (parts: Partial<Output>): Output => ({ messages: [], records: [], sync: false, applied: [], answers: [], ...parts });
const accepted = (commandId: number) => output({ answers: [{ commandId, kind: 'accepted', index: 1, term: 1 }] });
const applied = (commandId: number) => output({ applied: [{ index: 1, term: 1, commandId }] });

describe('the clients of an explore path', () => {
  /** A recorder fed as the replay feeds it: each command reaches its node at its step. */
  function replayed() {
    const history = new ClientHistory();
    return {
      history,
      sent: (node: number, sent: Command, read: boolean, stepNumber: number) => recordSessionCommand(history, node, sent, read, stepNumber),
      completedBy: (node: number, stepped: Output, stepNumber: number) => history.stepped(node, stepped, stepNumber) > 0,
    };
  }

  it('takes the attempts of one session (client, sequence) as one operation, completed by its latest attempt', () => {
    const clients = replayed();
    clients.sent(1, command(10, 1, 1), false, 1);
    clients.completedBy(1, accepted(10), 1);
    clients.sent(2, command(11, 1, 1), false, 2); // the retry, at another node
    clients.completedBy(2, accepted(11), 2);
    expect(clients.completedBy(1, applied(10), 3)).toBe(false); // the abandoned attempt's node
    expect(clients.completedBy(2, applied(11), 4)).toBe(true);
    expect(clients.history.operations()).toEqual([
      expect.objectContaining({ id: 1, client: 1, kind: 'append', invokeMs: 1, attempts: 2, acceptedAttempts: 2, completion: { completeMs: 4 }, node: 2 }),
    ]);
  });

  it('gives up an open operation when the client starts its next one, and ignores a late duplicate', () => {
    const clients = replayed();
    clients.sent(1, command(10, 1, 1), false, 1);
    clients.completedBy(1, accepted(10), 1);
    clients.sent(1, command(12, 1, 2, 'set'), false, 2);
    clients.sent(1, command(13, 1, 1), false, 3); // sequence 1 again: a duplicate from the network
    clients.completedBy(1, applied(10), 4);
    const [first, second] = clients.history.operations();
    expect(first.completion).toBeUndefined(); // indeterminate: it may have taken effect
    expect(first.acceptedAttempts).toBe(1);
    expect(second).toMatchObject({ kind: 'put', invokeMs: 2, attempts: 1 });
    expect(clients.history.operations()).toHaveLength(2);
  });

  it('ignores a late duplicate of an operation that already completed', () => {
    const clients = replayed();
    clients.sent(1, command(10, 1, 1), false, 1);
    clients.completedBy(1, accepted(10), 1);
    clients.completedBy(1, applied(10), 2);
    clients.sent(2, command(11, 1, 1), false, 3);
    expect(clients.history.operations()).toEqual([expect.objectContaining({ attempts: 1, completion: { completeMs: 2 } })]);
  });

  it('does not complete an operation whose node crashed after taking it (the connection died)', () => {
    const clients = replayed();
    clients.sent(1, command(10, 1, 1), false, 1);
    clients.completedBy(1, accepted(10), 1);
    clients.history.crashed(1);
    expect(clients.completedBy(1, applied(10), 3)).toBe(false);
    expect(clients.history.checked()).toHaveLength(1); // accepted, so it may have taken effect
  });

  it('completes a read with the value its node answers, and records nothing for commands without a session', () => {
    const clients = replayed();
    clients.sent(1, { id: 20, op: 'get', key: 'x1', client: 2, sequence: 1 }, true, 1);
    clients.sent(1, { id: 21, op: 'set', key: 'k', value: 'v1' }, false, 2);
    expect(clients.completedBy(1, output({ answers: [{ commandId: 20, kind: 'read', value: 'c1.1;' }] }), 3)).toBe(true);
    expect(clients.history.operations()).toEqual([expect.objectContaining({ kind: 'get', completion: { completeMs: 3, result: 'c1.1;' } })]);
  });
});

describe('lifted client runs on the correct reference', () => {
  const scenario = shortenScenario(loadScenario('clients'), 1500);
  const implementation = referenceImplementation();
  const lifted = [1, 2, 3].map((seed) => {
    const run = runSeed({ seed, implementation, scenario });
    return liftRun({ implementation, scenario: run.scenario, invariants: allInvariants, choices: run.choices });
  });
  const path = (index: number) => ({ nodes: lifted[index].run.scenario.nodes, implementationOptions: lifted[index].run.scenario.implementation });

  it('replay without a violation, with the clients history rebuilt from the steps', () => {
    for (const [index, { steps }] of lifted.entries()) {
      expect(steps.some((step) => step.kind === 'read')).toBe(true);
      // What the explorer cannot express (records lost with a sync in flight) may make a step
      // impossible further on: taken as the shrinker takes it, skipping those.
      const replay = replayExplorePath(implementation, { ...path(index), steps: possibleSteps(implementation, path(index), steps, allInvariants) }, allInvariants);
      if ('error' in replay) throw new Error(replay.error);
      expect(replay.status).toBe('ok');
      expect(replay.history?.filter((operation) => operation.completion !== undefined).length).toBeGreaterThan(5);
    }
  });

  it('never fail when steps are removed at random, as the step shrinker removes them', () => {
    assertNoViolationAfterRandomRemoval(implementation, lifted.map(({ steps }, index) => ({ ...path(index), steps })), { numRuns: 40, seed: 42 });
  });
});

describe('shrinking a client history failure by its steps', () => {
  it('lifts no-client-dedup into an explore trace of at most 1.5x the hand-written minimal events, which the correct reference passes', () => {
    const scenario = shortenScenario(loadScenario('clients'), 2000);
    const bug = 'no-client-dedup';
    const implementation = referenceImplementation(bugsFromNames([bug]));
    const [failure] = runCampaign({ seeds: seedRange(1, 30), implementation, scenario, failuresMax: 1 }).failures;
    expect(failure.run.violation?.invariant).toBe('linearizability');
    const { shrink, trace } = shrinkToTrace({ implementation, scenario, choices: failure.run.choices, seed: failure.seed, bugs: [bug], runsMax: 1500, timeBudgetMs: 600_000 });
    expect(shrink.passes.map((pass) => pass.pass)).toContain('steps');
    expect(trace.formatVersion).toBe(exploreTraceFormatVersion);
    expect(shrink.eventsAfter).toBeLessThanOrEqual(1.5 * minimalScenarioOf(bug)!.events);

    const parsed = parseTrace(JSON.stringify(trace));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const replay = replayTrace(parsed.trace);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('linearizability');
    expect(replay.run.violation?.message).toContain('is not linearizable');

    // The same steps with the bug off: the retry is applied once, and the history is linearizable.
    const info = exploreInfoOf(parsed.trace);
    if (typeof info === 'string') throw new Error(info);
    const correct = referenceImplementation();
    const steps: ExploreStep[] = possibleSteps(correct, info, info.steps, allInvariants);
    const onCorrect = replayExplorePath(correct, { ...info, steps }, allInvariants);
    if ('error' in onCorrect) throw new Error(onCorrect.error);
    expect(onCorrect.status).toBe('ok');
  });
});

// The three client-visible bugs of the corpus are found by the linearizability checker on the
// clients scenario, and shrunk to traces that still fail linearizability when replayed. Each
// violation explains itself: the key, the operations of the shortest failing prefix, and why.
//
// Seeds to the first failure on scenarios/clients.json, measured when these bugs were added:
// stale-read 10, no-client-dedup 1, read-before-noop 14. They move whenever the simulator's draws
// change; the test holds only the bound.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { shrinkToTrace } from '../../src/check/shrinkRun.js';
import { replayTrace } from '../../src/check/traces.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugByName, bugsFromNames } from '../../src/raft/bugs.js';
import { allInvariants } from '../../invariants/index.js';
import { parseTrace } from '../../src/sim/trace.js';

const seedsMax = 60;
const scenario = loadScenario('clients');
// What clients see: lease-safety, which sees stale-read at the read itself before any client can
// (test/invariants/leaseSafety.test.ts), is left out, so that the history's own check is tested.
const invariants = allInvariants.filter((definition) => definition.name !== 'lease-safety');
// A deterministic budget (candidate runs, not seconds), so the result cannot depend on the machine.
const shrinkBudget = { runsMax: 150, timeBudgetMs: 600_000 };

const bugs: readonly BugName[] = ['stale-read', 'no-client-dedup', 'read-before-noop'];

describe.each(bugs)('%s', (name) => {
  const implementation = referenceImplementation(bugsFromNames([name]));

  it(`is caught by linearizability within ${seedsMax} seeds of the clients scenario, shrunk to a trace that still fails on replay`, () => {
    expect([bugByName(name)?.invariant, ...(bugByName(name)?.alsoCaughtBy ?? [])]).toContain('linearizability');
    const campaign = runCampaign({ seeds: seedRange(1, seedsMax), implementation, scenario, failuresMax: 1, invariants });
    expect(campaign.failures, `${name} not found in ${seedsMax} seeds`).toHaveLength(1);
    const [failure] = campaign.failures;
    const violation = failure.run.violation!;
    expect(violation.invariant).toBe('linearizability');
    expect(violation.message).toMatch(/^key x\d is not linearizable: .*shortest failing prefix/);
    expect(violation.evidence).toMatchObject({ key: expect.stringMatching(/^x\d$/), prefixLength: expect.any(Number) });

    const { shrink, trace } = shrinkToTrace({ implementation, scenario, choices: failure.run.choices, seed: failure.seed, bugs: [name], invariants, ...shrinkBudget });
    expect(shrink.eventsAfter).toBeLessThan(shrink.eventsBefore);
    const parsed = parseTrace(JSON.stringify(trace));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    // The explanation travels with the trace file (and so into raftcheck show).
    expect(parsed.trace.result.violation?.message).toContain('is not linearizable');
    const replay = replayTrace(parsed.trace, implementation, invariants);
    expect(replay.matches).toBe(true);
    expect(replay.run.violation?.invariant).toBe('linearizability');
    expect(replay.run.events).toBe(shrink.eventsAfter);
  });
});

// Where a client sends an operation first. 'leader' (the default) asks the node it believes
// leads, so in calm weather almost every operation is one attempt; 'any' asks a node drawn for
// each operation, as Jepsen spreads its clients over all nodes, so followers redirect some of
// them and a deposed leader that has not heard of its successor gets asked too (stale reads).

import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { withClients } from '../../src/check/options.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { parseScenario } from '../../src/sim/scenarioSchema.js';
import { runSeed } from '../../src/check/run.js';

/** No faults at all: one leader for the whole run, so routing alone decides the attempts. */
function calmScenario(routing: 'leader' | 'any') {
  const parsed = parseScenario(
    {
      name: 'calm-clients',
      nodes: 5,
      durationMs: 3000,
      faults: { crash: { perSecond: 0 }, partition: { perSecond: 0 } },
      network: { dropProbability: 0 },
      clients: { count: 3, routing },
    },
    'calm-clients',
  );
  if (!parsed.ok) throw new Error(parsed.errors.map((error) => error.message).join('; '));
  return parsed.scenario;
}

function redirectedShare(routing: 'leader' | 'any'): number {
  const run = runSeed({ seed: 7, implementation: referenceImplementation(), scenario: calmScenario(routing) });
  expect(run.status).toBe('ok');
  const completed = (run.history ?? []).filter((operation) => operation.completion !== undefined);
  expect(completed.length).toBeGreaterThan(20);
  return completed.filter((operation) => operation.attempts > 1).length / completed.length;
}

describe('client routing', () => {
  it("'leader' sends nearly every operation straight to the leader once it is known", () => {
    expect(redirectedShare('leader')).toBeLessThan(0.1);
  });

  it("'any' sends operations to drawn nodes, so followers redirect a good share of them", () => {
    // Four of five nodes are followers: about 4/5 of first attempts miss the leader.
    expect(redirectedShare('any')).toBeGreaterThan(0.5);
  });

  it('is refused when it names no known routing', () => {
    const parsed = parseScenario({ clients: { routing: 'nearest' } }, 'file');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((error) => error.path)).toContain('clients.routing');
  });

  it("'any' finds stale-read where ReadIndex reads reach a leader cut off by a partition", () => {
    const scenario = withClients(loadScenario('majority-minority-partition'), { count: 3, reads: 'readIndex', routing: 'any' });
    // What a client sees: lease-safety, which sees the read answered at once itself, is left out.
    const invariants = allInvariants.filter((definition) => definition.name !== 'lease-safety');
    const campaign = runCampaign({ seeds: seedRange(1, 40), implementation: referenceImplementation(bugsFromNames(['stale-read'])), scenario, failuresMax: 1, invariants });
    expect(campaign.failures).toHaveLength(1);
    expect(campaign.failures[0].run.violation?.invariant).toBe('linearizability');
    // The correct reference passes the same seeds with the same clients.
    const correct = runCampaign({ seeds: seedRange(1, campaign.failures[0].seed), implementation: referenceImplementation(), scenario });
    expect(correct.failures).toHaveLength(0);
  });
});

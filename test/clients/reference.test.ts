// The correct reference keeps every client history linearizable: a modest number of seeds of every
// shipped scenario with clients on, half of them reading through the log and half by ReadIndex.
// (The acceptance campaign runs 2,000 seeds of each from the command line; see docs/BENCHMARKS.md.)

import { describe, expect, it } from 'vitest';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { withClients } from '../../src/check/options.js';
import { loadScenario, shippedScenarioNames } from '../../src/check/scenarios.js';

const seedsPerReadMode = 6;

describe.each(shippedScenarioNames())('the correct reference on %s with clients on', (name) => {
  it.each(['log', 'readIndex'] as const)(`passes ${seedsPerReadMode} seeds with %s reads, every history linearizable and decided`, (reads) => {
    const scenario = withClients(loadScenario(name), { count: 3, reads });
    const campaign = runCampaign({ seeds: seedRange(1, seedsPerReadMode), scenario });
    expect(campaign.failures.map((failure) => `seed ${failure.seed}: ${failure.run.violation?.message ?? failure.status}`)).toEqual([]);
    expect(campaign.result).toBe('ok');
    expect(campaign.inconclusiveSeeds).toEqual([]);
  });
});

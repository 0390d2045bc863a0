// Protocol v2: a scenario may ask for features an implementation does not list. The run leaves
// them out (the simulator never drives them), says so once, and describes only what ran.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { clusterSizeText, faultSummary, scenarioAsDriven } from '../../src/check/options.js';
import { loadScenario } from '../../src/check/scenarios.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { raftcheck } from '../support/cli.js';

const plain = { ...referenceImplementation(), features: [] };

describe('a scenario as an implementation is driven by it', () => {
  it('is the scenario itself when the implementation lists every feature it asks for', () => {
    const scenario = loadScenario('snapshot-catch-up');
    expect(scenarioAsDriven(scenario, referenceImplementation())).toEqual({ scenario, leftOut: [] });
  });

  it('leaves out the snapshot threshold and the crashes after snapshots without the snapshots feature', () => {
    const scenario = loadScenario('snapshot-catch-up');
    expect(faultSummary(scenario)).toContain('snapshot every');
    const driven = scenarioAsDriven(scenario, plain);
    expect(driven.leftOut).toEqual(['snapshots']);
    expect(driven.scenario.implementation.snapshotEntriesThreshold).toBeUndefined();
    expect(faultSummary(driven.scenario)).not.toMatch(/snapshot/);
    // The scenario loaded is left as it was.
    expect(scenario.implementation.snapshotEntriesThreshold).toBeDefined();
  });

  it('leaves out membership churn and the swarm features the implementation does not list', () => {
    const scenario = loadScenario('membership-churn');
    expect(faultSummary(scenario)).toContain('membership 3/s (joint 0.3, removed nodes wiped)');
    const driven = scenarioAsDriven(scenario, plain);
    expect(driven.leftOut).toContain('membership');
    expect(driven.scenario.membership).toBeUndefined();
    expect(faultSummary(driven.scenario)).not.toMatch(/membership/);
    // A swarm draws its features only for implementations that list them: described without, not noted.
    const swarm = scenarioAsDriven(loadScenario('swarm-membership'), plain);
    expect(swarm.leftOut).toEqual([]);
    expect(swarm.scenario.swarmFeatures).toEqual([]);
  });

  it('names membership churn a swarm seed drew, and whether its removed nodes run on', () => {
    // raft-rs's swarm seed 31 drew churn that its one-line summary left out, and was read as a run without it.
    const swarm = loadScenario('swarm');
    const drawn: Scenario = { ...swarm, membership: { spares: 1, changesPerSecond: 3.29, jointProbability: 0.16, removed: 'keep' } };
    expect(faultSummary(drawn)).toContain('membership 3.29/s (joint 0.16, removed nodes run on)');
    expect(faultSummary(swarm)).not.toMatch(/membership/);
    expect(faultSummary(drawn)).not.toMatch(/new leader|after a change/);
    const block = { ...drawn, membership: { ...drawn.membership!, afterElectionProbability: 0.89, partitionAfterChangeProbability: 0.5 } };
    expect(faultSummary(block)).toContain('membership 3.29/s (joint 0.16, removed nodes run on), change at a new leader 0.89, partition after a change 0.5');
  });

  it('counts the spares that may join among the nodes, and none once membership is left out', () => {
    const scenario = loadScenario('membership-churn');
    expect(clusterSizeText(scenario)).toBe(`${scenario.nodes} nodes and ${scenario.membership!.spares} spares`);
    expect(clusterSizeText(scenarioAsDriven(scenario, plain).scenario)).toBe(`${scenario.nodes} nodes`);
  });

  it('leaves out pre-vote, check-quorum, lease reads and transfers the implementation does not list', () => {
    const scenario = loadScenario('leader-transfer');
    expect(faultSummary(scenario)).toMatch(/preVote, checkQuorum, transfers 4\/s/);
    const driven = scenarioAsDriven(scenario, { ...referenceImplementation(), features: ['preVote'] });
    expect(driven.leftOut).toEqual(['checkQuorum', 'leadershipTransfer']);
    expect(driven.scenario.implementation.preVote).toBe(true);
    expect(driven.scenario.implementation.checkQuorum).toBeUndefined();
    expect(driven.scenario.transfers).toBeUndefined();
    expect(faultSummary(driven.scenario)).not.toMatch(/checkQuorum|transfers/);
  });
});

describe('raftcheck run with a scenario asking for a feature the implementation lacks', () => {
  it('notes it once on stderr and does not describe it among the options', () => {
    const result = raftcheck(['run', '--impl', 'test/adapters/fakes/modules/plain-reference.mjs', '--scenario', 'snapshot-catch-up', '--seeds', '2', '--no-html']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('plain-reference does not list snapshots among its features: what scenario snapshot-catch-up asks of it is left out');
    expect(result.stdout).not.toContain('snapshot every');
  });

  it('says nothing of the kind for an implementation that lists the feature', () => {
    const result = raftcheck(['run', '--scenario', 'snapshot-catch-up', '--seeds', '2', '--no-html']);
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('among its features');
    expect(result.stdout).toContain('snapshot every');
  });
});

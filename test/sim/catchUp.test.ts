// The liveness phase's catch-up allowance counts the entries a node may still need when the
// faults stop: from the end of its longest prefix of committed history to the end of the longest
// log. Entries past that prefix may be stale and replaced, so they count as needed too.

import { describe, expect, it } from 'vitest';
import type { Feature } from '../../src/contract/contract.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { withStrategy } from '../../src/check/options.js';
import { defaultScenario, livenessBoundMs } from '../../src/sim/scenario.js';
import { freshCluster } from '../invariants/history.js';

describe('the entries a node may still need (ClusterObservation.catchUpEntries)', () => {
  it('is nothing when every node holds the whole committed log', () => {
    const history = freshCluster();
    history.becomeLeader(1, 1);
    for (const node of [1, 2, 3]) history.append(node, [1, 10], [1, 11]);
    history.commit(1, 2);
    expect(history.observation.catchUpEntries()).toBe(0);
  });

  it('counts from the end of the committed prefix a node holds to the end of the longest log', () => {
    const history = freshCluster();
    history.becomeLeader(1, 1);
    history.append(1, [1, 10], [1, 11], [1, 12], [1, 13]);
    history.append(2, [1, 10], [1, 11], [1, 12]);
    history.commit(1, 2);
    // n3 holds nothing: it needs all four; n2 needs the fourth only.
    expect(history.observation.catchUpEntries()).toBe(4);
  });

  it('counts a stale entry in place of a committed one as needed again, and the rest after it', () => {
    const history = freshCluster();
    history.becomeLeader(1, 1);
    for (const node of [1, 2]) history.append(node, [1, 10], [1, 11], [1, 12]);
    history.commit(1, 3);
    history.append(3, [1, 10], [2, 20], [2, 21]); // index 2 differs from the committed t1:c11
    expect(history.observation.catchUpEntries()).toBe(2);
  });
});

describe('the catch-up allowance', () => {
  it('grows with the backlog seen, beyond what the workload rate alone gives', () => {
    const scenario = defaultScenario();
    expect(livenessBoundMs(scenario, 1_000)).toBeGreaterThan(livenessBoundMs(scenario));
    expect(livenessBoundMs(scenario, 0)).toBe(livenessBoundMs(scenario));
  });

  it('lets the correct reference pass a run whose clients left a follower over a thousand entries behind', () => {
    // Swarm seed 4465 as the swarm drew it before issue 18's features (membership and snapshots
    // only): n2 is at commit index 286 of 1,607 when the faults stop, and takes two entries per
    // round trip of up to 75 ms; the workload's rate alone allowed 5.5 s.
    // Run as drawn without the partition after a leader's commit (drawn later, on its own stream):
    // a drawn scenario with swarm off runs the seed as the swarm did, its other streams unmoved.
    const swarm = { ...loadScenario('swarm'), swarmFeatures: ['membership', 'snapshots'] as Feature[] };
    const drawn = runSeed({ seed: 4465, scenario: withStrategy(swarm, undefined) }).scenario;
    delete drawn.faults.partition.afterLeaderCommitProbability;
    const run = runSeed({ seed: 4465, scenario: { ...drawn, swarm: false } });
    expect(run.status).toBe('ok');
    expect(run.simulatedMs - run.scenario.durationMs).toBeGreaterThan(5_520);
  });
});

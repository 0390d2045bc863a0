// No false alarms from the checkers of issue 18's promises (prevote-restriction,
// leadership-transfer, lease-safety): the correct reference runs the shipped transfer storm
// (pre-vote and check-quorum on, transfers four times a second, crashes, isolations of the
// leader), the lease reads under drift and the leadership swarm with every invariant on, and none
// fires. Counting probes show that the runs granted pre-votes, accepted transfers, delivered
// TimeoutNow and answered lease reads at once among lapsed guards, so the checkers had work.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { Simulation } from '../../src/sim/simulation.js';
import { messageViewOf } from '../../src/world/step.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { allInvariants } from '../../invariants/index.js';

const seedCount = 40;

interface Activity {
  preVotesGranted: number;
  transfersAccepted: number;
  timeoutNowsDelivered: number;
}

function leadershipProbe(activity: Activity): InvariantDefinition {
  const viewOf = messageViewOf(referenceImplementation());
  return {
    name: 'leadership-probe',
    kind: 'safety',
    description: 'Counts pre-votes granted, transfers accepted and TimeoutNow delivered; never fires.',
    create() {
      return {
        name: 'leadership-probe',
        fork() {
          return this;
        },
        afterStep({ change }) {
          const { input, output } = change;
          if (output === undefined) return null;
          for (const outbound of output.messages) {
            const view = viewOf(outbound.message);
            if (view?.kind === 'voteResponse' && view.granted && view.preVote === true) activity.preVotesGranted += 1;
          }
          activity.transfersAccepted += output.answers.filter((answer) => answer.kind === 'transferAccepted').length;
          if (input?.kind === 'deliver' && viewOf(input.message)?.kind === 'timeoutNow') activity.timeoutNowsDelivered += 1;
          return null;
        },
        audit: () => null,
      };
    },
  };
}

/** Counts reads answered at once by a node that reports its guard, and those with some voter's guard lapsed. */
function leaseProbe(counts: { served: number; amongLapsed: number }): InvariantDefinition {
  return {
    name: 'lease-probe',
    kind: 'safety',
    description: 'Counts reads answered at once; never fires.',
    create() {
      return {
        name: 'lease-probe',
        fork() {
          return this;
        },
        afterStep({ change, cluster }) {
          const { input, output } = change;
          if (input?.kind !== 'read' || output === undefined || cluster.mirror(change.node).voteGuard === null) return null;
          if (!output.answers.some((answer) => answer.kind === 'read' && answer.commandId === input.command.id)) return null;
          counts.served += 1;
          if (cluster.nodes.some((node) => node.up && node.voteGuard === false)) counts.amongLapsed += 1;
          return null;
        },
        audit: () => null,
      };
    },
  };
}

describe('the leadership checkers on runs of the reference Raft', () => {
  it(`raise no false alarm over ${seedCount} seeds of lease-reads-under-drift, in runs that serve reads from the lease while some guards have lapsed`, () => {
    const counts = { served: 0, amongLapsed: 0 };
    const scenario = loadScenario('lease-reads-under-drift');
    const failures: string[] = [];
    for (let seed = 1; seed <= seedCount; seed += 1) {
      const result = new Simulation({ implementation: referenceImplementation(), scenario, seed, invariants: [...allInvariants, leaseProbe(counts)] }).run();
      if (result.status !== 'ok') failures.push(`seed ${seed}: ${result.status}: ${result.violation?.invariant ?? ''} ${result.violation?.message ?? ''}`);
    }
    expect(failures).toEqual([]);
    expect(counts.served).toBeGreaterThan(seedCount * 10);
    expect(counts.amongLapsed).toBeGreaterThan(seedCount);
  });

  it(`raise no false alarm over ${seedCount} seeds of leader-transfer, in runs that pre-vote, transfer and send TimeoutNow`, () => {
    const activity: Activity = { preVotesGranted: 0, transfersAccepted: 0, timeoutNowsDelivered: 0 };
    const scenario = loadScenario('leader-transfer');
    const failures: string[] = [];
    for (let seed = 1; seed <= seedCount; seed += 1) {
      const result = new Simulation({ implementation: referenceImplementation(), scenario, seed, invariants: [...allInvariants, leadershipProbe(activity)] }).run();
      if (result.status !== 'ok') failures.push(`seed ${seed}: ${result.status}: ${result.violation?.invariant ?? ''} ${result.violation?.message ?? ''}`);
    }
    expect(failures).toEqual([]);
    expect(activity.preVotesGranted).toBeGreaterThan(seedCount);
    expect(activity.transfersAccepted).toBeGreaterThan(seedCount * 5);
    expect(activity.timeoutNowsDelivered).toBeGreaterThan(seedCount);
  });

  it(`raise no false alarm over ${seedCount} seeds of swarm-leadership, each drawing pre-vote, check-quorum, leases and transfers`, () => {
    const campaign = runCampaign({ seeds: seedRange(1, seedCount), scenario: loadScenario('swarm-leadership') });
    expect(campaign.failures.map((failure) => `seed ${failure.seed}: ${failure.run.violation?.message}`)).toEqual([]);
    expect(campaign.result).toBe('ok');
  });
});

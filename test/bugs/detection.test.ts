// The harness finds the bugs of the corpus with run's defaults: the swarm scenario, each seed
// drawing random or PCT scheduling (the portfolio). A campaign on the reference with one bug
// switched on fails within a bounded number of seeds, by an invariant the catalog expects; the
// correct reference passes the same seeds.
//
// Seeds to the first failure with these defaults (node dist/bench/bugs.js --seeds-max 2000 --jobs 1,
// 2026-12-04, after the swarm scenario began to draw membership churn and snapshot pressure, each
// on about half the seeds: a seed that draws neither runs as before, so most bugs are found at
// the same seed; those whose first failing seed now draws one moved). They move whenever the
// simulator's draws or the reference change; the test holds only the bound.
//
//   bug                        seeds  invariant that fired first
//   vote-without-log-check         1  leader-completeness
//   truncate-on-stale-append       1  state-machine-safety
//   accept-old-term-append         1  state-machine-safety
//   term-rollback                  1  state-machine-safety
//   idle-leader-no-heartbeat       1  liveness
//   leader-votes-for-other         2  election-safety (was 9)
//   count-stale-votes              4  configuration-safety (was 35, leader-completeness: a
//                                     "majority" of duplicates in a changed configuration)
//   no-client-dedup                5  snapshot-consistency (was linearizability: the seed now
//                                     compacts, and the snapshot holds a retry applied twice)
//   log-not-persisted              1  durable-promise (13 by liveness before the probes; 38 before that)
//   vote-not-persisted             1  durable-promise (14 by monotonic-term before the probes; 10 before that)
//   read-before-noop             105  linearizability
//   stale-read                   142  linearizability (needs ReadIndex reads sent to any node: a
//                                     deposed leader that has not heard of its successor answers)
//   commit-beyond-new-entries    153  state-machine-safety (was 88; needs one-entry appends)
//   fixed-election-timeout       164  liveness (was 63)
//
// The snapshot bugs (same command with --bug, on the tree that added them):
//   snapshot-without-configuration       10  snapshot-consistency
//   install-snapshot-older-than-commit   12  monotonic-commit-index
//   snapshot-drops-newer-entries         68  liveness (the leader counts the dropped entries as
//                                            held, so the follower stays below its matchIndex)
//
// The membership bugs (their first failing seeds under run's defaults, seeds in order, 2026-12-04):
//   concurrent-config-changes     11  configuration-safety
//   removed-node-disrupts         13  liveness
//   learner-votes-counted         39  leader-completeness (a learner's acknowledgement counted
//                                     for a commit that a later leader lacks)
//   config-on-commit-not-append  177  leader-completeness (past the bound: measured, not asserted)
//   config-change-before-term-commit  not found in 2000 seeds (its hand-written scenario needs two
//                                     elections in a row, each followed at once by a change, and
//                                     a three-way split; see scenarios/minimal/)
//
// Found later than the test's 170 seeds, so measured by the bench, not asserted here: figure8
// (764: one-entry appends, a three-node cluster and a leader crash right after a commit, in a
// row; run's default is 2000 seeds. Before the swarm drew membership and snapshots, seeds 1169
// and 1863 failed too; both now draw a feature and pass).

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { withStrategy } from '../../src/check/options.js';
import { loadScenario } from '../../src/check/scenarios.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugByName, bugsFromNames } from '../../src/raft/bugs.js';

// The campaigns stay short so the suite stays fast: bugs found later than this (see the table
// above) are measured by npm run bench:bugs, not asserted here.
const seedsMax = 170;

const found: readonly BugName[] = [
  'vote-without-log-check',
  'truncate-on-stale-append',
  'accept-old-term-append',
  'term-rollback',
  'idle-leader-no-heartbeat',
  'leader-votes-for-other',
  'count-stale-votes',
  'no-client-dedup',
  'log-not-persisted',
  'vote-not-persisted',
  'read-before-noop',
  'stale-read',
  'commit-beyond-new-entries',
  'fixed-election-timeout',
  'snapshot-without-configuration',
  'install-snapshot-older-than-commit',
  'snapshot-drops-newer-entries',
  'concurrent-config-changes',
  'removed-node-disrupts',
  'learner-votes-counted',
];

/** What `raftcheck run` runs when given nothing but --bug. */
const scenario = withStrategy(loadScenario('swarm'), undefined);

/** The highest seed any bug's campaign ran, so the correct reference runs the same seeds. */
let highestSeedRun = 0;

describe("run's defaults find each bug", () => {
  it.each(found)(`finds %s within ${seedsMax} seeds, by an invariant the catalog expects`, (name) => {
    const bug = bugByName(name)!;
    const campaign = runCampaign({ seeds: seedRange(1, seedsMax), scenario, implementation: referenceImplementation(bugsFromNames([name])), failuresMax: 1 });
    highestSeedRun = Math.max(highestSeedRun, campaign.seeds);
    expect(campaign.failures, `${name} not found in ${seedsMax} seeds`).toHaveLength(1);
    const [failure] = campaign.failures;
    expect(failure.status).not.toBe('implementationError');
    expect([bug.invariant, ...bug.alsoCaughtBy]).toContain(failure.run.violation?.invariant);
  });

  it('passes the same seeds without bugs', () => {
    const campaign = runCampaign({ seeds: seedRange(1, Math.max(highestSeedRun, 30)), scenario });
    expect(campaign.failures.map((failure) => `seed ${failure.seed}: ${failure.run.violation?.message}`)).toEqual([]);
    expect(campaign.result).toBe('ok');
  });
});

// The harness finds the bugs of the corpus with run's defaults: the swarm scenario, each seed
// drawing random or PCT scheduling (the portfolio). A campaign on the reference with one bug
// switched on fails within a bounded number of seeds, by an invariant the catalog expects; the
// correct reference passes the same seeds.
//
// Seeds to the first failure with these defaults (`raftcheck run --bug NAME --no-shrink
// --failures-max 1`, 2026-12-06, after the swarm began to draw pre-vote, check-quorum, lease reads
// and transfers as one block on about half the seeds, besides membership churn and snapshot
// pressure on about half each, and gave every lease seed clients that read from the lease;
// docs/BENCHMARKS.md, session 11). They move whenever the
// simulator's draws or the reference change; the test holds only the bound.
//
//   bug                                seeds  invariant that fired first
//   vote-not-persisted                     1  durable-promise
//   truncate-on-stale-append               1  liveness
//   term-rollback                          1  monotonic-term
//   log-not-persisted                      1  durable-promise
//   idle-leader-no-heartbeat               1  liveness
//   prevote-skips-log-check                1  prevote-restriction
//   transfer-to-lagging-node               1  leadership-transfer
//   transfer-accepts-proposals             1  leadership-transfer
//   leader-votes-for-other                 2  election-safety
//   vote-without-log-check                 4  leader-completeness
//   count-stale-votes                      4  configuration-safety
//   concurrent-config-changes              7  configuration-safety
//   no-client-dedup                        9  linearizability
//   learner-votes-counted                  9  configuration-safety
//   snapshot-without-configuration        10  snapshot-consistency
//   install-snapshot-older-than-commit    12  monotonic-commit-index
//   removed-node-disrupts                 13  liveness
//   fixed-election-timeout                15  liveness
//   read-before-noop                      32  linearizability
//   prevote-bumps-term                    32  monotonic-term
//   accept-old-term-append               120  state-machine-safety
//   snapshot-drops-newer-entries         159  leadership-transfer (a leader hands leadership to the
//                                            follower that dropped entries it had acknowledged)
//
// Found later than the test's 170 seeds, so measured by the bench, not asserted here:
//   config-on-commit-not-append          173  leader-completeness
//   checkquorum-never-steps-down         173  linearizability (needs check-quorum and lease reads on
//                                            together: not found in 2,000 before lease seeds had
//                                            clients reading from the lease)
//   commit-beyond-new-entries            314  state-machine-safety (needs one-entry appends)
//   stale-read                           372  linearizability (needs reads sent to any node: a
//                                            deposed leader that has not heard of its successor answers)
//   figure8, config-change-before-term-commit and lease-read-ignores-drift: not found in 2,000
//   seeds (figure8: 764 before the swarm drew issue 18's features; one-entry appends, a
//   three-node cluster and a leader crash right after a commit, in a row; see scenarios/minimal/
//   for each). Since the membership waits grow with their choice (d61e296), the seeds of every
//   membership run moved: config-change-before-term-commit is found at 1,258 (docs/BENCHMARKS.md,
//   issue 17's corpus lines, session 13, has the membership and snapshot bugs' new first seeds).

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
  'fixed-election-timeout',
  'snapshot-without-configuration',
  'install-snapshot-older-than-commit',
  'snapshot-drops-newer-entries',
  'concurrent-config-changes',
  'removed-node-disrupts',
  'learner-votes-counted',
  'prevote-bumps-term',
  'prevote-skips-log-check',
  'transfer-to-lagging-node',
  'transfer-accepts-proposals',
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

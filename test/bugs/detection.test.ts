// The harness finds the bugs of the corpus with run's defaults: the swarm scenario, each seed
// drawing random or PCT scheduling (the portfolio). A campaign on the reference with one bug
// switched on fails within a bounded number of seeds, by an invariant the catalog expects; the
// correct reference passes the same seeds.
//
// Seeds to the first failure with these defaults (npm run bench:bugs -- --seeds-max 600,
// 2026-11-22, after the reference stopped answering every append response with another append:
// a swarm seed now takes 15 to 30 ms instead of about 450). They move whenever the simulator's
// draws or the reference change; the test holds only the bound.
//
//   bug                        seeds  invariant that fired first
//   vote-without-log-check         1  leader-completeness
//   truncate-on-stale-append       1  state-machine-safety
//   accept-old-term-append         1  state-machine-safety
//   term-rollback                  1  state-machine-safety
//   idle-leader-no-heartbeat       1  liveness
//   no-client-dedup                5  linearizability (swarm seeds draw clients)
//   leader-votes-for-other         9  election-safety
//   vote-not-persisted            10  monotonic-term
//   count-stale-votes             35  leader-completeness
//   log-not-persisted             38  leader-completeness
//   fixed-election-timeout        63  liveness
//   commit-beyond-new-entries     88  state-machine-safety (needs one-entry appends: swarm's batch draw)
//   read-before-noop             105  linearizability
//   stale-read                   142  linearizability (needs ReadIndex reads sent to any node: a
//                                     deposed leader that has not heard of its successor answers)
//
// Found later than the test's 150 seeds, so measured by the bench, not asserted here: figure8
// (764: one-entry appends, a three-node cluster and a leader crash right after a commit, in a
// row; then 1169 and 1863, so about one seed in 600; run's default is 2000 seeds).

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { withStrategy } from '../../src/check/options.js';
import { loadScenario } from '../../src/check/scenarios.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugByName, bugsFromNames } from '../../src/raft/bugs.js';

// The campaigns stay short so the suite stays fast: bugs found later than this (see the table
// above) are measured by npm run bench:bugs, not asserted here.
const seedsMax = 150;

const found: readonly BugName[] = [
  'vote-without-log-check',
  'truncate-on-stale-append',
  'accept-old-term-append',
  'term-rollback',
  'idle-leader-no-heartbeat',
  'no-client-dedup',
  'leader-votes-for-other',
  'vote-not-persisted',
  'count-stale-votes',
  'log-not-persisted',
  'fixed-election-timeout',
  'commit-beyond-new-entries',
  'read-before-noop',
  'stale-read',
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

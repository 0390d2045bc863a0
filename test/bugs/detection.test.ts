// The harness finds the bugs of the corpus with run's defaults: the swarm scenario, each seed
// drawing random or PCT scheduling (the portfolio). A campaign on the reference with one bug
// switched on fails within a bounded number of seeds, by an invariant the catalog expects; the
// correct reference passes the same seeds.
//
// Seeds to the first failure with these defaults (npm run bench:bugs, 2026-11-22, commit
// 9f9c6e4). They move whenever the simulator's draws change; the test holds only the bound.
//
//   bug                        seeds  invariant that fired first
//   vote-without-log-check         1  leader-completeness
//   vote-not-persisted             2  monotonic-term
//   truncate-on-stale-append       1  state-machine-safety
//   commit-beyond-new-entries     93  state-machine-safety (needs one-entry appends: swarm's batch draw)
//   accept-old-term-append        13  state-machine-safety
//   count-stale-votes              2  leader-completeness
//   term-rollback                  1  monotonic-term
//   log-not-persisted            146  leader-completeness
//   leader-votes-for-other        17  election-safety
//   no-client-dedup                2  linearizability (swarm seeds draw clients)
//   read-before-noop              29  linearizability
//
// Found later than the test's 60 seeds, so measured by the bench, not asserted here:
// commit-beyond-new-entries (93), log-not-persisted (146), fixed-election-timeout (54 with random
// scheduling, after the liveness bound's leader deadline). Not within 300 seeds at all
// (docs/BENCHMARKS.md has the figures; node.test.ts and the minimal scenarios pin down what their
// flags do):
//   figure8: needs one-entry appends, a leader crash right after a commit, and a run of
//     orderings that PCT priorities reach far more often than random delays; swarm with PCT
//     only finds it (npm run bench:strategies), the portfolio's half of seeds less often.
//   stale-read: needs ReadIndex reads (a swarm draw) sent to a deposed leader that has not yet
//     heard of its successor; the clients scenario finds it (test/clients/bugs.test.ts).

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { withStrategy } from '../../src/check/options.js';
import { loadScenario } from '../../src/check/scenarios.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugByName, bugsFromNames } from '../../src/raft/bugs.js';

// The campaigns stay short so the suite stays fast: bugs found later than this (see the table
// above) are measured by npm run bench:bugs, not asserted here.
const seedsMax = 60;

const found: readonly BugName[] = [
  'vote-without-log-check',
  'vote-not-persisted',
  'truncate-on-stale-append',
  'accept-old-term-append',
  'count-stale-votes',
  'term-rollback',
  'leader-votes-for-other',
  'no-client-dedup',
  'read-before-noop',
  'idle-leader-no-heartbeat',
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

// The harness finds the bugs of the corpus: a campaign of the default scenario on the reference
// with one bug switched on fails within a bounded number of seeds, and the invariant that fires
// is one the catalog expects. The correct reference passes the same seeds.
//
// Seeds to the first failure, measured on the default scenario (commit f279fb9's simulator,
// every invariant and the liveness phase on). They move whenever the simulator's draws change;
// the test holds only the bound.
//
//   bug                        seeds  invariant that fired first
//   vote-without-log-check         1  leader-completeness
//   vote-not-persisted            31  monotonic-term (needs a crash between the vote and the next sync)
//   truncate-on-stale-append       1  leader-completeness
//   accept-old-term-append         3  state-machine-safety
//   term-rollback                  1  monotonic-term
//   log-not-persisted              1  liveness (a follower left below the leader's matchIndex)
//   leader-votes-for-other         7  election-safety
//   idle-leader-no-heartbeat       1  liveness (leader not stable)
//   fixed-election-timeout        95  liveness (no leader after the faults stop); not asserted:
//                                     a rare schedule (208 seeds on a later simulator), so its
//                                     flag is pinned down in node.test.ts instead
//
// Not found by the default scenario in 300 seeds (nor in 3,000), so not asserted here; test/bugs/
// node.test.ts pins down what their flags do:
//   figure8: the new leader's no-op and appends that carry the whole log suffix make a quorum
//     index almost always land on an entry of the current term; only an append cut short by
//     entriesPerMessageMax leaves an old entry on a quorum alone (1 seed in 300 even reaches the
//     buggy commit, and the leader must then also lose its term before the no-op replicates).
//   commit-beyond-new-entries: every append carries the leader's log to its end (or to the
//     entriesPerMessageMax cut), so leaderCommit <= the last new index unless the cut applies
//     and the follower has a stale suffix past it (1 seed in 300).
//   count-stale-votes: needs a vote response delivered twice or after the voter's next election
//     timeout; the default scenario has no duplicates and delays of at most 12 ms (the swarm
//     scenario, with duplicates and long delays, finds it at seed 10 by leader-completeness).

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import type { BugName } from '../../src/raft/bugs.js';
import { bugByName, bugsFromNames } from '../../src/raft/bugs.js';

const seedsMax = 300;

const found: readonly BugName[] = [
  'vote-without-log-check',
  'vote-not-persisted',
  'truncate-on-stale-append',
  'accept-old-term-append',
  'term-rollback',
  'log-not-persisted',
  'leader-votes-for-other',
  'idle-leader-no-heartbeat',
];

/** The highest seed any bug's campaign ran, so the correct reference runs the same seeds. */
let highestSeedRun = 0;

describe('the default scenario finds each bug', () => {
  it.each(found)(`finds %s within ${seedsMax} seeds, by an invariant the catalog expects`, (name) => {
    const bug = bugByName(name)!;
    const campaign = runCampaign({ seeds: seedRange(1, seedsMax), implementation: referenceImplementation(bugsFromNames([name])), failuresMax: 1 });
    highestSeedRun = Math.max(highestSeedRun, campaign.seeds);
    expect(campaign.failures, `${name} not found in ${seedsMax} seeds`).toHaveLength(1);
    const [failure] = campaign.failures;
    expect(failure.status).not.toBe('implementationError');
    expect([bug.invariant, ...bug.alsoCaughtBy]).toContain(failure.run.violation?.invariant);
  });

  it('passes the same seeds without bugs', () => {
    const campaign = runCampaign({ seeds: seedRange(1, Math.max(highestSeedRun, 100)) });
    expect(campaign.failures.map((failure) => `seed ${failure.seed}: ${failure.run.violation?.message}`)).toEqual([]);
    expect(campaign.result).toBe('ok');
  });
});

// The hand-written minimal scenario of every bug in the corpus: the scenario file, the seed it is
// run with, the events the simulator takes to the violation with that bug on, and the invariant
// that fires. test/bugs/minimal.test.ts holds each row to its exact count (and to a passing run
// with the bug off); the detection benchmark compares shrunk traces with these counts. Plain
// data, free of vitest, so that a benchmark can import it.
//
// How the counts were made small: every random fault process is off; elections are started by
// scheduled clock jumps (one event, instead of 15 to 30 ticks of every node), so nearly every
// run ends before the first tick at 10 ms; who hears whom is set by one-way cuts and by slow
// links (a 100 ms link never delivers within the run, and costs no event); three nodes. The
// implementation's timing is the default one (tick 10 ms, election timeouts of 15 to 30 ticks,
// heartbeats every 3), the same as the swarm scenario's, so the counts stay comparable with
// shrunk swarm traces; only figure8 and commit-beyond-new-entries cut appends to one entry. The
// liveness bugs run the shortest liveness phase that the correct Raft passes: two election
// timeouts (600 ms, the time a leader must hold its term to count as stable), mostly ticks.
//
// A seed matters only where something is drawn: the nodes' tick phases (the first tick comes 10
// to 19 ms after the start, so a run past 10 ms wants a seed whose ticks come late), the liveness
// phase, and for truncate-on-stale-append the client command and the delays of a 1 to 12 ms link.

import type { BugName } from '../../src/raft/bugs.js';

export interface MinimalScenario {
  bug: BugName;
  /** The scenario file, relative to the package root. */
  scenario: string;
  seed: number;
  nodes: number;
  /** Events to the violation with the bug on (the run's `events`). */
  events: number;
  /** The invariant that fires with the bug on. */
  invariant: string;
}

/** The seed of every minimal scenario but one (its tick phases all come after the runs end). */
const seed = 1869;

export const minimalScenarios: readonly MinimalScenario[] = [
  { bug: 'figure8', scenario: 'scenarios/minimal/figure8.json', seed, nodes: 3, events: 23, invariant: 'leader-completeness' },
  { bug: 'vote-without-log-check', scenario: 'scenarios/minimal/vote-without-log-check.json', seed, nodes: 3, events: 10, invariant: 'leader-completeness' },
  { bug: 'vote-not-persisted', scenario: 'scenarios/minimal/vote-not-persisted.json', seed, nodes: 3, events: 5, invariant: 'monotonic-term' },
  // The one row that rests on draws: a client command at 3 ms that goes to the leader, and a
  // first append that takes 5 ms while the next ones take 1 ms.
  { bug: 'truncate-on-stale-append', scenario: 'scenarios/minimal/truncate-on-stale-append.json', seed: 46530, nodes: 3, events: 10, invariant: 'state-machine-safety' },
  { bug: 'commit-beyond-new-entries', scenario: 'scenarios/minimal/commit-beyond-new-entries.json', seed, nodes: 3, events: 39, invariant: 'state-machine-safety' },
  { bug: 'accept-old-term-append', scenario: 'scenarios/minimal/accept-old-term-append.json', seed, nodes: 3, events: 10, invariant: 'state-machine-safety' },
  { bug: 'count-stale-votes', scenario: 'scenarios/minimal/count-stale-votes.json', seed, nodes: 3, events: 7, invariant: 'election-safety' },
  { bug: 'term-rollback', scenario: 'scenarios/minimal/term-rollback.json', seed, nodes: 3, events: 3, invariant: 'monotonic-term' },
  { bug: 'log-not-persisted', scenario: 'scenarios/minimal/log-not-persisted.json', seed, nodes: 3, events: 11, invariant: 'leader-completeness' },
  { bug: 'leader-votes-for-other', scenario: 'scenarios/minimal/leader-votes-for-other.json', seed, nodes: 3, events: 6, invariant: 'election-safety' },
  // The client bugs rest on the clients' draws (which operation, which node first, think times);
  // each file checks the history after every completed operation, so the run ends at the read
  // that cannot be linearized.
  { bug: 'stale-read', scenario: 'scenarios/minimal/stale-read.json', seed: 225, nodes: 3, events: 31, invariant: 'lease-safety' },
  { bug: 'no-client-dedup', scenario: 'scenarios/minimal/no-client-dedup.json', seed: 19, nodes: 3, events: 39, invariant: 'linearizability' },
  { bug: 'read-before-noop', scenario: 'scenarios/minimal/read-before-noop.json', seed: 1946, nodes: 3, events: 33, invariant: 'linearizability' },
  { bug: 'fixed-election-timeout', scenario: 'scenarios/minimal/fixed-election-timeout.json', seed, nodes: 3, events: 216, invariant: 'liveness' },
  { bug: 'idle-leader-no-heartbeat', scenario: 'scenarios/minimal/idle-leader-no-heartbeat.json', seed, nodes: 3, events: 226, invariant: 'liveness' },
  // The snapshot bugs compact every entry or two. Two rest on a client command's draws (one that
  // reaches the leader at 4 or 5 ms), the third on the administrator's (a learner added at 5 ms).
  { bug: 'snapshot-drops-newer-entries', scenario: 'scenarios/minimal/snapshot-drops-newer-entries.json', seed: 31, nodes: 3, events: 21, invariant: 'leader-completeness' },
  { bug: 'snapshot-without-configuration', scenario: 'scenarios/minimal/snapshot-without-configuration.json', seed: 9, nodes: 3, events: 10, invariant: 'snapshot-consistency' },
  { bug: 'install-snapshot-older-than-commit', scenario: 'scenarios/minimal/install-snapshot-older-than-commit.json', seed: 31, nodes: 3, events: 18, invariant: 'monotonic-commit-index' },
  // The membership bugs rest on the administrator's draws (which change, and when: the spares, a
  // rate of hundreds of changes a second, or a change at every election), as the snapshot bugs do.
  // Seeds re-pinned when the waits between changes came to grow with their choice (the shrinker
  // lowers choices): each the seed whose run fails the same way in the fewest events, the story
  // unchanged but config-on-commit-not-append's (n5 added before n4; 54 -> 50 events) and the
  // tick phases (removed-node-disrupts 363 -> 355, learner-votes-counted's other form 21 -> 20).
  { bug: 'config-change-before-term-commit', scenario: 'scenarios/minimal/config-change-before-term-commit.json', seed: 98, nodes: 4, events: 41, invariant: 'leader-completeness' },
  { bug: 'concurrent-config-changes', scenario: 'scenarios/minimal/concurrent-config-changes.json', seed: 2, nodes: 3, events: 11, invariant: 'configuration-safety' },
  { bug: 'config-on-commit-not-append', scenario: 'scenarios/minimal/config-on-commit-not-append.json', seed: 1132, nodes: 3, events: 50, invariant: 'leader-completeness' },
  { bug: 'learner-votes-counted', scenario: 'scenarios/minimal/learner-votes-counted.json', seed: 12, nodes: 3, events: 25, invariant: 'configuration-safety' },
  // The clock that retires a removal pending at the faults' stop ticks once as the liveness
  // phase starts (one membershipClock event, at 15 ms here).
  { bug: 'removed-node-disrupts', scenario: 'scenarios/minimal/removed-node-disrupts.json', seed: 110, nodes: 4, events: 355, invariant: 'liveness' },
  // Issue 18's bugs. prevote-bumps-term starts its pre-campaign with a clock jump, as the others
  // do; the two lease bugs run without jumps (a jump is a clock fault a lease need not survive),
  // so their elections wait for the timers, and they rest on the clients' draws.
  { bug: 'prevote-bumps-term', scenario: 'scenarios/minimal/prevote-bumps-term.json', seed, nodes: 3, events: 5, invariant: 'monotonic-term' },
  { bug: 'checkquorum-never-steps-down', scenario: 'scenarios/minimal/checkquorum-never-steps-down.json', seed: 1, nodes: 3, events: 262, invariant: 'lease-safety' },
  { bug: 'lease-read-ignores-drift', scenario: 'scenarios/minimal/lease-read-ignores-drift.json', seed: 567, nodes: 3, events: 568, invariant: 'lease-safety' },
  // The grant itself is the violation: a restarted voter that heard from no leader since.
  { bug: 'prevote-skips-log-check', scenario: 'scenarios/minimal/prevote-skips-log-check.json', seed, nodes: 3, events: 17, invariant: 'prevote-restriction' },
  // The transfer bugs rest on the administrator's draws (when the transfer comes, and to whom
  // among equals), the second also on a client's (when its put comes).
  { bug: 'transfer-to-lagging-node', scenario: 'scenarios/minimal/transfer-to-lagging-node.json', seed: 1, nodes: 3, events: 12, invariant: 'leadership-transfer' },
  { bug: 'transfer-accepts-proposals', scenario: 'scenarios/minimal/transfer-accepts-proposals.json', seed: 9, nodes: 3, events: 13, invariant: 'leadership-transfer' },
];

/**
 * Other forms of a bug, one per invariant it can fail first: scenarios/minimal/<bug>.<invariant>.json.
 * The shrinker keeps the invariant a run failed, so a shrunk trace is measured against the form
 * of its own invariant where there is one (the detection benchmark does).
 */
export const minimalScenarioForms: readonly MinimalScenario[] = [
  // A stale grant counted with the candidate's own vote in term 3, after term 2 committed an entry.
  {
    bug: 'count-stale-votes',
    scenario: 'scenarios/minimal/count-stale-votes.leader-completeness.json',
    seed,
    nodes: 3,
    events: 9,
    invariant: 'leader-completeness',
  },
  // The durability probe (src/world/probes.ts) at the broken promise itself: the grant leaves before
  // the vote is synced (2 events: n1's clock jump, n2's grant), the acknowledgement before the
  // entry is (4 events). The main forms above switch the probes off to show the late consequence.
  { bug: 'vote-not-persisted', scenario: 'scenarios/minimal/vote-not-persisted.durable-promise.json', seed, nodes: 3, events: 2, invariant: 'durable-promise' },
  { bug: 'log-not-persisted', scenario: 'scenarios/minimal/log-not-persisted.durable-promise.json', seed, nodes: 3, events: 4, invariant: 'durable-promise' },
  // A follower that lost an entry it acknowledged, below the match index its leader keeps for it.
  { bug: 'log-not-persisted', scenario: 'scenarios/minimal/log-not-persisted.liveness.json', seed, nodes: 3, events: 303, invariant: 'liveness' },
  // A learner's acknowledgement counted with the leader's own to commit an entry the voters lack.
  {
    bug: 'learner-votes-counted',
    scenario: 'scenarios/minimal/learner-votes-counted.leader-completeness.json',
    seed: 296,
    nodes: 3,
    events: 20,
    invariant: 'leader-completeness',
  },
];

/** Every hand-written minimal scenario: the main one of every bug, then the other forms. */
export const allMinimalScenarios: readonly MinimalScenario[] = [...minimalScenarios, ...minimalScenarioForms];

/** The key of a minimal scenario in scenarios/minimal/seeds.json: its file's name without .json. */
export function minimalScenarioKey(entry: MinimalScenario): string {
  return entry.scenario.slice('scenarios/minimal/'.length, -'.json'.length);
}

/** The minimal scenario of a bug, or undefined for a bug that has none. */
export function minimalScenarioOf(bug: string): MinimalScenario | undefined {
  return minimalScenarios.find((entry) => entry.bug === bug);
}

// Switchable bugs of the reference Raft, for the bug corpus: each one a Raft bug that real
// implementations have shipped (sources: the Raft paper and Ongaro's thesis, etcd-io/raft tests,
// Jepsen analyses, the DEMi and SandTable bug lists). RaftNode holds one frozen object of
// switches, one per bug of the catalog (bugSwitches); each bug's code path sits beside the correct
// one, guarded by its switch. No switch is ever on by default, so the reference stays the correct
// Raft unless a run asks otherwise.

export type BugKind = 'safety' | 'liveness';

export interface BugDefinition {
  name: string;
  /** One line: what the buggy node does wrong. */
  description: string;
  /** The invariant expected to catch it first ('liveness': the liveness phase's check). */
  invariant: string;
  /** Other invariants that may fire first instead, depending on the schedule. */
  alsoCaughtBy: readonly string[];
  kind: BugKind;
  /** Where the bug class is described or was found: paper or thesis sections, issues, analyses. */
  source: string;
}

const catalog = [
  {
    name: 'figure8',
    description: 'A leader commits an entry of an earlier term by counting its replicas (paper, Figure 8).',
    invariant: 'leader-completeness',
    alsoCaughtBy: ['state-machine-safety'],
    kind: 'safety',
    source: 'Raft paper, section 5.4.2 and Figure 8; logcabin/logcabin#44 (commitment of entries from prior terms)',
  },
  {
    name: 'vote-without-log-check',
    description: "Votes are granted without checking that the candidate's log is at least as up to date.",
    invariant: 'leader-completeness',
    alsoCaughtBy: ['state-machine-safety'],
    kind: 'safety',
    source: 'Raft paper, section 5.4.1 (the election restriction)',
  },
  {
    name: 'vote-not-persisted',
    description: 'The vote (and the term it adopts) is sent before it is synced, so a crash forgets it.',
    // The durability probe fires as the grant leaves; with probes off, the restarted voter's term.
    invariant: 'durable-promise',
    alsoCaughtBy: ['monotonic-term', 'election-safety'],
    kind: 'safety',
    source: 'Raft paper, Figure 2 (currentTerm and votedFor on stable storage before responding to RPCs)',
  },
  {
    name: 'truncate-on-stale-append',
    description: 'A follower drops entries past a stale or duplicate AppendEntries, even ones it acknowledged.',
    invariant: 'leader-completeness',
    // Also as a follower stuck below the leader's matchIndex, which the liveness phase sees.
    alsoCaughtBy: ['state-machine-safety', 'liveness'],
    kind: 'safety',
    source: 'Raft paper, Figure 2, AppendEntries receiver step 3 (delete entries only on a conflict)',
  },
  {
    name: 'commit-beyond-new-entries',
    description: "A follower sets commitIndex from leaderCommit bounded by its own log, not by the append's last new entry.",
    invariant: 'state-machine-safety',
    alsoCaughtBy: [],
    kind: 'safety',
    source: 'Raft paper, Figure 2, AppendEntries receiver step 5 (min(leaderCommit, index of last new entry))',
  },
  {
    name: 'accept-old-term-append',
    description: 'A node accepts AppendEntries from a leader of an older term.',
    // The deposed leader's entries overwrite ones the node already holds as committed.
    invariant: 'state-machine-safety',
    alsoCaughtBy: ['leader-completeness'],
    kind: 'safety',
    source: 'Raft paper, Figure 2, AppendEntries receiver step 1 (reply false if term < currentTerm)',
  },
  {
    name: 'count-stale-votes',
    description: 'A candidate counts granted votes from an earlier term, and counts a voter once per response.',
    // A "majority" of duplicates need not meet the quorum that committed an entry.
    invariant: 'leader-completeness',
    // Once the membership changed (swarm seeds that draw it), a leader without a true quorum.
    alsoCaughtBy: ['election-safety', 'configuration-safety'],
    kind: 'safety',
    source: 'Raft paper, section 5.2 (a majority of the servers, in the same term)',
  },
  {
    name: 'term-rollback',
    description: 'A node adopts a lower term from a message (and forgets its vote with it).',
    // In the same step it may take a deposed leader's entries over committed ones.
    invariant: 'monotonic-term',
    alsoCaughtBy: ['state-machine-safety', 'election-safety'],
    kind: 'safety',
    source: 'Raft paper, Figure 2, rules for all servers (adopt a term only if T > currentTerm)',
  },
  {
    name: 'log-not-persisted',
    description: 'A follower acknowledges appended entries before they are synced, so a crash loses them.',
    // The durability probe fires as the acknowledgement leaves. With probes off: mostly a follower
    // left below the leader's matchIndex for good (the leader never retries below it), which the
    // liveness phase reports; rarer, a leader lacking the entries.
    invariant: 'durable-promise',
    alsoCaughtBy: ['liveness', 'leader-completeness', 'state-machine-safety'],
    kind: 'safety',
    source: 'Raft paper, Figure 2 (the log is persistent state, on stable storage before responding to RPCs)',
  },
  {
    name: 'leader-votes-for-other',
    description: 'A candidate or leader grants its vote to another candidate of its own term.',
    invariant: 'election-safety',
    alsoCaughtBy: [],
    kind: 'safety',
    source: 'Raft paper, section 5.2 (each server votes for at most one candidate in a term, a candidate for itself)',
  },
  {
    name: 'stale-read',
    description: 'A leader answers ReadIndex reads from its own state without confirming it still leads.',
    // Every read is answered at once with no guard behind it (seen at the read); a leader cut off
    // from its majority, already replaced, answers with what it had (seen by a client).
    invariant: 'lease-safety',
    alsoCaughtBy: ['linearizability'],
    kind: 'safety',
    source: 'Raft thesis, section 6.4 (a leader confirms it still leads before answering a read); Jepsen: etcd and Consul (aphyr.com, 2014: stale reads)',
  },
  {
    name: 'no-client-dedup',
    description: 'The state machine keeps no client sessions, so a retried command is applied twice.',
    invariant: 'linearizability',
    // Where the node compacts (swarm seeds that draw snapshots), its snapshot holds the command
    // applied twice, which the committed commands applied once each do not give.
    alsoCaughtBy: ['snapshot-consistency'],
    kind: 'safety',
    source: 'Raft thesis, section 6.3 (client sessions make retried commands apply once)',
  },
  {
    name: 'read-before-noop',
    description: 'A new leader serves ReadIndex reads before an entry of its own term is committed.',
    // Its commit index may lag behind writes its predecessor committed and answered.
    invariant: 'linearizability',
    alsoCaughtBy: [],
    kind: 'safety',
    source: 'Raft thesis, section 6.4, step 1 (a leader serves reads only once an entry of its term is committed)',
  },
  {
    name: 'fixed-election-timeout',
    description: 'Election timeouts are not randomized: every node waits electionTicksMin, so split votes can repeat.',
    invariant: 'liveness',
    alsoCaughtBy: [],
    kind: 'liveness',
    source: 'Raft paper, section 5.2 (randomized election timeouts keep split votes rare)',
  },
  {
    name: 'idle-leader-no-heartbeat',
    description: 'A leader sends AppendEntries only when it has entries to replicate, never idle heartbeats.',
    invariant: 'liveness',
    alsoCaughtBy: [],
    kind: 'liveness',
    source: 'Raft paper, section 5.2 (leaders send periodic heartbeats to keep their authority)',
  },
  // Snapshot bugs (feature 'snapshots'). camunda/camunda#6092: a follower's journal truncated
  // past an installed snapshot's index.
  {
    name: 'snapshot-drops-newer-entries',
    description: 'A follower installing a snapshot of an entry it holds drops the whole log, acknowledged entries after it too.',
    invariant: 'leader-completeness',
    // The leader counts the dropped entries as held and never sends them again, so the follower
    // stays below its matchIndex for good, which the liveness phase reports; and a leader that
    // hands leadership to that follower tells it to campaign (TimeoutNow) though it no longer
    // holds the leader's log, which leadership-transfer reports.
    alsoCaughtBy: ['liveness', 'leadership-transfer'],
    kind: 'safety',
    source: 'Raft paper, Figure 13, InstallSnapshot receiver step 6; camunda/camunda#6092',
  },
  // moby/swarmkit#238: the member list was missing from snapshots.
  {
    name: 'snapshot-without-configuration',
    description: 'A snapshot keeps the initial configuration, not the one at its index: a node restored from it forgets changes.',
    // Seen at once where a node's view shows the configuration committed at the snapshot's index.
    invariant: 'snapshot-consistency',
    alsoCaughtBy: [],
    kind: 'safety',
    source: 'Raft thesis, section 5.1 (a snapshot keeps the latest configuration of its prefix); moby/swarmkit#238',
  },
  // eBay/NuRaft#407: ClickHouse Keeper's Jepsen tests, a follower installed a snapshot of index
  // 1700 while committing up to 1704; databendlabs/openraft#560: do not install a snapshot older
  // than last_applied; etcd-io/etcd#1715: raft ignores a snapshot not above the commit index.
  {
    name: 'install-snapshot-older-than-commit',
    description: 'A follower installs a snapshot older than its commit index, so its commit index and state machine go back.',
    // In the same step its applied index goes back too (monotonic-applied-index, snapshot-consistency).
    invariant: 'monotonic-commit-index',
    alsoCaughtBy: [],
    kind: 'safety',
    source: 'eBay/NuRaft#407; databendlabs/openraft#560; etcd-io/etcd#1715',
  },
  // Membership bugs (feature 'membership').
  {
    name: 'config-change-before-term-commit',
    description: 'A new leader accepts a membership change before it has committed an entry of its term.',
    // A leader of a configuration that a quorum of the other never held, without what it committed.
    invariant: 'leader-completeness',
    alsoCaughtBy: ['state-machine-safety'],
    kind: 'safety',
    source: 'Ongaro, raft-dev, "bug in single-server membership changes" (July 2015); atomix/copycat#23; jgroups-extras/jgroups-raft#38',
  },
  {
    name: 'concurrent-config-changes',
    description: 'A leader accepts a membership change while its previous configuration entry is not committed.',
    invariant: 'configuration-safety',
    alsoCaughtBy: [],
    kind: 'safety',
    source: 'Raft thesis, section 4.1 (one change at a time); atomix/copycat#26; etcd-io/etcd#11368 (pendingConf)',
  },
  {
    name: 'config-on-commit-not-append',
    description: 'A configuration takes effect when its entry commits, not when appended: a restart falls back to an older one.',
    invariant: 'leader-completeness',
    alsoCaughtBy: ['election-safety', 'state-machine-safety'],
    kind: 'safety',
    source: 'Raft thesis, section 4.1 (a server uses the latest configuration in its log, committed or not); etcd-io/etcd#7625, etcd-io/etcd#11284',
  },
  {
    name: 'learner-votes-counted',
    description: "Learners' votes, and their acknowledgements for commitment, count towards the voters' majority.",
    invariant: 'configuration-safety',
    alsoCaughtBy: ['leader-completeness', 'state-machine-safety', 'election-safety'],
    kind: 'safety',
    source: 'Raft thesis, section 4.2.1 (non-voting members); tikv/raft-rs#57 and etcd-io/etcd#10998 (learners answer votes, the candidate counts voters only)',
  },
  {
    name: 'removed-node-disrupts',
    description: "A RequestVote's term is taken up even just after hearing from the leader, so a removed node deposes leaders.",
    invariant: 'liveness',
    // With lease reads on, the guard a lease rests on is gone too: a read from the lease is unsafe at once.
    alsoCaughtBy: ['lease-safety'],
    kind: 'liveness',
    source: 'Raft thesis, section 4.2.3 (disruptive servers); logcabin/logcabin#56; hashicorp/raft#524',
  },
  // Issue 18's bugs of pre-vote, check-quorum and leases.
  {
    name: 'prevote-bumps-term',
    description: 'A pre-candidate raises its own term, without writing it, as a candidate would: a crash takes the term back.',
    // The raised term reached a peer in its PreVote, so the restart's lower term is seen at once.
    invariant: 'monotonic-term',
    alsoCaughtBy: [],
    kind: 'safety',
    source: "Raft thesis, section 9.6 (a pre-vote changes no term); etcd-io/raft's pre-vote sends term + 1 without raising its term",
  },
  {
    name: 'checkquorum-never-steps-down',
    description: "A leader's contact with a quorum never ages: it never steps down, and its lease never lapses.",
    // A leader cut off from its quorum serves lease reads after its voters' guards lapsed (seen at
    // the read), and once replaced, from its stale state (seen by a client).
    invariant: 'lease-safety',
    alsoCaughtBy: ['linearizability'],
    kind: 'safety',
    source: 'Raft thesis, section 6.2 (check-quorum) and 6.4.1; etcd-io/raft (ReadOnlyLeaseBased rests on CheckQuorum)',
  },
  {
    name: 'lease-read-ignores-drift',
    description: "A leader's lease lasts the whole minimum election timeout, as though no clock drifted and no tick came late.",
    // A follower's guard lapses before the lease does: a read in between is seen at once, and a
    // client sees it when a new leader commits a write there that the old one's read misses.
    invariant: 'lease-safety',
    alsoCaughtBy: ['linearizability'],
    kind: 'safety',
    source: 'Raft thesis, section 6.4.1 (a lease must allow for clock drift)',
  },
  // Issue 18's bugs of pre-vote and leadership transfer that no Figure-3 property sees: each breaks
  // a promise of the contract (docs/CONTRACT.md), which prevote-restriction and leadership-transfer
  // check where it is made.
  {
    name: 'prevote-skips-log-check',
    description: "A pre-vote is granted on liveness alone, without checking that the candidate's log is at least as up to date.",
    // A candidate that cannot win the real vote passes the pre-vote, raises its term and deposes
    // the leader: the disruption pre-vote exists to prevent. The grant itself breaks the rule.
    invariant: 'prevote-restriction',
    alsoCaughtBy: [],
    kind: 'safety',
    source: 'Raft thesis, section 9.6 (a pre-vote is granted as a vote would be: the log up to date and no leader heard); ClickHouse/NuRaft#134 (handle_prevote_req granted on liveness alone)',
  },
  {
    name: 'transfer-to-lagging-node',
    description: "A leader sends TimeoutNow as soon as a transfer starts, before the target's log matches its own.",
    // The target campaigns at once, past every voter's lease guard, with a log that cannot win.
    invariant: 'leadership-transfer',
    alsoCaughtBy: [],
    kind: 'safety',
    source: "Raft thesis, section 3.10 (TimeoutNow once the target's log is caught up); etcd-io/etcd#5020 (a MsgTimeoutNow sent ahead of the transferee's MsgAppResp fails TestLeaderTransferToSlowFollower); baidu/braft#443",
  },
  {
    name: 'transfer-accepts-proposals',
    description: 'A leader keeps accepting proposals while a transfer it accepted is in progress.',
    // The target chases a log that keeps growing, and an entry appended after TimeoutNow is lost.
    invariant: 'leadership-transfer',
    alsoCaughtBy: [],
    kind: 'safety',
    source: 'Raft thesis, section 3.10, step 1 (the prior leader stops accepting new client requests); hashicorp/raft#306 (step 2 of its transfer); tikv/raft-rs#283 (proposals during a transfer, closed unmerged)',
  },
] as const satisfies readonly BugDefinition[];

export const bugCatalog: readonly BugDefinition[] = catalog;

export type BugName = (typeof catalog)[number]['name'];

export interface RaftBugs {
  readonly enabled: ReadonlySet<string>;
}

export const noBugs: RaftBugs = { enabled: new Set() };

/** Thrown for a bug name the catalog does not know; the message lists the known ones. */
export class UnknownBugError extends Error {
  override name = 'UnknownBugError';
}

export function bugNames(): string[] {
  return bugCatalog.map((bug) => bug.name);
}

export function bugByName(name: string): BugDefinition | undefined {
  return bugCatalog.find((bug) => bug.name === name);
}

/** The bugs named, validated against the catalog (duplicates are harmless). */
export function bugsFromNames(names: readonly string[]): RaftBugs {
  const unknown = names.filter((name) => bugByName(name) === undefined);
  if (unknown.length > 0) {
    const list = unknown.map((name) => `"${name}"`).join(', ');
    throw new UnknownBugError(`unknown bug ${list}; known bugs: ${bugNames().join(', ')}`);
  }
  return names.length === 0 ? noBugs : { enabled: new Set(names) };
}

/**
 * One switch per bug of the catalog, keyed by its name (so a misspelt switch is a compile error),
 * frozen: what RaftNode reads on its code paths.
 */
export type BugSwitches = { readonly [Name in BugName]: boolean };

/** Computed once per set of bugs, not per node: the simulator and the explorer create many. */
const switchesOfBugs = new WeakMap<RaftBugs, BugSwitches>();

export function bugSwitches(bugs: RaftBugs): BugSwitches {
  let switches = switchesOfBugs.get(bugs);
  if (switches === undefined) {
    switches = Object.freeze(Object.fromEntries(bugNames().map((name) => [name, bugs.enabled.has(name)]))) as BugSwitches;
    switchesOfBugs.set(bugs, switches);
  }
  return switches;
}

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
}

const catalog = [
  {
    name: 'figure8',
    description: 'A leader commits an entry of an earlier term by counting its replicas (paper, Figure 8).',
    invariant: 'leader-completeness',
    alsoCaughtBy: ['state-machine-safety'],
    kind: 'safety',
  },
  {
    name: 'vote-without-log-check',
    description: "Votes are granted without checking that the candidate's log is at least as up to date.",
    invariant: 'leader-completeness',
    alsoCaughtBy: ['state-machine-safety'],
    kind: 'safety',
  },
  {
    name: 'vote-not-persisted',
    description: 'The vote (and the term it adopts) is sent before it is synced, so a crash forgets it.',
    invariant: 'monotonic-term',
    alsoCaughtBy: ['election-safety'],
    kind: 'safety',
  },
  {
    name: 'truncate-on-stale-append',
    description: 'A follower drops entries past a stale or duplicate AppendEntries, even ones it acknowledged.',
    invariant: 'leader-completeness',
    // Also as a follower stuck below the leader's matchIndex, which the liveness phase sees.
    alsoCaughtBy: ['state-machine-safety', 'liveness'],
    kind: 'safety',
  },
  {
    name: 'commit-beyond-new-entries',
    description: "A follower sets commitIndex from leaderCommit bounded by its own log, not by the append's last new entry.",
    invariant: 'state-machine-safety',
    alsoCaughtBy: [],
    kind: 'safety',
  },
  {
    name: 'accept-old-term-append',
    description: 'A node accepts AppendEntries from a leader of an older term.',
    // The deposed leader's entries overwrite ones the node already holds as committed.
    invariant: 'state-machine-safety',
    alsoCaughtBy: ['leader-completeness'],
    kind: 'safety',
  },
  {
    name: 'count-stale-votes',
    description: 'A candidate counts granted votes from an earlier term, and counts a voter once per response.',
    // A "majority" of duplicates need not meet the quorum that committed an entry.
    invariant: 'leader-completeness',
    // Once the membership changed (swarm seeds that draw it), a leader without a true quorum.
    alsoCaughtBy: ['election-safety', 'configuration-safety'],
    kind: 'safety',
  },
  {
    name: 'term-rollback',
    description: 'A node adopts a lower term from a message (and forgets its vote with it).',
    // In the same step it may take a deposed leader's entries over committed ones.
    invariant: 'monotonic-term',
    alsoCaughtBy: ['state-machine-safety', 'election-safety'],
    kind: 'safety',
  },
  {
    name: 'log-not-persisted',
    description: 'A follower acknowledges appended entries before they are synced, so a crash loses them.',
    // Mostly seen as a follower left below the leader's matchIndex for good (the leader never
    // retries below it), which the liveness phase reports; rarer, a leader lacking the entries.
    invariant: 'liveness',
    alsoCaughtBy: ['leader-completeness', 'state-machine-safety'],
    kind: 'safety',
  },
  {
    name: 'leader-votes-for-other',
    description: 'A candidate or leader grants its vote to another candidate of its own term.',
    invariant: 'election-safety',
    alsoCaughtBy: [],
    kind: 'safety',
  },
  {
    name: 'stale-read',
    description: 'A leader answers ReadIndex reads from its own state without confirming it still leads.',
    // A leader cut off from its majority, already replaced, answers with what it had.
    invariant: 'linearizability',
    alsoCaughtBy: [],
    kind: 'safety',
  },
  {
    name: 'no-client-dedup',
    description: 'The state machine keeps no client sessions, so a retried command is applied twice.',
    invariant: 'linearizability',
    // Where the node compacts (swarm seeds that draw snapshots), its snapshot holds the command
    // applied twice, which the committed commands applied once each do not give.
    alsoCaughtBy: ['snapshot-consistency'],
    kind: 'safety',
  },
  {
    name: 'read-before-noop',
    description: 'A new leader serves ReadIndex reads before an entry of its own term is committed.',
    // Its commit index may lag behind writes its predecessor committed and answered.
    invariant: 'linearizability',
    alsoCaughtBy: [],
    kind: 'safety',
  },
  {
    name: 'fixed-election-timeout',
    description: 'Election timeouts are not randomized: every node waits electionTicksMin, so split votes can repeat.',
    invariant: 'liveness',
    alsoCaughtBy: [],
    kind: 'liveness',
  },
  {
    name: 'idle-leader-no-heartbeat',
    description: 'A leader sends AppendEntries only when it has entries to replicate, never idle heartbeats.',
    invariant: 'liveness',
    alsoCaughtBy: [],
    kind: 'liveness',
  },
  // Snapshot bugs (feature 'snapshots'). Sources, until the catalog carries them: Raft paper,
  // Figure 13 step 6 and section 7; camunda/camunda issue #6092 (a follower's journal truncated
  // past an installed snapshot's index).
  {
    name: 'snapshot-drops-newer-entries',
    description: 'A follower installing a snapshot of an entry it holds drops the whole log, acknowledged entries after it too.',
    invariant: 'leader-completeness',
    // The leader counts the dropped entries as held and never sends them again, so the follower
    // stays below its matchIndex for good, which the liveness phase reports.
    alsoCaughtBy: ['liveness'],
    kind: 'safety',
  },
  // Sources: Ongaro's thesis, section 5.1 (a snapshot keeps the latest configuration of the prefix
  // it replaces); moby/swarmkit pull request #238 (the member list was missing from snapshots).
  {
    name: 'snapshot-without-configuration',
    description: 'A snapshot keeps the initial configuration, not the one at its index: a node restored from it forgets changes.',
    // Seen at once where a node's view shows the configuration committed at the snapshot's index.
    invariant: 'snapshot-consistency',
    alsoCaughtBy: [],
    kind: 'safety',
  },
  // Sources: eBay/NuRaft pull request #407 (ClickHouse Keeper's Jepsen tests: a follower installed
  // a snapshot of index 1700 while committing up to 1704); databendlabs/openraft pull request #560
  // (do not install a snapshot older than last_applied); etcd-io/etcd pull request #1715 (raft
  // ignores a snapshot whose index is not above the commit index).
  {
    name: 'install-snapshot-older-than-commit',
    description: 'A follower installs a snapshot older than its commit index, so its commit index and state machine go back.',
    // In the same step its applied index goes back too (monotonic-applied-index, snapshot-consistency).
    invariant: 'monotonic-commit-index',
    alsoCaughtBy: [],
    kind: 'safety',
  },
  // Issue 18's bugs of pre-vote, check-quorum and leases. Sources: Ongaro's thesis, sections 9.6
  // (pre-vote changes no term) and 6.4.1 (a lease must allow for clock drift); etcd-io/raft, whose
  // lease-based reads rest on check-quorum stepping the leader down (ReadOnlyLeaseBased needs
  // CheckQuorum), and whose pre-vote sends term + 1 without raising r.Term.
  {
    name: 'prevote-bumps-term',
    description: 'A pre-candidate raises its own term, without writing it, as a candidate would: a crash takes the term back.',
    // The raised term reached a peer in its PreVote, so the restart's lower term is seen at once.
    invariant: 'monotonic-term',
    alsoCaughtBy: [],
    kind: 'safety',
  },
  {
    name: 'checkquorum-never-steps-down',
    description: "A leader's contact with a quorum never ages: it never steps down, and its lease never lapses.",
    // A leader cut off from its quorum, replaced, still serves lease reads from its stale state.
    invariant: 'linearizability',
    alsoCaughtBy: [],
    kind: 'safety',
  },
  {
    name: 'lease-read-ignores-drift',
    description: "A leader's lease lasts the whole minimum election timeout, as though no clock drifted and no tick came late.",
    // A follower's guard lapses before the lease does; a new leader commits while the old one reads.
    invariant: 'linearizability',
    alsoCaughtBy: [],
    kind: 'safety',
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

// Membership of the reference Raft (Raft thesis, chapter 4; etcd-io/raft's confchange/ and
// quorum/): the configurations the log holds, which one is in force, and the quorum arithmetic
// that elections, commitment and ReadIndex all rest on, in this one room.
//
// A configuration takes effect as soon as its entry is appended, committed or not (thesis 4.1),
// and a truncation that drops the entry drops the configuration with it: the room follows every
// write to the log (entriesWritten). A joint configuration (thesis 4.3, etcd's ConfChangeV2)
// decides only with a majority of its incoming voters and a majority of its outgoing voters.
// Learners are replicated to and never counted. Its fields are public to RaftNode's field list
// (src/raft/node.ts), which copies and digests them.

import type { Configuration, DigestSink, MembershipStep } from '../contract/contract.js';
import { emptyList } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import type { Entry } from './messages.js';

/** A configuration entry of the log, kept beside the log so the one in force is found at once. */
export interface ConfigurationAt {
  index: number;
  configuration: Configuration;
}

export const emptyConfiguration: Configuration = Object.freeze({ voters: emptyList, learners: emptyList, votersOutgoing: emptyList });

export class Membership {
  /** The configuration the node was started with: its members, all voters (none, for a joining node). */
  initial: Configuration = emptyConfiguration;
  /** The configuration before the log's first configuration entry: the initial one, or a snapshot's. */
  base: Configuration = emptyConfiguration;
  /** The index that holds `base`: 0 for the initial configuration, else its snapshot's index. */
  baseIndex = 0;
  /** The log's configuration entries after baseIndex, in index order. */
  entries: ConfigurationAt[] = [];
  /** The highest node id any configuration this node knew named: how far per-member digests go. */
  idBound = 0;
  /** Whether the configuration changed since the last view reported it. */
  viewStale = true;
  /** The committed configuration's index the last view reported. */
  reportedCommittedIndex = -1;

  /** Starts from the bootstrap configuration: every member a voter (none for a joining node). */
  bootstrap(members: readonly NodeId[], self: NodeId): void {
    this.initial = members.length === 0 ? emptyConfiguration : { voters: sortedIds(members), learners: emptyList, votersOutgoing: emptyList };
    this.base = this.initial;
    this.baseIndex = 0;
    this.entries = [];
    this.idBound = Math.max(self, ...members);
    this.viewStale = true;
  }

  /** The configuration in force: the latest appended. */
  latest(): Configuration {
    return this.entries.length === 0 ? this.base : this.entries[this.entries.length - 1].configuration;
  }

  latestIndex(): number {
    return this.entries.length === 0 ? this.baseIndex : this.entries[this.entries.length - 1].index;
  }

  /** The latest configuration whose entry is at or below index (and that index): at the commit index, the committed one. */
  at(index: number): ConfigurationAt {
    for (let position = this.entries.length - 1; position >= 0; position -= 1) {
      if (this.entries[position].index <= index) return this.entries[position];
    }
    return { index: this.baseIndex, configuration: this.base };
  }

  /** Does this node know the configuration in force at index (a joining node does not, before its first configuration entry)? */
  knowsConfigurationAt(index: number): boolean {
    return this.at(index).configuration.voters.length > 0;
  }

  /** Does this node know a configuration other than the one it was started with (or is it joining)? */
  changed(): boolean {
    // The base is the initial configuration itself until a snapshot folds another in: asked on every output (StateView.voteGuard).
    return this.entries.length > 0 || this.initial.voters.length === 0 || (this.base !== this.initial && !sameConfiguration(this.base, this.initial));
  }

  /**
   * Follows the log's fold into a snapshot of `index` holding `configuration`: it becomes the base,
   * the entries it covers go, and so do those past lastIndex (a log that did not hold the
   * snapshot's last entry is discarded whole). True if the latest configuration changed.
   */
  snapshotFolded(index: number, configuration: Configuration, lastIndex: number): boolean {
    const latestBefore = this.latest();
    this.entries = this.entries.filter((entry) => entry.index > index && entry.index <= lastIndex);
    this.base = configuration;
    this.baseIndex = index;
    this.idBound = Math.max(this.idBound, ...idsOf(configuration));
    this.viewStale = true;
    return !sameConfiguration(this.latest(), latestBefore);
  }

  /** Follows a write of entries at index from (everything after from - 1 replaced); true if the latest configuration changed. */
  entriesWritten(from: number, entries: readonly Entry[]): boolean {
    let changed = false;
    while (this.entries.length > 0 && this.entries[this.entries.length - 1].index >= from) {
      this.entries.pop();
      changed = true;
    }
    for (let offset = 0; offset < entries.length; offset += 1) {
      const change = entries[offset].change;
      if (change === undefined) continue;
      this.entries.push({ index: from + offset, configuration: change.configuration });
      this.idBound = Math.max(this.idBound, ...idsOf(change.configuration));
      changed = true;
    }
    if (changed) this.viewStale = true;
    return changed;
  }
}

export function sameConfiguration(a: Configuration, b: Configuration): boolean {
  return sameIds(a.voters, b.voters) && sameIds(a.learners, b.learners) && sameIds(a.votersOutgoing, b.votersOutgoing);
}

function sameIds(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((id, position) => id === b[position]);
}

/** Every node a configuration names, voters (incoming and outgoing) and learners. */
export function idsOf(configuration: Configuration): NodeId[] {
  return sortedIds([...configuration.voters, ...configuration.votersOutgoing, ...configuration.learners]);
}

/** Does this node vote in this configuration (in either half of a joint one)? */
export function isVoter(configuration: Configuration, id: NodeId): boolean {
  return configuration.voters.includes(id) || configuration.votersOutgoing.includes(id);
}

export function isJoint(configuration: Configuration): boolean {
  return configuration.votersOutgoing.length > 0;
}

/** The nodes a leader replicates to: every node the configuration names but itself. */
export function replicationPeers(configuration: Configuration, self: NodeId): NodeId[] {
  return idsOf(configuration).filter((id) => id !== self);
}

/** The nodes a candidate asks for votes: the voters, both halves, but itself. */
export function votingPeers(configuration: Configuration, self: NodeId): NodeId[] {
  return sortedIds([...configuration.voters, ...configuration.votersOutgoing]).filter((id) => id !== self);
}

export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The highest value a majority of these voters has reached (the quorum-th highest of the values of
 * `counted`: the voters themselves, unless a bug counts more); none: +Infinity.
 */
function majorityValue(voters: readonly NodeId[], valueOf: (voter: NodeId) => number, counted: readonly NodeId[] = voters): number {
  if (voters.length === 0) return Number.POSITIVE_INFINITY;
  // Runs on every append response: an insertion sort (descending) into a reused buffer, no
  // allocation. Nothing called from here reaches majorityValue again, so one buffer serves.
  const values = majorityScratch;
  for (let count = 0; count < counted.length; count += 1) {
    const value = valueOf(counted[count]);
    let position = count;
    while (position > 0 && values[position - 1] < value) {
      values[position] = values[position - 1];
      position -= 1;
    }
    values[position] = value;
  }
  return values[quorumSize(voters.length) - 1];
}

const majorityScratch: number[] = [];

/**
 * The highest value a quorum of the configuration has reached: a majority of its voters, and in a
 * joint configuration a majority of its outgoing voters too (etcd's JointConfig.CommittedIndex).
 * A configuration without voters reaches nothing (0). `countingLearners` is bug
 * learner-votes-counted: the learners' values count towards the voters' majority as well.
 */
export function quorumValue(configuration: Configuration, valueOf: (voter: NodeId) => number, countingLearners = false): number {
  if (configuration.voters.length === 0) return 0;
  const counted = countingLearners ? [...configuration.voters, ...configuration.learners] : configuration.voters;
  return Math.min(majorityValue(configuration.voters, valueOf, counted), majorityValue(configuration.votersOutgoing, valueOf));
}

/** Do these votes win an election in this configuration (both majorities when joint)? Learners never count (but for the bug). */
export function hasQuorum(configuration: Configuration, granted: ReadonlySet<NodeId>, countingLearners = false): boolean {
  return quorumValue(configuration, (voter) => (granted.has(voter) ? 1 : 0), countingLearners) === 1;
}

/**
 * The configuration a change makes of `current`, or why it is refused. One step is a
 * single-server change; several enter the joint configuration whose outgoing half is the current
 * voters (the leader leaves it once it commits: leaveJoint).
 */
export function changedConfiguration(current: Configuration, steps: readonly MembershipStep[]): Configuration | string {
  if (isJoint(current)) return 'a joint configuration is still to be left';
  if (steps.length === 0) return 'a change without steps';
  const voters = new Set(current.voters);
  const learners = new Set(current.learners);
  const touched = new Set<NodeId>();
  for (const step of steps) {
    if (touched.has(step.node)) return `node ${step.node} is changed twice in one request`;
    touched.add(step.node);
    const problem = applyStep(voters, learners, step);
    if (problem !== null) return problem;
  }
  if (voters.size === 0) return 'the change would leave no voter';
  const next = { voters: sortedIds([...voters]), learners: sortedIds([...learners]), votersOutgoing: emptyList as readonly NodeId[] };
  if (steps.length > 1) next.votersOutgoing = current.voters;
  return next;
}

function applyStep(voters: Set<NodeId>, learners: Set<NodeId>, step: MembershipStep): string | null {
  const member = voters.has(step.node) ? 'a voter' : learners.has(step.node) ? 'a learner' : null;
  switch (step.action) {
    case 'addVoter':
    case 'addLearner':
      if (member !== null) return `node ${step.node} is already ${member}`;
      (step.action === 'addVoter' ? voters : learners).add(step.node);
      return null;
    case 'promote':
      if (member !== 'a learner') return `node ${step.node} is not a learner`;
      learners.delete(step.node);
      voters.add(step.node);
      return null;
    case 'remove':
      if (member === null) return `node ${step.node} is not a member`;
      voters.delete(step.node);
      learners.delete(step.node);
      return null;
  }
}

/** The configuration that leaves a joint one: its incoming voters and learners. */
export function leaveJoint(configuration: Configuration): Configuration {
  return { voters: configuration.voters, learners: configuration.learners, votersOutgoing: emptyList };
}

export function sortedIds(ids: Iterable<NodeId>): NodeId[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * A configuration for the digests, every id written as rename[id] (null: as it is). Renamed, each
 * half is a bit set of images, so that the order of the ids does not matter; unrenamed, the
 * sorted ids themselves.
 */
export function digestConfiguration(configuration: Configuration, rename: readonly NodeId[] | null, sink: DigestSink): void {
  digestIds(configuration.voters, rename, sink);
  digestIds(configuration.learners, rename, sink);
  digestIds(configuration.votersOutgoing, rename, sink);
}

function digestIds(ids: readonly NodeId[], rename: readonly NodeId[] | null, sink: DigestSink): void {
  if (rename === null) {
    sink.number(ids.length);
    for (const id of ids) sink.number(id);
    return;
  }
  let mask = 0;
  for (const id of ids) mask |= 1 << (rename[id] - 1);
  sink.number(mask);
}

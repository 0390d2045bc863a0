// Coverage marks (as FoundationDB's TEST() and TigerBeetle's marks): named situations that a
// campaign should reach, recorded when a run reaches them, so that a campaign can say which
// corners of Raft it exercised and warn about the ones it never did. A mark is judged from what
// every driver sees: the observed cluster after a step (roles, terms, logs, commits, snapshots,
// configurations, from the state views; so marks work for every implementation that sends
// views), plus a few facts only the simulator knows (a crash, a cut link, a lost write), which
// it reports by name. Marks never change a run: they read, and count.

import type { Feature } from '../contract/contract.js';
import { allFeatures } from '../contract/contract.js';
import type { ObservedCluster, ObservedNode, StepChange } from '../contract/observation.js';
import { sameIdSet } from '../core/ids.js';

export interface MarkDefinition {
  readonly name: string;
  /** One line: the situation. */
  readonly description: string;
  /** The feature without which the situation cannot arise (absent: any implementation). */
  readonly feature?: Feature;
  /** The fault without which the situation cannot arise (absent: any scenario). */
  readonly fault?: MarkFault;
}

/**
 * Faults a scenario may leave out entirely (a swarm draws them all): records left unsynced for a
 * while (sync latency), torn writes, and the crashes triggered right after a leader's commit or a
 * snapshot.
 */
export type MarkFault = 'unsyncedWrites' | 'tornWrites' | 'crashAfterLeaderCommit' | 'crashAfterSnapshot';

export const allMarkFaults: readonly MarkFault[] = ['unsyncedWrites', 'tornWrites', 'crashAfterLeaderCommit', 'crashAfterSnapshot'];

const faultWords: Record<MarkFault, string> = {
  unsyncedWrites: 'writes left unsynced for a while (sync latency)',
  tornWrites: 'torn writes',
  crashAfterLeaderCommit: "crashes right after a leader's commit",
  crashAfterSnapshot: 'crashes right after a snapshot',
};

/** What a mark needs, in words ("the snapshots feature and crashes right after a snapshot"); null: nothing. */
export function markNeeds(mark: MarkDefinition): string | null {
  const needs = [mark.feature === undefined ? null : `the ${mark.feature} feature`, mark.fault === undefined ? null : faultWords[mark.fault]].filter((need) => need !== null);
  return needs.length === 0 ? null : needs.join(' and ');
}

const catalog = [
  { name: 'leader-elected', description: 'A node became leader.' },
  { name: 'leader-shorter-log', description: 'A node became leader with a shorter log than another node that was up.' },
  { name: 'leader-after-restart', description: 'A node that had crashed and restarted became leader.' },
  { name: 'two-leaders', description: 'A node became leader while a deposed leader of an earlier term still thought it led.' },
  { name: 'leader-elected-during-partition', description: 'A leader was elected while some link was cut.' },
  { name: 'leader-stepped-down', description: 'A leader that stayed up stopped leading (it heard of a higher term, or stepped down).' },
  { name: 'election-repeated', description: 'A candidate started another election without a leader in between (a split vote or lost votes).' },
  { name: 'term-jumped', description: 'A node’s term rose by two or more in one step.' },
  { name: 'suffix-truncated', description: 'A node replaced entries of its log (a conflicting suffix truncated).' },
  { name: 'logs-diverged', description: 'Two nodes held entries of different terms at the same index.' },
  { name: 'earlier-term-committed-through-later', description: 'A leader committed an entry of an earlier term by committing one of its own term (Figure 8’s rule at work).' },
  { name: 'commit-leap', description: 'A node’s commit index advanced by 16 or more in one step.' },
  { name: 'large-catch-up', description: 'A node’s log grew by 32 or more entries in one step.' },
  { name: 'restart-missing-committed', description: 'A node restarted with fewer entries than the cluster had committed.' },
  { name: 'restart-from-snapshot', description: 'A node restarted from a snapshot.', feature: 'snapshots' },
  { name: 'snapshot-taken', description: 'A node compacted its log into a snapshot.', feature: 'snapshots' },
  { name: 'snapshot-installed', description: 'A node installed a snapshot it was sent.', feature: 'snapshots' },
  { name: 'snapshot-over-longer-log', description: 'A node installed a snapshot while its log went past the snapshot’s index.', feature: 'snapshots' },
  { name: 'joint-configuration', description: 'A node entered a joint configuration.', feature: 'membership' },
  { name: 'joint-configuration-during-partition', description: 'A node entered a joint configuration while some link was cut.', feature: 'membership' },
  { name: 'learner-in-configuration', description: 'A node’s configuration held a learner.', feature: 'membership' },
  { name: 'leader-removed-itself', description: 'A leader appended a configuration without itself as a voter.', feature: 'membership' },
  { name: 'leader-elected-after-membership-change', description: 'A leader was elected in a configuration other than the bootstrap one.', feature: 'membership' },
  { name: 'message-from-outside-configuration', description: 'A node received a message from a node its configuration does not name (a removed or joining node).', feature: 'membership' },
  { name: 'stale-message-delivered', description: 'A node received a message sent in a lower term than its own.' },
  { name: 'leader-crashed', description: 'A node crashed while it led.' },
  { name: 'crash-after-leader-commit', description: 'A leader crashed right after its commit index advanced (the triggered crash).', fault: 'crashAfterLeaderCommit' },
  { name: 'crash-after-snapshot', description: 'A node crashed right after writing a snapshot.', feature: 'snapshots', fault: 'crashAfterSnapshot' },
  { name: 'unsynced-records-lost', description: 'A crash lost records that were written but not synced.', fault: 'unsyncedWrites' },
  { name: 'torn-write', description: 'A crash kept only part of the unsynced records (a torn write).', fault: 'tornWrites' },
] as const satisfies readonly MarkDefinition[];

export type MarkName = (typeof catalog)[number]['name'];

export const markCatalog: readonly MarkDefinition[] = catalog;

const markIndex = new Map<string, number>(catalog.map((mark, index) => [mark.name, index]));

/** Marks hit, by name, with how often (only those hit). */
export type MarkCounts = Record<string, number>;

/** A step's facts the observation cannot know: whether some link is cut right now. */
export interface StepFacts {
  partitioned: boolean;
}

/** How many entries count as a leap or a large catch-up. */
const commitLeapMin = 16;
const catchUpMin = 32;

/** One run's marks: fed every step and the simulator's own facts, read at the end. */
export class CoverageMarks {
  private readonly counts: number[] = new Array<number>(catalog.length).fill(0);
  /** The first configuration any node reported (the bootstrap one, as far as views show). */
  private firstVoters: readonly number[] | null = null;

  /** The simulator reached a situation only it sees (a crash, a lost write...). */
  hit(name: MarkName): void {
    this.counts[markIndex.get(name)!] += 1;
  }

  /** Marks hit so far, by name (none: an empty object). */
  counted(): MarkCounts {
    const counts: MarkCounts = {};
    catalog.forEach((mark, index) => {
      if (this.counts[index] > 0) counts[mark.name] = this.counts[index];
    });
    return counts;
  }

  /** After every step a node took, with the cluster as observed after it. */
  stepped(change: StepChange, cluster: ObservedCluster, facts: StepFacts): void {
    const mirror = cluster.mirror(change.node);
    if (!mirror.hasView) return;
    this.roles(change, mirror, cluster, facts);
    this.logs(change, mirror, cluster);
    this.snapshots(change);
    if (mirror.configuration !== change.previousConfiguration) this.configurations(mirror, facts);
  }

  /** A message from `from` reached `to`, sent in `senderTerm`, before `to` stepped on it. */
  delivered(from: number, to: number, senderTerm: number, cluster: ObservedCluster): void {
    const receiver = cluster.mirror(to);
    if (!receiver.hasView) return;
    if (senderTerm < receiver.term) this.hit('stale-message-delivered');
    const configuration = receiver.configuration;
    if (configuration !== null && !namesNode(configuration.latest, from) && !namesNode(configuration.committed, from)) this.hit('message-from-outside-configuration');
  }

  /** Node `id` crashed (before its mirror went down). */
  crashed(mirror: ObservedNode): void {
    if (mirror.up && mirror.role === 'leader') this.hit('leader-crashed');
  }

  private roles(change: StepChange, mirror: ObservedNode, cluster: ObservedCluster, facts: StepFacts): void {
    if (mirror.term >= change.previousTerm + 2 && !change.started) this.hit('term-jumped');
    if (change.previousRole === 'leader' && mirror.role !== 'leader' && !change.started) this.hit('leader-stepped-down');
    if (change.previousRole === 'candidate' && mirror.role === 'candidate' && mirror.term > change.previousTerm) this.hit('election-repeated');
    const elected = mirror.role === 'leader' && (change.started || change.previousRole !== 'leader' || change.previousTerm !== mirror.term);
    if (!elected) return;
    this.hit('leader-elected');
    if (mirror.incarnation > 1) this.hit('leader-after-restart');
    if (facts.partitioned) this.hit('leader-elected-during-partition');
    let shorter = false;
    let twoLeaders = false;
    for (const other of cluster.nodes) {
      if (other.id === mirror.id || !other.up || !other.hasView) continue;
      if (other.lastIndex > mirror.lastIndex) shorter = true;
      if (other.role === 'leader' && other.term < mirror.term) twoLeaders = true;
    }
    if (shorter) this.hit('leader-shorter-log');
    if (twoLeaders) this.hit('two-leaders');
    const voters = mirror.configuration?.latest.voters;
    if (voters !== undefined && this.firstVoters !== null && !sameIdSet(voters, this.firstVoters)) this.hit('leader-elected-after-membership-change');
  }

  private logs(change: StepChange, mirror: ObservedNode, cluster: ObservedCluster): void {
    if (change.started) {
      if (mirror.lastIndex < cluster.committedLength) this.hit('restart-missing-committed');
      if (mirror.snapshotIndex > 0) this.hit('restart-from-snapshot');
    }
    const from = change.logChangedFrom;
    if (from <= change.previousLastIndex && !change.started && change.snapshotInstalled === undefined) this.hit('suffix-truncated');
    if (mirror.lastIndex >= change.previousLastIndex + catchUpMin && !change.started) this.hit('large-catch-up');
    if (mirror.commitIndex >= change.previousCommitIndex + commitLeapMin && !change.started) this.hit('commit-leap');
    if (mirror.role === 'leader' && mirror.commitIndex > change.previousCommitIndex) {
      const first = mirror.termAt(change.previousCommitIndex + 1);
      if (first > 0 && first < mirror.term && mirror.termAt(mirror.commitIndex) === mirror.term) this.hit('earlier-term-committed-through-later');
    }
    if (from <= mirror.lastIndex && from > mirror.anchorIndex) this.divergence(mirror, from, cluster);
  }

  /** Does another node hold an entry of another term at the index this step wrote? */
  private divergence(mirror: ObservedNode, index: number, cluster: ObservedCluster): void {
    const term = mirror.termAt(index);
    for (const other of cluster.nodes) {
      if (other.id === mirror.id || other.lastIndex < index || index <= other.anchorIndex) continue;
      const otherTerm = other.termAt(index);
      if (otherTerm > 0 && otherTerm !== term) return this.hit('logs-diverged');
    }
  }

  private snapshots(change: StepChange): void {
    if (change.snapshotTaken !== undefined) this.hit('snapshot-taken');
    const installed = change.snapshotInstalled;
    if (installed === undefined) return;
    this.hit('snapshot-installed');
    if (change.previousLastIndex > installed.index) this.hit('snapshot-over-longer-log');
  }

  /** The node reported configurations other than those it had. */
  private configurations(mirror: ObservedNode, facts: StepFacts): void {
    const view = mirror.configuration;
    if (view === null) return;
    if (this.firstVoters === null) this.firstVoters = view.latest.voters;
    if (view.latest.votersOutgoing.length > 0) {
      this.hit('joint-configuration');
      if (facts.partitioned) this.hit('joint-configuration-during-partition');
    }
    if (view.latest.learners.length > 0) this.hit('learner-in-configuration');
    if (mirror.role === 'leader' && !view.latest.voters.includes(mirror.id)) this.hit('leader-removed-itself');
  }
}

function namesNode(configuration: { voters: readonly number[]; learners: readonly number[]; votersOutgoing: readonly number[] }, id: number): boolean {
  return configuration.voters.includes(id) || configuration.learners.includes(id) || configuration.votersOutgoing.includes(id);
}

/**
 * The marks a campaign can reach with these features in force and these faults in its scenario:
 * those that need neither, and those whose feature and fault are there.
 */
export function marksApplicable(features: readonly Feature[] = allFeatures, faults: readonly MarkFault[] = allMarkFaults): MarkDefinition[] {
  return markCatalog.filter((mark) => (mark.feature === undefined || features.includes(mark.feature)) && (mark.fault === undefined || faults.includes(mark.fault)));
}

/** The applicable marks (see marksApplicable) that a campaign never hit, in catalog order. */
export function marksNeverHit(counts: Readonly<Record<string, unknown>>, features: readonly Feature[] = allFeatures, faults: readonly MarkFault[] = allMarkFaults): string[] {
  return marksApplicable(features, faults)
    .map((mark) => mark.name)
    .filter((name) => counts[name] === undefined || counts[name] === 0);
}

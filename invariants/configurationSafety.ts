// Configuration safety (Raft thesis, chapter 4): any two quorums that could decide in the same
// term intersect. Judged from the configurations nodes report (feature 'membership'; a node that
// reports none is not judged), by rules every correct Raft keeps, whether a configuration takes
// effect when appended (the thesis) or when applied (etcd-io/raft):
//
// - one change at a time, of one voter (thesis 4.1): a leader's successive configurations within
//   its term differ by at most one voter, or enter a joint configuration whose outgoing half is the
//   previous voters, or leave one to its incoming voters (thesis 4.3; etcd's confchange.Simple,
//   EnterJoint and LeaveJoint refuse anything else);
// - a leader appends a configuration only once the previous one is committed (thesis 4.1; etcd
//   refuses a change while one is unapplied);
// - a node that becomes leader of term t holds the votes of term t of a quorum of its
//   configuration, both majorities of a joint one, learners never counted. Votes are read from
//   each voter's own view (votedFor in term t). Its configuration is the latest it appended or the
//   latest it committed: the thesis decides by the first, etcd by what it applied, which lies
//   between the two in every state a view shows. A learner may grant a vote (etcd's do); being
//   counted is what is wrong. Judged once the run's membership has changed (some node reported a
//   configuration other than the first one seen): until then every node decides by the bootstrap
//   configuration, where a leader without a true quorum is the classic vote-counting bug whose
//   consequences election safety and leader completeness judge, as they always have.
//
// Votes are kept only while an election could still read them: those for a node in the terms
// below its own (it can never again be elected in those terms: it campaigns in a higher one),
// dropped when its term rises and never recorded once it has, so that what is kept is a function
// of the votes seen and the nodes' terms, whatever the order of the steps. A node whose term goes back breaks monotonic-term first. Without
// that pruning the votes of every past term were digested, and worlds that differed only in
// votes nothing would read again were told apart (2.6% more states at depth 11, and ten times
// the distinct judgements).
//
// Not judged here: that a leader commits an entry of its own term before a change (the 2015 fix).
// etcd-io/raft keeps the 2015 bug away differently (configurations in force once applied, and no
// change until everything before the leader's term is applied), so the rule is the thesis's way,
// not a property of every correct Raft; what the bug breaks (committed entries overwritten) is
// what state-machine safety and leader completeness judge.

import type { Configuration, ConfigurationView, DigestSink } from '../src/contract/contract.js';
import type { ObservedCluster, ObservedNode, Violation } from '../src/contract/observation.js';
import type { NodeId } from '../src/core/ids.js';
import { sameIdSet } from '../src/core/ids.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import { becameLeader, ForkableState, hasQuorum, renamedSorted, violation } from './support.js';

const name = 'configuration-safety';

/** A term and a node id packed into one number per vote (ids below 4096). */
const idSpan = 4096;

interface Leadership {
  term: number;
  configuration: Configuration;
  index: number;
}

/** A leader's leadership as its view shows it now. */
function leadershipOf(leader: ObservedNode, view: ConfigurationView): Leadership {
  return { term: leader.term, configuration: view.latest, index: view.latestIndex };
}

interface ConfigurationState {
  /**
   * By candidate, the votes for it seen in views, in terms an election may still read (its own
   * term and above): (term, voter) packed by voteKey, ascending; by candidate id.
   */
  votes: (readonly number[] | undefined)[];
  /** What each current leader last reported of its configuration in its term, by its id. */
  leaders: (Leadership | undefined)[];
  /** The first configuration any node reported, and whether one has differed from it since. */
  first: Configuration | null;
  changed: boolean;
}

// Arrays by id rather than maps: the explorer keeps a state per judgement (tens of thousands in a
// long search), and a map's table is several times the size of a few slots, and slower to copy.
function copyState(state: ConfigurationState): ConfigurationState {
  // A literal, not a spread: one hidden class for every copy and the first (src/world/observation.ts, sharedObservation).
  return { votes: state.votes.slice(), leaders: state.leaders.slice(), first: state.first, changed: state.changed };
}

/** How many ids hold something. */
function held(byId: readonly unknown[]): number {
  let count = 0;
  for (let id = 0; id < byId.length; id += 1) if (byId[id] !== undefined) count += 1;
  return count;
}

export const configurationSafety: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'Quorums that may decide in the same term intersect: one voter changed at a time (or through a joint configuration), one change at a time, leaders elected by a quorum of voters.',
  create() {
    return new ConfigurationSafety(new ForkableState<ConfigurationState>({ votes: [], leaders: [], first: null, changed: false }, copyState));
  },
};

function voteKey(term: number, voter: NodeId): number {
  return term * idSpan + voter;
}

/** The checker over one (possibly shared) state; the votes and the leaders' configurations decide later verdicts, so both are digested. */
class ConfigurationSafety implements InvariantChecker {
  readonly name = name;

  constructor(private readonly state: ForkableState<ConfigurationState>) {}

  fork(): InvariantChecker {
    return new ConfigurationSafety(this.state.fork());
  }

  get version(): number {
    return this.state.version;
  }

  digest(sink: DigestSink, rename: readonly NodeId[]): void {
    const { votes, leaders, first, changed } = this.state.read;
    sink.number(changed ? 1 : 0);
    if (first !== null) digestConfiguration(first, rename, sink);
    // Nodes in the order of their images, found through rename (a few ids): nothing allocated,
    // as this runs per judgement and permutation.
    sink.number(held(votes)).number(held(leaders));
    for (let image = 1; image < rename.length; image += 1) {
      const node = rename.indexOf(image);
      const keys = votes[node];
      if (keys !== undefined) {
        sink.number(image);
        digestVotes(keys, rename, sink);
      }
      const leadership = leaders[node];
      if (leadership !== undefined) {
        sink.number(-image).number(leadership.term).number(leadership.index);
        digestConfiguration(leadership.configuration, rename, sink);
      }
    }
    // Votes for an id of no node (a broken view's), as they are.
    for (let candidate = rename.length; candidate < votes.length; candidate += 1) {
      const keys = votes[candidate];
      if (keys === undefined) continue;
      sink.number(candidate);
      digestVotes(keys, rename, sink);
    }
  }

  afterStep({ change, cluster }: CheckContext): Violation | null {
    const mirror = cluster.mirror(change.node);
    const view = mirror.configuration;
    // A node that reports no configuration is not judged, but once the run has configurations its
    // vote counts: one that joined may grant a vote before any configuration reached it (openraft).
    if (view === null && this.state.read.first === null) return null;
    this.dropPastVotes(mirror.id, mirror.term);
    // A vote for a node already past its term is one no election reads (an id of no node is kept).
    // A node's own vote, or one already kept, reads no other node (the explorer keeps such a
    // judging by its judgement, not by the node states around it).
    const votedFor = mirror.votedFor;
    if (votedFor !== null && !this.hasVote(mirror.term, mirror.id, votedFor) && (votedFor === mirror.id || !((cluster.nodes[votedFor - 1]?.term ?? 0) > mirror.term))) {
      this.recordVote(mirror.term, mirror.id, votedFor);
    }
    if (view === null) return null;
    // Views send configurations only when they change: a step that sent none changes nothing here.
    if (view !== change.previousConfiguration) this.noteConfigurations(view.latest, view.committed);
    const known = this.state.read.leaders[mirror.id];
    if (mirror.role !== 'leader') {
      if (known !== undefined) this.state.write().leaders[mirror.id] = undefined;
      return null;
    }
    // A leadership is made only when it is written: most of a leader's steps change none.
    if (becameLeader(mirror, change) || known === undefined || known.term !== mirror.term) {
      this.state.write().leaders[mirror.id] = leadershipOf(mirror, view);
      return this.electionProblem(mirror, change.eventNumber, change.timeMs);
    }
    if (view.latestIndex <= known.index) return null;
    this.state.write().leaders[mirror.id] = leadershipOf(mirror, view);
    return this.changeProblem(mirror, known, change.eventNumber, change.timeMs);
  }

  audit(_cluster: ObservedCluster, _eventNumber: number, _timeMs: number): Violation | null {
    // Every rule is about one step (an election, an appended configuration), judged when it
    // happens against what was seen before it; the end state holds nothing more to recompute.
    return null;
  }

  private noteConfigurations(latest: Configuration, committed: Configuration): void {
    const { first, changed } = this.state.read;
    if (changed) return;
    if (first === null) this.state.write().first = latest;
    else if (!sameConfiguration(first, latest) || !sameConfiguration(first, committed)) this.state.write().changed = true;
  }

  private hasVote(term: number, voter: NodeId, candidate: NodeId): boolean {
    return this.state.read.votes[candidate]?.includes(voteKey(term, voter)) === true;
  }

  /** Keeps a vote not kept yet (hasVote). */
  private recordVote(term: number, voter: NodeId, candidate: NodeId): void {
    const key = voteKey(term, voter);
    const known = this.state.read.votes[candidate];
    this.state.write().votes[candidate] = known === undefined ? [key] : [...known, key].sort((a, b) => a - b);
  }

  /** Votes for `candidate` in terms below `term`, which no election of it can read any more. */
  private dropPastVotes(candidate: NodeId, term: number): void {
    const known = this.state.read.votes[candidate];
    // Ascending: the first is of the lowest term.
    if (known === undefined || known[0] >= voteKey(term, 0)) return;
    const live = known.filter((key) => key >= voteKey(term, 0));
    this.state.write().votes[candidate] = live.length === 0 ? undefined : live;
  }

  private votedFor(term: number, candidate: NodeId): (voter: NodeId) => boolean {
    const votes = this.state.read.votes[candidate] ?? [];
    return (voter) => votes.includes(voteKey(term, voter));
  }

  /** A new leader without the votes of a quorum of its latest or committed configuration. */
  private electionProblem(mirror: ObservedNode, eventNumber: number, timeMs: number): Violation | null {
    if (!this.state.read.changed) return null;
    const view = mirror.configuration!;
    const voted = this.votedFor(mirror.term, mirror.id);
    if (hasQuorum(view.latest, voted) || hasQuorum(view.committed, voted)) return null;
    const voters = [...new Set([...view.latest.voters, ...view.latest.votersOutgoing, ...view.committed.voters, ...view.committed.votersOutgoing])].sort((a, b) => a - b);
    const votes = voters.filter(voted);
    return violation({
      invariant: name,
      message: `n${mirror.id} became leader of term ${mirror.term} without the votes of a quorum of its configuration (votes seen from ${describeIds(votes)})`,
      nodes: [mirror.id],
      eventNumber,
      timeMs,
      evidence: { term: mirror.term, leader: mirror.id, votesFrom: votes, latest: view.latest, committed: view.committed },
    });
  }

  /** A leader's new configuration that changes too much at once, or comes before the previous one committed. */
  private changeProblem(mirror: ObservedNode, previous: Leadership, eventNumber: number, timeMs: number): Violation | null {
    const view = mirror.configuration!;
    let problem = transitionProblem(previous.configuration, view.latest);
    if (problem === null && previous.index > mirror.commitIndex) {
      problem = `it appended it while the previous configuration (index ${previous.index}) was not committed (commit index ${mirror.commitIndex})`;
    }
    if (problem === null) return null;
    return violation({
      invariant: name,
      message: `leader n${mirror.id} of term ${mirror.term} changed its configuration at index ${view.latestIndex}: ${problem}`,
      nodes: [mirror.id],
      eventNumber,
      timeMs,
      evidence: { term: mirror.term, leader: mirror.id, previous: previous.configuration, previousIndex: previous.index, next: view.latest, nextIndex: view.latestIndex, commitIndex: mirror.commitIndex },
    });
  }
}

/** Why `after` may not follow `before` in one step of one leader, or null if it may. */
export function transitionProblem(before: Configuration, after: Configuration): string | null {
  const joint = before.votersOutgoing.length > 0;
  if (joint) {
    if (after.votersOutgoing.length === 0 && sameIdSet(after.voters, before.voters)) return null;
    return 'a joint configuration may only be left, to its incoming voters';
  }
  if (after.votersOutgoing.length > 0) {
    return sameIdSet(after.votersOutgoing, before.voters) ? null : 'a joint configuration must keep the previous voters as its outgoing half';
  }
  const changed = symmetricDifference(before.voters, after.voters);
  return changed.length <= 1 ? null : `voters ${describeIds(changed)} changed at once without a joint configuration`;
}

function sameConfiguration(a: Configuration, b: Configuration): boolean {
  // Views hand on the same object until the configuration changes: most steps stop here.
  if (a === b) return true;
  return sameIdSet(a.voters, b.voters) && sameIdSet(a.learners, b.learners) && sameIdSet(a.votersOutgoing, b.votersOutgoing);
}

/** Votes (term, voter) in ascending order: per term, the term and its voters' images as a bitmask. */
function digestVotes(keys: readonly number[], rename: readonly NodeId[], sink: DigestSink): void {
  let term = -1;
  let mask = 0;
  for (const key of keys) {
    const keyTerm = Math.floor(key / idSpan);
    if (keyTerm !== term) {
      if (term !== -1) sink.number(term).number(mask);
      term = keyTerm;
      mask = 0;
    }
    mask |= 1 << (rename[key % idSpan] ?? 31);
  }
  if (term !== -1) sink.number(term).number(mask);
}

/** A configuration's three halves, each as the set of its renamed ids. Runs per judgement and permutation: allocates nothing. */
function digestConfiguration(configuration: Configuration, rename: readonly NodeId[], sink: DigestSink): void {
  digestIdSet(configuration.voters, rename, sink);
  digestIdSet(configuration.learners, rename, sink);
  digestIdSet(configuration.votersOutgoing, rename, sink);
}

/** Renamed ids as one bitmask (the harness's ids are at most 15); past 30, as they are sorted, after a mark. */
function digestIdSet(ids: readonly NodeId[], rename: readonly NodeId[], sink: DigestSink): void {
  let mask = 0;
  for (const id of ids) {
    const image = rename[id] ?? id;
    if (image > 30) {
      const images = renamedSorted(ids, rename);
      sink.number(-1).number(images.length);
      for (const other of images) sink.number(other);
      return;
    }
    mask |= 1 << image;
  }
  sink.number(mask);
}

function symmetricDifference(a: readonly NodeId[], b: readonly NodeId[]): NodeId[] {
  const difference = [...a.filter((id) => !b.includes(id)), ...b.filter((id) => !a.includes(id))];
  return difference.sort((x, y) => x - y);
}

function describeIds(ids: readonly NodeId[]): string {
  return ids.length === 0 ? 'none' : ids.map((id) => `n${id}`).join(', ');
}

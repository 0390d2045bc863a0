// The reference Raft: a pure state machine in the shape of etcd-io/raft (step an input, collect
// the outputs). No timers, I/O or promises: time arrives as ticks, randomness from the seed the
// harness hands over at start, and durability is whatever the harness kept of our records.
//
// Safety rules this implementation keeps (Raft paper, Figure 2 and section 5.4):
// - currentTerm and votedFor are written and synced before any message that depends on them;
// - log entries are written and synced before they are acknowledged or counted;
// - a follower only truncates its log on a real conflict, never on a stale or duplicate append;
// - a leader commits only entries of its own term by counting replicas (Figure 8);
// - commitIndex on a follower is bounded by the index of the last entry the append covered.
//
// Reads (Raft thesis 6.4): a get may go through the log like any command, or come as a read
// input, served by ReadIndex: the leader waits until an entry of its own term is committed,
// records its commit index as the read index, confirms it still leads with a round of
// AppendEntries acknowledged by a majority of its term, and answers once it has applied up to the
// read index. A leader that steps down answers its pending reads notLeader.
//
// Snapshots (feature 'snapshots', paper section 7): with options.snapshotEntriesThreshold set, the
// node folds its applied prefix into a snapshot (state machine, client sessions, configuration),
// written as a durable record; a leader whose follower needs a compacted entry sends its snapshot
// instead (InstallSnapshot); a follower installs one newer than its commit index, keeping the
// entries after it if it holds the snapshot's last entry, and ignores an older one; a restart
// starts from the latest snapshot record and the entry records after it. Helpers in snapshot.ts.
//
// Pre-vote, check-quorum, leadership transfer and lease reads (features of their own, options off
// by default; thesis 9.6, 6.2, 3.10 and 6.4.1): a node with options.preVote asks for pre-votes at
// term + 1 before it campaigns, and grants one only to an up-to-date candidate when it has not
// heard from a leader within the minimum election timeout. With checkQuorum or leaseReads, a node
// that heard from a leader within the minimum election timeout (or started less than that ago)
// ignores vote requests of a higher term, unless a TimeoutNow started the campaign. A leader's
// clock, its contact with a quorum (check-quorum steps it down, the lease rests on it) and the
// transfer in progress live in leadership.ts; a transfer stops proposals (answered notLeader, the
// target as hint), catches the target up, sends TimeoutNow and forfeits the lease, and is
// abandoned after electionTicksMax ticks. A lease read is answered at the commit index, without
// a round, while the lease holds; otherwise a read goes by ReadIndex.
//
// Rooms, as etcd-io/raft has them: the log (log.ts, etcd's log.go), the ReadIndex queue
// (readOnly.ts, read_only.go) and the votes and replication progress (tracker.ts, tracker/). The
// role is dispatched on once, when it changes (etcd's r.step and r.tick): the role is an object
// holding what the role does with ticks, proposals, reads and responses, so the handlers never
// ask which role they are in. Every field, the rooms' included, is in one list (`fields`, at the
// end) that clone() and both digests are made from.
//
// The bug corpus (src/raft/bugs.ts) switches single rules off: `bugs` is one frozen object of
// switches, fixed at construction, and each bug's code path sits beside the correct one, marked
// "Bug <name>:". With every switch off (the default) those paths are dead and the rules above hold.

import type { AppliedEntry, Command, Configuration, ConfigurationView, DigestSink, ImplementationOptions, Input, LeadershipTransfer, MembershipChange, OutboundMessage, Output, ProposalAnswer, Role, SnapshotView, StateView } from '../contract/contract.js';
import { emptyList } from '../contract/contract.js';
import { Hasher } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import { nextRandomState, randomValueOfState } from '../core/random.js';
import type { BugSwitches, RaftBugs } from './bugs.js';
import { bugSwitches, noBugs } from './bugs.js';
import type { NodeField } from './fields.js';
import { arrayCopy, blankRoom, FieldList, hashLength, hashMemberFlag, hashMemberNumber, hashNumber, mapCopy, same, setCopy } from './fields.js';
import { KeyValueStore } from '../contract/keyValueStore.js';
import { entryId, hashEntries, RaftLog, replayRecords } from './log.js';
import type { ConfigurationAt } from './membership.js';
import { changedConfiguration, digestConfiguration, hasQuorum, idsOf, isJoint, isVoter, leaveJoint, Membership, quorumSize, quorumValue, replicationPeers, votingPeers } from './membership.js';
import { Leadership, leaseTicks } from './leadership.js';
import type { AppendEntries, AppendEntriesResponse, Entry, InstallSnapshot, PreVote, PreVoteResponse, RaftMessage, RaftRecord, RequestVote, RequestVoteResponse, Snapshot, TimeoutNow } from './messages.js';
import { isResponse } from './messages.js';
import type { PendingRead } from './readOnly.js';
import { pendingReadsMax, ReadOnly } from './readOnly.js';
import { compactionDue, snapshotView } from './snapshot.js';
import { ProgressTracker } from './tracker.js';

/**
 * What a role does with the inputs that depend on it. The node holds the role as one of these,
 * set when the role changes, as etcd-io/raft sets r.step and r.tick.
 */
interface RoleRules {
  readonly name: Role;
  /** The role as a number, for digests. */
  readonly code: number;
  /** Only a follower grants votes (a candidate or leader has voted for itself this term). */
  readonly grantsVotes: boolean;
  tick(node: RaftNode): void;
  propose(node: RaftNode, command: Command): void;
  read(node: RaftNode, command: Command): void;
  changeMembership(node: RaftNode, change: MembershipChange): void;
  transferLeadership(node: RaftNode, transfer: LeadershipTransfer): void;
  /** Runs after every input: answers the reads that may be answered now. */
  serveReads(node: RaftNode): void;
  voteResponse(node: RaftNode, from: NodeId, response: RequestVoteResponse): void;
  preVoteResponse(node: RaftNode, from: NodeId, response: PreVoteResponse): void;
  appendResponse(node: RaftNode, from: NodeId, response: AppendEntriesResponse): void;
}

const ignore = (): void => undefined;

/**
 * The empty lists of an output. Not frozen, unlike the contract's emptyList: with a frozen array
 * among the lists it meets, every for-of over an output's lists in the harness took V8's slow
 * path (an iterator result allocated per element), a quarter of all allocation in the bench's
 * every-feature row. Nothing writes to an output's lists: they are readonly.
 */
const noItems: readonly never[] = [];

export class RaftNode {
  // ---- roles --------------------------------------------------------------------------------

  private static readonly follower: RoleRules = {
    name: 'follower',
    code: 0,
    grantsVotes: true,
    tick: (node) => node.tickElection(),
    propose: (node, command) => node.redirect(command.id),
    read: (node, command) => node.redirect(command.id),
    changeMembership: (node, change) => node.redirect(change.id),
    transferLeadership: (node, transfer) => node.redirect(transfer.id),
    serveReads: ignore,
    voteResponse: ignore,
    preVoteResponse: ignore,
    appendResponse: ignore,
  };

  /** Feature 'preVote': a follower asking for pre-votes, its term unchanged; the view says follower. */
  private static readonly preCandidate: RoleRules = {
    ...RaftNode.follower,
    code: 3,
    preVoteResponse: (node, from, response) => node.countPreVote(from, response),
  };

  private static readonly candidate: RoleRules = {
    ...RaftNode.follower,
    name: 'candidate',
    code: 1,
    grantsVotes: false,
    voteResponse: (node, from, response) => node.countVote(from, response),
  };

  private static readonly leader: RoleRules = {
    name: 'leader',
    code: 2,
    grantsVotes: false,
    tick: (node) => node.tickHeartbeat(),
    propose: (node, command) => node.appendProposal(command),
    read: (node, command) => node.startRead(command),
    changeMembership: (node, change) => node.changeMembership(change),
    transferLeadership: (node, transfer) => node.startTransfer(transfer),
    serveReads: (node) => node.serveReads(),
    voteResponse: ignore,
    preVoteResponse: ignore,
    appendResponse: (node, from, response) => node.handleAppendEntriesResponse(from, response),
  };

  private id: NodeId = 0;
  /** The nodes a leader replicates to: every node the configuration in force names but this one. */
  private peers: readonly NodeId[] = [];
  /** The configuration `peers` was computed from (configurationChanged). */
  private peersFrom: Configuration | null = null;
  private options!: ImplementationOptions;
  private randomState = 0;

  // Persistent state (Figure 2), written through records.
  private currentTerm = 0;
  private votedFor: NodeId | null = null;
  private log: RaftLog;

  // Volatile state.
  private role: RoleRules = RaftNode.follower;
  private leaderId: NodeId | null = null;
  private electionElapsedTicks = 0;
  private electionTimeoutTicks = 0;
  private heartbeatElapsedTicks = 0;
  private tracker = new ProgressTracker();
  private readOnly = new ReadOnly();
  private membership = new Membership();
  private leadership = new Leadership();
  /**
   * With check-quorum or lease reads, the guard without a known leader (hearsFromLeader), up to
   * electionTicksMin ticks and no campaign: after a start (it may have answered a leader before
   * it crashed, and a lease may rest on that answer), and after a newer term learned from anyone
   * but that term's leader while the guard was up.
   */
  private startGuard = false;
  private store: KeyValueStore;
  /** The latest snapshot, taken or installed (null: none); the log starts after its index. */
  private snapshot: Snapshot | null = null;

  // Outputs collected while handling one input.
  private messages: OutboundMessage[] = [];
  private records: RaftRecord[] = [];
  private applied: AppliedEntry[] = [];
  private answers: ProposalAnswer[] = [];
  private snapshotTaken: SnapshotView | null = null;
  private snapshotInstalled: SnapshotView | null = null;
  /** Set only by the not-persisted bugs: this output's records go out unsynced. */
  private withholdSync = false;

  /** The bugs of the corpus, switched on or off for good; all off in the correct Raft. */
  private bugs: BugSwitches;

  constructor(bugs: RaftBugs = noBugs) {
    this.bugs = bugSwitches(bugs);
    this.log = new RaftLog(bugs.enabled.size > 0);
    // Bug no-client-dedup: the state machine forgets client sessions (thesis 6.3), so a retried
    // command whose first attempt was applied is applied again.
    this.store = new KeyValueStore({ deduplicate: !this.bugs['no-client-dedup'] });
  }

  step(input: Input): Output {
    switch (input.kind) {
      case 'start':
        this.start(input.id, input.members, input.seed, input.records as readonly RaftRecord[], input.options);
        break;
      case 'tick':
        this.role.tick(this);
        break;
      case 'deliver':
        this.receive(input.from, input.message.body as RaftMessage);
        break;
      case 'propose':
        this.role.propose(this, input.command);
        break;
      case 'read':
        this.role.read(this, input.command);
        break;
      case 'changeMembership':
        this.role.changeMembership(this, input.change);
        break;
      case 'transferLeadership':
        this.role.transferLeadership(this, input.transfer);
        break;
    }
    // Under bug config-on-commit-not-append a commit may change the configuration in force. The
    // same configuration gives the same peers: recomputed on every step, they were a tenth of a
    // shrink of this bug (an id set sorted per step).
    if (this.bugs['config-on-commit-not-append'] && this.inForce() !== this.peersFrom) this.configurationChanged();
    this.applyCommitted();
    this.maybeCompact();
    this.role.serveReads(this);
    return this.takeOutput();
  }

  // ---- inputs -------------------------------------------------------------------------------

  private start(id: NodeId, members: readonly NodeId[], seed: number, records: readonly RaftRecord[], options: ImplementationOptions): void {
    this.id = id;
    this.membership.bootstrap(members, id);
    this.options = options;
    // The node's own id goes into its randomness: nodes handed the same seed (a shrunk choice
    // sequence hands every node 0) must still draw different election timeouts, or every
    // election splits the vote and the cluster never elects a leader.
    this.randomState = (seed ^ Math.imul(id, 0x9e3779b9)) | 0;
    const { hardState, snapshot } = replayRecords(records, this.log);
    if (snapshot !== null) this.adoptSnapshot(snapshot);
    if (hardState !== null) {
      this.currentTerm = hardState.term;
      this.votedFor = hardState.votedFor;
    }
    this.log.changedFrom = 1;
    // The configuration is recovered from the log's configuration entries, as it was appended.
    if (snapshot !== null) this.membership.snapshotFolded(snapshot.index, snapshot.configuration, this.log.lastIndex());
    this.membership.entriesWritten(this.log.snapshotIndex + 1, this.log.entries);
    this.configurationChanged();
    this.becomeFollower(this.currentTerm, null);
    this.resetElectionTimer();
    this.startGuard = this.guardsLeases();
  }

  /** With check-quorum or lease reads, a node that heard from a leader (or just started) holds its vote. */
  private guardsLeases(): boolean {
    return this.options.checkQuorum === true || this.options.leaseReads === true;
  }

  /** Check-quorum and leases both need the leader's clock and its echoes. */
  private tracksContact(): boolean {
    return this.guardsLeases();
  }

  private tickElection(): void {
    // A learner, a removed node or one still joining never campaigns (thesis 4.2.1, 4.2.2): its
    // timer stops at the timeout, so that it campaigns at the next tick once it is a voter.
    if (!isVoter(this.inForce(), this.id)) {
      if (this.electionElapsedTicks < this.electionTimeoutTicks) this.electionElapsedTicks += 1;
      if (this.electionElapsedTicks >= this.options.electionTicksMin) this.startGuard = false;
      return;
    }
    this.electionElapsedTicks += 1;
    if (this.electionElapsedTicks >= this.options.electionTicksMin) this.startGuard = false;
    if (this.electionElapsedTicks < this.electionTimeoutTicks) return;
    if (this.options.preVote === true) this.preCampaign();
    else this.campaign(false);
  }

  private tickHeartbeat(): void {
    if (this.tracksContact()) this.leadership.clockTicks += 1;
    if (this.quorumLost()) {
      this.becomeFollower(this.currentTerm, null);
      return;
    }
    this.tickTransfer();
    this.heartbeatElapsedTicks += 1;
    if (this.heartbeatElapsedTicks < this.options.heartbeatTicks) return;
    this.heartbeatElapsedTicks = 0;
    if (this.bugs['idle-leader-no-heartbeat']) {
      // Bug idle-leader-no-heartbeat: the heartbeat serves only as a retransmission timer, so a
      // leader with nothing new to send goes quiet and its followers start elections (section
      // 5.2: leaders send periodic heartbeats to keep their authority).
      for (const peer of this.peers) if (this.tracker.next(peer, 0) <= this.log.lastIndex()) this.sendAppendEntries(peer);
    } else {
      this.broadcastAppendEntries();
    }
  }

  /** A proposal, read or change to a node that does not lead: ask the leader we know. */
  private redirect(id: number): void {
    this.answers.push({ commandId: id, kind: 'notLeader', leaderHint: this.leaderId });
  }

  private appendProposal(command: Command): void {
    const target = this.leadership.transferTarget;
    // Bug transfer-accepts-proposals: proposals go on during the transfer, so the target chases a
    // growing log, and what comes after TimeoutNow is lost when it wins.
    if (target !== null && !this.bugs['transfer-accepts-proposals']) {
      // Thesis 3.10: no new entries while leadership is handed over; the target is about to lead.
      this.answers.push({ commandId: command.id, kind: 'notLeader', leaderHint: target });
      return;
    }
    const index = this.appendOwnEntry({ term: this.currentTerm, command });
    this.answers.push({ commandId: command.id, kind: 'accepted', index, term: this.currentTerm });
  }

  /** A leader's entry: appended, counted as ours, committed if we alone are a quorum, sent. */
  private appendOwnEntry(entry: Entry): number {
    const index = this.appendEntries(this.log.lastIndex() + 1, [entry]);
    this.tracker.matchIndex.set(this.id, index);
    this.maybeAdvanceCommit();
    if (this.role === RaftNode.leader) this.broadcastAppendEntries();
    return index;
  }

  /**
   * A membership change, as a configuration entry in force once appended (thesis 4.1). Refused
   * until an entry of this term is committed (the 2015 fix: a new leader's configuration may not
   * yet be the one a quorum knows) and while an earlier change is not committed (one at a time).
   */
  private changeMembership(change: MembershipChange): void {
    const next = this.membershipRefusal() ?? changedConfiguration(this.membership.latest(), change.steps);
    if (typeof next === 'string') {
      this.answers.push({ commandId: change.id, kind: 'rejected', reason: next });
      return;
    }
    const index = this.appendOwnEntry({ term: this.currentTerm, command: null, change: { id: change.id, configuration: next } });
    this.answers.push({ commandId: change.id, kind: 'accepted', index, term: this.currentTerm });
  }

  /** Why a leader may not change its membership now, or null if it may. */
  private membershipRefusal(): string | null {
    // Bug config-change-before-term-commit: the 2015 fix is missing, so a new leader may build on a
    // configuration that a quorum no longer holds while an uncommitted one of an earlier term is
    // still about (Ongaro, raft-dev, July 2015).
    if (!this.log.committedInTerm(this.currentTerm) && !this.bugs['config-change-before-term-commit']) return 'no entry of this term is committed yet';
    // Bug concurrent-config-changes: a second change while the first is uncommitted, so two
    // configurations in a row may differ by two voters (thesis 4.1: one change at a time).
    if (this.membership.latestIndex() > this.log.commitIndex && !this.bugs['concurrent-config-changes']) return 'the previous configuration change is not committed yet';
    if (this.leadership.transferTarget !== null) return 'a leadership transfer is in progress';
    return null;
  }

  // ---- leadership: check-quorum, transfer, lease (leadership.ts) ------------------------------

  /** Check-quorum (thesis 6.2): no quorum of voters heard from this leader within an election timeout. */
  private quorumLost(): boolean {
    if (this.options.checkQuorum !== true) return false;
    return this.quorumContactAgeTicks(0) >= this.options.electionTicksMax;
  }

  /** Ticks since a quorum last heard from this leader (a peer never heard from counts as `unheard`). */
  private quorumContactAgeTicks(unheard: number): number {
    // Bug checkquorum-never-steps-down: the contact is taken as fresh at every tick, so the leader
    // never steps down, and a lease resting on the same contact never lapses (etcd-io/raft's
    // lease-based reads trust check-quorum to depose a leader cut off from its quorum).
    if (this.bugs['checkquorum-never-steps-down']) return 0;
    return this.leadership.clockTicks - this.leadership.quorumContactTicks(this.inForce(), this.id, unheard);
  }

  /** Thesis 6.4.1: a quorum heard from us recently enough that no other leader can have been elected. */
  private leaseHolds(): boolean {
    const leadership = this.leadership;
    if (this.options.leaseReads !== true || leadership.leaseForfeited || leadership.transferTarget !== null) return false;
    // Bug lease-read-ignores-drift: the lease lasts electionTicksMin, the followers' whole guard,
    // as though no clock drifted and no tick was a fraction late (thesis 6.4.1 divides by the
    // drift bound).
    const lease = this.bugs['lease-read-ignores-drift'] ? this.options.electionTicksMin : leaseTicks(this.options);
    return this.quorumContactAgeTicks(Number.NEGATIVE_INFINITY) < lease;
  }

  /** A transfer that has not finished within an election timeout is abandoned: proposals come back. */
  private tickTransfer(): void {
    if (this.leadership.transferTarget === null) return;
    this.leadership.transferElapsedTicks += 1;
    if (this.leadership.transferElapsedTicks >= this.options.electionTicksMax) this.leadership.endTransfer();
  }

  /** Thesis 3.10: stop taking proposals, catch the target up, then tell it to campaign. */
  private startTransfer(transfer: LeadershipTransfer): void {
    const refusal = this.transferRefusal(transfer.target);
    if (refusal !== null) {
      this.answers.push({ commandId: transfer.id, kind: 'rejected', reason: refusal });
      return;
    }
    this.leadership.transferTarget = transfer.target;
    this.leadership.transferElapsedTicks = 0;
    this.answers.push({ commandId: transfer.id, kind: 'transferAccepted', term: this.currentTerm });
    if (!this.sendTimeoutNowIfCaughtUp()) this.sendAppendEntries(transfer.target);
  }

  private transferRefusal(target: NodeId): string | null {
    if (target === this.id) return 'the target already leads';
    if (!isVoter(this.inForce(), target)) return `node ${target} is not a voter`;
    const current = this.leadership.transferTarget;
    if (current !== null) return `a transfer to node ${current} is in progress`;
    return null;
  }

  /**
   * Once the target holds our whole log, TimeoutNow: it campaigns at once, and its vote requests
   * pass voters' lease guards, so our lease is given up for the rest of this leadership.
   */
  private sendTimeoutNowIfCaughtUp(): boolean {
    const target = this.leadership.transferTarget;
    if (target === null) return false;
    // Bug transfer-to-lagging-node: TimeoutNow at once, whatever the target holds (etcd-io/etcd#5020:
    // sent ahead of the acknowledgement, it makes a target campaign that cannot win).
    if (this.tracker.match(target) < this.log.lastIndex() && !this.bugs['transfer-to-lagging-node']) return false;
    this.leadership.leaseForfeited = true;
    this.send(target, { type: 'TimeoutNow', term: this.currentTerm, leader: this.id });
    return true;
  }

  /**
   * The configuration in force: the latest appended, committed or not (thesis 4.1). Bug
   * config-on-commit-not-append: the latest committed instead, which a node that restarts (its
   * commit index is not durable) finds far back, maybe two changes behind the cluster's.
   */
  private inForce(): Configuration {
    return this.bugs['config-on-commit-not-append'] ? this.membership.at(this.log.commitIndex).configuration : this.membership.latest();
  }

  /**
   * Once the configuration in force is committed, a leader leaves a joint configuration on its own
   * (etcd's AutoLeave) and steps down if it is no longer a voter (thesis 4.2.2).
   */
  private followCommittedConfiguration(): void {
    if (this.membership.latestIndex() > this.log.commitIndex) return;
    const latest = this.membership.latest();
    if (isJoint(latest)) this.appendOwnEntry({ term: this.currentTerm, command: null, change: { id: 0, configuration: leaveJoint(latest) } });
    else if (!isVoter(latest, this.id)) this.becomeFollower(this.currentTerm, null);
  }

  /** The configuration in force changed: replicate to its nodes, and track the progress of new ones. */
  private configurationChanged(): void {
    this.peersFrom = this.inForce();
    this.peers = replicationPeers(this.peersFrom, this.id);
    if (this.role === RaftNode.leader) this.tracker.followPeers(this.peers, this.log.lastIndex());
  }

  private startRead(command: Command): void {
    if (this.readOnly.heldCount() >= pendingReadsMax) {
      this.answers.push({ commandId: command.id, kind: 'notLeader', leaderHint: null });
      return;
    }
    // Until an entry of its term is committed, a new leader's commit index may lag behind what
    // its predecessor committed and answered (thesis 6.4, step 1).
    // Bug read-before-noop: the read index is taken at once, possibly behind a committed write.
    if (!this.log.committedInTerm(this.currentTerm) && !this.bugs['read-before-noop']) {
      this.readOnly.awaitingTermCommit.push(command);
      return;
    }
    // Thesis 6.4.1: within the lease no other leader can have been elected, so the commit index
    // is the read index without a round of heartbeats.
    if (this.leaseHolds()) this.readOnly.add([command], this.log.commitIndex, 0);
    else this.startReads([command]);
  }

  private startReads(commands: readonly Command[]): void {
    if (this.bugs['stale-read']) {
      // Bug stale-read: no round of acknowledgements; a leader cut off from its majority, that a
      // new leader has replaced, answers from its own stale state (thesis 6.4, step 3 skipped).
      this.readOnly.add(commands, this.log.commitIndex, 0);
      return;
    }
    this.readOnly.add(commands, this.log.commitIndex, this.readOnly.startRound());
    this.broadcastAppendEntries();
  }

  private serveReads(): void {
    if (this.readOnly.awaitingTermCommit.length > 0 && this.log.committedInTerm(this.currentTerm)) {
      this.startReads(this.readOnly.takeAwaiting());
    }
    if (this.readOnly.pending.length === 0) return;
    const confirmedRound = this.readOnly.confirmedRound(this.inForce(), this.id);
    for (const read of this.readOnly.takeAnswerable(confirmedRound, this.log.appliedIndex)) {
      this.answers.push({ commandId: read.command.id, kind: 'read', value: this.store.get(read.command.key) });
    }
  }

  /** A leader stepping down answers its waiting reads: the client should ask the new leader. */
  private abandonReads(): void {
    for (const command of this.readOnly.takeAll()) this.answers.push({ commandId: command.id, kind: 'notLeader', leaderHint: this.leaderId });
  }

  private receive(from: NodeId, message: RaftMessage): void {
    // Pre-votes change no term, on either side.
    if (message.type === 'PreVote') return this.handlePreVote(from, message);
    // Thesis 4.2.3 again, for answers: a response from a node the configuration in force does not
    // name answers a request of an older configuration (an AppendEntries that reached a removed
    // server late), and would hand us the term the removed server raised by campaigning alone. It
    // is dropped, as the network may drop any message. Bug removed-node-disrupts: heard as well.
    if (isResponse(message) && !this.peers.includes(from) && !this.bugs['removed-node-disrupts']) return;
    if (message.type === 'PreVoteResponse') return this.role.preVoteResponse(this, from, message);
    // Bug removed-node-disrupts: no such guard, so a removed node that times out again and again
    // deposes every leader of the cluster it left.
    if (message.type === 'RequestVote' && message.term > this.currentTerm && message.transfer !== true && !this.bugs['removed-node-disrupts'] && this.hearsFromLeader(message.candidate)) {
      // Thesis 4.2.3: within the minimum election timeout of hearing from a current leader, a
      // RequestVote neither raises our term nor gets a vote, so a removed server that times out
      // again and again cannot depose a leader it no longer hears from (and, with check-quorum
      // or leases, no leader is elected while a lease may rest on our answer). A campaign a
      // TimeoutNow started is the leader's own wish (thesis 3.10).
      return;
    }
    if (message.term > this.currentTerm) {
      // A newer term: step down. Only an AppendEntries tells us who leads it.
      const leader = message.type === 'AppendEntries' ? from : null;
      // A follower within its guard keeps it across a newer term learned from anyone but that
      // term's leader (a late answer to an old vote request, say): a lease may rest on the
      // promise it made the leader it heard, for the rest of the minimum election timeout.
      const keepGuard = leader === null && this.role === RaftNode.follower && this.guardsLeases() && this.holdsVote();
      this.becomeFollower(message.term, leader);
      if (keepGuard) this.startGuard = true;
    } else if (this.bugs['term-rollback'] && message.term < this.currentTerm) {
      // Bug term-rollback: "term != currentTerm" where Figure 2 says "T > currentTerm": a stale
      // message drags the node back to its term, and the vote is reset as for any new term.
      this.currentTerm = message.term;
      this.votedFor = null;
      this.persistHardState();
      this.becomeFollower(message.term, message.type === 'AppendEntries' ? from : null);
    }
    switch (message.type) {
      case 'RequestVote':
        this.handleRequestVote(from, message);
        break;
      case 'RequestVoteResponse':
        this.role.voteResponse(this, from, message);
        break;
      case 'AppendEntries':
        this.handleAppendEntries(from, message);
        break;
      case 'AppendEntriesResponse':
        this.role.appendResponse(this, from, message);
        break;
      case 'InstallSnapshot':
        this.handleInstallSnapshot(from, message);
        break;
      case 'TimeoutNow':
        this.handleTimeoutNow(message);
        break;
    }
  }

  // ---- elections ----------------------------------------------------------------------------

  /**
   * Has this node heard from a current leader within the minimum election timeout (a leader hears
   * itself)? Only once the membership has changed: before, there is no removed server to fear,
   * and a cluster runs as Figure 2 has it. A candidate outside our configuration is evidence of a
   * change too (a spare whose joining entry was appended, then truncated away before it reached us).
   */
  private hearsFromLeader(candidate: NodeId): boolean {
    if (!this.guardsLeases() && !this.membership.changed() && idsOf(this.inForce()).includes(candidate)) return false;
    return this.holdsVote();
  }

  /** Heard from a leader (or just started) within the minimum election timeout: the guard of hearsFromLeader. */
  private holdsVote(): boolean {
    if (this.leaderId === null && !this.startGuard) return false;
    return this.role === RaftNode.leader || this.electionElapsedTicks < this.options.electionTicksMin;
  }

  /**
   * StateView.voteGuard: a vote request of a higher term from any candidate is ignored now
   * (hearsFromLeader's guard, which holds for every candidate with check-quorum or lease reads,
   * and once the membership has changed).
   */
  private voteGuardView(): boolean {
    if (this.bugs['removed-node-disrupts'] || !this.holdsVote()) return false;
    return this.guardsLeases() || this.membership.changed();
  }

  /** StateView.leaseHeld: with lease reads, whether startRead would answer a read now, at once. */
  private leaseHeldView(): boolean | undefined {
    if (this.options.leaseReads !== true) return undefined;
    // As startRead has it (bug read-before-noop: without waiting for an entry of the term).
    const termCommitted = this.log.committedInTerm(this.currentTerm) || this.bugs['read-before-noop'];
    return this.role === RaftNode.leader && termCommitted && this.leaseHolds();
  }

  /** Has this node heard from a current leader within the minimum election timeout (a leader hears itself)? */
  private heardFromLeaderRecently(): boolean {
    if (this.leaderId === null) return false;
    return this.role === RaftNode.leader || this.electionElapsedTicks < this.options.electionTicksMin;
  }

  /** Feature 'preVote' (thesis 9.6): ask whether a quorum would vote for us at term + 1, term unchanged. */
  private preCampaign(): void {
    this.role = RaftNode.preCandidate;
    this.leaderId = null;
    this.startGuard = false;
    // Bug prevote-bumps-term: the term is raised as for a campaign (thesis 9.6 keeps it), but not
    // written, since a pre-vote 'changes nothing durable'; a crash before the campaign takes it back.
    if (this.bugs['prevote-bumps-term']) this.currentTerm += 1;
    this.tracker.startCampaign(this.id);
    this.resetElectionTimer();
    if (hasQuorum(this.inForce(), this.tracker.votesGranted)) {
      this.campaign(false);
      return;
    }
    const request: PreVote = { type: 'PreVote', term: this.preVoteTerm(), candidate: this.id, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.termAt(this.log.lastIndex()) };
    for (const peer of votingPeers(this.inForce(), this.id)) this.send(peer, request);
  }

  /** A pre-vote is granted to an up-to-date candidate of a higher term, unless we hear from a leader. */
  private handlePreVote(from: NodeId, request: PreVote): void {
    // Bug prevote-skips-log-check: granted on liveness alone (ClickHouse/NuRaft#134), so a node that
    // would lose the real vote still raises its term and deposes the leader (thesis 9.6).
    const logAllows = this.bugs['prevote-skips-log-check'] || this.log.isUpToDate(request.lastLogIndex, request.lastLogTerm);
    const granted = request.term > this.currentTerm && logAllows && !this.heardFromLeaderRecently();
    const response: PreVoteResponse = { type: 'PreVoteResponse', term: granted ? request.term : this.currentTerm, voteGranted: granted };
    this.send(from, response);
  }

  /** A pre-candidate's: a quorum of pre-votes starts the real campaign; a higher term ends the attempt. */
  private countPreVote(from: NodeId, response: PreVoteResponse): void {
    if (!response.voteGranted) {
      if (response.term > this.currentTerm) this.becomeFollower(response.term, null);
      return;
    }
    if (response.term !== this.preVoteTerm()) return;
    this.tracker.recordVote(from);
    if (hasQuorum(this.inForce(), this.tracker.votesGranted)) this.campaign(false);
  }

  /** The term a pre-candidate asks about: the next one (the raised one itself, with prevote-bumps-term). */
  private preVoteTerm(): number {
    return this.bugs['prevote-bumps-term'] ? this.currentTerm : this.currentTerm + 1;
  }

  /** A leader of our term tells us to campaign at once: it is handing its leadership to us. */
  private handleTimeoutNow(message: TimeoutNow): void {
    if (message.term !== this.currentTerm || this.role === RaftNode.leader || !isVoter(this.inForce(), this.id)) return;
    this.campaign(true);
  }

  /** A campaign for the next term; `transfer`: a TimeoutNow started it. */
  private campaign(transfer: boolean): void {
    this.role = RaftNode.candidate;
    this.leaderId = null;
    this.startGuard = false;
    this.currentTerm += 1;
    this.votedFor = this.id;
    this.persistHardState();
    this.tracker.startCampaign(this.id);
    this.resetElectionTimer();
    if (hasQuorum(this.inForce(), this.tracker.votesGranted, this.bugs['learner-votes-counted'])) {
      this.becomeLeader();
      return;
    }
    const request: RequestVote = {
      type: 'RequestVote',
      term: this.currentTerm,
      candidate: this.id,
      lastLogIndex: this.log.lastIndex(),
      lastLogTerm: this.log.termAt(this.log.lastIndex()),
    };
    if (transfer) request.transfer = true;
    // Bug learner-votes-counted: the learners are asked too, and their grants counted (thesis 4.2.1:
    // non-voting members; a learner may answer, as etcd's do, but only voters count).
    const asked = this.bugs['learner-votes-counted'] ? this.peers : votingPeers(this.inForce(), this.id);
    for (const peer of asked) this.send(peer, request);
  }

  private handleRequestVote(from: NodeId, request: RequestVote): void {
    let granted = false;
    if (request.term === this.currentTerm) {
      const canVote =
        this.votedFor === null ||
        this.votedFor === request.candidate ||
        // Bug leader-votes-for-other: a candidate's (or leader's) vote for itself (section 5.2) is
        // not taken as its vote of the term, so it still votes for a rival, without stepping down.
        (this.bugs['leader-votes-for-other'] && this.votedFor === this.id);
      // Bug vote-without-log-check: the election restriction (section 5.4.1) is skipped, so a
      // candidate that lacks committed entries can win.
      const logAllowsVote = this.log.isUpToDate(request.lastLogIndex, request.lastLogTerm) || this.bugs['vote-without-log-check'];
      const roleAllowsVote = this.role.grantsVotes || this.bugs['leader-votes-for-other'];
      if (canVote && logAllowsVote && roleAllowsVote) {
        granted = true;
        this.votedFor = request.candidate;
        this.persistHardState();
        this.resetElectionTimer();
        this.startGuard = false;
        // Bug vote-not-persisted: the vote (and a term adopted with it) goes out before it is
        // synced, against Figure 2's "updated on stable storage before responding to RPCs"; a
        // crash before the next sync forgets both, and the node may vote again.
        if (this.bugs['vote-not-persisted']) this.withholdSync = true;
      }
    }
    const response: RequestVoteResponse = { type: 'RequestVoteResponse', term: this.currentTerm, voteGranted: granted };
    this.send(from, response);
  }

  /** A candidate's: counts a vote of its term; a majority makes it leader. */
  private countVote(from: NodeId, response: RequestVoteResponse): void {
    if (this.bugs['count-stale-votes']) {
      // Bug count-stale-votes: every granted response counts, whatever its term (a vote from a
      // failed earlier candidacy) and however often it arrives (a duplicate counts again): the
      // "term confusion" of the Students' Guide to Raft.
      if (!response.voteGranted) return;
      this.tracker.grantedResponseCount += 1;
      if (this.tracker.grantedResponseCount >= quorumSize(this.inForce().voters.length)) this.becomeLeader();
      return;
    }
    if (response.term !== this.currentTerm || !response.voteGranted) return;
    this.tracker.recordVote(from);
    if (hasQuorum(this.inForce(), this.tracker.votesGranted, this.bugs['learner-votes-counted'])) this.becomeLeader();
  }

  private becomeFollower(term: number, leader: NodeId | null): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      this.persistHardState();
    }
    this.role = RaftNode.follower;
    this.leaderId = leader;
    this.tracker.forgetVotes();
    this.leadership.endTransfer();
    if (this.readOnly.inFlight()) this.abandonReads();
    // No timer reset here: only hearing the current leader or granting a vote resets it
    // (Figure 2, Followers). Resetting on every higher term let a node with a stale log and a
    // fast clock time out first again and again, making everyone else step down without ever
    // timing out themselves: no leader, ever (found by the clock-drift scenario's liveness phase).
  }

  private becomeLeader(): void {
    this.role = RaftNode.leader;
    this.leaderId = this.id;
    this.heartbeatElapsedTicks = 0;
    this.tracker.forgetProgress();
    this.readOnly.roundAcked.clear();
    this.leadership.start();
    // The no-op of the new term: committing it commits every earlier entry (section 5.4.2).
    this.appendEntries(this.log.lastIndex() + 1, [{ term: this.currentTerm, command: null }]);
    this.tracker.startLeading(this.id, this.peers, this.log.lastIndex());
    this.maybeAdvanceCommit();
    this.broadcastAppendEntries();
  }

  private resetElectionTimer(): void {
    this.electionElapsedTicks = 0;
    if (this.bugs['fixed-election-timeout']) {
      // Bug fixed-election-timeout: no randomization (section 5.2), so candidates that time out
      // together split the vote, and time out together again.
      this.electionTimeoutTicks = this.options.electionTicksMin;
      return;
    }
    this.randomState = nextRandomState(this.randomState);
    const span = this.options.electionTicksMax - this.options.electionTicksMin;
    this.electionTimeoutTicks = this.options.electionTicksMin + (span > 0 ? randomValueOfState(this.randomState) % span : 0);
  }

  // ---- replication --------------------------------------------------------------------------

  private broadcastAppendEntries(): void {
    for (const peer of this.peers) this.sendAppendEntries(peer);
  }

  private sendAppendEntries(peer: NodeId): void {
    const next = this.tracker.next(peer, this.log.lastIndex() + 1);
    const previousLogIndex = next - 1;
    if (this.log.compacted(previousLogIndex)) {
      this.sendSnapshot(peer);
      return;
    }
    const request: AppendEntries = {
      type: 'AppendEntries',
      term: this.currentTerm,
      leader: this.id,
      previousLogIndex,
      previousLogTerm: this.log.termAt(previousLogIndex),
      entries: this.log.slice(previousLogIndex, Math.min(this.log.lastIndex(), previousLogIndex + this.options.entriesPerMessageMax)),
      leaderCommit: this.log.commitIndex,
    };
    // Only while reads wait for their round, so that runs without reads send what they always did.
    if (this.readOnly.pending.length > 0) request.readRound = this.readOnly.round;
    if (this.tracksContact()) request.leaderTick = this.leadership.clockTicks;
    this.send(peer, request);
  }

  /**
   * An append or snapshot from a leader: false (and refused) if it is of an older term; otherwise
   * its sender leads our term, and we follow it.
   */
  private heardFromLeader(from: NodeId, request: AppendEntries | InstallSnapshot): boolean {
    // Bug accept-old-term-append: no "reply false if term < currentTerm" (Figure 2, step 1), so a
    // deposed leader's appends are taken, and it for the leader, as though it led our term.
    if (request.term < this.currentTerm && !this.bugs['accept-old-term-append']) {
      // The answer carries our term, which its sender may lead by the time it arrives: it echoes
      // no read round and no leader tick of the stale request, or that leader would take them
      // for acknowledgements of its own term (a ReadIndex confirmed, a lease renewed, by a
      // request of an earlier leadership whose round or tick is as high).
      this.send(from, this.appendResponse(false, 0, this.log.lastIndex(), null));
      return false;
    }
    // Same term: whoever sent this is the leader of our term.
    if (this.role !== RaftNode.follower || this.leaderId !== from) this.becomeFollower(request.term, from);
    this.resetElectionTimer();
    return true;
  }

  private handleAppendEntries(from: NodeId, request: AppendEntries): void {
    if (!this.heardFromLeader(from, request)) return;
    const previousIndex = request.previousLogIndex;
    if (this.log.compacted(previousIndex)) {
      // It starts inside our snapshot, which holds only committed entries, as the leader's log
      // does: we hold what it covers up to our commit index (etcd's handleAppendEntries).
      this.send(from, this.appendResponse(true, this.log.commitIndex, 0, request));
      return;
    }
    if (!this.log.matches(previousIndex, request.previousLogTerm)) {
      const retryIndex = Math.min(this.log.lastIndex(), previousIndex - 1);
      this.send(from, this.appendResponse(false, 0, retryIndex, request));
      return;
    }
    // Skip the entries we already hold; truncate only at the first real conflict.
    const held = this.log.heldCount(previousIndex, request.entries);
    if (held < request.entries.length) this.appendEntries(previousIndex + 1 + held, request.entries.slice(held));
    const lastNewIndex = previousIndex + request.entries.length;
    if (this.bugs['truncate-on-stale-append'] && this.log.lastIndex() > lastNewIndex) {
      // Bug truncate-on-stale-append: the log is cut to the request (log = log[..prev] + entries)
      // without a conflict (Figure 2, step 3; the Students' Guide to Raft warns of it), so a
      // delayed, shorter append drops entries already acknowledged, which the leader counted.
      this.appendEntries(lastNewIndex + 1, emptyList);
    }
    // Bounded by the last entry this request covered (entries past it may be stale), and never
    // lowered: a delayed, shorter append must not move the commit index back.
    // Bug commit-beyond-new-entries: bounded by the whole log instead of Figure 2's "index of
    // last new entry", so a stale suffix past the append is committed.
    this.log.commitTo(Math.min(request.leaderCommit, this.bugs['commit-beyond-new-entries'] ? this.log.lastIndex() : lastNewIndex));
    // Bug log-not-persisted: the entries are acknowledged before they are synced, against Figure
    // 2's persistent log (a term adopted in this step is still synced: only the log goes unsynced).
    if (this.bugs['log-not-persisted'] && !this.records.some((record) => record.kind === 'hardState')) this.withholdSync = true;
    this.send(from, this.appendResponse(true, lastNewIndex, 0, request));
  }

  /** A leader's: what the follower's answer says of its log, and of our leadership for reads. */
  private handleAppendEntriesResponse(from: NodeId, response: AppendEntriesResponse): void {
    if (response.term !== this.currentTerm) return;
    this.readOnly.acknowledge(from, response.readRound);
    this.leadership.echo(from, response.leaderTick);
    const next = this.tracker.next(from, this.log.lastIndex() + 1);
    if (response.success) {
      const advanced = this.tracker.acknowledge(from, response.matchIndex, next);
      this.maybeAdvanceCommit();
      // A leader whose removal just committed has stepped down, and sends nothing more.
      if (this.role !== RaftNode.leader) return;
      // The next entries go out on progress only: a response that moved nothing (a duplicate, a
      // heartbeat's, one of an older round) would start one more chain of append and response
      // beside the one already catching the follower up, and chains would pile up with every
      // heartbeat while a follower lags (the heartbeat timer retries a lost round anyway).
      if (advanced && this.tracker.next(from, 0) <= this.log.lastIndex()) this.sendAppendEntries(from);
      if (from === this.leadership.transferTarget) this.sendTimeoutNowIfCaughtUp();
      return;
    }
    if (this.tracker.retryFrom(from, response.retryIndex, next)) this.sendAppendEntries(from);
  }

  /** An answer to `request`, echoing its read round and leader tick (null: a request of an earlier term, whose echoes would mislead). */
  private appendResponse(success: boolean, matchIndex: number, retryIndex: number, request: AppendEntries | InstallSnapshot | null): AppendEntriesResponse {
    const response: AppendEntriesResponse = { type: 'AppendEntriesResponse', term: this.currentTerm, success, matchIndex, retryIndex: Math.max(0, retryIndex) };
    if (request?.readRound !== undefined) response.readRound = request.readRound;
    if (request?.leaderTick !== undefined) response.leaderTick = request.leaderTick;
    return response;
  }

  private maybeAdvanceCommit(): void {
    const quorumIndex = quorumValue(this.inForce(), (member) => (member === this.id ? this.log.lastIndex() : this.tracker.match(member)), this.bugs['learner-votes-counted']);
    // Only entries of the current term are committed by counting replicas (Figure 8).
    // Bug figure8: any entry a quorum holds is taken as committed, whatever its term (the
    // scenario of Figure 8 and section 5.4.2).
    if (quorumIndex > this.log.commitIndex && (this.log.termAt(quorumIndex) === this.currentTerm || this.bugs.figure8)) {
      this.log.commitTo(quorumIndex);
      this.followCommittedConfiguration();
    }
  }

  private applyCommitted(): void {
    const applyUpTo = this.log.applicableIndex();
    while (this.log.appliedIndex < applyUpTo) {
      this.log.appliedIndex += 1;
      const entry = this.log.entryAt(this.log.appliedIndex);
      const result = entry.command === null ? undefined : this.store.apply(entry.command);
      this.applied.push({
        index: this.log.appliedIndex,
        term: entry.term,
        commandId: entryId(entry),
        ...(result === undefined ? {} : { result }),
      });
    }
  }

  // ---- snapshots ----------------------------------------------------------------------------

  /** The policy's compaction: the applied prefix folded into a snapshot, written durably. */
  private maybeCompact(): void {
    const appliedIndex = this.log.appliedIndex;
    if (!compactionDue(this.options.snapshotEntriesThreshold, appliedIndex, this.log.snapshotIndex)) return;
    // A joining node does not know the configuration the cluster started with (it is in no log
    // entry): it compacts only past the first configuration entry it holds.
    if (!this.membership.knowsConfigurationAt(appliedIndex)) return;
    const configuration = this.configurationAt(appliedIndex);
    const snapshot: Snapshot = {
      index: appliedIndex,
      term: this.log.termAt(appliedIndex),
      // Bug snapshot-without-configuration: the snapshot keeps the configuration the node was
      // started with (thesis 5.1: it must keep the one in force at its index), so whoever starts
      // from it, by a restart or an install, forgets the membership changes it folded away. The
      // node that takes it goes on with the right one, which it has in memory.
      configuration: this.bugs['snapshot-without-configuration'] ? this.membership.initial : configuration,
      data: this.store.contents(),
      sessions: this.store.sessions(),
    };
    this.foldSnapshot(snapshot, configuration);
    this.snapshot = snapshot;
    this.records.push({ kind: 'snapshot', snapshot });
    this.snapshotTaken = snapshotView(snapshot);
  }

  /** The configuration in force at index, once every entry up to it is appended. */
  private configurationAt(index: number): Configuration {
    return this.membership.at(index).configuration;
  }

  /** The log folded up to the snapshot's index; the configurations follow (from the snapshot's, unless told otherwise). */
  private foldSnapshot(snapshot: Snapshot, configuration = snapshot.configuration): void {
    this.log.foldInto(snapshot);
    if (this.membership.snapshotFolded(snapshot.index, configuration, this.log.lastIndex())) this.configurationChanged();
  }

  /** A leader's, for a follower whose next entry is compacted: the whole snapshot, in one message. */
  private sendSnapshot(peer: NodeId): void {
    const request: InstallSnapshot = { type: 'InstallSnapshot', term: this.currentTerm, leader: this.id, snapshot: this.snapshot! };
    if (this.readOnly.pending.length > 0) request.readRound = this.readOnly.round;
    if (this.tracksContact()) request.leaderTick = this.leadership.clockTicks;
    this.send(peer, request);
  }

  private handleInstallSnapshot(from: NodeId, request: InstallSnapshot): void {
    if (!this.heardFromLeader(from, request)) return;
    const snapshot = request.snapshot;
    // No newer than what we committed: our log and state machine hold it already (etcd's restore).
    // Bug install-snapshot-older-than-commit: no such check (etcd-io/etcd#1715 added it; NuRaft
    // and openraft shipped without it), so a delayed or duplicated offer takes us back to it.
    if (snapshot.index < this.log.commitIndex && this.bugs['install-snapshot-older-than-commit']) {
      this.log.rollBackTo(snapshot);
    } else if (snapshot.index <= this.log.commitIndex) {
      this.send(from, this.appendResponse(true, this.log.commitIndex, 0, request));
      return;
    }
    // Bug snapshot-drops-newer-entries: the log goes whole, even where it holds the snapshot's
    // last entry and acknowledged entries after it (Figure 13, step 6: retain those).
    if (this.bugs['snapshot-drops-newer-entries'] && this.log.lastIndex() > snapshot.index) this.appendEntries(snapshot.index + 1, emptyList);
    this.foldSnapshot(snapshot);
    this.adoptSnapshot(snapshot);
    this.records.push({ kind: 'snapshot', snapshot });
    this.send(from, this.appendResponse(true, snapshot.index, 0, request));
  }

  /** The state machine becomes the snapshot's (installed from a leader, or restored at start). */
  private adoptSnapshot(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.store = this.store.restored(snapshot.data, snapshot.sessions);
    this.snapshotInstalled = snapshotView(snapshot);
  }

  // ---- storage and messages -----------------------------------------------------------------

  /** Writes entries at index from (dropping everything after from - 1) and returns the last index. */
  private appendEntries(from: number, entries: readonly Entry[]): number {
    const lastIndex = this.log.write(from, entries);
    this.records.push({ kind: 'entries', from, entries });
    if (this.membership.entriesWritten(from, entries)) this.configurationChanged();
    return lastIndex;
  }

  private persistHardState(): void {
    this.records.push({ kind: 'hardState', term: this.currentTerm, votedFor: this.votedFor });
  }

  /** The outer term is the sender's own (a pre-vote's body names the term it would campaign in). */
  private send(to: NodeId, body: RaftMessage): void {
    this.messages.push({ to, message: { type: body.type, term: this.currentTerm, body } });
  }

  // ---- output -------------------------------------------------------------------------------

  private takeOutput(): Output {
    const records = this.records;
    const output: Output = {
      messages: this.messages.length > 0 ? this.messages : noItems,
      records: records.length > 0 ? records : noItems,
      // Everything written is synced before the messages that depend on it go out (the
      // not-persisted bugs withhold this). A message may depend on records written by an
      // earlier input whose sync is still in flight (a duplicate append acknowledged while the
      // original's entries are being synced), so every output that sends asks for the barrier.
      sync: (records.length > 0 || this.messages.length > 0) && !this.withholdSync,
      applied: this.applied.length > 0 ? this.applied : noItems,
      answers: this.answers.length > 0 ? this.answers : noItems,
      state: this.view(),
      // What is absent is undefined rather than left out: every output, and every view, has one
      // shape (the harness reads them on every step), and none grows a property store.
      snapshotTaken: this.snapshotTaken ?? undefined,
      snapshotInstalled: this.snapshotInstalled ?? undefined,
    };
    if (this.messages.length > 0) this.messages = [];
    if (records.length > 0) this.records = [];
    this.withholdSync = false;
    if (this.applied.length > 0) this.applied = [];
    if (this.answers.length > 0) this.answers = [];
    this.snapshotTaken = null;
    this.snapshotInstalled = null;
    return output;
  }

  private view(): StateView {
    const snapshots = this.options.snapshotEntriesThreshold !== undefined;
    return {
      role: this.role.name,
      term: this.currentTerm,
      votedFor: this.votedFor,
      commitIndex: this.log.commitIndex,
      appliedIndex: this.log.appliedIndex,
      leaderHint: this.leaderId,
      log: this.log.takeChangedView() ?? undefined,
      snapshotIndex: snapshots ? this.log.snapshotIndex : undefined,
      snapshotTerm: snapshots ? this.log.snapshotTerm : undefined,
      configuration: this.configurationView() ?? undefined,
      voteGuard: this.voteGuardView(),
      leaseHeld: this.leaseHeldView(),
    };
  }

  /** The configurations, when they changed since the last view (at start, always); else null. */
  private configurationView(): ConfigurationView | null {
    const membership = this.membership;
    const committed: ConfigurationAt = membership.at(this.log.commitIndex);
    if (!membership.viewStale && committed.index === membership.reportedCommittedIndex) return null;
    membership.viewStale = false;
    membership.reportedCommittedIndex = committed.index;
    return { latest: membership.latest(), latestIndex: membership.latestIndex(), committed: committed.configuration, committedIndex: committed.index };
  }

  // ---- copies and digests -------------------------------------------------------------------

  /**
   * A copy that steps on independently of this node, for the explorer (src/explore), which keeps
   * every state it reaches: field by field, as `fields` says.
   */
  clone(): RaftNode {
    const copy = Object.create(RaftNode.prototype) as RaftNode;
    RaftNode.fields.copy(this, copy);
    return copy;
  }

  /**
   * For the explorer's symmetry reduction (nodes that differ only by a permutation of ids must
   * digest alike), the state that stateDigest covers in two parts: digestWithoutIds is the part
   * that names no node, hashed once per state; digestIds the part that does, with every id mapped
   * through rename (rename[id] is its image), hashed once per permutation.
   */
  digestWithoutIds(hasher: DigestSink): void {
    RaftNode.fields.digestWithoutIds(this, hasher, false);
  }

  digestIds(hasher: DigestSink, rename: readonly NodeId[]): void {
    RaftNode.fields.digestIds(this, hasher, this.membership.idBound, rename, false);
  }

  /** A digest of the complete state, for world fingerprints: equal digests, equal behaviour. */
  stateDigest(): string {
    const hasher = new Hasher();
    RaftNode.fields.digestWithoutIds(this, hasher, true);
    RaftNode.fields.digestIds(this, hasher, this.membership.idBound, null, true);
    return hasher.hex();
  }

  /** The reads' state decides behaviour while reads are held (and goes into the symmetric digest always). */
  private static readsDecide(node: RaftNode, exact: boolean): boolean {
    return !exact || node.readOnly.inFlight();
  }

  /**
   * Every field of a node, its rooms' included, in the order of the split digest. A field added to
   * the node or a room goes here, or test/raft/fields.test.ts fails.
   */
  private static readonly fields = new FieldList<RaftNode>([
    // The rooms first: a clone gets blank ones, which the fields below fill in.
    room('log', (node) => node.log, (node, log) => (node.log = log)),
    room('tracker', (node) => node.tracker, (node, tracker) => (node.tracker = tracker)),
    room('readOnly', (node) => node.readOnly, (node, readOnly) => (node.readOnly = readOnly)),
    room('membership', (node) => node.membership, (node, membership) => (node.membership = membership)),
    room('leadership', (node) => node.leadership, (node, leadership) => (node.leadership = leadership)),

    // The part without ids.
    counter('currentTerm', (node) => node.currentTerm, (node, term) => (node.currentTerm = term)),
    field<RoleRules>({
      path: 'role',
      get: (node) => node.role,
      set: (node, role) => (node.role = role),
      copy: same,
      digest: { part: 'withoutIds', hash: (role, sink) => sink.number(role.code) },
    }),
    counter('log.commitIndex', (node) => node.log.commitIndex, (node, index) => (node.log.commitIndex = index)),
    counter('log.appliedIndex', (node) => node.log.appliedIndex, (node, index) => (node.log.appliedIndex = index)),
    counter('log.snapshotIndex', (node) => node.log.snapshotIndex, (node, index) => (node.log.snapshotIndex = index)),
    counter('log.snapshotTerm', (node) => node.log.snapshotTerm, (node, term) => (node.log.snapshotTerm = term)),
    counter('electionElapsedTicks', (node) => node.electionElapsedTicks, (node, ticks) => (node.electionElapsedTicks = ticks)),
    counter('electionTimeoutTicks', (node) => node.electionTimeoutTicks, (node, ticks) => (node.electionTimeoutTicks = ticks)),
    counter('heartbeatElapsedTicks', (node) => node.heartbeatElapsedTicks, (node, ticks) => (node.heartbeatElapsedTicks = ticks)),
    // Left out of the symmetric digest when election timeouts are fixed: it then decides
    // nothing, and it was seeded with the node's id, so it would tell permuted states apart.
    counter('randomState', (node) => node.randomState, (node, state) => (node.randomState = state), (node, exact) => exact || node.options.electionTicksMax > node.options.electionTicksMin),
    counter('tracker.grantedResponseCount', (node) => node.tracker.grantedResponseCount, (node, count) => (node.tracker.grantedResponseCount = count), (node) => node.bugs['count-stale-votes']),
    field<Entry[]>({
      path: 'log.entries',
      get: (node) => node.log.entries,
      set: (node, entries) => (node.log.entries = entries),
      copy: arrayCopy,
      digest: { part: 'withoutIds', hash: hashEntries },
    }),
    // stateDigest takes the reads' state only while reads are held: without them the round
    // numbers decide nothing (the next round is higher than any acknowledged).
    counter('leadership.clockTicks', (node) => node.leadership.clockTicks, (node, ticks) => (node.leadership.clockTicks = ticks)),
    counter('leadership.transferElapsedTicks', (node) => node.leadership.transferElapsedTicks, (node, ticks) => (node.leadership.transferElapsedTicks = ticks)),
    flag('leadership.leaseForfeited', (node) => node.leadership.leaseForfeited, (node, forfeited) => (node.leadership.leaseForfeited = forfeited)),
    flag('startGuard', (node) => node.startGuard, (node, guard) => (node.startGuard = guard)),
    counter('membership.baseIndex', (node) => node.membership.baseIndex, (node, index) => (node.membership.baseIndex = index)),
    counter('readOnly.round', (node) => node.readOnly.round, (node, round) => (node.readOnly.round = round), RaftNode.readsDecide),
    field<Command[]>({
      path: 'readOnly.awaitingTermCommit',
      get: (node) => node.readOnly.awaitingTermCommit,
      set: (node, commands) => (node.readOnly.awaitingTermCommit = commands),
      copy: arrayCopy,
      digest: { part: 'withoutIds', hash: hashLength, included: RaftNode.readsDecide },
    }),
    field<PendingRead[]>({
      path: 'readOnly.pending',
      get: (node) => node.readOnly.pending,
      set: (node, reads) => (node.readOnly.pending = reads),
      copy: arrayCopy,
      digest: { part: 'withoutIds', hash: hashPendingReads, included: RaftNode.readsDecide },
    }),

    // The part that names nodes.
    nodeId('id', (node) => node.id, (node, id) => (node.id = id)),
    nodeId('votedFor', (node) => node.votedFor, (node, id) => (node.votedFor = id)),
    nodeId('leaderId', (node) => node.leaderId, (node, id) => (node.leaderId = id)),
    nodeId('leadership.transferTarget', (node) => node.leadership.transferTarget, (node, id) => (node.leadership.transferTarget = id)),
    field<Set<NodeId>>({
      path: 'tracker.votesGranted',
      get: (node) => node.tracker.votesGranted,
      set: (node, votes) => (node.tracker.votesGranted = votes),
      copy: setCopy,
      digest: { part: 'member', hash: hashMemberFlag },
    }),
    field<Configuration>({
      path: 'membership.initial',
      get: (node) => node.membership.initial,
      set: (node, configuration) => (node.membership.initial = configuration),
      copy: same,
      digest: { part: 'ids', hash: digestConfiguration },
    }),
    field<Configuration>({
      path: 'membership.base',
      get: (node) => node.membership.base,
      set: (node, configuration) => (node.membership.base = configuration),
      copy: same,
      digest: { part: 'ids', hash: digestConfiguration },
    }),
    field<ConfigurationAt[]>({
      path: 'membership.entries',
      get: (node) => node.membership.entries,
      set: (node, entries) => (node.membership.entries = entries),
      copy: arrayCopy,
      digest: { part: 'ids', hash: hashConfigurationEntries },
    }),
    perMember('tracker.nextIndex', (node) => node.tracker.nextIndex, (node, indexes) => (node.tracker.nextIndex = indexes)),
    perMember('tracker.matchIndex', (node) => node.tracker.matchIndex, (node, indexes) => (node.tracker.matchIndex = indexes)),
    field<Map<NodeId, number>>({
      path: 'leadership.contactTicks',
      get: (node) => node.leadership.contactTicks,
      set: (node, ticks) => (node.leadership.contactTicks = ticks),
      copy: mapCopy,
      // A peer that echoed tick 0 is not one that echoed nothing (no lease rests on it).
      digest: { part: 'member', hash: (ticks, member, sink) => sink.number(ticks.has(member) ? ticks.get(member)! + 1 : 0) },
    }),
    perMember('readOnly.roundAcked', (node) => node.readOnly.roundAcked, (node, rounds) => (node.readOnly.roundAcked = rounds), RaftNode.readsDecide),

    // Left out of the digests.
    shared('peers', (node) => node.peers, (node, peers) => (node.peers = peers), 'follows from the configuration in force (replaced, never changed in place)'),
    shared('peersFrom', (node) => node.peersFrom, (node, configuration) => (node.peersFrom = configuration), 'the configuration in force that peers follow from'),
    shared('membership.idBound', (node) => node.membership.idBound, (node, bound) => (node.membership.idBound = bound), 'how far the per-member digests go: the configurations decide it'),
    shared('membership.viewStale', (node) => node.membership.viewStale, (node, stale) => (node.membership.viewStale = stale), "what the next view reports: the observation's copy, not the node's behaviour"),
    shared(
      'membership.reportedCommittedIndex',
      (node) => node.membership.reportedCommittedIndex,
      (node, index) => (node.membership.reportedCommittedIndex = index),
      "what the next view reports: the observation's copy, not the node's behaviour",
    ),
    shared('options', (node) => node.options, (node, options) => (node.options = options), 'the same for every node of a run'),
    shared('bugs', (node) => node.bugs, (node, bugs) => (node.bugs = bugs), 'the same for every node of a run'),
    shared('log.committedMayBreak', (node) => node.log.committedMayBreak, (node, may) => (node.log.committedMayBreak = may), 'follows from the bugs'),
    field<number>({
      path: 'log.changedFrom',
      get: (node) => node.log.changedFrom,
      set: (node, index) => (node.log.changedFrom = index),
      copy: same,
      digest: { part: 'none', why: "what the next view reports: the observation's copy of the log, not the node's behaviour" },
    }),
    field<KeyValueStore>({
      path: 'store',
      get: (node) => node.store,
      set: (node, store) => (node.store = store),
      copy: (store) => store.clone(),
      digest: { part: 'none', why: 'the entries applied so far: the snapshot and the log up to the applied index decide it (unless a bug rewrote an applied entry, itself a violation)' },
    }),
    shared('snapshot', (node) => node.snapshot, (node, snapshot) => (node.snapshot = snapshot), 'log.snapshotIndex and log.snapshotTerm name it: a snapshot of committed entries, the same on every correct node'),
    output('messages', (node) => node.messages, (node, messages) => (node.messages = messages)),
    output('records', (node) => node.records, (node, records) => (node.records = records)),
    output('applied', (node) => node.applied, (node, applied) => (node.applied = applied)),
    output('answers', (node) => node.answers, (node, answers) => (node.answers = answers)),
    outputSnapshot('snapshotTaken', (node) => node.snapshotTaken, (node, view) => (node.snapshotTaken = view)),
    outputSnapshot('snapshotInstalled', (node) => node.snapshotInstalled, (node, view) => (node.snapshotInstalled = view)),
    field<boolean>({
      path: 'withholdSync',
      get: (node) => node.withholdSync,
      set: (node, withhold) => (node.withholdSync = withhold),
      copy: () => false,
      digest: { part: 'none', why: 'outputs: reset by every step' },
    }),
  ]);
}

/** One entry of the field list, typed where it is written. */
function field<Value>(spec: NodeField<RaftNode, Value>): NodeField<RaftNode, unknown> {
  return spec as NodeField<RaftNode, unknown>;
}

/** A room of the node: a clone gets a blank one, which the room's own entries fill in. */
function room<Room extends object>(path: string, get: (node: RaftNode) => Room, set: (node: RaftNode, room: Room) => void): NodeField<RaftNode, unknown> {
  return field<Room>({ path, get, set, copy: blankRoom, digest: { part: 'none', why: 'a room: its fields have entries of their own' } });
}

type Included = (node: RaftNode, exact: boolean) => boolean;

function counter(path: string, get: (node: RaftNode) => number, set: (node: RaftNode, value: number) => void, included?: Included): NodeField<RaftNode, unknown> {
  return field<number>({ path, get, set, copy: same, digest: { part: 'withoutIds', hash: hashNumber, included } });
}

function flag(path: string, get: (node: RaftNode) => boolean, set: (node: RaftNode, value: boolean) => void): NodeField<RaftNode, unknown> {
  return field<boolean>({ path, get, set, copy: same, digest: { part: 'withoutIds', hash: (value, sink) => sink.number(value ? 1 : 0) } });
}

function nodeId<Value extends NodeId | null>(path: string, get: (node: RaftNode) => Value, set: (node: RaftNode, id: Value) => void): NodeField<RaftNode, unknown> {
  return field<Value>({ path, get, set, copy: same, digest: { part: 'id' } });
}

/** A number per member: a leader's view of each follower, or each member's acknowledgement. */
function perMember(
  path: string,
  get: (node: RaftNode) => Map<NodeId, number>,
  set: (node: RaftNode, values: Map<NodeId, number>) => void,
  included?: Included,
): NodeField<RaftNode, unknown> {
  return field<Map<NodeId, number>>({ path, get, set, copy: mapCopy, digest: { part: 'member', hash: hashMemberNumber, included } });
}

/** Set at start or construction and never changed in place: a clone shares it. */
function shared<Value>(path: string, get: (node: RaftNode) => Value, set: (node: RaftNode, value: Value) => void, why: string): NodeField<RaftNode, unknown> {
  return field<Value>({ path, get, set, copy: same, digest: { part: 'none', why } });
}

/** Outputs collected while handling one input: empty between inputs, when clones are taken. */
function output<Element>(path: string, get: (node: RaftNode) => Element[], set: (node: RaftNode, list: Element[]) => void): NodeField<RaftNode, unknown> {
  return field<Element[]>({ path, get, set, copy: () => [], digest: { part: 'none', why: 'outputs: empty between inputs, step hands them over' } });
}

/** A snapshot reported in this step's output: null between inputs, when clones are taken. */
function outputSnapshot(path: string, get: (node: RaftNode) => SnapshotView | null, set: (node: RaftNode, view: SnapshotView | null) => void): NodeField<RaftNode, unknown> {
  return field<SnapshotView | null>({ path, get, set, copy: () => null, digest: { part: 'none', why: 'outputs: null between inputs, step hands them over' } });
}

/** The log's configuration entries: each index, and its configuration with ids renamed. */
function hashConfigurationEntries(entries: readonly ConfigurationAt[], rename: readonly NodeId[] | null, sink: DigestSink): void {
  sink.number(entries.length);
  for (const entry of entries) {
    sink.number(entry.index);
    digestConfiguration(entry.configuration, rename, sink);
  }
}

function hashPendingReads(reads: readonly PendingRead[], sink: DigestSink): void {
  for (const read of reads) {
    sink.number(read.command.id);
    sink.number(read.readIndex);
    sink.number(read.round);
  }
}

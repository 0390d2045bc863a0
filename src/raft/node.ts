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
// The bug corpus (src/raft/bugs.ts) switches single rules off: each flag is read once, in the
// constructor, and its code path sits beside the correct one, marked "Bug <name>:". With every
// flag off (the default) those paths are dead and the rules above hold.

import type { AppliedEntry, Command, ImplementationOptions, Input, LogEntryView, OutboundMessage, Output, ProposalAnswer, Role, StateView } from '../contract/contract.js';
import { emptyList } from '../contract/contract.js';
import { assert } from '../core/assert.js';
import { Hasher } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import { nextRandomState, randomValueOfState } from '../core/random.js';
import type { RaftBugs } from './bugs.js';
import { hasBug, noBugs } from './bugs.js';
import { KeyValueStore } from './kv.js';
import type { AppendEntries, AppendEntriesResponse, Entry, RaftMessage, RaftRecord, RequestVote, RequestVoteResponse } from './messages.js';

/** A read input the leader holds until it may answer it. */
interface PendingRead {
  command: Command;
  readIndex: number;
  /** The read round whose acknowledgements confirm the leadership it needs (0: none needed). */
  round: number;
}

/** Reads a leader holds at once; past this it answers notLeader, and the client retries. */
const pendingReadsMax = 1_000;

export class RaftNode {
  private id: NodeId = 0;
  private members: readonly NodeId[] = [];
  private peers: readonly NodeId[] = [];
  private options!: ImplementationOptions;
  private randomState = 0;

  // Persistent state (Figure 2), written through records.
  private currentTerm = 0;
  private votedFor: NodeId | null = null;
  /** log[i - 1] is the entry at index i. */
  private readonly log: Entry[] = [];

  // Volatile state.
  private role: Role = 'follower';
  private leaderId: NodeId | null = null;
  private commitIndex = 0;
  private lastApplied = 0;
  private electionElapsedTicks = 0;
  private electionTimeoutTicks = 0;
  private heartbeatElapsedTicks = 0;
  private readonly votesGranted = new Set<NodeId>();
  private readonly nextIndex = new Map<NodeId, number>();
  private readonly matchIndex = new Map<NodeId, number>();
  private readonly store: KeyValueStore;
  /** Reads waiting for an entry of the current term to commit, then for confirmation and apply. */
  private readonly readsAwaitingTermCommit: Command[] = [];
  private readonly pendingReads: PendingRead[] = [];
  /** The last read round started; AppendEntries carry it while reads wait, responses echo it. */
  private readRound = 0;
  /** The highest read round each peer acknowledged in the current term. */
  private readonly readRoundAcked = new Map<NodeId, number>();

  // Outputs collected while handling one input.
  private messages: OutboundMessage[] = [];
  private records: RaftRecord[] = [];
  private applied: AppliedEntry[] = [];
  private answers: ProposalAnswer[] = [];
  /** Lowest log index changed since the last view was emitted (Infinity: none). */
  private logDirtyFrom = Number.POSITIVE_INFINITY;
  /** Set only by the not-persisted bugs: this output's records go out unsynced. */
  private withholdSync = false;
  /** Used only by the count-stale-votes bug: granted responses counted, not distinct voters. */
  private grantedResponseCount = 0;

  // Bugs of the corpus, read once; all false in the correct Raft.
  private readonly bugFigure8: boolean;
  private readonly bugVoteWithoutLogCheck: boolean;
  private readonly bugVoteNotPersisted: boolean;
  private readonly bugTruncateOnStaleAppend: boolean;
  private readonly bugCommitBeyondNewEntries: boolean;
  private readonly bugAcceptOldTermAppend: boolean;
  private readonly bugCountStaleVotes: boolean;
  private readonly bugTermRollback: boolean;
  private readonly bugLogNotPersisted: boolean;
  private readonly bugLeaderVotesForOther: boolean;
  private readonly bugFixedElectionTimeout: boolean;
  private readonly bugIdleLeaderNoHeartbeat: boolean;
  private readonly bugStaleRead: boolean;
  private readonly bugReadBeforeNoop: boolean;
  /**
   * With any bug on, committed entries may be rewritten and the commit index may pass the end of
   * the log: the bug showing, which the invariants are to report rather than our assertions.
   */
  private readonly bugsEnabled: boolean;

  constructor(bugs: RaftBugs = noBugs) {
    this.bugsEnabled = bugs.enabled.size > 0;
    this.bugFigure8 = hasBug(bugs, 'figure8');
    this.bugVoteWithoutLogCheck = hasBug(bugs, 'vote-without-log-check');
    this.bugVoteNotPersisted = hasBug(bugs, 'vote-not-persisted');
    this.bugTruncateOnStaleAppend = hasBug(bugs, 'truncate-on-stale-append');
    this.bugCommitBeyondNewEntries = hasBug(bugs, 'commit-beyond-new-entries');
    this.bugAcceptOldTermAppend = hasBug(bugs, 'accept-old-term-append');
    this.bugCountStaleVotes = hasBug(bugs, 'count-stale-votes');
    this.bugTermRollback = hasBug(bugs, 'term-rollback');
    this.bugLogNotPersisted = hasBug(bugs, 'log-not-persisted');
    this.bugLeaderVotesForOther = hasBug(bugs, 'leader-votes-for-other');
    this.bugFixedElectionTimeout = hasBug(bugs, 'fixed-election-timeout');
    this.bugIdleLeaderNoHeartbeat = hasBug(bugs, 'idle-leader-no-heartbeat');
    this.bugStaleRead = hasBug(bugs, 'stale-read');
    this.bugReadBeforeNoop = hasBug(bugs, 'read-before-noop');
    // Bug no-client-dedup: the state machine forgets client sessions (thesis 6.3), so a retried
    // command whose first attempt was applied is applied again.
    this.store = new KeyValueStore({ deduplicate: !hasBug(bugs, 'no-client-dedup') });
  }

  step(input: Input): Output {
    switch (input.kind) {
      case 'start':
        this.start(input.id, input.members, input.seed, input.records as readonly RaftRecord[], input.options);
        break;
      case 'tick':
        this.tick();
        break;
      case 'deliver':
        this.receive(input.from, input.message.body as RaftMessage);
        break;
      case 'propose':
        this.propose(input.command);
        break;
      case 'read':
        this.read(input.command);
        break;
    }
    this.applyCommitted();
    this.serveReads();
    return this.takeOutput();
  }

  // ---- inputs -------------------------------------------------------------------------------

  private start(
    id: NodeId,
    members: readonly NodeId[],
    seed: number,
    records: readonly RaftRecord[],
    options: ImplementationOptions,
  ): void {
    this.id = id;
    this.members = members;
    this.peers = members.filter((member) => member !== id);
    this.options = options;
    // The node's own id goes into its randomness: nodes handed the same seed (a shrunk choice
    // sequence hands every node 0) must still draw different election timeouts, or every
    // election splits the vote and the cluster never elects a leader.
    this.randomState = (seed ^ Math.imul(id, 0x9e3779b9)) | 0;
    for (const record of records) {
      if (record.kind === 'hardState') {
        this.currentTerm = record.term;
        this.votedFor = record.votedFor;
      } else {
        this.log.length = record.from - 1;
        for (const entry of record.entries) this.log.push(entry);
      }
    }
    this.logDirtyFrom = 1;
    this.becomeFollower(this.currentTerm, null);
    this.resetElectionTimer();
  }

  private tick(): void {
    if (this.role === 'leader') {
      this.heartbeatElapsedTicks += 1;
      if (this.heartbeatElapsedTicks >= this.options.heartbeatTicks) {
        this.heartbeatElapsedTicks = 0;
        if (this.bugIdleLeaderNoHeartbeat) {
          // Bug idle-leader-no-heartbeat: the heartbeat serves only as a retransmission timer, so
          // a leader with nothing new to send goes quiet and its followers start elections
          // (section 5.2: leaders send periodic heartbeats to keep their authority).
          for (const peer of this.peers) if ((this.nextIndex.get(peer) ?? 0) <= this.lastIndex()) this.sendAppendEntries(peer);
        } else {
          this.broadcastAppendEntries();
        }
      }
      return;
    }
    this.electionElapsedTicks += 1;
    if (this.electionElapsedTicks >= this.electionTimeoutTicks) this.campaign();
  }

  private propose(command: Command): void {
    if (this.role !== 'leader') {
      this.answers.push({ commandId: command.id, kind: 'notLeader', leaderHint: this.leaderId });
      return;
    }
    const index = this.appendEntries(this.lastIndex() + 1, [{ term: this.currentTerm, command }]);
    this.answers.push({ commandId: command.id, kind: 'accepted', index, term: this.currentTerm });
    this.matchIndex.set(this.id, this.lastIndex());
    this.maybeAdvanceCommit();
    this.broadcastAppendEntries();
  }

  private read(command: Command): void {
    const waiting = this.readsAwaitingTermCommit.length + this.pendingReads.length;
    if (this.role !== 'leader' || waiting >= pendingReadsMax) {
      this.answers.push({ commandId: command.id, kind: 'notLeader', leaderHint: this.role === 'leader' ? null : this.leaderId });
      return;
    }
    // Until an entry of its term is committed, a new leader's commit index may lag behind what
    // its predecessor committed and answered (thesis 6.4, step 1).
    // Bug read-before-noop: the read index is taken at once, possibly behind a committed write.
    if (!this.committedInCurrentTerm() && !this.bugReadBeforeNoop) {
      this.readsAwaitingTermCommit.push(command);
      return;
    }
    this.startReads([command]);
  }

  private startReads(commands: readonly Command[]): void {
    if (this.bugStaleRead) {
      // Bug stale-read: no round of acknowledgements; a leader cut off from its majority, that a
      // new leader has replaced, answers from its own stale state (thesis 6.4, step 3 skipped).
      for (const command of commands) this.pendingReads.push({ command, readIndex: this.commitIndex, round: 0 });
      return;
    }
    this.readRound += 1;
    for (const command of commands) this.pendingReads.push({ command, readIndex: this.commitIndex, round: this.readRound });
    this.broadcastAppendEntries();
  }

  /** Answers the reads that may be answered now; runs after every input. */
  private serveReads(): void {
    if (this.role !== 'leader') return;
    if (this.readsAwaitingTermCommit.length > 0 && this.committedInCurrentTerm()) {
      this.startReads(this.readsAwaitingTermCommit.splice(0));
    }
    if (this.pendingReads.length === 0) return;
    const confirmedRound = this.confirmedReadRound();
    let kept = 0;
    for (const read of this.pendingReads) {
      if (read.round <= confirmedRound && this.lastApplied >= read.readIndex) {
        this.answers.push({ commandId: read.command.id, kind: 'read', value: this.store.get(read.command.key) });
      } else {
        this.pendingReads[kept] = read;
        kept += 1;
      }
    }
    this.pendingReads.length = kept;
  }

  /** The highest read round a majority of this term (the leader included) has acknowledged. */
  private confirmedReadRound(): number {
    const acked = this.members.map((member) => (member === this.id ? this.readRound : this.readRoundAcked.get(member) ?? 0));
    acked.sort((a, b) => b - a);
    return acked[this.quorumSize() - 1];
  }

  private committedInCurrentTerm(): boolean {
    return this.commitIndex > 0 && this.commitIndex <= this.lastIndex() && this.termAt(this.commitIndex) === this.currentTerm;
  }

  /** A leader stepping down answers its waiting reads: the client should ask the new leader. */
  private abandonReads(): void {
    for (const command of this.readsAwaitingTermCommit) this.answers.push({ commandId: command.id, kind: 'notLeader', leaderHint: this.leaderId });
    for (const read of this.pendingReads) this.answers.push({ commandId: read.command.id, kind: 'notLeader', leaderHint: this.leaderId });
    this.readsAwaitingTermCommit.length = 0;
    this.pendingReads.length = 0;
  }

  private receive(from: NodeId, message: RaftMessage): void {
    if (message.term > this.currentTerm) {
      // A newer term: step down. Only an AppendEntries tells us who leads it.
      this.becomeFollower(message.term, message.type === 'AppendEntries' ? from : null);
    } else if (this.bugTermRollback && message.term < this.currentTerm) {
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
        this.handleRequestVoteResponse(from, message);
        break;
      case 'AppendEntries':
        this.handleAppendEntries(from, message);
        break;
      case 'AppendEntriesResponse':
        this.handleAppendEntriesResponse(from, message);
        break;
    }
  }

  // ---- elections ----------------------------------------------------------------------------

  private campaign(): void {
    this.role = 'candidate';
    this.leaderId = null;
    this.currentTerm += 1;
    this.votedFor = this.id;
    this.persistHardState();
    this.votesGranted.clear();
    this.votesGranted.add(this.id);
    this.grantedResponseCount = 1;
    this.resetElectionTimer();
    if (this.hasQuorum(this.votesGranted.size)) {
      this.becomeLeader();
      return;
    }
    const request: RequestVote = {
      type: 'RequestVote',
      term: this.currentTerm,
      candidate: this.id,
      lastLogIndex: this.lastIndex(),
      lastLogTerm: this.termAt(this.lastIndex()),
    };
    for (const peer of this.peers) this.send(peer, request);
  }

  private handleRequestVote(from: NodeId, request: RequestVote): void {
    let granted = false;
    if (request.term === this.currentTerm) {
      const canVote =
        this.votedFor === null ||
        this.votedFor === request.candidate ||
        // Bug leader-votes-for-other: a candidate's (or leader's) vote for itself (section 5.2) is
        // not taken as its vote of the term, so it still votes for a rival, without stepping down.
        (this.bugLeaderVotesForOther && this.votedFor === this.id);
      const lastTerm = this.termAt(this.lastIndex());
      const candidateUpToDate =
        request.lastLogTerm > lastTerm || (request.lastLogTerm === lastTerm && request.lastLogIndex >= this.lastIndex());
      // Bug vote-without-log-check: the election restriction (section 5.4.1) is skipped, so a
      // candidate that lacks committed entries can win.
      const logAllowsVote = candidateUpToDate || this.bugVoteWithoutLogCheck;
      const roleAllowsVote = this.role === 'follower' || this.bugLeaderVotesForOther;
      if (canVote && logAllowsVote && roleAllowsVote) {
        granted = true;
        this.votedFor = request.candidate;
        this.persistHardState();
        this.resetElectionTimer();
        // Bug vote-not-persisted: the vote (and a term adopted with it) goes out before it is
        // synced, against Figure 2's "updated on stable storage before responding to RPCs"; a
        // crash before the next sync forgets both, and the node may vote again.
        if (this.bugVoteNotPersisted) this.withholdSync = true;
      }
    }
    const response: RequestVoteResponse = { type: 'RequestVoteResponse', term: this.currentTerm, voteGranted: granted };
    this.send(from, response);
  }

  private handleRequestVoteResponse(from: NodeId, response: RequestVoteResponse): void {
    if (this.bugCountStaleVotes) {
      // Bug count-stale-votes: every granted response counts, whatever its term (a vote from a
      // failed earlier candidacy) and however often it arrives (a duplicate counts again): the
      // "term confusion" of the Students' Guide to Raft.
      if (this.role !== 'candidate' || !response.voteGranted) return;
      this.grantedResponseCount += 1;
      if (this.hasQuorum(this.grantedResponseCount)) this.becomeLeader();
      return;
    }
    if (this.role !== 'candidate' || response.term !== this.currentTerm || !response.voteGranted) return;
    this.votesGranted.add(from);
    if (this.hasQuorum(this.votesGranted.size)) this.becomeLeader();
  }

  private becomeFollower(term: number, leader: NodeId | null): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      this.persistHardState();
    }
    this.role = 'follower';
    this.leaderId = leader;
    this.votesGranted.clear();
    if (this.pendingReads.length > 0 || this.readsAwaitingTermCommit.length > 0) this.abandonReads();
    // No timer reset here: only hearing the current leader or granting a vote resets it
    // (Figure 2, Followers). Resetting on every higher term let a node with a stale log and a
    // fast clock time out first again and again, making everyone else step down without ever
    // timing out themselves: no leader, ever (found by the clock-drift scenario's liveness phase).
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.heartbeatElapsedTicks = 0;
    this.nextIndex.clear();
    this.matchIndex.clear();
    this.readRoundAcked.clear();
    // The no-op of the new term: committing it commits every earlier entry (section 5.4.2).
    this.appendEntries(this.lastIndex() + 1, [{ term: this.currentTerm, command: null }]);
    for (const peer of this.peers) {
      this.nextIndex.set(peer, this.lastIndex());
      this.matchIndex.set(peer, 0);
    }
    this.matchIndex.set(this.id, this.lastIndex());
    this.maybeAdvanceCommit();
    this.broadcastAppendEntries();
  }

  private resetElectionTimer(): void {
    this.electionElapsedTicks = 0;
    if (this.bugFixedElectionTimeout) {
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
    const next = this.nextIndex.get(peer) ?? this.lastIndex() + 1;
    const previousLogIndex = next - 1;
    const last = Math.min(this.lastIndex(), previousLogIndex + this.options.entriesPerMessageMax);
    const request: AppendEntries = {
      type: 'AppendEntries',
      term: this.currentTerm,
      leader: this.id,
      previousLogIndex,
      previousLogTerm: this.termAt(previousLogIndex),
      entries: last > previousLogIndex ? this.log.slice(previousLogIndex, last) : emptyList,
      leaderCommit: this.commitIndex,
    };
    // Only while reads wait for their round, so that runs without reads send what they always did.
    if (this.pendingReads.length > 0) request.readRound = this.readRound;
    this.send(peer, request);
  }

  private handleAppendEntries(from: NodeId, request: AppendEntries): void {
    // Bug accept-old-term-append: no "reply false if term < currentTerm" (Figure 2, step 1), so a
    // deposed leader's appends are taken, and it for the leader, as though it led our term.
    if (request.term < this.currentTerm && !this.bugAcceptOldTermAppend) {
      this.send(from, this.appendResponse(false, 0, this.lastIndex(), request));
      return;
    }
    // Same term: whoever sent this is the leader of our term.
    if (this.role !== 'follower' || this.leaderId !== from) this.becomeFollower(request.term, from);
    this.resetElectionTimer();

    const previousIndex = request.previousLogIndex;
    if (previousIndex > this.lastIndex() || this.termAt(previousIndex) !== request.previousLogTerm) {
      const retryIndex = Math.min(this.lastIndex(), previousIndex - 1);
      this.send(from, this.appendResponse(false, 0, retryIndex, request));
      return;
    }
    // Skip the entries we already hold; truncate only at the first real conflict.
    let offset = 0;
    while (offset < request.entries.length) {
      const index = previousIndex + 1 + offset;
      if (index > this.lastIndex() || this.termAt(index) !== request.entries[offset].term) break;
      offset += 1;
    }
    if (offset < request.entries.length) {
      this.appendEntries(previousIndex + 1 + offset, request.entries.slice(offset));
    }
    const lastNewIndex = previousIndex + request.entries.length;
    if (this.bugTruncateOnStaleAppend && this.lastIndex() > lastNewIndex) {
      // Bug truncate-on-stale-append: the log is cut to the request (log = log[..prev] + entries)
      // without a conflict (Figure 2, step 3; the Students' Guide to Raft warns of it), so a
      // delayed, shorter append drops entries already acknowledged, which the leader counted.
      this.appendEntries(lastNewIndex + 1, emptyList);
    }
    // Bounded by the last entry this request covered (entries past it may be stale), and never
    // lowered: a delayed, shorter append must not move the commit index back.
    // Bug commit-beyond-new-entries: bounded by the whole log instead of Figure 2's "index of
    // last new entry", so a stale suffix past the append is committed.
    const commitIndex = Math.min(request.leaderCommit, this.bugCommitBeyondNewEntries ? this.lastIndex() : lastNewIndex);
    if (commitIndex > this.commitIndex) this.commitIndex = commitIndex;
    // Bug log-not-persisted: the entries are acknowledged before they are synced, against Figure
    // 2's persistent log (a term adopted in this step is still synced: only the log goes unsynced).
    if (this.bugLogNotPersisted && !this.records.some((record) => record.kind === 'hardState')) this.withholdSync = true;
    this.send(from, this.appendResponse(true, lastNewIndex, 0, request));
  }

  private handleAppendEntriesResponse(from: NodeId, response: AppendEntriesResponse): void {
    if (this.role !== 'leader' || response.term !== this.currentTerm) return;
    // Any response of this term, success or not, acknowledges this node as its leader.
    if (response.readRound !== undefined && response.readRound > (this.readRoundAcked.get(from) ?? 0)) {
      this.readRoundAcked.set(from, response.readRound);
    }
    const next = this.nextIndex.get(from) ?? this.lastIndex() + 1;
    if (response.success) {
      // Responses may arrive reordered or duplicated: only ever move forward.
      if (response.matchIndex > (this.matchIndex.get(from) ?? 0)) this.matchIndex.set(from, response.matchIndex);
      const advanced = response.matchIndex + 1 > next;
      if (advanced) this.nextIndex.set(from, response.matchIndex + 1);
      this.maybeAdvanceCommit();
      // The next entries go out on progress only: a response that moved nothing (a duplicate, a
      // heartbeat's, one of an older round) would start one more chain of append and response
      // beside the one already catching the follower up, and chains would pile up with every
      // heartbeat while a follower lags (the heartbeat timer retries a lost round anyway).
      if (advanced && (this.nextIndex.get(from) ?? 0) <= this.lastIndex()) this.sendAppendEntries(from);
      return;
    }
    const match = this.matchIndex.get(from) ?? 0;
    const retryNext = Math.max(match + 1, Math.min(next - 1, response.retryIndex + 1));
    if (retryNext < next) {
      this.nextIndex.set(from, retryNext);
      this.sendAppendEntries(from);
    }
  }

  private appendResponse(success: boolean, matchIndex: number, retryIndex: number, request: AppendEntries): AppendEntriesResponse {
    const response: AppendEntriesResponse = { type: 'AppendEntriesResponse', term: this.currentTerm, success, matchIndex, retryIndex: Math.max(0, retryIndex) };
    if (request.readRound !== undefined) response.readRound = request.readRound;
    return response;
  }

  private maybeAdvanceCommit(): void {
    const matches = this.members.map((member) => (member === this.id ? this.lastIndex() : this.matchIndex.get(member) ?? 0));
    matches.sort((a, b) => b - a);
    const quorumIndex = matches[this.quorumSize() - 1];
    // Only entries of the current term are committed by counting replicas (Figure 8).
    // Bug figure8: any entry a quorum holds is taken as committed, whatever its term (the
    // scenario of Figure 8 and section 5.4.2).
    if (quorumIndex > this.commitIndex && (this.termAt(quorumIndex) === this.currentTerm || this.bugFigure8)) {
      this.commitIndex = quorumIndex;
    }
  }

  private applyCommitted(): void {
    const applyUpTo = this.bugsEnabled ? Math.min(this.commitIndex, this.lastIndex()) : this.commitIndex;
    while (this.lastApplied < applyUpTo) {
      this.lastApplied += 1;
      const entry = this.log[this.lastApplied - 1];
      const result = entry.command === null ? undefined : this.store.apply(entry.command);
      this.applied.push({
        index: this.lastApplied,
        term: entry.term,
        commandId: entry.command === null ? 0 : entry.command.id,
        ...(result === undefined ? {} : { result }),
      });
    }
  }

  // ---- log and storage ----------------------------------------------------------------------

  /** Writes entries at index from (dropping everything after from - 1) and returns the last index. */
  private appendEntries(from: number, entries: readonly Entry[]): number {
    assert(from >= 1 && from <= this.lastIndex() + 1, `append at ${from} past the end ${this.lastIndex()}`);
    assert(from > this.commitIndex || this.bugsEnabled, `truncating committed entries at ${from} (commit ${this.commitIndex})`);
    this.log.length = from - 1;
    for (const entry of entries) this.log.push(entry);
    this.records.push({ kind: 'entries', from, entries });
    if (from < this.logDirtyFrom) this.logDirtyFrom = from;
    return this.lastIndex();
  }

  private persistHardState(): void {
    this.records.push({ kind: 'hardState', term: this.currentTerm, votedFor: this.votedFor });
  }

  private lastIndex(): number {
    return this.log.length;
  }

  private termAt(index: number): number {
    return index === 0 ? 0 : this.log[index - 1].term;
  }

  private hasQuorum(count: number): boolean {
    return count >= this.quorumSize();
  }

  private quorumSize(): number {
    return Math.floor(this.members.length / 2) + 1;
  }

  private send(to: NodeId, body: RaftMessage): void {
    this.messages.push({ to, message: { type: body.type, term: body.term, body } });
  }

  // ---- output -------------------------------------------------------------------------------

  private takeOutput(): Output {
    const records = this.records;
    const output: Output = {
      messages: this.messages.length > 0 ? this.messages : emptyList,
      records: records.length > 0 ? records : emptyList,
      // Everything written is synced before the messages that depend on it go out (the
      // not-persisted bugs withhold this). A message may depend on records written by an
      // earlier input whose sync is still in flight (a duplicate append acknowledged while the
      // original's entries are being synced), so every output that sends asks for the barrier.
      sync: (records.length > 0 || this.messages.length > 0) && !this.withholdSync,
      applied: this.applied.length > 0 ? this.applied : emptyList,
      answers: this.answers.length > 0 ? this.answers : emptyList,
      state: this.view(),
    };
    if (this.messages.length > 0) this.messages = [];
    if (records.length > 0) this.records = [];
    this.withholdSync = false;
    if (this.applied.length > 0) this.applied = [];
    if (this.answers.length > 0) this.answers = [];
    return output;
  }

  private view(): StateView {
    const view: StateView = {
      role: this.role,
      term: this.currentTerm,
      votedFor: this.votedFor,
      commitIndex: this.commitIndex,
      appliedIndex: this.lastApplied,
      leaderHint: this.leaderId,
    };
    if (this.logDirtyFrom !== Number.POSITIVE_INFINITY) {
      const from = this.logDirtyFrom;
      const entries: LogEntryView[] = [];
      for (let index = from; index <= this.lastIndex(); index += 1) {
        const entry = this.log[index - 1];
        entries.push({ term: entry.term, commandId: entry.command === null ? 0 : entry.command.id });
      }
      view.log = { from, entries };
      this.logDirtyFrom = Number.POSITIVE_INFINITY;
    }
    return view;
  }

  /**
   * A copy that steps on independently of this node, for the explorer (src/explore), which keeps
   * every state it reaches. Field by field with named stores, because a generic copy over
   * Object.keys measured 10 us a clone against 1 us for this, and the explorer clones once per
   * transition. Containers are copied one level deep (what they hold is never mutated in place).
   * A field added to RaftNode must be added here: test/explore/clone.test.ts fails until it is.
   */
  clone(): RaftNode {
    const copy = Object.create(RaftNode.prototype) as RaftNode;
    const c = copy as unknown as Record<string, unknown>;
    c.id = this.id;
    c.members = this.members;
    c.peers = this.peers;
    c.options = this.options;
    c.randomState = this.randomState;
    c.currentTerm = this.currentTerm;
    c.votedFor = this.votedFor;
    c.log = this.log.slice();
    c.role = this.role;
    c.leaderId = this.leaderId;
    c.commitIndex = this.commitIndex;
    c.lastApplied = this.lastApplied;
    c.electionElapsedTicks = this.electionElapsedTicks;
    c.electionTimeoutTicks = this.electionTimeoutTicks;
    c.heartbeatElapsedTicks = this.heartbeatElapsedTicks;
    c.votesGranted = new Set(this.votesGranted);
    c.nextIndex = new Map(this.nextIndex);
    c.matchIndex = new Map(this.matchIndex);
    c.store = this.store.clone();
    c.readsAwaitingTermCommit = this.readsAwaitingTermCommit.slice();
    c.pendingReads = this.pendingReads.slice();
    c.readRound = this.readRound;
    c.readRoundAcked = new Map(this.readRoundAcked);
    c.messages = [];
    c.records = [];
    c.applied = [];
    c.answers = [];
    c.logDirtyFrom = this.logDirtyFrom;
    c.withholdSync = this.withholdSync;
    c.grantedResponseCount = this.grantedResponseCount;
    c.bugFigure8 = this.bugFigure8;
    c.bugVoteWithoutLogCheck = this.bugVoteWithoutLogCheck;
    c.bugVoteNotPersisted = this.bugVoteNotPersisted;
    c.bugTruncateOnStaleAppend = this.bugTruncateOnStaleAppend;
    c.bugCommitBeyondNewEntries = this.bugCommitBeyondNewEntries;
    c.bugAcceptOldTermAppend = this.bugAcceptOldTermAppend;
    c.bugCountStaleVotes = this.bugCountStaleVotes;
    c.bugTermRollback = this.bugTermRollback;
    c.bugLogNotPersisted = this.bugLogNotPersisted;
    c.bugLeaderVotesForOther = this.bugLeaderVotesForOther;
    c.bugFixedElectionTimeout = this.bugFixedElectionTimeout;
    c.bugIdleLeaderNoHeartbeat = this.bugIdleLeaderNoHeartbeat;
    c.bugStaleRead = this.bugStaleRead;
    c.bugReadBeforeNoop = this.bugReadBeforeNoop;
    c.bugsEnabled = this.bugsEnabled;
    return copy;
  }

  /**
   * For the explorer's symmetry reduction (nodes that differ only by a permutation of ids must
   * digest alike), the state that stateDigest covers in two parts: digestWithoutIds is the part
   * that names no node, hashed once per state; digestIds the part that does, with every id mapped
   * through rename (rename[id] is its image), hashed once per permutation. The PRNG state is left
   * out when election timeouts are fixed: it then decides nothing, and it was seeded with the id.
   */
  digestWithoutIds(hasher: { number(value: number): unknown }): void {
    hasher.number(this.currentTerm);
    hasher.number(this.role === 'leader' ? 2 : this.role === 'candidate' ? 1 : 0);
    hasher.number(this.commitIndex);
    hasher.number(this.lastApplied);
    hasher.number(this.electionElapsedTicks);
    hasher.number(this.electionTimeoutTicks);
    hasher.number(this.heartbeatElapsedTicks);
    hasher.number(this.options.electionTicksMax > this.options.electionTicksMin ? this.randomState : 0);
    hasher.number(this.bugCountStaleVotes ? this.grantedResponseCount : 0);
    hasher.number(this.log.length);
    for (const entry of this.log) {
      hasher.number(entry.term);
      hasher.number(entry.command === null ? 0 : entry.command.id);
    }
    hasher.number(this.readRound);
    hasher.number(this.readsAwaitingTermCommit.length);
    for (const read of this.pendingReads) {
      hasher.number(read.command.id);
      hasher.number(read.readIndex);
      hasher.number(read.round);
    }
  }

  digestIds(hasher: { number(value: number): unknown }, rename: readonly NodeId[]): void {
    hasher.number(rename[this.id]);
    hasher.number(this.votedFor === null ? 0 : rename[this.votedFor]);
    hasher.number(this.leaderId === null ? 0 : rename[this.leaderId]);
    // Members in the order of their images, without allocating (this runs per permutation).
    for (let image = 1; image <= this.members.length; image += 1) {
      let member = 0;
      for (const candidate of this.members) if (rename[candidate] === image) member = candidate;
      hasher.number(this.votesGranted.has(member) ? 1 : 0);
      hasher.number(this.nextIndex.get(member) ?? 0);
      hasher.number(this.matchIndex.get(member) ?? 0);
      hasher.number(this.readRoundAcked.get(member) ?? 0);
    }
  }

  /** A digest of the complete state, for world fingerprints. */
  stateDigest(): string {
    const hasher = new Hasher()
      .number(this.id)
      .number(this.currentTerm)
      .number(this.votedFor ?? 0)
      .string(this.role)
      .number(this.leaderId ?? 0)
      .number(this.commitIndex)
      .number(this.lastApplied)
      .number(this.electionElapsedTicks)
      .number(this.electionTimeoutTicks)
      .number(this.heartbeatElapsedTicks)
      .number(this.randomState)
      .number(this.bugCountStaleVotes ? this.grantedResponseCount : 0)
      .number(this.log.length);
    for (const entry of this.log) hasher.number(entry.term).number(entry.command === null ? 0 : entry.command.id);
    // Only with reads in flight, so that digests of runs without reads stay what they were.
    if (this.pendingReads.length > 0 || this.readsAwaitingTermCommit.length > 0) {
      hasher.number(this.readRound).number(this.readsAwaitingTermCommit.length);
      for (const read of this.pendingReads) hasher.number(read.command.id).number(read.readIndex).number(read.round);
      for (const member of this.members) hasher.number(this.readRoundAcked.get(member) ?? 0);
    }
    for (const member of this.members) {
      hasher
        .number(this.votesGranted.has(member) ? 1 : 0)
        .number(this.nextIndex.get(member) ?? 0)
        .number(this.matchIndex.get(member) ?? 0);
    }
    return hasher.hex();
  }
}

// What the harness has observed of each node: a mirror of its white-box view (role, term, log
// with per-index prefix hashes) plus the cluster-wide committed history. Invariants read this,
// never the implementation's internals, so they apply to any implementation that offers a view.
//
// Every update costs O(entries changed), never O(log length): logs arrive as deltas, prefix
// hashes extend incrementally, and the committed history grows by appending.

import type { Output, Role, StateView } from '../contract/contract.js';
import { chainHash } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import { assert } from '../core/assert.js';
import type { ObservedCluster, ObservedNode, StepChange } from '../contract/observation.js';


export class NodeMirror implements ObservedNode {
  up = false;
  /** Increases on every start; 0 before the first. */
  incarnation = 0;
  /** False until the implementation sends a view; invariants that need one skip the node. */
  hasView = false;
  /** False until a view carries the log; log-based invariants skip the node until then. */
  hasLog = false;
  role: Role = 'follower';
  term = 0;
  votedFor: NodeId | null = null;
  commitIndex = 0;
  appliedIndex = 0;
  leaderHint: NodeId | null = null;
  /** terms[i] and commandIds[i] describe the entry at index i; index 0 is a sentinel. */
  readonly terms: number[] = [0];
  readonly commandIds: number[] = [0];
  /** prefixHashes[i] digests entries 1..i (0 for the empty prefix). */
  readonly prefixHashes: number[] = [0];
  /** Index of the last entry applied in this incarnation, from the applied outputs. */
  lastAppliedSeen = 0;
  /** The highest term this node revealed through a message another node received (survives crashes). */
  termRevealed = 0;

  constructor(readonly id: NodeId) {}

  get lastIndex(): number {
    return this.terms.length - 1;
  }

  termAt(index: number): number {
    return index <= this.lastIndex ? this.terms[index] : -1;
  }
}

export class ClusterObservation implements ObservedCluster {
  readonly nodes = new Map<NodeId, NodeMirror>();
  /** The committed history: committedTerms[i], committedIds[i], committedPrefix[i] for index i. */
  readonly committedTerms: number[] = [0];
  readonly committedIds: number[] = [0];
  readonly committedPrefix: number[] = [0];
  /** Who first established each committed index (node id), for evidence. */
  readonly committedBy: NodeId[] = [0];
  /**
   * Upper bounds on the term in which each committed index was committed, as runs of indexes
   * with non-decreasing terms: commitTermRuns[k] covers indexes from its `from` to the next
   * run's `from` - 1. An index is committed in the term of the leader that committed it, which
   * may be later than the entry's own term (Raft Figure 8); whoever observes a commit while in
   * term x proves it happened in a term <= x. True commit terms never decrease along the log,
   * so a lower bound seen at index j also bounds every index below j (kept as a suffix minimum).
   */
  readonly commitTermRuns: { from: number; term: number }[] = [];
  /** Increases whenever the committed history or its commit terms change. */
  committedVersion = 0;

  constructor(members: readonly NodeId[]) {
    for (const id of members) this.nodes.set(id, new NodeMirror(id));
  }

  get committedLength(): number {
    return this.committedTerms.length - 1;
  }

  mirror(id: NodeId): NodeMirror {
    const mirror = this.nodes.get(id);
    assert(mirror !== undefined, `no node ${id} in the observation`);
    return mirror;
  }

  /**
   * The most entries any node may still need from a leader: from the end of its longest prefix of
   * committed history (entries past it may be stale and replaced) to the end of the longest log.
   * An upper bound, for the liveness phase's catch-up allowance; 0 when no node shows its log.
   */
  catchUpEntries(): number {
    const withLogs = [...this.nodes.values()].filter((mirror) => mirror.hasLog);
    if (withLogs.length === 0) return 0;
    const longest = Math.max(...withLogs.map((mirror) => mirror.lastIndex));
    let most = 0;
    for (const mirror of withLogs) {
      // Prefix hashes equal at k mean equal prefixes 1..k, so the first match from the top is the longest.
      let matched = Math.min(mirror.lastIndex, this.committedLength);
      while (matched > 0 && mirror.prefixHashes[matched] !== this.committedPrefix[matched]) matched -= 1;
      most = Math.max(most, longest - matched);
    }
    return most;
  }

  /** Records a crash: the node is down; its volatile view is gone until it starts again. */
  crashed(id: NodeId): void {
    this.mirror(id).up = false;
  }

  /** Applies one output of node `id` to its mirror and describes the change. */
  observe(id: NodeId, output: Output, started: boolean, eventNumber: number, timeMs: number): StepChange {
    const mirror = this.mirror(id);
    const change: StepChange = {
      node: id,
      eventNumber,
      timeMs,
      started,
      previousRole: mirror.role,
      previousTerm: mirror.term,
      previousCommitIndex: mirror.commitIndex,
      previousAppliedIndex: mirror.appliedIndex,
      previousLastIndex: mirror.lastIndex,
      previousLastPrefixHash: mirror.prefixHashes[mirror.lastIndex],
      logChangedFrom: Number.POSITIVE_INFINITY,
      applied: output.applied,
      hasView: output.state !== undefined,
      committedLengthBefore: this.committedLength,
    };
    if (started) {
      mirror.up = true;
      mirror.incarnation += 1;
      mirror.lastAppliedSeen = 0;
      // Volatile state starts over; the durable log arrives in the start output's view.
      mirror.commitIndex = 0;
      mirror.appliedIndex = 0;
      change.previousCommitIndex = 0;
      change.previousAppliedIndex = 0;
    }
    const view = output.state;
    if (view !== undefined) {
      mirror.hasView = true;
      if (view.log !== undefined) mirror.hasLog = true;
      this.applyView(mirror, view, change);
    }
    if (output.applied.length > 0) mirror.lastAppliedSeen = output.applied[output.applied.length - 1].index;
    return change;
  }

  /** Notes that another node received a message the node sent while in `term`. */
  revealed(id: NodeId, term: number): void {
    const mirror = this.mirror(id);
    if (term > mirror.termRevealed) mirror.termRevealed = term;
  }

  private applyView(mirror: NodeMirror, view: StateView, change: StepChange): void {
    mirror.role = view.role;
    mirror.term = view.term;
    mirror.votedFor = view.votedFor;
    mirror.commitIndex = view.commitIndex;
    mirror.appliedIndex = view.appliedIndex;
    mirror.leaderHint = view.leaderHint;
    const log = view.log;
    if (log === undefined) return;
    const from = Math.max(1, log.from);
    if (from > mirror.lastIndex + 1) {
      throw new ViewError(`log delta starts at ${log.from}, past the end of the log (${mirror.lastIndex})`);
    }
    mirror.terms.length = from;
    mirror.commandIds.length = from;
    mirror.prefixHashes.length = from;
    let previousHash = mirror.prefixHashes[from - 1];
    for (const entry of log.entries) {
      mirror.terms.push(entry.term);
      mirror.commandIds.push(entry.commandId);
      previousHash = chainHash(previousHash, entry.term, entry.commandId);
      mirror.prefixHashes.push(previousHash);
    }
    change.logChangedFrom = from;
  }

  /**
   * Extends the committed history with what this step newly committed: the node's own entries
   * past the known committed length, up to its commit index, and applied entries past it (for
   * implementations without a view). Only ever appends: comparing a node against what was already
   * committed is the state-machine-safety invariant's job.
   */
  extendCommitted(change: StepChange): void {
    const mirror = this.mirror(change.node);
    const lengthBefore = this.committedLength;
    if (mirror.hasLog) {
      const commitIndex = Math.min(mirror.commitIndex, mirror.lastIndex);
      for (let index = this.committedLength + 1; index <= commitIndex; index += 1) {
        this.appendCommitted(mirror.terms[index], mirror.commandIds[index], change.node);
      }
    }
    for (const entry of change.applied) {
      if (entry.index === this.committedLength + 1) this.appendCommitted(entry.term, entry.commandId, change.node);
    }
    if (this.committedLength > lengthBefore) {
      // A node without a view tells us nothing about the term: bound it by infinity, so that
      // no leader is held to these entries on its account.
      this.boundCommitTerm(lengthBefore + 1, mirror.hasView ? mirror.term : Number.POSITIVE_INFINITY);
      this.committedVersion += 1;
    }
  }

  private appendCommitted(term: number, commandId: number, by: NodeId): void {
    const previous = this.committedPrefix[this.committedPrefix.length - 1];
    this.committedTerms.push(term);
    this.committedIds.push(commandId);
    this.committedPrefix.push(chainHash(previous, term, commandId));
    this.committedBy.push(by);
  }

  /** Indexes from `from` to the end were committed in a term <= term; so were all below them. */
  private boundCommitTerm(from: number, term: number): void {
    const runs = this.commitTermRuns;
    let start = from;
    while (runs.length > 0 && runs[runs.length - 1].term >= term) start = runs.pop()!.from;
    runs.push({ from: start, term });
  }

  /** The highest committed index known to have been committed in a term below `term`. */
  lastIndexCommittedBeforeTerm(term: number): number {
    const runs = this.commitTermRuns;
    let low = -1;
    let high = runs.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (runs[middle].term < term) low = middle;
      else high = middle - 1;
    }
    if (low === -1) return 0;
    return low + 1 < runs.length ? runs[low + 1].from - 1 : this.committedLength;
  }

  /** The bound on the term index was committed in (Infinity if unknown). */
  commitTermOf(index: number): number {
    let result = Number.POSITIVE_INFINITY;
    for (const run of this.commitTermRuns) {
      if (run.from > index) break;
      result = run.term;
    }
    return result;
  }
}

/** A view that cannot be applied: the implementation broke the view protocol. */
export class ViewError extends Error {
  override name = 'ViewError';
}

// What the harness has observed of each node: a mirror of its white-box view (role, term, log
// with per-index prefix hashes) plus the cluster-wide committed history. Invariants read this,
// never the implementation's internals, so they apply to any implementation that offers a view.
//
// Every update costs O(entries changed), never O(log length): logs arrive as deltas, prefix
// hashes extend incrementally, and the committed history grows by appending.
//
// One observation serves every driver. The simulator keeps one and updates it in place. The
// explorer keeps each node's mirror with the node's state (computed once per node state and
// input, by the same observeOutput) and the rest, the shared part, with each world: an
// observation laid over them copies the shared part before it first writes it.
//
// Snapshots (feature 'snapshots'): a view's log starts after its snapshot index. A node that
// compacted its own log keeps its entries in the mirror (it showed them before). A node that
// installed a snapshot in place of entries it never showed is anchored: the mirror holds
// placeholders up to the anchor, and its prefix hashes are rebased on the committed history only
// where they are compared across nodes (ClusterObservation.prefixHashesOf), so that a mirror stays
// a function of its node's outputs alone (the explorer keeps one per node state).

import type { Command, ConfigurationView, Input, Output, Role, StateView } from '../contract/contract.js';
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
  voteGuard: boolean | null = null;
  leaseHeld: boolean | null = null;
  /** terms[i] and commandIds[i] describe the entry at index i; index 0 is a sentinel. */
  terms: number[] = [0];
  commandIds: number[] = [0];
  /** prefixHashes[i] digests entries 1..i (0 for the empty prefix). */
  prefixHashes: number[] = [0];
  /** Index of the last entry applied in this incarnation, from the applied outputs (or its snapshot's). */
  lastAppliedSeen = 0;
  /** Feature 'membership': the configurations last reported (views send them when they change). */
  configuration: ConfigurationView | null = null;
  snapshotIndex = 0;
  snapshotTerm = 0;
  /** See ObservedNode.anchorIndex. */
  anchorIndex = 0;
  /**
   * The prefix hashes rebased on a committed prefix hash at the anchor (`base`): a pure function
   * of this mirror's log and the base. Entries up to `rebasedValidTo` still hold when the log
   * changes past it, so an append rehashes only the new entries.
   */
  rebased: { base: number; anchor: number; hashes: number[] } | null = null;
  rebasedValidTo = 0;
  /**
   * Whether `rebased` is this mirror's alone, to extend in place when its log grows (the
   * simulator's mirrors). A copy shares it with its source, and then neither writes it: each
   * makes its own when its log changes (the explorer's mirrors, which worlds share).
   */
  rebasedOwned = false;

  constructor(readonly id: NodeId) {}

  get lastIndex(): number {
    return this.terms.length - 1;
  }

  termAt(index: number): number {
    return index <= this.lastIndex ? this.terms[index] : -1;
  }

  /** An independent copy (its arrays copied too). */
  copy(): NodeMirror {
    const copy = new NodeMirror(this.id);
    copy.up = this.up;
    copy.incarnation = this.incarnation;
    copy.hasView = this.hasView;
    copy.hasLog = this.hasLog;
    copy.role = this.role;
    copy.term = this.term;
    copy.votedFor = this.votedFor;
    copy.commitIndex = this.commitIndex;
    copy.appliedIndex = this.appliedIndex;
    copy.leaderHint = this.leaderHint;
    copy.voteGuard = this.voteGuard;
    copy.leaseHeld = this.leaseHeld;
    copy.terms = this.terms.slice();
    copy.commandIds = this.commandIds.slice();
    copy.prefixHashes = this.prefixHashes.slice();
    copy.lastAppliedSeen = this.lastAppliedSeen;
    copy.configuration = this.configuration;
    copy.snapshotIndex = this.snapshotIndex;
    copy.snapshotTerm = this.snapshotTerm;
    copy.anchorIndex = this.anchorIndex;
    copy.rebased = this.rebased;
    copy.rebasedValidTo = this.rebasedValidTo;
    this.rebasedOwned = false;
    return copy;
  }
}

/**
 * Applies one output of a node to its mirror (in place) and describes the change. The change's
 * committedLengthBefore is left 0: it belongs to the cluster (ClusterObservation.observe sets it).
 * Throws ViewError when the view's log delta cannot apply.
 */
export function observeOutput(mirror: NodeMirror, output: Output, started: boolean, eventNumber: number, timeMs: number, command?: Command, input?: Input): StepChange {
  const change: StepChange = {
    node: mirror.id,
    eventNumber,
    timeMs,
    started,
    previousRole: mirror.role,
    previousTerm: mirror.term,
    previousCommitIndex: mirror.commitIndex,
    previousAppliedIndex: mirror.appliedIndex,
    previousLastIndex: mirror.lastIndex,
    previousLastPrefixHash: mirror.prefixHashes[mirror.lastIndex],
    previousVoteGuard: mirror.voteGuard,
    previousConfiguration: mirror.configuration,
    logChangedFrom: Number.POSITIVE_INFINITY,
    applied: output.applied,
    hasView: output.state !== undefined,
    // Absent fields are written as undefined: every change has one shape, so the checkers that
    // read changes stay monomorphic, and none grows a property store after it is made.
    snapshotTaken: output.snapshotTaken,
    snapshotInstalled: output.snapshotInstalled,
    command,
    input,
    output: input === undefined ? undefined : output,
    committedLengthBefore: 0,
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
    applyView(mirror, view, change);
  }
  // Applying goes on after an installed snapshot, whose entries are not applied one by one.
  if (output.snapshotInstalled !== undefined) mirror.lastAppliedSeen = output.snapshotInstalled.index;
  if (output.applied.length > 0) mirror.lastAppliedSeen = output.applied[output.applied.length - 1].index;
  return change;
}

function applyView(mirror: NodeMirror, view: StateView, change: StepChange): void {
  mirror.role = view.role;
  mirror.term = view.term;
  mirror.votedFor = view.votedFor;
  mirror.commitIndex = view.commitIndex;
  mirror.appliedIndex = view.appliedIndex;
  mirror.leaderHint = view.leaderHint;
  mirror.voteGuard = view.voteGuard ?? null;
  mirror.leaseHeld = view.leaseHeld ?? null;
  if (view.configuration !== undefined) mirror.configuration = view.configuration;
  if (view.snapshotIndex !== undefined) observeSnapshotIndex(mirror, view.snapshotIndex, view.snapshotTerm ?? 0);
  const log = view.log;
  if (log === undefined) return;
  const from = Math.max(1, log.from);
  if (from > mirror.lastIndex + 1) {
    throw new ViewError(`log delta starts at ${log.from}, past the end of the log (${mirror.lastIndex})`);
  }
  // Entries written again below the anchor are the node's own once more.
  if (from <= mirror.anchorIndex) mirror.anchorIndex = from - 1;
  mirror.rebasedValidTo = Math.min(mirror.rebasedValidTo, from - 1);
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
 * A view's snapshot index and term. A mirror that holds the snapshot's last entry keeps its
 * entries (the node folded its own, or kept the log after it, paper section 7); any other is
 * anchored there: placeholders up to it, until the log delta from snapshotIndex + 1 that must
 * come with it.
 */
function observeSnapshotIndex(mirror: NodeMirror, snapshotIndex: number, snapshotTerm: number): void {
  if (snapshotIndex === mirror.snapshotIndex && snapshotTerm === mirror.snapshotTerm) return;
  mirror.snapshotIndex = snapshotIndex;
  mirror.snapshotTerm = snapshotTerm;
  const holdsLastEntry = snapshotIndex > mirror.anchorIndex && snapshotIndex <= mirror.lastIndex && mirror.terms[snapshotIndex] === snapshotTerm;
  if (snapshotIndex === 0 || holdsLastEntry) return;
  mirror.terms.length = 1;
  mirror.commandIds.length = 1;
  mirror.prefixHashes.length = 1;
  let previousHash = 0;
  for (let index = 1; index <= snapshotIndex; index += 1) {
    const term = index === snapshotIndex ? snapshotTerm : -1;
    mirror.terms.push(term);
    mirror.commandIds.push(0);
    previousHash = chainHash(previousHash, term, 0);
    mirror.prefixHashes.push(previousHash);
  }
  mirror.anchorIndex = snapshotIndex;
  mirror.rebased = null;
}

/** See ObservedCluster.prefixHashesOf; `committedPrefix` is the committed history's prefix hashes. */
export function rebasedPrefixHashes(mirror: NodeMirror, committedPrefix: readonly number[]): readonly number[] {
  const anchor = mirror.anchorIndex;
  if (anchor === 0 || anchor >= committedPrefix.length) return mirror.prefixHashes;
  const base = committedPrefix[anchor];
  const known = mirror.rebased !== null && mirror.rebased.base === base && mirror.rebased.anchor === anchor ? mirror.rebased.hashes : null;
  const validTo = known === null ? anchor : Math.min(mirror.rebasedValidTo, known.length - 1, mirror.lastIndex);
  if (known !== null && validTo === mirror.lastIndex && known.length === validTo + 1) return known;
  // Copying the known hashes on every append would cost O(log length) a step: a mirror that owns
  // them cuts and extends them in place (no caller keeps the array past its step).
  const inPlace = known !== null && mirror.rebasedOwned;
  const hashes = known === null ? committedPrefix.slice(0, anchor + 1) : inPlace ? known : known.slice(0, validTo + 1);
  if (inPlace) hashes.length = validTo + 1;
  for (let index = validTo + 1; index <= mirror.lastIndex; index += 1) hashes.push(chainHash(hashes[index - 1], mirror.terms[index], mirror.commandIds[index]));
  if (!inPlace) {
    mirror.rebased = { base, anchor, hashes };
    mirror.rebasedOwned = true;
  }
  mirror.rebasedValidTo = mirror.lastIndex;
  return hashes;
}

/**
 * What the observation holds beyond the nodes' own mirrors: the committed history with its
 * commit-term bounds, the terms each node revealed, and two version counters. Shared between
 * observations copy-on-write; the explorer keeps one per world and shares equal ones.
 */
export interface SharedObservation {
  /** The committed history: terms[i], ids[i], prefix[i] for index i. */
  terms: number[];
  ids: number[];
  prefix: number[];
  /** Who first established each committed index (node id), for evidence. */
  by: NodeId[];
  /**
   * Upper bounds on the term in which each committed index was committed, as runs of indexes
   * with non-decreasing terms: termRuns[k] covers indexes from its `from` to the next run's
   * `from` - 1. An index is committed in the term of the leader that committed it, which may be
   * later than the entry's own term (Raft Figure 8); whoever observes a commit while in term x
   * proves it happened in a term <= x. True commit terms never decrease along the log, so a lower
   * bound seen at index j also bounds every index below j (kept as a suffix minimum).
   */
  termRuns: { from: number; term: number }[];
  /**
   * Increases whenever the committed history or its commit terms change (the explorer's
   * partial-order reduction holds such a step dependent on every other).
   */
  committedVersion: number;
  /** The explorer's digest of this part once it is final (src/world/judge.ts); dropped by a copy. */
  digest?: readonly [number, number];
}

export function emptySharedObservation(): SharedObservation {
  return sharedObservation([0], [0], [0], [0], [], 0);
}

function copyShared(shared: SharedObservation): SharedObservation {
  const { terms, ids, prefix, by, termRuns } = shared;
  return sharedObservation(terms.slice(), ids.slice(), prefix.slice(), by.slice(), termRuns.slice(), shared.committedVersion);
}

/**
 * Every shared part made by one literal: an object spread gave copies another hidden class than
 * the first, and every function that reads one (each checker's step) was compiled for one class,
 * then thrown away when it met the other.
 */
function sharedObservation(terms: number[], ids: number[], prefix: number[], by: NodeId[], termRuns: { from: number; term: number }[], committedVersion: number): SharedObservation {
  return { terms, ids, prefix, by, termRuns, committedVersion, digest: undefined };
}

export class ClusterObservation implements ObservedCluster {
  /** mirrors[id - 1] is node id's mirror. */
  protected readonly mirrors: NodeMirror[];
  private sharedPart: SharedObservation;
  private sharedOwned: boolean;
  /**
   * revealed[id]: the highest term node id revealed through a message another node received
   * (survives crashes). Apart from the shared part: it changes often, and its updates commute.
   */
  private revealedPart: number[];
  private revealedOwned: boolean;

  /**
   * The simulator's observation owns its mirrors and updates them in place. The explorer's is
   * laid over a world's mirrors and shared part (`over`): it copies the shared part before its
   * first write, and never writes a mirror (it hands the node's new mirror in with `adopt`).
   */
  constructor(members: readonly NodeId[], over?: { mirrors: NodeMirror[]; shared: SharedObservation; revealed: readonly number[] }) {
    this.mirrors = over?.mirrors ?? members.map((id) => new NodeMirror(id));
    this.sharedPart = over?.shared ?? emptySharedObservation();
    this.sharedOwned = over === undefined;
    this.revealedPart = (over?.revealed as number[] | undefined) ?? new Array<number>(members.length + 1).fill(0);
    this.revealedOwned = over === undefined;
  }

  /** The revealed terms as they stand (to keep with a world). */
  get revealedTerms(): readonly number[] {
    return this.revealedPart;
  }

  /** The shared part as it stands (to keep with a world once the step is judged). */
  get shared(): SharedObservation {
    return this.sharedPart;
  }

  get committedTerms(): readonly number[] {
    return this.sharedPart.terms;
  }

  get committedIds(): readonly number[] {
    return this.sharedPart.ids;
  }

  get committedPrefix(): readonly number[] {
    return this.sharedPart.prefix;
  }

  get committedBy(): readonly NodeId[] {
    return this.sharedPart.by;
  }

  get commitTermRuns(): readonly { readonly from: number; readonly term: number }[] {
    return this.sharedPart.termRuns;
  }

  get committedVersion(): number {
    return this.sharedPart.committedVersion;
  }


  get committedLength(): number {
    return this.sharedPart.terms.length - 1;
  }

  termRevealed(id: NodeId): number {
    return this.revealedPart[id];
  }

  /**
   * nodes[id - 1] is node id's mirror. A checker that reads it (or `mirror` of another node than
   * the one that stepped) reads more than its own node's state: the explorer notes that.
   */
  get nodes(): NodeMirror[] {
    return this.mirrors;
  }

  mirror(id: NodeId): NodeMirror {
    const mirror = this.mirrors[id - 1];
    // The message is built only on failure: this runs several times a step.
    if (mirror === undefined) assert(false, `no node ${id} in the observation`);
    return mirror;
  }

  /** Puts node `id`'s mirror in place (the explorer's, computed once per node state and input). */
  adopt(mirror: NodeMirror): void {
    this.mirrors[mirror.id - 1] = mirror;
  }

  /** The shared part, copied first if it is shared. */
  private writableShared(): SharedObservation {
    if (!this.sharedOwned) {
      this.sharedPart = copyShared(this.sharedPart);
      this.sharedOwned = true;
    }
    return this.sharedPart;
  }

  /**
   * The most entries any node may still need from a leader: from the end of its longest prefix of
   * committed history (entries past it may be stale and replaced) to the end of the longest log.
   * An upper bound, for the liveness phase's catch-up allowance; 0 when no node shows its log.
   */
  catchUpEntries(): number {
    const withLogs = this.mirrors.filter((mirror) => mirror.hasLog);
    if (withLogs.length === 0) return 0;
    const longest = Math.max(...withLogs.map((mirror) => mirror.lastIndex));
    let most = 0;
    for (const mirror of withLogs) {
      // Prefix hashes equal at k mean equal prefixes 1..k, so the first match from the top is the longest.
      let matched = Math.min(mirror.lastIndex, this.committedLength);
      const prefixHashes = this.prefixHashesOf(mirror);
      while (matched > 0 && prefixHashes[matched] !== this.committedPrefix[matched]) matched -= 1;
      most = Math.max(most, longest - matched);
    }
    return most;
  }

  /** Records a crash: the node is down; its volatile view is gone until it starts again. */
  crashed(id: NodeId): void {
    this.mirror(id).up = false;
  }

  prefixHashesOf(node: NodeMirror): readonly number[] {
    return node.anchorIndex === 0 ? node.prefixHashes : rebasedPrefixHashes(node, this.sharedPart.prefix);
  }

  /** Applies one output of node `id` to its mirror (in place) and describes the change. */
  observe(id: NodeId, output: Output, started: boolean, eventNumber: number, timeMs: number, command?: Command, input?: Input): StepChange {
    const change = observeOutput(this.mirror(id), output, started, eventNumber, timeMs, command, input);
    change.committedLengthBefore = this.committedLength;
    return change;
  }

  /** Notes that another node received a message the node sent while in `term`; whether that raised its revealed term. */
  revealed(id: NodeId, term: number): boolean {
    if (term <= this.revealedPart[id]) return false;
    if (!this.revealedOwned) {
      this.revealedPart = this.revealedPart.slice();
      this.revealedOwned = true;
    }
    this.revealedPart[id] = term;
    return true;
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
    // An anchored mirror holds placeholders up to its anchor: it extends the history only past it.
    if (mirror.hasLog && this.committedLength >= mirror.anchorIndex) {
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
      const shared = this.writableShared();
      shared.committedVersion += 1;
    }
  }

  private appendCommitted(term: number, commandId: number, by: NodeId): void {
    const committed = this.writableShared();
    const previous = committed.prefix[committed.prefix.length - 1];
    committed.terms.push(term);
    committed.ids.push(commandId);
    committed.prefix.push(chainHash(previous, term, commandId));
    committed.by.push(by);
  }

  /** Indexes from `from` to the end were committed in a term <= term; so were all below them. */
  private boundCommitTerm(from: number, term: number): void {
    const runs = this.writableShared().termRuns;
    let start = from;
    while (runs.length > 0 && runs[runs.length - 1].term >= term) start = runs.pop()!.from;
    runs.push({ from: start, term });
  }

  /** The highest committed index known to have been committed in a term below `term`. */
  lastIndexCommittedBeforeTerm(term: number): number {
    const runs = this.sharedPart.termRuns;
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

/** The command an input hands a node (a proposal's or a read's), which the world records with the step. */
export function commandOf(input: Input): Command | undefined {
  return input.kind === 'propose' || input.kind === 'read' ? input.command : undefined;
}

/** A view that cannot be applied: the implementation broke the view protocol. */
export class ViewError extends Error {
  override name = 'ViewError';
}

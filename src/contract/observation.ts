// What the world observes and the invariants judge: the read-only shape of the harness's
// observation of a cluster (each node's mirrored view, the committed history), the change one
// step made, the clients' history, and the violations the checkers report. Below both the world
// (src/world, which keeps and updates the observation) and invariants/ (which only read it).

import type { AppliedEntry, Command, ConfigurationView, Input, Output, Role, SnapshotView } from './contract.js';
import type { NodeId } from '../core/ids.js';

export type InvariantKind = 'safety' | 'liveness';

export interface Violation {
  invariant: string;
  kind: InvariantKind;
  message: string;
  nodes: NodeId[];
  /** 1-based number of the event after which the violation was seen; 0 for the end-of-run audit. */
  eventNumber: number;
  timeMs: number;
  /** The facts that show it: terms, indexes, entries. Plain JSON. */
  evidence: Record<string, unknown>;
  /**
   * Other invariants the same step violated, in registry order (absent: none). One step can break
   * several at once (a node that rolls its term back and, in the same message, takes a deposed
   * leader's entries over committed ones): they are one failure, and shrinking may keep any of them.
   */
  alsoViolated?: string[];
}

/**
 * What an end-of-run audit reports when its recompute from scratch disagrees with the harness's
 * own incremental state (a prefix hash, a count): a bug in raftcheck, not in the implementation.
 * The run ends as a harness error (exit code 5), never as the implementation's safety violation.
 * `harness: true` tells it apart from a Violation where an audit may return either.
 */
export interface HarnessError {
  harness: true;
  /** The checker whose audit found it. */
  invariant: string;
  message: string;
  /** The nodes whose observed state the disagreement is about. */
  nodes: NodeId[];
  eventNumber: number;
  timeMs: number;
  /** The disagreeing values, plain JSON. */
  evidence: Record<string, unknown>;
}

export function isHarnessError(finding: Violation | HarnessError): finding is HarnessError {
  return 'harness' in finding && finding.harness === true;
}

/** A check that could not decide (its budget ran out): the run shows it, and it is no pass. */
export interface Inconclusive {
  invariant: string;
  reason: string;
  eventNumber: number;
  timeMs: number;
}

/** A node's mirrored white-box view, as the checkers read it. */
export interface ObservedNode {
  readonly id: NodeId;
  readonly up: boolean;
  /** Increases on every start; 0 before the first. */
  readonly incarnation: number;
  readonly hasView: boolean;
  readonly hasLog: boolean;
  readonly role: Role;
  readonly term: number;
  readonly votedFor: NodeId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly leaderHint: NodeId | null;
  /** StateView.voteGuard and leaseHeld as last reported; null while the views do not report them. */
  readonly voteGuard: boolean | null;
  readonly leaseHeld: boolean | null;
  /** terms[i] and commandIds[i] describe the entry at index i; index 0 is a sentinel. */
  readonly terms: readonly number[];
  readonly commandIds: readonly number[];
  /** prefixHashes[i] digests entries 1..i (0 for the empty prefix). */
  readonly prefixHashes: readonly number[];
  /** Index of the last entry applied in this incarnation, from the applied outputs (or its snapshot's). */
  readonly lastAppliedSeen: number;
  /** Feature 'membership': the configurations the node last reported (null: never). */
  readonly configuration: ConfigurationView | null;
  readonly lastIndex: number;
  /** Feature 'snapshots': the view's snapshot index and term (0, 0: none). */
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  /**
   * 0, or an index up to which the node holds its log only through a snapshot it installed: the
   * mirror never saw those entries, so entries 1..anchorIndex are placeholders (term -1, but the
   * snapshot's term at its own index) and the prefix hashes are the mirror's own. Compare prefix
   * hashes across nodes through ObservedCluster.prefixHashesOf, which rebases them on the
   * committed history.
   */
  readonly anchorIndex: number;
  termAt(index: number): number;
}

/** The cluster as observed: every node's mirror and the committed history. */
export interface ObservedCluster {
  /** Every node's mirror, in id order (nodes[id - 1] is node id's). */
  readonly nodes: readonly ObservedNode[];
  /** The committed history: committedTerms[i], committedIds[i], committedPrefix[i] for index i. */
  readonly committedTerms: readonly number[];
  readonly committedIds: readonly number[];
  readonly committedPrefix: readonly number[];
  /** Who first established each committed index (node id), for evidence. */
  readonly committedBy: readonly NodeId[];
  /** Increases whenever the committed history or its commit terms change. */
  readonly committedVersion: number;
  readonly committedLength: number;
  mirror(id: NodeId): ObservedNode;
  /** The highest term node `id` revealed through a message another node received (survives crashes). */
  termRevealed(id: NodeId): number;
  /** The highest committed index known to have been committed in a term below `term`. */
  lastIndexCommittedBeforeTerm(term: number): number;
  /** The bound on the term index was committed in (Infinity if unknown). */
  commitTermOf(index: number): number;
  /**
   * The node's prefix hashes, comparable with other nodes' and the committed history's: its own,
   * or for an anchored node (anchorIndex > 0) the committed history's up to its anchor and its
   * own entries chained on from there (its snapshot stands for the committed prefix; the
   * snapshot-consistency invariant judges whether it does). Until the committed history reaches
   * the anchor, its own.
   */
  prefixHashesOf(node: ObservedNode): readonly number[];
}

/** What one step changed on one node: the invariants' incremental input. */
export interface StepChange {
  node: NodeId;
  /** Number of the event being processed (1-based) and its virtual time. */
  eventNumber: number;
  timeMs: number;
  /** This step was the start input of a new incarnation. */
  started: boolean;
  previousRole: Role;
  previousTerm: number;
  previousCommitIndex: number;
  previousAppliedIndex: number;
  previousLastIndex: number;
  /** Prefix hash of the log up to previousLastIndex, before the step. */
  previousLastPrefixHash: number;
  /** The node's StateView.voteGuard before the step (null: not reported). */
  previousVoteGuard: boolean | null;
  /** Feature 'membership': the node's configurations before the step (the same object when the step reported none). */
  previousConfiguration: ConfigurationView | null;
  /** Lowest log index whose entry changed (Infinity: the log did not change). */
  logChangedFrom: number;
  /** Entries the step applied, in order. */
  applied: readonly AppliedEntry[];
  /** The view in this output, if any. */
  hasView: boolean;
  /** Feature 'snapshots': what the output reported (absent: nothing). */
  snapshotTaken?: SnapshotView;
  snapshotInstalled?: SnapshotView;
  /** The command of the propose or read input this step handled (absent: another input). */
  command?: Command;
  /**
   * The input this step handled and the node's output, where the driver hands them on (both
   * drivers do): for checkers that judge a promise in the messages or answers themselves.
   */
  input?: Input;
  output?: Output;
  /** Length of the committed history before this step. */
  committedLengthBefore: number;
}

export type ClientOperationKind = 'get' | 'put' | 'append';

/** One operation of the history: the shape the linearizability checker takes. */
export interface ClientOperation {
  /** Unique over the history, in invocation order. */
  id: number;
  client: number;
  kind: ClientOperationKind;
  key: string;
  /** The value of a put, the suffix of an append; absent for a get. */
  value?: string;
  /** Virtual time of the invocation, in milliseconds. */
  invokeMs: number;
  /** Absent while in flight, and for good when it was given up (indeterminate). */
  completion?: { completeMs: number; result?: string | null };
  /** The node that answered it. */
  node?: NodeId;
  /** Attempts sent (the first one, redirects and retries). */
  attempts: number;
  /**
   * Attempts a node accepted into its log. An operation given up with none accepted (every
   * attempt refused, or answered notLeader) certainly never took effect: the check leaves it out,
   * as Jepsen leaves out failed operations (see checkedHistory).
   */
  acceptedAttempts: number;
}

/** One attempt of an operation: a command sent to one node. */
export interface Attempt {
  commandId: number;
  node: NodeId;
  /** The node's incarnation when the request reached it; -1 while in flight. */
  incarnation: number;
  accepted: boolean;
}

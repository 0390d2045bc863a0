// The shape of a checker the simulator runs after every event. Checkers live in invariants/,
// one file each; the simulator only knows this interface, so data flows downward.

import type { NodeId } from '../src/core/ids.js';
import type { ClientOperation, HarnessError, InvariantKind, ObservedCluster, StepChange, Violation } from '../src/contract/observation.js';


/** What a checker is handed with every step. */
export interface CheckContext {
  change: StepChange;
  cluster: ObservedCluster;
}

/** One run's instance of an invariant: it may keep state across the steps of that run. */
export interface InvariantChecker {
  readonly name: string;
  /** After a node handled one input. Returns the violation, or null. */
  afterStep(context: CheckContext): Violation | null;
  /** After a node crashed (its mirror is already marked down). */
  afterCrash?(node: NodeId, cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | null;
  /**
   * The end-of-run audit: recompute from scratch what was checked incrementally. A Violation when
   * the nodes' state breaks the invariant; a HarnessError when the recompute disagrees with the
   * harness's own incremental state (the observation's or the checker's), which is raftcheck's bug.
   */
  audit(cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | HarnessError | null;
  /** Judges the clients' history: at the end of a run with clients, and periodically if asked. */
  checkHistory?(context: HistoryCheckContext): HistoryVerdict;
}

export interface HistoryCheckContext {
  /** Every operation so far; one without completion is indeterminate (given up, or still in flight). */
  history: readonly ClientOperation[];
  /** A deterministic bound on the work of the check (search steps), so runs stay reproducible. */
  stepsMax: number;
  eventNumber: number;
  timeMs: number;
}

/** 'unknown': the check ran out of its budget; neither a pass nor a violation. */
export type HistoryVerdict = { verdict: 'ok' } | { verdict: 'violation'; violation: Violation } | { verdict: 'unknown'; reason: string };

export interface InvariantDefinition {
  name: string;
  kind: InvariantKind;
  description: string;
  create(): InvariantChecker;
}

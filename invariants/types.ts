// The shape of a checker the simulator runs after every event. Checkers live in invariants/,
// one file each; the simulator only knows this interface, so data flows downward.

import type { NodeId } from '../src/core/ids.js';
import type { DigestSink, Message, MessageView } from '../src/contract/contract.js';
import type { ClientOperation, HarnessError, InvariantKind, ObservedCluster, StepChange, Violation } from '../src/contract/observation.js';


/** What a checker is handed with every step. */
export interface CheckContext {
  change: StepChange;
  cluster: ObservedCluster;
  /**
   * A message in Raft's common vocabulary (Message.view, or the implementation's messageView);
   * absent: only Message.view is known.
   */
  messageView?: MessageViewOf;
}

export type MessageViewOf = (message: Message) => MessageView | null;

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
  /**
   * A checker that goes on from this one's state independently: the explorer keeps one per world
   * and forks it at every branch. Parts may be shared until one side writes them (copy-on-write);
   * a stateless checker may return itself.
   */
  fork(): InvariantChecker;
  /**
   * Adds to `sink` what of the checker's state can change a later verdict and is not already in
   * the observation, node ids renamed by `rename` (rename[id]), in an order that does not depend
   * on the path: the explorer merges two worlds whose digests agree, so they must judge every
   * later step alike. Absent: the checker keeps nothing of the kind (its module says why).
   */
  digest?(sink: DigestSink, rename: readonly NodeId[]): void;
  /**
   * Increases when a step changes the checker's state in a way that does not commute with the
   * steps of other nodes (the first leader of a term, say); the explorer's partial-order
   * reduction then treats that step as dependent on every other. Absent: its updates commute.
   */
  readonly sharedVersion?: number;
  /**
   * Increases whenever the checker's state changes at all (a fork starts from its parent's), so
   * that the explorer keeps a world's judgement when no checker changed. Absent: the checker keeps
   * nothing a later step needs that the observation does not hold.
   */
  readonly version?: number;
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
  /**
   * Its verdict rests on the clock-drift bound that lease reads assume (docs/CONTRACT.md): it
   * judges reads a lease answered. A step path fires timers with no clock behind them, as
   * though drift had no bound, so the shrinker's step stage cannot judge such a failure in a
   * run with lease reads; every other invariant holds in any order of timers, and can.
   */
  restsOnClockBound?: true;
  create(): InvariantChecker;
}

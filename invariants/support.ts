// Shared helpers of the invariant checkers: building violations, finding the first index where
// two logs differ (only ever called once a violation is certain, so it may scan), and quorums.

import type { Configuration } from '../src/contract/contract.js';
import type { NodeId } from '../src/core/ids.js';
import type { ObservedCluster, ObservedNode } from '../src/contract/observation.js';
import type { HarnessError, InvariantKind, Violation } from '../src/contract/observation.js';

export function violation(options: {
  invariant: string;
  kind?: InvariantKind;
  message: string;
  nodes: NodeId[];
  eventNumber: number;
  timeMs: number;
  evidence: Record<string, unknown>;
}): Violation {
  return { kind: 'safety', ...options };
}

/** An audit's finding that the harness's own incremental state is wrong (a bug in raftcheck). */
export function harnessError(options: Omit<HarnessError, 'harness'>): HarnessError {
  return { harness: true, ...options };
}

/**
 * The first index in 1..upTo where the mirror's log differs from the committed history; entries
 * the node holds only through an installed snapshot count as the history's (ObservedNode.anchorIndex).
 */
export function firstDifferenceFromCommitted(cluster: ObservedCluster, mirror: ObservedNode, upTo: number): number {
  for (let index = mirror.anchorIndex + 1; index <= upTo; index += 1) {
    if (
      index > mirror.lastIndex ||
      mirror.terms[index] !== cluster.committedTerms[index] ||
      mirror.commandIds[index] !== cluster.committedIds[index]
    ) {
      return index;
    }
  }
  return -1;
}

/** A log entry for evidence: "t3:c17" (term 3, command 17), "t3:noop", or "missing". */
export function entryLabel(term: number | undefined, commandId: number | undefined): string {
  if (term === undefined || term < 0) return 'missing';
  return `t${term}:${commandId === 0 ? 'noop' : `c${commandId}`}`;
}

export function mirrorEntryLabel(mirror: ObservedNode, index: number): string {
  return index <= mirror.lastIndex ? entryLabel(mirror.terms[index], mirror.commandIds[index]) : 'missing';
}

export function committedEntryLabel(cluster: ObservedCluster, index: number): string {
  return index <= cluster.committedLength ? entryLabel(cluster.committedTerms[index], cluster.committedIds[index]) : 'missing';
}

/** Did this step make the node a leader (of a new term, or after a restart)? */
export function becameLeader(mirror: ObservedNode, change: { started: boolean; previousRole: string; previousTerm: number }): boolean {
  return mirror.role === 'leader' && (change.started || change.previousRole !== 'leader' || change.previousTerm !== mirror.term);
}

/**
 * A checker's state shared between forks until one of them writes it (copy-on-write): a run that
 * never forks never copies, and a fork costs nothing until it changes something. `version`
 * counts the writes, so a caller can tell whether a step changed the state at all.
 */
export class ForkableState<State> {
  version = 0;

  constructor(
    private value: State,
    private readonly copy: (state: State) => State,
    private owned = true,
  ) {}

  /** The state, to read only. */
  get read(): State {
    return this.value;
  }

  /** The state, to change: copied first if a fork shares it. */
  write(): State {
    if (!this.owned) {
      this.value = this.copy(this.value);
      this.owned = true;
    }
    this.version += 1;
    return this.value;
  }

  /** A second handle on the same state; from now on each side copies before it writes. */
  fork(): ForkableState<State> {
    this.owned = false;
    const forked = new ForkableState(this.value, this.copy, false);
    forked.version = this.version;
    return forked;
  }
}

/** The ids of a set of nodes renamed, in ascending order (a digest that does not depend on the path). */
export function renamedSorted(nodes: Iterable<NodeId>, rename: readonly NodeId[]): number[] {
  return [...nodes].map((node) => rename[node]).sort((a, b) => a - b);
}

/** fork() of a checker that keeps no state (it reads only the observation or what it is handed). */
export function stateless<Checker>(this: Checker): Checker {
  return this;
}

/** Do the voters for whom `counts` holds form a majority of the voters, and of the outgoing voters if any? */
export function hasQuorum(configuration: Configuration, counts: (voter: NodeId) => boolean): boolean {
  return isMajority(configuration.voters, counts) && (configuration.votersOutgoing.length === 0 || isMajority(configuration.votersOutgoing, counts));
}

function isMajority(voters: readonly NodeId[], counts: (voter: NodeId) => boolean): boolean {
  return voters.length > 0 && voters.filter(counts).length * 2 > voters.length;
}

// Lease safety (Raft thesis 6.4.1; docs/CONTRACT.md, "The white-box view"): a read answered from
// a lease rests on a promise, that no other leader can have been elected since the leader last
// heard from a quorum, because the voters of that quorum ignore vote requests of a higher term
// for a minimum election timeout after hearing from it. This checks the promise against the
// voters' own guards as their views report them (StateView.voteGuard): the voters whose vote is
// not held must not form a quorum (both halves of a joint configuration) of the reader's latest
// or committed configuration, or a candidate could be elected without any vote the lease counts
// on (a quorum of holders is not needed: in a configuration of four, two holders already leave
// the others short of three). A voter holds its vote when its
// guard is up (or it is down: it votes for no one until it starts again, judged then) and it has
// not moved past the reader's term (a voter of a higher term may already have voted), unless it
// kept its guard across a newer term it learned without voting or hearing a leader there.
//
// Judged where the promise is made or can break:
// - at every read a node answers at once, in the output of the read's own input (with ReadIndex
//   a round of heartbeats comes between, so only a lease can answer at once; a read answered at
//   once with no guard behind it is no lease at all);
// - at every step of a node whose view says it holds a lease now (StateView.leaseHeld: a read
//   would be answered at once), and at every step where a voter's guard, term or incarnation
//   moved, against each node holding a lease: so a lease that outlives its voters' guards is seen
//   in that moment, whether or not a read comes then.
// The linearizability check sees a broken lease only when a new leader was elected, committed a
// write that a client saw acknowledged, and then an old leader's read missed it, all inside the
// lease's last moments. Nodes whose views do not report the guard are not judged. Stateless.

import type { Configuration } from '../src/contract/contract.js';
import type { ObservedCluster, ObservedNode, StepChange, Violation } from '../src/contract/observation.js';
import type { NodeId } from '../src/core/ids.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import { hasQuorum, stateless, violation } from './support.js';

const name = 'lease-safety';

export const leaseSafety: InvariantDefinition = {
  name,
  kind: 'safety',
  restsOnClockBound: true,
  description: "A node answers a read at once (from a lease), or holds a lease, only while a quorum of its voters still ignores vote requests of a higher term.",
  create: () => checker,
};

const checker: InvariantChecker = {
  name,
  fork: stateless,
  afterStep({ change, cluster }: CheckContext): Violation | null {
    const stepped = cluster.mirror(change.node);
    if (stepped.voteGuard === null) return null;
    const readId = readAnsweredAtOnce(change);
    if (readId !== null) return judgeLease(change, cluster, stepped, `answered read ${readId} at once, from a lease`, { read: readId });
    if (stepped.leaseHeld === true) return judgeLease(change, cluster, stepped, 'holds a lease', {});
    // Only where leases are held: a node that reports no leaseHeld (no lease reads in this run)
    // reads no other node's mirror here (the explorer keeps such judgings by their judgement).
    if (stepped.leaseHeld === null || !guardMoved(change, stepped)) return null;
    // A voter's guard lapsed, its term rose, or it started: each lease held elsewhere is judged
    // again (reading the other nodes only then).
    for (const holder of cluster.nodes) {
      if (holder.id === stepped.id || !holder.up || holder.leaseHeld !== true || holder.voteGuard === null) continue;
      const found = judgeLease(change, cluster, holder, 'holds a lease', {});
      if (found !== null) return found;
    }
    return null;
  },
  audit: () => null,
};

/** The id of a read the step's input brought and its output answered, or null. */
function readAnsweredAtOnce(change: StepChange): number | null {
  const { input, output } = change;
  if (input?.kind !== 'read' || output === undefined) return null;
  const id = input.command.id;
  for (const answer of output.answers) if (answer.kind === 'read' && answer.commandId === id) return id;
  return null;
}

/** Whether the step may have taken a vote out of someone's lease: the node started, or its guard or term moved. */
function guardMoved(change: StepChange, node: ObservedNode): boolean {
  return change.started || change.previousVoteGuard !== node.voteGuard || change.previousTerm !== node.term;
}

/**
 * The lease of `reader` judged now: a violation when the voters whose vote is not held form a
 * quorum (both halves of a joint configuration) of the reader's latest or committed
 * configuration, so that a candidate counting in either could be elected without any vote the
 * lease counts on. (A candidate with an older configuration still needs a log as up to date as a
 * quorum's: what configuration-safety and leader-completeness judge.)
 */
function judgeLease(change: StepChange, cluster: ObservedCluster, reader: ObservedNode, what: string, evidence: Record<string, unknown>): Violation | null {
  const holds = (voter: NodeId) => holdsVote(cluster.mirror(voter), reader);
  const lapsed = (voter: NodeId) => !holds(voter);
  for (const configuration of configurationsOf(reader, cluster)) {
    if (hasQuorum(configuration, lapsed)) return leaseBroken(change, reader, configuration, holds, what, evidence);
  }
  return null;
}

function leaseBroken(change: StepChange, reader: ObservedNode, configuration: Configuration, holds: (voter: NodeId) => boolean, what: string, evidence: Record<string, unknown>): Violation {
  const voters = [...new Set([...configuration.voters, ...configuration.votersOutgoing])].sort((a, b) => a - b);
  const holding = voters.filter(holds);
  const names = (ids: readonly NodeId[]) => (ids.length === 0 ? 'none' : ids.map((id) => `n${id}`).join(', '));
  return violation({
    invariant: name,
    message: `n${reader.id} (${reader.role}, term ${reader.term}) ${what}, while only ${names(holding)} of voters ${names(voters)} still held their vote: the others are a quorum and could elect another leader`,
    nodes: reader.id === change.node ? [reader.id] : [reader.id, change.node],
    eventNumber: change.eventNumber,
    timeMs: change.timeMs,
    evidence: { ...evidence, term: reader.term, voters, holding, lapsed: voters.filter((id) => !holds(id)) },
  });
}

/** The configurations a candidate may count votes in, as the reader knows them: its latest and committed, or every node without membership views. */
function configurationsOf(reader: ObservedNode, cluster: ObservedCluster): Configuration[] {
  const view = reader.configuration;
  if (view !== null) return view.latest === view.committed ? [view.latest] : [view.latest, view.committed];
  return [{ voters: cluster.nodes.map((other) => other.id), learners: [], votersOutgoing: [] }];
}

function holdsVote(voter: ObservedNode, reader: ObservedNode): boolean {
  if (voter.id === reader.id) return reader.role === 'leader';
  if (voter.term <= reader.term) return !voter.up || voter.voteGuard === true;
  // Past the reader's term, only a guard kept from before (no vote and no leader in the newer
  // term: a newer term learned from a late answer) still holds; a vote there, or a newer leader
  // heard, may mean another leader.
  return voter.up && voter.voteGuard === true && voter.votedFor === null && voter.leaderHint === null;
}

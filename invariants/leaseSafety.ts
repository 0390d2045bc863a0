// Lease safety (Raft thesis 6.4.1; docs/CONTRACT.md, feature 'leaseReads'): a read answered from
// a lease rests on a promise, that no other leader can have been elected since the leader last
// heard from a quorum, because the voters of that quorum ignore vote requests of a higher term
// for a minimum election timeout after hearing from it. This checks the promise where it is made,
// at every read a node answers at once (in the output of the read's own input: with ReadIndex a
// round of heartbeats comes between, so only a lease can answer at once), against the voters' own
// guards as their views report them (StateView.voteGuard): a quorum of the serving node's
// configuration (both halves of a joint one) must still hold its vote. A voter holds it when its
// guard is up (or it is down: it votes for no one until it starts again, and judged then) and it
// has not moved past the serving node's term (a voter of a higher term may already have voted).
//
// The linearizability check sees a broken lease only when a new leader was elected, committed a
// write that a client saw acknowledged, and then an old leader's read missed it, all inside the
// lease's last moments; this sees the same bug at the first read served after the guards lapsed.
// Nodes whose views do not report the guard are not judged. Stateless: it reads the step and the
// mirrors of the serving node's voters.

import type { Configuration } from '../src/contract/contract.js';
import type { ObservedCluster, ObservedNode, StepChange, Violation } from '../src/contract/observation.js';
import type { NodeId } from '../src/core/ids.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import { hasQuorum, stateless, violation } from './support.js';

const name = 'lease-safety';

export const leaseSafety: InvariantDefinition = {
  name,
  kind: 'safety',
  description: "A read answered at once (from a lease) is answered only while a quorum of the node's voters still ignores vote requests of a higher term.",
  create: () => checker,
};

const checker: InvariantChecker = {
  name,
  fork: stateless,
  afterStep({ change, cluster }: CheckContext): Violation | null {
    const readId = readAnsweredAtOnce(change);
    if (readId === null) return null;
    const server = cluster.mirror(change.node);
    if (server.voteGuard === null) return null;
    const voters = votersOf(server, cluster);
    const holds = (voter: NodeId) => holdsVote(cluster.mirror(voter), server);
    if (hasQuorum(voters, holds)) return null;
    return leaseBroken(change, server, voters, holds, readId);
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

/** The configuration the serving node counts quorums in: its latest, or every node without membership views. */
function votersOf(server: ObservedNode, cluster: ObservedCluster): Configuration {
  const configuration = server.configuration?.latest;
  if (configuration !== undefined) return configuration;
  return { voters: cluster.nodes.map((node) => node.id), learners: [], votersOutgoing: [] };
}

function holdsVote(voter: ObservedNode, server: ObservedNode): boolean {
  if (voter.id === server.id) return server.role === 'leader';
  if (voter.term > server.term) return false;
  return !voter.up || voter.voteGuard === true;
}

function leaseBroken(change: StepChange, server: ObservedNode, configuration: Configuration, holds: (voter: NodeId) => boolean, readId: number): Violation {
  const voters = [...new Set([...configuration.voters, ...configuration.votersOutgoing])].sort((a, b) => a - b);
  const holding = voters.filter(holds);
  const names = (ids: readonly NodeId[]) => (ids.length === 0 ? 'none' : ids.map((id) => `n${id}`).join(', '));
  return violation({
    invariant: name,
    message: `n${change.node} (${server.role}, term ${server.term}) answered read ${readId} at once, from its lease, while only ${names(holding)} of voters ${names(voters)} still held their vote: the others would grant a vote of a higher term, so another leader may already lead`,
    nodes: [change.node],
    eventNumber: change.eventNumber,
    timeMs: change.timeMs,
    evidence: { read: readId, term: server.term, voters, holding, lapsed: voters.filter((id) => !holds(id)) },
  });
}

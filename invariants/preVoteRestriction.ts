// The election restriction for pre-votes (thesis 9.6; docs/CONTRACT.md, feature 'preVote'), judged
// where a pre-vote is granted: only to a candidate whose log is at least as up to date as the
// voter's (a higher last term, or the same last term and a last index at least as high), as the
// real vote would be. A pre-vote that skips it lets a node that would lose the real vote raise its
// term and depose the leader, which is what pre-vote exists to prevent, and no Figure-3 property
// sees that. The same rule for real votes (paper 5.4.1) is judged by its consequence, a leader
// without a committed entry (leader-completeness), as it always was.
//
// Read from message views (docs/CONTRACT.md, "Message views"): the request the step delivered and
// the grant the step sent back to its candidate, against the voter's log as its view shows it.
// A grant sent in a later step than its request's (a time-driven implementation may) is not
// judged. Stateless: it reads only the step and the voter's own mirror.

import type { Message, MessageView } from '../src/contract/contract.js';
import type { ObservedNode, Violation } from '../src/contract/observation.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import { stateless, violation } from './support.js';

const name = 'prevote-restriction';

export const preVoteRestriction: InvariantDefinition = {
  name,
  kind: 'safety',
  description: "A pre-vote is granted only to a candidate whose log is at least as up to date as the voter's.",
  create: () => checker,
};

const ownView = (message: Message): MessageView | null => message.view ?? null;

const checker: InvariantChecker = {
  name,
  fork: stateless,
  afterStep({ change, cluster, messageView = ownView }: CheckContext): Violation | null {
    const { input, output } = change;
    if (input?.kind !== 'deliver' || output === undefined || output.messages.length === 0) return null;
    const request = messageView(input.message);
    if (request?.kind !== 'voteRequest' || request.preVote !== true) return null;
    const voter = cluster.mirror(change.node);
    if (!voter.hasLog || isUpToDate(request, voter)) return null;
    for (const outbound of output.messages) {
      if (outbound.to !== input.from) continue;
      const answer = messageView(outbound.message);
      if (answer?.kind !== 'voteResponse' || !answer.granted || answer.preVote !== true) continue;
      return violation({
        invariant: name,
        message: `n${change.node} granted a pre-vote for term ${answer.term} to n${input.from}, whose log (last term ${request.lastTerm}, index ${request.lastIndex}) is behind its own (last term ${voter.termAt(voter.lastIndex)}, index ${voter.lastIndex})`,
        nodes: [change.node, input.from],
        eventNumber: change.eventNumber,
        timeMs: change.timeMs,
        evidence: { term: answer.term, candidate: { lastIndex: request.lastIndex, lastTerm: request.lastTerm }, voter: { lastIndex: voter.lastIndex, lastTerm: voter.termAt(voter.lastIndex) } },
      });
    }
    return null;
  },
  audit: () => null,
};

function isUpToDate(request: MessageView & { kind: 'voteRequest' }, voter: ObservedNode): boolean {
  const lastTerm = voter.termAt(voter.lastIndex);
  return request.lastTerm > lastTerm || (request.lastTerm === lastTerm && request.lastIndex >= voter.lastIndex);
}

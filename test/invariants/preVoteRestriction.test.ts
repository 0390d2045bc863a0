// prevote-restriction: a pre-vote is granted only to a candidate whose log is at least as up to
// date as the voter's (thesis 9.6), judged at the grant from the request delivered and the
// answer sent.

import { describe, expect, it } from 'vitest';
import { preVoteRestriction } from '../../invariants/index.js';
import type { MessageView } from '../../src/contract/contract.js';
import { JudgedSteps } from '../support/judgedSteps.js';

/** n1 leads term 1 with entries of terms 1 and 1; n2 follows with them; n3 is at term 1, empty. */
function cluster(): JudgedSteps {
  return new JudgedSteps(preVoteRestriction, [
    { role: 'leader', term: 1, log: [1, 1] },
    { role: 'follower', term: 1, log: [1, 1] },
    { role: 'follower', term: 1, log: [] },
  ]);
}

const preVoteRequest = (lastIndex: number, lastTerm: number): MessageView => ({ kind: 'voteRequest', term: 2, candidate: 3, lastIndex, lastTerm, preVote: true });
const preVoteGrant: MessageView = { kind: 'voteResponse', term: 2, granted: true, preVote: true };
const n2 = { role: 'follower', term: 1, log: [1, 1] } as const;

describe('prevote-restriction', () => {
  it('fires when a voter grants a pre-vote to a candidate whose log is behind its own', () => {
    const violation = cluster().deliver(2, 3, preVoteRequest(0, 0), n2, [{ to: 3, view: preVoteGrant }]);
    expect(violation).toMatchObject({
      invariant: 'prevote-restriction',
      nodes: [2, 3],
      eventNumber: 4,
      evidence: { term: 2, candidate: { lastIndex: 0, lastTerm: 0 }, voter: { lastIndex: 2, lastTerm: 1 } },
    });
  });

  it('fires for a candidate with the same last term and a shorter log', () => {
    expect(cluster().deliver(2, 3, preVoteRequest(1, 1), n2, [{ to: 3, view: preVoteGrant }])?.invariant).toBe('prevote-restriction');
  });

  it('lets a pre-vote go to a candidate with a higher last term or as long a log of the same term', () => {
    expect(cluster().deliver(2, 3, preVoteRequest(1, 2), n2, [{ to: 3, view: preVoteGrant }])).toBeNull();
    expect(cluster().deliver(2, 3, preVoteRequest(2, 1), n2, [{ to: 3, view: preVoteGrant }])).toBeNull();
  });

  it('judges only grants: a refusal, or a grant sent to another node, is no violation', () => {
    expect(cluster().deliver(2, 3, preVoteRequest(0, 0), n2, [{ to: 3, view: { ...preVoteGrant, granted: false } }])).toBeNull();
    expect(cluster().deliver(2, 3, preVoteRequest(0, 0), n2, [{ to: 1, view: preVoteGrant }])).toBeNull();
  });

  it('leaves real votes to leader-completeness, which judges their consequence', () => {
    const request: MessageView = { kind: 'voteRequest', term: 2, candidate: 3, lastIndex: 0, lastTerm: 0 };
    expect(cluster().deliver(2, 3, request, { ...n2, term: 2 }, [{ to: 3, view: { kind: 'voteResponse', term: 2, granted: true } }])).toBeNull();
  });
});

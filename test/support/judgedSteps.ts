// Hand-made steps judged by the world's ClusterJudge, for checkers that read a step's input and
// output (message views, answers) as well as the nodes' views: each node starts with a log of
// the terms given, then takes the inputs a test hands it, answering with the messages and
// answers the test writes.

import type { ConfigurationView, ImplementationOptions, Input, Message, MessageView, Output, ProposalAnswer, Role } from '../../src/contract/contract.js';
import type { Violation } from '../../src/contract/observation.js';
import type { NodeId } from '../../src/core/ids.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { ClusterJudge } from '../../src/world/judge.js';

export const stepOptions: ImplementationOptions = { electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 3, entriesPerMessageMax: 8 };

export interface NodeLook {
  role: Role;
  term: number;
  /** The term of each entry, from index 1. */
  log: readonly number[];
  /** Feature 'membership': the configurations the node reports, if any. */
  configuration?: ConfigurationView;
  /** StateView.voteGuard and leaseHeld, if the node reports them. */
  voteGuard?: boolean;
  leaseHeld?: boolean;
  votedFor?: NodeId | null;
  leaderHint?: NodeId | null;
}

export interface Sent {
  to: NodeId;
  view: MessageView;
}

export class JudgedSteps {
  private readonly judge: ClusterJudge;
  private eventNumber = 0;

  constructor(invariant: InvariantDefinition, looks: readonly NodeLook[]) {
    this.judge = ClusterJudge.create(looks.map((_, index) => index + 1), [invariant]);
    looks.forEach((look, index) => {
      const id = index + 1;
      this.step(id, { kind: 'start', id, members: looks.map((_, other) => other + 1), seed: 0, records: [], options: stepOptions }, look);
    });
  }

  /** Node `id` takes `input` and answers: its look after the step, messages and answers. */
  step(id: NodeId, input: Input, look: NodeLook, sent: readonly Sent[] = [], answers: readonly ProposalAnswer[] = []): Violation | null {
    this.eventNumber += 1;
    const output: Output = {
      messages: sent.map(({ to, view }) => ({ to, message: message(view) })),
      records: [],
      sync: false,
      applied: [],
      answers,
      state: { role: look.role, term: look.term, votedFor: look.votedFor ?? null, commitIndex: 0, appliedIndex: 0, leaderHint: look.leaderHint ?? null, log: { from: 1, entries: look.log.map((term) => ({ term, commandId: 0 })) }, ...(look.configuration !== undefined ? { configuration: look.configuration } : {}), ...(look.voteGuard !== undefined ? { voteGuard: look.voteGuard } : {}), ...(look.leaseHeld !== undefined ? { leaseHeld: look.leaseHeld } : {}) },
    };
    return this.judge.judgeChange(this.judge.observation.observe(id, output, input.kind === 'start', this.eventNumber, this.eventNumber * 10, undefined, input));
  }

  /** Node `id` crashes: its mirror goes down. */
  crash(id: NodeId): Violation | null {
    this.eventNumber += 1;
    return this.judge.crashed(id, this.eventNumber, this.eventNumber * 10);
  }

  /** Node `id` receives a message with this view from `from`. */
  deliver(id: NodeId, from: NodeId, view: MessageView, look: NodeLook, sent: readonly Sent[] = []): Violation | null {
    return this.step(id, { kind: 'deliver', from, message: message(view) }, look, sent);
  }
}

/** A message that carries its view, as a process implementation's do. */
export function message(view: MessageView): Message {
  return { type: view.kind, term: view.term, body: null, view };
}

// Leadership transfer (thesis 3.10; docs/CONTRACT.md, feature 'leadershipTransfer') keeps two
// promises that no Figure-3 property sees, since breaking them loses availability and accepted
// commands rather than committed ones:
// - a target is told to campaign (TimeoutNow) only once it holds the leader's whole log: judged
//   where the TimeoutNow arrives at a target still in the leader's term (the one that campaigns),
//   against the leader's last entry at the end of the step that sent it (an entry it appends in
//   that step, after the TimeoutNow, counts: a leader appends none during a transfer; raft-rs
//   finding 3 in docs/FINDINGS.md). Within one term only that leader writes the target's log, and
//   what it acknowledged is durable, so a caught-up target stays caught up;
// - from its transferAccepted answer, a leader accepts no proposal while the transfer may still be
//   running: in the same term, still leading, for electionTicksMin of its ticks (a transfer is
//   abandoned only after an election timeout), while the target is still a voter of the leader's
//   latest configuration (etcd aborts a transfer whose target is removed or demoted). A node
//   driven by its clock ('advance' inputs) counts no ticks, so its window closes at its first
//   advance.
// Read from message views and answers. Its state: per TimeoutNow (target and term) the sender's
// last entry, dropped once the target's term passes it; per node a transfer's window.

import type { ConfigurationView, DigestSink, Input, Message, MessageView, Output } from '../src/contract/contract.js';
import type { ObservedCluster, StepChange, Violation } from '../src/contract/observation.js';
import type { NodeId } from '../src/core/ids.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import { ForkableState, violation } from './support.js';

const name = 'leadership-transfer';

/** The sender's last entry when it told a target to campaign. */
interface TimeoutNowSent {
  sender: NodeId;
  lastIndex: number;
  lastTerm: number;
}

/** A transfer a leader accepted: its term, its target (0: not known), and the ticks it has counted since. */
interface TransferWindow {
  term: number;
  target: NodeId;
  ticks: number;
}

interface TransferState {
  /** Keyed by target, then by the TimeoutNow's term. */
  timeoutNows: Map<NodeId, Map<number, TimeoutNowSent>>;
  windows: Map<NodeId, TransferWindow>;
  /** From the nodes' start inputs (0 until one started). */
  electionTicksMin: number;
}

function copyState(state: TransferState): TransferState {
  const timeoutNows = new Map([...state.timeoutNows].map(([target, byTerm]) => [target, new Map(byTerm)]));
  return { timeoutNows, windows: new Map(state.windows), electionTicksMin: state.electionTicksMin };
}

export const leadershipTransfer: InvariantDefinition = {
  name,
  kind: 'safety',
  description: "A transfer's target is told to campaign only once it holds the leader's whole log, and the leader accepts no proposal while the transfer runs.",
  create() {
    return new LeadershipTransfer(new ForkableState<TransferState>({ timeoutNows: new Map(), windows: new Map(), electionTicksMin: 0 }, copyState));
  },
};

const ownView = (message: Message): MessageView | null => message.view ?? null;

class LeadershipTransfer implements InvariantChecker {
  readonly name = name;

  constructor(private readonly state: ForkableState<TransferState>) {}

  fork(): InvariantChecker {
    return new LeadershipTransfer(this.state.fork());
  }

  get version(): number {
    return this.state.version;
  }

  digest(sink: DigestSink, rename: readonly NodeId[]): void {
    const { timeoutNows, windows } = this.state.read;
    for (const target of [...timeoutNows.keys()].sort((a, b) => rename[a] - rename[b])) {
      const byTerm = timeoutNows.get(target)!;
      sink.number(rename[target]).number(byTerm.size);
      for (const term of [...byTerm.keys()].sort((a, b) => a - b)) {
        const sent = byTerm.get(term)!;
        sink.number(term).number(rename[sent.sender]).number(sent.lastIndex).number(sent.lastTerm);
      }
    }
    sink.number(-1);
    for (const node of [...windows.keys()].sort((a, b) => rename[a] - rename[b])) {
      const window = windows.get(node)!;
      sink.number(rename[node]).number(window.term).number(window.target === 0 ? 0 : rename[window.target]).number(window.ticks);
    }
  }

  afterStep({ change, cluster, messageView = ownView }: CheckContext): Violation | null {
    const { input, output } = change;
    if (input === undefined || output === undefined) return null;
    if (input.kind === 'start' && this.state.read.electionTicksMin !== input.options.electionTicksMin) this.state.write().electionTicksMin = input.options.electionTicksMin;
    const lagging = this.laggingTarget(change, input, cluster, messageView);
    // Only a leader sends TimeoutNow: other steps' messages need no decoding.
    if (change.previousRole === 'leader' && output.messages.length > 0) this.noteTimeoutNows(change.node, output, cluster, messageView);
    // Most steps: no answer to open a window, and no window open.
    if (output.answers.length === 0 && this.state.read.windows.size === 0) return lagging;
    return lagging ?? this.proposalDuringTransfer(change, input, output, cluster);
  }

  audit(): null {
    return null;
  }

  /** A TimeoutNow that reached a target of its term lacking the sender's last entry. */
  private laggingTarget(change: StepChange, input: Input, cluster: ObservedCluster, messageView: (message: Message) => MessageView | null): Violation | null {
    const byTerm = this.state.read.timeoutNows.get(change.node);
    // A target's map stays once made: most steps find it empty (no iterator made for those).
    if (byTerm === undefined || byTerm.size === 0) return null;
    // A TimeoutNow below the target's term is ignored: its record can no longer be judged.
    for (const term of byTerm.keys()) if (term < change.previousTerm) this.writableTerms(change.node).delete(term);
    if (input.kind !== 'deliver') return null;
    const target = cluster.mirror(change.node);
    const view = messageView(input.message);
    if (view?.kind !== 'timeoutNow' || view.term !== change.previousTerm) return null;
    const sent = byTerm.get(view.term);
    if (sent === undefined || sent.sender !== input.from || !target.hasLog) return null;
    if (holds(target, sent)) return null;
    return violation({
      invariant: name,
      message: `n${input.from} told n${change.node} to campaign (TimeoutNow, term ${view.term}) while it lacked the leader's last entry (index ${sent.lastIndex}, term ${sent.lastTerm}); it holds up to ${target.lastIndex} (term ${target.termAt(target.lastIndex)} there)`,
      nodes: [input.from, change.node],
      eventNumber: change.eventNumber,
      timeMs: change.timeMs,
      evidence: { term: view.term, leaderLast: { index: sent.lastIndex, term: sent.lastTerm }, targetLast: { index: target.lastIndex, term: target.termAt(target.lastIndex) } },
    });
  }

  /** Every TimeoutNow the step sent: the sender's last entry, by target and term. */
  private noteTimeoutNows(sender: NodeId, output: Output, cluster: ObservedCluster, messageView: (message: Message) => MessageView | null): void {
    for (const outbound of output.messages) {
      const view = messageView(outbound.message);
      if (view?.kind !== 'timeoutNow') continue;
      const mirror = cluster.mirror(sender);
      this.writableTerms(outbound.to).set(view.term, { sender, lastIndex: mirror.lastIndex, lastTerm: mirror.termAt(mirror.lastIndex) });
    }
  }

  private writableTerms(target: NodeId): Map<number, TimeoutNowSent> {
    const timeoutNows = this.state.write().timeoutNows;
    let byTerm = timeoutNows.get(target);
    if (byTerm === undefined) timeoutNows.set(target, (byTerm = new Map()));
    return byTerm;
  }

  /** A proposal accepted within a transfer's window; opens, counts and closes the windows. */
  private proposalDuringTransfer(change: StepChange, input: Input, output: Output, cluster: ObservedCluster): Violation | null {
    const node = change.node;
    const mirror = cluster.mirror(node);
    const accepted = output.answers.find((answer) => answer.kind === 'transferAccepted');
    if (accepted !== undefined) {
      const target = input.kind === 'transferLeadership' ? input.transfer.target : 0;
      this.state.write().windows.set(node, { term: accepted.kind === 'transferAccepted' ? accepted.term : mirror.term, target, ticks: 0 });
      return null;
    }
    const window = this.state.read.windows.get(node);
    if (window === undefined) return null;
    const closed = change.started || mirror.role !== 'leader' || mirror.term !== window.term || input.kind === 'advance' || !stillVoter(mirror.configuration, window.target);
    if (closed || (input.kind === 'tick' && window.ticks + 1 >= this.state.read.electionTicksMin)) {
      this.state.write().windows.delete(node);
      return null;
    }
    if (input.kind === 'tick') this.state.write().windows.set(node, { ...window, ticks: window.ticks + 1 });
    const proposal = output.answers.find((answer) => answer.kind === 'accepted');
    if (proposal === undefined) return null;
    return violation({
      invariant: name,
      message: `n${node} accepted command ${proposal.commandId} in term ${window.term} while a leadership transfer it accepted ${window.ticks} ticks before was in progress`,
      nodes: [node],
      eventNumber: change.eventNumber,
      timeMs: change.timeMs,
      evidence: { term: window.term, ticksSinceTransferAccepted: window.ticks, electionTicksMin: this.state.read.electionTicksMin, commandId: proposal.commandId },
    });
  }
}

/** Whether the transfer's target is still a voter (incoming or outgoing) of the leader's latest configuration; yes when either is unknown. */
function stillVoter(configuration: ConfigurationView | null, target: NodeId): boolean {
  if (configuration === null || target === 0) return true;
  return configuration.latest.voters.includes(target) || configuration.latest.votersOutgoing.includes(target);
}

/** Whether the target's log holds the sender's last entry (an anchor past it stands for the committed prefix). */
function holds(target: ObservedCluster['nodes'][number], sent: TimeoutNowSent): boolean {
  if (sent.lastIndex <= target.anchorIndex) return true;
  return target.lastIndex >= sent.lastIndex && target.termAt(sent.lastIndex) === sent.lastTerm;
}

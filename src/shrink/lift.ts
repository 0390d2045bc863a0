// Lifting a failing simulation run into explicit explorer steps (src/world/system.ts
// ExploreStep), so that a second shrinking stage can delete steps instead of editing random
// choices (DEMi's idea: once every delivery and timer firing is an explicit step, ddmin over the
// steps reaches what a hand-written reproduction has).
//
// The run is re-executed with every node wrapped, so that each input a node is handed and its
// output are seen as the simulator hands them over; nothing in the simulator changes, and the
// re-execution has the original trace hash (the wrapper only watches). Each input becomes a step:
//   deliver            -> deliver (from, to, the message by content); the second copy of a
//                         message the network duplicated -> duplicate
//   tick that shows    -> timeout (a message sent, or the role or term changed; the silent ticks
//                         before it vanish: the explorer's timeout ticks until something shows)
//   silent ticks       -> with membership churn, pre-vote, check-quorum or lease reads, a tick
//                         step of as many ticks, just before the node's next other input: then a
//                         node may ignore vote requests, or refuse pre-votes, while it heard from
//                         a leader lately (thesis 4.2.3, 9.6, 6.2), and a leader's quorum contact
//                         and lease age with its ticks, which only the ticks since tell; without
//                         any of them they vanish too
//   propose, accepted  -> propose, with the run's command (a refused one changed nothing)
//   read, not refused  -> read, with the run's command
//   instance dropped   -> crash, keeping as many unsynced records as the restart was handed
//   later start        -> restart
//   a spare's first start (members [], as the membership administrator starts it) -> join
//   transferLeadership, accepted -> transferLeadership, with the run's transfer (a refused one
//                         changed nothing)
//   changeMembership, accepted -> changeMembership, with the run's change (a refused one changed
//                         nothing); a removed node stopped and wiped is a crash with no restart,
//                         which is all the rest of the path can tell of it
// Partitions, pauses and network drops leave no step: their messages are never delivered. What
// the explorer cannot express (records lost with a sync still in flight, a client's attempt
// that a timeout abandoned before the path's history sees it) makes the replay diverge; the step stage tolerates some divergence, and the caller keeps the
// choice-shrunk trace when the lifted path no longer fails the same way.

import type { Implementation, Input, Message, NodeInstance, Output } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import type { ExploreStep } from '../world/system.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import type { Scenario } from '../sim/scenario.js';
import type { SimulationResult } from '../sim/simulation.js';
import { Simulation } from '../sim/simulation.js';

export interface LiftSubject {
  implementation: Implementation;
  /** The scenario as given to the simulator (for a swarm scenario, the base). */
  scenario: Scenario;
  invariants: readonly InvariantDefinition[];
  choices: Readonly<Record<string, readonly number[]>>;
}

export interface LiftedRun {
  /** The re-executed run: the same as the one lifted (same trace hash). */
  run: SimulationResult;
  steps: ExploreStep[];
  /** Spare nodes the run had (feature 'membership'): the path's cluster has them too. */
  spares: number;
}

/** What the wrapped nodes saw, in the order the simulator handed it over. */
type Observed = { kind: 'step'; node: NodeId; input: Input; output: Output } | { kind: 'dropped'; node: NodeId };

export function liftRun(subject: LiftSubject): LiftedRun {
  const observed: Observed[] = [];
  let watching = true;
  const simulation = new Simulation({
    implementation: watched(subject.implementation, observed, () => watching),
    shadowImplementation: subject.implementation,
    scenario: subject.scenario,
    seed: 0,
    invariants: subject.invariants,
    choices: subject.choices,
  });
  try {
    while (simulation.step()) {
      // one event per step
    }
  } finally {
    // The instances dropped at the end of a run are not crashes.
    watching = false;
    simulation.dispose();
  }
  const run = simulation.result();
  const churn = (subject.implementation.features ?? []).includes('membership') && run.scenario.membership !== undefined;
  return { run, steps: stepsOf(observed, churn || ticksObservable(subject.implementation, run.scenario)), spares: churn ? run.scenario.membership!.spares : 0 };
}

/** Whether a node's silent ticks change what it does next: pre-vote, check-quorum and leases read them. */
function ticksObservable(implementation: Implementation, scenario: Scenario): boolean {
  const features = implementation.features ?? [];
  const options = scenario.implementation;
  return (options.preVote === true && features.includes('preVote')) || (options.checkQuorum === true && features.includes('checkQuorum')) || (options.leaseReads === true && features.includes('leaseReads'));
}

/** The implementation with every node reporting its inputs and outputs; behaviour unchanged. */
function watched(implementation: Implementation, observed: Observed[], watching: () => boolean): Implementation {
  return {
    name: implementation.name,
    version: implementation.version,
    // What the simulator sends it depends on its features (membership changes, a snapshot threshold).
    ...(implementation.features !== undefined ? { features: implementation.features } : {}),
    // How its messages read (checkers and probes judge promises in them) and the assumptions it
    // declares (what a swarm seed draws), so that the re-execution judges and draws as the run did.
    ...(implementation.messageView !== undefined ? { messageView: (message: Message) => implementation.messageView!(message) } : {}),
    ...(implementation.leaseDriftMax !== undefined ? { leaseDriftMax: implementation.leaseDriftMax } : {}),
    ...(implementation.removedNodeGuards !== undefined ? { removedNodeGuards: implementation.removedNodeGuards } : {}),
    createNode(): NodeInstance {
      const inner = implementation.createNode();
      let node: NodeId = 0;
      const instance: NodeInstance = {
        step(input) {
          if (input.kind === 'start') node = input.id;
          const output = inner.step(input);
          if (watching()) observed.push({ kind: 'step', node, input, output });
          return output;
        },
        dispose() {
          if (watching() && node !== 0) observed.push({ kind: 'dropped', node });
          inner.dispose?.();
        },
      };
      // stateDigest feeds the simulator's fingerprint; keep it when the node has one.
      if (inner.stateDigest !== undefined) instance.stateDigest = () => inner.stateDigest!();
      return instance;
    },
  };
}

/** Per node, what the explorer's storage model would hold: records written, and of them unsynced. */
interface NodeRecords {
  started: boolean;
  written: number;
  unsynced: number;
  role: string | null;
  term: number | null;
}

function stepsOf(observed: readonly Observed[], keepSilentTicks: boolean): ExploreStep[] {
  const lifter = new StepLifter(keepSilentTicks);
  for (const entry of observed) lifter.add(entry);
  return lifter.steps;
}

/** The steps of what the wrapped nodes saw, added in the order the simulator handed it over. */
class StepLifter {
  readonly steps: ExploreStep[] = [];
  /** Silent ticks of each node since its last other input (kept only with keepSilentTicks). */
  private readonly silentTicks = new Map<NodeId, number>();
  private readonly nodes = new Map<NodeId, NodeRecords>();
  /**
   * Messages sent and not yet delivered, by the message object and its destination: the
   * simulator hands a node the very object its sender output (a broadcast may send one object to
   * every peer), and both copies of a duplicated message are that one object. So a second
   * delivery of an object is a duplicate, told apart from a resend of the same content.
   */
  private readonly inFlight = new WeakMap<object, Map<NodeId, number>>();
  private readonly delivered = new WeakMap<object, Set<NodeId>>();
  /** Crashes waiting for their restart to tell how many unsynced records survived. */
  private readonly pendingCrash = new Map<NodeId, { step: ExploreStep & { kind: 'crash' }; syncedWritten: number; unsynced: number }>();

  constructor(private readonly keepSilentTicks: boolean) {}

  add(entry: Observed): void {
    const state = this.nodes.get(entry.node) ?? { started: false, written: 0, unsynced: 0, role: null, term: null };
    this.nodes.set(entry.node, state);
    const ticks = this.silentTicks.get(entry.node) ?? 0;
    this.silentTicks.delete(entry.node);
    if (entry.kind === 'dropped') {
      // Kept records are settled at the restart (records it is handed); without one, none matter.
      const step: ExploreStep & { kind: 'crash' } = { kind: 'crash', node: entry.node, unsyncedKept: 0 };
      this.pendingCrash.set(entry.node, { step, syncedWritten: state.written - state.unsynced, unsynced: state.unsynced });
      this.steps.push(step);
      return;
    }
    const { node, input, output } = entry;
    if (input.kind !== 'tick' && input.kind !== 'start' && ticks > 0) this.steps.push({ kind: 'tick', node, ticks });
    const accepted = (id: number) => output.answers.some((answer) => answer.commandId === id && answer.kind === 'accepted');
    switch (input.kind) {
      case 'start':
        this.started(node, input, state);
        break;
      case 'tick': {
        const shows = output.messages.length > 0 || (output.state !== undefined && (output.state.role !== state.role || output.state.term !== state.term));
        // The silent ticks before a tick that shows are the timer firing's own.
        if (shows) this.steps.push({ kind: 'timeout', node });
        else if (this.keepSilentTicks) this.silentTicks.set(node, ticks + 1);
        break;
      }
      case 'deliver':
        this.deliver(node, input);
        break;
      case 'propose':
        if (accepted(input.command.id)) this.steps.push({ kind: 'propose', node, command: input.command });
        break;
      case 'changeMembership':
        if (accepted(input.change.id)) this.steps.push({ kind: 'changeMembership', node, change: input.change });
        break;
      case 'transferLeadership':
        if (output.answers.some((answer) => answer.commandId === input.transfer.id && answer.kind === 'transferAccepted')) this.steps.push({ kind: 'transferLeadership', node, transfer: input.transfer });
        break;
      case 'read':
        // Commands carry their client sessions, so the replay rebuilds the clients' history
        // (src/world/history.ts); a read answered notLeader changed nothing.
        if (!output.answers.some((answer) => answer.commandId === input.command.id && answer.kind === 'notLeader')) this.steps.push({ kind: 'read', node, command: input.command });
        break;
    }
    this.output(output, state);
  }

  private started(node: NodeId, input: Input & { kind: 'start' }, state: NodeRecords): void {
    if (state.started) {
      const crash = this.pendingCrash.get(node);
      if (crash !== undefined) {
        // The explorer keeps a prefix of the unsynced records; the simulator's storage may also
        // have lost records whose sync was still in flight, which no crash step can express.
        crash.step.unsyncedKept = Math.max(0, Math.min(crash.unsynced, input.records.length - crash.syncedWritten));
        this.pendingCrash.delete(node);
      }
      this.steps.push({ kind: 'restart', node });
    } else if (input.members.length === 0) {
      // A spare's first start: the membership administrator starts it before the change that adds it.
      this.steps.push({ kind: 'join', node });
    }
    state.started = true;
    state.written = input.records.length;
    state.unsynced = 0;
    state.role = null;
    state.term = null;
  }

  private deliver(node: NodeId, input: Input & { kind: 'deliver' }): void {
    const copies = this.inFlight.get(input.message);
    const count = copies?.get(node) ?? 0;
    if (count > 0) {
      copies!.set(node, count - 1);
      let to = this.delivered.get(input.message);
      if (to === undefined) this.delivered.set(input.message, (to = new Set()));
      to.add(node);
      this.steps.push({ kind: 'deliver', from: input.from, to: node, message: input.message });
    } else if (this.delivered.get(input.message)?.has(node) === true) {
      // The second copy of a message the network duplicated.
      this.steps.push({ kind: 'duplicate', from: input.from, to: node, message: input.message });
    }
  }

  /** What a node's output leaves in flight and in its storage, and the role and term it shows. */
  private output(output: Output, state: NodeRecords): void {
    for (const outbound of output.messages) {
      let copies = this.inFlight.get(outbound.message);
      if (copies === undefined) this.inFlight.set(outbound.message, (copies = new Map()));
      copies.set(outbound.to, (copies.get(outbound.to) ?? 0) + 1);
    }
    state.written += output.records.length;
    state.unsynced = output.sync ? 0 : state.unsynced + output.records.length;
    if (output.state !== undefined) {
      state.role = output.state.role;
      state.term = output.state.term;
    }
  }
}

// The events of the simulated world and their readable form. Every fault is an event, so the
// trace shows it, the trace hash covers it and the shrinker can remove it.

import type { Command, LeadershipTransfer, MembershipChange, Message } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import type { Scheduled } from '../core/queue.js';
import type { Cut } from './partitions.js';
import type { NodeTarget } from './scenario.js';

export type EventBody =
  /** One unit of a node's local clock elapsed. Stale when the node's tick generation moved on. */
  | { kind: 'tick'; node: NodeId; generation: number }
  | {
      kind: 'deliver';
      from: NodeId;
      to: NodeId;
      message: Message;
      messageId: number;
      /** The sender's incarnation when it sent the message. */
      senderIncarnation: number;
      /** Records of the sender that had to be durable before the message could leave (0: none). */
      requiresDurable: number;
      /** The sender's term when it sent the message (revealed to the receiver on delivery). */
      senderTerm: number;
      /** A second copy made by the network. */
      duplicate: boolean;
      /** Already held back once by a slow receiver. */
      slowed: boolean;
    }
  | { kind: 'propose'; node: NodeId; command: Command; redirects: number; probe: boolean }
  | { kind: 'crash'; node: NodeTarget; restartAfterMs?: number }
  | { kind: 'restart'; node: NodeTarget }
  | { kind: 'partition'; cut: Cut }
  /** Cut one node off from all others; the target is resolved when it strikes. */
  | { kind: 'isolate'; node: NodeTarget }
  | { kind: 'heal' }
  | { kind: 'pause'; node: NodeTarget; durationMs?: number }
  | { kind: 'resume'; node: NodeTarget }
  | { kind: 'slow'; node: NodeTarget; durationMs: number; extraDelayMs: number; tickFactor: number }
  | { kind: 'clockJump'; node: NodeTarget; ms: number }
  | { kind: 'corrupt'; node: NodeTarget; records: number }
  | { kind: 'syncComplete'; node: NodeId; incarnation: number; upTo: number }
  | { kind: 'faultClock' }
  | { kind: 'workloadClock' }
  /** A client's think time is over: it invokes its next operation (src/sim/clients.ts). */
  | { kind: 'clientClock'; client: number }
  /** A client's request reaches a node: a command to propose, or a read input. */
  | { kind: 'clientRequest'; client: number; node: NodeId; command: Command; read: boolean }
  /** A try of a client's operation timed out. Stale once the operation completed or moved on. */
  | { kind: 'clientTimeout'; client: number; operationId: number; tryNumber: number }
  /** The membership administrator may change the membership (src/sim/membership.ts). */
  | { kind: 'membershipClock'; afterElection?: true }
  /** A membership change reaches a node (the believed leader, or one a hint pointed to). */
  | { kind: 'membershipRequest'; node: NodeId; change: MembershipChange; redirects: number; retries: number }
  /** The transfer administrator may ask for a leadership transfer (src/sim/transfers.ts). */
  | { kind: 'transferClock' }
  /** A leadership transfer reaches a node (the believed leader, or one a hint pointed to). */
  | { kind: 'transferRequest'; node: NodeId; transfer: LeadershipTransfer; redirects: number }
  /** The end of the fault phase: everything heals, and the liveness phase begins. */
  | { kind: 'recover' }
  | { kind: 'livenessCheck' };

export type EventKind = EventBody['kind'];
export type SimEvent = Scheduled & EventBody;

export const eventKindCodes: Record<EventKind, number> = {
  tick: 1,
  deliver: 2,
  propose: 3,
  crash: 4,
  restart: 5,
  partition: 6,
  heal: 7,
  faultClock: 8,
  workloadClock: 9,
  pause: 10,
  resume: 11,
  slow: 12,
  clockJump: 13,
  corrupt: 14,
  syncComplete: 15,
  recover: 16,
  livenessCheck: 17,
  isolate: 18,
  clientClock: 19,
  clientRequest: 20,
  clientTimeout: 21,
  membershipClock: 22,
  membershipRequest: 23,
  transferClock: 24,
  transferRequest: 25,
};

/** One processed event in readable form, for trace files and reports. */
export interface TraceEvent {
  /** Event number, 1-based. */
  n: number;
  /** Virtual time in milliseconds. */
  t: number;
  kind: EventKind;
  node?: NodeId;
  from?: NodeId;
  type?: string;
  messageId?: number;
  /**
   * The ids of the messages sent while this event was handled, first and last (ids count up, so
   * they are consecutive): a deliver event's messageId finds its send here. Sends the network lost
   * at once have no deliver event.
   */
  sent?: [number, number];
  commandId?: number;
  /** What happened: "lost: link cut", "not leader", "partition {1,2} | {3,4,5}", ... */
  note?: string;
  /** The node's role, term and commit index after the event, when they changed. */
  role?: string;
  term?: number;
  commitIndex?: number;
}

/**
 * The target of a fault aimed at one node, whose target ("leader", "follower", "any") may be
 * resolved late, or null for any other event (a switch, not a set of kinds: every event asks).
 */
export function faultTarget(event: EventBody): NodeTarget | null {
  switch (event.kind) {
    case 'crash':
    case 'restart':
    case 'isolate':
    case 'pause':
    case 'resume':
    case 'slow':
    case 'clockJump':
    case 'corrupt':
      return event.node;
    default:
      return null;
  }
}

export function describeEvent(event: SimEvent, eventNumber: number): TraceEvent {
  const base: TraceEvent = { n: eventNumber, t: event.timeMs, kind: event.kind };
  const target = faultTarget(event);
  if (target !== null) {
    if (typeof target === 'number') base.node = target;
    else base.note = `target ${target}`;
    if (event.kind === 'clockJump') base.note = `${event.ms > 0 ? '+' : ''}${event.ms} ms`;
    return base;
  }
  switch (event.kind) {
    case 'tick':
    case 'syncComplete':
      base.node = event.node;
      break;
    case 'deliver':
      base.node = event.to;
      base.from = event.from;
      base.type = event.message.type;
      base.messageId = event.messageId;
      if (event.duplicate) base.note = 'duplicate';
      break;
    case 'propose':
      base.node = event.node;
      base.commandId = event.command.id;
      base.type = event.command.op;
      if (event.probe) base.note = 'liveness probe';
      break;
    case 'clientRequest':
      base.node = event.node;
      base.commandId = event.command.id;
      base.type = event.read ? 'read' : event.command.op;
      base.note = `client c${event.client}`;
      break;
    case 'clientClock':
    case 'clientTimeout':
      base.note = `client c${event.client}`;
      break;
    case 'partition':
      base.note = event.cut.label;
      break;
    case 'membershipRequest':
      base.node = event.node;
      base.commandId = event.change.id;
      base.type = 'changeMembership';
      base.note = event.change.steps.map((step) => `${step.action} n${step.node}`).join(', ');
      break;
    case 'transferRequest':
      base.node = event.node;
      base.commandId = event.transfer.id;
      base.type = 'transferLeadership';
      base.note = `to n${event.transfer.target}`;
      break;
    default:
      break;
  }
  return base;
}

/** A pending event without sequence numbers or counters, relative to now (for fingerprints). */
export function canonicalPendingEvent(event: SimEvent, nowMs: number): string {
  const dueMs = event.timeMs - nowMs;
  switch (event.kind) {
    case 'deliver':
      return `deliver ${dueMs} ${event.from}>${event.to} ${event.duplicate ? 'd' : ''}${event.slowed ? 's' : ''} ${JSON.stringify(event.message)}`;
    case 'propose':
      return `propose ${dueMs} ${event.node} ${JSON.stringify(event.command)} ${event.redirects}`;
    case 'tick':
      return `tick ${dueMs} ${event.node}`;
    case 'partition':
      return `partition ${dueMs} ${JSON.stringify(event.cut.links)}`;
    case 'syncComplete':
      return `sync ${dueMs} ${event.node} ${event.upTo}`;
    default: {
      const { timeMs: _time, sequence: _sequence, ...rest } = event;
      return `${dueMs} ${JSON.stringify(rest)}`;
    }
  }
}

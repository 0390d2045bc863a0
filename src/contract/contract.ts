// The implementation contract: what every Raft implementation under test meets, the reference
// included. The harness owns time, message delivery, randomness and durable storage; a node is
// driven by inputs and answers each with its outputs. It never calls back into the world.
//
// Everything that crosses this boundary is plain JSON data, so the same contract works in
// process and over the stdio process protocol, and so traces can hold it.

import type { NodeId } from '../core/ids.js';

/** A client command for the replicated key-value state machine. */
export interface Command {
  /** Unique per proposal in a run; assigned by the harness. Entries are identified by it. */
  id: number;
  /** set is a put; append adds value to the end of the key's value (a missing key counts as ''). */
  op: 'set' | 'del' | 'get' | 'append';
  key: string;
  value?: string;
  /** Client session (client id, sequence number), for exactly-once application of retries. */
  client?: number;
  sequence?: number;
}

/** A message between nodes. The body is the implementation's own, opaque to the harness. */
export interface Message {
  /** A label for reports and targeted faults, e.g. "AppendEntries". */
  type: string;
  /** The sender's term when it sent this, if the implementation reveals it (reports only). */
  term?: number;
  body: unknown;
  /**
   * Optional: the message in Raft's common vocabulary (docs/CONTRACT.md, "Message views"), from
   * which the harness reads the promises a node makes (a vote granted, entries acknowledged).
   * In-process implementations may give Implementation.messageView instead.
   */
  view?: MessageView;
  /**
   * Feature 'asyncStorageWrites': local work, not a network message. The node hands storage work
   * to its own local thread ('append': persist entries and state, 'apply': apply committed
   * entries) by sending it to itself; the harness hands it back to the same node later as a
   * deliver input from itself, in order per thread, never dropped, duplicated or cut by network
   * faults, after the scenario's storage latency, and discards it when the node crashes (the
   * thread dies with it). Absent: a network message, which may not be addressed to its sender.
   */
  local?: LocalThread;
}

/** The local thread a piece of local work goes to (feature 'asyncStorageWrites'). */
export type LocalThread = 'append' | 'apply';

/**
 * A message decoded into Raft's common vocabulary. `term` is the sender's term as the message
 * carries it; pre-vote messages are marked (a pre-vote's term is not adopted by anyone).
 */
export type MessageView =
  | { kind: 'voteRequest'; term: number; candidate: NodeId; lastIndex: number; lastTerm: number; preVote?: boolean }
  | { kind: 'voteResponse'; term: number; granted: boolean; preVote?: boolean }
  /** entryIds, where given, are the entries' command ids in order (0: an entry the implementation made itself). */
  | { kind: 'append'; term: number; prevIndex: number; prevTerm: number; entries: number; commit: number; entryIds?: readonly number[] }
  /**
   * On success, matchIndex is the last index the responder holds in agreement with the leader (its
   * promise). On failure, rejectHint, where given, is the index the responder suggests to try next.
   */
  | { kind: 'appendResponse'; term: number; success: boolean; matchIndex: number; rejectHint?: number }
  | { kind: 'snapshot'; term: number; index: number; snapshotTerm: number }
  | { kind: 'timeoutNow'; term: number }
  /** A leader's heartbeat that carries no log position (etcd's MsgHeartbeat), and its answer. */
  | { kind: 'heartbeat'; term: number; commit: number }
  | { kind: 'heartbeatResponse'; term: number };

export interface OutboundMessage {
  to: NodeId;
  message: Message;
}

/** An opaque durable record, appended to the node's write-ahead storage. */
export type DurableRecord = unknown;

/**
 * The optional parts of the contract (protocol v2) an implementation may support. The harness
 * sends an input, option or step of a feature only to an implementation that lists it; one that
 * lists none is driven exactly as before (protocol v1).
 */
export type Feature = 'membership' | 'snapshots' | 'preVote' | 'checkQuorum' | 'leadershipTransfer' | 'leaseReads' | 'asyncStorageWrites';
export const allFeatures: readonly Feature[] = Object.freeze(['membership', 'snapshots', 'preVote', 'checkQuorum', 'leadershipTransfer', 'leaseReads', 'asyncStorageWrites']);

/** An option that keeps a removed node which runs on from deposing leaders (Implementation.removedNodeGuards). */
export type RemovedNodeGuard = 'checkQuorum' | 'preVote';
export const removedNodeGuards: readonly RemovedNodeGuard[] = Object.freeze(['checkQuorum', 'preVote']);

/**
 * The options of ImplementationOptions that belong to a feature: handed only to an implementation
 * that lists it (src/world/step.ts implementationOptionsFor).
 */
export const featureOptions = Object.freeze({
  snapshotEntriesThreshold: 'snapshots',
  preVote: 'preVote',
  checkQuorum: 'checkQuorum',
  leaseReads: 'leaseReads',
  asyncStorageWrites: 'asyncStorageWrites',
} as const satisfies Record<string, Feature>);

/**
 * A cluster configuration. `votersOutgoing` is non-empty only while a joint configuration is in
 * force (Raft thesis 4.3, etcd's ConfChangeV2): then a decision needs a majority of `voters` and a
 * majority of `votersOutgoing`. Learners receive the log but never vote and are never counted.
 */
export interface Configuration {
  voters: readonly NodeId[];
  learners: readonly NodeId[];
  votersOutgoing: readonly NodeId[];
}

/** One change to the membership; several in one request make a joint change. */
export interface MembershipStep {
  action: 'addVoter' | 'addLearner' | 'promote' | 'remove';
  node: NodeId;
}

/**
 * Feature 'leadershipTransfer': an administrator's request that the leader hand its leadership to
 * `target` (Raft thesis 3.10), sent to the node believed to lead.
 */
export interface LeadershipTransfer {
  /** Unique per request in a run, drawn from the same counter as command ids; its answer names it. */
  id: number;
  target: NodeId;
}

/** An administrator's request to change the membership, sent to the node believed to lead. */
export interface MembershipChange {
  /** Unique per request in a run, drawn from the same counter as command ids; its answer names it. */
  id: number;
  steps: readonly MembershipStep[];
}

export interface StartInput {
  kind: 'start';
  id: NodeId;
  /**
   * The cluster's bootstrap configuration: every voting member's id. Empty for a node that joins a
   * running cluster (feature 'membership'): it learns the configuration from a leader's log or
   * snapshot, and never campaigns while it is not a voter of the configuration it knows.
   */
  members: readonly NodeId[];
  /** A 32-bit seed for the node's own randomized decisions (election timeouts), drawn by the harness. */
  seed: number;
  /**
   * The durable records that survived, in the order they were written. Empty on first start,
   * but where a replayed path begins from a durable state (a cut shrunk trace): then every node
   * starts over the records it wrote in the longer run, as it would restart over them.
   */
  records: readonly DurableRecord[];
  /** Options the scenario passes to the implementation (timeouts in ticks, batch sizes). */
  options: ImplementationOptions;
}

export interface ImplementationOptions {
  /**
   * Time-driven implementations only (timing 'clock'): the local milliseconds one tick stands for,
   * so that the timeouts below, given in ticks, can configure the node's own timers
   * (electionTicksMin x tickMs milliseconds). Absent for tick-driven implementations.
   */
  tickMs?: number;
  electionTicksMin: number;
  electionTicksMax: number;
  heartbeatTicks: number;
  /** Most entries one replication message may carry. */
  entriesPerMessageMax: number;
  /**
   * Feature 'snapshots': compact the log into a snapshot once this many applied entries follow the
   * last snapshot (the implementation's own policy decides exactly when). Absent: never compact.
   */
  snapshotEntriesThreshold?: number;
  /**
   * Feature 'preVote' (thesis 9.6): a node that times out first asks for pre-votes at term + 1
   * without raising its term, and campaigns only once a quorum would vote for it. Absent: off.
   */
  preVote?: boolean;
  /**
   * Feature 'checkQuorum' (thesis 6.2): a leader that has not heard from a quorum of voters within
   * an election timeout steps down, and a node that hears from a leader ignores vote requests for
   * the minimum election timeout after. Absent: off.
   */
  checkQuorum?: boolean;
  /**
   * Feature 'leaseReads' (thesis 6.4.1): a leader serves read inputs from its lease, without a
   * round of heartbeats, while the lease holds; correct only while every clock stays within the
   * drift the implementation declares (Implementation.leaseDriftMax). Absent: off.
   */
  leaseReads?: boolean;
  /**
   * Feature 'asyncStorageWrites' (etcd's Config.AsyncStorageWrites): the node hands its storage
   * writes and its applying to local threads as local work (Message.local) instead of doing them
   * within the input, and sends what depends on them once the work comes back. Absent: off.
   */
  asyncStorageWrites?: boolean;
}

export type Input =
  | StartInput
  | { kind: 'tick' }
  /**
   * Time-driven implementations only (timing 'clock'), instead of ticks: the node's local clock
   * moved forward by elapsedMs (drift and jumps included); the node runs until it is idle, every
   * task blocked and its next timer past the new time, and answers with what it did. Its clock
   * is brought up to date this way before every other input too, so that a message is never
   * handled at a stale time.
   */
  | { kind: 'advance'; elapsedMs: number }
  | { kind: 'deliver'; from: NodeId; message: Message }
  | { kind: 'propose'; command: Command }
  /**
   * A linearizable read served without a log entry (ReadIndex, Raft thesis 6.4); command.op is
   * 'get'. Its answer may come with a later output. An implementation without fast reads answers
   * notLeader with leaderHint null.
   */
  | { kind: 'read'; command: Command }
  /**
   * Feature 'membership': an administrator asks the node to change the membership. A leader
   * answers accepted (with the configuration entry's index and term), rejected (a change is still
   * in progress, or it has not yet committed an entry of its term) or notLeader with a hint.
   */
  | { kind: 'changeMembership'; change: MembershipChange }
  /**
   * Feature 'leadershipTransfer': an administrator asks the node to hand its leadership to the
   * transfer's target. A leader answers transferAccepted (it is catching the target up and will
   * tell it to campaign at once), rejected (the target is itself, no voter, or a transfer is
   * already in progress) or notLeader with a hint. Whether the transfer succeeds shows in the
   * views; one not done within an election timeout is abandoned.
   */
  | { kind: 'transferLeadership'; transfer: LeadershipTransfer };

/** An entry the node applied to its state machine, in log order. */
export interface AppliedEntry {
  index: number;
  term: number;
  /** The command's id, or 0 for an entry the implementation made itself (no-op, configuration). */
  commandId: number;
  /** The state machine's answer (the value read for a get), if any. */
  result?: string | null;
}

export type ProposalAnswer =
  | { commandId: number; kind: 'accepted'; index: number; term: number }
  | { commandId: number; kind: 'notLeader'; leaderHint: NodeId | null }
  /** The value a read input read (null: the key is missing). */
  | { commandId: number; kind: 'read'; value: string | null }
  /** A membership change or a leadership transfer refused (commandId is its id): the reason, for reports. */
  | { commandId: number; kind: 'rejected'; reason: string }
  /** Feature 'leadershipTransfer': the leader of `term` started the transfer (commandId is its id). */
  | { commandId: number; kind: 'transferAccepted'; term: number };

export type Role = 'follower' | 'candidate' | 'leader';

/** One log entry as the white-box view shows it: enough to compare logs across nodes. */
export interface LogEntryView {
  term: number;
  /** The command's id, or 0 for an entry the implementation made itself. */
  commandId: number;
}

/**
 * The optional white-box view, sent as a delta so that its cost does not grow with the log:
 * scalar fields are the current values; `log`, when present, says that every entry from index
 * `from` on is now `entries` (everything after is gone). A node that starts sends its whole log.
 */
export interface StateView {
  role: Role;
  term: number;
  votedFor: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  leaderHint: NodeId | null;
  log?: { from: number; entries: readonly LogEntryView[] };
  /**
   * Feature 'snapshots': the index and term of the last entry folded into the node's latest
   * snapshot (0, 0 without one). The view's log then holds only entries after snapshotIndex.
   */
  snapshotIndex?: number;
  snapshotTerm?: number;
  /** Feature 'membership': the configuration in force (the latest appended) and the latest committed. */
  configuration?: ConfigurationView;
  /**
   * Whether the node would now ignore a vote request of a higher term from any candidate, because
   * it heard from a leader (or started) within the minimum election timeout: the guard a leader's
   * lease rests on (thesis 6.4.1; check-quorum's, and thesis 4.2.3's against removed servers). A
   * leader that guards reports true; a node without such a guard, false. Absent: not told, and
   * the lease-safety invariant judges none of the node's reads.
   */
  voteGuard?: boolean;
  /**
   * Feature 'leaseReads': whether a read input now would be answered at once, from the lease
   * (the node leads, an entry of its term is committed, and its lease holds). With it, the
   * lease-safety invariant judges the lease at every step, not only when a read comes.
   */
  leaseHeld?: boolean;
}

export interface ConfigurationView {
  latest: Configuration;
  /** The index of the entry (or snapshot) that holds `latest`; 0 for the bootstrap configuration. */
  latestIndex: number;
  committed: Configuration;
  committedIndex: number;
}

/**
 * Feature 'snapshots': a snapshot the node took or installed, in full, so that the harness can
 * judge it against the committed prefix. `data` is the key-value state machine's contents.
 */
export interface SnapshotView {
  index: number;
  term: number;
  configuration: Configuration;
  data: Readonly<Record<string, string>>;
}

/** What a node answers to one input. */
export interface Output {
  messages: readonly OutboundMessage[];
  /** Records to append to durable storage, in order. */
  records: readonly DurableRecord[];
  /**
   * Sync point: every record written so far must be durable before this output's messages are
   * sent. Without it, records are written but may be lost (all, or a torn suffix) by a crash.
   */
  sync: boolean;
  applied: readonly AppliedEntry[];
  answers: readonly ProposalAnswer[];
  /** The white-box view after this input, if the implementation offers one. */
  state?: StateView;
  /**
   * Feature 'snapshots': the node replaced its state machine with this snapshot (installed from a
   * leader, or restored at start). Entries up to its index are not applied one by one; applying
   * goes on from index + 1. A snapshot the node took of its own state is reported in `snapshotTaken`.
   */
  snapshotInstalled?: SnapshotView;
  snapshotTaken?: SnapshotView;
  /**
   * Time-driven implementations only: local milliseconds from now until the node's earliest
   * timer, so that the harness advances its clock then and not at every tick (null: no timer is
   * pending, only an input wakes it). Absent: the node is advanced at every tick.
   */
  wakeAfterMs?: number | null;
}

/**
 * How a node's time is driven: 'ticks' (one tick input per unit of its local clock: a pure state
 * machine) or 'clock' (advance inputs: a node with its own timers, goroutines, async tasks).
 */
export type Timing = 'ticks' | 'clock';

/** One running instance of a node. Dropped on crash; a restart makes a new one. */
export interface NodeInstance {
  step(input: Input): Output;
  /**
   * A digest of the whole internal state, for world fingerprints (two instances with the same
   * digest behave the same from here on). Optional: without it the view stands in.
   */
  stateDigest?(): string;
  /**
   * An independent copy in the same state, for the exhaustive explorer (src/explore), which keeps
   * every state it reaches. Optional: without it the explorer re-creates a node by replaying its
   * inputs since its start into a fresh instance (slower, but any deterministic node allows it).
   */
  clone?(): NodeInstance;
  /**
   * Releases what the instance holds outside the heap (a process, for the process protocol).
   * The harness calls it when it drops the instance: on a crash and at the end of a run.
   */
  dispose?(): void;
}

export interface Implementation {
  name: string;
  version: string;
  /** Makes a fresh instance; the harness then sends it a start input. */
  createNode(): NodeInstance;
  /** The optional parts of the contract it supports (protocol v2); absent means none. */
  features?: readonly Feature[];
  /**
   * Feature 'leaseReads': the clock drift its leases assume. Its lease reads are correct while
   * every node's clock runs at 1 + d times the true rate with |d| <= leaseDriftMax, and never
   * jumps, stalls or pauses; the simulator goes beyond that only in a scenario with unsafeFaults.
   */
  leaseDriftMax?: number;
  /**
   * Feature 'membership': the options, any one of which it needs switched on to stay live when a
   * removed node keeps running (MembershipOptions.removed 'keep'), each also listed in features.
   * A removed node that never learns of its removal campaigns again and again; etcd's raft and
   * raft-rs ignore its vote requests only with check-quorum (etcd: or pre-vote) on, as their
   * documentation says. The simulator runs it without one only in a scenario with unsafeFaults.
   * Absent or empty: it needs none (the reference ignores such requests always, thesis 4.2.3).
   */
  removedNodeGuards?: readonly RemovedNodeGuard[];
  /** How its time is driven; absent means 'ticks'. */
  timing?: Timing;
  /**
   * Optional, for in-process implementations: a message's view (see MessageView), decoded only
   * when the harness asks (a durability probe), so that messages need not carry one. Null: a
   * message with no view.
   */
  messageView?(message: Message): MessageView | null;
  /**
   * Whether durability probes (src/world/probes.ts) are on when neither the scenario nor the
   * command line says. Absent: on exactly for an implementation with messageView. The wasm host
   * sets it: a guest runs in process, its messages carry their views, and a shadow is a module
   * instance; a program's shadow would be a process, so programs leave it unset.
   */
  durabilityProbesByDefault?: boolean;
  /**
   * What the exhaustive explorer may know of this implementation beyond the contract, for its
   * symmetry reduction and its storage model (docs/CONTRACT.md, "The exploration hook").
   * Optional: without it messages, records and node states stay opaque and symmetry stays off.
   */
  exploration?: ExplorationHook;
}

/** Where digests go: a stream of 32-bit integers (the explorer's hash lanes are one). */
export interface DigestSink {
  number(value: number): DigestSink;
}

/**
 * An implementation's offer to the explorer (src/world/knowledge.ts): digests of its node states,
 * messages and durable records in two parts, and a fold of its records. The part without ids is
 * hashed once per state; the id part once per permutation of node ids, every id written as
 * rename[id]. Sound only if, together, the two parts are equal under a renaming exactly when the
 * states are equal up to that renaming: equal digests merge states, and a state merged with one
 * that behaves differently hides what lies behind it.
 */
export interface ExplorationHook {
  /** Node ids may be permuted: every id in node states, messages and records is renamed by the digests below. */
  readonly symmetric: boolean;
  /** Why symmetry is on or off, for reports. */
  readonly symmetryNote: string;
  /** A node state's part that names no node. Handed an instance this implementation's createNode made. */
  digestNode(instance: NodeInstance, sink: DigestSink): void;
  /** A node state's part that names nodes, each id written as rename[id] (rename[0] unused). */
  digestNodeIds(instance: NodeInstance, rename: readonly NodeId[], sink: DigestSink): void;
  digestMessage(message: Message, sink: DigestSink): void;
  digestMessageIds(message: Message, rename: readonly NodeId[], sink: DigestSink): void;
  digestRecord(record: DurableRecord, sink: DigestSink): void;
  digestRecordIds(record: DurableRecord, rename: readonly NodeId[], sink: DigestSink): void;
  /** An equivalent, shorter list of synced records: a start over it rebuilds the same state. */
  compact(records: readonly DurableRecord[]): readonly DurableRecord[];
}

export const emptyList: readonly never[] = Object.freeze([]);

/** An output with nothing in it, for implementations to spread from. */
export function emptyOutput(): Output {
  return { messages: emptyList, records: emptyList, sync: false, applied: emptyList, answers: emptyList };
}

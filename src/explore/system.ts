// The transition system the explorer searches: a world of nodes of one implementation, driven
// only through the contract, where every source of nondeterminism is a choice:
//   deliver any message in flight (in any order: the network is a multiset), drop it,
//   let a node's timer fire, crash a node (keeping 0..all of its unsynced records),
//   restart a crashed node over its durable records, or propose a client command to a leader.
//
// "A timer fires" sends ticks to one node until its output shows something (a message, a role
// or term change), at most electionTicksMax + heartbeatTicks ticks. Election timeouts are fixed
// (electionTicksMin = electionTicksMax), so a firing is one choice rather than a range of
// durations: time exists only as the order of firings, which is all a safety property can see.
//
// Worlds are immutable once built: a transition copies what it changes and shares the rest, so
// the breadth-first frontier shares unchanged nodes between states. A node that steps is copied
// first, by its clone() when the implementation has one, else by replaying its inputs since its
// start into a fresh instance (any deterministic node allows it; O(inputs) per copy).
//
// Storage: records are durable once a sync covers them (sync: true makes everything written so
// far durable at once: the explorer has no sync latency). A crash keeps the synced records and a
// chosen prefix of the unsynced ones: all of them (the disk got them anyway), none (lost), or a
// torn part; each way is its own choice and costs one crash of the crash bound.

import type {
  Command,
  DurableRecord,
  Implementation,
  ImplementationOptions,
  Input,
  Message,
  NodeInstance,
  Output,
  StateView,
} from '../adapters/contract.js';
import { emptyList } from '../adapters/contract.js';
import { chainHash } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import { nodeIds } from '../core/ids.js';
import type { Violation } from '../sim/invariant.js';
import type { History, NodeView, ViewChange } from './checks.js';
import { checkStep, emptyHistory, emptyView } from './checks.js';
import type { ImplementationKnowledge } from './knowledge.js';
import { knowledgeNeedsInputs, knowledgeOf } from './knowledge.js';
import { Lanes, mix32 } from './lanes.js';

/** Inputs a node was handed since its start, newest first (for re-creating it by replay). */
interface InputLink {
  readonly input: Input;
  readonly previous: InputLink | null;
}

export interface NodeState {
  readonly instance: NodeInstance | null;
  readonly inputs: InputLink | null;
  /** Digest of the inputs since start, for opaque nodes without stateDigest. */
  readonly inputDigest: readonly [number, number];
  readonly view: NodeView;
  readonly synced: readonly DurableRecord[];
  readonly unsynced: readonly DurableRecord[];
  /**
   * Two 32-bit lanes per permutation, each computed when first needed (NaN until then), and
   * last the two lanes of the digest that names no node (the same under every permutation).
   */
  digests: number[] | null;
}

export interface InFlight {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: Message;
  /** The sender's term when it sent this (what delivering it reveals, for monotonic-term). */
  readonly senderTerm: number;
  /** Two lanes per permutation; lanes 0 and 1 (the identity) tell identical messages apart. */
  readonly digests: readonly number[];
}

export interface World {
  readonly nodes: readonly NodeState[];
  /** In send order; each link (from, to) is a FIFO queue unless a reorder is spent. */
  readonly messages: readonly InFlight[];
  readonly crashes: number;
  readonly requests: number;
  readonly drops: number;
  readonly reorders: number;
  readonly history: History;
}

export type Choice =
  | { kind: 'deliver'; message: number }
  | { kind: 'drop'; message: number }
  | { kind: 'timeout'; node: NodeId }
  | { kind: 'propose'; node: NodeId }
  | { kind: 'crash'; node: NodeId; unsyncedKept: number }
  | { kind: 'restart'; node: NodeId };

/** One step of a path as plain JSON (trace files): messages by content, not by position. */
export type ExploreStep =
  | { kind: 'deliver' | 'drop'; from: NodeId; to: NodeId; message: Message }
  | { kind: 'timeout'; node: NodeId }
  | { kind: 'propose'; node: NodeId; command: Command }
  | { kind: 'crash'; node: NodeId; unsyncedKept: number }
  | { kind: 'restart'; node: NodeId };

export type PruneReason = 'term' | 'messages';

export interface ExploreImplementationError {
  node: NodeId;
  input: string;
  message: string;
}

export interface Transition {
  world: World;
  violation: Violation | null;
  implementationError: ExploreImplementationError | null;
  /** Set when the new world is past a bound: it is not explored. */
  pruned: PruneReason | null;
}

/** Hooks for a replay that feeds the real invariants (src/explore/trace.ts). */
export interface StepObserver {
  delivered(from: NodeId, to: NodeId, senderTerm: number): void;
  stepped(node: NodeId, input: Input, output: Output, started: boolean): void;
  crashed(node: NodeId, unsyncedLost: number): void;
}

/** The bounds the transition system itself enforces, on every path (the search adds its own). */
export interface PathBounds {
  /** Highest term any node may reach. */
  termMax: number;
  /** Crashes over the whole path. */
  crashesMax: number;
  /** Client proposals over the whole path. */
  requestsMax: number;
  /**
   * Messages dropped over the whole path. For safety a drop adds no behaviour (a message never
   * delivered is a dropped one); it only frees room under messagesInFlightMax.
   */
  dropsMax: number;
  /**
   * Messages delivered (or dropped) ahead of an earlier one on the same link. Links are FIFO
   * otherwise: delay-bounded scheduling (Emmi, Qadeer, Rakamaric, POPL'11), which keeps the
   * state space small while still reaching the reorderings a bug needs, a few at a time.
   */
  reordersMax: number;
  /** Messages in flight at once. */
  messagesInFlightMax: number;
}

export interface SystemOptions extends PathBounds {
  implementation: Implementation;
  nodes: number;
  implementationOptions: ImplementationOptions;
  /** Permute node ids (when the implementation allows it). */
  symmetry: boolean;
  /** Copy nodes with clone() when the implementation has it (false: always replay, for measuring). */
  clone: boolean;
}

export interface Fingerprint {
  high: number;
  low: number;
  /** How many distinct states the permutations of this one are (1 without symmetry). */
  orbit: number;
  /** The permutation (index into the system's renames) that maps this world to its canonical form. */
  permutation: number;
}

export class TransitionSystem {
  readonly members: readonly NodeId[];
  readonly knowledge: ImplementationKnowledge;
  readonly symmetric: boolean;
  readonly usesClone: boolean;
  /** renames[p][id]: the image of id under permutation p; renames[0] is the identity. */
  private readonly renames: readonly (readonly NodeId[])[];
  /** positions[p][k]: the node whose image under p is k + 1. */
  private readonly positions: readonly (readonly NodeId[])[];
  private readonly inverses: readonly (readonly NodeId[])[];
  private readonly needsInputs: boolean;
  private readonly ticksMax: number;
  /** Reused by every digest: the hot path allocates no hashers. */
  private readonly lanes = new Lanes();
  private readonly worldLanes = new Lanes();
  private readonly scratch: number[] = [];
  private readonly permutationDigests: number[] = [];
  private readonly sums: number[] = [];
  private readonly tried: number[] = [];
  /** Digests of each history per permutation; histories are immutable and shared between states. */
  private readonly historyCache = new WeakMap<History, readonly number[]>();

  constructor(readonly options: SystemOptions) {
    this.members = nodeIds(options.nodes);
    this.knowledge = knowledgeOf(options.implementation);
    this.symmetric = options.symmetry && this.knowledge.symmetric && options.implementationOptions.electionTicksMin === options.implementationOptions.electionTicksMax;
    const probe = options.implementation.createNode();
    this.usesClone = options.clone && typeof probe.clone === 'function';
    probe.dispose?.();
    this.needsInputs = knowledgeNeedsInputs(this.knowledge, options.implementation);
    this.renames = this.symmetric ? permutations(options.nodes) : [[0, ...this.members]];
    this.positions = this.renames.map((rename) => {
      const position: NodeId[] = [];
      for (const id of this.members) position[rename[id] - 1] = id;
      return position;
    });
    this.inverses = this.positions.map((position) => [0, ...position]);
    this.ticksMax = options.implementationOptions.electionTicksMax + options.implementationOptions.heartbeatTicks;
  }

  get permutationCount(): number {
    return this.renames.length;
  }

  /** rename[id]: the image of id under permutation p (index 0 unused). */
  renameOf(p: number): readonly NodeId[] {
    return this.renames[p];
  }

  /** The inverse of renameOf(p): inverse[image] is the node whose image under p it is. */
  inverseOf(p: number): readonly NodeId[] {
    return this.inverses[p];
  }

  /** Every node started over empty storage. */
  initial(observer?: StepObserver): Transition {
    const down: NodeState = { instance: null, inputs: null, inputDigest: [0, 0], view: emptyView, synced: emptyList, unsynced: emptyList, digests: null };
    const world: World = {
      nodes: this.members.map(() => down),
      messages: [],
      crashes: 0,
      requests: 0,
      drops: 0,
      reorders: 0,
      history: emptyHistory,
    };
    const draft = new Draft(world, observer);
    for (const id of this.members) {
      this.start(draft, id);
      if (draft.implementationError !== null) break;
    }
    return draft.finish();
  }

  /** The choices of a world, in a fixed order (BFS state numbering and paths depend on it). */
  choices(world: World): Choice[] {
    const choices: Choice[] = [];
    const messages = world.messages;
    for (let index = 0; index < messages.length; index += 1) {
      // A message behind another on its link costs a reorder (delay-bounded scheduling: the
      // network is FIFO per link but for a bounded number of overtakes).
      const overtakes = hasEarlierOnLink(messages, index);
      if (overtakes && world.reorders >= this.options.reordersMax) continue;
      if (world.nodes[messages[index].to - 1].instance !== null) choices.push({ kind: 'deliver', message: index });
      if (world.drops < this.options.dropsMax) choices.push({ kind: 'drop', message: index });
    }
    for (const id of this.members) {
      const node = world.nodes[id - 1];
      if (node.instance !== null) choices.push({ kind: 'timeout', node: id });
    }
    if (world.requests < this.options.requestsMax) {
      for (const id of this.members) {
        const node = world.nodes[id - 1];
        // Proposals go to nodes that claim to lead; a follower would only answer notLeader.
        if (node.instance !== null && (!node.view.hasView || node.view.role === 'leader')) choices.push({ kind: 'propose', node: id });
      }
    }
    if (world.crashes < this.options.crashesMax) {
      for (const id of this.members) {
        const node = world.nodes[id - 1];
        if (node.instance === null) continue;
        for (let kept = node.unsynced.length; kept >= 0; kept -= 1) choices.push({ kind: 'crash', node: id, unsyncedKept: kept });
      }
    }
    for (const id of this.members) if (world.nodes[id - 1].instance === null) choices.push({ kind: 'restart', node: id });
    return choices;
  }

  /** Whether the budget of crashes or requests withheld a choice in this world. */
  budgetsHit(world: World): { crashes: boolean; requests: boolean; drops: boolean } {
    const anyUp = world.nodes.some((node) => node.instance !== null);
    const anyLeader = world.nodes.some((node) => node.instance !== null && (!node.view.hasView || node.view.role === 'leader'));
    return {
      crashes: anyUp && world.crashes >= this.options.crashesMax,
      requests: anyLeader && world.requests >= this.options.requestsMax,
      drops: world.messages.length > 0 && world.drops >= this.options.dropsMax,
    };
  }

  apply(world: World, choice: Choice, observer?: StepObserver): Transition {
    const draft = new Draft(world, observer);
    switch (choice.kind) {
      case 'deliver': {
        if (hasEarlierOnLink(draft.messages, choice.message)) draft.reorders += 1;
        const message = draft.removeMessage(choice.message);
        observer?.delivered(message.from, message.to, message.senderTerm);
        const instance = this.copyInstance(draft.nodes[message.to - 1]);
        this.step(draft, message.to, instance, { kind: 'deliver', from: message.from, message: message.message }, false);
        break;
      }
      case 'drop':
        draft.drops += 1;
        if (hasEarlierOnLink(draft.messages, choice.message)) draft.reorders += 1;
        draft.removeMessage(choice.message);
        break;
      case 'timeout': {
        const instance = this.copyInstance(draft.nodes[choice.node - 1]);
        const before = draft.nodes[choice.node - 1].view;
        for (let tick = 0; tick < this.ticksMax; tick += 1) {
          const output = this.step(draft, choice.node, instance, { kind: 'tick' }, false);
          if (output === null || draft.violation !== null) break;
          const view = draft.nodes[choice.node - 1].view;
          if (output.messages.length > 0 || view.role !== before.role || view.term !== before.term) break;
        }
        break;
      }
      case 'propose': {
        draft.requests += 1;
        const command: Command = { id: draft.requests, op: 'set', key: 'k', value: `v${draft.requests}` };
        const instance = this.copyInstance(draft.nodes[choice.node - 1]);
        this.step(draft, choice.node, instance, { kind: 'propose', command }, false);
        break;
      }
      case 'crash': {
        draft.crashes += 1;
        const node = draft.nodes[choice.node - 1];
        const kept = node.unsynced.slice(0, choice.unsyncedKept);
        node.instance?.dispose?.();
        draft.nodes[choice.node - 1] = {
          instance: null,
          inputs: null,
          inputDigest: [0, 0],
          view: node.view,
          synced: kept.length > 0 ? this.knowledge.compact([...node.synced, ...kept]) : node.synced,
          unsynced: emptyList,
          digests: null,
        };
        observer?.crashed(choice.node, node.unsynced.length - kept.length);
        break;
      }
      case 'restart':
        this.start(draft, choice.node);
        break;
    }
    const transition = draft.finish();
    if (transition.violation === null && transition.implementationError === null) {
      if (transition.world.messages.length > this.options.messagesInFlightMax) transition.pruned = 'messages';
      else if (transition.world.nodes.some((node) => node.view.term > this.options.termMax)) transition.pruned = 'term';
    }
    return transition;
  }

  /** The step a choice takes, as JSON for a trace file. */
  describe(world: World, choice: Choice): ExploreStep {
    switch (choice.kind) {
      case 'deliver':
      case 'drop': {
        const message = world.messages[choice.message];
        return { kind: choice.kind, from: message.from, to: message.to, message: message.message };
      }
      case 'propose':
        return { kind: 'propose', node: choice.node, command: { id: world.requests + 1, op: 'set', key: 'k', value: `v${world.requests + 1}` } };
      default:
        return { ...choice };
    }
  }

  /** The choice a recorded step stands for in this world, or null if it is not possible. */
  choiceOf(world: World, step: ExploreStep): Choice | null {
    switch (step.kind) {
      case 'deliver':
      case 'drop': {
        const body = JSON.stringify(step.message);
        const index = world.messages.findIndex((message) => message.from === step.from && message.to === step.to && JSON.stringify(message.message) === body);
        if (index === -1) return null;
        if (step.kind === 'deliver' && world.nodes[step.to - 1].instance === null) return null;
        return { kind: step.kind, message: index };
      }
      case 'timeout':
      case 'propose':
        return world.nodes[step.node - 1]?.instance ? { kind: step.kind, node: step.node } : null;
      case 'crash':
        return world.nodes[step.node - 1]?.instance ? { kind: 'crash', node: step.node, unsyncedKept: Math.min(step.unsyncedKept, world.nodes[step.node - 1].unsynced.length) } : null;
      case 'restart':
        return world.nodes[step.node - 1] !== undefined && world.nodes[step.node - 1].instance === null ? { kind: 'restart', node: step.node } : null;
    }
  }

  /**
   * The canonical fingerprint: the least 64-bit world digest over the permutations of node ids
   * that sort the nodes by their digest without ids (just the identity without symmetry), and
   * how many distinct states the permutations of this one are.
   *
   * Why sort: the digest without ids is the same under every renaming, so the permutations that
   * sort the nodes by it are, for two worlds of one orbit, the same set up to that renaming, and
   * the least digest over them is a canonical form as the least over all n! was. Only nodes
   * with equal digests (ties) leave a choice: with 3 nodes, 1 permutation instead of 6 in most
   * states, and every per-permutation digest (of nodes, messages, the world) is computed only
   * for the permutations tried. The orbit is n! / |automorphisms|, and the automorphisms are
   * among the tied permutations: n! x (distinct digests among those tried) / (permutations tried).
   */
  fingerprint(world: World): Fingerprint {
    const count = this.renames.length;
    // Its own lanes: node and history digests computed on demand inside the loop use this.lanes.
    const lanes = this.worldLanes;
    const out = this.permutationDigests;
    const tried = this.tried;
    tried.length = 0;
    if (count === 1) tried.push(0);
    else {
      for (const node of world.nodes) this.nodeBase(node);
      for (let p = 0; p < count; p += 1) {
        const position = this.positions[p];
        let sorted = true;
        for (let k = 1; k < position.length && sorted; k += 1) {
          const before = world.nodes[position[k - 1] - 1].digests!;
          const after = world.nodes[position[k] - 1].digests!;
          const base = 2 * count;
          const beforeHigh = before[base] >>> 0;
          const afterHigh = after[base] >>> 0;
          sorted = beforeHigh < afterHigh || (beforeHigh === afterHigh && before[base + 1] >>> 0 <= after[base + 1] >>> 0);
        }
        if (sorted) tried.push(p);
      }
    }
    let bestHigh = 0;
    let bestLow = 0;
    let best = 0;
    let distinct = 0;
    const history = this.historyDigests(world.history);
    const messageSums = this.messageSums(world.messages, tried);
    for (let t = 0; t < tried.length; t += 1) {
      const p = tried[t];
      lanes.reset();
      for (const id of this.positions[p]) {
        const digests = this.nodeDigests(world.nodes[id - 1], p);
        lanes.number(digests[2 * p]).number(digests[2 * p + 1]);
      }
      lanes
        .number(messageSums[2 * p])
        .number(messageSums[2 * p + 1])
        .number(world.messages.length)
        .number(world.crashes)
        .number(world.requests)
        .number(world.drops)
        .number(world.reorders)
        .number(history[2 * p])
        .number(history[2 * p + 1]);
      lanes.digestInto(out, 2 * p);
      const high = out[2 * p] >>> 0;
      const low = out[2 * p + 1] >>> 0;
      if (t === 0 || high < bestHigh || (high === bestHigh && low < bestLow)) {
        bestHigh = high;
        bestLow = low;
        best = p;
      }
      let known = false;
      for (let other = 0; other < t && !known; other += 1) known = out[2 * tried[other]] === out[2 * p] && out[2 * tried[other] + 1] === out[2 * p + 1];
      if (!known) distinct += 1;
    }
    return { high: bestHigh, low: bestLow, orbit: (count * distinct) / tried.length, permutation: best };
  }

  // ---- steps --------------------------------------------------------------------------------

  private start(draft: Draft, id: NodeId): void {
    const instance = this.options.implementation.createNode();
    const records = draft.nodes[id - 1].synced;
    // Seed 0 for every node: with fixed election timeouts it decides nothing, and one seed for
    // all keeps nodes interchangeable for the symmetry reduction.
    const input: Input = { kind: 'start', id, members: this.members, seed: 0, records, options: this.options.implementationOptions };
    draft.nodes[id - 1] = { ...draft.nodes[id - 1], view: emptyView, inputs: null, inputDigest: [0, 0] };
    this.step(draft, id, instance, input, true);
  }

  private copyInstance(node: NodeState): NodeInstance {
    const instance = node.instance!;
    if (this.usesClone) return instance.clone!();
    const inputs: Input[] = [];
    for (let link = node.inputs; link !== null; link = link.previous) inputs.push(link.input);
    const fresh = this.options.implementation.createNode();
    for (let index = inputs.length - 1; index >= 0; index -= 1) fresh.step(inputs[index]);
    return fresh;
  }

  /** One input to one node (already copied), its output folded into the draft. Null on an error. */
  private step(draft: Draft, id: NodeId, instance: NodeInstance, input: Input, started: boolean): Output | null {
    const before = draft.nodes[id - 1];
    let output: Output;
    try {
      output = instance.step(input);
    } catch (error) {
      draft.implementationError = { node: id, input: input.kind, message: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
      return null;
    }
    const problem = outputProblem(output, id, this.members.length);
    if (problem !== null) {
      draft.implementationError = { node: id, input: input.kind, message: problem };
      return null;
    }
    let synced = before.synced;
    let unsynced = before.unsynced;
    if (output.records.length > 0) unsynced = unsynced.length === 0 ? output.records : [...unsynced, ...output.records];
    if (output.sync && unsynced.length > 0) {
      synced = this.knowledge.compact(synced.length === 0 ? unsynced : [...synced, ...unsynced]);
      unsynced = emptyList;
    }
    const change: ViewChange = { node: id, started, previousCommitIndex: before.view.commitIndex, logChangedFrom: Number.POSITIVE_INFINITY, applied: output.applied };
    let view = started ? emptyView : before.view;
    if (output.state !== undefined) {
      try {
        view = applyView(view, output.state, change);
      } catch (error) {
        draft.implementationError = { node: id, input: input.kind, message: `state view: ${(error as Error).message}` };
        return null;
      }
    }
    draft.nodes[id - 1] = {
      instance,
      inputs: this.usesClone ? null : { input, previous: started ? null : before.inputs },
      inputDigest: this.needsInputs ? digestInput(started ? [0, 0] : before.inputDigest, input) : before.inputDigest,
      view,
      synced,
      unsynced,
      digests: null,
    };
    for (const outbound of output.messages) draft.addMessage(this.inFlight(id, outbound.to, outbound.message, view.term));
    draft.observer?.stepped(id, input, output, started);
    if (draft.violation === null) {
      const outcome = checkStep(draft.history, draft.nodes, change);
      draft.history = outcome.history;
      draft.violation = outcome.violation;
    }
    return output;
  }

  private inFlight(from: NodeId, to: NodeId, message: Message, senderTerm: number): InFlight {
    const count = this.renames.length;
    const digests = new Array<number>(2 * count);
    const lanes = this.lanes.reset();
    this.knowledge.digestMessage(message, lanes);
    const base = this.scratch;
    lanes.digestInto(base, 0);
    const baseHigh = base[0];
    const baseLow = base[1];
    for (let p = 0; p < count; p += 1) {
      const rename = this.renames[p];
      lanes.reset().number(baseHigh).number(baseLow).number(rename[from]).number(rename[to]);
      this.knowledge.digestMessageIds(message, rename, lanes);
      lanes.digestInto(digests, 2 * p);
    }
    return { from, to, message, senderTerm, digests };
  }

  /**
   * Per permutation tried, the sum of the messages' digests each mixed with the message's place
   * in its link's queue: order within a link counts (it is FIFO), order across links does not.
   */
  private messageSums(messages: readonly InFlight[], tried: readonly number[]): number[] {
    const sums = this.sums;
    sums.length = 2 * this.renames.length;
    for (const p of tried) {
      sums[2 * p] = 0;
      sums[2 * p + 1] = 0;
    }
    for (let index = 0; index < messages.length; index += 1) {
      let place = 0;
      for (let other = 0; other < index; other += 1) if (messages[other].from === messages[index].from && messages[other].to === messages[index].to) place += 1;
      const digests = messages[index].digests;
      const salt = Math.imul(place + 1, 0x9e3779b1);
      for (const p of tried) {
        sums[2 * p] = (sums[2 * p] + mix32(digests[2 * p] ^ salt)) | 0;
        sums[2 * p + 1] = (sums[2 * p + 1] + mix32(digests[2 * p + 1] ^ salt)) | 0;
      }
    }
    return sums;
  }

  /** Fills the node's digest without ids (the last two lanes of its digests). */
  private nodeBase(node: NodeState): number[] {
    if (node.digests !== null) return node.digests;
    const count = this.renames.length;
    const digests = new Array<number>(2 * count + 2).fill(Number.NaN);
    const lanes = this.lanes.reset();
    const knowledge = this.knowledge;
    lanes.number(node.instance === null ? 0 : 1);
    if (node.instance !== null) knowledge.digestNode(node.instance, node.inputDigest, lanes);
    lanes.number(node.synced.length);
    for (const record of node.synced) knowledge.digestRecord(record, lanes);
    lanes.number(node.unsynced.length);
    for (const record of node.unsynced) knowledge.digestRecord(record, lanes);
    lanes.digestInto(digests, 2 * count);
    node.digests = digests;
    return digests;
  }

  /** The node's digests, with the lanes of permutation p computed. */
  private nodeDigests(node: NodeState, p: number): number[] {
    const digests = this.nodeBase(node);
    if (!Number.isNaN(digests[2 * p])) return digests;
    const count = this.renames.length;
    const knowledge = this.knowledge;
    const rename = this.renames[p];
    const lanes = this.lanes.reset().number(digests[2 * count]).number(digests[2 * count + 1]);
    if (node.instance !== null) knowledge.digestNodeIds(node.instance, rename, lanes);
    for (const record of node.synced) knowledge.digestRecordIds(record, rename, lanes);
    for (const record of node.unsynced) knowledge.digestRecordIds(record, rename, lanes);
    lanes.digestInto(digests, 2 * p);
    return digests;
  }

  private historyDigests(history: History): readonly number[] {
    const cached = this.historyCache.get(history);
    if (cached !== undefined) return cached;
    const count = this.renames.length;
    const digests = new Array<number>(2 * count);
    const length = history.committedTerms.length - 1;
    const lanes = this.lanes;
    for (let p = 0; p < count; p += 1) {
      const rename = this.renames[p];
      lanes.reset().number(history.leaders.length);
      for (const leader of history.leaders) lanes.number(leader === undefined || leader === 0 ? 0 : rename[leader]);
      lanes.number(length).number(history.committedPrefix[length]);
      for (let index = 1; index <= length; index += 1) lanes.number(history.commitTerms[index] === Number.POSITIVE_INFINITY ? -1 : history.commitTerms[index]);
      lanes.digestInto(digests, 2 * p);
    }
    this.historyCache.set(history, digests);
    return digests;
  }
}

/** A world under construction: copies of the parent's arrays, changed in place, then frozen. */
class Draft {
  readonly nodes: NodeState[];
  readonly messages: InFlight[];
  crashes: number;
  requests: number;
  drops: number;
  reorders: number;
  history: History;
  violation: Violation | null = null;
  implementationError: ExploreImplementationError | null = null;

  constructor(world: World, readonly observer: StepObserver | undefined) {
    this.nodes = world.nodes.slice();
    this.messages = world.messages.slice();
    this.crashes = world.crashes;
    this.requests = world.requests;
    this.drops = world.drops;
    this.reorders = world.reorders;
    this.history = world.history;
  }

  removeMessage(index: number): InFlight {
    const [message] = this.messages.splice(index, 1);
    return message;
  }

  addMessage(message: InFlight): void {
    this.messages.push(message);
  }

  finish(): Transition {
    const world: World = {
      nodes: this.nodes,
      messages: this.messages,
      crashes: this.crashes,
      requests: this.requests,
      drops: this.drops,
      reorders: this.reorders,
      history: this.history,
    };
    return { world, violation: this.violation, implementationError: this.implementationError, pruned: null };
  }
}

function hasEarlierOnLink(messages: readonly InFlight[], index: number): boolean {
  const { from, to } = messages[index];
  for (let other = 0; other < index; other += 1) if (messages[other].from === from && messages[other].to === to) return true;
  return false;
}

function applyView(previous: NodeView, state: StateView, change: ViewChange): NodeView {
  let { terms, ids, prefix } = previous;
  const log = state.log;
  if (log !== undefined) {
    const from = Math.max(1, log.from);
    if (from > terms.length) throw new Error(`log delta starts at ${log.from}, past the end of the log (${terms.length - 1})`);
    const newTerms = terms.slice(0, from);
    const newIds = ids.slice(0, from);
    const newPrefix = prefix.slice(0, from);
    let hash = newPrefix[from - 1];
    for (const entry of log.entries) {
      newTerms.push(entry.term);
      newIds.push(entry.commandId);
      hash = chainHash(hash, entry.term, entry.commandId);
      newPrefix.push(hash);
    }
    terms = newTerms;
    ids = newIds;
    prefix = newPrefix;
    change.logChangedFrom = from;
  }
  return { hasView: true, hasLog: previous.hasLog || log !== undefined, role: state.role, term: state.term, commitIndex: state.commitIndex, terms, ids, prefix };
}

function outputProblem(output: Output, id: NodeId, nodes: number): string | null {
  if (output === null || typeof output !== 'object' || !Array.isArray(output.messages) || !Array.isArray(output.records) || !Array.isArray(output.applied)) {
    return 'returned something that is not an output (messages, records, sync, applied, answers)';
  }
  for (const outbound of output.messages) {
    if (outbound.to === id) return `sent a ${outbound.message.type} message to itself`;
    if (!Number.isInteger(outbound.to) || outbound.to < 1 || outbound.to > nodes) return `sent a ${outbound.message.type} message to unknown node ${String(outbound.to)}`;
  }
  return null;
}

function digestInput(previous: readonly [number, number], input: Input): readonly [number, number] {
  const digest: number[] = [];
  new Lanes().reset().number(previous[0]).number(previous[1]).string(JSON.stringify(input)).digestInto(digest, 0);
  return [digest[0], digest[1]];
}

/** Every permutation of 1..n as a rename array (index 0 unused), the identity first. */
function permutations(n: number): NodeId[][] {
  const result: NodeId[][] = [];
  const images = nodeIds(n);
  const permute = (prefix: NodeId[], rest: NodeId[]) => {
    if (rest.length === 0) {
      result.push([0, ...prefix]);
      return;
    }
    for (let index = 0; index < rest.length; index += 1) permute([...prefix, rest[index]], [...rest.slice(0, index), ...rest.slice(index + 1)]);
  };
  permute([], images);
  return result;
}

// Abstract states of a cluster, for coverage-guided search (as ModelFuzz measures coverage on an
// abstract model's states; raftcheck draws them from the state views, so it needs no model).
// A node's abstract state is a small code: its role, how far its term, commit index and log lag
// behind the cluster's, whether its log diverges from the reference log (the leader's of the
// highest term, else the longest of the highest last term), its configuration phase and its
// snapshot state. The cluster's abstract state is the multiset of its nodes' codes (node ids
// left out: the nodes are symmetric) and how many leaders there are; a transition is a pair of
// consecutive, different cluster states. Lags and term differences are bucketed, so the space is
// finite and a new state means a new shape, not a new number. Works for any implementation that
// sends views; a node without one counts as down. Reads only: a run is the same with or without.

import type { ObservedCluster, ObservedNode, StepChange } from '../contract/observation.js';
import { DistinctCounter, type DistinctCountData } from '../core/distinct.js';
import { chainHash } from '../core/hash.js';

/**
 * What one run reached: distinct cluster states and transitions as 52-bit fingerprints (a
 * campaign counts them in bounded memory, src/core/distinct.ts), and distinct transitions of
 * single nodes' coarse states as exact numbers (a far smaller space: it fills up within a
 * campaign, so that reaching a new one still means something after many runs).
 */
export interface AbstractCoverage {
  states: number[];
  transitions: number[];
  nodeTransitions: number[];
}

/** A state's fingerprint: its leader count (0, 1, 2 or more) and its sorted node codes. */
function stateFingerprint(leaders: number, codes: readonly number[]): number {
  let fingerprint = chainHash(0x5354415445, Math.min(leaders, 2), codes.length);
  for (let index = 0; index < codes.length; index += 1) fingerprint = chainHash(fingerprint, codes[index], index);
  return fingerprint;
}

/** A transition's fingerprint, from its two states'. */
function transitionFingerprint(from: number, to: number): number {
  return chainHash(from, Math.floor(to / 0x4000000), to % 0x4000000);
}

/** Bounds per run (a run that reaches more keeps the first ones): the space is finite, but a run is bounded too. */
const statesPerRunMax = 20_000;
const transitionsPerRunMax = 40_000;

/** Coarse node codes stay below this (coarseCodeOf). */
const nodeCodeLimit = 4096;

/** A role's digit: follower 1, candidate 2, leader 3 (compared, not looked up by name: this runs for every node on most steps that move one). */
function roleCodeOf(role: ObservedNode['role']): number {
  return role === 'leader' ? 3 : role === 'candidate' ? 2 : 1;
}

/** 0 for no lag, 1 for a small one (up to three), 2 for more. */
function lagBucket(lag: number): number {
  return lag <= 0 ? 0 : lag <= 3 ? 1 : 2;
}

/** The configuration phase of a node: stable voter, joint, learner, outside its latest configuration. */
function configurationPhase(node: ObservedNode): number {
  const view = node.configuration;
  if (view === null) return 0;
  if (view.latest.votersOutgoing.length > 0) return 1;
  if (view.latest.learners.includes(node.id)) return 2;
  return view.latest.voters.includes(node.id) ? 0 : 3;
}

/** The log the others are measured against: the leader of the highest term, else the most up to date log. */
function referenceNode(nodes: readonly ObservedNode[]): ObservedNode | null {
  let reference: ObservedNode | null = null;
  for (const node of nodes) {
    if (node.up && node.hasView && (reference === null || measuresBetter(node, reference))) reference = node;
  }
  return reference;
}

function measuresBetter(node: ObservedNode, reference: ObservedNode): boolean {
  if (node.role === 'leader' || reference.role === 'leader') return node.role === reference.role ? node.term > reference.term : node.role === 'leader';
  const lastTerm = node.termAt(node.lastIndex);
  const referenceLastTerm = reference.termAt(reference.lastIndex);
  return lastTerm > referenceLastTerm || (lastTerm === referenceLastTerm && node.lastIndex > reference.lastIndex);
}

/** 0: consistent with the reference log where both have entries; 1: diverged; 2: unknown (under a snapshot). */
function divergence(node: ObservedNode, reference: ObservedNode): number {
  const index = Math.min(node.lastIndex, reference.lastIndex);
  if (index === 0) return 0;
  if (index <= node.anchorIndex || index <= reference.anchorIndex) return 2;
  return node.termAt(index) === reference.termAt(index) ? 0 : 1;
}

/** A node's abstract state as one small integer (0: down or no view). */
function nodeCode(node: ObservedNode, reference: ObservedNode, termMax: number, commitMax: number): number {
  if (!node.up || !node.hasView) return 0;
  const termBehind = Math.min(2, termMax - node.term);
  const logDifference = reference.lastIndex - node.lastIndex;
  const logLag = logDifference < 0 ? 3 : lagBucket(logDifference);
  // A leader without an entry of its own term yet: Figure 8's dangerous moment.
  const ownTermEntry = node.role === 'leader' && node.termAt(node.lastIndex) === node.term ? 1 : 0;
  const snapshot = node.anchorIndex > 0 ? 2 : node.snapshotIndex > 0 ? 1 : 0;
  let code = roleCodeOf(node.role);
  code = code * 3 + termBehind;
  code = code * 3 + lagBucket(commitMax - node.commitIndex);
  code = code * 4 + logLag;
  code = code * 3 + divergence(node, reference);
  code = code * 4 + configurationPhase(node);
  code = code * 3 + snapshot;
  return code * 2 + ownTermEntry;
}

/**
 * Whether a step left everything an abstract state reads of its node as it was: role, term,
 * commit, log, configuration and snapshot (the other nodes did not move in it).
 */
function changesNothingRead(change: StepChange, node: ObservedNode): boolean {
  return (
    !change.started &&
    change.logChangedFrom === Infinity &&
    node.role === change.previousRole &&
    node.term === change.previousTerm &&
    node.commitIndex === change.previousCommitIndex &&
    node.lastIndex === change.previousLastIndex &&
    node.configuration === change.previousConfiguration &&
    change.snapshotTaken === undefined &&
    change.snapshotInstalled === undefined
  );
}

/** Nodes up with a view: a crash changes it between steps, without a step of its own. */
function nodesSeen(nodes: readonly ObservedNode[]): number {
  let seen = 0;
  for (const node of nodes) if (node.up && node.hasView) seen += 1;
  return seen;
}

function sameCodes(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** Inserts `code` into ascending `codes`, whose first `count` places are taken (a handful of nodes: an insertion sort). */
function insertSorted(codes: number[], count: number, code: number): void {
  let at = count;
  while (at > 0 && codes[at - 1] > code) {
    codes[at] = codes[at - 1];
    at -= 1;
  }
  codes[at] = code;
}

/**
 * A node's code with the lags only as lagging or not and the snapshot state left out: the space
 * node transitions are counted in, small enough to fill up within a campaign.
 */
function coarseCodeOf(code: number): number {
  if (code === 0) return 0;
  // nodeCode's digits, last first.
  let rest = code;
  const ownTermEntry = rest % 2;
  rest = Math.floor(rest / 2);
  rest = Math.floor(rest / 3); // the snapshot state
  const configuration = rest % 4;
  rest = Math.floor(rest / 4);
  const diverged = rest % 3;
  rest = Math.floor(rest / 3);
  const logLag = rest % 4;
  rest = Math.floor(rest / 4);
  const commitLag = Math.min(1, rest % 3);
  rest = Math.floor(rest / 3);
  const termBehind = Math.min(1, rest % 3);
  const role = Math.floor(rest / 3);
  return ((((((role * 2 + termBehind) * 2 + commitLag) * 4 + logLag) * 3 + diverged) * 4 + configuration) * 2 + ownTermEntry) + 1;
}

/** Node codes are below this: nodeCode's digits, role (0 to 3) first. */
const nodeCodeCount = 4 * 3 * 3 * 4 * 3 * 4 * 3 * 2;
/** coarseCodeOf of every node code, computed once: this is read for every node on every step that moves one. */
const coarseCodes = Int16Array.from({ length: nodeCodeCount }, (_, code) => coarseCodeOf(code));

/** One run's abstract coverage: fed the cluster after every step, read at the end. */
export class AbstractStates {
  /** Each distinct state met, by its number (in the order met): its fingerprint, and its sorted codes. */
  private readonly fingerprints: number[] = [];
  private readonly codesOf: number[][] = [];
  /** State numbers by a hash of their codes (a bucket per hash: codes are compared, never trusted to the hash). */
  private readonly byHash = new Map<number, number[]>();
  /**
   * Transitions, as the states each state led to (by number: small integers make cheap set keys,
   * and this is met on every step that moves the state); fingerprinted once, when the run is read.
   */
  private readonly transitionsFrom: (Set<number> | undefined)[] = [];
  private transitionCount = 0;
  private codes: number[] = [];
  /** The codes of the cluster at hand, sorted in place (kept to spare an allocation per step). */
  private readonly scratch: number[] = [];
  private seen = -1;
  /** Each node's snapshot and anchor index at the last look: a view may move them without reporting a snapshot. */
  private readonly snapshotAt: number[] = [];
  private previous = -1;
  /** Transitions of single nodes' coarse codes, as (from + 1) x nodeCodeLimit + to. */
  private readonly nodeTransitions = new Set<number>();
  /** Each node's coarse code at the last look (by position in the cluster's nodes). */
  private readonly nodeCodes: number[] = [];
  /**
   * What the last look computed from, so that a step that moved one node recomputes that node's
   * code alone (onlyMoved): each node's full code and mirror, the reference node, the highest
   * term and commit index, and which nodes were up with a view (a bit per position). A null
   * reference: no look to build on.
   */
  private readonly lookedCodes: number[] = [];
  private readonly lookedNodes: ObservedNode[] = [];
  private lookedReference: ObservedNode | null = null;
  private lookedTermMax = 0;
  private lookedCommitMax = 0;
  private lookedSeenMask = 0;

  /**
   * After every step, with the cluster as observed after it, and the step's change when there is
   * one: a step that changed nothing the abstract state reads, with the same nodes seen as at the
   * last look, leaves the state as it was (most steps: heartbeats, ticks, acknowledgements).
   */
  stepped(cluster: ObservedCluster, change?: StepChange): void {
    const nodes = cluster.nodes;
    const seen = nodesSeen(nodes);
    if (change !== undefined && seen === this.seen && this.unmoved(change, cluster.mirror(change.node))) return;
    this.seen = seen;
    for (const node of nodes) this.snapshotAt[node.id] = node.snapshotIndex * 2 ** 26 + node.anchorIndex;
    const reference = referenceNode(nodes);
    if (reference === null) {
      this.lookedReference = null;
      return;
    }
    let termMax = 0;
    let commitMax = 0;
    let leaders = 0;
    let seenMask = 0;
    for (let index = 0; index < nodes.length; index += 1) {
      const node = nodes[index];
      if (!node.up || !node.hasView) continue;
      termMax = Math.max(termMax, node.term);
      commitMax = Math.max(commitMax, node.commitIndex);
      if (node.role === 'leader') leaders += 1;
      seenMask |= 1 << (index & 31);
    }
    const only = this.onlyMoved(nodes, change, reference, termMax, commitMax, seenMask);
    this.lookedReference = reference;
    this.lookedTermMax = termMax;
    this.lookedCommitMax = commitMax;
    this.lookedSeenMask = seenMask;
    const codes = this.scratch;
    if (codes.length !== nodes.length) {
      codes.length = 0;
      for (const _ of nodes) codes.push(0);
    }
    for (let index = 0; index < nodes.length; index += 1) {
      const code = only === -1 || only === index ? nodeCode(nodes[index], reference, termMax, commitMax) : this.lookedCodes[index];
      this.lookedCodes[index] = code;
      this.lookedNodes[index] = nodes[index];
      this.nodeStepped(index, code);
      insertSorted(codes, index, code);
    }
    if (sameCodes(codes, this.codes)) return;
    const state = this.numberOf(codes, leaders);
    this.codes = this.codesOf[state];
    if (this.previous !== -1 && this.transitionCount < transitionsPerRunMax) this.addTransition(this.previous, state);
    this.previous = state;
  }

  /**
   * The position of the one node whose code a step can have moved, or -1 to recompute them all.
   * Between two looks only the stepping node's mirror moves, but for a crash (it changes which
   * nodes are seen) and a start: so when the step is no start, the same nodes are seen, the
   * mirrors are the same objects, and the reference node, the highest term and the highest
   * commit index are as they were (the reference not the stepping node, whose log may have
   * moved), every other node's code is what the last look computed.
   */
  private onlyMoved(nodes: readonly ObservedNode[], change: StepChange | undefined, reference: ObservedNode, termMax: number, commitMax: number, seenMask: number): number {
    if (change === undefined || change.started || nodes.length > 31 || nodes.length !== this.lookedNodes.length) return -1;
    if (reference !== this.lookedReference || termMax !== this.lookedTermMax || commitMax !== this.lookedCommitMax || seenMask !== this.lookedSeenMask) return -1;
    let only = -1;
    for (let index = 0; index < nodes.length; index += 1) {
      const node = nodes[index];
      if (node !== this.lookedNodes[index]) return -1;
      if (node.id === change.node) only = index;
    }
    return only === -1 || nodes[only] === reference ? -1 : only;
  }

  private addTransition(from: number, to: number): void {
    let targets = this.transitionsFrom[from];
    if (targets === undefined) this.transitionsFrom[from] = targets = new Set();
    if (targets.has(to)) return;
    targets.add(to);
    this.transitionCount += 1;
  }

  private nodeStepped(index: number, code: number): void {
    const before = this.nodeCodes[index] ?? -1;
    const after = coarseCodes[code];
    if (after !== before && this.nodeTransitions.size < transitionsPerRunMax) this.nodeTransitions.add((before + 1) * nodeCodeLimit + after);
    this.nodeCodes[index] = after;
  }
  /** The number of the state of these (sorted) codes, given one the first time it is met (with a copy of them). */
  private numberOf(codes: readonly number[], leaders: number): number {
    let hash = leaders;
    for (const code of codes) hash = Math.imul(hash ^ code, 0x9e3779b1) ^ (hash >>> 15);
    // 30 bits: a small integer makes a cheap map key (buckets compare the codes anyway).
    hash &= 0x3fffffff;
    const bucket = this.byHash.get(hash);
    if (bucket !== undefined) {
      for (const state of bucket) if (sameCodes(this.codesOf[state], codes)) return state;
    }
    const state = this.fingerprints.length;
    this.fingerprints.push(stateFingerprint(leaders, codes));
    this.codesOf.push(codes.slice());
    if (bucket === undefined) this.byHash.set(hash, [state]);
    else bucket.push(state);
    return state;
  }

  private unmoved(change: StepChange, node: ObservedNode): boolean {
    return changesNothingRead(change, node) && this.snapshotAt[node.id] === node.snapshotIndex * 2 ** 26 + node.anchorIndex;
  }

  /** What the run reached, sorted (so equal runs give equal lists). */
  reached(): AbstractCoverage {
    const fingerprints = this.fingerprints;
    const transitions = new Float64Array(this.transitionCount);
    let at = 0;
    for (let from = 0; from < this.transitionsFrom.length; from += 1) {
      const targets = this.transitionsFrom[from];
      if (targets !== undefined) for (const to of targets) transitions[at++] = transitionFingerprint(fingerprints[from], fingerprints[to]);
    }
    return { states: sortedNumbers(fingerprints.slice(0, statesPerRunMax)), transitions: sortedNumbers(transitions), nodeTransitions: [...this.nodeTransitions].sort(ascending) };
  }
}

const ascending = (a: number, b: number) => a - b;

/**
 * Whole numbers below 2^53 in ascending order, as a plain array: a typed array sorts numerically
 * without calling a comparator (tens of thousands of fingerprints at the end of every run).
 */
function sortedNumbers(values: readonly number[] | Float64Array): number[] {
  const sorted = Float64Array.from(values).sort();
  // A loop, not Array.from: that walks the typed array through its iterator.
  const out: number[] = [];
  for (let index = 0; index < sorted.length; index += 1) out.push(sorted[index]);
  return out;
}

/** A campaign's counts of distinct abstract states and transitions, and whether they are estimates. */
export interface CoverageCounts {
  states: number;
  transitions: number;
  nodeTransitions: number;
  /** Past exactDistinctMax (src/core/distinct.ts) a count is a HyperLogLog estimate, within about 1%. */
  statesEstimated: boolean;
  transitionsEstimated: boolean;
}

/** A campaign's coverage as JSON: a report folder's coverage.json, which merge joins. */
export interface CoverageUnionData {
  states: DistinctCountData;
  transitions: DistinctCountData;
  nodeTransitions: number[];
}

/**
 * A campaign's abstract coverage: the union of its runs', in bounded memory (cluster states and
 * transitions counted by DistinctCounter, node transitions kept exactly: a few hundred at most).
 */
export class CoverageUnion {
  private readonly states = new DistinctCounter();
  private readonly transitions = new DistinctCounter();
  private readonly nodeTransitions = new Set<number>();

  /** Adds a run's coverage; how many node transitions it reached first. */
  add(coverage: AbstractCoverage | undefined): number {
    if (coverage === undefined) return 0;
    for (const state of coverage.states) this.states.add(state);
    for (const transition of coverage.transitions) this.transitions.add(transition);
    let added = 0;
    for (const transition of coverage.nodeTransitions) {
      if (this.nodeTransitions.has(transition)) continue;
      this.nodeTransitions.add(transition);
      added += 1;
    }
    return added;
  }

  /** Adds what a shard's union (its coverage.json) holds; false when its data are not a sketch of this kind. */
  merge(data: CoverageUnionData): boolean {
    const states = DistinctCounter.fromData(data.states);
    const transitions = DistinctCounter.fromData(data.transitions);
    if (states === null || transitions === null) return false;
    this.states.merge(states);
    this.transitions.merge(transitions);
    for (const transition of data.nodeTransitions) this.nodeTransitions.add(transition);
    return true;
  }

  counts(): CoverageCounts {
    const states = this.states;
    const transitions = this.transitions;
    return { states: states.count(), transitions: transitions.count(), nodeTransitions: this.nodeTransitions.size, statesEstimated: !states.isExact, transitionsEstimated: !transitions.isExact };
  }

  toData(): CoverageUnionData {
    return { states: this.states.toData(), transitions: this.transitions.toData(), nodeTransitions: [...this.nodeTransitions].sort(ascending) };
  }
}

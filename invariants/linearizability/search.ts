// The search for a linearization of one key's history: Wing and Gong's depth-first search with
// Lowe's memoization, the algorithm of Porcupine (github.com/anishathalye/porcupine) and Knossos.
//
// The history becomes one list of events, invocations and completions, sorted by time. The
// search walks the list from its front: an invocation there belongs to an operation that may
// take effect now (nothing still unlinearized completed before it was invoked), so it tries it
// against the model; if the model accepts and the pair (set of linearized operations, model
// state) is new, the operation is linearized and lifted out of the list. Reaching a completion
// means the search passed an operation that has already returned without linearizing it: a dead
// end, so it backtracks and tries the next candidate. The memo of (set, state) pairs is what makes
// this fast: two orders of the same operations that leave the same value are the same future.
//
// Tie rule: at equal times an invocation sorts before a completion. Real-time order needs A's
// completion strictly before B's invocation; an operation invoked in the same millisecond another
// one completes is treated as concurrent with it. That is the permissive reading: a coarse clock
// can never produce a false alarm, at the price of missing a violation that needs sub-millisecond
// ordering to show.
//
// Indeterminate operations (no completion) have their completion at +infinity: they may take
// effect at any time after their invocation, or never. "Never" needs no special case: the search
// succeeds once every completed operation is linearized, and whatever indeterminate puts and
// appends are left over are simply dropped (equivalently, they took effect after everything else,
// where no completed operation can see them). An indeterminate get observed nothing and constrains
// nothing, so it is left out of the search altogether.
//
// Three prunings on top of Porcupine's search, each exact (it never changes a verdict). A failing
// history must be searched exhaustively up to its failure, and without them an indeterminate write
// stays a candidate to the end of the history, doubling what is left to search (measured on a
// failing single-key history of 2,000 operations, 5% of them indeterminate: past 30,000,000 steps
// without them, about 160,000 with them):
// - forced reads: a get that reads the current value is linearized at once, with no alternative;
// - unseen writes: an indeterminate write that no remaining read could see is never a candidate,
//   and counts as linearized in the memo (both futures are the same);
// - useless appends: an indeterminate append is only tried where some remaining read could still
//   see it on top of the current value.
// Each is argued where it is applied.
//
// Cuts: the search runs on "the history as it stood once the first k completions had happened":
// the operations invoked by then, where an operation that completed later counts as indeterminate
// (its result was not known yet). The full history is the cut of all completions; the first
// failing cut is where the shortest failing prefix ends (see explain.ts).
//
// Cost: about a few steps per operation when the history is linearizable and concurrency is low;
// in the worst case exponential in the number of operations in flight at once on one key (the
// problem is NP-complete), which is what stepsMax is for.

import { HarnessBug } from '../../src/core/assert.js';
import { wallClockMs } from '../../src/core/wallClock.js';
import { operationCode } from './history.js';
import type { KeyHistory } from './history.js';

/** Work allowed to one or more searches; they share it and record what they spent. */
export interface SearchBudget {
  stepsMax: number;
  stepsUsed: number;
  /** Wall-clock deadline (wallClockMs units); +Infinity when there is no time budget. */
  deadlineMs: number;
  /** Why the budget ran out, once it has. */
  exhausted: 'steps' | 'time' | null;
}

export function createBudget(options: { stepsMax: number; timeBudgetMs?: number }): SearchBudget {
  return {
    stepsMax: options.stepsMax,
    stepsUsed: 0,
    deadlineMs: options.timeBudgetMs === undefined ? Number.POSITIVE_INFINITY : wallClockMs() + options.timeBudgetMs,
    exhausted: null,
  };
}

export interface SearchRequest {
  history: KeyHistory;
  /** How many completions of history.completionOrder have happened: 0..its length. */
  completions: number;
  budget: SearchBudget;
  /**
   * Explaining a violation: the completed get at this index of history.operations may read any
   * value, and the search collects the values it could have read (each one of a full
   * linearization), up to valuesMax.
   */
  readAnyValue?: { operationIndex: number; valuesMax: number };
}

export interface SearchOutcome {
  verdict: 'linearizable' | 'not-linearizable' | 'budget-exhausted';
  /** With readAnyValue: the values the get could have read, in the order found. */
  readValues: (string | null)[];
  /** With readAnyValue: false when the search stopped early (budget, or valuesMax reached). */
  readValuesComplete: boolean;
  /**
   * The most leading completions (of history.completionOrder) that any configuration the search
   * reached had all linearized. When the cut fails, the cut of frontier completions is
   * linearizable and the next one is not (see explain.ts), so frontier + 1 is the first failing cut.
   */
  frontier: number;
}

/**
 * Memory limits of one search: the memo (estimated bytes of its entries) and the interned model
 * states (total characters; appends make long, ever new values). Past either, the search stops
 * remembering new configurations: it stays correct, only loses pruning, and the step budget still
 * bounds it.
 */
const memoBytesMax = 256 * 1024 * 1024;
const memoEntryBytes = 96;
const stateCharactersMax = 64 * 1024 * 1024;

/** A state id for a value past stateCharactersMax: such configurations are not remembered. */
const notInterned = -1;
/** The read value id while the read that may read anything is not linearized. */
const noReadValue = -2;

/** How often (in steps) the wall clock is read when there is a time budget. */
const clockStepsInterval = 1024;

/** Most reads looked at to decide that an append is useless; past it, it is tried anyway. */
const usefulnessReadsMax = 64;

/** A 32-bit integer mixer (a variant of murmur3's finalizer), for Zobrist keys. */
function mix32(input: number): number {
  let x = input | 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) | 0;
}

interface MemoEntry {
  hashHigh: number;
  stateId: number;
  words: Uint32Array;
}

const getCode = operationCode.get;
const putCode = operationCode.put;

/**
 * The completed gets (indexes into history.operations) that could have seen the write at this
 * index: their result contains the write's argument (a put's value starts every value read until
 * the next put; an append's suffix stays inside it until then), and they did not complete before
 * the write was invoked. Cached on the history, since the binary search asks for every cut.
 */
function observersOf(history: KeyHistory, index: number): number[] {
  const cached = history.observers.get(index);
  if (cached !== undefined) return cached;
  const write = history.operations[index];
  const observers: number[] = [];
  for (const candidate of history.completionOrder) {
    const read = history.operations[candidate];
    if (read.code !== getCode || read.result === null || read.completeMs < write.invokeMs) continue;
    if (write.code === putCode ? read.result.startsWith(write.argument) : read.result.includes(write.argument)) observers.push(candidate);
  }
  history.observers.set(index, observers);
  return observers;
}

/**
 * The operations a cut needs, as indexes into history.operations: those invoked by the cut
 * (invocations at its very time included, by the tie rule), minus two kinds that cannot change
 * the verdict:
 * - gets whose result is not known (indeterminate, or completed after the cut): they constrain
 *   nothing;
 * - writes whose completion is not known that no known read could have seen (unless a read may
 *   read anything, for an explanation). In any valid order every read between such a write and
 *   the next put would contain its argument, so there is none, and leaving the write out changes
 *   no read; a valid order without it stays valid with it added at the very end. So it is as if
 *   it never took effect.
 */
function selectOperations(history: KeyHistory, completions: number, knownCompleted: Uint8Array, collecting: boolean): number[] {
  const cutMs = history.operations[history.completionOrder[completions - 1]].completeMs;
  const selected: number[] = [];
  for (let index = 0; index < history.operations.length; index += 1) {
    const operation = history.operations[index];
    if (operation.invokeMs > cutMs) break;
    if (knownCompleted[index] === 0) {
      if (operation.code === getCode) continue;
      if (!collecting && !observersOf(history, index).some((read) => knownCompleted[read] === 1)) continue;
    }
    selected.push(index);
  }
  return selected;
}

export function searchKey(request: SearchRequest): SearchOutcome {
  if (request.completions === 0) return { verdict: 'linearizable', readValues: [], readValuesComplete: true, frontier: 0 };
  return new KeySearch(request).run();
}

/** A cut's operations renumbered 0..count-1 in history order ("local" operations), as columns. */
interface CutOperations {
  count: number;
  sourceIndexes: number[];
  /** The local number of each operation of history.operations, -1 when it is not in the cut. */
  localIndex: Int32Array;
  code: Uint8Array;
  completed: Uint8Array;
  argument: string[];
  result: (string | null)[];
  invokeMs: Float64Array;
  /** +Infinity for an operation whose completion the cut does not know. */
  completeMs: Float64Array;
  completedCount: number;
  /** The read that may read anything, -1 when there is none. */
  readAnyOperation: number;
  /** Completions in order, as local operations, for the frontier. */
  completionLocal: Int32Array;
}

function cutOperations(request: SearchRequest): CutOperations {
  const { history, completions } = request;
  const knownCompleted = new Uint8Array(history.operations.length);
  for (let index = 0; index < completions; index += 1) knownCompleted[history.completionOrder[index]] = 1;
  const sourceIndexes = selectOperations(history, completions, knownCompleted, request.readAnyValue !== undefined);
  const count = sourceIndexes.length;
  const cut: CutOperations = {
    count,
    sourceIndexes,
    localIndex: new Int32Array(history.operations.length).fill(-1),
    code: new Uint8Array(count),
    completed: new Uint8Array(count),
    argument: new Array<string>(count),
    result: new Array<string | null>(count),
    invokeMs: new Float64Array(count),
    completeMs: new Float64Array(count),
    completedCount: 0,
    readAnyOperation: -1,
    completionLocal: new Int32Array(completions),
  };
  for (let local = 0; local < count; local += 1) {
    const sourceIndex = sourceIndexes[local];
    const operation = history.operations[sourceIndex];
    cut.localIndex[sourceIndex] = local;
    cut.code[local] = operation.code;
    cut.argument[local] = operation.argument;
    cut.result[local] = operation.result;
    cut.invokeMs[local] = operation.invokeMs;
    cut.completed[local] = knownCompleted[sourceIndex];
    cut.completeMs[local] = cut.completed[local] === 1 ? operation.completeMs : Number.POSITIVE_INFINITY;
    cut.completedCount += cut.completed[local];
    if (request.readAnyValue !== undefined && request.readAnyValue.operationIndex === sourceIndex) cut.readAnyOperation = local;
  }
  for (let position = 0; position < completions; position += 1) cut.completionLocal[position] = cut.localIndex[history.completionOrder[position]];
  if (request.readAnyValue !== undefined && cut.readAnyOperation === -1) {
    throw new HarnessBug('searchKey: the read to explain is not a completed get of the cut');
  }
  return cut;
}

/**
 * Who could see whom, for the writes whose completion is not known: observers[w] lists the reads
 * that could see write w, observed[r] the writes read r could see. The read that may read
 * anything could see every write.
 */
interface Visibility {
  observers: number[][];
  observed: (readonly number[])[];
  observersRemaining: Int32Array;
}

function visibilityOf(history: KeyHistory, cut: CutOperations): Visibility {
  const { count, completed, code, localIndex, readAnyOperation } = cut;
  const observers: number[][] = new Array<number[]>(count);
  const noOperations: readonly number[] = [];
  const observed: (readonly number[])[] = new Array<readonly number[]>(count).fill(noOperations);
  const observersRemaining = new Int32Array(count);
  for (let local = 0; local < count; local += 1) {
    if (completed[local] === 1 || code[local] === getCode) continue;
    const reads: number[] = [];
    for (const read of observersOf(history, cut.sourceIndexes[local])) {
      const readLocal = localIndex[read];
      if (readLocal >= 0 && completed[readLocal] === 1 && readLocal !== readAnyOperation) reads.push(readLocal);
    }
    if (readAnyOperation >= 0) reads.push(readAnyOperation);
    observers[local] = reads;
    observersRemaining[local] = reads.length;
    for (const read of reads) {
      if (observed[read] === noOperations) observed[read] = [];
      (observed[read] as number[]).push(local);
    }
  }
  return { observers, observed, observersRemaining };
}

/**
 * Events as a doubly linked list: node 2o+1 is the invocation of local operation o, 2o+2 its
 * completion, node 0 the head; next[] of the last node is -1. Sorted by time, invocations first at
 * equal times (the tie rule), then by operation so the order never depends on the sort's stability.
 */
function eventList(cut: CutOperations): { next: Int32Array; previous: Int32Array } {
  const { count, invokeMs, completeMs } = cut;
  const nodeCount = 2 * count + 1;
  const order: number[] = new Array<number>(2 * count);
  for (let node = 1; node < nodeCount; node += 1) order[node - 1] = node;
  const nodeTime = (node: number): number => ((node & 1) === 1 ? invokeMs[(node - 1) >> 1] : completeMs[(node - 1) >> 1]);
  order.sort((a, b) => {
    const timeA = nodeTime(a);
    const timeB = nodeTime(b);
    if (timeA !== timeB) return timeA < timeB ? -1 : 1;
    const returnA = a & 1 ? 0 : 1;
    const returnB = b & 1 ? 0 : 1;
    if (returnA !== returnB) return returnA - returnB;
    return a - b;
  });
  const next = new Int32Array(nodeCount);
  const previous = new Int32Array(nodeCount);
  let last = 0;
  for (const node of order) {
    next[last] = node;
    previous[node] = last;
    last = node;
  }
  next[last] = -1;
  return { next, previous };
}

/** One search over one cut: the cut's columns, the event list, the memo, and the path taken. */
class KeySearch {
  private readonly code: Uint8Array;
  private readonly completed: Uint8Array;
  private readonly argument: string[];
  private readonly result: (string | null)[];
  private readonly readAnyOperation: number;
  private readonly completionLocal: Int32Array;
  private readonly completions: number;
  private readonly collecting: boolean;
  private readonly observers: number[][];
  private readonly observed: (readonly number[])[];
  private readonly observersRemaining: Int32Array;
  private readonly next: Int32Array;
  private readonly previous: Int32Array;
  private completedRemaining: number;

  // The memo's set, with two incremental 32-bit Zobrist hashes of it: the linearized operations
  // and the unseen writes (see settle). `taken` is the linearized operations alone.
  private readonly wordCount: number;
  private readonly memoSet: Uint32Array;
  private readonly taken: Uint8Array;
  private readonly zobristLow: Int32Array;
  private readonly zobristHigh: Int32Array;
  private hashLow = 0;
  private hashHigh = 0;

  /** Model states, interned to small ids so the memo compares numbers, not strings. */
  private readonly stateIds = new Map<string, number>();
  private stateCharacters = 0;
  private readonly pairIds = new Map<string, number>();
  private readonly memo = new Map<number, MemoEntry[]>();
  private memoBytes = 0;

  private readonly readValues: (string | null)[] = [];
  private readonly found = new Set<string | null>();
  private readonly valuesMax: number;
  private readValue: string | null = null;
  private readValueId = noReadValue;

  // The path: each linearized operation with the state before it, and whether it was a forced
  // read (see forcedRead), whose parent configuration has no other choice worth trying.
  private readonly stackOperation: Int32Array;
  private readonly stackForced: Uint8Array;
  private readonly stackState: (string | null)[];
  private readonly stackStateId: Int32Array;
  private readonly stackFrontier: Int32Array;
  private depth = 0;
  private frontier = 0;
  private frontierMax = 0;
  private state: string | null = null;
  private stateId = 0;
  private cursor = 0;
  /** True at a configuration not yet scanned for a read it can take at once. */
  private fresh = true;

  private readonly budget: SearchBudget;
  private readonly stepsMax: number;
  private steps: number;
  private readonly deadlineMs: number;
  private readonly timed: boolean;
  private readonly exhaustedVerdict: SearchOutcome['verdict'];

  constructor(request: SearchRequest) {
    const cut = cutOperations(request);
    const count = cut.count;
    ({ code: this.code, completed: this.completed, argument: this.argument, result: this.result } = cut);
    ({ readAnyOperation: this.readAnyOperation, completionLocal: this.completionLocal } = cut);
    this.completedRemaining = cut.completedCount;
    this.completions = request.completions;
    this.collecting = request.readAnyValue !== undefined;
    this.valuesMax = request.readAnyValue?.valuesMax ?? 0;
    ({ observers: this.observers, observed: this.observed, observersRemaining: this.observersRemaining } = visibilityOf(request.history, cut));
    ({ next: this.next, previous: this.previous } = eventList(cut));
    this.wordCount = (count + 31) >>> 5;
    this.memoSet = new Uint32Array(this.wordCount);
    this.taken = new Uint8Array(count);
    this.zobristLow = new Int32Array(count);
    this.zobristHigh = new Int32Array(count);
    for (let local = 0; local < count; local += 1) {
      this.zobristLow[local] = mix32(2 * local + 1);
      this.zobristHigh[local] = mix32(mix32(2 * local + 2) ^ 0x9e3779b9);
    }
    for (let local = 0; local < count; local += 1) {
      if (this.completed[local] === 0 && this.code[local] !== getCode && this.observersRemaining[local] === 0) this.toggle(local);
    }
    this.stackOperation = new Int32Array(count);
    this.stackForced = new Uint8Array(count);
    this.stackState = new Array<string | null>(count);
    this.stackStateId = new Int32Array(count);
    this.stackFrontier = new Int32Array(count);
    this.budget = request.budget;
    this.stepsMax = request.budget.stepsMax;
    this.steps = request.budget.stepsUsed;
    this.deadlineMs = request.budget.deadlineMs;
    this.timed = this.deadlineMs !== Number.POSITIVE_INFINITY;
    this.exhaustedVerdict = this.collecting ? 'linearizable' : 'not-linearizable';
  }

  run(): SearchOutcome {
    for (;;) {
      const outcome = this.completedRemaining === 0 ? this.complete() : this.step();
      if (outcome !== null) return outcome;
    }
  }

  /** Every completed operation is linearized: the verdict, or, while collecting, one more value. */
  private complete(): SearchOutcome | null {
    if (!this.collecting) return this.finish('linearizable', true);
    this.found.add(this.readValue);
    this.readValues.push(this.readValue);
    if (this.found.size >= this.valuesMax) return this.finish('linearizable', false);
    // Pretend this was a dead end, to go on looking for other values the read could see.
    return this.backtrack() ? null : this.finish('linearizable', true);
  }

  /** One step from the current configuration; the outcome when the search ends there. */
  private step(): SearchOutcome | null {
    if (this.steps >= this.stepsMax) return this.exhaust('steps');
    this.steps += 1;
    if (this.timed && this.steps % clockStepsInterval === 0 && wallClockMs() > this.deadlineMs) return this.exhaust('time');
    if (this.fresh) {
      this.fresh = false;
      const forcedRead = this.forcedRead();
      if (forcedRead >= 0) return this.takeForcedRead(forcedRead);
      this.cursor = this.next[0];
    }
    const cursor = this.cursor;
    if (cursor < 0) throw new HarnessBug('searchKey: ran off the event list with completed operations left');
    if ((cursor & 1) === 0) {
      // A completion of an operation not yet linearized: every order from here leaves it out.
      return this.backtrack() ? null : this.finish(this.exhaustedVerdict, true);
    }
    const operation = (cursor - 1) >> 1;
    if (this.isCandidate(operation) && this.tryLinearize(operation)) return null;
    this.cursor = this.next[cursor];
    return null;
  }

  /**
   * Forced reads: a get that can be linearized now and reads the current value may as well be
   * linearized now. Take any valid order from here, move the get to the front: nothing it must
   * follow is left (its invocation is ahead of every remaining completion), and it changes no
   * state. So if taking it first fails, this whole configuration fails, and the search need not
   * try the writes around it in every order: the backtrack skips past it. -1 when there is none.
   */
  private forcedRead(): number {
    let node = this.next[0];
    while (node > 0 && (node & 1) === 1) {
      const operation = (node - 1) >> 1;
      if (this.code[operation] === getCode && operation !== this.readAnyOperation && this.result[operation] === this.state) return operation;
      node = this.next[node];
    }
    return -1;
  }

  private takeForcedRead(operation: number): SearchOutcome | null {
    this.settle(operation);
    if (this.remember(this.memoStateId(this.stateId, this.readValueId))) {
      this.push(operation, true, this.state, this.stateId);
      return null;
    }
    this.unsettle(operation);
    return this.backtrack() ? null : this.finish(this.exhaustedVerdict, true);
  }

  /** Whether the operation at the cursor is worth trying from here. */
  private isCandidate(operation: number): boolean {
    const code = this.code[operation];
    // Other gets need no try: the scan for forced reads found none that reads the current value.
    if (code === getCode) return operation === this.readAnyOperation && !this.found.has(this.state);
    if (this.completed[operation] === 1) return true;
    return this.observersRemaining[operation] > 0 && (code === putCode || this.appendUseful(operation, this.state ?? ''));
  }

  /** Linearizes the operation unless its configuration was explored already; whether it did. */
  private tryLinearize(operation: number): boolean {
    const code = this.code[operation];
    const nextState: string | null =
      code === getCode ? this.state : code === putCode ? this.argument[operation] : (this.state ?? '') + this.argument[operation];
    const nextStateId = code === getCode ? this.stateId : this.internState(nextState);
    const nextReadValueId = operation === this.readAnyOperation ? nextStateId : this.readValueId;
    this.settle(operation);
    if (!this.remember(this.memoStateId(nextStateId, nextReadValueId))) {
      this.unsettle(operation);
      return false;
    }
    if (operation === this.readAnyOperation) {
      this.readValue = nextState;
      this.readValueId = nextReadValueId;
    }
    this.push(operation, false, nextState, nextStateId);
    return true;
  }

  private exhaust(reason: 'steps' | 'time'): SearchOutcome {
    this.budget.exhausted = reason;
    return this.finish('budget-exhausted', false);
  }

  private finish(verdict: SearchOutcome['verdict'], readValuesComplete: boolean): SearchOutcome {
    this.budget.stepsUsed = this.steps;
    return { verdict, readValues: this.readValues, readValuesComplete, frontier: this.frontierMax };
  }

  // Dancing links: lifting removes an operation's two nodes, unlifting (in reverse order, last
  // lifted first) puts them back exactly where they were.
  private unlink(node: number): void {
    const { next, previous } = this;
    next[previous[node]] = next[node];
    if (next[node] !== -1) previous[next[node]] = previous[node];
  }

  private relink(node: number): void {
    const { next, previous } = this;
    next[previous[node]] = node;
    if (next[node] !== -1) previous[next[node]] = node;
  }

  private toggle(operation: number): void {
    this.memoSet[operation >>> 5] ^= 1 << (operation & 31);
    this.hashLow ^= this.zobristLow[operation];
    this.hashHigh ^= this.zobristHigh[operation];
  }

  // Unseen writes: once every read that could see an indeterminate write is linearized and the
  // write is not, no valid future linearizes it usefully (the argument of selectOperations, on
  // what is left), so it is never tried again, and it counts as linearized in the memo: having
  // taken it earlier, or never, leaves the same future.
  private settle(operation: number): void {
    this.taken[operation] = 1;
    this.toggle(operation);
    for (const write of this.observed[operation]) {
      this.observersRemaining[write] -= 1;
      if (this.observersRemaining[write] === 0 && this.taken[write] === 0) this.toggle(write);
    }
  }

  private unsettle(operation: number): void {
    for (const write of this.observed[operation]) {
      if (this.observersRemaining[write] === 0 && this.taken[write] === 0) this.toggle(write);
      this.observersRemaining[write] += 1;
    }
    this.toggle(operation);
    this.taken[operation] = 0;
  }

  // Useless appends: an indeterminate append taken now, on value s, is only ever seen by a read
  // that starts with s and has the suffix after it (only appends may come between, a put would
  // erase it). If no remaining read does, a valid order that takes it now stays valid without it,
  // and that order is tried anyway; so it need not be tried now.
  private appendUseful(operation: number, current: string): boolean {
    if (this.readAnyOperation >= 0 && this.taken[this.readAnyOperation] === 0) return true;
    const suffix = this.argument[operation];
    let looked = 0;
    for (const read of this.observers[operation]) {
      if (this.taken[read] === 1) continue;
      const text = this.result[read] as string;
      if (text.startsWith(current) && text.indexOf(suffix, current.length) >= 0) return true;
      looked += 1;
      if (looked >= usefulnessReadsMax) return true;
    }
    return false;
  }

  private internState(value: string | null): number {
    if (value === null) return 0;
    let id = this.stateIds.get(value);
    if (id === undefined) {
      if (this.stateCharacters + value.length > stateCharactersMax) return notInterned;
      this.stateCharacters += value.length;
      id = this.stateIds.size + 1;
      this.stateIds.set(value, id);
    }
    return id;
  }

  // While explaining, the value the read saw is part of the future (it decides which values
  // are already collected), so it joins the memo key once the read is linearized.
  private memoStateId(stateId: number, readValueId: number): number {
    if (readValueId === noReadValue || stateId === notInterned) return stateId;
    if (readValueId === notInterned) return notInterned;
    const pair = `${stateId},${readValueId}`;
    let id = this.pairIds.get(pair);
    if (id === undefined) {
      id = -(this.pairIds.size + 3);
      this.pairIds.set(pair, id);
    }
    return id;
  }

  /** Records (memo set, state); false when the pair was already explored. */
  private remember(stateId: number): boolean {
    if (stateId === notInterned) return true;
    const memoKey = (this.hashLow ^ Math.imul(stateId + 0x3c6ef372, 0x9e3779b1)) >>> 0;
    let bucket = this.memo.get(memoKey);
    if (bucket !== undefined && this.inBucket(bucket, stateId)) return false;
    const entryBytes = memoEntryBytes + 4 * this.wordCount;
    if (this.memoBytes + entryBytes <= memoBytesMax) {
      if (bucket === undefined) {
        bucket = [];
        this.memo.set(memoKey, bucket);
      }
      bucket.push({ hashHigh: this.hashHigh, stateId, words: this.memoSet.slice() });
      this.memoBytes += entryBytes;
    }
    return true;
  }

  private inBucket(bucket: MemoEntry[], stateId: number): boolean {
    for (const entry of bucket) {
      if (entry.hashHigh !== this.hashHigh || entry.stateId !== stateId) continue;
      let same = true;
      for (let word = 0; word < this.wordCount; word += 1) {
        if (entry.words[word] !== this.memoSet[word]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    return false;
  }

  /** Linearizes an operation already settled (and remembered). */
  private push(operation: number, forced: boolean, nextState: string | null, nextStateId: number): void {
    const depth = this.depth;
    this.stackOperation[depth] = operation;
    this.stackForced[depth] = forced ? 1 : 0;
    this.stackState[depth] = this.state;
    this.stackStateId[depth] = this.stateId;
    this.stackFrontier[depth] = this.frontier;
    this.depth = depth + 1;
    this.state = nextState;
    this.stateId = nextStateId;
    this.completedRemaining -= this.completed[operation];
    this.unlink(2 * operation + 1);
    this.unlink(2 * operation + 2);
    this.fresh = true;
    while (this.frontier < this.completions && this.taken[this.completionLocal[this.frontier]] === 1) this.frontier += 1;
    if (this.frontier > this.frontierMax) this.frontierMax = this.frontier;
  }

  /**
   * Abandons the current configuration: undoes linearizations until one that was a free choice,
   * and moves on to the next candidate after it. False when there is nothing left to try.
   */
  private backtrack(): boolean {
    while (this.depth > 0) {
      this.depth -= 1;
      const depth = this.depth;
      const operation = this.stackOperation[depth];
      this.state = this.stackState[depth];
      this.stateId = this.stackStateId[depth];
      this.frontier = this.stackFrontier[depth];
      this.unsettle(operation);
      this.relink(2 * operation + 2);
      this.relink(2 * operation + 1);
      this.completedRemaining += this.completed[operation];
      if (operation === this.readAnyOperation) this.readValueId = noReadValue;
      if (this.stackForced[depth] === 0) {
        this.cursor = this.next[2 * operation + 1];
        this.fresh = false;
        return true;
      }
    }
    return false;
  }
}

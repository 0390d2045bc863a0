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
  const { history, completions, budget } = request;
  const collecting = request.readAnyValue !== undefined;
  const readValues: (string | null)[] = [];
  if (completions === 0) return { verdict: 'linearizable', readValues, readValuesComplete: true, frontier: 0 };

  const knownCompleted = new Uint8Array(history.operations.length);
  for (let index = 0; index < completions; index += 1) knownCompleted[history.completionOrder[index]] = 1;
  const sourceIndexes = selectOperations(history, completions, knownCompleted, collecting);
  const count = sourceIndexes.length;
  const localIndex = new Int32Array(history.operations.length).fill(-1);
  const code = new Uint8Array(count);
  const completed = new Uint8Array(count);
  const argument: string[] = new Array<string>(count);
  const result: (string | null)[] = new Array<string | null>(count);
  const invokeMs = new Float64Array(count);
  const completeMs = new Float64Array(count);
  let readAnyOperation = -1;
  let completedRemaining = 0;

  for (let local = 0; local < count; local += 1) {
    const sourceIndex = sourceIndexes[local];
    const operation = history.operations[sourceIndex];
    localIndex[sourceIndex] = local;
    code[local] = operation.code;
    argument[local] = operation.argument;
    result[local] = operation.result;
    invokeMs[local] = operation.invokeMs;
    completed[local] = knownCompleted[sourceIndex];
    completeMs[local] = completed[local] === 1 ? operation.completeMs : Number.POSITIVE_INFINITY;
    completedRemaining += completed[local];
    if (request.readAnyValue !== undefined && request.readAnyValue.operationIndex === sourceIndex) readAnyOperation = local;
  }
  // Completions in order, as local operations, for the frontier.
  const completionLocal = new Int32Array(completions);
  for (let position = 0; position < completions; position += 1) completionLocal[position] = localIndex[history.completionOrder[position]];
  if (collecting && readAnyOperation === -1) throw new HarnessBug('searchKey: the read to explain is not a completed get of the cut');

  // Who could see whom, for the writes whose completion is not known: observers[w] lists the
  // reads that could see write w, observed[r] the writes read r could see. The read that may
  // read anything could see every write.
  const observers: number[][] = new Array<number[]>(count);
  const noOperations: readonly number[] = [];
  const observed: (readonly number[])[] = new Array<readonly number[]>(count).fill(noOperations);
  const observersRemaining = new Int32Array(count);
  for (let local = 0; local < count; local += 1) {
    if (completed[local] === 1 || code[local] === getCode) continue;
    const reads: number[] = [];
    for (const read of observersOf(history, sourceIndexes[local])) {
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

  // Events as list nodes: node 2o+1 is the invocation of local operation o, 2o+2 its completion,
  // node 0 the head. Sorted by time, invocations first at equal times (the tie rule), then by
  // operation so the order never depends on the sort's stability.
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

  // Dancing links: lifting removes an operation's two nodes, unlifting (in reverse order, last
  // lifted first) puts them back exactly where they were.
  const unlink = (node: number): void => {
    next[previous[node]] = next[node];
    if (next[node] !== -1) previous[next[node]] = previous[node];
  };
  const relink = (node: number): void => {
    next[previous[node]] = node;
    if (next[node] !== -1) previous[next[node]] = node;
  };

  // The memo's set, with two incremental 32-bit Zobrist hashes of it: the linearized operations
  // and the unseen writes (see settle). `taken` is the linearized operations alone.
  const wordCount = (count + 31) >>> 5;
  const memoSet = new Uint32Array(wordCount);
  const taken = new Uint8Array(count);
  const zobristLow = new Int32Array(count);
  const zobristHigh = new Int32Array(count);
  for (let local = 0; local < count; local += 1) {
    zobristLow[local] = mix32(2 * local + 1);
    zobristHigh[local] = mix32(mix32(2 * local + 2) ^ 0x9e3779b9);
  }
  let hashLow = 0;
  let hashHigh = 0;
  const toggle = (operation: number): void => {
    memoSet[operation >>> 5] ^= 1 << (operation & 31);
    hashLow ^= zobristLow[operation];
    hashHigh ^= zobristHigh[operation];
  };

  // Unseen writes: once every read that could see an indeterminate write is linearized and the
  // write is not, no valid future linearizes it usefully (the argument of selectOperations, on
  // what is left), so it is never tried again, and it counts as linearized in the memo: having
  // taken it earlier, or never, leaves the same future.
  const settle = (operation: number): void => {
    taken[operation] = 1;
    toggle(operation);
    for (const write of observed[operation]) {
      observersRemaining[write] -= 1;
      if (observersRemaining[write] === 0 && taken[write] === 0) toggle(write);
    }
  };
  const unsettle = (operation: number): void => {
    for (const write of observed[operation]) {
      if (observersRemaining[write] === 0 && taken[write] === 0) toggle(write);
      observersRemaining[write] += 1;
    }
    toggle(operation);
    taken[operation] = 0;
  };

  for (let local = 0; local < count; local += 1) {
    if (completed[local] === 0 && code[local] !== getCode && observersRemaining[local] === 0) toggle(local);
  }

  // Useless appends: an indeterminate append taken now, on value s, is only ever seen by a read
  // that starts with s and has the suffix after it (only appends may come between, a put would
  // erase it). If no remaining read does, a valid order that takes it now stays valid without it,
  // and that order is tried anyway; so it need not be tried now.
  const appendUseful = (operation: number, current: string): boolean => {
    if (readAnyOperation >= 0 && taken[readAnyOperation] === 0) return true;
    const suffix = argument[operation];
    let looked = 0;
    for (const read of observers[operation]) {
      if (taken[read] === 1) continue;
      const text = result[read] as string;
      if (text.startsWith(current) && text.indexOf(suffix, current.length) >= 0) return true;
      looked += 1;
      if (looked >= usefulnessReadsMax) return true;
    }
    return false;
  };

  // Model states are interned to small ids, so the memo compares numbers, not strings.
  const stateIds = new Map<string, number>();
  let stateCharacters = 0;
  const internState = (value: string | null): number => {
    if (value === null) return 0;
    let id = stateIds.get(value);
    if (id === undefined) {
      if (stateCharacters + value.length > stateCharactersMax) return notInterned;
      stateCharacters += value.length;
      id = stateIds.size + 1;
      stateIds.set(value, id);
    }
    return id;
  };
  // While explaining, the value the read saw is part of the future (it decides which values
  // are already collected), so it joins the memo key once the read is linearized.
  const pairIds = new Map<string, number>();
  const memoStateId = (stateId: number, readValueId: number): number => {
    if (readValueId === noReadValue || stateId === notInterned) return stateId;
    if (readValueId === notInterned) return notInterned;
    const pair = `${stateId},${readValueId}`;
    let id = pairIds.get(pair);
    if (id === undefined) {
      id = -(pairIds.size + 3);
      pairIds.set(pair, id);
    }
    return id;
  };

  const memo = new Map<number, MemoEntry[]>();
  let memoBytes = 0;
  /** Records (memo set, state); false when the pair was already explored. */
  const remember = (stateId: number): boolean => {
    if (stateId === notInterned) return true;
    const memoKey = (hashLow ^ Math.imul(stateId + 0x3c6ef372, 0x9e3779b1)) >>> 0;
    let bucket = memo.get(memoKey);
    if (bucket !== undefined) {
      for (const entry of bucket) {
        if (entry.hashHigh !== hashHigh || entry.stateId !== stateId) continue;
        let same = true;
        for (let word = 0; word < wordCount; word += 1) {
          if (entry.words[word] !== memoSet[word]) {
            same = false;
            break;
          }
        }
        if (same) return false;
      }
    }
    if (memoBytes + memoEntryBytes + 4 * wordCount <= memoBytesMax) {
      if (bucket === undefined) {
        bucket = [];
        memo.set(memoKey, bucket);
      }
      bucket.push({ hashHigh, stateId, words: memoSet.slice() });
      memoBytes += memoEntryBytes + 4 * wordCount;
    }
    return true;
  };

  const found = new Set<string | null>();
  const valuesMax = request.readAnyValue?.valuesMax ?? 0;
  let readValue: string | null = null;
  let readValueId = noReadValue;

  // The path: each linearized operation with the state before it, and whether it was a forced
  // read (see below), whose parent configuration has no other choice worth trying.
  const stackOperation = new Int32Array(count);
  const stackForced = new Uint8Array(count);
  const stackState: (string | null)[] = new Array<string | null>(count);
  const stackStateId = new Int32Array(count);
  const stackFrontier = new Int32Array(count);
  let depth = 0;
  let frontier = 0;
  let frontierMax = 0;
  let state: string | null = null;
  let stateId = 0;
  let cursor = 0;
  /** True at a configuration not yet scanned for a read it can take at once. */
  let fresh = true;

  const stepsMax = budget.stepsMax;
  let steps = budget.stepsUsed;
  const deadlineMs = budget.deadlineMs;
  const timed = deadlineMs !== Number.POSITIVE_INFINITY;

  /** Linearizes an operation already settled (and remembered). */
  const push = (operation: number, forced: boolean, nextState: string | null, nextStateId: number): void => {
    stackOperation[depth] = operation;
    stackForced[depth] = forced ? 1 : 0;
    stackState[depth] = state;
    stackStateId[depth] = stateId;
    stackFrontier[depth] = frontier;
    depth += 1;
    state = nextState;
    stateId = nextStateId;
    completedRemaining -= completed[operation];
    unlink(2 * operation + 1);
    unlink(2 * operation + 2);
    fresh = true;
    while (frontier < completions && taken[completionLocal[frontier]] === 1) frontier += 1;
    if (frontier > frontierMax) frontierMax = frontier;
  };

  /**
   * Abandons the current configuration: undoes linearizations until one that was a free choice,
   * and moves on to the next candidate after it. False when there is nothing left to try.
   */
  const backtrack = (): boolean => {
    for (;;) {
      if (depth === 0) return false;
      depth -= 1;
      const operation = stackOperation[depth];
      state = stackState[depth];
      stateId = stackStateId[depth];
      frontier = stackFrontier[depth];
      unsettle(operation);
      relink(2 * operation + 2);
      relink(2 * operation + 1);
      completedRemaining += completed[operation];
      if (operation === readAnyOperation) readValueId = noReadValue;
      if (stackForced[depth] === 0) {
        cursor = next[2 * operation + 1];
        fresh = false;
        return true;
      }
    }
  };

  const finish = (verdict: SearchOutcome['verdict'], readValuesComplete: boolean): SearchOutcome => {
    budget.stepsUsed = steps;
    return { verdict, readValues, readValuesComplete, frontier: frontierMax };
  };
  const exhaustedVerdict = collecting ? 'linearizable' : 'not-linearizable';

  for (;;) {
    if (completedRemaining === 0) {
      if (!collecting) return finish('linearizable', true);
      found.add(readValue);
      readValues.push(readValue);
      if (found.size >= valuesMax) return finish('linearizable', false);
      // Pretend this was a dead end, to go on looking for other values the read could see.
      if (!backtrack()) return finish('linearizable', true);
      continue;
    }
    if (steps >= stepsMax) {
      budget.exhausted = 'steps';
      return finish('budget-exhausted', false);
    }
    steps += 1;
    if (timed && steps % clockStepsInterval === 0 && wallClockMs() > deadlineMs) {
      budget.exhausted = 'time';
      return finish('budget-exhausted', false);
    }

    if (fresh) {
      // Forced reads: a get that can be linearized now and reads the current value may as well
      // be linearized now. Take any valid order from here, move the get to the front: nothing
      // it must follow is left (its invocation is ahead of every remaining completion), and it
      // changes no state. So if taking it first fails, this whole configuration fails, and the
      // search need not try the writes around it in every order: the backtrack skips past it.
      fresh = false;
      let node = next[0];
      let forcedRead = -1;
      while (node > 0 && (node & 1) === 1) {
        const operation = (node - 1) >> 1;
        if (code[operation] === getCode && operation !== readAnyOperation && result[operation] === state) {
          forcedRead = operation;
          break;
        }
        node = next[node];
      }
      if (forcedRead >= 0) {
        settle(forcedRead);
        if (remember(memoStateId(stateId, readValueId))) {
          push(forcedRead, true, state, stateId);
        } else {
          unsettle(forcedRead);
          if (!backtrack()) return finish(exhaustedVerdict, true);
        }
        continue;
      }
      cursor = next[0];
    }

    if (cursor < 0) throw new HarnessBug('searchKey: ran off the event list with completed operations left');
    if ((cursor & 1) === 0) {
      // A completion of an operation not yet linearized: every order from here leaves it out.
      if (!backtrack()) return finish(exhaustedVerdict, true);
      continue;
    }

    const operation = (cursor - 1) >> 1;
    const operationCodeValue = code[operation];
    let candidate: boolean;
    if (operationCodeValue === getCode) {
      // Other gets need no try: the scan above found none that reads the current value.
      candidate = operation === readAnyOperation && !found.has(state);
    } else if (completed[operation] === 1) {
      candidate = true;
    } else {
      candidate =
        observersRemaining[operation] > 0 && (operationCodeValue === putCode || appendUseful(operation, state ?? ''));
    }
    if (candidate) {
      const nextState: string | null =
        operationCodeValue === getCode ? state : operationCodeValue === putCode ? argument[operation] : (state ?? '') + argument[operation];
      const nextStateId = operationCodeValue === getCode ? stateId : internState(nextState);
      const nextReadValueId = operation === readAnyOperation ? nextStateId : readValueId;
      settle(operation);
      if (remember(memoStateId(nextStateId, nextReadValueId))) {
        if (operation === readAnyOperation) {
          readValue = nextState;
          readValueId = nextReadValueId;
        }
        push(operation, false, nextState, nextStateId);
        continue;
      }
      unsettle(operation);
    }
    cursor = next[cursor];
  }
}

// Explaining a key whose history is not linearizable: the shortest failing prefix, the read that
// made it fail, and the values that read could have seen.
//
// Prefixes are judged the way a monitor watching the history would judge them: the prefix of the
// first m operations (by invocation order) stands as it was just before operation m+1 was
// invoked, so an operation that returned later counts as still running (a get's result unknown,
// a put or append indeterminate). Judged that way, failing is monotone: if a prefix cannot be
// linearized, no longer one can (operations invoked later take effect later, so they cannot
// explain a result already returned), and a failing prefix proves the whole history fails. Judging the first m operations with the results they
// returned later would not be monotone, and could blame a read on a write that a cut-off
// operation, invoked later but concurrent with it, explains: put(a) [0,10], get->b [1,20],
// put(b) [5,15] is linearizable, but its first two operations alone are not.
//
// Monotone means there is a first failing cut: over the completions of the key, in order, the
// first k such that the history as of the k-th completion is not linearizable. That completion is
// always a get (a put or append completing only forbids "never took effect", and "just before
// now, after everything else" is always still open), and the prefix is every operation invoked by
// then.
//
// Finding k: the failing search of the whole key already knows it. Any order that linearizes the
// first k-1 completions of the cut k-1 is a path the whole key's search can follow too (a later
// completion never blocks an operation invoked before it), and a path of that search that
// linearized the first k completions would give a linearization of cut k. So the search's
// frontier (the most leading completions any of its configurations had linearized) is k-1. The
// hint is then checked, cut k failing and cut k-1 passing, which proves it; should a check
// disagree, a binary search over what is proven finds k anyway (about log2(completions) searches).

import { operationCode } from './history.js';
import type { HistoryOperation, KeyHistory, KeyOperation } from './history.js';
import { searchKey } from './search.js';
import type { SearchBudget } from './search.js';

export interface ViolationExplanation {
  prefixLength: number;
  operations: HistoryOperation[];
  explanation: string;
}

/** Most operation lines in an explanation; the operations field still has them all. */
const operationLinesMax = 40;
/** Most values listed for "has k = ... there". */
const readValuesMax = 5;
/** Longer values are shown as their head and tail. */
const valueCharactersMax = 48;

function quoteValue(value: string | null): string {
  if (value === null) return 'null';
  const shown = value.length <= valueCharactersMax ? value : `${value.slice(0, 20)}…${value.slice(-20)}`;
  const escaped = JSON.stringify(shown).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  const quoted = `'${escaped}'`;
  return value.length <= valueCharactersMax ? quoted : `${quoted} (${value.length} chars)`;
}

export function keyLabel(key: string): string {
  return /^[A-Za-z0-9_.:/-]+$/.test(key) ? key : JSON.stringify(key);
}

function callText(operation: HistoryOperation): string {
  const key = keyLabel(operation.key);
  if (operation.kind === 'get') return `get(${key})`;
  return `${operation.kind}(${key}, ${quoteValue(operation.value ?? '')})`;
}

function intervalText(operation: HistoryOperation): string {
  return `[${operation.invokeMs}, ${operation.completion === undefined ? '?' : operation.completion.completeMs}]`;
}

/** "get(k1) by client 3 at [120, 135]" */
export function operationText(operation: HistoryOperation): string {
  return `${callText(operation)} by client ${operation.client} at ${intervalText(operation)}`;
}

function operationLine(operation: KeyOperation, failingMs: number): string {
  const source = operation.operation;
  let line = `  op ${source.id}: ${operationText(source)}`;
  if (source.completion === undefined) return `${line} indeterminate`;
  if (operation.code === operationCode.get) line += ` -> ${quoteValue(operation.result)}`;
  if (operation.completeMs > failingMs) line += ` (returned after ${failingMs} ms: still running then)`;
  return line;
}

function valuesText(key: string, values: readonly (string | null)[], complete: boolean): string {
  // Sorted (missing first), so the text does not depend on the order the search found them in.
  const sorted = [...values].sort((a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
  const quoted = sorted.map(quoteValue);
  let list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  if (!complete) list += ' (perhaps others: the search for more stopped there)';
  return `${keyLabel(key)} = ${list}`;
}

/**
 * Explains a key whose whole history failed; frontier is that failing search's frontier, the hint
 * for the first failing cut.
 */
export function explainViolation(options: { history: KeyHistory; budget: SearchBudget; frontier: number }): ViolationExplanation {
  const { history, budget } = options;
  const completionCount = history.completionOrder.length;
  // Always true: the cut at `passing` is linearizable, the cut at `failing` is not.
  let passing = 0;
  let failing = completionCount;
  const probe = (cut: number): void => {
    if (cut <= passing || cut >= failing || budget.exhausted !== null) return;
    const outcome = searchKey({ history, completions: cut, budget });
    if (outcome.verdict === 'not-linearizable') failing = cut;
    else if (outcome.verdict === 'linearizable') passing = cut;
  };
  probe(options.frontier + 1);
  probe(options.frontier);
  while (failing - passing > 1 && budget.exhausted === null) probe((passing + failing) >>> 1);
  const proven = failing - passing === 1;

  const culpritIndex = history.completionOrder[failing - 1];
  const culprit = history.operations[culpritIndex];
  const failingMs = culprit.completeMs;
  let prefixLength = 0;
  while (prefixLength < history.operations.length && history.operations[prefixLength].invokeMs <= failingMs) prefixLength += 1;
  const prefix = history.operations.slice(0, prefixLength);

  const lines: string[] = [];
  const scope = proven
    ? `the shortest failing prefix is its first ${prefixLength} of ${history.operations.length} operations by invocation order, as they stood at ${failingMs} ms when op ${culprit.operation.id} returned`
    : `its first ${prefixLength} of ${history.operations.length} operations by invocation order, as they stood at ${failingMs} ms, cannot be linearized (the search for a shorter failing prefix ran out of budget)`;
  lines.push(`key ${keyLabel(history.key)} is not linearizable: ${scope}:`);
  if (prefixLength > operationLinesMax) lines.push(`  (${prefixLength - operationLinesMax} earlier operations not shown)`);
  for (const operation of prefix.slice(-operationLinesMax)) lines.push(operationLine(operation, failingMs));

  if (proven && culprit.code === operationCode.get) {
    const outcome = searchKey({ history, completions: failing, budget, readAnyValue: { operationIndex: culpritIndex, valuesMax: readValuesMax } });
    const readText = `${operationText(culprit.operation)} returned ${quoteValue(culprit.result)}`;
    if (outcome.readValues.length > 0) {
      lines.push(`${readText}, but every order of these operations consistent with real time has ${valuesText(history.key, outcome.readValues, outcome.readValuesComplete)} there.`);
    } else if (outcome.readValuesComplete) {
      lines.push(`${readText}, but no order of these operations consistent with real time has room for that read at all.`);
    } else {
      lines.push(`${readText}, and no order of these operations consistent with real time allows that (the search for the values it could have read ran out of budget).`);
    }
  } else {
    lines.push('No order of these operations consistent with real time gives every read the value it returned.');
  }
  return { prefixLength, operations: prefix.map((operation) => operation.operation), explanation: lines.join('\n') };
}

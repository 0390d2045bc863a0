// The safety invariants, as the explorer checks them on every new state: election safety,
// state-machine safety, leader completeness and log matching.
//
// Why not invariants/ directly: its checkers are incremental along one history and keep that
// history in closures (the leader of each term, the committed history, every (index, term) ever
// seen), which cannot be copied at a branch. A breadth-first search would have to replay the
// whole path into fresh checkers for every new state, O(depth) per state. Instead each explored
// state carries a small, immutable History (copied on write) with exactly what these checks need,
// and the History is part of the state's fingerprint, so two paths that reach the same world
// with different histories are not merged. The counterexample path is then replayed through the
// real invariants/ checkers (src/shrink/paths.ts), whose violation is the one reported.
//
// The rules mirror invariants/ and ClusterObservation: the committed history grows from commit
// indexes and applied entries, each committed index carries an upper bound on the term it was
// committed in (suffix minimum), and a leader is held to the entries committed before its term.
// One difference: log matching compares the logs present in a state (of the running nodes), not
// every log ever seen, so that the History stays small; the replay through invariants/ applies
// the time-spanning check to the path found.

import type { AppliedEntry, Role } from '../contract/contract.js';
import { chainHash } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import type { Violation } from '../contract/observation.js';

/** What the explorer mirrors of a node's white-box view; arrays are never mutated once shared. */
export interface NodeView {
  readonly hasView: boolean;
  readonly hasLog: boolean;
  readonly role: Role;
  readonly term: number;
  readonly commitIndex: number;
  /** terms[i], ids[i], prefix[i] describe the entry at index i; index 0 is a sentinel. */
  readonly terms: readonly number[];
  readonly ids: readonly number[];
  readonly prefix: readonly number[];
}

export const emptyView: NodeView = Object.freeze({
  hasView: false,
  hasLog: false,
  role: 'follower',
  term: 0,
  commitIndex: 0,
  terms: Object.freeze([0]),
  ids: Object.freeze([0]),
  prefix: Object.freeze([0]),
}) as NodeView;

/** What one step changed on one node. */
export interface ViewChange {
  node: NodeId;
  started: boolean;
  previousCommitIndex: number;
  /** Lowest log index the step rewrote (Infinity: none). */
  logChangedFrom: number;
  applied: readonly AppliedEntry[];
}

/** The history a state carries for the checks; immutable, copied on write. */
export interface History {
  /** leaders[term]: the node seen leading that term, 0 or undefined for none. */
  readonly leaders: readonly NodeId[];
  readonly committedTerms: readonly number[];
  readonly committedIds: readonly number[];
  readonly committedPrefix: readonly number[];
  /** Who first established each committed index, for evidence only (not fingerprinted). */
  readonly committedBy: readonly NodeId[];
  /** Upper bound on the term each committed index was committed in; non-decreasing along the log. */
  readonly commitTerms: readonly number[];
}

export const emptyHistory: History = Object.freeze({
  leaders: Object.freeze([]),
  committedTerms: Object.freeze([0]),
  committedIds: Object.freeze([0]),
  committedPrefix: Object.freeze([0]),
  committedBy: Object.freeze([0]),
  commitTerms: Object.freeze([0]),
}) as History;

export interface CheckedNode {
  /** Null while the node is down. */
  readonly instance: unknown;
  readonly view: NodeView;
}

export interface CheckOutcome {
  history: History;
  violation: Violation | null;
}

/** Runs the checks after node `change.node` handled one input; nodes[id - 1] is node id. */
export function checkStep(history: History, nodes: readonly CheckedNode[], change: ViewChange): CheckOutcome {
  const id = change.node;
  const view = nodes[id - 1].view;
  let next = history;

  if (view.hasView && view.role === 'leader') {
    const known = next.leaders[view.term] ?? 0;
    if (known !== 0 && known !== id) {
      return fail(next, 'election-safety', `two leaders in term ${view.term}: n${known} and n${id}`, [known, id], {
        term: view.term,
        firstLeader: known,
        secondLeader: id,
      });
    }
    if (known === 0) next = withLeader(next, view.term, id);
  }

  const lengthBefore = next.committedTerms.length - 1;
  next = extendCommitted(next, view, change);

  for (const entry of change.applied) {
    if (entry.index > next.committedTerms.length - 1) continue;
    if (next.committedTerms[entry.index] === entry.term && next.committedIds[entry.index] === entry.commandId) continue;
    return fail(next, 'state-machine-safety', `n${id} applied ${label(entry.term, entry.commandId)} at index ${entry.index}, but ${committedLabel(next, entry.index)} was committed there`, [id, next.committedBy[entry.index]], {
      index: entry.index,
      applied: label(entry.term, entry.commandId),
      committed: committedLabel(next, entry.index),
    });
  }
  if (view.hasLog && view.commitIndex > 0) {
    const commitChanged = change.started || view.commitIndex !== change.previousCommitIndex;
    if (commitChanged || change.logChangedFrom <= view.commitIndex) {
      const upTo = Math.min(view.commitIndex, lengthBefore);
      if (upTo > 0 && !(upTo < view.terms.length && view.prefix[upTo] === next.committedPrefix[upTo])) {
        const index = firstDifference(next, view, upTo);
        return fail(next, 'state-machine-safety', `n${id} has commit index ${view.commitIndex} over ${viewLabel(view, index)} at index ${index}, but ${committedLabel(next, index)} was committed there`, [id, next.committedBy[index]], {
          index,
          nodeEntry: viewLabel(view, index),
          committed: committedLabel(next, index),
        });
      }
    }
  }

  for (let leader = 1; leader <= nodes.length; leader += 1) {
    const node = nodes[leader - 1];
    if (node.instance === null || !node.view.hasLog || node.view.role !== 'leader') continue;
    const upTo = lastIndexCommittedBeforeTerm(next, node.view.term);
    if (upTo === 0 || (upTo < node.view.terms.length && node.view.prefix[upTo] === next.committedPrefix[upTo])) continue;
    const index = firstDifference(next, node.view, upTo);
    return fail(
      next,
      'leader-completeness',
      `leader n${leader} of term ${node.view.term} lacks committed entry ${index} (${committedLabel(next, index)}, committed by term ${next.commitTerms[index]}); its log has ${viewLabel(node.view, index)}`,
      [leader, next.committedBy[index]],
      { leader, leaderTerm: node.view.term, index, committedEntry: committedLabel(next, index), leaderEntry: viewLabel(node.view, index) },
    );
  }

  if (view.hasLog && change.logChangedFrom !== Number.POSITIVE_INFINITY) {
    for (let other = 1; other <= nodes.length; other += 1) {
      const node = nodes[other - 1];
      if (other === id || node.instance === null || !node.view.hasLog) continue;
      let index = Math.min(view.terms.length, node.view.terms.length) - 1;
      while (index > 0 && view.terms[index] !== node.view.terms[index]) index -= 1;
      if (index === 0 || view.prefix[index] === node.view.prefix[index]) continue;
      return fail(next, 'log-matching', `n${id} and n${other} both hold an entry at index ${index} in term ${view.terms[index]}, but their logs differ before it`, [id, other], {
        index,
        term: view.terms[index],
      });
    }
  }
  return { history: next, violation: null };
}

/** The highest committed index known to have been committed in a term below `term`. */
export function lastIndexCommittedBeforeTerm(history: History, term: number): number {
  let index = history.commitTerms.length - 1;
  while (index > 0 && history.commitTerms[index] >= term) index -= 1;
  return index;
}

function extendCommitted(history: History, view: NodeView, change: ViewChange): History {
  const lengthBefore = history.committedTerms.length - 1;
  const upTo = view.hasLog ? Math.min(view.commitIndex, view.terms.length - 1) : 0;
  const appliedBeyond = change.applied.some((entry) => entry.index > lengthBefore);
  if (upTo <= lengthBefore && !appliedBeyond) return history;
  const terms = history.committedTerms.slice();
  const ids = history.committedIds.slice();
  const prefix = history.committedPrefix.slice();
  const by = history.committedBy.slice();
  const append = (term: number, commandId: number) => {
    terms.push(term);
    ids.push(commandId);
    prefix.push(chainHash(prefix[prefix.length - 1], term, commandId));
    by.push(change.node);
  };
  for (let index = lengthBefore + 1; index <= upTo; index += 1) append(view.terms[index], view.ids[index]);
  for (const entry of change.applied) if (entry.index === terms.length) append(entry.term, entry.commandId);
  if (terms.length - 1 === lengthBefore) return history;
  // Indexes from lengthBefore + 1 on were committed in a term <= the observer's; true commit
  // terms never decrease along the log, so the bound holds for every index below too.
  const bound = view.hasView ? view.term : Number.POSITIVE_INFINITY;
  const commitTerms = history.commitTerms.slice();
  for (let index = lengthBefore + 1; index < terms.length; index += 1) commitTerms.push(bound);
  for (let index = lengthBefore; index > 0 && commitTerms[index] > bound; index -= 1) commitTerms[index] = bound;
  return { leaders: history.leaders, committedTerms: terms, committedIds: ids, committedPrefix: prefix, committedBy: by, commitTerms };
}

function withLeader(history: History, term: number, node: NodeId): History {
  const leaders = history.leaders.slice();
  while (leaders.length < term) leaders.push(0);
  leaders[term] = node;
  return { ...history, leaders };
}

function firstDifference(history: History, view: NodeView, upTo: number): number {
  for (let index = 1; index <= upTo; index += 1) {
    if (index >= view.terms.length || view.terms[index] !== history.committedTerms[index] || view.ids[index] !== history.committedIds[index]) return index;
  }
  return upTo;
}

function label(term: number, commandId: number): string {
  return `t${term}:${commandId === 0 ? 'noop' : `c${commandId}`}`;
}

function viewLabel(view: NodeView, index: number): string {
  return index < view.terms.length ? label(view.terms[index], view.ids[index]) : 'missing';
}

function committedLabel(history: History, index: number): string {
  return index < history.committedTerms.length ? label(history.committedTerms[index], history.committedIds[index]) : 'missing';
}

function fail(history: History, invariant: string, message: string, nodes: NodeId[], evidence: Record<string, unknown>): CheckOutcome {
  const distinct = [...new Set(nodes.filter((node) => node !== undefined && node !== 0))];
  return { history, violation: { invariant, kind: 'safety', message, nodes: distinct, eventNumber: 0, timeMs: 0, evidence } };
}

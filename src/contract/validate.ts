// The one check of an output against the contract, for every driver: an output that fails it is
// the implementation's error (a value with a message), never the harness's.

import type { NodeId } from '../core/ids.js';
import type { Input, Output, SnapshotView } from './contract.js';

/**
 * What is wrong with node `id`'s output to `input` in a cluster whose node ids are `members` (every
 * node that may run: with membership changes, the spare nodes that may join too); null when
 * nothing is.
 */
export function validateOutput(output: Output, id: NodeId, members: readonly NodeId[], input: Input): string | null {
  if (
    output === null ||
    typeof output !== 'object' ||
    !Array.isArray(output.messages) ||
    !Array.isArray(output.records) ||
    !Array.isArray(output.applied) ||
    !Array.isArray(output.answers)
  ) {
    return 'returned something that is not an output (messages, records, sync, applied, answers)';
  }
  for (const outbound of output.messages) {
    if (outbound === null || typeof outbound !== 'object' || outbound.message === null || typeof outbound.message !== 'object') {
      return 'sent a message that is not {to, message: {type, body}}';
    }
    const local = outbound.message.local;
    if (local !== undefined && local !== 'append' && local !== 'apply') return `sent a ${String(outbound.message.type)} message with local ${String(local)}: expected 'append' or 'apply'`;
    if (local !== undefined && outbound.to !== id) return `sent local ${local} work (${String(outbound.message.type)}) to node ${String(outbound.to)}: local work goes to the node itself`;
    if (local !== undefined) continue;
    if (outbound.to === id) return `sent a ${String(outbound.message.type)} message to itself`;
    if (!members.includes(outbound.to)) return `sent a ${String(outbound.message.type)} message to unknown node ${String(outbound.to)}`;
  }
  const wake = output.wakeAfterMs;
  if (wake !== undefined && wake !== null && !(typeof wake === 'number' && Number.isFinite(wake) && wake >= 0)) {
    return `answered wakeAfterMs ${String(wake)}: expected a number of milliseconds >= 0, or null`;
  }
  return rejectionProblem(output, input) ?? validateSnapshots(output) ?? configurationViewProblem(output);
}

/** The id of the administrator's request this input carries (a membership change, a transfer), or null. */
function requestIdOf(input: Input): number | null {
  if (input.kind === 'changeMembership') return input.change.id;
  if (input.kind === 'transferLeadership') return input.transfer.id;
  return null;
}

/**
 * Only an administrator's request (a membership change, a leadership transfer) is ever rejected,
 * only a transfer is answered transferAccepted, and each in the output of its own input.
 */
function rejectionProblem(output: Output, input: Input): string | null {
  for (const answer of output.answers) {
    if (answer === null || typeof answer !== 'object') continue;
    if (answer.kind === 'rejected' && requestIdOf(input) !== answer.commandId) {
      return `answered rejected to ${String(answer.commandId)}, which is not the membership change or leadership transfer of this input`;
    }
    if (answer.kind === 'transferAccepted' && (input.kind !== 'transferLeadership' || input.transfer.id !== answer.commandId)) {
      return `answered transferAccepted to ${String(answer.commandId)}, which is not the leadership transfer of this input`;
    }
  }
  return null;
}

const isIndex = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Feature 'snapshots': the view's snapshot index and term, and the snapshots an output reports. */
function validateSnapshots(output: Output): string | null {
  const state = output.state as Partial<Record<'snapshotIndex' | 'snapshotTerm', unknown>> | undefined;
  // Field by field, not over a list of names: this runs on every output.
  if (state !== undefined && state !== null) {
    if (state.snapshotIndex !== undefined && !isIndex(state.snapshotIndex)) return 'sent a view whose snapshotIndex is not a whole number >= 0';
    if (state.snapshotTerm !== undefined && !isIndex(state.snapshotTerm)) return 'sent a view whose snapshotTerm is not a whole number >= 0';
  }
  return reportedSnapshotProblem(output.snapshotTaken, 'snapshotTaken') ?? reportedSnapshotProblem(output.snapshotInstalled, 'snapshotInstalled');
}

function reportedSnapshotProblem(snapshot: SnapshotView | undefined, field: 'snapshotTaken' | 'snapshotInstalled'): string | null {
  if (snapshot === undefined) return null;
  const problem = snapshotProblem(snapshot);
  return problem === null ? null : `reported a ${field} that is not a snapshot {index, term, configuration, data}: ${problem}`;
}

function snapshotProblem(snapshot: SnapshotView): string | null {
  if (snapshot === null || typeof snapshot !== 'object') return 'not an object';
  if (!isIndex(snapshot.index) || snapshot.index === 0) return 'index is not a whole number >= 1';
  if (!isIndex(snapshot.term)) return 'term is not a whole number >= 0';
  const configuration = configurationProblem(snapshot.configuration);
  if (configuration !== null) return `configuration${configuration}`;
  const data = snapshot.data as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'data is not an object of strings';
  for (const [key, value] of Object.entries(data)) if (typeof value !== 'string') return `data[${JSON.stringify(key)}] is not a string`;
  return null;
}

/** Feature 'membership': the view's configurations {latest, latestIndex, committed, committedIndex}. */
function configurationViewProblem(output: Output): string | null {
  const view = output.state?.configuration as unknown as Record<string, unknown> | null | undefined;
  if (view === undefined) return null;
  if (view === null || typeof view !== 'object') return 'sent a view whose configuration is not {latest, latestIndex, committed, committedIndex}';
  for (const field of ['latestIndex', 'committedIndex']) {
    if (!isIndex(view[field])) return `sent a view whose configuration.${field} is not a whole number >= 0`;
  }
  for (const field of ['latest', 'committed']) {
    const problem = configurationProblem(view[field]);
    if (problem !== null) return `sent a view whose configuration.${field}${problem}`;
  }
  return null;
}

/** What is wrong with a configuration {voters, learners, votersOutgoing}, as the rest of a sentence naming it; null if nothing. */
function configurationProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return ' is not an object';
  const configuration = value as Record<string, unknown>;
  for (const part of ['voters', 'learners', 'votersOutgoing']) {
    const members = configuration[part];
    if (!Array.isArray(members) || !members.every((member) => Number.isInteger(member))) return `.${part} is not a list of node ids`;
  }
  return null;
}

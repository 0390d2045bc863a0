// The one check of an output against the contract, for every driver: an output that fails it is
// the implementation's error (a value with a message), never the harness's.

import type { NodeId } from '../core/ids.js';
import type { Input, Output } from './contract.js';

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
    if (outbound.to === id) return `sent a ${String(outbound.message.type)} message to itself`;
    if (!members.includes(outbound.to)) return `sent a ${String(outbound.message.type)} message to unknown node ${String(outbound.to)}`;
  }
  return rejectionProblem(output, input);
}

/** Only a membership change is ever rejected, and in the output of its own input. */
function rejectionProblem(output: Output, input: Input): string | null {
  for (const answer of output.answers) {
    if (answer === null || typeof answer !== 'object' || answer.kind !== 'rejected') continue;
    if (input.kind !== 'changeMembership' || input.change.id !== answer.commandId) {
      return `answered rejected to ${String(answer.commandId)}, which is not the membership change of this input`;
    }
  }
  return null;
}

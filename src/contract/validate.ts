// The one check of an output against the contract, for every driver: an output that fails it is
// the implementation's error (a value with a message), never the harness's.

import type { NodeId } from '../core/ids.js';
import type { Output } from './contract.js';

/** What is wrong with node `id`'s output in a cluster of `members`; null when nothing is. */
export function validateOutput(output: Output, id: NodeId, members: readonly NodeId[]): string | null {
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
  return null;
}

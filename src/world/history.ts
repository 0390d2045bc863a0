// The clients' history as the checkers take it, shared by every driver that records one.

import type { ClientOperation } from '../contract/observation.js';

/** The operations the checker judges: completed ones, and those that may have taken effect. */
export function checkedHistory(history: readonly ClientOperation[]): ClientOperation[] {
  return history.filter((operation) => operation.completion !== undefined || operation.acceptedAttempts > 0);
}

export function describeOperation(operation: ClientOperation): string {
  return operation.kind === 'get' ? `get(${operation.key})` : `${operation.kind}(${operation.key}, '${operation.value ?? ''}')`;
}

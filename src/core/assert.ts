// Assertions are for bugs in the harness itself. Expected failures (bad input, a broken
// implementation under test) are values with a message, never a thrown HarnessBug.

export class HarnessBug extends Error {
  override name = 'HarnessBug';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new HarnessBug(message);
}

export function unreachable(value: never, context: string): never {
  throw new HarnessBug(`unreachable: ${context}: ${JSON.stringify(value)}`);
}

// The memory in use that the explorer's --max-memory and bench:memory read (src/core/memory.ts):
// the heap and the array buffers outside it, where the explorer's frontier lives.

import { describe, expect, it } from 'vitest';
import { memoryInUseBytes } from '../../src/core/memory.js';

describe('memory in use', () => {
  it('counts array buffers, which the heap in use leaves out', () => {
    const before = memoryInUseBytes();
    const frontier = new Int32Array(16 * 1024 * 1024);
    frontier[frontier.length - 1] = 1;
    const after = memoryInUseBytes();
    expect(after - before).toBeGreaterThanOrEqual(frontier.byteLength);
    expect(process.memoryUsage().heapUsed).toBeLessThan(after);
  });
});

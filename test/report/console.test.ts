// The console's progress line at the edges of terminal widths: a pty that was never sized says
// 0 columns, and a progress line must draw and clear there as anywhere.

import { describe, expect, it } from 'vitest';
import { clearFrame, progressFrame, terminalColumns } from '../../src/report/console.js';

describe('the progress line', () => {
  it('draws and clears in a terminal of 0 columns, at the default width', () => {
    expect(progressFrame('raftcheck: seed 1/3', 0)).toBe(`\r${'raftcheck: seed 1/3'.padEnd(99)}`);
    expect(clearFrame(0)).toBe(`\r${' '.repeat(99)}\r`);
  });

  it('takes the default width where the width is unknown or not a count of columns', () => {
    for (const columns of [undefined, 0, -1, Number.NaN, 2.5]) expect(terminalColumns(columns)).toBe(100);
  });

  it('stays within a terminal of one column, never wrapping the cursor', () => {
    expect(progressFrame('raftcheck: seed 1/3', 1)).toBe('\r');
    expect(clearFrame(1)).toBe('\r\r');
  });

  it('cuts a long line one column short of the width', () => {
    expect(progressFrame('abcdefghij', 5)).toBe('\rabcd');
  });
});

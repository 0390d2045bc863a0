// The console's progress line at the edges of terminal widths: a pty that was never sized says
// 0 columns, and a progress line must draw and clear there as anywhere.

import { describe, expect, it } from 'vitest';
import { boundedProgress, clearFrame, progressBar, progressFrame, progressText, terminalColumns, timeLeft } from '../../src/report/console.js';

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

describe('progress with a bar, a rate and the time left', () => {
  it('draws the fraction done as a bar and a percentage, clamped to 0..100', () => {
    expect(progressBar(0.5, 10)).toBe('[#####-----]  50%');
    expect(progressBar(1.7, 4)).toBe('[####] 100%');
    expect(progressBar(Number.NaN, 4)).toBe('[----]   0%');
  });

  it('says the time left in seconds, minutes or hours, and nothing before there is a rate', () => {
    expect(timeLeft(null)).toBe('time left: -');
    expect(timeLeft(1_200)).toBe('~2 s left');
    expect(timeLeft(80_000)).toBe('~1 min 20 s left');
    expect(timeLeft(3_720_000)).toBe('~1 h 2 min left');
  });

  it('tells a campaign its time left from the seeds done so far', () => {
    const text = progressText({ seedsDone: 500, seedsTotal: 2000, events: 1_000_000, simulatedMs: 0, wallMs: 10_000, failures: 1 });
    expect(text).toBe('raftcheck: [#####---------------]  25% seed 500/2,000  ~30 s left  100,000 events/s  failures 1');
  });

  it('measures bounded work against the nearer of its bounds', () => {
    expect(boundedProgress(15_000, 60_000, 900_000, 1_000_000)).toBe('[##################--]  90% ~2 s left at most');
    expect(boundedProgress(30_000, 60_000)).toBe('[##########----------]  50% ~30 s left at most');
  });
});

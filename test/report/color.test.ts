// Colour follows the conventions users set once for every tool: --color / --no-color, then
// FORCE_COLOR, then NO_COLOR (no-color.org), then whether the output is a terminal.

import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/report/color.js';
import { raftcheck } from '../support/cli.js';

const terminal = { isTTY: true };
const pipe = { isTTY: false };

describe('colorEnabled', () => {
  it('colours a terminal and not a pipe when nothing is set', () => {
    expect(colorEnabled(terminal, undefined, {})).toBe(true);
    expect(colorEnabled(pipe, undefined, {})).toBe(false);
  });

  it('turns colour off in a terminal when NO_COLOR is set to anything but the empty string', () => {
    expect(colorEnabled(terminal, undefined, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(terminal, undefined, { NO_COLOR: 'false' })).toBe(false);
    expect(colorEnabled(terminal, undefined, { NO_COLOR: '' })).toBe(true);
  });

  it('turns colour on in a pipe with FORCE_COLOR, which outranks NO_COLOR, and off with FORCE_COLOR=0 or false', () => {
    expect(colorEnabled(pipe, undefined, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(pipe, undefined, { FORCE_COLOR: '' })).toBe(true);
    expect(colorEnabled(pipe, undefined, { FORCE_COLOR: '3', NO_COLOR: '1' })).toBe(true);
    expect(colorEnabled(terminal, undefined, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled(terminal, undefined, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('lets --color and --no-color outrank every variable', () => {
    expect(colorEnabled(pipe, true, { NO_COLOR: '1', FORCE_COLOR: '0' })).toBe(true);
    expect(colorEnabled(terminal, false, { FORCE_COLOR: '1' })).toBe(false);
  });

  it('does not colour a dumb terminal', () => {
    expect(colorEnabled(terminal, undefined, { TERM: 'dumb' })).toBe(false);
  });
});

describe('colour on the command line', () => {
  const hasColour = (text: string) => text.includes('\x1b[');

  it('colours the summary in a pipe with --color or FORCE_COLOR, and not without', () => {
    expect(hasColour(raftcheck(['run', '--seed', '1', '--color']).stdout)).toBe(true);
    expect(hasColour(raftcheck(['run', '--seed', '1'], { FORCE_COLOR: '1' }).stdout)).toBe(true);
    expect(hasColour(raftcheck(['run', '--seed', '1']).stdout)).toBe(false);
  });

  it('does not colour with --no-color, whatever FORCE_COLOR says', () => {
    expect(hasColour(raftcheck(['run', '--seed', '1', '--no-color'], { FORCE_COLOR: '1' }).stdout)).toBe(false);
  });
});

// A --check-determinism failure as a user meets it: the command it prints reproduces the
// mismatch, and the two first differing events print differently even when their inputs match.

import { describe, expect, it } from 'vitest';
import { raftcheck } from '../support/cli.js';

const nondeterministic = 'test/adapters/fakes/modules/nondeterministic.mjs';

function lineStartingWith(text: string, prefix: string): string {
  const line = text.split('\n').find((candidate) => candidate.trimStart().startsWith(prefix));
  expect(line, `a line starting with "${prefix}" in:\n${text}`).toBeDefined();
  return line!.trimStart().slice(prefix.length).trim();
}

describe('a determinism failure', () => {
  const failing = raftcheck(['run', '--impl', nondeterministic, '--seed', '2', '--check-determinism']);

  it('exits 4 and names the nondeterminism', () => {
    expect(failing.status).toBe(4);
    expect(failing.stdout).toContain('FAILED seed 2: nondeterministic: the same seed gave two different runs');
  });

  it('prints the two first differing events differently, with the trace digest after each', () => {
    const first = lineStartingWith(failing.stdout, 'first run:');
    const second = lineStartingWith(failing.stdout, 'second run:');
    expect(first).not.toBe(second);
    expect(first).toMatch(/trace digest after it [0-9a-f]{8}/);
    expect(second).toMatch(/trace digest after it [0-9a-f]{8}/);
  });

  it('prints a replay command that checks determinism, and running it reproduces the mismatch', () => {
    const command = lineStartingWith(failing.stdout, 'replay:');
    expect(command).toContain('--check-determinism');
    const words = command.split(' ');
    expect(words.slice(0, 2)).toEqual(['npx', 'raftcheck']);
    const again = raftcheck(words.slice(2));
    expect(again.status).toBe(4);
    expect(again.stdout).toContain('nondeterministic: the same seed gave two different runs');
  });
});

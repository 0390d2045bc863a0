// Durability probes from the command line: on by default for the in-process reference, off with
// --no-probes, and on request (--probes) for a program over the process protocol, whose messages
// carry their views. `explore` probes the same way, on the same default, through the one world.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { raftcheck } from '../support/cli.js';

function firstFailure(args: string[]): { invariant: string; message: string } | null {
  const result = raftcheck(['run', '--scenario', 'default', '--seeds', '1', '--no-shrink', '--no-html', '--json', ...args]);
  const summary = JSON.parse(result.stdout);
  return summary.failures[0] ?? null;
}

describe('raftcheck run --probes', () => {
  it('catches an unsynced vote where it is granted, by default on the reference', () => {
    const failure = firstFailure(['--bug', 'vote-not-persisted']);
    expect(failure?.invariant).toBe('durable-promise');
    expect(failure?.message).toMatch(/granted its vote in term \d+ to n\d, but a restart from its records durable as the message leaves has term \d+/);
  });

  it('leaves the vote to the later invariants with --no-probes', () => {
    const failure = firstFailure(['--bug', 'vote-not-persisted', '--no-probes']);
    expect(failure?.invariant).not.toBe('durable-promise');
  });

  it('probes a program over the process protocol on request, through the views its messages carry', () => {
    const program = `process:"${process.execPath}" dist/src/adapters/referenceProcess.js --bug log-not-persisted`;
    expect(firstFailure(['--impl', program, '--probes'])?.invariant).toBe('durable-promise');
    expect(firstFailure(['--impl', program])?.invariant).not.toBe('durable-promise');
  });

  it('probes every step of an explore search too, and records it in the trace of the path found', () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-probes-'));
    const explored = (flags: string[]) => JSON.parse(raftcheck(['explore', '--bug', 'log-not-persisted', '--depth', '6', '--max-crashes', '0', '--json', '--out', out, ...flags]).stdout);
    const probed = explored([]);
    expect(probed.failures[0]?.invariant).toBe('durable-promise');
    expect(JSON.parse(readFileSync(probed.failures[0].trace, 'utf8')).explore.durabilityProbes).toBe(true);
    expect(explored(['--no-probes']).failures[0]?.invariant).not.toBe('durable-promise');
  });
});

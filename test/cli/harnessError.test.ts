// The command line on a harness error: when an end-of-run audit finds raftcheck's own state
// wrong, `raftcheck run` says it is raftcheck's bug and exits 5, not 1. The registry is given a
// checker that corrupts a prefix hash on purpose (test/support/corruptedChecker.ts), in process.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

vi.mock('../../invariants/index.js', async (importOriginal) => {
  const registry = await importOriginal<typeof import('../../invariants/index.js')>();
  const { prefixHashCorruptor } = await import('../support/corruptedChecker.js');
  return { ...registry, allInvariants: [prefixHashCorruptor, ...registry.allInvariants] };
});

function capturedIo(): { io: CommandIo; stdout: () => string; stderr: () => string } {
  const written = { stdout: '', stderr: '' };
  const stream = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        written[key] += chunk.toString();
        done();
      },
    }) as unknown as NodeJS.WriteStream;
  return { io: { stdout: stream('stdout'), stderr: stream('stderr') }, stdout: () => written.stdout, stderr: () => written.stderr };
}

describe('raftcheck run on a harness error', () => {
  it('exits 5 and reports the seed as a harness error in the summary', async () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-harness-'));
    const captured = capturedIo();
    const exitCode = await main(['run', '--seed', '5', '--scenario', 'default', '--no-shrink', '--json', '--out', out], captured.io);
    expect(exitCode).toBe(5);
    const summary = JSON.parse(captured.stdout());
    expect(summary).toMatchObject({ result: 'harnessError', exitCode: 5, violationsByInvariant: { 'harness-error': 1 } });
    expect(summary.failures[0]).toMatchObject({ status: 'harnessError', invariant: 'harness-error' });
    const trace = JSON.parse(readFileSync(resolve(summary.reportDirectory, 'seed-5.trace.json'), 'utf8'));
    expect(trace.result.harnessError).toMatchObject({ invariant: 'log-matching' });
  });

  it('prints that the failure is a bug in raftcheck, not a violation', async () => {
    const captured = capturedIo();
    const exitCode = await main(['run', '--seed', '5', '--scenario', 'default', '--no-shrink', '--out', mkdtempSync(join(tmpdir(), 'raftcheck-harness-'))], captured.io);
    expect(exitCode).toBe(5);
    expect(captured.stdout()).toContain('FAILED seed 5: harness error (a bug in raftcheck, please report it with the trace)');
    expect(captured.stdout()).not.toContain('safety violation');
  });
});

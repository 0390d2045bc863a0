// The edges of a command's input and output, as a user meets them: a reader that closes the pipe
// early, and files and folders that cannot be read or written.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeed, traceOf } from '../../src/check/run.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { bin, root } from '../support/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'raftcheck-io-'));
const trace = join(folder, 'seed-1.trace.json');
writeFileSync(trace, JSON.stringify(traceOf(runSeed({ seed: 1, scenario: { ...defaultScenario(), durationMs: 500 }, recordEvents: true }))));

/** Runs the command with its stdout closed by the reader before anything is written to it. */
function withClosedStdout(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

describe('a reader that closes the pipe early', () => {
  it.each([
    ['bugs', ['bugs']],
    ['show --all', ['show', trace, '--all']],
    ['replay', ['replay', trace]],
  ])('ends %s quietly, with its own exit code', async (_name, args) => {
    const result = await withClosedStdout(args);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

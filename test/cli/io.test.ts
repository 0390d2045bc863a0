// The edges of a command's input and output, as a user meets them: a reader that closes the pipe
// early, and files and folders that cannot be read or written.

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeed, traceOf } from '../../src/check/run.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { bin, raftcheck, root } from '../support/cli.js';

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

/** A fresh folder holding a folder `folder/` and a file `file`. */
function sandbox(): { base: string; folder: string; file: string } {
  const base = mkdtempSync(join(tmpdir(), 'raftcheck-fs-'));
  mkdirSync(join(base, 'folder'));
  writeFileSync(join(base, 'file'), 'not a folder\n');
  return { base, folder: join(base, 'folder'), file: join(base, 'file') };
}

/** A usage error: exit code 2 and one line on stderr that names the path and the reason. */
function expectOneLineError(result: { status: number; stdout: string; stderr: string }, ...parts: string[]): void {
  expect(result.status).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  for (const part of parts) expect(result.stderr).toContain(part);
}

describe('a folder where a file belongs', () => {
  it('is refused as a scenario, naming it', () => {
    const { folder } = sandbox();
    expectOneLineError(raftcheck(['run', '--scenario', folder, '--seeds', '1']), `scenario file ${folder} is a folder, not a file`);
  });

  it.each(['replay', 'show', 'shrink'])('is refused as the trace of %s, naming it', (command) => {
    const { folder } = sandbox();
    expectOneLineError(raftcheck([command, folder]), `trace file ${folder} is a folder, not a file`);
  });

  it('is refused as the --out of shrink, before the shrink and without a stray temporary file', () => {
    const { folder } = sandbox();
    expectOneLineError(raftcheck(['shrink', trace, '--out', `${folder}/`]), `--out ${folder}/ is a folder: name a file`);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('an --out that cannot hold a report folder', () => {
  it.each([
    ['a file', (paths: ReturnType<typeof sandbox>) => paths.file, (paths: ReturnType<typeof sandbox>) => `${paths.file} is not a folder`],
    ['a path under a file', (paths: ReturnType<typeof sandbox>) => join(paths.file, 'reports'), (paths: ReturnType<typeof sandbox>) => `${paths.file} is not a folder`],
    ['/dev/null', () => '/dev/null', () => '/dev/null is not a folder'],
  ])('is refused for run when it is %s, naming it', (_name, out, reason) => {
    const paths = sandbox();
    expectOneLineError(raftcheck(['run', '--seeds', '1', '--out', out(paths)]), `report folder ${out(paths)}/`, reason(paths));
  });

  it.skipIf(process.getuid?.() === 0)('is refused for run when it is read-only, and nothing is made there', () => {
    const { folder } = sandbox();
    chmodSync(folder, 0o555);
    expectOneLineError(raftcheck(['run', '--seeds', '1', '--out', join(folder, 'reports')]), `${folder}: permission denied`);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('is refused for explore before the search', () => {
    const { file } = sandbox();
    expectOneLineError(raftcheck(['explore', '--bug', 'figure8', '--time', '10', '--out', file]), `--out ${file}: ${file} is not a folder`);
  });
});

describe('a run that ends before writing anything', () => {
  it('leaves no empty report folder', () => {
    const { folder } = sandbox();
    const result = raftcheck(['run', '--impl', 'test/adapters/fakes/modules/fails-in-workers.mjs', '--seeds', '4', '--jobs', '2', '--out', folder]);
    expect(result.status).toBe(5);
    expect(result.stderr).toContain('broken in worker threads on purpose');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('is not what a createNode() that throws is: that is the implementation\'s error, with its report', () => {
    const { folder } = sandbox();
    const result = raftcheck(['run', '--impl', 'test/adapters/fakes/modules/create-node-throws.mjs', '--seeds', '1', '--out', folder]);
    expect(result.status).toBe(4);
    expect(result.stdout).toContain('createNode() threw Error: createNode is broken on purpose');
    expect(readdirSync(folder)).toHaveLength(1);
  });
});

// `--impl` on the command line: modules, process programs, how bad ones are reported, and trace
// files that replay a non-reference implementation on their own.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, raftcheck, root } from '../support/cli.js';

const fakes = 'test/adapters/fakes';

describe('raftcheck run --impl', () => {
  it('runs the example module of docs/examples green', () => {
    const result = raftcheck(['run', '--impl', 'docs/examples/reference-module.mjs', '--seeds', '2']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('example-wrapped-reference');
  });

  it('transpiles and runs a TypeScript module', () => {
    const result = raftcheck(['run', '--impl', `${fakes}/modules/typed.ts`, '--seeds', '1']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('typed-reference');
  });

  it('refuses a module that does not exist, with exit code 2 and its path', () => {
    const result = raftcheck(['run', '--impl', './missing/module.js']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('missing/module.js does not exist');
  });

  it('refuses a module that throws on import, with exit code 2 and the error', () => {
    const result = raftcheck(['run', '--impl', `${fakes}/modules/throws.mjs`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('failed to load: Error: this module is broken on purpose');
  });

  it('refuses a module that exports the wrong shape, with exit code 2 and what is missing', () => {
    const result = raftcheck(['run', '--impl', `${fakes}/modules/wrong-shape.mjs`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('its createNode is not a function');
  });

  it('refuses --bug with an implementation other than the reference', () => {
    const result = raftcheck(['run', '--impl', 'docs/examples/reference-module.mjs', '--bug', 'figure8']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--bug switches on bugs of the reference Raft');
  });

  it('reports a misbehaving program with exit code 4 and a trace that replays on its own', () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-impl-'));
    const run = raftcheck(['run', '--impl', `process:node ${fakes}/exits.mjs`, '--seed', '1', '--no-shrink', '--out', out, '--json']);
    expect(run.status).toBe(4);
    const failure = JSON.parse(run.stdout).failures[0];
    expect(failure.message).toContain('exited with code 3');
    const trace = join(out, failure.trace.split('/').slice(-2).join('/'));
    expect(JSON.parse(readFileSync(trace, 'utf8')).implementation.source).toMatchObject({ kind: 'process', command: 'node' });
    const replay = raftcheck(['replay', trace, '--json']);
    expect(replay.status).toBe(4);
    expect(JSON.parse(replay.stdout).traceHashMatches).toBe(true);
  });

  it('reports a program that exits before hello (/bin/false, /bin/true) with exit code 4 and its exit code, never a stack trace', () => {
    for (const [program, code] of [['/bin/false', 1], ['/bin/true', 0]] as const) {
      const run = raftcheck(['run', '--impl', `process:${program}`, '--seed', '1', '--no-shrink']);
      expect(run.status).toBe(4);
      expect(run.stdout).toContain(`(${program}) exited with code ${code} before answering hello`);
      expect(run.stderr).not.toContain('harness error');
    }
  });

  it('leaves no program running when the harness is interrupted', async () => {
    const pids = join(mkdtempSync(join(tmpdir(), 'raftcheck-pids-')), 'pids');
    const child = spawn(process.execPath, [bin, 'run', '--impl', `process:node ${fakes}/hangs.mjs ${pids}`, '--seed', '1', '--out', tmpdir()], { cwd: root, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // The first node's program has started once its pid is on file (the probe's is first).
    await until(() => existsSync(pids) && readFileSync(pids, 'utf8').trim().split('\n').length >= 2);
    child.kill('SIGINT');
    await exited;
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    await until(() => started.every((pid) => !alive(pid)));
    expect(started.filter(alive)).toEqual([]);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls a condition, up to a bound of 200 tries of 50 ms (the bound only stops a broken test). */
async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
}

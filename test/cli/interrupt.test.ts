// SIGINT and SIGTERM as a user sends them, to the command running in a fresh process: a campaign
// (in one thread and in worker threads), a shrink and an explore search stop at their next
// check, keep and write what they found, print their summary and exit 130 (SIGINT) or 143
// (SIGTERM). Each test signals only once the command has visibly started: its report folder, its
// best trace so far, or its progress line on a terminal.

import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, raftcheck, root } from '../support/cli.js';

interface Running {
  child: ChildProcess;
  output: () => string;
  ended: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

function start(command: string, args: string[]): Running {
  const child = spawn(command, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const ended = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child, output: () => stdout, ended };
}

/** Waits until the condition holds: the command has got as far as the test needs. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function reportFolder(out: string): string | null {
  const folders = existsSync(out) ? readdirSync(out) : [];
  return folders.length > 0 ? join(out, folders[0]) : null;
}

async function interruptedCampaign(signal: 'SIGINT' | 'SIGTERM', jobs: string) {
  const out = mkdtempSync(join(tmpdir(), 'raftcheck-interrupt-'));
  const running = start(process.execPath, [bin, 'run', '--seeds', '100000', '--jobs', jobs, '--out', out]);
  await until(() => reportFolder(out) !== null, 'the report folder');
  running.child.kill(signal);
  const ended = await running.ended;
  const summary = JSON.parse(readFileSync(join(reportFolder(out)!, 'summary.json'), 'utf8'));
  return { ended, summary };
}

describe('an interrupted campaign', () => {
  it('writes summary.json for the seeds done, marked interrupted, prints the summary and exits 130 on SIGINT', async () => {
    const { ended, summary } = await interruptedCampaign('SIGINT', '1');
    expect(ended.status).toBe(130);
    expect(summary).toMatchObject({ interrupted: 'SIGINT', exitCode: 130, seedsPlanned: 100000, failures: [] });
    expect(summary.seeds).toBeGreaterThan(0);
    expect(summary.seeds).toBeLessThan(100000);
    expect(ended.stdout).toContain('raftcheck run: reference on scenario swarm');
    expect(ended.stdout).toContain('interrupted by SIGINT');
    expect(ended.stdout).toContain(`seeds       ${summary.seeds.toLocaleString('en-US')}`);
  });

  it('stops its worker threads and exits 143 on SIGTERM', async () => {
    const { ended, summary } = await interruptedCampaign('SIGTERM', '2');
    expect(ended.status).toBe(143);
    expect(summary).toMatchObject({ interrupted: 'SIGTERM', exitCode: 143 });
    expect(summary.seeds).toBeGreaterThan(0);
    expect(ended.stderr).toBe('');
  });
});

describe('an interrupted shrink', () => {
  it('writes the best trace so far, says where it is and exits 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-interrupt-shrink-'));
    // Swarm seed 8 of count-stale-votes (its first failing seed since the waits between membership
    // changes grow with their choice; 4 before): a run whose shrink takes thousands of candidates.
    const found = raftcheck(['run', '--bug', 'count-stale-votes', '--seed', '8', '--no-shrink', '--json', '--out', out]);
    const original = JSON.parse(found.stdout).failures[0].trace;
    const best = join(out, 'best.trace.json');
    const running = start(process.execPath, [bin, 'shrink', original, '--shrink-time', '300', '--out', best]);
    await until(() => existsSync(best), 'the best trace so far');
    running.child.kill('SIGINT');
    const ended = await running.ended;
    expect(ended.status).toBe(130);
    expect(ended.stdout).toContain('interrupted by SIGINT: the trace below is the best so far');
    expect(ended.stdout).toContain(`trace: ${best}`);
    const replay = spawnSync(process.execPath, [bin, 'replay', best, '--json'], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(replay.stdout)).toMatchObject({ result: 'safety', traceHashMatches: true });
  });
});

describe('an interrupted explore search', () => {
  it('prints its counts and that nothing was found so far, and exits 130 on Ctrl-C in a terminal', async () => {
    // script(1) gives the command a terminal, so its progress line shows and ^C is a real SIGINT.
    const command = `${process.execPath} ${bin} explore --depth 40 --max-term 6 --max-states 100000000`;
    const running = start('script', ['-qfec', command, '/dev/null']);
    await until(() => running.output().includes('raftcheck explore: ['), 'the progress line');
    running.child.stdin!.write('\x03');
    const ended = await running.ended;
    expect(ended.status).toBe(130);
    expect(ended.stdout).toContain('interrupted before it explored everything within the bounds');
    expect(ended.stdout).toMatch(/[\d,]+ distinct states/);
  });
});

describe('the interrupt exit codes', () => {
  it('are documented in --help and the README', () => {
    expect(raftcheck(['run', '--help']).stdout).toContain('130, 143  interrupted by SIGINT or SIGTERM');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('| 130, 143 | interrupted by SIGINT (Ctrl-C) or SIGTERM |');
  });
});

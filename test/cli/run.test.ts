// The command line as a user meets it: `raftcheck run` and `raftcheck scenarios` in a fresh
// process, their exit codes, their JSON, and their messages on bad input.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, raftcheck, root } from '../support/cli.js';
import { availableParallelism } from 'node:os';
import { jobsByDefault } from '../../src/cli/runCommand.js';


describe('raftcheck run', () => {
  it('passes a short campaign on the reference and exits 0 with a summary', () => {
    const { status, stdout } = raftcheck(['run', '--seeds', '5']);
    expect(status).toBe(0);
    expect(stdout).toContain('result      ok');
    expect(stdout).toMatch(/events\s+[\d,]+ \([\d,]+ events\/s\)/);
    expect(stdout).toMatch(/simulated in .* wall/);
    expect(stdout).toContain('violations  none');
  });

  it('prints one JSON object with the documented fields under --json', () => {
    const { status, stdout } = raftcheck(['run', '--seeds', '3', '--json']);
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(summary).toMatchObject({ result: 'ok', seeds: 3, failures: [], exitCode: 0 });
    for (const field of ['events', 'eventsPerSecond', 'simulatedMs', 'wallMs']) expect(typeof summary[field]).toBe('number');
    // Each seed runs its 6 s fault phase, then a liveness phase until the cluster recovers.
    expect(summary.simulatedMs).toBeGreaterThan(3 * 6000);
  });

  it('writes summary.json atomically into a fresh report folder', () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-out-'));
    const result = spawnSync(process.execPath, [bin, 'run', '--seed', '4', '--json', '--out', out], { cwd: root, encoding: 'utf8' });
    const summary = JSON.parse(result.stdout);
    const written = JSON.parse(readFileSync(join(summary.reportDirectory, 'summary.json'), 'utf8'));
    expect(written).toEqual(summary);
  });

  it('runs one seed with --seed and reports the same events every time', () => {
    const first = JSON.parse(raftcheck(['run', '--seed', '9', '--json']).stdout);
    const second = JSON.parse(raftcheck(['run', '--seed', '9', '--json']).stdout);
    expect(first.seeds).toBe(1);
    expect(second.events).toBe(first.events);
  });

  it('passes --check-determinism on the reference', () => {
    const { status, stdout } = raftcheck(['run', '--seeds', '3', '--check-determinism']);
    expect(status).toBe(0);
    expect(stdout).toContain('determinism checked');
  });

  it('runs a 3-node cluster with --nodes', () => {
    const summary = JSON.parse(raftcheck(['run', '--seeds', '2', '--nodes', '3', '--json']).stdout);
    expect(summary.options.nodes).toBe(3);
    expect(summary.options.faults.crash.downMax).toBe(1);
  });

  it('reports the same campaign whatever the number of threads (--jobs), failures and their order included', () => {
    const summaryOf = (jobs: string) => {
      const out = mkdtempSync(join(tmpdir(), 'raftcheck-jobs-'));
      const { status, stdout } = raftcheck(['run', '--bug', 'vote-without-log-check', '--seeds', '60', '--failures-max', '3', '--no-shrink', '--jobs', jobs, '--json', '--out', out]);
      expect(status).toBe(1);
      const summary = JSON.parse(stdout);
      // Only the wall times and where the report went may differ.
      const { wallMs, failuresWallMs, eventsPerSecond, reportDirectory, ...rest } = summary;
      return JSON.stringify(rest).replaceAll(out, 'OUT').replace(/\d{4}-\d{2}-\d{2}-\d{6}/g, 'DATE');
    };
    const alone = summaryOf('1');
    expect(JSON.parse(alone).failures).toHaveLength(3);
    expect(summaryOf('3')).toBe(alone);
  });

  it('runs the reference and modules on every core by default, and a process program alone', () => {
    expect(jobsByDefault(undefined)).toBe(availableParallelism());
    expect(jobsByDefault({ kind: 'module', path: 'x.mjs' } as never)).toBe(availableParallelism());
    expect(jobsByDefault({ kind: 'process', command: ['x'] } as never)).toBe(1);
  });

  it('exits 2 for --jobs 0', () => {
    const { status, stderr } = raftcheck(['run', '--seeds', '2', '--jobs', '0']);
    expect(status).toBe(2);
    expect(stderr).toContain('--jobs must be an integer from 1');
  });

  it('exits 2 naming the problem for --seeds 0', () => {
    const { status, stderr } = raftcheck(['run', '--seeds', '0']);
    expect(status).toBe(2);
    expect(stderr).toContain('--seeds must be an integer from 1');
  });

  it('exits 2 for --seed together with --seeds', () => {
    const { status, stderr } = raftcheck(['run', '--seeds', '3', '--seed', '4']);
    expect(status).toBe(2);
    expect(stderr).toContain('either --seed S');
  });

  it('exits 2 for an unknown option', () => {
    const { status, stderr } = raftcheck(['run', '--sedes', '3']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/Unknown argument/i);
  });

  it('exits 2 for an unknown scenario name and lists the shipped ones', () => {
    const { status, stderr } = raftcheck(['run', '--scenario', 'nope']);
    expect(status).toBe(2);
    expect(stderr).toContain('unknown scenario "nope"; shipped scenarios: default');
  });

  it('exits 2 for a malformed scenario file, naming the file and the field path', () => {
    const directory = mkdtempSync(join(tmpdir(), 'raftcheck-bad-'));
    const path = join(directory, 'bad.json');
    writeFileSync(path, JSON.stringify({ faults: { crash: { perSecond: -1 } } }));
    const { status, stderr } = raftcheck(['run', '--scenario', path]);
    expect(status).toBe(2);
    expect(stderr).toContain('bad.json: invalid scenario');
    expect(stderr).toContain('faults.crash.perSecond: expected a number from 0 to 1000, got -1');
  });

  it('exits 2 without a command, and documents the exit codes in --help', () => {
    expect(raftcheck([]).status).toBe(2);
    const help = execFileSync(process.execPath, [bin, 'run', '--help'], { encoding: 'utf8' });
    expect(help).toContain('Exit codes:');
    expect(help).toContain('1  safety violation');
  });
});

describe('raftcheck scenarios', () => {
  it('lists the shipped scenarios with one-line descriptions', () => {
    const { status, stdout } = raftcheck(['scenarios']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^default\s+\S/m);
  });

  it('prints a JSON list of {name, description} under --json', () => {
    const list = JSON.parse(raftcheck(['scenarios', '--json']).stdout);
    expect(list[0]).toEqual({ name: 'default', description: expect.any(String) });
  });
});

describe('report folder', () => {
  it('is only README.md in git', () => {
    expect(existsSync(join(root, 'reports', 'README.md'))).toBe(true);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^reports\/\*$/m);
  });
});

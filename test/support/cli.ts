// Running the built `raftcheck` command in a fresh process, as a user would, for CLI tests.
// `run` and `shrink` write into a fresh temporary folder unless the test names one.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const bin = join(root, 'bin', 'raftcheck.js');

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the command with `environment` over the test's own, less the colour variables the tests do
 * not set themselves: a FORCE_COLOR in the shell that runs the tests must not colour their output.
 */
export function raftcheck(args: string[], environment: Record<string, string> = {}): CommandResult {
  const writesReports = args[0] === 'run' && !args.includes('--out');
  const out = writesReports ? ['--out', mkdtempSync(join(tmpdir(), 'raftcheck-cli-'))] : [];
  const { FORCE_COLOR: _force, NO_COLOR: _none, ...inherited } = process.env;
  const env = { ...inherited, ...environment };
  const result = spawnSync(process.execPath, [bin, ...args, ...out], { cwd: root, encoding: 'utf8', env });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

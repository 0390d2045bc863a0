// What `npm pack` ships: the built library and the CLI, without the benches (dist/bench) or source
// maps that point at src/*.ts files the package does not ship; and no install script, which
// npm 11 warns about on every install (bin/raftcheck.js builds a git clone on first use instead).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/cli.js';

interface PackedFile {
  path: string;
}

function packedFiles(): string[] {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const output = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(output) as { files: PackedFile[] }[])[0].files.map((file) => file.path);
}

describe('the npm package', () => {
  const files = packedFiles();

  it('ships the CLI, the built library with its types, the scenarios and the worker thread entry', () => {
    for (const path of ['bin/raftcheck.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/check/campaignWorker.js', 'dist/invariants/index.js', 'scenarios/swarm.json']) {
      expect(files).toContain(path);
    }
  });

  it('ships neither the benches nor source maps of sources it does not ship', () => {
    expect(files.filter((path) => path.startsWith('dist/bench/') || path.endsWith('.map'))).toEqual([]);
  });

  it("gives in the README the vitest example that CI runs on the installed package (test/package/raft.test.ts)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = /This vitest file is complete[^`]*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const suite = readFileSync(join(root, 'test/package/raft.test.ts'), 'utf8').replace(/^(\/\/.*\n)+/, '');
    expect(example).toBe(suite);
  });

  it('has no install script (prepare, preinstall, install, postinstall)', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(Object.keys(manifest.scripts).filter((name) => ['prepare', 'preinstall', 'install', 'postinstall'].includes(name))).toEqual([]);
  });
});

// bin/raftcheck.js in both shapes it meets users in: a git clone (src/ beside it), where it builds
// dist/ when dist/ is missing or older than the sources, and an installed package (dist/ only),
// where it never builds. Run on a copy of the script in a tiny package of the same layout, whose
// "CLI" says it ran, so each build takes a moment.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/cli.js';

function tinyClone(): string {
  const folder = mkdtempSync(join(tmpdir(), 'raftcheck-bin-'));
  for (const sub of ['bin', 'src/cli', 'invariants']) mkdirSync(join(folder, sub), { recursive: true });
  copyFileSync(join(root, 'bin', 'raftcheck.js'), join(folder, 'bin', 'raftcheck.js'));
  symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'));
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'tiny', type: 'module' }));
  writeFileSync(
    join(folder, 'tsconfig.json'),
    // No @types/node: the build stays a second or two.
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022'], types: [], outDir: 'dist', rootDir: '.' }, include: ['src/**/*.ts'] }),
  );
  writeFileSync(join(folder, 'src/cli/main.ts'), "declare const process: { stdout: { write(text: string): void } };\nexport async function main(argv: string[]): Promise<number> { process.stdout.write(`ran ${argv.join(' ')}\\n`); return 0; }\n");
  // The entry the script calls: it runs interruptible commands on a thread of their own, the rest through main.
  writeFileSync(join(folder, 'src/cli/interruptible.ts'), "import { main } from './main.js';\nexport function runCommandLine(argv: string[]): Promise<number> { return main(argv); }\n");
  return folder;
}

function raftcheckIn(folder: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(folder, 'bin', 'raftcheck.js'), ...args], { cwd: folder, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bin/raftcheck.js', () => {
  it('builds dist/ on first use in a clone, then runs the command', () => {
    const folder = tinyClone();
    const first = raftcheckIn(folder, 'run');
    expect(first.stderr).toContain('raftcheck: building dist/ from src/');
    expect(first).toMatchObject({ status: 0, stdout: 'ran run\n' });
    expect(existsSync(join(folder, 'dist/src/cli/main.js'))).toBe(true);
  });

  it('does not build again while dist/ is newer than the sources, and builds when a source changes', () => {
    const folder = tinyClone();
    raftcheckIn(folder, 'bugs');
    expect(raftcheckIn(folder, 'bugs')).toMatchObject({ status: 0, stdout: 'ran bugs\n', stderr: '' });
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(folder, 'src/cli/main.ts'), later, later);
    expect(raftcheckIn(folder, 'bugs').stderr).toContain('building dist/');
  });

  it('never builds in an installed package, which has dist/ and no src/', () => {
    const folder = tinyClone();
    raftcheckIn(folder);
    rmSync(join(folder, 'src'), { recursive: true });
    rmSync(join(folder, 'node_modules'));
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(folder, 'tsconfig.json'), later, later);
    expect(raftcheckIn(folder, 'scenarios')).toMatchObject({ status: 0, stdout: 'ran scenarios\n', stderr: '' });
  });
});

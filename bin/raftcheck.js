#!/usr/bin/env node
// The thin shell: hand argv to the library's CLI and set the exit code.
//
// In a git clone (src/ is there) it first builds dist/ when dist/ is missing or older than the
// sources, so `npm ci && npx raftcheck run` works without an install script (npm 11 warns about
// `prepare` and `postinstall` on every install of a package that has one). An installed package
// ships dist/ and no src/, so it never builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'src', 'cli', 'main.js');

/** The newest modification time of the TypeScript sources dist/ is built from, in ms. */
function newestSourceMs(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildNeeded() {
  if (!existsSync(join(root, 'src'))) return false;
  if (!existsSync(entry)) return true;
  const sourcesMs = Math.max(newestSourceMs(join(root, 'src')), newestSourceMs(join(root, 'invariants')), statSync(join(root, 'tsconfig.json')).mtimeMs);
  return sourcesMs > statSync(entry).mtimeMs;
}

if (buildNeeded()) {
  let compiler;
  try {
    compiler = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('raftcheck: dist/ is missing or older than src/, and TypeScript is not installed to build it: run npm ci first\n');
    process.exit(2);
  }
  process.stderr.write('raftcheck: building dist/ from src/ (a git clone: once, and after each change to the sources)\n');
  const built = spawnSync(process.execPath, [compiler, '-p', 'tsconfig.json'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0 || !existsSync(entry)) {
    process.stderr.write(`raftcheck: building dist/ failed (tsc exit code ${built.status}); the errors are above\n`);
    process.exit(5);
  }
}

// run, shrink and explore run on a thread of their own, so that SIGINT and SIGTERM keep their results.
const { runCommandLine } = await import('../dist/src/cli/interruptible.js');
process.exitCode = await runCommandLine(process.argv.slice(2));

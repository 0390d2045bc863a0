// The library's own source files, for the tests that read it as text (import rules, function
// lengths): every .ts file below a folder of the repository, as a path relative to its root.

import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const repositoryRoot = join(dirname(new URL(import.meta.url).pathname), '..', '..');

export function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(join(repositoryRoot, folder))) {
    const path = join(folder, name);
    if (statSync(join(repositoryRoot, path)).isDirectory()) files.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) files.push(path);
  }
  return files;
}

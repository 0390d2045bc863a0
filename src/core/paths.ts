// Where raftcheck's own files are: the package root holds scenarios/ and reports/. Found by
// walking up from this module to the package.json, so it works from src/ (tests) and dist/.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | null = null;

export function packageRoot(): string {
  if (cachedRoot !== null) return cachedRoot;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth += 1) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (parsed.name === 'raftcheck') {
        cachedRoot = directory;
        return directory;
      }
    }
    directory = dirname(directory);
  }
  throw new Error('cannot find the raftcheck package root above ' + fileURLToPath(import.meta.url));
}

export function scenariosDirectory(): string {
  return join(packageRoot(), 'scenarios');
}

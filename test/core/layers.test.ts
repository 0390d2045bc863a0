// DESIGN.md, "Layers": data flows downward only. A file in src/ or invariants/ imports only from
// its own layer or the layers below it, and only src/index.ts (the public barrel) is imported by
// nothing inside the library. This test reads every import and names each upward one.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot, sourceFiles } from '../support/sourceFiles.js';

/** Each layer's rank, bottom first; a file may import a layer of the same or a lower rank. */
const layerRanks: Record<string, number> = {
  core: 0,
  contract: 0,
  raft: 1,
  adapters: 2,
  invariants: 3,
  world: 4,
  sim: 5,
  shrink: 6,
  explore: 7,
  check: 8,
  report: 9,
  cli: 10,
};

const root = repositoryRoot;

/** The layer of a path relative to the root: invariants, a folder of src/, or 'index' for src/index.ts. */
export function layerOf(path: string): string | null {
  const parts = normalize(path).split('/');
  if (parts[0] === 'invariants') return 'invariants';
  if (parts[0] !== 'src') return null;
  return parts.length > 2 ? parts[1] : 'index';
}

/** Every upward import of the file at `path` with contents `text`, as "from -> to". */
export function upwardImports(path: string, text: string): string[] {
  const found: string[] = [];
  const layer = layerOf(path);
  for (const match of text.matchAll(/from '(\.[^']+)'/g)) {
    const target = relative(root, join(root, dirname(path), match[1]));
    const targetLayer = layerOf(target);
    // The barrel sits above every layer; nothing in the library imports it.
    if (layer === null || layer === 'index' || targetLayer === null) continue;
    const upward = targetLayer === 'index' || (layerRanks[targetLayer] ?? Infinity) > (layerRanks[layer] ?? -1);
    if (upward) found.push(`${path} -> ${target}`);
  }
  return found;
}

describe('the import rules of DESIGN.md', () => {
  it('puts every folder of src/ in a layer', () => {
    const folders = readdirSync(join(root, 'src')).filter((name) => statSync(join(root, 'src', name)).isDirectory());
    expect(folders.filter((folder) => layerRanks[folder] === undefined)).toEqual([]);
  });

  it('has no upward import in src/ or invariants/', () => {
    const upward = [...sourceFiles('src'), ...sourceFiles('invariants')].flatMap((path) => upwardImports(path, readFileSync(join(root, path), 'utf8')));
    expect(upward).toEqual([]);
  });

  it('names an upward import when there is one', () => {
    expect(upwardImports('src/raft/node.ts', "import type { Scenario } from '../sim/scenario.js';")).toEqual(['src/raft/node.ts -> src/sim/scenario.js']);
    expect(upwardImports('invariants/x.ts', "import { a } from '../src/world/observation.js';")).toEqual(['invariants/x.ts -> src/world/observation.js']);
    expect(upwardImports('src/sim/x.ts', "import { run } from '../index.js';")).toEqual(['src/sim/x.ts -> src/index.js']);
    expect(upwardImports('src/sim/x.ts', "import { Hasher } from '../core/hash.js';")).toEqual([]);
  });

  it('keeps failure handling out of src/cli: no command shrinks a failure or builds its trace itself', () => {
    // DESIGN.md: the CLI parses and prints; writing traces and shrinking live in src/check.
    const handling = /\b(shrinkToTrace|shrinkExploreTrace|exploreTraceOf|shrinkSteps|traceOf|shrink)\(/;
    const found = sourceFiles('src/cli').flatMap((path) =>
      readFileSync(join(root, path), 'utf8')
        .split('\n')
        .flatMap((line, index) => (handling.test(line) ? [`${path}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});

// Every shipped scenario's trace hashes for seeds 1 to 20 of the correct reference, as `raftcheck
// run` runs them, against a list kept from before (test/sim/data/traceHashes.json). A change that
// moves a run shows here, whether it meant to or not: speed work must move none (issue 24), and a
// change that moves runs on purpose writes the list again once, saying why in its commit:
//   RAFTCHECK_WRITE_HASHES=1 npx vitest run test/sim/pinnedHashes.test.ts
//
// Kept at 0bc29cb (2026-12-06); the simulator's speed-ups after it (2452964 to 35505de) left every
// hash as it was.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { withStrategy } from '../../src/check/options.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';

const listFile = new URL('data/traceHashes.json', import.meta.url);
const shipped = readdirSync(new URL('../../scenarios/', import.meta.url)).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length)).sort();
const implementation = referenceImplementation();

/** Seeds 1 to 20 of a shipped scenario, scheduled as run schedules them, by trace hash. */
function hashesOf(name: string): string[] {
  const scenario = withStrategy(loadScenario(name), undefined);
  return Array.from({ length: 20 }, (_, index) => runSeed({ seed: index + 1, implementation, scenario }).traceHash);
}

if (process.env.RAFTCHECK_WRITE_HASHES === '1') {
  const lines = shipped.map((name) => `  ${JSON.stringify(name)}: ${JSON.stringify(hashesOf(name))}`);
  writeFileSync(listFile, `{\n${lines.join(',\n')}\n}\n`);
}

const kept = JSON.parse(readFileSync(listFile, 'utf8')) as Record<string, string[]>;

describe('trace hashes of every shipped scenario, seeds 1 to 20, against the kept list', () => {
  it('keeps a list for every shipped scenario, and none for a scenario that is gone', () => {
    expect(Object.keys(kept).sort()).toEqual(shipped);
  });

  it.each(shipped)('%s: the same 20 hashes', (name) => {
    expect(hashesOf(name)).toEqual(kept[name]);
  });
});

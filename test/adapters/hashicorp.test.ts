// hashicorp/raft v1.7.2 under raftcheck (adapters/hashicorp-raft), built for wasm and run
// in-process as a time-driven implementation: its goroutines, timers and math/rand run
// unmodified in virtual time. Seeds pass, each the same run twice, and a fresh process replays
// a seed to the same trace hash. Skipped, saying why, when Go is not on PATH and the adapter is
// not built.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashicorpAdapterModule, hashicorpAdapterWasm } from '../../src/adapters/hashicorp.js';
import { wasmImplementation } from '../../src/adapters/wasm/host.js';
import { runCampaign } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { raftcheck, root } from '../support/cli.js';

const goOnPath = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
const runnable = goOnPath || existsSync(hashicorpAdapterWasm());
const skipReason = 'skipped: Go is not on PATH and the hashicorp/raft adapter is not built (install Go 1.26+, or run npm run build:wasm)';
if (!runnable) console.warn(`test/adapters/hashicorp.test.ts ${skipReason}`);

const hashicorp = () => wasmImplementation({ path: hashicorpAdapterModule({ build: true, log: () => {} }) });
const shortScenario = (name: string) => ({ ...loadScenario(name), durationMs: 3_000 });

describe.skipIf(!runnable)(`hashicorp/raft in wasm${runnable ? '' : ` (${skipReason})`}`, () => {
  it('names itself after the pinned hashicorp/raft release and is time-driven', () => {
    const implementation = hashicorp();
    expect([implementation.name, implementation.version, implementation.timing]).toEqual(['hashicorp-raft', 'v1.7.2', 'clock']);
  });

  it('passes a seed of the default and crash scenarios, each the same run twice', () => {
    for (const name of ['default', 'crash-loses-unsynced-writes']) {
      const campaign = runCampaign({ seeds: [1], implementation: hashicorp(), scenario: shortScenario(name), checkDeterminism: true });
      expect(campaign.failures.map((failure) => ({ seed: failure.seed, status: failure.status, violation: failure.run.violation }))).toEqual([]);
      expect(campaign.events).toBeGreaterThan(500);
    }
  });

  it('replays a seed to the same trace hash in a fresh process', () => {
    const path = hashicorpAdapterModule({ build: true, log: () => {} });
    const script = `Promise.all([import('./dist/src/adapters/wasm/host.js'), import('./dist/src/check/run.js'), import('./dist/src/check/scenarios.js')]).then(([host, run, scenarios]) => {
      const scenario = { ...scenarios.loadScenario('default'), durationMs: 3000 };
      process.stdout.write(run.runSeed({ seed: 5, scenario, implementation: host.wasmImplementation({ path: ${JSON.stringify(path)} }) }).traceHash);
    })`;
    const fresh = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(fresh).toMatch(/^[0-9a-f]{16}$/);
    expect(fresh).toBe(runSeed({ seed: 5, scenario: shortScenario('default'), implementation: hashicorp() }).traceHash);
  });

  it('runs from the command line with --impl hashicorp', () => {
    const { status, stdout, stderr } = raftcheck(['run', '--impl', 'hashicorp', '--seeds', '1', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toMatchObject({ result: 'ok', seeds: 1, implementation: 'hashicorp-raft' });
  });
});

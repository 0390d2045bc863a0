// etcd's raft library (go.etcd.io/raft/v3) under raftcheck, through its Go adapter
// (adapters/etcd-raft) and the process protocol: a few seeds of the default scenario pass, and
// the same seed replays to the same trace hash. Skipped, saying why, when Go is not on PATH and
// the adapter is not built.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { etcdAdapterBinary, etcdAdapterCommand } from '../../src/adapters/etcd.js';
import { processImplementation } from '../../src/adapters/process.js';
import { runCampaign } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { raftcheck } from '../support/cli.js';

const goOnPath = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
const runnable = goOnPath || existsSync(etcdAdapterBinary());
const skipReason = 'skipped: Go is not on PATH and the etcd adapter is not built (install Go 1.26+, or run npm run build:etcd)';
if (!runnable) console.warn(`test/adapters/etcd.test.ts ${skipReason}`);

function etcdImplementation() {
  const program = etcdAdapterCommand({ build: true, log: () => {} });
  return processImplementation({ program });
}

describe.skipIf(!runnable)(`etcd raft through the process protocol${runnable ? '' : ` (${skipReason})`}`, () => {
  it('names itself after the pinned etcd raft release', () => {
    const implementation = etcdImplementation();
    expect(implementation.name).toBe('etcd-raft');
    expect(implementation.version).toMatch(/^v3\.\d+\.\d+/);
  });

  it('passes a few seeds of the default scenario, each the same run twice', () => {
    const campaign = runCampaign({
      seeds: [1, 2, 3],
      implementation: etcdImplementation(),
      scenario: loadScenario('default'),
      checkDeterminism: true,
    });
    expect(campaign.failures.map((failure) => ({ seed: failure.seed, status: failure.status, violation: failure.run.violation }))).toEqual([]);
    expect(campaign.result).toBe('ok');
    expect(campaign.events).toBeGreaterThan(1000);
  });

  it('replays a seed to the same trace hash from fresh processes', () => {
    const scenario = loadScenario('default');
    const first = runSeed({ seed: 7, implementation: etcdImplementation(), scenario });
    const second = runSeed({ seed: 7, implementation: etcdImplementation(), scenario });
    expect(first.status).toBe('ok');
    expect(second.traceHash).toBe(first.traceHash);
  });

  it('runs from the command line with --impl etcd and --check-determinism', () => {
    const { status, stdout, stderr } = raftcheck(['run', '--impl', 'etcd', '--seeds', '2', '--check-determinism', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({ result: 'ok', seeds: 2, failures: [] });
  });

  it('is explored from the command line with one crash and at most --max-instances processes for its node states', () => {
    const { status, stdout, stderr } = raftcheck(['explore', '--impl', 'etcd', '--depth', '5', '--max-crashes', '1', '--max-instances', '4', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ result: 'ok', implementation: 'etcd-raft', stoppedBy: 'exhausted', clone: false, instances: { livePeak: 4 } });
    expect(summary.distinctStates).toBeGreaterThan(1000);
  });
});

// etcd's raft library (go.etcd.io/raft/v3) under raftcheck, through its Go adapter
// (adapters/etcd-raft), built from one source as a wasm guest run in-process (--impl etcd) and as
// a program over the process protocol (--impl etcd-process): a few seeds of the default scenario
// pass, the same seed replays to the same trace hash, and both builds give the same trace hashes
// for every shipped scenario. Skipped, saying why, when Go is not on PATH and the adapter is not
// built.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { etcdAdapterBinary, etcdAdapterCommand, etcdAdapterModule } from '../../src/adapters/etcd.js';
import { processImplementation } from '../../src/adapters/process.js';
import { closeProcessHost } from '../../src/adapters/process/host.js';
import { wasmImplementation, wasmInstancesMade } from '../../src/adapters/wasm/host.js';
import { runCampaign } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario, shippedScenarioNames } from '../../src/check/scenarios.js';
import { raftcheck } from '../support/cli.js';

const goOnPath = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
const runnable = goOnPath || existsSync(etcdAdapterBinary());
const skipReason = 'skipped: Go is not on PATH and the etcd adapter is not built (install Go 1.26+, or run npm run build:etcd)';
if (!runnable) console.warn(`test/adapters/etcd.test.ts ${skipReason}`);

function etcdImplementation() {
  return wasmImplementation({ path: etcdAdapterModule({ build: true, log: () => {} }) });
}

function etcdProcessImplementation() {
  const program = etcdAdapterCommand({ build: true, log: () => {} });
  return processImplementation({ program });
}

describe.skipIf(!runnable)(`etcd raft in wasm and over the process protocol${runnable ? '' : ` (${skipReason})`}`, () => {
  afterAll(() => closeProcessHost());

  it('names itself after the pinned etcd raft release, the same in both builds', () => {
    const implementation = etcdImplementation();
    expect(implementation.name).toBe('etcd-raft');
    expect(implementation.version).toMatch(/^v3\.\d+\.\d+/);
    const overPipes = etcdProcessImplementation();
    expect([overPipes.name, overPipes.version]).toEqual([implementation.name, implementation.version]);
  });

  it('gives the same trace hashes in wasm as over pipes, for every shipped scenario and 5 seeds', () => {
    const inWasm = etcdImplementation();
    const overPipes = etcdProcessImplementation();
    const differences: string[] = [];
    for (const name of shippedScenarioNames()) {
      // One second of each: elections, replication and the scenario's first faults, at a cost the suite can carry.
      const scenario = { ...loadScenario(name), durationMs: 1_000 };
      for (const seed of [1, 2, 3, 4, 5]) {
        const wasmRun = runSeed({ seed, implementation: inWasm, scenario });
        const processRun = runSeed({ seed, implementation: overPipes, scenario });
        // A run cut to one second may end in a liveness violation (a membership swarm that removed a
        // node etcd lets disrupt elections without check-quorum), the same both ways; an error may not.
        const failed = wasmRun.status === 'implementationError' || wasmRun.status === 'harnessError';
        if (wasmRun.traceHash !== processRun.traceHash || wasmRun.status !== processRun.status || failed) differences.push(`${name} seed ${seed}: ${wasmRun.status} ${wasmRun.traceHash} vs ${processRun.status} ${processRun.traceHash}`);
      }
    }
    expect(differences).toEqual([]);
    // Every shipped scenario both ways: 79 s before etcd listed its features (load 12), 595 s with
    // them (membership churn and compaction in the swarms) at a load of 20 to 30.
  }, 900_000);

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

  it('replays a seed to the same trace hash from fresh instances', () => {
    const scenario = loadScenario('default');
    const first = runSeed({ seed: 7, implementation: etcdImplementation(), scenario });
    const second = runSeed({ seed: 7, implementation: etcdImplementation(), scenario });
    expect(first.status).toBe('ok');
    expect(second.traceHash).toBe(first.traceHash);
  });

  it('answers hello with protocol 2 and the features it wires, declaring the lease drift it assumes and the guards removed nodes need, and says nothing on stderr', () => {
    etcdAdapterCommand({ build: true, log: () => {} });
    const { stdout, stderr } = spawnSync(etcdAdapterBinary(), { input: '{"kind":"hello","protocol":2}\n', encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({ protocol: 2, name: 'etcd-raft', version: 'v3.7.0', restartable: true, features: ['membership', 'snapshots', 'preVote', 'checkQuorum', 'leadershipTransfer', 'leaseReads', 'asyncStorageWrites'], leaseDriftMax: 0.1, removedNodeGuards: ['checkQuorum', 'preVote'] });
    expect(stderr).toBe('');
  });

  it('hands the wasm instance of an ended node instance to the next one (the guest is restartable), with the same trace hash', () => {
    const implementation = etcdImplementation();
    const madeBefore = wasmInstancesMade();
    let nodeInstances = 0;
    const counted = { ...implementation, createNode: () => ((nodeInstances += 1), implementation.createNode()) };
    const scenario = loadScenario('crash-loses-unsynced-writes');
    const reused = runSeed({ seed: 2, implementation: counted, scenario });
    expect(nodeInstances).toBeGreaterThan(scenario.nodes);
    expect(wasmInstancesMade() - madeBefore).toBeLessThan(nodeInstances);
    expect(reused.traceHash).toBe(runSeed({ seed: 2, implementation: etcdProcessImplementation(), scenario }).traceHash);
  });

  it('runs from the command line with --impl etcd-process', () => {
    const { status, stdout, stderr } = raftcheck(['run', '--impl', 'etcd-process', '--seeds', '1', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toMatchObject({ result: 'ok', seeds: 1, implementation: 'etcd-raft' });
  });

  it('runs any guest from the command line with --impl wasm:PATH (here the etcd build)', () => {
    const path = etcdAdapterModule({ build: true, log: () => {} });
    const { status, stdout, stderr } = raftcheck(['run', '--impl', `wasm:${path}`, '--seeds', '1', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toMatchObject({ result: 'ok', seeds: 1, implementation: 'etcd-raft' });
  });

  it('runs from the command line with --impl etcd and --check-determinism', () => {
    const { status, stdout, stderr } = raftcheck(['run', '--impl', 'etcd', '--seeds', '2', '--check-determinism', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({ result: 'ok', seeds: 2, failures: [] });
  });

  it('is explored from the command line with one crash and at most --max-instances wasm instances for its node states', () => {
    const { status, stdout, stderr } = raftcheck(['explore', '--impl', 'etcd', '--depth', '5', '--max-crashes', '1', '--max-instances', '4', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ result: 'ok', implementation: 'etcd-raft', stoppedBy: 'exhausted', clone: false, instances: { livePeak: 4 } });
    expect(summary.distinctStates).toBeGreaterThan(1000);
  });
});

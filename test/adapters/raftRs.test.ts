// TiKV's raft-rs under raftcheck, through its adapter (adapters/raft-rs), a Rust program over the
// process protocol (--impl raft-rs): seeds pass, each the same run twice; a fresh process replays a
// seed to the same trace hash; and the harness catches raft-rs made to misbehave (its durable
// records thrown away) and replays that failure from its trace alone. Skipped, saying why, when
// cargo is not on PATH and the adapter is not built.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { processImplementation } from '../../src/adapters/process.js';
import { closeProcessHost } from '../../src/adapters/process/host.js';
import { cargoMissingMessage, raftRsAdapterBinary, raftRsAdapterCommand } from '../../src/adapters/raftRs.js';
import { runCampaign } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { raftcheck, root } from '../support/cli.js';

const cargoOnPath = spawnSync('cargo', ['--version'], { encoding: 'utf8' }).status === 0;
const runnable = cargoOnPath || existsSync(raftRsAdapterBinary());
const skipReason = 'skipped: cargo is not on PATH and the raft-rs adapter is not built (install Rust from https://rustup.rs, or run npm run build:raft-rs)';
if (!runnable) console.warn(`test/adapters/raftRs.test.ts ${skipReason}`);

const raftRs = () => processImplementation({ program: raftRsAdapterCommand({ build: true, log: () => {} }) });
const shortScenario = (name: string) => ({ ...loadScenario(name), durationMs: 3_000 });

describe('raft-rs without cargo', () => {
  it('says in one line that cargo is needed when the adapter is not built and cargo is missing', () => {
    const folder = mkdtempSync(join(tmpdir(), 'raftcheck-raft-rs-'));
    mkdirSync(join(folder, 'src'));
    for (const file of ['Cargo.toml', 'Cargo.lock', 'src/main.rs']) writeFileSync(join(folder, file), '');
    const path = process.env.PATH;
    process.env.PATH = join(folder, 'no-such-bin');
    try {
      expect(() => raftRsAdapterCommand({ build: true, log: () => {}, folder })).toThrow(cargoMissingMessage);
      expect(cargoMissingMessage).not.toContain('\n');
    } finally {
      process.env.PATH = path;
    }
  });
});

describe.skipIf(!runnable)(`raft-rs over the process protocol${runnable ? '' : ` (${skipReason})`}`, () => {
  afterAll(() => closeProcessHost());

  it('names itself after the raft crate release that Cargo.lock pins, with the features it wires, the lease drift it assumes and the guard removed nodes need', () => {
    const implementation = raftRs();
    expect([implementation.name, implementation.version, implementation.features, implementation.leaseDriftMax, implementation.removedNodeGuards]).toEqual([
      'raft-rs',
      '0.7.0',
      ['membership', 'snapshots', 'preVote', 'checkQuorum', 'leadershipTransfer', 'leaseReads'],
      0.1,
      ['checkQuorum'],
    ]);
  });

  it('passes a seed of the transfer, lease, membership and crash scenarios with durability probes on, each the same run twice', () => {
    for (const name of ['leader-transfer', 'lease-reads-under-drift', 'membership-churn', 'crash-loses-unsynced-writes']) {
      const scenario = { ...shortScenario(name), durabilityProbes: true };
      const campaign = runCampaign({ seeds: [1], implementation: raftRs(), scenario, checkDeterminism: true });
      expect(campaign.failures.map((failure) => ({ name, seed: failure.seed, status: failure.status, violation: failure.run.violation }))).toEqual([]);
      expect(campaign.events).toBeGreaterThan(500);
    }
  });

  it('catches raft-rs that loses its durable records at the first promise it breaks, through its messages\' views (--probes)', () => {
    const module = 'test/adapters/fakes/modules/raft-rs-amnesia.mjs';
    const run = raftcheck(['run', '--impl', module, '--scenario', 'repeated-leader-crash', '--seed', '1', '--no-shrink', '--no-html', '--probes', '--json']);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).failures[0]).toMatchObject({ status: 'safety', invariant: 'durable-promise' });
  });

  it('passes seeds of the default, client, crash and snapshot scenarios, each the same run twice', () => {
    for (const name of ['default', 'clients', 'crash-loses-unsynced-writes', 'snapshot-catch-up']) {
      const campaign = runCampaign({ seeds: [1, 2], implementation: raftRs(), scenario: shortScenario(name), checkDeterminism: true });
      expect(campaign.failures.map((failure) => ({ name, seed: failure.seed, status: failure.status, violation: failure.run.violation }))).toEqual([]);
      expect(campaign.events).toBeGreaterThan(500);
    }
  });

  it('replays a seed of the snapshot scenario to the same trace hash in a fresh process', () => {
    const { command } = raftRsAdapterCommand({ build: true, log: () => {} });
    // A script file, not node -e: the process host's worker thread does not start from an eval.
    const script = join(mkdtempSync(join(tmpdir(), 'raftcheck-raft-rs-')), 'replay.mjs');
    const dist = (path: string) => JSON.stringify(pathToFileURL(join(root, 'dist', 'src', path)).href);
    writeFileSync(
      script,
      `const [adapter, run, scenarios] = await Promise.all([import(${dist('adapters/process.js')}), import(${dist('check/run.js')}), import(${dist('check/scenarios.js')})]);
      const scenario = { ...scenarios.loadScenario('snapshot-catch-up'), durationMs: 3000 };
      process.stdout.write(run.runSeed({ seed: 5, scenario, implementation: adapter.processImplementation({ program: { command: ${JSON.stringify(command)}, args: [] } }) }).traceHash);
      process.exit(0);`,
    );
    raftcheck(['--help']); // builds dist/ from src/ when it is stale
    const fresh = execFileSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    expect(fresh).toMatch(/^[0-9a-f]{16}$/);
    expect(fresh).toBe(runSeed({ seed: 5, scenario: shortScenario('snapshot-catch-up'), implementation: raftRs() }).traceHash);
  });

  it('runs from the command line with --impl raft-rs', () => {
    const { status, stdout, stderr } = raftcheck(['run', '--impl', 'raft-rs', '--seeds', '1', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toMatchObject({ result: 'ok', seeds: 1, implementation: 'raft-rs' });
  });

  it('catches raft-rs that loses its durable records, and replays the failure from its trace in a fresh process', () => {
    const out = mkdtempSync(join(tmpdir(), 'raftcheck-raft-rs-'));
    const module = 'test/adapters/fakes/modules/raft-rs-amnesia.mjs';
    const run = raftcheck(['run', '--impl', module, '--scenario', 'repeated-leader-crash', '--seed', '1', '--no-shrink', '--out', out, '--json']);
    expect(run.status).toBe(1);
    const failure = JSON.parse(run.stdout).failures[0];
    expect(failure).toMatchObject({ status: 'safety', invariant: 'monotonic-term' });
    const replay = raftcheck(['replay', join(out, failure.trace.split('/').slice(-2).join('/')), '--json']);
    expect(replay.status).toBe(1);
    expect(JSON.parse(replay.stdout).traceHashMatches).toBe(true);
  });
});

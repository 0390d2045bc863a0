// Databend's openraft under raftcheck, through its adapter (adapters/openraft), a time-driven Rust
// program over the process protocol (--impl openraft): seeds pass, each the same run twice, the
// membership and snapshot scenarios with durability probes on; a fresh process replays a seed to
// the same trace hash; the command line runs it. Skipped, saying why, when
// cargo is not on PATH and the adapter is not built.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openraftAdapterBinary, openraftAdapterCommand, openraftCargoMissingMessage } from '../../src/adapters/openraft.js';
import { processImplementation } from '../../src/adapters/process.js';
import { closeProcessHost } from '../../src/adapters/process/host.js';
import { runCampaign } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { raftcheck, root } from '../support/cli.js';

const cargoOnPath = spawnSync('cargo', ['--version'], { encoding: 'utf8' }).status === 0;
const runnable = cargoOnPath || existsSync(openraftAdapterBinary());
const skipReason = 'skipped: cargo is not on PATH and the openraft adapter is not built (install Rust from https://rustup.rs, or run npm run build:openraft)';
if (!runnable) console.warn(`test/adapters/openraft.test.ts ${skipReason}`);

const openraft = () => processImplementation({ program: openraftAdapterCommand({ build: true, log: () => {} }) });
const shortScenario = (name: string) => ({ ...loadScenario(name), durationMs: 3_000 });

describe('openraft without cargo', () => {
  it('says in one line that cargo is needed when the adapter is not built and cargo is missing', () => {
    const folder = mkdtempSync(join(tmpdir(), 'raftcheck-openraft-'));
    mkdirSync(join(folder, 'src'));
    for (const file of ['Cargo.toml', 'Cargo.lock', 'src/main.rs']) writeFileSync(join(folder, file), '');
    const path = process.env.PATH;
    process.env.PATH = join(folder, 'no-such-bin');
    try {
      expect(() => openraftAdapterCommand({ build: true, log: () => {}, folder })).toThrow(openraftCargoMissingMessage);
      expect(openraftCargoMissingMessage).not.toContain('\n');
      expect(openraftCargoMissingMessage).toContain('npm run build:openraft');
    } finally {
      process.env.PATH = path;
    }
  });
});

describe.skipIf(!runnable)(`openraft over the process protocol${runnable ? '' : ` (${skipReason})`}`, () => {
  afterAll(() => closeProcessHost());

  it('names itself after the openraft release that Cargo.lock pins, as a time-driven program', () => {
    const implementation = openraft();
    expect([implementation.name, implementation.version, implementation.features, implementation.timing]).toEqual(['openraft', '0.9.25', ['membership', 'snapshots'], 'clock']);
  });

  it('passes seeds of the membership and snapshot scenarios with durability probes on, each the same run twice', () => {
    for (const name of ['membership-churn', 'snapshot-catch-up']) {
      const scenario = { ...shortScenario(name), durabilityProbes: true };
      const campaign = runCampaign({ seeds: [2, 3], implementation: openraft(), scenario, checkDeterminism: true });
      expect(campaign.failures.map((failure) => ({ name, seed: failure.seed, status: failure.status, violation: failure.run.violation }))).toEqual([]);
      expect(campaign.events).toBeGreaterThan(500);
    }
  });

  it('passes seeds of the default, client and leader-crash scenarios, each the same run twice', () => {
    for (const name of ['default', 'clients', 'repeated-leader-crash']) {
      const campaign = runCampaign({ seeds: [1, 2], implementation: openraft(), scenario: shortScenario(name), checkDeterminism: true });
      expect(campaign.failures.map((failure) => ({ name, seed: failure.seed, status: failure.status, violation: failure.run.violation }))).toEqual([]);
      expect(campaign.events).toBeGreaterThan(500);
    }
  });

  it('replays a seed of the client scenario to the same trace hash in a fresh process', () => {
    const { command } = openraftAdapterCommand({ build: true, log: () => {} });
    // A script file, not node -e: the process host's worker thread does not start from an eval.
    const script = join(mkdtempSync(join(tmpdir(), 'raftcheck-openraft-')), 'replay.mjs');
    const dist = (path: string) => JSON.stringify(pathToFileURL(join(root, 'dist', 'src', path)).href);
    writeFileSync(
      script,
      `const [adapter, run, scenarios] = await Promise.all([import(${dist('adapters/process.js')}), import(${dist('check/run.js')}), import(${dist('check/scenarios.js')})]);
      const scenario = { ...scenarios.loadScenario('clients'), durationMs: 3000 };
      process.stdout.write(run.runSeed({ seed: 5, scenario, implementation: adapter.processImplementation({ program: { command: ${JSON.stringify(command)}, args: [] } }) }).traceHash);
      process.exit(0);`,
    );
    raftcheck(['--help']); // builds dist/ from src/ when it is stale
    const fresh = execFileSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    expect(fresh).toMatch(/^[0-9a-f]{16}$/);
    expect(fresh).toBe(runSeed({ seed: 5, scenario: shortScenario('clients'), implementation: openraft() }).traceHash);
  });

  it('runs from the command line with --impl openraft', () => {
    const { status, stdout, stderr } = raftcheck(['run', '--impl', 'openraft', '--seeds', '1', '--json']);
    expect({ status, stderr }).toMatchObject({ status: 0 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toMatchObject({ result: 'ok', seeds: 1, implementation: 'openraft' });
  });
});

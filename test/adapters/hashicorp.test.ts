// hashicorp/raft v1.7.2 under raftcheck (adapters/hashicorp-raft), built for wasm and run
// in-process as a time-driven implementation: its goroutines, timers and math/rand run
// unmodified in virtual time. Seeds pass, each the same run twice, and a fresh process replays
// a seed to the same trace hash. Skipped, saying why, when Go is not on PATH and the adapter is
// not built.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashicorpAdapterModule, hashicorpAdapterWasm } from '../../src/adapters/hashicorp.js';
import { wasmImplementation } from '../../src/adapters/wasm/host.js';
import { VirtualWasi } from '../../src/adapters/wasm/wasi.js';
import type { WasmMemory } from '../../src/adapters/wasm/webAssembly.js';
import { Wasm } from '../../src/adapters/wasm/webAssembly.js';
import type { Input, Output } from '../../src/contract/contract.js';
import type { Scenario } from '../../src/sim/scenario.js';
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

/** One seed, with every input and output the nodes saw. */
function recordedRun(seed: number, scenario: Scenario): { inputs: Input[]; outputs: Output[]; status: string } {
  const implementation = hashicorp();
  const inputs: Input[] = [];
  const outputs: Output[] = [];
  const recorded = {
    ...implementation,
    createNode: () => {
      const node = implementation.createNode();
      return { step: (input: Input) => (inputs.push(input), outputs[outputs.push(node.step(input)) - 1]), dispose: () => node.dispose?.() };
    },
  };
  return { inputs, outputs, status: runSeed({ seed, implementation: recorded, scenario }).status };
}

const sentTypes = (outputs: Output[]) => new Set(outputs.flatMap((output) => output.messages.map((outbound) => (outbound.message as { type: string }).type)));

describe.skipIf(!runnable)(`hashicorp/raft in wasm${runnable ? '' : ` (${skipReason})`}`, () => {
  it('names itself after the pinned hashicorp/raft release and is time-driven', () => {
    const implementation = hashicorp();
    expect([implementation.name, implementation.version, implementation.timing]).toEqual(['hashicorp-raft', 'v1.7.2', 'clock']);
  });

  it('answers hello with protocol 2, time-driven, with membership, snapshots, pre-vote and leadership transfer', () => {
    const module = new Wasm.Module(readFileSync(hashicorpAdapterModule({ build: true, log: () => {} })));
    const wasi = new VirtualWasi({ seed: 1, stderrLinesMax: 10, outputBytesMax: 1 << 20, wakesPerInputMax: 1000 });
    const instance = new Wasm.Instance(module, { wasi_snapshot_preview1: wasi.imports(Wasm.Module.imports(module).map((entry) => entry.name)) });
    wasi.memory = instance.exports.memory as WasmMemory;
    (instance.exports._initialize as () => void)();
    wasi.beginInput('{"kind":"hello","protocol":2}');
    (instance.exports.raftcheck_step as () => void)();
    expect(JSON.parse(wasi.endInput().stdout)).toEqual({ protocol: 2, name: 'hashicorp-raft', version: 'v1.7.2', timing: 'clock', features: ['membership', 'snapshots', 'preVote', 'leadershipTransfer'] });
  });

  it('asks for the sync barrier with every output that sends a message (its stores are durable when a write returns)', () => {
    const { outputs } = recordedRun(2, shortScenario('default'));
    const sending = outputs.filter((output) => output.messages.length > 0);
    expect(sending.length).toBeGreaterThan(100);
    expect(sending.filter((output) => !output.sync)).toEqual([]);
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

  it('runs pre-vote only when the scenario switches it on, and shows each pre-vote in its view', () => {
    const plain = shortScenario('default');
    const on = recordedRun(3, { ...plain, implementation: { ...plain.implementation, preVote: true } });
    const preVotes = on.outputs.flatMap((output) => output.messages.filter((outbound) => outbound.message.view?.kind === 'voteRequest' && outbound.message.view.preVote === true));
    expect([on.status, preVotes.length > 0]).toEqual(['ok', true]);
    const off = recordedRun(3, shortScenario('default'));
    expect([off.status, sentTypes(off.outputs).has('RequestPreVote'), sentTypes(off.outputs).has('RequestVote')]).toEqual(['ok', false, true]);
  });

  it('transfers leadership through TimeoutNow, and refuses a second transfer while one runs', () => {
    const run = recordedRun(1, loadScenario('leader-transfer'));
    const answers = run.outputs.flatMap((output) => output.answers);
    const reasons = answers.flatMap((answer) => (answer.kind === 'rejected' ? [answer.reason] : []));
    expect(run.status).toBe('ok');
    expect(answers.filter((answer) => answer.kind === 'transferAccepted').length).toBeGreaterThan(0);
    expect(reasons).toContain('leadership transfer in progress');
    expect(sentTypes(run.outputs).has('TimeoutNow')).toBe(true);
  });

  it('compacts its log, sends InstallSnapshot to laggards, and restarts from its snapshots', () => {
    const run = recordedRun(3, shortScenario('snapshot-catch-up'));
    const installs = run.inputs.flatMap((input, index) => (input.kind === 'deliver' && input.message.type === 'InstallSnapshot' ? [run.outputs[index]] : []));
    const restarts = run.inputs.flatMap((input, index) => (input.kind === 'start' && input.records.length > 0 ? [run.outputs[index]] : []));
    expect(run.status).toBe('ok');
    expect(run.outputs.some((output) => output.snapshotTaken !== undefined)).toBe(true);
    // Installed from a leader: the view's log starts after the snapshot.
    const installed = installs.filter((output) => output.snapshotInstalled !== undefined);
    expect(installed.length).toBeGreaterThan(0);
    for (const output of installed) expect([output.state?.snapshotIndex, output.state?.log?.from]).toEqual([output.snapshotInstalled?.index, (output.snapshotInstalled?.index ?? 0) + 1]);
    expect(restarts.some((output) => output.snapshotInstalled !== undefined && output.state?.log?.from === output.snapshotInstalled.index + 1)).toBe(true);
  });

  it('changes membership one server at a time, each configuration entry known by its change id', () => {
    const run = recordedRun(2, loadScenario('membership-churn'));
    const answers = run.inputs.flatMap((input, index) => (input.kind === 'changeMembership' ? run.outputs[index].answers : []));
    const accepted = answers.flatMap((answer) => (answer.kind === 'accepted' ? [answer] : []));
    const applied = new Map(run.outputs.flatMap((output) => output.applied.map((entry) => [`${entry.index}/${entry.term}`, entry.commandId] as const)));
    expect(run.status).toBe('ok');
    expect(run.inputs.some((input) => input.kind === 'start' && input.members.length === 0)).toBe(true);
    expect(accepted.length).toBeGreaterThan(2);
    const committed = accepted.filter((answer) => applied.has(`${answer.index}/${answer.term}`));
    expect(committed.length).toBeGreaterThan(0);
    expect(committed.map((answer) => applied.get(`${answer.index}/${answer.term}`))).toEqual(committed.map((answer) => answer.commandId));
    expect(answers.filter((answer) => answer.kind === 'rejected').map((answer) => answer.reason)).toContain('hashicorp/raft changes one server at a time (no joint consensus)');
  });
});

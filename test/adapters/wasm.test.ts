// The WebAssembly host (src/adapters/wasm): a Go guest built for wasip1 answers protocol lines
// in memory, in virtual time, with randomness from its start seed; every way a guest can
// misbehave ends as an implementation error that says what happened, never as a hang. The guest
// (test/adapters/fakes/wasm) misbehaves as a propose input's key asks. Skipped, saying why, when
// Go is not on PATH and the guest is not built.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImplementationOptions, Input } from '../../src/contract/contract.js';
import { goBuild } from '../../src/adapters/goBuild.js';
import type { WasmImplementationOptions } from '../../src/adapters/wasm/host.js';
import { WasmLoadError, wasmImplementation } from '../../src/adapters/wasm/host.js';
import { VirtualWasi } from '../../src/adapters/wasm/wasi.js';
import { probesByDefault } from '../../src/world/probes.js';
import { implementationErrorKind } from '../../src/shrink/shrink.js';
import { raftcheck, root } from '../support/cli.js';

const guestFolder = join(root, 'test/adapters/fakes/wasm');
const guestPath = join(guestFolder, 'bin/guest.wasm');
const goOnPath = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
const runnable = goOnPath || existsSync(guestPath);
const skipReason = 'skipped: Go is not on PATH and the test guest is not built (install Go 1.26+)';
if (!runnable) console.warn(`test/adapters/wasm.test.ts ${skipReason}`);

const options: ImplementationOptions = { electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 3, entriesPerMessageMax: 10 };
const start = (seed: number): Input => ({ kind: 'start', id: 1, members: [1, 2, 3], seed, records: [], options });
const propose = (key: string): Input => ({ kind: 'propose', command: { id: 7, op: 'set', key, value: 'v' } });

/** What the guest answered to a propose of `key`, after a start with `seed`. */
function answerTo(key: string, seed = 1, settings: Partial<WasmImplementationOptions> = {}): string {
  const node = wasmImplementation({ path: guestPath, ...settings }).createNode();
  node.step(start(seed));
  const answer = node.step(propose(key)).answers[0];
  node.dispose?.();
  return answer.kind === 'read' ? String(answer.value) : JSON.stringify(answer);
}

/** The error a propose of `key` ends with. */
function failureOf(key: string, settings: Partial<WasmImplementationOptions> = {}): Error {
  const node = wasmImplementation({ path: guestPath, ...settings }).createNode();
  node.step(start(1));
  try {
    node.step(propose(key));
  } catch (error) {
    return error as Error;
  }
  throw new Error(`the guest answered ${key} without failing`);
}

describe.skipIf(!runnable)(`a wasm guest${runnable ? '' : ` (${skipReason})`}`, () => {
  beforeAll(() => {
    const source = join(guestFolder, 'main.go');
    if (!existsSync(guestPath) || statSync(source).mtimeMs > statSync(guestPath).mtimeMs) {
      goBuild({ folder: guestFolder, output: guestPath, wasm: true, what: 'the wasm test guest' });
    }
  });

  it('is probed by default: a guest runs in process and its messages carry their views', () => {
    expect(probesByDefault(wasmImplementation({ path: guestPath }))).toBe(true);
  });

  it('is named by its hello answer, and has the features it lists there (protocol 2)', () => {
    const implementation = wasmImplementation({ path: guestPath });
    expect([implementation.name, implementation.version, implementation.features]).toEqual(['misbehaving-guest', '1', ['membership']]);
  });

  it('answers each input with the line it wrote on its stdout', () => {
    const node = wasmImplementation({ path: guestPath }).createNode();
    expect(node.step(start(1))).toEqual({ messages: [], records: [], sync: false, applied: [], answers: [], wakeAfterMs: null });
    expect(node.step(propose('nothing')).answers).toEqual([{ commandId: 7, kind: 'read', value: 'ok' }]);
  });

  it('sleeps in virtual time: the wall clock reads 2026-01-01 at start, and a 150 ms sleep takes exactly 150 ms of it', () => {
    const [wallClock, sleptMs] = answerTo('sleep').split(' ');
    expect([wallClock, sleptMs]).toEqual(['2026-01-01T00:00:00Z', '150']);
  });

  it('draws crypto/rand and math/rand from the start seed: the same seed gives the same bytes, another seed others', () => {
    const randomOf = (seed: number) => answerTo('sleep', seed).split(' ').slice(2).join(' ');
    expect(randomOf(5)).toBe(randomOf(5));
    expect(randomOf(5)).not.toBe(randomOf(6));
  });

  it('reports a panic as a trap with the panic message and the Go traceback', () => {
    const failure = failureOf('panic');
    expect(failure.name).toBe('WasmTrapError');
    expect(failure.message).toContain('panicked during its propose input: panic: the guest gave up');
    expect(failure.message).toMatch(/goroutine 1 \[running\]:[\s\S]*main\.misbehave/);
  });

  it('reports proc_exit with its exit code', () => {
    const failure = failureOf('exit');
    expect([failure.name, implementationErrorKind(`threw ${failure.name}: ${failure.message}`)]).toEqual(['WasmExitError', 'exited']);
    expect(failure.message).toContain('called proc_exit(3) during its propose input');
  });

  it("reports Go's all-goroutines-asleep deadlock", () => {
    const failure = failureOf('deadlock');
    expect(failure.name).toBe('WasmDeadlockError');
    expect(failure.message).toContain('fatal error: all goroutines are asleep - deadlock!');
  });

  it('stops a busy loop once it has spent its fuel, as the same error every time', () => {
    const failure = failureOf('spin', { fuelPerInput: 2_000_000 });
    expect([failure.name, implementationErrorKind(`threw ${failure.name}: ${failure.message}`)]).toEqual(['WasmFuelError', 'timedOut']);
    expect(failure.message).toContain('never became idle during its propose input: it ran 2000000 loop iterations');
    expect(failureOf('spin', { fuelPerInput: 2_000_000 }).message).toBe(failure.message);
  });

  it('stops goroutines that keep each other running forever (never idle, no host call)', () => {
    expect(failureOf('pingpong', { fuelPerInput: 2_000_000 }).name).toBe('WasmFuelError');
  });

  it('stops a guest that grows its memory past the bound', () => {
    const failure = failureOf('memory', { memoryBytesMax: 64 * 1024 * 1024 });
    expect(failure.name).toBe('WasmMemoryError');
    expect(failure.message).toContain('ran out of memory during its propose input: it may use at most 67108864 bytes');
  });

  it('refuses a guest that opens /dev/urandom, naming the call and the path', () => {
    const failure = failureOf('urandom');
    expect(failure.name).toBe('WasmRefusedCallError');
    expect(failure.message).toContain('called path_open for /dev/urandom: a wasm guest may not open files');
  });

  it('refuses a guest that reads a real clock (process CPU time), naming the call and the clock', () => {
    const failure = failureOf('cputime');
    expect(failure.name).toBe('WasmRefusedCallError');
    expect(failure.message).toContain('called clock_time_get of the process CPU-time clock');
  });

  it('reports two answer lines for one input as a protocol error', () => {
    const failure = failureOf('twolines');
    expect([failure.name, implementationErrorKind(`threw ${failure.name}: ${failure.message}`)]).toEqual(['WasmProtocolError', 'protocol']);
    expect(failure.message).toContain('wrote more than one line for its propose input');
  });

  it('keeps failing the same way once it has failed', () => {
    const node = wasmImplementation({ path: guestPath }).createNode();
    node.step(start(1));
    expect(() => node.step(propose('exit'))).toThrow(/proc_exit\(3\)/);
    expect(() => node.step({ kind: 'tick' })).toThrow(/proc_exit\(3\)/);
  });

  it('is time-driven when its hello says timing "clock"', () => {
    expect(wasmImplementation({ path: guestPath }).timing).toBe('clock');
  });

  it("runs a time-driven guest's timers up to the end of an advance and no further, and says when the next is due", () => {
    const node = wasmImplementation({ path: guestPath }).createNode();
    expect(node.step(start(1)).wakeAfterMs).toBeNull();
    // A goroutine that sleeps 100 ms and counts, forever.
    expect(node.step(propose('ticker')).wakeAfterMs).toBe(100);
    expect(node.step({ kind: 'advance', elapsedMs: 250 }).wakeAfterMs).toBe(50);
    expect(node.step(propose('beats')).answers).toEqual([{ commandId: 7, kind: 'read', value: '2' }]);
    expect(node.step({ kind: 'advance', elapsedMs: 50 }).wakeAfterMs).toBe(100);
    expect(node.step(propose('beats')).answers).toEqual([{ commandId: 7, kind: 'read', value: '3' }]);
  });

  it('starts each node instance afresh: a new instance after a crash forgets the clock and randomness the old one used', () => {
    const implementation = wasmImplementation({ path: guestPath });
    const crashed = implementation.createNode();
    crashed.step(start(9));
    const firstAnswer = crashed.step(propose('sleep')).answers;
    expect(crashed.step(propose('sleep')).answers).not.toEqual(firstAnswer);
    crashed.dispose?.();
    const restarted = implementation.createNode();
    restarted.step(start(9));
    expect(restarted.step(propose('sleep')).answers).toEqual(firstAnswer);
  });
});

describe("the wasm host's WASI layer", () => {
  it('restarts random_get from a new seed when an instance is handed to a new node instance', () => {
    const memory = { buffer: new ArrayBuffer(64) };
    const draw = (wasi: VirtualWasi): number[] => {
      wasi.imports(['random_get']).random_get(0, 16);
      return [...new Uint8Array(memory.buffer, 0, 16)];
    };
    const fresh = new VirtualWasi({ seed: 2, stderrLinesMax: 10, outputBytesMax: 1024, wakesPerInputMax: 10 });
    fresh.memory = memory;
    const reused = new VirtualWasi({ seed: 1, stderrLinesMax: 10, outputBytesMax: 1024, wakesPerInputMax: 10 });
    reused.memory = memory;
    const firstDraw = draw(reused);
    reused.restart(2);
    const drawAfterRestart = draw(reused);
    expect(drawAfterRestart).toEqual(draw(fresh));
    expect(drawAfterRestart).not.toEqual(firstDraw);
  });
});

describe('a wasm module that cannot be a guest', () => {
  it('is refused when the file is missing', () => {
    expect(() => wasmImplementation({ path: join(tmpdir(), 'no-such-module.wasm') })).toThrow(WasmLoadError);
  });

  it('is a usage error (exit code 2) on the command line, naming the path', () => {
    const { status, stderr } = raftcheck(['run', '--impl', 'wasm:no-such-module.wasm', '--seeds', '1']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/wasm module \S*no-such-module\.wasm does not exist/);
  });

  it('is refused when it is not WebAssembly, saying so', () => {
    const folder = mkdtempSync(join(tmpdir(), 'raftcheck-wasm-'));
    const path = join(folder, 'text.wasm');
    writeFileSync(path, 'not wasm');
    expect(() => wasmImplementation({ path })).toThrow(/not a WebAssembly module/);
  });

  it('is refused when it does not export raftcheck_step', () => {
    const folder = mkdtempSync(join(tmpdir(), 'raftcheck-wasm-'));
    const path = join(folder, 'empty.wasm');
    // A module with one exported memory and nothing else.
    writeFileSync(path, Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2, 0));
    expect(() => wasmImplementation({ path })).toThrow(/does not export the function raftcheck_step/);
  });
});

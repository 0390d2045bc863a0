// Implementations compiled to WebAssembly, run in-process (docs/PROTOCOL.md, "WebAssembly
// guests"): one compiled module per file, shared; one instance per node instance, made when the
// node starts (so that its random stream is seeded from the start input's seed), dropped on a
// crash. The guest is a WASI preview-1 reactor that exports raftcheck_step: before each call the
// host puts one protocol line on its stdin (hello first, then the node's inputs), and the guest
// answers with one line on stdout, exactly as a process does (the same parsing and checks, from
// ./process/protocol.ts). Everything it can observe comes from ./wasi.ts.
//
// A misbehaving guest is an implementation error, never a hang and never a harness crash: a trap
// or a panic (with its stderr: Go's traceback), proc_exit, Go's "all goroutines are asleep -
// deadlock!", memory past the bound, a refused call, a wrong answer, and a guest that never
// becomes idle. The last is caught without a clock or a thread: ./instrument.ts makes every loop
// spend fuel, and the host fills the tank before each input, so the bound is a count of loop
// iterations and the failure replays at the same point every time.

import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Implementation, Input, NodeInstance, Output } from '../../contract/contract.js';
import { formatStderr } from '../process.js';
import type { Hello } from '../process/protocol.js';
import { helloLine, outputBytesMaxDefault, parseHello, parseOutput, stderrLinesMax } from '../process/protocol.js';
import { fuelExportName, instrumentModule, WasmInstrumentError } from './instrument.js';
import { GuestFault, VirtualWasi } from './wasi.js';
import type { WasmGlobal, WasmMemory, WasmModule } from './webAssembly.js';
import { Wasm } from './webAssembly.js';

export interface WasmImplementationOptions {
  /** The module: a WASI preview-1 reactor exporting raftcheck_step (and memory). */
  path: string;
  /** Loop iterations one input may run before the guest counts as never becoming idle. */
  fuelPerInput?: number;
  /** The most linear memory one instance may grow to, in bytes. */
  memoryBytesMax?: number;
  /** Longest answer line, in bytes. */
  outputBytesMax?: number;
  /** Most wakes from poll_oneoff for one input. */
  wakesPerInputMax?: number;
}

/** About 2^30 loop iterations: seconds of CPU, thousands of times what a Raft input needs. */
export const fuelPerInputDefault = 1_000_000_000;
export const memoryBytesMaxDefault = 1024 * 1024 * 1024;
export const wakesPerInputMaxDefault = 1_000_000;
const stepExportName = 'raftcheck_step';

/** A module that cannot be used at all (missing, not wasm, wrong imports or exports): a usage error. */
export class WasmLoadError extends Error {
  override name = 'WasmLoadError';
}

/** What a guest did wrong; the simulation reports it as an implementation error. */
export class WasmGuestError extends Error {
  override name = 'WasmGuestError';
}
/** The guest trapped (Go: a panic or a fatal error; its traceback is in the message). */
export class WasmTrapError extends WasmGuestError {
  override name = 'WasmTrapError';
}
/** The guest called proc_exit. */
export class WasmExitError extends WasmGuestError {
  override name = 'WasmExitError';
}
/** Go's runtime found every goroutine blocked with no timer pending. */
export class WasmDeadlockError extends WasmGuestError {
  override name = 'WasmDeadlockError';
}
/** The guest ran out of fuel (or of wakes) for one input: it never became idle. */
export class WasmFuelError extends WasmGuestError {
  override name = 'WasmFuelError';
}
/** The guest needed more memory than the bound. */
export class WasmMemoryError extends WasmGuestError {
  override name = 'WasmMemoryError';
}
/** The guest called something the host refuses (files, sockets, CPU-time clocks...). */
export class WasmRefusedCallError extends WasmGuestError {
  override name = 'WasmRefusedCallError';
}
/** The guest broke the protocol (a wrong hello or answer, no answer, more than one line). */
export class WasmProtocolError extends WasmGuestError {
  override name = 'WasmProtocolError';
}

interface Settings {
  path: string;
  module: WasmModule;
  importNames: readonly string[];
  fuelPerInput: number;
  memoryBytesMax: number;
  outputBytesMax: number;
  wakesPerInputMax: number;
}

/**
 * Compiles the module (once per file and bound) and asks a probe instance for its hello: its name
 * and version name the implementation. A module that cannot be loaded is a WasmLoadError; one
 * whose probe misbehaves still yields an implementation, whose every node then fails at its
 * start, so that a run reports it as an implementation error (exit code 4).
 */
export function wasmImplementation(options: WasmImplementationOptions): Implementation {
  const settings = loadSettings(options);
  const probe = new WasmNode(settings, null, false);
  const hello = probe.hello(0);
  // Only a tick-driven guest has no use for its clock, which keeps running across instances.
  const reusable = hello.ok && hello.restartable && hello.timing === 'ticks';
  if (reusable) probe.reusable = true;
  probe.dispose();
  const name = hello.ok ? hello.name : `wasm:${options.path}`;
  return {
    name,
    version: hello.ok ? hello.version : 'unknown',
    ...(hello.ok && hello.timing === 'clock' ? { timing: hello.timing } : {}),
    // Protocol 2: the optional parts of the contract the guest supports, as its hello lists them.
    features: hello.ok ? hello.features : [],
    ...(hello.ok && hello.leaseDriftMax !== undefined ? { leaseDriftMax: hello.leaseDriftMax } : {}),
    ...(hello.ok && hello.removedNodeGuards !== undefined ? { removedNodeGuards: hello.removedNodeGuards } : {}),
    // In process, with views on its messages: probed by default (a shadow is a module instance).
    durabilityProbesByDefault: true,
    createNode: () => (hello.ok ? new WasmNode(settings, name, reusable) : new FailedNode(hello.error)),
  };
}

function loadSettings(options: WasmImplementationOptions): Settings {
  const path = resolve(options.path);
  const memoryBytesMax = options.memoryBytesMax ?? memoryBytesMaxDefault;
  const module = compiledModule(path, options.path, memoryBytesMax);
  const exports = new Map(Wasm.Module.exports(module).map((entry) => [entry.name, entry.kind]));
  if (exports.get(stepExportName) !== 'function') {
    const command = exports.has('_start') ? ': it is a WASI command (it exports _start); build a reactor (Go: -buildmode=c-shared) with //go:wasmexport raftcheck_step' : '';
    throw new WasmLoadError(`wasm module ${options.path} does not export the function ${stepExportName}${command}`);
  }
  if (exports.get('memory') !== 'memory') throw new WasmLoadError(`wasm module ${options.path} does not export its memory as "memory"`);
  const importNames: string[] = [];
  for (const entry of Wasm.Module.imports(module)) {
    if (entry.module !== 'wasi_snapshot_preview1' || entry.kind !== 'function') {
      throw new WasmLoadError(`wasm module ${options.path} imports ${entry.module}.${entry.name} (${entry.kind}); raftcheck's host provides only wasi_snapshot_preview1 functions`);
    }
    importNames.push(entry.name);
  }
  return {
    path: options.path,
    module,
    importNames,
    fuelPerInput: options.fuelPerInput ?? fuelPerInputDefault,
    memoryBytesMax,
    outputBytesMax: options.outputBytesMax ?? outputBytesMaxDefault,
    wakesPerInputMax: options.wakesPerInputMax ?? wakesPerInputMaxDefault,
  };
}

/** Compiled modules by file, its modification time and the memory bound: one compilation each. */
const modules = new Map<string, WasmModule>();

function compiledModule(path: string, shownPath: string, memoryBytesMax: number): WasmModule {
  let key: string;
  try {
    const stat = statSync(path);
    key = JSON.stringify([path, stat.size, stat.mtimeMs, memoryBytesMax]);
  } catch {
    throw new WasmLoadError(`wasm module ${shownPath} does not exist (looked for ${path})`);
  }
  const cached = modules.get(key);
  if (cached !== undefined) return cached;
  try {
    const module = new Wasm.Module(instrumentModule(readFileSync(path), { memoryBytesMax }));
    modules.set(key, module);
    return module;
  } catch (error) {
    if (error instanceof WasmInstrumentError || error instanceof Wasm.CompileError) throw new WasmLoadError(`wasm module ${shownPath}: ${(error as Error).message}`);
    throw error;
  }
}

interface Running {
  wasi: VirtualWasi;
  memory: WasmMemory;
  step: () => unknown;
  fuel: WasmGlobal;
}

/**
 * Idle instances of restartable tick-driven guests, by module, each past its hello. A node
 * instance that ends (a crash, the end of a run) hands its instance back here, and a later one
 * sends it a fresh start instead of making an instance: making one (V8's instantiation of a
 * 9 MB module, Go's runtime and package initialization, hello) costs milliseconds, as much as a
 * few hundred inputs. This is the process host's reuse of restartable programs
 * (docs/PROTOCOL.md), with the same promise from the guest: a start drops every state.
 */
const idleInstances = new WeakMap<WasmModule, Running[]>();
const idleInstancesPerModuleMax = 8;
let instancesMade = 0;

/** How many wasm instances this thread has made (probes included), for benchmarks and tests. */
export function wasmInstancesMade(): number {
  return instancesMade;
}

/** One node instance: one wasm instance, made at its start input. */
class WasmNode implements NodeInstance {
  private running: Running | null = null;
  /** Set once the guest failed: every later step throws it again. */
  private failure: WasmGuestError | null = null;
  private digest: string | undefined = undefined;
  stateDigest?: () => string;

  constructor(
    private readonly settings: Settings,
    /** The name the probe's hello gave; null for the probe itself. */
    private readonly name: string | null,
    /** The guest is restartable and tick-driven: its instances are reused (see idleInstances). */
    public reusable: boolean,
  ) {}

  step(input: Input): Output {
    if (this.failure !== null) throw this.failure;
    const idle = input.kind === 'start' && this.running === null && this.reusable ? idleInstances.get(this.settings.module)?.pop() : undefined;
    if (idle !== undefined && input.kind === 'start') {
      idle.wasi.restart(input.seed);
      this.running = idle;
    } else if (input.kind === 'start') {
      const hello = this.hello(input.seed);
      if (!hello.ok) this.fail(hello.error);
      if (hello.name !== this.name) this.fail(new WasmProtocolError(`the module (${this.settings.path}) answered hello as "${hello.name}", but its probe as "${this.name}"`));
    } else if (this.running === null) {
      this.fail(new WasmProtocolError(`the host was asked for a ${input.kind} input before the node's start (a harness bug)`));
    }
    const { line, wakeAfterMs } = this.call(JSON.stringify(input), `its ${input.kind} input`, input.kind === 'advance' ? input.elapsedMs : 0);
    const parsed = parseOutput(line);
    if (!parsed.ok) this.fail(new WasmProtocolError(`the module (${this.settings.path}) ${parsed.message}`));
    const output = parsed.output;
    // The host saw when the guest became idle, and its earliest timer then: the guest need not say.
    if (output.wakeAfterMs === undefined && wakeAfterMs !== undefined) output.wakeAfterMs = wakeAfterMs;
    if (output.digest !== undefined) {
      this.digest = output.digest;
      this.stateDigest ??= () => this.digest as string;
    }
    return output;
  }

  /** Makes a fresh instance seeded with `seed` and does the hello exchange. */
  hello(seed: number): ({ ok: true } & Pick<Hello, 'name' | 'version' | 'timing' | 'features' | 'leaseDriftMax' | 'removedNodeGuards' | 'restartable'>) | { ok: false; error: WasmGuestError } {
    try {
      this.instantiate(seed);
      const hello = parseHello(this.call(helloLine, 'hello', 0).line);
      if (!hello.ok) return { ok: false, error: new WasmProtocolError(`the module (${this.settings.path}) ${hello.message}`) };
      const { name, version, timing, features, leaseDriftMax, removedNodeGuards, restartable } = hello.hello;
      return { ok: true, name, version, timing, features, leaseDriftMax, removedNodeGuards, restartable };
    } catch (error) {
      if (error instanceof WasmGuestError) return { ok: false, error };
      throw error;
    }
  }

  dispose(): void {
    // Only an instance that answered everything asked of it is reused.
    if (this.running !== null && this.failure === null && this.reusable) {
      const idle = idleInstances.get(this.settings.module) ?? [];
      idleInstances.set(this.settings.module, idle);
      if (idle.length < idleInstancesPerModuleMax) idle.push(this.running);
    }
    this.running = null;
  }

  private instantiate(seed: number): void {
    const wasi = new VirtualWasi({ seed, stderrLinesMax, outputBytesMax: this.settings.outputBytesMax, wakesPerInputMax: this.settings.wakesPerInputMax });
    const instance = new Wasm.Instance(this.settings.module, { wasi_snapshot_preview1: wasi.imports(this.settings.importNames) });
    instancesMade += 1;
    const exports = instance.exports;
    const memory = exports.memory as WasmMemory;
    wasi.memory = memory;
    this.running = { wasi, memory, step: exports[stepExportName] as () => unknown, fuel: exports[fuelExportName] as WasmGlobal };
    const initialize = exports._initialize;
    if (typeof initialize === 'function') this.guarded(() => initialize(), 'its initialization (_initialize)');
  }

  /** Hands the guest one line (its timers may run `advanceMs` ahead) and returns the one line it answered. */
  private call(line: string, what: string, advanceMs: number): { line: string; wakeAfterMs: number | null | undefined } {
    const running = this.running as Running;
    running.wasi.beginInput(line, advanceMs);
    this.guarded(running.step, what);
    const { stdout, unreadBytes, wakeAfterMs } = running.wasi.endInput();
    if (unreadBytes > 0) this.fail(this.error(WasmProtocolError, `left ${unreadBytes} bytes of ${what} unread`));
    const newline = stdout.indexOf('\n');
    if (newline === -1) this.fail(this.error(WasmProtocolError, `answered ${what} with ${stdout.length === 0 ? 'nothing' : 'a line without its newline'} on stdout`));
    if (newline !== stdout.length - 1) this.fail(this.error(WasmProtocolError, `wrote more than one line for ${what}: ${JSON.stringify(stdout.slice(newline + 1, newline + 201))}`));
    return { line: stdout.endsWith('\r\n') ? stdout.slice(0, -2) : stdout.slice(0, -1), wakeAfterMs };
  }

  /** Runs guest code with a full tank; whatever goes wrong becomes the guest's error. */
  private guarded(run: () => unknown, what: string): void {
    const running = this.running as Running;
    running.fuel.value = this.settings.fuelPerInput;
    try {
      run();
    } catch (error) {
      this.fail(this.classify(error, what));
    }
  }

  private classify(error: unknown, what: string): WasmGuestError {
    const running = this.running as Running;
    if (error instanceof GuestFault) {
      if (error.kind === 'exit') return this.error(WasmExitError, `${error.message} during ${what}`);
      if (error.kind === 'wakes') return this.error(WasmFuelError, `never became idle during ${what}: it ${error.message}`);
      return this.error(error.kind === 'refused' ? WasmRefusedCallError : WasmProtocolError, `${error.message} (during ${what})`);
    }
    if (!(error instanceof Wasm.RuntimeError) && !(error instanceof RangeError)) throw error;
    const cause = running.wasi.cause() ?? '';
    if (running.fuel.value === 0) {
      return this.error(WasmFuelError, `never became idle during ${what}: it ran ${this.settings.fuelPerInput} loop iterations without answering (a busy loop, or goroutines that never all block; the bound is the wasm host option fuelPerInput)`);
    }
    if (cause.includes('all goroutines are asleep - deadlock')) return this.error(WasmDeadlockError, `deadlocked during ${what}: every goroutine is blocked and no timer is pending`);
    if (cause.includes('out of memory') || running.memory.buffer.byteLength + 65_536 * 16 > this.settings.memoryBytesMax) {
      return this.error(WasmMemoryError, `ran out of memory during ${what}: it may use at most ${this.settings.memoryBytesMax} bytes (the wasm host option memoryBytesMax) and had ${running.memory.buffer.byteLength}${cause === '' ? '' : ` (${cause})`}`);
    }
    if (cause.startsWith('panic: ')) return this.error(WasmTrapError, `panicked during ${what}: ${cause}`);
    return this.error(WasmTrapError, `trapped during ${what} (${(error as Error).message})${cause === '' ? '' : `: ${cause}`}`);
  }

  /** An error of the guest's, with the tail of its stderr. */
  private error(kind: new (message: string) => WasmGuestError, problem: string): WasmGuestError {
    const stderr = this.running === null ? [] : this.running.wasi.stderrTail();
    return new kind(`the module (${this.settings.path}) ${problem}${formatStderr(stderr)}`);
  }

  private fail(error: WasmGuestError): never {
    this.failure = error;
    this.dispose();
    throw error;
  }
}

/** A node of a module whose probe failed: its start input fails the same way. */
class FailedNode implements NodeInstance {
  constructor(private readonly failure: WasmGuestError) {}

  step(): Output {
    throw this.failure;
  }
}

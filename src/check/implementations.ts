// Implementations by description. `--impl` on the command line and the `implementation` of a
// trace file both name an implementation and how to load it: the reference (with bugs), a
// JavaScript or TypeScript module, a program speaking the process protocol, a WebAssembly module
// run in-process, the etcd adapter (its wasm build by default, its native program over pipes
// as etcd-process: the same Go source, so the same trace hashes), hashicorp/raft in wasm, or
// raft-rs and openraft as native programs over pipes.
// A trace records the source of its implementation, so that replay and shrink work on their own.
//
// Loading a module is asynchronous (import), so loadImplementation is; implementationFromSpec
// stays synchronous for the reference, which is all that older traces name.

import { resolve } from 'node:path';
import type { Implementation } from '../contract/contract.js';
import { ModuleLoadError, moduleImplementation } from '../adapters/module.js';
import { ProcessStartError, processImplementation } from '../adapters/process.js';
import { parseCommandLine } from '../adapters/process/protocol.js';
import { WasmLoadError, wasmImplementation } from '../adapters/wasm/host.js';
import { referenceBugNames, referenceImplementation } from '../adapters/reference.js';
import { bugsFromNames } from '../raft/bugs.js';

/** Where an implementation comes from; recorded in trace files. */
export type ImplementationSource =
  | { kind: 'reference' }
  /** An absolute path to a .js, .mjs or .ts module. */
  | { kind: 'module'; path: string }
  /** A program speaking the process protocol, started in `cwd`. */
  | { kind: 'process'; command: string; args: string[]; cwd: string }
  /** A WebAssembly guest (docs/PROTOCOL.md, "WebAssembly guests"), by absolute path. */
  | { kind: 'wasm'; path: string }
  /** The etcd raft adapter (adapters/etcd-raft) built for wasm, found or built by src/adapters/etcd.ts. */
  | { kind: 'etcd' }
  /** The same adapter as a native program over the process protocol. */
  | { kind: 'etcd-process' }
  /** hashicorp/raft through adapters/hashicorp-raft, built for wasm (src/adapters/hashicorp.ts). */
  | { kind: 'hashicorp' }
  /** TiKV's raft-rs through adapters/raft-rs, a native program over pipes (src/adapters/raftRs.ts). */
  | { kind: 'raft-rs' }
  /** Databend's openraft through adapters/openraft, a time-driven native program over pipes (src/adapters/openraft.ts). */
  | { kind: 'openraft' };

export interface ImplementationSpec {
  /** "reference" (possibly "reference+bug+bug"), or the name the implementation gave itself. */
  name: string;
  bugs?: readonly string[];
  /** Absent in traces written before sources were recorded: those name the reference. */
  source?: ImplementationSource;
}

/** Settings of process and wasm implementations (the etcd adapter included). */
export interface ProcessSettings {
  /** Longest wait for one answer, in milliseconds. */
  timeoutMs?: number;
  /** Longest line a program or a wasm guest may write, in bytes. */
  outputBytesMax?: number;
}

export interface LoadOptions extends ProcessSettings {
  /** Build the etcd, hashicorp, raft-rs or openraft adapter if it is missing or stale. */
  buildEtcd?: boolean;
  /** Progress lines (the etcd build). */
  log?: (line: string) => void;
}

/** A description that cannot be loaded; the CLI reports it as a usage error (exit code 2). */
export class ImplementationSpecError extends Error {
  override name = 'ImplementationSpecError';
}

const sources = new WeakMap<Implementation, ImplementationSource>();

/** The source an implementation was loaded from (the reference when it was made directly). */
export function sourceOf(implementation: Implementation): ImplementationSource | undefined {
  return sources.get(implementation);
}

/**
 * How to load this implementation again (in a worker thread, from a trace): the reference with
 * its bugs, or one loaded by loadImplementation; null for one made in code, which only its
 * maker can make again.
 */
export function implementationSpecOf(implementation: Implementation): ImplementationSpec | null {
  const bugs = referenceBugNames(implementation);
  if (bugs !== null) return { name: implementation.name, bugs, source: { kind: 'reference' } };
  const source = sourceOf(implementation);
  return source === undefined ? null : { name: implementation.name, source };
}

/**
 * Reads the value of `--impl`: "reference", "etcd", "etcd-process", "hashicorp", "raft-rs", "openraft", "process:COMMAND ARGS...",
 * "wasm:PATH" or a path to a module (anything with a / or a module extension).
 */
export function sourceFromArgument(text: string): ImplementationSource {
  if (text === 'reference') return { kind: 'reference' };
  if (text === 'etcd') return { kind: 'etcd' };
  if (text === 'etcd-process') return { kind: 'etcd-process' };
  if (text === 'hashicorp') return { kind: 'hashicorp' };
  if (text === 'raft-rs') return { kind: 'raft-rs' };
  if (text === 'openraft') return { kind: 'openraft' };
  if (text.startsWith('wasm:')) {
    if (text.length === 'wasm:'.length) throw new ImplementationSpecError('--impl wasm: needs the path of a module: write --impl wasm:PATH');
    return { kind: 'wasm', path: resolve(text.slice('wasm:'.length)) };
  }
  if (text.startsWith('process:')) {
    const parsed = parseCommandLine(text.slice('process:'.length));
    if (!parsed.ok) throw new ImplementationSpecError(`--impl ${text}: ${parsed.message}`);
    return { kind: 'process', ...parsed.command, cwd: process.cwd() };
  }
  if (/[\\/]/.test(text) || /\.(m|c)?[jt]s$/.test(text)) return { kind: 'module', path: resolve(text) };
  throw new ImplementationSpecError(
    `--impl ${text}: not an implementation raftcheck knows; expected reference, etcd, etcd-process, hashicorp, raft-rs, openraft, process:"COMMAND ARGS...", wasm:PATH or a path to a .js, .mjs or .ts module`,
  );
}

/** The reference, synchronously; any other implementation needs loadImplementation. */
export function implementationFromSpec(spec: ImplementationSpec): Implementation {
  const kind = spec.source?.kind ?? (spec.name === 'reference' || spec.name.startsWith('reference+') ? 'reference' : null);
  if (kind === 'reference') return referenceImplementation(bugsFromNames(spec.bugs ?? []));
  if (kind === null) throw new ImplementationSpecError(`the trace was recorded with implementation "${spec.name}" and does not say how to load it`);
  throw new ImplementationSpecError(`implementation "${spec.name}" (${kind}) must be loaded with loadImplementation`);
}

export async function loadImplementation(spec: ImplementationSpec, options: LoadOptions = {}): Promise<Implementation> {
  const source = spec.source;
  if (source === undefined || source.kind === 'reference') return remember(implementationFromSpec(spec), { kind: 'reference' });
  if ((spec.bugs ?? []).length > 0) throw new ImplementationSpecError(`--bug switches on bugs of the reference Raft only, not of "${spec.name}"`);
  switch (source.kind) {
    case 'module':
      try {
        return remember(await moduleImplementation(source.path), source);
      } catch (error) {
        if (error instanceof ModuleLoadError) throw new ImplementationSpecError(error.message);
        throw error;
      }
    case 'process':
      return remember(startProcess(source, options), source);
    case 'wasm':
      return remember(startWasm(source.path, options), source);
    case 'etcd':
      return remember(startWasm((await etcdAdapter()).etcdAdapterModule(etcdOptions(options)), options), source);
    case 'hashicorp':
      return remember(startWasm((await etcdAdapter()).hashicorpAdapterModule(etcdOptions(options)), options), source);
    case 'etcd-process': {
      const command = (await etcdAdapter()).etcdAdapterCommand(etcdOptions(options));
      return remember(startProcess({ kind: 'process', ...command, cwd: process.cwd() }, options), source);
    }
    case 'raft-rs':
    case 'openraft': {
      const adapters = await etcdAdapter();
      const find = source.kind === 'raft-rs' ? adapters.raftRsAdapterCommand : adapters.openraftAdapterCommand;
      return remember(startProcess({ kind: 'process', ...find(etcdOptions(options)), cwd: process.cwd() }, options), source);
    }
  }
}

function startWasm(path: string, settings: ProcessSettings): Implementation {
  try {
    return wasmImplementation({ path, outputBytesMax: settings.outputBytesMax });
  } catch (error) {
    if (error instanceof WasmLoadError) throw new ImplementationSpecError(error.message);
    throw error;
  }
}

function startProcess(source: ImplementationSource & { kind: 'process' }, settings: ProcessSettings): Implementation {
  try {
    return processImplementation({
      program: { command: source.command, args: source.args },
      cwd: source.cwd,
      timeoutMs: settings.timeoutMs,
      outputBytesMax: settings.outputBytesMax,
    });
  } catch (error) {
    if (error instanceof ProcessStartError) throw new ImplementationSpecError(error.message);
    throw error;
  }
}

interface EtcdModule {
  etcdAdapterCommand(options: { build: boolean; log: (line: string) => void }): { command: string; args: string[] };
  etcdAdapterModule(options: { build: boolean; log: (line: string) => void }): string;
  hashicorpAdapterModule(options: { build: boolean; log: (line: string) => void }): string;
  raftRsAdapterCommand(options: { build: boolean; log: (line: string) => void }): { command: string; args: string[] };
  openraftAdapterCommand(options: { build: boolean; log: (line: string) => void }): { command: string; args: string[] };
}

/** The adapters' finders (etcd, hashicorp, raft-rs, openraft); their failures (Go or cargo missing, a failed build) are usage errors. */
async function etcdAdapter(): Promise<EtcdModule> {
  let etcd: EtcdModule;
  try {
    // Variable specifiers: the adapters are optional, and their absence must not break the build.
    const specifiers = ['../adapters/etcd.js', '../adapters/hashicorp.js', '../adapters/raftRs.js', '../adapters/openraft.js'];
    const modules = await Promise.all(specifiers.map(async (specifier) => (await import(specifier)) as EtcdModule));
    etcd = Object.assign({}, ...modules) as EtcdModule;
  } catch (error) {
    throw new ImplementationSpecError(`--impl etcd, hashicorp, raft-rs and openraft are not available in this raftcheck (the adapters' finders failed to load: ${(error as Error).message})`);
  }
  const guard =
    <T>(find: (options: { build: boolean; log: (line: string) => void }) => T) =>
    (findOptions: { build: boolean; log: (line: string) => void }): T => {
      try {
        return find(findOptions);
      } catch (error) {
        throw new ImplementationSpecError(`--impl: ${(error as Error).message}`);
      }
    };
  return {
    etcdAdapterCommand: guard(etcd.etcdAdapterCommand),
    etcdAdapterModule: guard(etcd.etcdAdapterModule),
    hashicorpAdapterModule: guard(etcd.hashicorpAdapterModule),
    raftRsAdapterCommand: guard(etcd.raftRsAdapterCommand),
    openraftAdapterCommand: guard(etcd.openraftAdapterCommand),
  };
}

function etcdOptions(options: LoadOptions): { build: boolean; log: (line: string) => void } {
  return { build: options.buildEtcd ?? true, log: options.log ?? (() => {}) };
}

function remember(implementation: Implementation, source: ImplementationSource): Implementation {
  sources.set(implementation, source);
  return implementation;
}

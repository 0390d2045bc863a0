// Finds (and, when allowed, builds) etcd's raft library under raftcheck: adapters/etcd-raft/, a Go
// module, built into its git-ignored bin/ folder twice from the same source: a WebAssembly
// reactor (`--impl etcd`, run in-process by src/adapters/wasm) and a native program for the
// process protocol (`--impl etcd-process`).
//
// The build is `go build` in the adapter's folder, the same as `npm run build:etcd` and
// `npm run build:wasm`. It happens only when a build is missing or older than the adapter's
// sources, so a run never pays for it twice; Go's own build cache makes a rebuild of unchanged
// sources cheap anyway.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import { goBuild, goMissingMessage as goNeeded } from './goBuild.js';

export interface EtcdAdapterOptions {
  /** Build the adapter if its binary is missing or stale (needs Go on PATH). */
  build: boolean;
  /** Where progress lines go (the build takes a while the first time). */
  log: (line: string) => void;
}

const goMissingMessage = `${goNeeded}; or build it once with npm run build:etcd`;

export function etcdAdapterFolder(): string {
  return join(packageRoot(), 'adapters', 'etcd-raft');
}

export function etcdAdapterBinary(): string {
  return join(etcdAdapterFolder(), 'bin', process.platform === 'win32' ? 'etcd-raft.exe' : 'etcd-raft');
}

/** The command that starts one etcd node; builds the adapter first when needed and allowed. */
export function etcdAdapterCommand(options: EtcdAdapterOptions): { command: string; args: string[] } {
  return { command: freshBuild(etcdAdapterBinary(), false, options), args: [] };
}

/** The adapter's WebAssembly build (the same source, GOOS=wasip1); built first when needed and allowed. */
export function etcdAdapterModule(options: EtcdAdapterOptions): string {
  return freshBuild(etcdAdapterWasm(), true, options);
}

export function etcdAdapterWasm(): string {
  return join(etcdAdapterFolder(), 'bin', 'etcd-raft.wasm');
}

/** The build at `output`, made again when it is missing or older than the sources. */
function freshBuild(output: string, wasm: boolean, options: EtcdAdapterOptions): string {
  const missing = !existsSync(output);
  const stale = !missing && newestSourceMs() > statSync(output).mtimeMs;
  if (!missing && !stale) return output;
  if (options.build) buildEtcdAdapter(options.log, wasm);
  else if (missing) throw new Error(`the etcd adapter is not built (${output} is missing); ${goMissingMessage}`);
  else options.log(`warning: the etcd adapter's build ${output} is older than its sources in ${etcdAdapterFolder()}; run npm run build:etcd to rebuild it`);
  return output;
}

/** Runs `go build` in the adapter's folder (for wasip1 when `wasm`), with a clear error when Go is missing or fails. */
export function buildEtcdAdapter(log: (line: string) => void, wasm = false): void {
  const folder = etcdAdapterFolder();
  log(`building the etcd adapter${wasm ? ' for wasm' : ''}: go build in ${folder}`);
  goBuild({ folder, output: wasm ? etcdAdapterWasm() : etcdAdapterBinary(), wasm, what: 'the etcd adapter' });
}

/** The newest modification time of the files the binary is built from. */
function newestSourceMs(): number {
  const folder = etcdAdapterFolder();
  let newest = 0;
  for (const name of readdirSync(folder)) {
    if ((name.endsWith('.go') && !name.endsWith('_test.go')) || name === 'go.mod' || name === 'go.sum') newest = Math.max(newest, statSync(join(folder, name)).mtimeMs);
  }
  return newest;
}

// Finds (and, when allowed, builds) etcd's raft library under raftcheck: adapters/etcd-raft/, a Go
// module, built into its git-ignored bin/ folder twice from the same source: a WebAssembly
// reactor (`--impl etcd`, run in-process by src/adapters/wasm) and a native program for the
// process protocol (`--impl etcd-process`).
//
// The build is `go build` in the adapter's folder, the same as `npm run build:etcd` and
// `npm run build:wasm`. It happens only when a build is missing or older than the adapter's
// sources, so a run never pays for it twice; Go's own build cache makes a rebuild of unchanged
// sources cheap anyway.

import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import { freshGoBuild } from './goBuild.js';

export interface EtcdAdapterOptions {
  /** Build the adapter if its build is missing or stale (needs Go on PATH). */
  build: boolean;
  /** Where progress lines go (the build takes a while the first time). */
  log: (line: string) => void;
}

export function etcdAdapterFolder(): string {
  return join(packageRoot(), 'adapters', 'etcd-raft');
}

export function etcdAdapterBinary(): string {
  return join(etcdAdapterFolder(), 'bin', process.platform === 'win32' ? 'etcd-raft.exe' : 'etcd-raft');
}

export function etcdAdapterWasm(): string {
  return join(etcdAdapterFolder(), 'bin', 'etcd-raft.wasm');
}

/** The command that starts one etcd node; builds the adapter first when needed and allowed. */
export function etcdAdapterCommand(options: EtcdAdapterOptions): { command: string; args: string[] } {
  const command = freshGoBuild({ ...options, folder: etcdAdapterFolder(), output: etcdAdapterBinary(), wasm: false, what: 'the etcd adapter', script: 'build:etcd' });
  return { command, args: [] };
}

/** The adapter's WebAssembly build (the same source, GOOS=wasip1); built first when needed and allowed. */
export function etcdAdapterModule(options: EtcdAdapterOptions): string {
  return freshGoBuild({ ...options, folder: etcdAdapterFolder(), output: etcdAdapterWasm(), wasm: true, what: 'the etcd adapter', script: 'build:wasm' });
}

// Finds (and, when allowed, builds) the program that runs etcd's raft library under the process
// protocol: adapters/etcd-raft/, a Go module, built into its git-ignored bin/ folder. The CLI's
// `--impl etcd` hands the command this returns to processImplementation.
//
// The build is `go build` in the adapter's folder, the same as `npm run build:etcd`. It happens
// only when the binary is missing or older than the adapter's sources, so a run never pays for it
// twice; Go's own build cache makes a rebuild of unchanged sources cheap anyway.

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
  const binary = etcdAdapterBinary();
  const missing = !existsSync(binary);
  const stale = !missing && newestSourceMs() > statSync(binary).mtimeMs;
  if (missing || stale) {
    if (!options.build) {
      if (missing) throw new Error(`the etcd adapter is not built (${binary} is missing); ${goMissingMessage}`);
      options.log(`warning: the etcd adapter binary is older than its sources in ${etcdAdapterFolder()}; run npm run build:etcd to rebuild it`);
    } else {
      buildEtcdAdapter(options.log);
    }
  }
  return { command: binary, args: [] };
}

/** Runs `go build` in the adapter's folder, with a clear error when Go is missing or fails. */
export function buildEtcdAdapter(log: (line: string) => void): void {
  const folder = etcdAdapterFolder();
  log(`building the etcd adapter: go build in ${folder}`);
  goBuild({ folder, output: etcdAdapterBinary(), wasm: false, what: 'the etcd adapter' });
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

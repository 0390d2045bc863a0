// Finds (and, when allowed, builds) hashicorp/raft under raftcheck: adapters/hashicorp-raft/, a
// Go module built for wasip1 into its git-ignored bin/ folder (`npm run build:wasm`), run
// in-process by src/adapters/wasm as a time-driven implementation (`--impl hashicorp`).

import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import type { EtcdAdapterOptions } from './etcd.js';
import { freshGoBuild } from './goBuild.js';

export function hashicorpAdapterFolder(): string {
  return join(packageRoot(), 'adapters', 'hashicorp-raft');
}

export function hashicorpAdapterWasm(): string {
  return join(hashicorpAdapterFolder(), 'bin', 'hashicorp-raft.wasm');
}

/** The adapter's module; built first when it is missing or stale and building is allowed. */
export function hashicorpAdapterModule(options: EtcdAdapterOptions): string {
  return freshGoBuild({ ...options, folder: hashicorpAdapterFolder(), output: hashicorpAdapterWasm(), wasm: true, what: 'the hashicorp/raft adapter', script: 'build:wasm' });
}

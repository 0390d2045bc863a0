// Finds (and, when allowed, builds) TiKV's raft-rs under raftcheck: adapters/raft-rs/, a Cargo
// project whose Cargo.lock pins the raft crate, built by `cargo build --release --locked` into its
// git-ignored target/ folder and run as a program over the process protocol (`--impl raft-rs`).
//
// The build happens only when the binary is missing or older than the adapter's sources, so a run
// never pays for it twice (Cargo's own incremental build makes a rebuild of unchanged sources
// cheap anyway). The crates come from crates.io on the first build.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';

/** The one line a user without a Rust toolchain reads. */
export const cargoMissingMessage =
  'the raft-rs adapter needs cargo on PATH to build (Rust; tested with 1.95): install Rust from https://rustup.rs, or build it once with npm run build:raft-rs, then rerun';

export interface RaftRsAdapterOptions {
  /** Build the adapter if its binary is missing or stale (needs cargo on PATH). */
  build: boolean;
  /** Where progress lines go (the first build takes minutes: it compiles the crates). */
  log: (line: string) => void;
  /** The Cargo project (default: adapters/raft-rs of this package). */
  folder?: string;
}

export function raftRsAdapterFolder(): string {
  return join(packageRoot(), 'adapters', 'raft-rs');
}

export function raftRsAdapterBinary(folder = raftRsAdapterFolder()): string {
  return join(folder, 'target', 'release', process.platform === 'win32' ? 'raft-rs.exe' : 'raft-rs');
}

/** The command that starts one raft-rs node; builds the adapter first when needed and allowed. */
export function raftRsAdapterCommand(options: RaftRsAdapterOptions): { command: string; args: string[] } {
  const folder = options.folder ?? raftRsAdapterFolder();
  const binary = raftRsAdapterBinary(folder);
  const missing = !existsSync(binary);
  const stale = !missing && newestSourceMs(folder) > statSync(binary).mtimeMs;
  if (!missing && !stale) return { command: binary, args: [] };
  if (options.build) {
    options.log(`building the raft-rs adapter: cargo build --release --locked in ${folder}`);
    cargoBuild(folder);
  } else if (missing) {
    throw new Error(`the raft-rs adapter is not built (${binary} is missing); ${cargoMissingMessage}`);
  } else {
    options.log(`warning: ${binary} is older than the sources in ${folder}; run npm run build:raft-rs to rebuild it`);
  }
  return { command: binary, args: [] };
}

function cargoBuild(folder: string): void {
  // --locked: the crates are Cargo.lock's, never newer ones resolved on this machine.
  const args = ['build', '--release', '--locked'];
  try {
    execFileSync('cargo', args, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(cargoMissingMessage);
    const stderr = (failure.stderr ?? '').trim().split('\n').slice(-20).join('\n    ');
    throw new Error(`building the raft-rs adapter failed (cargo ${args.join(' ')} in ${folder}):\n    ${stderr || failure.message}`);
  }
}

/** The newest modification time of what the build is made from: Cargo.toml, Cargo.lock, src/. */
function newestSourceMs(folder: string): number {
  const sources = ['Cargo.toml', 'Cargo.lock'].map((name) => join(folder, name));
  const sourceFolder = join(folder, 'src');
  for (const name of readdirSync(sourceFolder)) if (name.endsWith('.rs')) sources.push(join(sourceFolder, name));
  return Math.max(...sources.map((path) => statSync(path).mtimeMs));
}

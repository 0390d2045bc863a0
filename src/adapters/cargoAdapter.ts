// Finds (and, when allowed, builds) a Rust adapter under adapters/: a Cargo project whose
// Cargo.lock pins the library it drives, built by `cargo build --release --locked` (in the
// project's folder, so that its .cargo/config.toml applies) into its git-ignored target/ folder,
// and run as a program over the process protocol. raft-rs and openraft are two such adapters.
//
// The build happens only when the binary is missing or older than the adapter's sources, so a run
// never pays for it twice (Cargo's own incremental build makes a rebuild of unchanged sources
// cheap anyway). The crates come from crates.io on the first build.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';

/** The crate both Rust adapters build with (a path dependency): its manifest and sources. */
export const sharedRustSources: readonly string[] = ['../raftcheck-rs/Cargo.toml', '../raftcheck-rs/src'];

export interface CargoAdapterOptions {
  /** Build the adapter if its binary is missing or stale (needs cargo on PATH). */
  build: boolean;
  /** Where progress lines go (the first build takes minutes: it compiles the crates). */
  log: (line: string) => void;
  /** The Cargo project (default: the adapter's folder under adapters/ of this package). */
  folder?: string;
}

/** One Rust adapter: its name (its folder under adapters/ and its binary's name). */
export interface CargoAdapter {
  name: string;
  /** Sources outside src/ that the build reads, relative to the project's folder: files, or folders whose .rs files count. */
  extraSources?: readonly string[];
}

/** The one line a user without a Rust toolchain reads. */
export function cargoMissingMessage(adapter: CargoAdapter): string {
  return `the ${adapter.name} adapter needs cargo on PATH to build (Rust; tested with 1.95): install Rust from https://rustup.rs, or build it once with npm run build:${adapter.name}, then rerun`;
}

export function cargoAdapterFolder(adapter: CargoAdapter): string {
  return join(packageRoot(), 'adapters', adapter.name);
}

export function cargoAdapterBinary(adapter: CargoAdapter, folder = cargoAdapterFolder(adapter)): string {
  return join(folder, 'target', 'release', process.platform === 'win32' ? `${adapter.name}.exe` : adapter.name);
}

/** The command that starts one node; builds the adapter first when needed and allowed. */
export function cargoAdapterCommand(adapter: CargoAdapter, options: CargoAdapterOptions): { command: string; args: string[] } {
  const folder = options.folder ?? cargoAdapterFolder(adapter);
  const binary = cargoAdapterBinary(adapter, folder);
  const missing = !existsSync(binary);
  const stale = !missing && newestSourceMs(adapter, folder) > statSync(binary).mtimeMs;
  if (!missing && !stale) return { command: binary, args: [] };
  if (options.build) {
    options.log(`building the ${adapter.name} adapter: cargo build --release --locked in ${folder}`);
    cargoBuild(adapter, folder);
  } else if (missing) {
    throw new Error(`the ${adapter.name} adapter is not built (${binary} is missing); ${cargoMissingMessage(adapter)}`);
  } else {
    options.log(`warning: ${binary} is older than the sources in ${folder}; run npm run build:${adapter.name} to rebuild it`);
  }
  return { command: binary, args: [] };
}

function cargoBuild(adapter: CargoAdapter, folder: string): void {
  // --locked: the crates are Cargo.lock's, never newer ones resolved on this machine.
  const args = ['build', '--release', '--locked'];
  try {
    execFileSync('cargo', args, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(cargoMissingMessage(adapter));
    const stderr = (failure.stderr ?? '').trim().split('\n').slice(-20).join('\n    ');
    throw new Error(`building the ${adapter.name} adapter failed (cargo ${args.join(' ')} in ${folder}):\n    ${stderr || failure.message}`);
  }
}

/** The newest modification time of what the build is made from: Cargo.toml, Cargo.lock, src/ (its folders too), extras. */
function newestSourceMs(adapter: CargoAdapter, folder: string): number {
  const named = ['Cargo.toml', 'Cargo.lock', 'src', ...(adapter.extraSources ?? [])].map((name) => join(folder, name)).filter((path) => existsSync(path));
  const sources = named.flatMap((path) => (statSync(path).isDirectory() ? rustSources(path) : [path]));
  return Math.max(...sources.map((path) => statSync(path).mtimeMs));
}

/** The .rs files in a folder and the folders below it (a bounded depth: source trees are shallow). */
function rustSources(folder: string, depth = 0): string[] {
  if (depth > 8) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return rustSources(path, depth + 1);
    return entry.name.endsWith('.rs') ? [path] : [];
  });
}

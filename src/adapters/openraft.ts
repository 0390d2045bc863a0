// Finds (and, when allowed, builds) Databend's openraft under raftcheck: adapters/openraft/, a
// Cargo project whose Cargo.lock pins openraft 0.9.25 and tokio, run as a time-driven program over
// the process protocol (`--impl openraft`). How Rust adapters are found and built: cargoAdapter.ts.

import { type CargoAdapter, type CargoAdapterOptions, cargoAdapterBinary, cargoAdapterCommand, cargoAdapterFolder, cargoMissingMessage, sharedRustSources } from './cargoAdapter.js';

// The build also reads its cargo settings (--cfg tokio_unstable) and the crate it shares with the
// raft-rs adapter (adapters/raftcheck-rs).
const openraft: CargoAdapter = { name: 'openraft', extraSources: ['.cargo/config.toml', ...sharedRustSources] };

/** The one line a user without a Rust toolchain reads. */
export const openraftCargoMissingMessage = cargoMissingMessage(openraft);

export function openraftAdapterFolder(): string {
  return cargoAdapterFolder(openraft);
}

export function openraftAdapterBinary(folder = openraftAdapterFolder()): string {
  return cargoAdapterBinary(openraft, folder);
}

/** The command that starts one openraft node; builds the adapter first when needed and allowed. */
export function openraftAdapterCommand(options: CargoAdapterOptions): { command: string; args: string[] } {
  return cargoAdapterCommand(openraft, options);
}

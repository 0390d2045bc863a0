// Finds (and, when allowed, builds) TiKV's raft-rs under raftcheck: adapters/raft-rs/, a Cargo
// project whose Cargo.lock pins the raft crate, run as a program over the process protocol
// (`--impl raft-rs`). How Rust adapters are found and built: cargoAdapter.ts.

import { type CargoAdapter, type CargoAdapterOptions, cargoAdapterBinary, cargoAdapterCommand, cargoAdapterFolder, cargoMissingMessage as missingMessage, sharedRustSources } from './cargoAdapter.js';

const raftRs: CargoAdapter = { name: 'raft-rs', extraSources: sharedRustSources };

/** The one line a user without a Rust toolchain reads. */
export const cargoMissingMessage = missingMessage(raftRs);

export type RaftRsAdapterOptions = CargoAdapterOptions;

export function raftRsAdapterFolder(): string {
  return cargoAdapterFolder(raftRs);
}

export function raftRsAdapterBinary(folder = raftRsAdapterFolder()): string {
  return cargoAdapterBinary(raftRs, folder);
}

/** The command that starts one raft-rs node; builds the adapter first when needed and allowed. */
export function raftRsAdapterCommand(options: RaftRsAdapterOptions): { command: string; args: string[] } {
  return cargoAdapterCommand(raftRs, options);
}

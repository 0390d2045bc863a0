// Node's WebAssembly API, typed: TypeScript's lib without DOM (this project's) declares none of
// it. Only what the host uses is declared, and it is reached through globalThis once, here.

export interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}

export interface WasmModuleEntry {
  module?: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmGlobal {
  value: number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, (...args: any[]) => unknown>>;

interface WasmApi {
  Module: { new (bytes: Uint8Array): WasmModule; exports(module: WasmModule): WasmModuleEntry[]; imports(module: WasmModule): (WasmModuleEntry & { module: string })[] };
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  RuntimeError: new (message?: string) => Error;
  CompileError: new (message?: string) => Error;
  LinkError: new (message?: string) => Error;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

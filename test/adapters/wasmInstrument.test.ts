// The wasm host's instrumentation (src/adapters/wasm/instrument.ts): every loop iteration spends
// one unit of fuel from an exported global and traps on an empty tank; the memory's maximum
// becomes the host's bound. Checked on a small module assembled here: a counting loop and
// memory.grow.

import { describe, expect, it } from 'vitest';
import { fuelExportName, instrumentModule, WasmInstrumentError } from '../../src/adapters/wasm/instrument.js';
import type { WasmGlobal } from '../../src/adapters/wasm/webAssembly.js';
import { Wasm } from '../../src/adapters/wasm/webAssembly.js';

/** A section: its id, its size as one-byte LEB (small sections only), its body. */
const section = (id: number, ...body: number[]) => [id, body.length, ...body];

/**
 * count(n): a loop that counts i from 0 to n and returns i; grow(pages): memory.grow.
 * Memory: 1 page, no maximum.
 */
const counterModule = Uint8Array.of(
  ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
  ...section(1, 1, 0x60, 1, 0x7f, 1, 0x7f),
  ...section(3, 2, 0, 0),
  ...section(5, 1, 0, 1),
  ...section(7, 3, 5, ...Buffer.from('count'), 0, 0, 4, ...Buffer.from('grow'), 0, 1, 6, ...Buffer.from('memory'), 2, 0),
  ...section(
    10,
    2,
    // count: one i32 local; block { loop { if i >= n break; i += 1; continue } } i
    ...[28, 1, 1, 0x7f, 0x02, 0x40, 0x03, 0x40, 0x20, 1, 0x20, 0, 0x4f, 0x0d, 1, 0x20, 1, 0x41, 1, 0x6a, 0x21, 1, 0x0c, 0, 0x0b, 0x0b, 0x20, 1, 0x0b],
    // grow: memory.grow(pages)
    ...[6, 0, 0x20, 0, 0x40, 0, 0x0b],
  ),
);

function instantiate(memoryBytesMax = 1 << 20) {
  const module = new Wasm.Module(instrumentModule(counterModule, { memoryBytesMax }));
  const exports = new Wasm.Instance(module, {}).exports;
  return { count: exports.count as (n: number) => number, grow: exports.grow as (pages: number) => number, fuel: exports[fuelExportName] as WasmGlobal };
}

describe('the wasm instrumentation', () => {
  it('keeps what the module computes', () => {
    const { count, fuel } = instantiate();
    fuel.value = 1000;
    expect(count(10)).toBe(10);
  });

  it('spends one unit of fuel per loop iteration', () => {
    const { count, fuel } = instantiate();
    fuel.value = 1000;
    count(10);
    expect(fuel.value).toBe(1000 - 11);
  });

  it('traps a loop that runs out of fuel, leaving the tank empty', () => {
    const { count, fuel } = instantiate();
    fuel.value = 5;
    expect(() => count(10)).toThrow(Wasm.RuntimeError);
    expect(fuel.value).toBe(0);
  });

  it("bounds the memory: growing past the host's bound fails inside the guest", () => {
    const { grow } = instantiate(4 * 65_536);
    expect(grow(3)).toBe(1);
    expect(grow(1)).toBe(-1);
  });

  it('refuses bytes that are not a module, and an opcode it does not know, naming the function', () => {
    expect(() => instrumentModule(Uint8Array.of(1, 2, 3), { memoryBytesMax: 1 << 20 })).toThrow(WasmInstrumentError);
    const unknownOpcode = Uint8Array.from(counterModule);
    // grow's memory.grow (0x40) becomes 0xff, which no proposal defines.
    unknownOpcode[unknownOpcode.length - 3] = 0xff;
    expect(() => instrumentModule(unknownOpcode, { memoryBytesMax: 1 << 20 })).toThrow(/function 1: opcode 0xff/);
  });
});

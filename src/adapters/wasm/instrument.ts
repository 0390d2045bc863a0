// Rewrites a WebAssembly module so that a guest can neither run forever nor take unbounded
// memory, without a thread or a clock: every loop header spends one unit of "fuel" from a new
// exported global (raftcheck_fuel), and an iteration that finds the tank empty executes
// `unreachable`. The host fills the tank before each input, so a guest that never becomes idle
// traps after a bounded number of loop iterations, at the same point on every run (the bound is
// counted in iterations, not in time, which keeps the outcome a function of the inputs). Go
// compiles every function to a dispatch loop, so calls count too. The memory's maximum is set
// to the host's bound, so that growing past it fails inside the guest (Go then dies with "out
// of memory") instead of taking the harness's memory.
//
// Function, global and memory indices are unchanged (the global is appended), so names,
// tracebacks and tables keep working; only code bodies grow. An instruction this decoder does
// not know makes the whole module refused with a message naming the opcode and the function.

export const fuelExportName = 'raftcheck_fuel';
const pageBytes = 65_536;

export class WasmInstrumentError extends Error {
  override name = 'WasmInstrumentError';
}

export interface InstrumentOptions {
  /** The most bytes of linear memory the guest may grow to. */
  memoryBytesMax: number;
}

interface Section {
  id: number;
  body: Uint8Array;
}

/** The module with the fuel counter in every loop and its memory bounded. */
export function instrumentModule(bytes: Uint8Array, options: InstrumentOptions): Uint8Array {
  const sections = readSections(bytes);
  const importedGlobals = countImports(sections, 3);
  const globalSection = sections.find((section) => section.id === 6);
  const definedGlobals = globalSection === undefined ? 0 : new Reader(globalSection.body).u32();
  const fuelGlobal = importedGlobals + definedGlobals;
  const rewritten: Section[] = [];
  for (const section of sections) {
    if (section.id === 5) rewritten.push({ id: 5, body: boundMemory(section.body, options.memoryBytesMax) });
    else if (section.id === 6) rewritten.push({ id: 6, body: appendFuelGlobal(section.body) });
    else if (section.id === 7) {
      if (globalSection === undefined) rewritten.push({ id: 6, body: appendFuelGlobal(null) });
      rewritten.push({ id: 7, body: appendFuelExport(section.body, fuelGlobal) });
    } else if (section.id === 10) rewritten.push({ id: 10, body: instrumentCode(section.body, fuelGlobal, countImports(sections, 0)) });
    else rewritten.push(section);
  }
  if (!sections.some((section) => section.id === 7)) throw new WasmInstrumentError('the module exports nothing (a wasm guest exports raftcheck_step)');
  return writeSections(bytes.subarray(0, 8), rewritten);
}

function readSections(bytes: Uint8Array): Section[] {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((byte, index) => bytes[index] !== byte)) throw new WasmInstrumentError('not a WebAssembly module (version 1): its first 8 bytes are not \\0asm 1');
  const reader = new Reader(bytes, 8);
  const sections: Section[] = [];
  while (reader.offset < bytes.length) {
    const id = reader.byte();
    const size = reader.u32();
    if (reader.offset + size > bytes.length) throw new WasmInstrumentError(`section ${id} runs past the end of the module`);
    sections.push({ id, body: bytes.subarray(reader.offset, reader.offset + size) });
    reader.offset += size;
  }
  return sections;
}

function writeSections(header: Uint8Array, sections: readonly Section[]): Uint8Array {
  const writer = new Writer();
  writer.bytes(header);
  for (const section of sections) {
    writer.byte(section.id);
    writer.u32(section.body.length);
    writer.bytes(section.body);
  }
  return writer.finish();
}

/** Imports of one kind (0 functions, 3 globals): they come first in their index space. */
function countImports(sections: readonly Section[], kind: number): number {
  const section = sections.find((candidate) => candidate.id === 2);
  if (section === undefined) return 0;
  const reader = new Reader(section.body);
  let count = 0;
  for (let remaining = reader.u32(); remaining > 0; remaining -= 1) {
    reader.skipName();
    reader.skipName();
    const importKind = reader.byte();
    if (importKind === kind) count += 1;
    if (importKind === 0) reader.u32();
    else if (importKind === 1) {
      reader.byte();
      reader.skipLimits();
    } else if (importKind === 2) reader.skipLimits();
    else if (importKind === 3) reader.offset += 2;
    else if (importKind === 4) reader.offset += 1 + lebLength(section.body, reader.offset + 1);
    else throw new WasmInstrumentError(`an import of unknown kind ${importKind}`);
  }
  return count;
}

function boundMemory(body: Uint8Array, memoryBytesMax: number): Uint8Array {
  const reader = new Reader(body);
  const count = reader.u32();
  const writer = new Writer();
  writer.u32(count);
  const pagesBound = Math.max(1, Math.floor(memoryBytesMax / pageBytes));
  for (let index = 0; index < count; index += 1) {
    const flags = reader.byte();
    if ((flags & ~1) !== 0) throw new WasmInstrumentError(`a memory with flags ${flags} (shared or 64-bit memories are not supported)`);
    const minimum = reader.u32();
    const maximum = flags === 1 ? reader.u32() : Infinity;
    if (minimum > pagesBound) throw new WasmInstrumentError(`the module's memory starts at ${minimum * pageBytes} bytes, over the bound of ${memoryBytesMax} (the wasm host option memoryBytesMax)`);
    writer.byte(1);
    writer.u32(minimum);
    writer.u32(Math.min(maximum, pagesBound));
  }
  return writer.finish();
}

/** A mutable i32 global, initially 0: an empty tank until the host fills it. */
function appendFuelGlobal(body: Uint8Array | null): Uint8Array {
  const writer = new Writer();
  if (body === null) writer.u32(1);
  else {
    const reader = new Reader(body);
    writer.u32(reader.u32() + 1);
    writer.bytes(body.subarray(reader.offset));
  }
  writer.bytes(Uint8Array.of(0x7f, 0x01, 0x41, 0x00, 0x0b));
  return writer.finish();
}

function appendFuelExport(body: Uint8Array, fuelGlobal: number): Uint8Array {
  const reader = new Reader(body);
  const writer = new Writer();
  writer.u32(reader.u32() + 1);
  writer.bytes(body.subarray(reader.offset));
  const name = new TextEncoder().encode(fuelExportName);
  writer.u32(name.length);
  writer.bytes(name);
  writer.byte(3);
  writer.u32(fuelGlobal);
  return writer.finish();
}

function instrumentCode(body: Uint8Array, fuelGlobal: number, importedFunctions: number): Uint8Array {
  const reader = new Reader(body);
  const count = reader.u32();
  const writer = new Writer();
  writer.u32(count);
  const check = fuelCheck(fuelGlobal);
  for (let index = 0; index < count; index += 1) {
    const size = reader.u32();
    const end = reader.offset + size;
    const functionBody = new Writer();
    const start = reader.offset;
    for (let groups = reader.u32(); groups > 0; groups -= 1) {
      reader.u32();
      reader.byte();
    }
    let copiedTo = start;
    try {
      while (reader.offset < end) {
        const opcode = reader.byte();
        skipImmediates(reader, opcode);
        if (opcode !== 0x03) continue;
        functionBody.bytes(body.subarray(copiedTo, reader.offset));
        functionBody.bytes(check);
        copiedTo = reader.offset;
      }
    } catch (error) {
      if (error instanceof WasmInstrumentError) throw new WasmInstrumentError(`function ${importedFunctions + index}: ${error.message}`);
      throw error;
    }
    functionBody.bytes(body.subarray(copiedTo, end));
    const finished = functionBody.finish();
    writer.u32(finished.length);
    writer.bytes(finished);
  }
  return writer.finish();
}

/** global.get F; i32.eqz; if; unreachable; end; global.get F; i32.const 1; i32.sub; global.set F */
function fuelCheck(fuelGlobal: number): Uint8Array {
  const writer = new Writer();
  writer.byte(0x23);
  writer.u32(fuelGlobal);
  writer.bytes(Uint8Array.of(0x45, 0x04, 0x40, 0x00, 0x0b, 0x23));
  writer.u32(fuelGlobal);
  writer.bytes(Uint8Array.of(0x41, 0x01, 0x6b, 0x24));
  writer.u32(fuelGlobal);
  return writer.finish();
}

/** Moves the reader past one instruction's immediates (MVP, sign extension, bulk memory, reference types, SIMD, atomics, exceptions). */
function skipImmediates(reader: Reader, opcode: number): void {
  if (opcode === 0x02 || opcode === 0x03 || opcode === 0x04 || opcode === 0x06) return reader.skipBlockType();
  if (opcode === 0x0e) {
    for (let targets = reader.u32(); targets >= 0; targets -= 1) reader.u32();
    return;
  }
  if (opcode === 0x11) {
    reader.u32();
    reader.u32();
    return;
  }
  if (opcode === 0x1c) {
    for (let types = reader.u32(); types > 0; types -= 1) reader.byte();
    return;
  }
  if (opcode === 0x42) return reader.skipLeb();
  if (opcode === 0x43) return reader.skip(4);
  if (opcode === 0x44) return reader.skip(8);
  if (opcode === 0x3f || opcode === 0x40 || opcode === 0xd0) return reader.skip(1);
  if (opcode >= 0x28 && opcode <= 0x3e) return reader.skipMemoryArgument();
  if (oneIndexOpcodes.has(opcode)) return reader.skipLeb();
  if (opcode === 0xfc) return skipPrefixedFc(reader);
  if (opcode === 0xfd) return skipPrefixedSimd(reader);
  if (opcode === 0xfe) return skipPrefixedAtomic(reader);
  if (noImmediateOpcodes(opcode)) return;
  throw new WasmInstrumentError(`opcode 0x${opcode.toString(16)} at byte ${reader.offset - 1} of the code section is not one raftcheck's wasm instrumentation knows`);
}

/** br, br_if, call, local.*, global.*, table.get/set, ref.func, throw, rethrow, catch, delegate, i32.const, return_call. */
const oneIndexOpcodes = new Set([0x07, 0x08, 0x09, 0x0c, 0x0d, 0x10, 0x12, 0x18, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x41, 0xd2]);

function noImmediateOpcodes(opcode: number): boolean {
  return opcode === 0x00 || opcode === 0x01 || opcode === 0x05 || opcode === 0x0b || opcode === 0x0f || opcode === 0x19 || opcode === 0x1a || opcode === 0x1b || opcode === 0xd1 || (opcode >= 0x45 && opcode <= 0xc4);
}

function skipPrefixedFc(reader: Reader): void {
  const operation = reader.u32();
  if (operation <= 7) return;
  if (operation === 8) {
    reader.u32();
    reader.skip(1);
  } else if (operation === 9 || operation === 13 || (operation >= 15 && operation <= 17)) reader.u32();
  else if (operation === 10) reader.skip(2);
  else if (operation === 11) reader.skip(1);
  else if (operation === 12 || operation === 14) {
    reader.u32();
    reader.u32();
  } else throw new WasmInstrumentError(`opcode 0xfc ${operation} is not one raftcheck's wasm instrumentation knows`);
}

function skipPrefixedSimd(reader: Reader): void {
  const operation = reader.u32();
  if (operation <= 11 || operation === 92 || operation === 93) return reader.skipMemoryArgument();
  if (operation === 12 || operation === 13) return reader.skip(16);
  if (operation >= 21 && operation <= 34) return reader.skip(1);
  if (operation >= 84 && operation <= 91) {
    reader.skipMemoryArgument();
    reader.skip(1);
  }
}

function skipPrefixedAtomic(reader: Reader): void {
  const operation = reader.u32();
  if (operation === 3) reader.skip(1);
  else reader.skipMemoryArgument();
}

function lebLength(bytes: Uint8Array, offset: number): number {
  let length = 1;
  while ((bytes[offset + length - 1] & 0x80) !== 0) length += 1;
  return length;
}

class Reader {
  constructor(
    private readonly data: Uint8Array,
    public offset = 0,
  ) {}

  byte(): number {
    if (this.offset >= this.data.length) throw new WasmInstrumentError('the module ends in the middle of an item');
    const value = this.data[this.offset];
    this.offset += 1;
    return value;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new WasmInstrumentError('an integer longer than 5 bytes');
    }
  }

  skipLeb(): void {
    while ((this.byte() & 0x80) !== 0);
  }

  skip(count: number): void {
    this.offset += count;
  }

  skipName(): void {
    const length = this.u32();
    this.offset += length;
  }

  skipLimits(): void {
    const flags = this.byte();
    this.u32();
    if ((flags & 1) !== 0) this.u32();
  }

  skipMemoryArgument(): void {
    this.u32();
    this.u32();
  }

  /** 0x40 (empty), a value type (one byte), or a type index (a signed LEB). */
  skipBlockType(): void {
    const first = this.data[this.offset];
    if (first === 0x40 || (first >= 0x6f && first <= 0x7f)) this.offset += 1;
    else this.skipLeb();
  }
}

class Writer {
  private buffer = new Uint8Array(1024);
  private length = 0;

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + count));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length] = value;
    this.length += 1;
  }

  bytes(values: Uint8Array): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  u32(value: number): void {
    let rest = value;
    do {
      let byte = rest & 0x7f;
      rest = Math.floor(rest / 128);
      if (rest !== 0) byte |= 0x80;
      this.byte(byte);
    } while (rest !== 0);
  }

  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

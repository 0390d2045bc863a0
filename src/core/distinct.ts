// Counting distinct fingerprints in bounded memory, for a campaign's coverage of abstract states
// (src/world/abstractState.ts). The count is exact while it is small: every fingerprint is kept
// in a set, up to `exactMax`. Past that the set is dropped and only a HyperLogLog sketch (Flajolet
// et al., 2007; 2^14 one-byte registers, about 0.8% standard error) counts, so a campaign of any
// length holds the same few kilobytes. The sketch is always kept, and both halves are functions
// of the set of fingerprints added, not of their order: two shards merged give exactly what one
// campaign over both gives, the count included.
//
// Fingerprints are whole numbers below 2^52 (chainHash in src/core/hash.ts makes them): the low
// 14 bits choose a register, the other 38 its rank.

const registerBits = 14;
const registerCount = 1 << registerBits;
/** The bias correction of the HyperLogLog estimate for 2^14 registers. */
const alpha = 0.7213 / (1 + 1.079 / registerCount);

/** Fingerprints counted exactly before the counter keeps only its sketch. */
export const exactDistinctMax = 8192;

/** A counter as JSON (a report folder's coverage.json): the fingerprints while exact, and the registers in base64. */
export interface DistinctCountData {
  fingerprints: number[] | null;
  registers: string;
}

/** The rank of a fingerprint's upper 38 bits: one more than their leading zeros. */
function rankOf(fingerprint: number): number {
  const upper = Math.floor(fingerprint / registerCount);
  const high = Math.floor(upper / 0x40000) | 0; // bits 18 to 37 (20 bits)
  if (high !== 0) return Math.clz32(high) - 12 + 1;
  const low = upper % 0x40000 | 0; // bits 0 to 17
  return low !== 0 ? 20 + Math.clz32(low) - 14 + 1 : 39;
}

export class DistinctCounter {
  private exact: Set<number> | null = new Set();
  private readonly registers = new Uint8Array(registerCount);

  constructor(private readonly exactMax = exactDistinctMax) {}

  add(fingerprint: number): void {
    const register = fingerprint % registerCount;
    const rank = rankOf(fingerprint);
    if (rank > this.registers[register]) this.registers[register] = rank;
    if (this.exact === null) return;
    this.exact.add(fingerprint);
    if (this.exact.size > this.exactMax) this.exact = null;
  }

  /** Whether count() is exact (false: a HyperLogLog estimate). */
  get isExact(): boolean {
    return this.exact !== null;
  }

  /** How many distinct fingerprints were added: exact while isExact, else estimated (rounded). */
  count(): number {
    if (this.exact !== null) return this.exact.size;
    let sum = 0;
    let zeros = 0;
    for (const rank of this.registers) {
      sum += 2 ** -rank;
      if (rank === 0) zeros += 1;
    }
    const estimate = (alpha * registerCount * registerCount) / sum;
    // Small counts: linear counting over the empty registers is the better estimate.
    if (estimate <= 2.5 * registerCount && zeros > 0) return Math.round(registerCount * Math.log(registerCount / zeros));
    return Math.round(estimate);
  }

  /** Adds everything another counter (a shard's) counted. */
  merge(other: DistinctCounter): void {
    for (let index = 0; index < registerCount; index += 1) {
      if (other.registers[index] > this.registers[index]) this.registers[index] = other.registers[index];
    }
    if (this.exact === null || other.exact === null) {
      this.exact = null;
      return;
    }
    for (const fingerprint of other.exact) this.exact.add(fingerprint);
    if (this.exact.size > this.exactMax) this.exact = null;
  }

  toData(): DistinctCountData {
    return { fingerprints: this.exact === null ? null : [...this.exact].sort((a, b) => a - b), registers: Buffer.from(this.registers).toString('base64') };
  }

  /** A counter from its JSON; null when the registers are not a sketch of this size (the caller names the file). */
  static fromData(data: DistinctCountData): DistinctCounter | null {
    const registers = Buffer.from(data.registers, 'base64');
    if (registers.length !== registerCount) return null;
    const counter = new DistinctCounter();
    counter.registers.set(registers);
    counter.exact = data.fingerprints === null ? null : new Set(data.fingerprints);
    return counter;
  }
}

// Hashing for trace hashes, prefix hashes and world fingerprints.
//
// Two independent 32-bit lanes (murmur3 finalizer style mixing) give a 64-bit digest without
// BigInt on the hot path. A digest is rendered as 16 hex characters. Everything here is a pure
// function of its inputs: no seeds from the environment.

export interface Hash64 {
  high: number;
  low: number;
}

const laneHighSeed = 0x9e3779b9 | 0;
const laneLowSeed = 0x85ebca6b | 0;

function mixLane(state: number, value: number, multiplier: number): number {
  let k = Math.imul(value | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, multiplier);
  let h = state ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalizeLane(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An incremental 64-bit hasher. Feed numbers and strings; read the digest at any time. */
export class Hasher {
  private high = laneHighSeed;
  private low = laneLowSeed;
  private length = 0;

  number(value: number): this {
    let lowPart: number;
    let highPart: number;
    if ((value | 0) === value) {
      // Small integers (most of what is hashed): the same split as below, without a division.
      lowPart = value | 0;
      highPart = value < 0 ? -1 : 0;
    } else {
      if (!Number.isInteger(value)) return this.nonInteger(value);
      // Integers up to 2^53 are split so that large values (virtual times) hash exactly.
      lowPart = value % 0x100000000 | 0;
      highPart = Math.floor(value / 0x100000000) | 0;
    }
    this.high = mixLane(this.high, lowPart, 0x1b873593);
    this.low = mixLane(this.low, lowPart ^ 0x5bd1e995, 0x27d4eb2f);
    this.high = mixLane(this.high, highPart, 0x1b873593);
    this.low = mixLane(this.low, highPart ^ 0x5bd1e995, 0x27d4eb2f);
    this.length += 1;
    return this;
  }

  /** Fractions, NaN and infinities: tagged, so they never collide with an integer. */
  private nonInteger(value: number): this {
    this.high = mixLane(this.high, 0x464c4f54, 0x1b873593); // "FLOT"
    return this.string(Number.isNaN(value) ? 'NaN' : value.toString());
  }

  string(value: string): this {
    // A type tag, so that a string never hashes like a run of numbers of the same shape.
    this.high = mixLane(this.high, 0x53545247, 0x1b873593); // "STRG"
    this.low = mixLane(this.low, 0x53545247, 0x27d4eb2f);
    this.number(value.length);
    for (let index = 0; index < value.length; index += 1) {
      const code = value.charCodeAt(index);
      this.high = mixLane(this.high, code, 0x1b873593);
      this.low = mixLane(this.low, code ^ 0x5bd1e995, 0x27d4eb2f);
    }
    return this;
  }

  digest(): Hash64 {
    return {
      high: finalizeLane(this.high ^ this.length),
      low: finalizeLane(this.low ^ (this.length * 31)),
    };
  }

  hex(): string {
    return hashToHex(this.digest());
  }
}

export function hashToHex(hash: Hash64): string {
  return hash.high.toString(16).padStart(8, '0') + hash.low.toString(16).padStart(8, '0');
}

/**
 * One step of a 52-bit chained hash kept in a plain number (safe integer), used for per-index
 * prefix hashes of logs: prefix[i] = chain(prefix[i-1], term_i, id_i). Exact in doubles, cheap,
 * and collision odds of about 2^-52 per comparison are far below anything a run can reach.
 */
export function chainHash(previous: number, term: number, id: number): number {
  const previousLow = previous % 0x4000000 | 0; // low 26 bits
  const previousHigh = Math.floor(previous / 0x4000000) | 0; // high 26 bits
  let a = mixLane(previousLow ^ 0x3c6ef372, term, 0x1b873593);
  a = mixLane(a, id, 0x1b873593);
  a = mixLane(a, previousHigh, 0x1b873593);
  let b = mixLane(previousHigh ^ 0x2545f491, id, 0x27d4eb2f);
  b = mixLane(b, term, 0x27d4eb2f);
  b = mixLane(b, previousLow, 0x27d4eb2f);
  const high26 = finalizeLane(a) >>> 6;
  const low26 = finalizeLane(b) >>> 6;
  return high26 * 0x4000000 + low26;
}

/** The murmur3 finalizer: a 32-bit value with every bit mixed into every other. */
export function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

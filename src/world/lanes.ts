// A 64-bit hash in two 32-bit lanes for the explorer's fingerprints, reused rather than
// allocated: the explorer hashes every node once per permutation of ids on every transition,
// where src/core/hash.ts's Hasher (which splits every number into 32-bit halves for exact
// 53-bit values, and is allocated per digest) measured three times slower. Values hashed here
// are 32-bit integers or small counts; anything larger is folded to 32 bits first.

import { mix32 } from '../core/hash.js';

export class Lanes {
  high = 0;
  low = 0;
  private count = 0;

  reset(): this {
    this.high = 0x9e3779b9 | 0;
    this.low = 0x85ebca6b | 0;
    this.count = 0;
    return this;
  }

  number(value: number): this {
    const v = Number.isInteger(value) && value <= 0x7fffffff && value >= -0x80000000 ? value | 0 : foldToInt32(value);
    let k = Math.imul(v, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    let h = this.high ^ Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    this.high = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let m = Math.imul(v ^ 0x5bd1e995, 0x2545f491);
    m = (m << 17) | (m >>> 15);
    let l = this.low ^ Math.imul(m, 0x27d4eb2f);
    l = (l << 11) | (l >>> 21);
    this.low = (Math.imul(l, 9) + 0x165667b1) | 0;
    this.count += 1;
    return this;
  }

  string(value: string): this {
    this.number(value.length);
    for (let index = 0; index < value.length; index += 1) this.number(value.charCodeAt(index));
    return this;
  }

  /** Finalizes into [high, low] of out at offset (the lanes stay usable). */
  digestInto(out: number[], offset: number): void {
    out[offset] = mix32(this.high ^ this.count);
    out[offset + 1] = mix32(this.low ^ Math.imul(this.count, 31));
  }
}

function foldToInt32(value: number): number {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 0x7ff80000 : value > 0 ? 0x7ff00000 : -0x100000;
  const high = Math.floor(value / 0x100000000);
  return (value ^ Math.imul(high | 0, 0x9e3779b1)) | 0;
}

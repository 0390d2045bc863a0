// One shared copy of each distinct node state and message in flight, keyed by its 64-bit digest.
//
// Why: the breadth-first frontier holds millions of worlds, but few distinct node states (a few
// thousand node tuples at depth 12 of figure8 against 60,000 states; the message pools make the
// rest). Without sharing, every transition leaves a fresh node (a cloned instance with its maps
// and log) and fresh messages in the world it keeps, and the garbage collector spent about half
// of the search marking them. With it a kept world is three small arrays over shared parts.
//
// Sharing by digest assumes what the visited set already assumes: two node states (or messages)
// with one 64-bit digest are the same state, so that continuing from either reaches the same
// worlds (a collision has odds of about n^2 / 2^65 for n distinct values).

export class InternTable<T> {
  private high: Uint32Array;
  private low: Uint32Array;
  private values: (T | undefined)[];
  private used = 0;
  private mask: number;

  constructor(capacityPowerOfTwo = 1 << 12) {
    this.high = new Uint32Array(capacityPowerOfTwo);
    this.low = new Uint32Array(capacityPowerOfTwo);
    this.values = new Array<T | undefined>(capacityPowerOfTwo);
    this.mask = capacityPowerOfTwo - 1;
  }

  get size(): number {
    return this.used;
  }

  /** The value stored under (high, low), or undefined. */
  find(high: number, low: number): T | undefined {
    const h = high >>> 0;
    const l = low >>> 0;
    for (let slot = this.slotOf(h, l); this.values[slot] !== undefined; slot = (slot + 1) & this.mask) {
      if (this.high[slot] === h && this.low[slot] === l) return this.values[slot];
    }
    return undefined;
  }

  /** The value already stored under (high, low), or `value`, stored now. */
  intern(high: number, low: number, value: T): T {
    const h = high >>> 0;
    const l = low >>> 0;
    let slot = this.slotOf(h, l);
    for (; this.values[slot] !== undefined; slot = (slot + 1) & this.mask) {
      if (this.high[slot] === h && this.low[slot] === l) return this.values[slot]!;
    }
    this.high[slot] = h;
    this.low[slot] = l;
    this.values[slot] = value;
    this.used += 1;
    if (this.used * 2 > this.values.length) this.grow();
    return value;
  }

  private slotOf(h: number, l: number): number {
    return (Math.imul(l ^ Math.imul(h, 0x85ebca6b), 0x9e3779b1) >>> 0) & this.mask;
  }

  private grow(): void {
    const { high, low, values } = this;
    const capacity = values.length * 2;
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.values = new Array<T | undefined>(capacity);
    this.mask = capacity - 1;
    for (let slot = 0; slot < values.length; slot += 1) {
      if (values[slot] === undefined) continue;
      let target = this.slotOf(high[slot], low[slot]);
      while (this.values[target] !== undefined) target = (target + 1) & this.mask;
      this.high[target] = high[slot];
      this.low[target] = low[slot];
      this.values[target] = values[slot];
    }
  }
}

// The visited set: 64-bit fingerprints in an open-addressing table, each fingerprint's two
// 32-bit lanes side by side in one Uint32Array so that a probe reads one cache line, not two
// (8 bytes a state, about 16 at the load kept), because a JavaScript Set of strings costs
// about ten times the memory and time at millions of states. Each entry also keeps the least
// depth it was reached at, so that a depth-bounded DFS can revisit a state reached by a
// shorter path, and a 32-bit payload the search may use (bfs keeps there the state's place in
// the layer being built, to merge the sleep sets of its arrivals). A collision of two different states (odds about n^2 / 2^65) would merge them.

export class VisitedSet {
  /** keys[2 * slot] and keys[2 * slot + 1]: the high and low lanes of the fingerprint in `slot`. */
  private keys: Uint32Array;
  private depths: Uint16Array;
  private payloads: Int32Array;
  private used = 0;
  /** The slot of the fingerprint the last add() found or stored. */
  lastSlot = 0;
  private mask: number;

  constructor(capacityPowerOfTwo = 1 << 16) {
    this.keys = new Uint32Array(2 * capacityPowerOfTwo);
    this.depths = new Uint16Array(capacityPowerOfTwo);
    this.payloads = new Int32Array(capacityPowerOfTwo);
    this.mask = capacityPowerOfTwo - 1;
  }

  /** The least depth the fingerprint in `slot` was reached at. */
  depthAt(slot: number): number {
    return this.depths[slot];
  }

  payloadAt(slot: number): number {
    return this.payloads[slot];
  }

  setPayload(slot: number, value: number): void {
    this.payloads[slot] = value;
  }

  get size(): number {
    return this.used;
  }

  /** Bytes held by the table, for the memory bound. */
  get bytes(): number {
    return this.depths.length * 14;
  }

  /**
   * Adds the fingerprint reached at `depth`. True when it is new, or known only at a greater
   * depth (its depth is then lowered); false when it was already reached at this depth or less.
   */
  add(high: number, low: number, depth = 0): boolean {
    // (0, 0) marks an empty slot; a fingerprint that is (0, 0) is stored as (0, 1).
    const h = high >>> 0;
    const l = h === 0 && low >>> 0 === 0 ? 1 : low >>> 0;
    const keys = this.keys;
    let slot = (Math.imul(l ^ h, 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const slotHigh = keys[2 * slot];
      const slotLow = keys[2 * slot + 1];
      if (slotHigh === 0 && slotLow === 0) break;
      if (slotHigh === h && slotLow === l) {
        this.lastSlot = slot;
        if (depth >= this.depths[slot]) return false;
        this.depths[slot] = depth;
        return true;
      }
      slot = (slot + 1) & this.mask;
    }
    keys[2 * slot] = h;
    keys[2 * slot + 1] = l;
    this.depths[slot] = Math.min(depth, 0xffff);
    this.payloads[slot] = -1;
    this.used += 1;
    this.lastSlot = slot;
    if (this.used * 2 > this.depths.length) this.lastSlot = this.grow(slot);
    return true;
  }

  /** Doubles the table; returns where `tracked` (an old slot) moved to. */
  private grow(tracked: number): number {
    const oldKeys = this.keys;
    const oldDepths = this.depths;
    const oldPayloads = this.payloads;
    let moved = -1;
    const capacity = oldDepths.length * 2;
    const keys = new Uint32Array(2 * capacity);
    this.keys = keys;
    this.depths = new Uint16Array(capacity);
    this.payloads = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let slot = 0; slot < oldDepths.length; slot += 1) {
      const h = oldKeys[2 * slot];
      const l = oldKeys[2 * slot + 1];
      if (h === 0 && l === 0) continue;
      let target = (Math.imul(l ^ h, 0x9e3779b1) >>> 0) & this.mask;
      while (keys[2 * target] !== 0 || keys[2 * target + 1] !== 0) target = (target + 1) & this.mask;
      keys[2 * target] = h;
      keys[2 * target + 1] = l;
      this.depths[target] = oldDepths[slot];
      this.payloads[target] = oldPayloads[slot];
      if (slot === tracked) moved = target;
    }
    return moved;
  }
}

// The simulated network: per directed link connectivity, loss and delay. Connectivity is a
// matrix of cut links, so isolation, partitions, bridges and one-way cuts are all the same data
// (src/sim/partitions.ts builds them); a message is lost if its link is cut when it is sent or
// when it would arrive. In the liveness phase the network is calm: no loss, no duplicates, no
// long delays, only the ordinary delay.

import type { NodeId } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { DelayDistribution, NetworkOptions } from './scenario.js';

/** What the network decided for one message. */
export interface Transmission {
  dropped: boolean;
  /** Delays of each copy that will arrive: one, or two for a duplicate. */
  delaysMs: number[];
}

export class Network {
  /** cut[from][to] is true when messages from `from` to `to` are lost. Index 0 unused. */
  private readonly cut: boolean[][];
  private readonly dropProbability: number[][];
  private readonly delay: DelayDistribution[][];
  private calm = false;

  constructor(private readonly nodeCount: number, private readonly options: NetworkOptions) {
    const matrix = <T>(value: T) => Array.from({ length: nodeCount + 1 }, () => new Array<T>(nodeCount + 1).fill(value));
    this.cut = matrix(false);
    this.dropProbability = matrix(options.dropProbability);
    this.delay = matrix(options.delay);
    for (const link of options.links) {
      if (link.dropProbability !== undefined) this.dropProbability[link.from][link.to] = link.dropProbability;
      if (link.delay !== undefined) this.delay[link.from][link.to] = { ...options.delay, ...link.delay };
    }
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut[from][to];
  }

  applyCut(links: readonly (readonly [NodeId, NodeId])[]): void {
    for (const [from, to] of links) this.cut[from][to] = true;
  }

  healAll(): void {
    for (const row of this.cut) row.fill(false);
  }

  /** From now on: no loss, no duplicates, no long delays (the liveness phase). */
  calmDown(): void {
    this.calm = true;
  }

  /** The set of cut links, as "from>to" pairs in id order (for fingerprints and reports). */
  cutLinks(): string[] {
    const links: string[] = [];
    for (let from = 1; from <= this.nodeCount; from += 1) {
      for (let to = 1; to <= this.nodeCount; to += 1) if (this.cut[from][to]) links.push(`${from}>${to}`);
    }
    return links;
  }

  /**
   * Decides loss, delay and duplication of one message sent now. Every draw is taken whatever
   * the outcome (a dropped message still draws its delay), so each message takes the same number
   * of choices and editing one message's choices does not shift the next message's.
   */
  transmit(from: NodeId, to: NodeId, random: Random): Transmission {
    const noisy = !this.calm;
    const dropped = noisy && random.chance('network', this.dropProbability[from][to]);
    const delayMs = this.drawDelay(from, to, random, noisy);
    const duplicated = noisy && random.chance('network', this.options.duplicateProbability);
    // The copy takes its own path: a fresh delay, so it may overtake the original or trail it.
    const copyDelayMs = noisy && this.options.duplicateProbability > 0 ? this.drawDelay(from, to, random, noisy) : 0;
    if (this.cut[from][to] || dropped) return { dropped: true, delaysMs: [] };
    return { dropped: false, delaysMs: duplicated ? [delayMs, copyDelayMs] : [delayMs] };
  }

  private drawDelay(from: NodeId, to: NodeId, random: Random, noisy: boolean): number {
    const delayMs = drawDelayMs(random, 'network', this.delay[from][to]);
    if (!noisy || this.options.longDelayProbability <= 0) return delayMs;
    const long = random.chance('network', this.options.longDelayProbability);
    const longMs = random.integer('network', this.options.longDelayMs.minMs, this.options.longDelayMs.maxMs);
    return long ? delayMs + longMs : delayMs;
  }
}

/** A delay in whole virtual milliseconds; a 0 choice gives the minimum. */
export function drawDelayMs(random: Random, stream: string, delay: DelayDistribution): number {
  switch (delay.distribution) {
    case 'constant':
      return delay.minMs;
    case 'uniform':
      return random.integer(stream, delay.minMs, delay.maxMs);
    case 'exponential': {
      const mean = delay.meanMs ?? Math.max(1, (delay.maxMs - delay.minMs) / 4);
      // 1 - unit, so that a 0 choice gives the shortest delay.
      const unit = random.unit(stream);
      const extra = Math.floor(-Math.log(1 - unit) * mean);
      return Math.min(delay.maxMs, delay.minMs + extra);
    }
  }
}

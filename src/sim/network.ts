// The simulated network: per directed link connectivity, and the delay and loss of each message.
// Connectivity is a matrix of cut links, so isolation, partitions and one-way cuts are all the
// same data; a message is lost if its link is cut when it is sent or when it would arrive.

import type { NodeId } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { DelayDistribution, NetworkOptions } from './scenario.js';

export class Network {
  /** cut[from][to] is true when messages from `from` to `to` are lost. Index 0 unused. */
  private readonly cut: boolean[][];

  constructor(private readonly nodeCount: number, private readonly options: NetworkOptions) {
    this.cut = Array.from({ length: nodeCount + 1 }, () => new Array<boolean>(nodeCount + 1).fill(false));
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut[from][to];
  }

  setLink(from: NodeId, to: NodeId, cut: boolean): void {
    this.cut[from][to] = cut;
  }

  /** Cuts every link to and from the node. */
  isolate(node: NodeId): void {
    for (let other = 1; other <= this.nodeCount; other += 1) {
      if (other === node) continue;
      this.cut[node][other] = true;
      this.cut[other][node] = true;
    }
  }

  healAll(): void {
    for (const row of this.cut) row.fill(false);
  }

  /** True if any link is cut. */
  get partitioned(): boolean {
    return this.cut.some((row) => row.some(Boolean));
  }

  /** The set of cut links, as "from>to" pairs in id order (for fingerprints and reports). */
  cutLinks(): string[] {
    const links: string[] = [];
    for (let from = 1; from <= this.nodeCount; from += 1) {
      for (let to = 1; to <= this.nodeCount; to += 1) if (this.cut[from][to]) links.push(`${from}>${to}`);
    }
    return links;
  }

  shouldDrop(random: Random): boolean {
    return random.chance('network', this.options.dropProbability);
  }

  drawDelayMs(random: Random): number {
    return drawDelayMs(random, 'network', this.options.delay);
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
      const unit = random.unit(stream);
      const extra = Math.floor(-Math.log(1 - unit) * mean);
      return Math.min(delay.maxMs, delay.minMs + extra);
    }
  }
}

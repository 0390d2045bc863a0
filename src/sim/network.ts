// The simulated network: per directed link connectivity, loss and delay. Connectivity is a
// matrix of cut links, so isolation, partitions, bridges and one-way cuts are all the same data
// (src/sim/partitions.ts builds them); a message is lost if its link is cut when it is sent or
// when it would arrive. In the liveness phase the network is calm: no loss, no duplicates, no
// long delays, only the ordinary delay.

import type { NodeId } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { DelayDistribution, NetworkOptions } from './scenario.js';

const priorityStream = 'pct';

export class Network {
  /** cut[from][to] is true when messages from `from` to `to` are lost. Index 0 unused. */
  private readonly cut: boolean[][];
  private readonly dropProbability: number[][];
  private readonly delay: DelayDistribution[][];
  private readonly priority: PrioritySchedule | null;
  private calm = false;

  /**
   * `random` and `faultPhaseMs` are needed only by priority scheduling, which draws its
   * priorities and change points here, once, on the "pct" stream.
   */
  constructor(
    private readonly nodeCount: number,
    private readonly options: NetworkOptions,
    random?: Random,
    faultPhaseMs = 0,
  ) {
    this.priority = random === undefined ? null : drawPrioritySchedule(nodeCount, options, random, faultPhaseMs);
    const matrix = <T>(value: T) => Array.from({ length: nodeCount + 1 }, () => new Array<T>(nodeCount + 1).fill(value));
    this.cut = matrix(false);
    this.dropProbability = matrix(options.dropProbability);
    this.delay = matrix(options.delay);
    for (const link of options.links) {
      if (link.dropProbability !== undefined) this.dropProbability[link.from][link.to] = link.dropProbability;
      if (link.delay !== undefined) this.delay[link.from][link.to] = { ...options.delay, ...link.delay };
    }
  }

  /** Links cut now (the true cells of cut). */
  private cutCount = 0;

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut[from][to];
  }

  applyCut(links: readonly (readonly [NodeId, NodeId])[]): void {
    for (const [from, to] of links) {
      if (!this.cut[from][to]) this.cutCount += 1;
      this.cut[from][to] = true;
    }
  }

  healAll(): void {
    for (const row of this.cut) row.fill(false);
    this.cutCount = 0;
  }

  /** Is some link cut right now? */
  partitioned(): boolean {
    return this.cutCount > 0;
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
   * of choices and editing one message's choices does not shift the next message's. Returns the
   * copies that will arrive (0: lost; 2: duplicated), their delays written to `delaysMs` (a
   * list the caller keeps: no allocation per message).
   */
  transmit(from: NodeId, to: NodeId, random: Random, nowMs: number, delaysMs: number[]): number {
    const noisy = !this.calm;
    const dropped = noisy && random.chance('network', this.dropProbability[from][to]);
    const delayMs = this.drawDelay(from, to, random, noisy) + (noisy && this.priority !== null ? this.priority.delayMs(from, nowMs) : 0);
    const duplicated = noisy && random.chance('network', this.options.duplicateProbability);
    // The copy takes its own path: a fresh delay, so it may overtake the original or trail it.
    const copyDelayMs = noisy && this.options.duplicateProbability > 0 ? this.drawDelay(from, to, random, noisy) : 0;
    if (this.cut[from][to] || dropped) return 0;
    delaysMs[0] = delayMs;
    delaysMs[1] = copyDelayMs;
    return duplicated ? 2 : 1;
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

/**
 * PCT's priorities over senders (see PriorityOptions in scenario.ts). Ranks only ever change at
 * the drawn change points, which messages pass in time order, so a rank lookup is a pointer
 * walk, not a search.
 */
class PrioritySchedule {
  /** rank[node]: 0 is the top priority. Index 0 unused. */
  private readonly rank: number[];
  private nextChange = 0;

  constructor(
    private readonly nodeCount: number,
    order: readonly NodeId[],
    private readonly changeTimesMs: readonly number[],
    private readonly tierMs: number,
  ) {
    this.rank = new Array<number>(nodeCount + 1).fill(0);
    order.forEach((node, rank) => (this.rank[node] = rank));
  }

  delayMs(from: NodeId, nowMs: number): number {
    while (this.nextChange < this.changeTimesMs.length && this.changeTimesMs[this.nextChange] <= nowMs) {
      // The top node drops to the bottom; everyone else moves up one.
      for (let node = 1; node <= this.nodeCount; node += 1) this.rank[node] = this.rank[node] === 0 ? this.nodeCount - 1 : this.rank[node] - 1;
      this.nextChange += 1;
    }
    return this.rank[from] * this.tierMs;
  }
}

/**
 * Draws the priority order and the change points, or null when scheduling is random. Under
 * "portfolio" the first draw picks PCT or random for this seed; its 0 choice is random, so a
 * shrunk run leaves priorities off unless the failure needs them. The draws are taken whatever
 * the outcome, so their number is fixed.
 */
function drawPrioritySchedule(nodeCount: number, options: NetworkOptions, random: Random, faultPhaseMs: number): PrioritySchedule | null {
  const priority = options.priority;
  if (priority === undefined || priority.strategy === 'random') return null;
  const chosen = random.chance(priorityStream, 0.5);
  const on = priority.strategy === 'pct' || chosen;
  // A Fisher-Yates shuffle of the ids: a 0 choice everywhere keeps id order (n1 on top).
  const order = Array.from({ length: nodeCount }, (_, index) => index + 1);
  for (let index = nodeCount - 1; index > 0; index -= 1) {
    const other = index - random.index(priorityStream, index + 1);
    [order[index], order[other]] = [order[other], order[index]];
  }
  const changeTimesMs = Array.from({ length: priority.changePoints ?? 2 }, () => random.integer(priorityStream, 0, Math.max(0, faultPhaseMs)));
  changeTimesMs.sort((a, b) => a - b);
  return on ? new PrioritySchedule(nodeCount, order, changeTimesMs, priority.tierMs ?? options.delay.maxMs) : null;
}

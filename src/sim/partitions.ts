// Partition shapes as sets of cut directed links. Every shape is plain data (a list of
// [from, to] pairs plus a label for the trace), so isolation, splits, bridges, one-way and
// single-link cuts are all the same thing to the network.

import type { NodeId } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { MillisecondRange, PartitionShape } from './scenario.js';

export interface Cut {
  links: [NodeId, NodeId][];
  label: string;
}

/** Cut every link between different groups, both ways. Nodes in no group keep all their links. */
export function splitCut(groups: readonly (readonly NodeId[])[]): Cut {
  const links: [NodeId, NodeId][] = [];
  groups.forEach((group, index) => {
    groups.forEach((other, otherIndex) => {
      if (index === otherIndex) return;
      for (const from of group) for (const to of other) links.push([from, to]);
    });
  });
  return { links, label: `partition ${groups.map((group) => `{${group.join(',')}}`).join(' | ')}` };
}

export function isolateCut(node: NodeId, members: readonly NodeId[]): Cut {
  const others = members.filter((member) => member !== node);
  return { links: splitCut([[node], others]).links, label: `isolate n${node}` };
}

/** Two sides that cannot talk, and one bridge node that talks to both (Jepsen's "bridge"). */
export function bridgeCut(groups: readonly (readonly NodeId[])[], bridge: NodeId): Cut {
  return { links: splitCut(groups).links, label: `bridge n${bridge} between ${groups.map((group) => `{${group.join(',')}}`).join(' and ')}` };
}

export function oneWayCut(from: NodeId, to: NodeId): Cut {
  return { links: [[from, to]], label: `cut n${from}->n${to} (one way)` };
}

export function singleLinkCut(a: NodeId, b: NodeId): Cut {
  return { links: [[a, b], [b, a]], label: `cut n${a}<->n${b}` };
}

/**
 * Draws a cut of the given shape. Every draw goes through `random` on the faults stream, so the
 * shape is part of the choice sequence; 0 choices give the first nodes and the smallest sides.
 * Every shape takes the same draws (a shuffle and one size), so a decision takes the same
 * number of choices whichever shape it picks.
 */
export function drawCut(shape: Exclude<PartitionShape, 'flapping'>, members: readonly NodeId[], random: Random): Cut {
  const shuffled = shuffle(members, random);
  const size = random.integer('faults', 0, Math.max(0, members.length - 2));
  switch (shape) {
    case 'isolate':
      return isolateCut(shuffled[0], members);
    case 'majority-minority': {
      const minoritySize = 1 + (size % Math.max(1, Math.floor(members.length / 2)));
      return splitCut([shuffled.slice(0, minoritySize).sort(byId), shuffled.slice(minoritySize).sort(byId)]);
    }
    case 'bridge': {
      if (members.length < 3) return isolateCut(shuffled[0], members);
      const bridge = shuffled[0];
      const rest = shuffled.slice(1);
      const leftSize = 1 + (size % (rest.length - 1));
      return bridgeCut([rest.slice(0, leftSize).sort(byId), rest.slice(leftSize).sort(byId)], bridge);
    }
    case 'one-way': {
      // One node hears nothing (or says nothing): every link into it (or out of it) is cut.
      const node = shuffled[0];
      const inbound = size % 2 === 0;
      const others = members.filter((member) => member !== node);
      const links: [NodeId, NodeId][] = others.map((other) => (inbound ? [other, node] : [node, other]));
      return { links, label: inbound ? `n${node} cannot receive (one way)` : `n${node} cannot send (one way)` };
    }
    case 'single-link':
      if (members.length < 2) return { links: [], label: 'no link to cut' };
      return singleLinkCut(Math.min(shuffled[0], shuffled[1]), Math.max(shuffled[0], shuffled[1]));
  }
}

/** A leader cut off from the rest, with the companions it keeps, for a drawn time. */
export interface LeaderCutOff {
  cut: Cut;
  durationMs: number;
}

/**
 * A leader cut off on a minority (with fewer than half of the others) with this probability, the
 * rest on the other side, for a duration drawn from `durationMs`: a deposed leader that does not
 * know it yet. Every draw is taken whether it strikes or not, so the number of draws is fixed, and
 * a 0 choice isolates the leader alone for the shortest time. Null: no strike, or no one else.
 */
export function drawLeaderCutOff(random: Random, stream: string, probability: number, leader: NodeId, nodes: readonly NodeId[], durationMs: MillisecondRange): LeaderCutOff | null {
  const strikes = random.chance(stream, probability);
  const others = shuffle(nodes.filter((node) => node !== leader), random, stream);
  const companions = random.integer(stream, 0, Math.max(0, Math.floor((others.length - 1) / 2)));
  const drawnMs = random.integer(stream, durationMs.minMs, durationMs.maxMs);
  if (!strikes || others.length === 0) return null;
  const minority = [leader, ...others.slice(0, companions)].sort(byId);
  const majority = others.slice(companions).sort(byId);
  return { cut: splitCut([minority, majority]), durationMs: drawnMs };
}

/** A Fisher-Yates shuffle drawn from `stream` (the faults' by default); all-zero choices keep the order. */
export function shuffle(members: readonly NodeId[], random: Random, stream = 'faults'): NodeId[] {
  const result = [...members];
  for (let index = 0; index < result.length - 1; index += 1) {
    const pick = index + random.index(stream, result.length - index);
    [result[index], result[pick]] = [result[pick], result[index]];
  }
  return result;
}

function byId(a: NodeId, b: NodeId): number {
  return a - b;
}

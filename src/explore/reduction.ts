// Partial-order reduction by sleep sets (Godefroid, 1996), for the breadth-first search.
//
// Many transitions commute: a delivery to n1 and a timer of n2 reach the same world in either
// order. Breadth-first search with a visited set already stores that world once, but it still
// computes it twice (a clone, a step and a fingerprint each time). A sleep set records, with a
// state, the transitions whose successors are known to be covered by a sibling's subtree: after
// exploring a then b from s, where a and b are independent, the state s.b.a is s.a.b, so a
// sleeps in s.b. Sleep sets alone prune transitions, never states: every state within the
// bounds is still visited, at its least depth, so the search stays exhaustive, the counts of
// distinct states are the same as without reduction (tested), and the first violation found
// is still at the least depth (a shortest counterexample).
//
// Soundness with a visited set: a state reached several times in the same breadth-first layer
// is expanded once, with the intersection of the sleep sets of all its arrivals (the
// re-exploration rule for revisited states, which bfs can apply before expanding: a layer is
// complete before it is expanded). A state reached again at a greater depth was expanded
// already at its least depth, where its sleeping transitions are covered by siblings at that
// depth. A transition whose result is cut off by a bound (term, messages in flight) never goes
// to sleep: the bound may cut s.a off but not s.b.a (b can lower the count of messages).
// For the same reason a sleeping transition a stays asleep in a successor s.b only if s.a is
// within the messages bound: the subtree that covers s.b.a passes through s.a, and a pruned
// s.a covers nothing (a full search reaches s.b.a by way of s.b when b delivers a message and
// sends none). Each entry keeps how many messages a adds, which independent steps do not change.
//
// Independence (a and b, both taken from the same state s, with successors that are kept):
//   - they step different nodes (a delivery steps its receiver; a drop steps no node);
//     a node's step reads only its own state and the message it is handed, and appends
//     messages to the tails of its outgoing links;
//   - they do not drop and deliver (or drop twice) on the same link (that changes which message
//     overtakes which, and so the reorder budget);
//   - they do not both spend one budget (crashes, requests, drops, reorders): one may use up
//     what the other needs, and a proposal's command id is the count of requests;
//   - neither changes the shared part of the judgement (the committed history, a checker's
//     shared state such as the first leader of a term: Transition.changedShared): it is global
//     and its updates do not all commute (commit terms are lowered only when the committed prefix
//     grows). Whether a step changes it depends only on the stepping node's state and the
//     judgement, which an independent step leaves as they were;
//   - a delivery that raises the term its sender revealed (Transition.revealsSender) and a
//     restart of that sender (whose monotonic-term floor reads it). Revealed terms are a maximum,
//     so two deliveries that raise them commute;
//   - neither is a membership step (Transition.changesMembership): a change may start a spare
//     besides the node it steps, a wipe takes messages off the network, and which of them a
//     world offers reads other nodes' configurations; they never sleep, nor does anything past them.
// A transition is named by a key that survives the steps independent of it: a delivery or drop
// by its link and its place in the link's queue (FIFO; only the link's receiver or a drop on
// the link removes from it, and both are dependent), a node's choice by its node. With symmetry
// reduction, sleep sets are kept in the canonical ids of the state (keys renamed by the
// permutation that canonicalizes it), so arrivals of permuted states intersect correctly.

import type { NodeId } from '../core/ids.js';
import type { Choice, Transition, World } from '../world/system.js';
import { changeCode } from '../world/membership.js';

const kindCodes = { deliver: 0, drop: 1, timeout: 2, propose: 3, crash: 4, restart: 5, read: 6, duplicate: 7, changeMembership: 8, join: 9, wipe: 10, tick: 11, transferLeadership: 12 } as const;

/** Effects of a transition that make it dependent on others: bits of a mask. */
const changesHistory = 1;
const spendsCrash = 2;
const spendsRequest = 4;
const spendsDrop = 8;
const spendsReorder = 16;
const revealsSender = 32;
const changesMembership = 64;
const budgets = spendsCrash | spendsRequest | spendsDrop | spendsReorder;
const effects = changesHistory | budgets | revealsSender | changesMembership;
/** Above the effect bits: the change in messages in flight, offset to be positive. */
const messagesShift = 8;
const messagesOffset = 64;

/**
 * A sleep set as a flat list of (key, mask) pairs, in the canonical ids of its state. Keys pack
 * kind (4 bits), a node or the link's sender (4 bits), the link's receiver (4 bits) and the
 * place in the link, the unsynced records kept or a change's steps (the bits above).
 */
export type SleepSet = readonly number[];

export const emptySleepSet: SleepSet = Object.freeze([]) as SleepSet;

function key(kind: number, first: number, second: number, rest: number): number {
  return kind | (first << 4) | (second << 8) | (rest << 12);
}

function renameKey(value: number, rename: readonly NodeId[]): number {
  const kind = value & 15;
  const first = (value >>> 4) & 15;
  const second = (value >>> 8) & 15;
  return key(kind, rename[first], second === 0 ? 0 : rename[second], value >>> 12);
}

/** The node a keyed transition steps; 0 for a drop. */
function steppedNode(value: number): number {
  const kind = value & 15;
  if (kind === kindCodes.drop) return 0;
  if (kind === kindCodes.deliver) return (value >>> 8) & 15;
  return (value >>> 4) & 15;
}

/** Whether `restart` is a restart of the sender of the delivery `delivery`. */
function restartsSenderOf(restart: number, delivery: number): boolean {
  return (restart & 15) === kindCodes.restart && ((restart >>> 4) & 15) === ((delivery >>> 4) & 15);
}

/** The link of a delivery or drop as sender * 16 + receiver; -1 for other kinds. */
function linkOf(value: number): number {
  const kind = value & 15;
  return kind <= kindCodes.drop ? (value >>> 4) & 255 : -1;
}

/** The key of a choice in a world's own ids. */
export function choiceKey(world: World, choice: Choice): number {
  switch (choice.kind) {
    case 'deliver':
    case 'drop': {
      const messages = world.messages;
      const { from, to } = messages[choice.message];
      let place = 0;
      for (let other = 0; other < choice.message; other += 1) if (messages[other].from === from && messages[other].to === to) place += 1;
      return key(kindCodes[choice.kind], from, to, place);
    }
    case 'crash':
      return key(kindCodes.crash, choice.node, 0, choice.unsyncedKept);
    case 'duplicate':
      return key(kindCodes.duplicate, choice.from, choice.to, 0);
    case 'changeMembership':
      // Its steps tell apart the changes a node is offered.
      return key(kindCodes.changeMembership, choice.node, 0, changeCode(choice.steps));
    case 'transferLeadership':
      return key(kindCodes.transferLeadership, choice.node, choice.target, 0);
    default:
      return key(kindCodes[choice.kind], choice.node, 0, 0);
  }
}

/** What a kept transition changed that makes it dependent on others. */
export function effectMask(before: World, transition: Transition): number {
  const after = transition.world;
  let mask = transition.changedShared ? changesHistory : 0;
  if (transition.revealsSender) mask |= revealsSender;
  if (transition.changesMembership) mask |= changesMembership;
  if (after.crashes !== before.crashes) mask |= spendsCrash;
  if (after.requests !== before.requests) mask |= spendsRequest;
  if (after.drops !== before.drops) mask |= spendsDrop;
  if (after.reorders !== before.reorders) mask |= spendsReorder;
  return mask | ((after.messages.length - before.messages.length + messagesOffset) << messagesShift);
}

export function independent(keyA: number, maskA: number, keyB: number, maskB: number): boolean {
  if (((maskA | maskB) & (changesHistory | changesMembership)) !== 0) return false;
  if ((maskA & maskB & budgets) !== 0) return false;
  if ((maskA & revealsSender) !== 0 && restartsSenderOf(keyB, keyA)) return false;
  if ((maskB & revealsSender) !== 0 && restartsSenderOf(keyA, keyB)) return false;
  const nodeA = steppedNode(keyA);
  if (nodeA !== 0 && nodeA === steppedNode(keyB)) return false;
  const linkA = linkOf(keyA);
  if (linkA !== -1 && linkA === linkOf(keyB) && ((keyA & 15) === kindCodes.drop || (keyB & 15) === kindCodes.drop)) return false;
  return true;
}

/** The keys of a sleep set in a world's own ids (the world is canonicalized by `rename`). */
export function sleepingKeys(sleep: SleepSet, inverse: readonly NodeId[]): Set<number> {
  const keys = new Set<number>();
  for (let index = 0; index < sleep.length; index += 2) keys.add(renameKey(sleep[index], inverse));
  return keys;
}

/**
 * The sleep set of the successor by (keyTaken, maskTaken): the parent's sleeping transitions
 * and the ones explored before it, those independent of it and whose successor of the parent
 * has at most `messagesRoom` more messages, renamed to the successor's canonical ids.
 * `inherited` is in the parent's own ids (pairs, like a SleepSet).
 */
export function successorSleepSet(inherited: readonly number[], explored: readonly number[], keyTaken: number, maskTaken: number, rename: readonly NodeId[], messagesRoom: number): SleepSet {
  let result: number[] | null = null;
  for (const list of [inherited, explored]) {
    for (let index = 0; index < list.length; index += 2) {
      if (!independent(list[index], list[index + 1], keyTaken, maskTaken)) continue;
      if ((list[index + 1] >>> messagesShift) - messagesOffset > messagesRoom) continue;
      (result ??= []).push(renameKey(list[index], rename), list[index + 1]);
    }
  }
  return result ?? emptySleepSet;
}

/**
 * The sleep set of a state reached twice in one layer: what sleeps on both arrivals (masks
 * or-ed). The first is kept in data[offset, offset + length) (the frontier keeps sleep sets as
 * integers) and narrowed in place; returns its new length.
 */
export function intersectSleepSetInPlace(data: Int32Array, offset: number, length: number, other: SleepSet): number {
  let kept = 0;
  for (let index = 0; index < length; index += 2) {
    const key = data[offset + index];
    for (let at = 0; at < other.length; at += 2) {
      if (other[at] !== key) continue;
      data[offset + kept] = key;
      data[offset + kept + 1] = data[offset + index + 1] | (other[at + 1] & effects);
      kept += 2;
      break;
    }
  }
  return kept;
}

/** A sleep set in canonical ids to a world's own ids, as pairs. */
export function ownSleepSet(sleep: SleepSet, inverse: readonly NodeId[]): number[] {
  const own: number[] = [];
  for (let index = 0; index < sleep.length; index += 2) own.push(renameKey(sleep[index], inverse), sleep[index + 1]);
  return own;
}

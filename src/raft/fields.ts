// A node's state as one list of fields, from which its copy and both its digests are made: a
// field added to the reference node is added to the list once, saying how a clone copies it and
// how the digests take it (or why they leave it out), and test/raft/fields.test.ts fails until it
// is. The list itself sits in RaftNode (src/raft/node.ts), which alone sees its private fields.
//
// The two digests: stateDigest, every bit of state that decides behaviour, for the simulator's and
// an opaque explorer's world fingerprints; and the explorer's split digest for symmetry reduction
// (src/raft/exploration.ts), whose part without ids is hashed once per state and whose id part once
// per permutation of ids, with every id renamed. The order of the list is the order of the split
// digest; its values are what the explorer's canonical permutations and so its searches rest on.

import type { DigestSink } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';

/** How a field enters the digests; `included`, where given, says when (otherwise a 0 stands in). */
export type FieldDigest<Node, Value> =
  /** A part that names no node, hashed once per state. */
  | { part: 'withoutIds'; hash(value: Value, sink: DigestSink): void; included?(node: Node, exact: boolean): boolean }
  /** A node id or none, renamed under symmetry. */
  | { part: 'id' }
  /** A value that names nodes (a configuration), hashed with every id written as rename[id] (null: as it is). */
  | { part: 'ids'; hash(value: Value, rename: readonly NodeId[] | null, sink: DigestSink): void }
  /** Per member, hashed in the order of the members' images under symmetry. */
  | { part: 'member'; hash(value: Value, member: NodeId, sink: DigestSink): void; included?(node: Node, exact: boolean): boolean }
  /** Left out of the digests, and why. */
  | { part: 'none'; why: string };

export interface NodeField<Node, Value> {
  /** The field's name in the node, or room.name for a field of one of the node's rooms. */
  readonly path: string;
  get(node: Node): Value;
  set(node: Node, value: Value): void;
  /** The value a clone gets: the same one where it is never mutated in place, else a copy. */
  copy(value: Value): Value;
  readonly digest: FieldDigest<Node, Value>;
}

/** The fields of a node, in digest order, with the parts sorted out once. */
export class FieldList<Node> {
  private readonly withoutIds: readonly NodeField<Node, unknown>[];
  private readonly ids: readonly NodeField<Node, unknown>[];
  private readonly namingNodes: readonly NodeField<Node, unknown>[];
  private readonly members: readonly NodeField<Node, unknown>[];

  constructor(readonly all: readonly NodeField<Node, unknown>[]) {
    this.withoutIds = all.filter((field) => field.digest.part === 'withoutIds');
    this.ids = all.filter((field) => field.digest.part === 'id');
    this.namingNodes = all.filter((field) => field.digest.part === 'ids');
    this.members = all.filter((field) => field.digest.part === 'member');
  }

  /** Copies every field of `from` into `to`, in list order (rooms come before their fields). */
  copy(from: Node, to: Node): void {
    for (const field of this.all) field.set(to, field.copy(field.get(from)));
  }

  /**
   * The part without ids. exact: for stateDigest, which keeps what only symmetry leaves out (a PRNG
   * seeded with the id) and may leave out what decides nothing in the state at hand; `included`
   * says which, field by field.
   */
  digestWithoutIds(node: Node, sink: DigestSink, exact: boolean): void {
    for (const field of this.withoutIds) {
      const digest = field.digest as Extract<FieldDigest<Node, unknown>, { part: 'withoutIds' }>;
      if (digest.included === undefined || digest.included(node, exact)) digest.hash(field.get(node), sink);
      else sink.number(0);
    }
  }

  /**
   * The part that names nodes, every id mapped through rename (rename[id] is its image, a
   * permutation of the world's ids; null: ids as they are, per-member values for the ids 1 to
   * idBound, the highest the node may hold values for). Allocates nothing: it runs per permutation.
   */
  digestIds(node: Node, sink: DigestSink, idBound: number, rename: readonly NodeId[] | null, exact: boolean): void {
    for (const field of this.ids) {
      const id = field.get(node) as NodeId | null;
      sink.number(id === null ? 0 : rename === null ? id : rename[id]);
    }
    for (const field of this.namingNodes) {
      const digest = field.digest as Extract<FieldDigest<Node, unknown>, { part: 'ids' }>;
      digest.hash(field.get(node), rename, sink);
    }
    const positions = rename === null ? idBound : rename.length - 1;
    for (let position = 1; position <= positions; position += 1) {
      const member = rename === null ? position : preimage(rename, position);
      for (const field of this.members) {
        const digest = field.digest as Extract<FieldDigest<Node, unknown>, { part: 'member' }>;
        if (digest.included === undefined || digest.included(node, exact)) digest.hash(field.get(node), member, sink);
        else sink.number(0);
      }
    }
  }
}

/** The id whose image is `image` (0 if none). */
function preimage(rename: readonly NodeId[], image: number): NodeId {
  for (let candidate = 1; candidate < rename.length; candidate += 1) if (rename[candidate] === image) return candidate;
  return 0;
}

/** Copies for the list: the value itself (never mutated in place), or a container one level deep. */
export const same = <Value>(value: Value): Value => value;
export const arrayCopy = <Element>(value: Element[]): Element[] => value.slice();
// Sets and maps entry by entry: on Node 20, new Set(set) and new Map(map) take the generic
// iterator path and cost about twice as much for the few entries a node holds, on the explorer's
// hot path (every step clones a node). Insertion order, which digests do not read, is kept.
export const setCopy = <Element>(value: Set<Element>): Set<Element> => {
  const copy = new Set<Element>();
  value.forEach((element) => copy.add(element));
  return copy;
};
export const mapCopy = <Key, Element>(value: Map<Key, Element>): Map<Key, Element> => {
  const copy = new Map<Key, Element>();
  value.forEach((element, key) => copy.set(key, element));
  return copy;
};
/** A room of the node, blank: the list fills in its fields. */
export const blankRoom = <Room extends object>(room: Room): Room => Object.create(Object.getPrototypeOf(room) as object) as Room;

/** Hashes for the list. */
export const hashNumber = (value: number, sink: DigestSink): void => {
  sink.number(value);
};
export const hashLength = (value: readonly unknown[], sink: DigestSink): void => {
  sink.number(value.length);
};
export const hashMemberFlag = (value: ReadonlySet<NodeId>, member: NodeId, sink: DigestSink): void => {
  sink.number(value.has(member) ? 1 : 0);
};
export const hashMemberNumber = (value: ReadonlyMap<NodeId, number>, member: NodeId, sink: DigestSink): void => {
  sink.number(value.get(member) ?? 0);
};

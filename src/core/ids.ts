// Node ids are small positive integers 1..n (n1, n2, ... in reports), so that a cluster
// configuration is plain data and symmetry reduction can permute ids.

export type NodeId = number;

export function nodeName(id: NodeId): string {
  return `n${id}`;
}

export function nodeIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** Do two lists hold the same set of ids, in any order? Judges call it on every step: it allocates nothing. */
export function sameIdSet(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a === b) return true;
  for (const id of a) if (!b.includes(id)) return false;
  for (const id of b) if (!a.includes(id)) return false;
  return true;
}

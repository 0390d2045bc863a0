// Node ids are small positive integers 1..n (n1, n2, ... in reports), so that a cluster
// configuration is plain data and symmetry reduction can permute ids.

export type NodeId = number;

export function nodeName(id: NodeId): string {
  return `n${id}`;
}

export function nodeIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}
